#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 and fuzzes each for FUZZ_SECONDS (default 60), growing the
# corpus in fuzz/corpus/<target>/ (commit what it adds). Crashes land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
cmake --preset fuzz >/dev/null
targets=$(cd fuzz && ls *_fuzz.cc | sed 's/\.cc$//')
cmake --build --preset fuzz -j "$(nproc)" --target $targets
mkdir -p fuzz/artifacts
for t in $targets; do
  name=${t%_fuzz}
  echo "== fuzzing $name for ${seconds}s"
  build/fuzz/$t -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=fuzz/artifacts/$name- fuzz/corpus/$name
done
