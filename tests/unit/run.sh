#!/usr/bin/env bash
# Run each unit test program; print a closing "N passed, N failed" line.
# Tests find the Wycheproof vectors and other data relative to the project.
set -u
cd "$(dirname "$0")/../.."
pass=0 fail=0
for t in "$@"; do
	if "$t"; then
		pass=$((pass + 1))
	else
		echo "FAILED: $t" >&2
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
