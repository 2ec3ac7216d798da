# Helpers for the guest test scripts.  Sourced.

# PCI address of the first azihsm function (1414:c003).
azihsm_bdf() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1414 ] && [ "$(cat "$d/device")" = 0xc003 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# Wait up to $2 tenths of a second for path $1 to exist (or, with !, vanish).
wait_for() {
	i=0
	while [ $i -lt "${2:-50}" ]; do
		[ -e "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for $1"
	return 1
}

wait_gone() {
	i=0
	while [ $i -lt "${2:-50}" ]; do
		[ -e "$1" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for $1 to go away"
	return 1
}

fail() {
	echo "$*"
	exit 1
}

# One line per azihsm interrupt handler in /proc/interrupts: its name and
# the interrupts it took, summed over all CPUs.
azihsm_irq_counts() {
	awk 'NR == 1 { ncpu = NF; next }
	     $NF ~ /^azihsm-/ {
		n = 0
		for (i = 2; i <= ncpu + 1; i++)
			n += $i
		print $NF, n
	     }' /proc/interrupts
}

# The last kernel log line that matches the extended regex $1.
dmesg_last() {
	dmesg | grep -E "$1" | tail -n1
}

# The smallest of the numbers given.
min() {
	m=$1
	for n in "$@"; do
		[ "$n" -lt "$m" ] && m=$n
	done
	echo "$m"
}

# A test that does not apply to this boot: say why (run-all.sh shows it)
# and exit 77, the automake "skipped" status.
skip() {
	echo "$*"
	exit 77
}

# The credential of the guest tests, and where provision() keeps its
# record.  Provisioning lasts as long as the QEMU process, and all tests of
# a boot run in it, so the record lives in /tmp (a tmpfs, as long as the
# boot).
state=/tmp/azihsm-provision
id=00112233445566778899aabbccddeeff
pin=0123456789abcdef0123456789abcdef
bad_pin=0123456789abcdef0123456789abcde0

# Provision the partition with that credential, once per boot: the first
# test to call this does it, and checks it on the fresh device (sessions
# refused before; the masked BK3 and BMK it returns); later calls find the
# record and do nothing.  A partition found provisioned without the record
# fails the check.  Leaves bk3, pota.pem, masked_bk3.bin and bmk.bin in
# $state for tests that provision again.
provision() {
	[ -e $state/done ] && return 0
	mkdir -p $state
	out=$(azihsm session test --id $id --pin $pin 2>&1) &&
		fail "session before provisioning: $out"
	echo "$out" | grep -q "partition not provisioned (CredentialsNotEstablished)" ||
		fail "unprovisioned error unclear: $out"

	head -c 48 /dev/urandom >$state/bk3
	azihsm partition init --bk3-file $state/bk3 --pota-key-gen $state/pota.pem \
		--id $id --pin $pin --out-dir $state || fail "provisioning failed"
	[ "$(wc -c <$state/masked_bk3.bin)" -eq 260 ] || fail "masked BK3 size"
	[ "$(wc -c <$state/bmk.bin)" -eq 292 ] || fail "BMK size"
	touch $state/done
}

# azihsm COMMAND ... with the credential of the guest tests.
k() {
	azihsm "$@" --id $id --pin $pin
}

# Run the tool with the credential, expect it to fail with exit status $1
# and a message matching the basic regex $2; the rest is the command.
k_fails() {
	want_rc=$1 want_msg=$2
	shift 2
	set +e
	out=$(k "$@" 2>&1)
	rc=$?
	set -e
	[ $rc -eq "$want_rc" ] || fail "azihsm $*: exit $rc, want $want_rc: $out"
	echo "$out" | grep -q -e "$want_msg" || fail "azihsm $*: unclear error: $out"
}
