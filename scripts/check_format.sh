#!/usr/bin/env bash
# Fails when a C++ file is not clang-formatted (.clang-format at the root).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard 'src/*.h' 'src/*.cc' 'bench/*.cc' 'fuzz/*.cc' 'tests/*.h' 'tests/*.cc')
[ -z "$files" ] && exit 0
if ! echo "$files" | xargs clang-format --dry-run --Werror 2>/tmp/atrium-format.log; then
  grep -E "^[^ ].*(warning|error):" /tmp/atrium-format.log | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
  echo "run 'make format'" >&2
  exit 1
fi
echo "format: $(echo "$files" | wc -l) files clean"
