#!/usr/bin/env bash
# Host side of `make vm-check`.  Boots the guest once per device
# configuration below and runs the guest tests in each; the closing line
# adds all boots up.  The tests learn the configuration from AZIHSM_EXPECT_*
# variables derived from the device options:
#   resources=R         AZIHSM_EXPECT_RESOURCES=R
#   msix-vectors=N      AZIHSM_EXPECT_VECTORS=N
#   x-stall-commands=S  AZIHSM_EXPECT_STALLS=S
#   x-test-ops=on       AZIHSM_EXPECT_TEST_OPS=1 (test-only DDI operations,
#                       needed by test_wycheproof_ecdh; skipped elsewhere)
# A boot may add variables of its own (VAR=VALUE before its tests).
# Tests that do not apply to a boot exit 77 and count as skipped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
timeout=${AZIHSM_VM_TIMEOUT:-900}
pass=0 fail=0 skipped=0

expect_env() {
	local opt env=
	for opt in ${1//,/ }; do
		case $opt in
		resources=*) env+=" AZIHSM_EXPECT_RESOURCES=${opt#*=}" ;;
		msix-vectors=*) env+=" AZIHSM_EXPECT_VECTORS=${opt#*=}" ;;
		x-stall-commands=*) env+=" AZIHSM_EXPECT_STALLS=${opt#*=}" ;;
		x-test-ops=on) env+=" AZIHSM_EXPECT_TEST_OPS=1" ;;
		esac
	done
	echo "${env# }"
}

# Guest kernel modules every boot ships besides tools/vm's own (loaded by
# the tests that need them): AF_ALG and libkcapi's crypto_user
# (test_af_alg.sh).
kmods=()
for m in af_alg algif_skcipher algif_aead crypto_user; do
	kmods+=(--kmod "$m")
done

# boot DEVICE-OPTS [VAR=VALUE...] [GUEST-TEST...]: no test named means all
# of them.
boot() {
	local opts=serial=AZIHSM-VMTEST-0001,$1 env out rc count p f s
	shift
	env=$(expect_env "$opts")
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do
		env+=" $1"
		shift
	done
	echo "== guest tests with -device azihsm,$opts${env:+ ($env)}"
	set +e
	out=$("$top/tools/vm" --timeout "$timeout" --device-opts "$opts" "${kmods[@]}" -- \
		"$env" sh /azihsm/tests/run-all.sh "$@" 2>&1)
	rc=$?
	set -e
	echo "$out" | grep -v '^vm: '
	count='^vm: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$'
	p=$(echo "$out" | sed -n "s/$count/\\1/p")
	f=$(echo "$out" | sed -n "s/$count/\\2/p")
	s=$(echo "$out" | sed -n "s/$count/\\3/p")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "guest run failed (tools/vm status $rc)"
		fail=$((fail + 1))
	fi
}

# One HSM queue pair; four pairs on four vectors, with the device's test
# operations (DerKeyImport, for the Wycheproof vectors).
boot resources=1
boot resources=4,x-test-ops=on
# Three MSI-X vectors: no AES queues, four HSM queues on vectors 1 and 2.
boot resources=4,msix-vectors=3
# The device loses the first HSM command: timeout and level-1 abort.  Only
# this test, which must send that first command.
boot resources=1,x-stall-commands=1 /azihsm/tests/test_timeout.sh
# 1000 wrong PINs lock the partition out for 60 s, which would fail every
# later test of the boot that opens a session: a boot of its own, and only
# this boot lets test_lockout run.
boot resources=1 AZIHSM_RUN_LOCKOUT=1 /azihsm/tests/test_lockout.sh

echo "vm: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
