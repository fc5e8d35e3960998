#!/usr/bin/env python3
"""Measures `atrium serve` on SQLite: time from process start to /readyz answering 200, and idle RSS.

Runs N fresh starts (new data dir each: first-start work such as key creation and migrations included) and
N warm starts (same data dir). Prints one line per run and the medians. Usage: startup_memory.py BINARY [N]"""
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one_run(data_dir):
    port = free_port()
    env = dict(os.environ, ATRIUM_LOG_LEVEL="warn")
    env.pop("ATRIUM_CONSOLE_DIR", None)
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}",
                          "--console-dir", ""], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ready_ms = None
    deadline = t0 + 10
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                ready_ms = (time.monotonic() - t0) * 1000
                break
        except OSError:
            time.sleep(0.001)
    if ready_ms is None:
        p.kill()
        sys.exit("atrium did not become ready: " + p.stderr.read().decode()[-500:])
    time.sleep(2)
    rss = rss_kib(p.pid)
    p.terminate()
    p.wait(timeout=15)
    return ready_ms, rss


results = {"fresh": [], "warm": []}
warm_dir = tempfile.mkdtemp(prefix="atrium-bench-")
for i in range(runs):
    d = tempfile.mkdtemp(prefix="atrium-bench-")
    results["fresh"].append(one_run(d))
    shutil.rmtree(d)
    results["warm"].append(one_run(warm_dir))
shutil.rmtree(warm_dir)
for kind, rs in results.items():
    for ms, rss in rs:
        print(f"{kind}: ready {ms:.1f} ms, idle RSS {rss / 1024:.1f} MiB")
for kind, rs in results.items():
    print(f"median {kind}: ready {statistics.median(r[0] for r in rs):.1f} ms (goal <= 300), "
          f"idle RSS {statistics.median(r[1] for r in rs) / 1024:.1f} MiB (goal <= 40)")
