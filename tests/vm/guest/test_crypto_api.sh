# Kernel crypto API and hw_random registration (the functional AF_ALG
# tests are test_af_alg.sh): cbc-aes-azihsm, xts-aes-azihsm and
# gcm-aes-azihsm in /proc/crypto with their self-tests passed and no
# "alg:" failure in the kernel log; the azihsm-<pci name> hw_random source
# listed and readable (two reads differ); rmmod removes every -azihsm
# algorithm and the rng, insmod brings them back.
# Skips itself (exit 77) in a boot without AES queues, and when the guest
# lacks the fallback templates (tests/vm/run.sh ships them with --kmod).
. /azihsm/tests/lib.sh

ALGS="cbc-aes-azihsm xts-aes-azihsm gcm-aes-azihsm"

aes_vectors=$(azihsm_irq_counts | grep -c '^azihsm-aes-' || true)
[ "$aes_vectors" -gt 0 ] || skip "no AES queues on this boot (fewer than 17 MSI-X vectors)"

# xts-aes-azihsm and gcm-aes-azihsm allocate software fallbacks from the
# xts and gcm templates; tools/vm ships them and /init lets the kernel
# load them on demand, so the self-tests at the boot-time load must pass.
# The selftest line of driver $1 in /proc/crypto, empty if not registered.
selftest_of() {
	awk -v drv="$1" '$1 == "driver" { cur = $3 }
			 $1 == "selftest" && cur == drv { print $3 }' /proc/crypto
}

# Wait up to 10 s for every algorithm's asynchronous self-test.
wait_selftests() {
	i=0
	while [ $i -lt 100 ]; do
		pending=0
		for a in $ALGS; do
			[ "$(selftest_of "$a")" = passed ] || pending=1
		done
		[ $pending -eq 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

rng_name() {
	echo "azihsm-$(azihsm_bdf)"
}

check_registered() {
	wait_selftests || true
	for a in $ALGS; do
		st=$(selftest_of "$a")
		[ -n "$st" ] || fail "$a not in /proc/crypto ($1)"
		[ "$st" = passed ] || fail "$a: selftest '$st' ($1)"
	done
	if dmesg | grep -E 'alg: .*(failed|error)' | grep -i azihsm; then
		fail "self-test failures in the kernel log ($1)"
	fi
	# Priority 50 by default: gcm(aes) must still resolve to the CPU.
	prio=$(awk '$1 == "driver" { cur = $3 }
		    $1 == "priority" && cur == "gcm-aes-azihsm" { print $3 }' /proc/crypto)
	[ "$prio" = 50 ] || fail "gcm-aes-azihsm priority $prio, want 50"
	grep -qw "$(rng_name)" /sys/class/misc/hw_random/rng_available ||
		fail "$(rng_name) not in rng_available: $(cat /sys/class/misc/hw_random/rng_available)"
	echo "registered ok ($1)"
}

check_registered "as loaded at boot"

# hw_random: select ours (another source may be current), read twice.
echo "$(rng_name)" >/sys/class/misc/hw_random/rng_current ||
	fail "cannot select $(rng_name)"
[ "$(cat /sys/class/misc/hw_random/rng_current)" = "$(rng_name)" ] ||
	fail "rng_current is $(cat /sys/class/misc/hw_random/rng_current)"
a=$(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
b=$(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
[ ${#a} -eq 512 ] || fail "first /dev/hwrng read gave $((${#a} / 2)) bytes, want 256"
[ ${#b} -eq 512 ] || fail "second /dev/hwrng read gave $((${#b} / 2)) bytes, want 256"
[ "$a" != "$b" ] || fail "two /dev/hwrng reads returned the same bytes"
echo "hwrng ok"

# rmmod leaves nothing behind; insmod registers again.
rmmod azihsm || fail "rmmod failed"
for a in $ALGS; do
	[ -z "$(selftest_of "$a")" ] || fail "$a still registered after rmmod"
done
if grep -qw "$(rng_name)" /sys/class/misc/hw_random/rng_available; then
	fail "$(rng_name) still in rng_available after rmmod"
fi
insmod /azihsm/azihsm.ko
wait_for /dev/azihsm0
check_registered "after rmmod/insmod"

# Unbinding the device unregisters too (the last controller goes).
bdf=$(azihsm_bdf)
echo "$bdf" >/sys/bus/pci/drivers/azihsm/unbind || fail "unbind failed"
for a in $ALGS; do
	[ -z "$(selftest_of "$a")" ] || fail "$a still registered after unbind"
done
echo "$bdf" >/sys/bus/pci/drivers/azihsm/bind || fail "bind failed"
wait_for /dev/azihsm0
check_registered "after rebind"
echo "crypto api ok"
