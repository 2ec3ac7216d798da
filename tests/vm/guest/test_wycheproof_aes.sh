# Wycheproof AES vectors through the driver and the device with
# azihsm-wycheproof-aes: AES-GCM (256-bit keys, 96-bit IVs, 128-bit tags)
# and AES-XTS (whole blocks) on the AES fast path (the driver's AES-GCM
# and AES-XTS ioctls), AES-CBC with PKCS#7 padding through DDI
# AesEncryptDecrypt.  The vectors' keys are imported with the test-only
# DerKeyImport; valid vectors must encrypt to the vector's ciphertext (and
# tag) and decrypt to its message, invalid ones must be refused (wrong GCM
# tag: AUTH_FAILED; bad padding: BAD_PADDING).
#
# As test_wycheproof_ecdh.sh: AZIHSM_EXPECT_TEST_OPS=1 (tests/vm/run.sh)
# marks the boot whose device has the test operations; there the vectors
# must pass, elsewhere DerKeyImport must be refused as not supported and
# the test is skipped (exit 77).  A boot without AES queues
# (msix-vectors=3) has no fast path: skipped too.
. /azihsm/tests/lib.sh
vectors=
for name in aes_gcm aes_xts aes_cbc_pkcs5; do
	f=/azihsm/vectors/$name.txt
	[ -f $f ] || fail "$f missing (make vectors before building the initramfs)"
	vectors="$vectors $f"
done

aes_vectors=$(azihsm_irq_counts | grep -c '^azihsm-aes-' || true)
[ "$aes_vectors" -gt 0 ] || skip "no AES queues on this boot (fewer than 17 MSI-X vectors)"

provision

set +e
azihsm-wycheproof-aes --id $id --pin $pin $vectors
rc=$?
set -e
case $rc in
0)
	[ "${AZIHSM_EXPECT_TEST_OPS:-0}" = 1 ] ||
		fail "DerKeyImport accepted, but this boot's device has no test operations"
	echo "Wycheproof AES vectors ok"
	;;
77)
	[ "${AZIHSM_EXPECT_TEST_OPS:-0}" = 1 ] &&
		fail "DerKeyImport refused as not supported with x-test-ops=on"
	skip "this boot's device has no test operations: no x-test-ops=on"
	;;
*)
	fail "azihsm-wycheproof-aes failed (exit status $rc)"
	;;
esac
