#!/usr/bin/env python3
"""Checks the dependency rule of ARCHITECTURE.md against the code.

1. Every `#include "m/..."` in src/<x>/ names x itself or a module in x's declared DEPS (src/<x>/CMakeLists.txt).
2. Every declared dependency is in a lower layer, or the same layer through an `edge:` line.
3. Third-party headers are included only by the modules the `third-party:` lines allow.
Prints each violation and exits 1 if any."""
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
arch = open(os.path.join(root, "ARCHITECTURE.md")).read()
block = re.search(r"<!-- layers:begin -->(.*?)<!-- layers:end -->", arch, re.S)
if not block:
    sys.exit("ARCHITECTURE.md has no layers block")
layer_of, edges, third_party = {}, set(), []
for line in block.group(1).splitlines():
    line = line.strip()
    if m := re.match(r"layer (\d+): (.*)", line):
        for mod in m.group(2).split():
            layer_of[mod] = int(m.group(1))
    elif m := re.match(r"edge: (\S+) -> (\S+)", line):
        edges.add((m.group(1), m.group(2)))
    elif m := re.match(r"third-party: (.*) -> (.*)", line):
        third_party.append((m.group(1).split(), set(m.group(2).split())))

errors = []
src = os.path.join(root, "src")
modules = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
for mod in modules:
    if mod not in layer_of:
        errors.append(f"src/{mod}: module is not in the layers block of ARCHITECTURE.md")
        continue
    cmake = open(os.path.join(src, mod, "CMakeLists.txt")).read()
    m = re.search(r"DEPS((?:\s+[a-z_]+)*)", cmake)
    deps = set(m.group(1).split()) if m else set()
    for d in deps:
        if d not in layer_of:
            errors.append(f"src/{mod}: declares unknown module {d}")
        elif layer_of[d] > layer_of[mod] or (layer_of[d] == layer_of[mod] and (mod, d) not in edges):
            errors.append(f"src/{mod}: may not depend on {d} (layer {layer_of[d]} vs {layer_of[mod]}; "
                          f"name same-layer edges in ARCHITECTURE.md)")
    for dirpath, _, files in os.walk(os.path.join(src, mod)):
        for fn in files:
            if not fn.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root)
            for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
                inc = re.match(r'\s*#\s*include\s*[<"]([^">]+)[">]', line)
                if not inc:
                    continue
                header = inc.group(1)
                first = header.split("/")[0]
                if '"' in line and first in modules and first != mod and first not in deps:
                    errors.append(f"{rel}:{n}: includes {header} but {mod} does not declare {first}")
                for prefixes, allowed in third_party:
                    if any(header.startswith(p) for p in prefixes) and mod not in allowed:
                        errors.append(f"{rel}:{n}: {header} belongs in {'/'.join(sorted(allowed))} only")
if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"dependency rule: {len(modules)} modules clean")
