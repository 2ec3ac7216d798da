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
