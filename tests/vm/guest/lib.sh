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
