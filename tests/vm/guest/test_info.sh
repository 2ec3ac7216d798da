# `azihsm info` brings the device info back through the whole stack, in
# text and JSON, and errors are readable.
. /azihsm/tests/lib.sh
bdf=$(azihsm_bdf)
out=$(azihsm info) || fail "azihsm info failed: $out"
echo "$out"
echo "$out" | grep -q "^serial: *AZIHSM-VMTEST-0001$" || fail "serial not from the device"
echo "$out" | grep -q "^pci: *$bdf$" || fail "pci address is not $bdf"
echo "$out" | grep -q "^api revision: *1.0 - 1.0$" || fail "GetApiRev result wrong"
echo "$out" | grep -q "^device kind: *physical (2)$" || fail "GetDeviceInfo kind wrong"
tables=${AZIHSM_EXPECT_RESOURCES:-1}
echo "$out" | grep -q "^key tables: *$tables$" || fail "GetDeviceInfo tables is not $tables"

json=$(azihsm info --json) || fail "azihsm info --json failed"
echo "$json" | grep -q '"serial": "AZIHSM-VMTEST-0001"' || fail "json serial"
echo "$json" | grep -q '"device_kind_value": 2' || fail "json kind"
[ "$(echo "$json" | head -n1)" = "{" ] && [ "$(echo "$json" | tail -n1)" = "}" ] ||
	fail "json is not one object"

list=$(azihsm list) || fail "azihsm list failed"
echo "$list" | grep -q "^/dev/azihsm0 " || fail "azihsm list misses /dev/azihsm0"

# A missing device node: readable message, exit status 1.
set +e
msg=$(azihsm info --device /dev/azihsm9 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] || fail "missing device: exit $rc"
echo "$msg" | grep -q "/dev/azihsm9" || fail "missing device: message '$msg'"

# With the driver unloaded there is no device at all.
rmmod azihsm
set +e
msg=$(azihsm info 2>&1)
rc=$?
set -e
insmod /azihsm/azihsm.ko
wait_for /dev/azihsm0
[ $rc -eq 1 ] || fail "no device: exit $rc"
echo "$msg" | grep -q "no azihsm device found" || fail "no device: message '$msg'"
