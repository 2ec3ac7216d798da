#!/usr/bin/env bash
# Build the guest initramfs: busybox, our module, programs and openssl with
# the shared libraries they need (resolved with ldd on the host, which runs
# the same Debian userland), the guest-side test scripts, and an /init
# that loads the driver, runs one command and powers off.
#
# usage: build-initramfs.sh OUTPUT.cpio.gz [guest kernel module names...]
set -euo pipefail

. "$(dirname "$0")/common.sh"

out=$1; shift
kver=$(guest_kver)
kroot=$CACHE/kernel/$kver/root
build=${BUILD:-$TOP/build}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,lib64,azihsm/bin,azihsm/lib,azihsm/tests}
cp /bin/busybox "$root/bin/busybox"

copy_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

add_program() {
	cp "$1" "$root/azihsm/bin/"
	copy_libs "$1"
}

for f in "$build"/azihsm "$build"/azihsm-* "$build"/tests/vm/azihsm-* "$build"/tests/vm/kcapi-*; do
	[ -f "$f" ] && [ -x "$f" ] && add_program "$f"
done
for f in "$build"/libazihsm.so*; do
	[ -e "$f" ] && cp -a "$f" "$root/azihsm/lib/"
done
[ -f "$TOP/driver/azihsm.ko" ] && cp "$TOP/driver/azihsm.ko" "$root/azihsm/"

# openssl, with which the guest tests check what the HSM signs; /bin is in
# the guest's PATH, /usr/bin is not.  It needs no configuration file.
openssl_bin=$(command -v openssl) || die "openssl is missing: run 'make setup'"
mkdir -p "$root/usr/bin"
cp "$openssl_bin" "$root/usr/bin/openssl"
copy_libs "$openssl_bin"
ln -s /usr/bin/openssl "$root/bin/openssl"
# kcapi-enc (kcapi-tools), with which test_af_alg.sh encrypts a file through
# AF_ALG; tests needing it skip without it.
if kcapi_enc=$(command -v kcapi-enc); then
	cp "$kcapi_enc" "$root/usr/bin/kcapi-enc"
	copy_libs "$kcapi_enc"
	ln -s /usr/bin/kcapi-enc "$root/bin/kcapi-enc"
fi
cp -r "$TOP/tests/vm/guest/." "$root/azihsm/tests/"
# Wycheproof vectors for test_wycheproof_ecdh.sh (make vectors).
if ls "$TOP"/build/vectors/*.txt >/dev/null 2>&1; then
	mkdir -p "$root/azihsm/vectors"
	cp "$TOP"/build/vectors/*.txt "$root/azihsm/vectors/"
fi

# Extra guest kernel modules (e.g. af_alg), with their dependencies.
if [ $# -gt 0 ]; then
	mdir=$kroot/lib/modules/$kver
	# The unpacked kernel package has no modules.dep: modprobe needs one.
	[ -f "$mdir/modules.dep" ] || depmod -b "$kroot" "$kver" ||
		die "depmod failed for the guest kernel (is kmod installed? make setup)"
	mkdir -p "$root/lib/modules/$kver"
	for m in "$@"; do
		for dep in $(modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>/dev/null |
				awk '$1 == "insmod" {print $2}'); do
			rel=${dep#"$kroot"}
			mkdir -p "$root$(dirname "$rel")"
			cp "$dep" "$root$rel"
		done
	done
	cp "$mdir"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/" 2>/dev/null || true
	depmod -b "$root" "$kver" 2>/dev/null || true
fi

cp "$TOP/tests/vm/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
