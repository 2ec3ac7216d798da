# Key agreement and derivation with the azihsm tool: two ECC keys of each
# curve (usage derive) agree on a secret with `azihsm ecdh`, each with the
# other's public key (PEM from `azihsm pubkey`); HMAC keys derived from
# both secrets with the same parameters (HKDF and KBKDF) give the same
# tag over a file, and different parameters a different tag.  Secrets and
# derived keys never leave the device, so equality of the two sides is the
# check that both computed the same ECDH secret and the same derivation.
# Then the failures give readable errors.
#
# Every key made here is deleted again.
. /azihsm/tests/lib.sh
w=/tmp/derive
mkdir -p $w
provision

# The keys this test made, deleted at the end (and on failure).
made=""
cleanup() {
	for t in $made; do
		azihsm delete --tag $t --id $id --pin $pin >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT

# keygen/ecdh/derive with tag $1 (recorded for deletion); the rest is the
# command.
mk() {
	tag=$1
	shift
	made="$made $tag"
	k "$@" >/dev/null || fail "azihsm $*"
}

head -c 1000 /dev/urandom >$w/msg

# A tag of the HMAC key of tag $1 over $w/msg, in hex.
tag_of() {
	k hmac --tag $1 --in $w/msg || fail "hmac --tag $1"
}

# curve, hash, HMAC type, tag length in hex digits, first tag (the keys
# of a curve take tags base..base+22; 790-799 are for the error cases)
for spec in "p256 sha256 hmac-sha256 64 800" "p384 sha384 hmac-sha384 96 850" \
	    "p521 sha512 hmac-sha512 128 900"; do
	set -- $spec
	curve=$1 hash=$2 type=$3 hexlen=$4 base=$5
	a=$base b=$((base + 1)) sa=$((base + 2)) sb=$((base + 3))
	mk $a keygen ecc-$curve --tag $a --usage derive
	mk $b keygen ecc-$curve --tag $b --usage derive
	k pubkey --tag $a >$w/a.pem || fail "pubkey a"
	k pubkey --tag $b >$w/b.pem || fail "pubkey b"
	mk $sa ecdh --tag $a --peer $w/b.pem --secret-tag $sa
	mk $sb ecdh --tag $b --peer $w/a.pem --secret-tag $sb

	# Both sides, same parameters: same key; another info: another key.
	for kdf in hkdf kbkdf; do
		if [ $kdf = hkdf ]; then n=10; else n=20; fi
		ka=$((base + n)) kb=$((base + n + 1)) kc=$((base + n + 2))
		mk $ka derive --secret-tag $sa --$kdf --hash $hash --salt 0102 \
			--info 616263 --type $type --tag $ka
		mk $kb derive --secret-tag $sb --$kdf --hash $hash --salt 0102 \
			--info 616263 --type $type --tag $kb
		mk $kc derive --secret-tag $sb --$kdf --hash $hash --salt 0102 \
			--info 616264 --type $type --tag $kc
		ta=$(tag_of $ka) tb=$(tag_of $kb) tc=$(tag_of $kc)
		[ ${#ta} -eq $hexlen ] || fail "$type tag is ${#ta} hex digits: $ta"
		[ "$ta" = "$tb" ] || fail "$curve $kdf: the two sides differ: $ta $tb"
		[ "$ta" != "$tc" ] || fail "$curve $kdf: another info gives the same tag"
		# --out writes the same tag raw.
		k hmac --tag $ka --in $w/msg --out $w/tag.bin || fail "hmac --out"
		[ "$(od -An -tx1 -v $w/tag.bin | tr -d ' \n')" = "$ta" ] ||
			fail "hmac --out differs from the printed tag"
	done
	echo "ecc-$curve: ecdh both ways, hkdf and kbkdf to $type agree"
done

# An AES key derives too (and is not an HMAC key).
s=802			# the P-256 secret of the first side
mk 799 derive --secret-tag $s --hkdf --hash sha256 --type aes-256 --tag 799

k_fails 1 "is aes-256, not an HMAC key" hmac --tag 799 --in $w/msg
k_fails 1 "is ecc-p256, not a shared secret" derive --secret-tag 800 --hkdf \
	--hash sha256 --type hmac-sha256 --tag 798
k_fails 1 "key with tag 797 not found" derive --secret-tag 797 --hkdf \
	--hash sha256 --type hmac-sha256 --tag 798
k_fails 1 "another key already has tag 799" derive --secret-tag $s --hkdf \
	--hash sha256 --type hmac-sha256 --tag 799
k_fails 2 "exactly one of --hkdf and --kbkdf" derive --secret-tag $s --hash sha256 \
	--type hmac-sha256 --tag 798
k_fails 2 "--hash is sha256, sha384 or sha512" derive --secret-tag $s --hkdf \
	--type hmac-sha256 --tag 798
k_fails 2 "--salt needs up to 256 bytes" derive --secret-tag $s --hkdf --hash sha256 \
	--salt abc --type hmac-sha256 --tag 798
k_fails 2 "--type is hmac-sha256" derive --secret-tag $s --hkdf --hash sha256 \
	--type ecc-p256 --tag 798
# A P-521 peer (the last curve above) for a P-256 key.
k_fails 1 "not a valid public key on the curve of ecc-p256" ecdh --tag 800 \
	--peer $w/b.pem --secret-tag 798
k_fails 1 "not a PEM public key" ecdh --tag 800 --peer $w/msg --secret-tag 798
head -c 1025 /dev/urandom >$w/big
k_fails 1 "at most 1024 bytes" hmac --tag 810 --in $w/big
echo "errors are readable"
