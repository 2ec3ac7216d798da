#!/bin/sh
# Guest side of `make vm-check`: run the test scripts given (default:
# every test_*.sh here), one line each, then the closing count.  Output of
# a failing test is shown in full.  A test that exits with 77 (the automake
# convention; lib.sh's skip()) does not apply to this boot: it is counted
# as skipped, with its last output line as the reason.
pass=0 fail=0 skipped=0
[ $# -gt 0 ] || set -- /azihsm/tests/test_*.sh
for t in "$@"; do
	name=$(basename "$t" .sh)
	log=/tmp/"$name".log
	sh -e "$t" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok   $name"
		pass=$((pass + 1))
	elif [ $rc -eq 77 ]; then
		reason=$(tail -n1 "$log")
		echo "skip $name (${reason:-no reason given})"
		skipped=$((skipped + 1))
	else
		echo "FAIL $name"
		sed 's/^/     | /' "$log"
		fail=$((fail + 1))
	fi
done
echo "vm: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
