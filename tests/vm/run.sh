#!/usr/bin/env bash
# Host side of `make vm-check`.  Boots the guest twice: the default device
# (one HSM queue pair), then a device with four resources (four HSM queue
# pairs on four vectors).  Each boot runs every guest test; the closing
# line adds both up.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
timeout=${AZIHSM_VM_TIMEOUT:-900}
pass=0 fail=0
for resources in 1 4; do
	opts=serial=AZIHSM-VMTEST-0001,resources=$resources
	echo "== guest tests with -device azihsm,$opts"
	set +e
	out=$("$top/tools/vm" --timeout "$timeout" --device-opts "$opts" -- \
		AZIHSM_EXPECT_RESOURCES=$resources sh /azihsm/tests/run-all.sh 2>&1)
	rc=$?
	set -e
	echo "$out" | grep -v '^vm: '
	p=$(echo "$out" | sed -n 's/^vm: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$out" | sed -n 's/^vm: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "guest run failed (tools/vm status $rc)"
		fail=$((fail + 1))
	fi
done
echo "vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
