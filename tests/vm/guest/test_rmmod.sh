# rmmod/insmod cycles; rmmod refused while a file is open; unbinding the
# device under an open file makes later calls fail with ENODEV.
. /azihsm/tests/lib.sh
for i in 1 2 3 4 5; do
	rmmod azihsm || fail "rmmod failed in cycle $i"
	[ ! -e /dev/azihsm0 ] || fail "/dev/azihsm0 still present after rmmod"
	insmod /azihsm/azihsm.ko || fail "insmod failed in cycle $i"
	wait_for /dev/azihsm0
	azihsm-vmtest raw-api-rev /dev/azihsm0 || fail "device unusable after cycle $i"
done

exec 3<>/dev/azihsm0
if rmmod azihsm 2>/dev/null; then
	fail "rmmod succeeded while /dev/azihsm0 was open"
fi
exec 3>&-
azihsm-vmtest raw-api-rev /dev/azihsm0 || fail "device unusable after refused rmmod"

bdf=$(azihsm_bdf)
mkdir -p /tmp/hold
azihsm-vmtest hold-open /dev/azihsm0 /tmp/hold &
holder=$!
wait_for /tmp/hold/ready
echo "$bdf" >/sys/bus/pci/drivers/azihsm/unbind || fail "unbind failed"
wait_gone /dev/azihsm0
touch /tmp/hold/go
wait $holder || fail "open file did not fail cleanly after unbind"
echo "$bdf" >/sys/bus/pci/drivers/azihsm/bind || fail "bind failed"
wait_for /dev/azihsm0
azihsm-vmtest raw-api-rev /dev/azihsm0 || fail "device unusable after rebind"
rmmod azihsm || fail "rmmod after the holder closed failed"
insmod /azihsm/azihsm.ko
wait_for /dev/azihsm0
