#!/usr/bin/env bash
# Runs ctest in a build directory and prints one summary line over every GoogleTest binary:
# "Tests: N passed, N failed, N skipped". A skipped test is a failure when CI is set.
# Usage: scripts/run_tests.sh BUILD_DIR [ctest args...]
set -uo pipefail
build=$1
shift
results="$build/test-results"
rm -rf "$results"
mkdir -p "$results"
ctest --test-dir "$build" --output-on-failure --timeout 900 "$@"
ctest_rc=$?
/usr/bin/python3 "$(dirname "$0")/test_summary.py" "$results"
summary_rc=$?
if [ $ctest_rc -ne 0 ]; then exit $ctest_rc; fi
exit $summary_rc
