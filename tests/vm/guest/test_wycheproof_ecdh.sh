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
# vectors are skipped.
#
# The credential and provisioning state are test_provision.sh's: the
# partition is provisioned once per boot, by whichever test runs first.
. /azihsm/tests/lib.sh
state=/tmp/azihsm-provision
id=00112233445566778899aabbccddeeff
pin=0123456789abcdef0123456789abcdef
vectors=
for curve in secp256r1 secp384r1 secp521r1; do
	f=/azihsm/vectors/ecdh_$curve.txt
	[ -f $f ] || fail "$f missing (make vectors before building the initramfs)"
	vectors="$vectors $f"
done

if [ ! -e $state/done ]; then
	mkdir -p $state
	head -c 48 /dev/urandom >$state/bk3
	azihsm partition init --bk3-file $state/bk3 --pota-key-gen $state/pota.pem \
		--id $id --pin $pin --out-dir $state || fail "provisioning failed"
	touch $state/done
fi

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
	echo "SKIPPED: the device has no test operations (x-test-ops=on) in this boot"
	;;
*)
	fail "azihsm-wycheproof failed (exit status $rc)"
	;;
esac
