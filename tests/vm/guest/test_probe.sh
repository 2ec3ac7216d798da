# azihsm.ko binds to the emulated function and /dev/azihsm0 appears.
. /azihsm/tests/lib.sh
bdf=$(azihsm_bdf) || fail "no 1414:c003 PCI function"
[ "$(basename "$(readlink /sys/bus/pci/devices/"$bdf"/driver)")" = azihsm ] ||
	fail "$bdf is not bound to azihsm"
wait_for /dev/azihsm0
[ -c /dev/azihsm0 ] || fail "/dev/azihsm0 is not a character device"
[ -e /sys/class/azihsm-hsm/azihsm0 ] || fail "no azihsm-hsm class device"
grep -q "azihsm" /proc/interrupts || fail "no azihsm interrupts registered"
