# Masked keys and attestation through the driver with the azihsm tool: an
# app key written with keygen --masked-out, deleted, re-imported with
# import --masked, signs again with the same public key (openssl checks);
# a changed blob is refused; attest writes a report that the tool verifies
# against the identity key, with the report data and flags it was asked
# for; certs prints and verifies the certificate chain and openssl agrees.
#
# The partition is provisioned once per boot (lib.sh's provision()).
# Every key made here is deleted again.
. /azihsm/tests/lib.sh
w=/tmp/attest
rm -rf $w
mkdir -p $w
provision

field() {
	echo "$1" | sed -n "s/^$2: *//p"
}

head -c 1000 /dev/urandom >$w/data
tag=731

out=$(k keygen ecc-p384 --tag $tag --label attest --masked-out $w/key.masked) ||
	fail "keygen: $out"
k pubkey --tag $tag >$w/before.pem || fail "pubkey"
out=$(k delete --tag $tag) || fail "delete: $out"

# A flipped byte in the blob is refused, and leaves no key behind.
cp $w/key.masked $w/bad.masked
printf '\001' | dd of=$w/bad.masked bs=1 seek=200 conv=notrunc 2>/dev/null
cmp -s $w/key.masked $w/bad.masked && fail "blob not changed"
set +e
out=$(k import --masked $w/bad.masked 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] || fail "import of a changed blob: exit $rc: $out"
echo "$out" | grep -q "not a masked key of this partition, or altered" ||
	fail "unclear error: $out"

out=$(k import --masked $w/key.masked --tag $tag) || fail "import: $out"
[ "$(field "$out" type)" = ecc-p384 ] || fail "import type: $out"
[ "$(field "$out" tag)" = $tag ] || fail "import tag: $out"
k pubkey --tag $tag >$w/after.pem || fail "pubkey after import"
cmp -s $w/before.pem $w/after.pem || fail "public key changed by import"
k sign --tag $tag --in $w/data --out $w/data.sig || fail "sign after import"
openssl dgst -sha384 -verify $w/before.pem -signature $w/data.sig $w/data >/dev/null ||
	fail "signature of the re-imported key does not verify"
echo "import --masked: key back, signs"

nonce=0123456789abcdef0123456789abcdef
out=$(k attest --tag $tag --report-data $nonce --out $w/report.cbor) ||
	fail "attest: $out"
echo "$out" | grep -q "^signature: *verified" || fail "attest not verified: $out"
field "$out" "report data" | grep -q "^${nonce}0000" || fail "report data: $out"
field "$out" "key flags" | grep -q "generated sign verify" || fail "key flags: $out"
field "$out" "public key" | grep -q "^P-384 04" || fail "public key: $out"
len=$(wc -c <$w/report.cbor)
[ $len -ge 830 ] && [ $len -le 834 ] || fail "report of $len bytes"
echo "attest: report verified"

out=$(azihsm certs --out-dir $w) || fail "certs: $out"
echo "$out" | grep -q "^chain: *verified" || fail "certs: $out"
last=$(ls $w/cert-*.pem | sort | tail -n1)
cat $w/cert-*.pem >$w/all.pem
openssl verify -CAfile $w/cert-0.pem -untrusted $w/all.pem $last >/dev/null ||
	fail "openssl does not verify the chain"
echo "certs: chain verified"

k delete --tag $tag >/dev/null || fail "delete"
echo "attest ok"
