# Wycheproof ECDH vectors (P-256, P-384, P-521) through the driver and the
# device with azihsm-wycheproof: each private key is imported with the
# test-only DerKeyImport, EcdhKeyExchange must accept the valid public keys
# and refuse the invalid ones, and what the secret derives (HkdfDerive,
# Hmac) must match the vector's shared secret.
#
# DerKeyImport exists only with the device's test operations
# (-device azihsm,x-test-ops=on).  tests/vm/run.sh says which boot has them
# with AZIHSM_EXPECT_TEST_OPS=1: there the vectors must pass; in the other
# boots the device must refuse DerKeyImport as not supported, and the
# test is skipped (exit 77).
#
# The partition is provisioned once per boot (lib.sh's provision()).
. /azihsm/tests/lib.sh
vectors=
for curve in secp256r1 secp384r1 secp521r1; do
	f=/azihsm/vectors/ecdh_$curve.txt
	[ -f $f ] || fail "$f missing (make vectors before building the initramfs)"
	vectors="$vectors $f"
done

provision

set +e
azihsm-wycheproof --id $id --pin $pin $vectors
rc=$?
set -e
case $rc in
0)
	[ "${AZIHSM_EXPECT_TEST_OPS:-0}" = 1 ] ||
		fail "DerKeyImport accepted, but this boot's device has no test operations"
	echo "Wycheproof ECDH vectors ok"
	;;
77)
	[ "${AZIHSM_EXPECT_TEST_OPS:-0}" = 1 ] &&
		fail "DerKeyImport refused as not supported with x-test-ops=on"
	skip "this boot's device has no test operations: no x-test-ops=on"
	;;
*)
	fail "azihsm-wycheproof failed (exit status $rc)"
	;;
esac
