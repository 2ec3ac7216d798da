# Keys through the driver with the azihsm tool: ECC keys of each curve
# sign files and openssl verifies the signatures with the exported public
# keys; AES keys of each size round-trip data of several sizes; the
# failures (wrong PIN, a tag taken twice, a deleted key, the wrong kind
# of key, unpadded data) give readable errors.  Then azihsm-keytest runs
# the cases that need several sessions, a full vault or a killed process.
#
# The partition is provisioned once per boot (lib.sh's provision()).
# Every key made here is deleted again.
. /azihsm/tests/lib.sh
w=/tmp/keys
mkdir -p $w
provision

# The value of "LABEL:   value" in the keygen output $1.
field() {
	echo "$1" | sed -n "s/^$2: *//p"
}

head -c 3000 /dev/urandom >$w/data
cp $w/data $w/changed
printf x >>$w/changed

# ECC: curve, default hash, raw signature length.
for spec in "p256 sha256 64" "p384 sha384 96" "p521 sha512 132"; do
	set -- $spec
	curve=$1 hash=$2 raw_len=$3
	tag=$((100 + ${curve#p}))
	out=$(k keygen ecc-$curve --tag $tag --label "keys test $curve" \
		--masked-out $w/$curve.masked) || fail "keygen ecc-$curve: $out"
	[ "$(field "$out" tag)" = $tag ] || fail "keygen tag: $out"
	[ "$(field "$out" type)" = ecc-$curve ] || fail "keygen type: $out"
	[ "$(field "$out" scope)" = app ] || fail "keygen scope: $out"
	field "$out" "key id" | grep -q '^[0-9]* (0x[0-9a-f]\{4\})$' || fail "key id: $out"
	[ -s $w/$curve.masked ] || fail "no masked key written"

	k sign --tag $tag --in $w/data --out $w/$curve.sig || fail "sign $curve"
	k pubkey --tag $tag >$w/$curve.pem || fail "pubkey $curve"
	grep -q "BEGIN PUBLIC KEY" $w/$curve.pem || fail "not a PEM public key"
	out=$(openssl dgst -$hash -verify $w/$curve.pem -signature $w/$curve.sig \
		$w/data 2>&1) || fail "openssl rejects the $curve signature: $out"
	[ "$out" = "Verified OK" ] || fail "openssl: $out"
	out=$(openssl dgst -$hash -verify $w/$curve.pem -signature $w/$curve.sig \
		$w/changed 2>&1) && fail "$curve signature verifies a changed file: $out"
	echo "$out" | grep -q "Verification failure" || fail "openssl: $out"

	# A shorter hash than the curve's works too; a longer one is refused.
	k sign --tag $tag --in $w/data --hash sha256 --out $w/$curve.sha256.sig ||
		fail "sign $curve sha256"
	openssl dgst -sha256 -verify $w/$curve.pem -signature $w/$curve.sha256.sig \
		$w/data >/dev/null || fail "$curve sha256 signature does not verify"

	# DER export is the same key; raw signatures are r || s.
	k pubkey --tag $tag --format der --out $w/$curve.der || fail "pubkey der"
	openssl pkey -pubin -inform DER -in $w/$curve.der -outform PEM |
		cmp -s - $w/$curve.pem || fail "DER and PEM public keys differ"
	k sign --tag $tag --in $w/data --format raw --out $w/$curve.raw || fail "raw sign"
	[ "$(wc -c <$w/$curve.raw)" -eq $raw_len ] ||
		fail "raw $curve signature: $(wc -c <$w/$curve.raw) bytes, want $raw_len"
	echo "ecc-$curve: signatures verified by openssl"
done
k_fails 1 "a sha384 digest is too long for ecc-p256 keys" \
	sign --tag 356 --in $w/data --hash sha384 --out $w/x.sig

# AES: every size, data of several lengths (PKCS#7 pads to the next 16).
iv=00112233445566778899aabbccddeeff
for bits in 128 192 256; do
	tag=$((200 + bits))
	out=$(k keygen aes-$bits --tag $tag) || fail "keygen aes-$bits: $out"
	[ "$(field "$out" type)" = aes-$bits ] || fail "keygen type: $out"
	[ "$(field "$out" usage)" = encrypt ] || fail "keygen usage: $out"
	for n in 0 1 16 1000 5000; do
		head -c $n /dev/urandom >$w/plain
		k encrypt --tag $tag --iv $iv --in $w/plain --out $w/cipher ||
			fail "encrypt $n bytes with aes-$bits"
		[ "$(wc -c <$w/cipher)" -eq $((n / 16 * 16 + 16)) ] ||
			fail "aes-$bits: $n bytes encrypt to $(wc -c <$w/cipher)"
		k decrypt --tag $tag --iv $iv --in $w/cipher --out $w/back ||
			fail "decrypt $n bytes with aes-$bits"
		cmp $w/plain $w/back || fail "aes-$bits round trip of $n bytes"
	done
	# Without padding: multiples of 16 only.
	head -c 1008 /dev/urandom >$w/plain
	k encrypt --tag $tag --iv $iv --in $w/plain --out $w/cipher --no-pad ||
		fail "encrypt --no-pad"
	[ "$(wc -c <$w/cipher)" -eq 1008 ] || fail "--no-pad added bytes"
	k decrypt --tag $tag --iv $iv --in $w/cipher --out $w/back --no-pad ||
		fail "decrypt --no-pad"
	cmp $w/plain $w/back || fail "aes-$bits --no-pad round trip"
	echo "aes-$bits: round trips of 0 to 5000 bytes"
done
head -c 1000 /dev/urandom >$w/plain
rm -f $w/cipher
k_fails 1 "1000 bytes is not a multiple of 16 bytes, as --no-pad needs" \
	encrypt --tag 456 --iv $iv --in $w/plain --out $w/cipher --no-pad
[ ! -e $w/cipher ] || fail "a failed encryption wrote its output"

# Readable failures.
out=$(azihsm sign --tag 356 --in $w/data --out $w/x.sig --id $id \
	--pin $bad_pin 2>&1) && fail "wrong PIN accepted: $out"
echo "$out" | grep -q "wrong PIN" || fail "wrong PIN error unclear: $out"
k_fails 1 "another key already has tag 356" keygen ecc-p384 --tag 356 \
	--masked-out $w/new.masked
[ ! -e $w/new.masked ] || fail "a failed keygen left its masked-key file"
# A masked key is never overwritten, and then no key is made.
k_fails 1 "File exists" keygen aes-128 --tag 77 --masked-out $w/p256.masked
k_fails 1 "key with tag 77 not found" delete --tag 77
k_fails 1 "key with tag 356 is ecc-p256, not an AES key" \
	encrypt --tag 356 --iv $iv --in $w/plain --out $w/cipher
k_fails 1 "key with tag 456 is aes-256, not an ECC key pair" \
	sign --tag 456 --in $w/data --out $w/x.sig
k_fails 1 "key with tag 999 not found" pubkey --tag 999
k_fails 2 "give --tag N for an app key or --session" keygen aes-128
k_fails 2 "unknown key type 'rsa-2048'" keygen rsa-2048 --tag 7
out=$(k keygen ecc-p256 --session) || fail "session key: $out"
[ "$(field "$out" scope)" = "session (deleted when this command ends)" ] ||
	fail "session key scope: $out"

# Deleted keys are gone for every later command.
out=$(k delete --tag 356) || fail "delete: $out"
echo "$out" | grep -q "^deleted key with tag 356 " || fail "delete said: $out"
k_fails 1 "key with tag 356 not found" sign --tag 356 --in $w/data --out $w/x.sig
k_fails 1 "key with tag 356 not found" delete --tag 356
for tag in 484 621 328 392 456; do
	k delete --tag $tag >/dev/null || fail "delete tag $tag"
done
echo "tool: errors readable, keys deleted"

dev=$(ls /dev/azihsm[0-9]* | head -n1)
azihsm-keytest "$dev" $id $pin || fail "azihsm-keytest failed"
echo "keys ok"
