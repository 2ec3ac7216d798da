#!/usr/bin/env bash
# `make demo`: boot the emulated HSM, load the driver and show the device
# info travelling through the whole stack:
#   azihsm tool -> libazihsm -> ioctl -> azihsm.ko -> HSM queue (SQE, PRP,
#   doorbell, MSI-X, CQE) -> QEMU device -> firmware core -> and back.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
echo "Booting the guest (Debian 6.1 kernel, QEMU with -device azihsm, TCG)..."
exec "$top/tools/vm" --device-opts serial=AZIHSM-DEMO-0001 -- '
echo "--- guest: $(uname -sr), azihsm.ko loaded"
echo "--- PCI function:"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1414:0xc003 ] &&
		echo "    $(basename $d) 1414:c003 driver=$(basename $(readlink $d/driver))"
done
echo "--- device nodes:"; ls -l /dev/azihsm*
echo "--- azihsm list:"; azihsm list
echo "--- azihsm info:"; azihsm info
echo "--- azihsm info --json:"; azihsm info --json
echo "--- kernel log (azihsm):"; dmesg | grep -E "azihsm[ :]"
'
