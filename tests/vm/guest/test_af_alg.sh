# The driver's kernel crypto API algorithms (gcm-aes-azihsm, xts-aes-azihsm,
# cbc-aes-azihsm) through AF_ALG: kcapi-azihsm checks them against OpenSSL
# on random keys and lengths, wrong GCM tags against EBADMSG, and runs the
# Wycheproof AES-GCM (every key size they take), AES-XTS and AES-CBC-PKCS5
# vectors; then kcapi-enc (kcapi-tools) encrypts and decrypts a file with
# cbc-aes-azihsm, which must match `openssl enc`.
#
# The AF_ALG modules and libkcapi's crypto_user are shipped by
# tests/vm/run.sh (--kmod) and loaded here; the templates behind the
# driver's software fallbacks come with every tools/vm boot.  A boot without AES queues (msix-vectors=3)
# has no algorithms to test: skipped.  With AES queues the algorithms must
# be registered.
. /azihsm/tests/lib.sh
aes_vectors=$(azihsm_irq_counts | grep -c '^azihsm-aes-' || true)
[ "$aes_vectors" -gt 0 ] || skip "no AES queues on this boot (fewer than 17 MSI-X vectors)"

for m in af_alg algif_skcipher algif_aead crypto_user; do
	modprobe $m || fail "cannot load the $m module (is it shipped with --kmod?)"
done
for drv in gcm-aes-azihsm xts-aes-azihsm cbc-aes-azihsm; do
	grep -q "^driver *: $drv\$" /proc/crypto ||
		fail "$drv is not registered (/proc/crypto) although the device has AES queues"
done

provision

vectors=
for name in aes_gcm_all aes_xts aes_cbc_pkcs5; do
	f=/azihsm/vectors/$name.txt
	[ -f $f ] || fail "$f missing (make vectors before building the initramfs)"
	vectors="$vectors $f"
done
kcapi-azihsm $vectors || fail "kcapi-azihsm failed"

# A file of no whole number of blocks, through kcapi-enc (PKCS#7 padding)
# and openssl enc.
cbc=cbc-aes-azihsm
command -v kcapi-enc >/dev/null || fail "kcapi-enc missing (kcapi-tools: make setup)"
dir=$(mktemp -d)
openssl rand -out $dir/plain 5000
openssl rand -out $dir/key 32
key=$(od -An -v -tx1 $dir/key | tr -d ' \n')
iv=$(openssl rand -hex 16)
kcapi-enc -q -e -c "$cbc" --iv $iv -i $dir/plain -o $dir/kcapi 3<$dir/key --keyfd 3 ||
	fail "kcapi-enc could not encrypt with $cbc"
openssl enc -e -aes-256-cbc -K $key -iv $iv -in $dir/plain -out $dir/openssl
cmp $dir/kcapi $dir/openssl || fail "kcapi-enc with $cbc and openssl enc differ"
kcapi-enc -q -d -c "$cbc" --iv $iv -i $dir/openssl -o $dir/back 3<$dir/key --keyfd 3 ||
	fail "kcapi-enc could not decrypt with $cbc"
cmp $dir/back $dir/plain || fail "kcapi-enc did not decrypt openssl's ciphertext back"
rm -rf $dir
echo "AF_ALG with the -azihsm algorithms ok"
