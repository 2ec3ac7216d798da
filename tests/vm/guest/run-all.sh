#!/bin/sh
# Guest side of `make vm-check`: run the test scripts given (default:
# every test_*.sh here), one line each, then the closing count.  Output of
# a failing test is shown in full.
pass=0 fail=0
[ $# -gt 0 ] || set -- /azihsm/tests/test_*.sh
for t in "$@"; do
	name=$(basename "$t" .sh)
	if sh -e "$t" >/tmp/"$name".log 2>&1; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/     | /' /tmp/"$name".log
		fail=$((fail + 1))
	fi
done
echo "vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
