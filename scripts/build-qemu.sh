#!/usr/bin/env bash
# Build QEMU (Debian trixie's 10.0.x source package) with the azihsm device.
#
# The source tree and build directory live in the cache, keyed by the QEMU
# version, so that another clone only recompiles the device files.  The
# device sources are mirrored into hw/azihsm/ with content comparison, so
# ninja sees a change only when a file really changed.
set -euo pipefail

. "$(dirname "$0")/common.sh"

srcdir=$(qemu_srcdir)
builddir=$srcdir/build

fetch_source() {
	[ -f "$srcdir/VERSION" ] && return 0
	local dl=$CACHE/qemu-src tarball
	mkdir -p "$dl"
	log "downloading the QEMU source package from trixie"
	(cd "$dl" && apt-get source --download-only -qq qemu >/dev/null 2>&1) ||
		die "apt-get source qemu failed: run scripts/setup-host.sh (it adds trixie deb-src)"
	tarball=$(ls "$dl"/qemu_"$(qemu_version)"*.orig.tar.xz | head -n1)
	log "unpacking $(basename "$tarball")"
	rm -rf "$srcdir.tmp"
	mkdir -p "$srcdir.tmp"
	tar xf "$tarball" -C "$srcdir.tmp" --strip-components=1
	mv "$srcdir.tmp" "$srcdir"
}

# Hook hw/azihsm into QEMU's Kconfig and meson trees (once).
hook_tree() {
	mkdir -p "$srcdir/hw/azihsm"
	grep -q "subdir('azihsm')" "$srcdir/hw/meson.build" ||
		echo "subdir('azihsm')" >>"$srcdir/hw/meson.build"
	grep -q "source azihsm/Kconfig" "$srcdir/hw/Kconfig" ||
		echo "source azihsm/Kconfig" >>"$srcdir/hw/Kconfig"
	# The dfsg tarball drops the edk2 firmware images; meson only needs
	# the names to exist, and we never install blobs.
	local f
	for f in $(sed -n "s/^ *'\(edk2-[a-z0-9_-]*\.fd\)',*$/\1/p" "$srcdir/pc-bios/meson.build"); do
		[ -e "$srcdir/pc-bios/$f.bz2" ] || : >"$srcdir/pc-bios/$f.bz2"
	done
}

# Meson lists sources by name; catch a firmware or codec file left out.
check_sources() {
	local f missing=
	for f in "$TOP"/emulator/*.c "$TOP"/emulator/fw/*.c "$TOP"/ddi/*.c; do
		f=${f#"$TOP"/}
		f=${f#emulator/}
		grep -q "'$f'" "$TOP/emulator/meson.build" || missing="$missing $f"
	done
	[ -z "$missing" ] || die "not listed in emulator/meson.build:$missing"
}

sync_device() {
	local dst=$srcdir/hw/azihsm
	rsync -rc --delete \
		--include='*/' --include='*.c' --include='*.h' \
		--include='meson.build' --include='Kconfig' \
		--exclude='include/***' --exclude='ddi/***' --exclude='*' \
		"$TOP/emulator/" "$dst/"
	mkdir -p "$dst/include" "$dst/ddi"
	rsync -rc --delete "$TOP/include/" "$dst/include/"
	rsync -rc --delete --include='*.c' --include='*.h' --exclude='*' \
		"$TOP/ddi/" "$dst/ddi/"
}

configure() {
	[ -f "$builddir/build.ninja" ] && return 0
	log "configuring QEMU $(qemu_version) (x86_64-softmmu)"
	rm -rf "$builddir"
	mkdir -p "$builddir"
	(cd "$builddir" && ../configure \
		--python=/usr/bin/python3 \
		--target-list=x86_64-softmmu \
		--without-default-features \
		--disable-install-blobs \
		--disable-docs \
		--enable-werror \
		--disable-download \
		>configure.log 2>&1) || {
		tail -n 30 "$builddir/configure.log" >&2
		rm -f "$builddir/build.ninja"
		die "QEMU configure failed (log: $builddir/configure.log)"
	}
}

check_sources
# Clones share the cached tree: one build at a time.
mkdir -p "$CACHE"
exec 9>"$CACHE/qemu-build.lock"
flock 9
fetch_source
hook_tree
sync_device
configure
log "building QEMU (a first build takes about 7 minutes, later ones only the device)"
ninja -C "$builddir" qemu-system-x86_64 >"$builddir/ninja.log" 2>&1 || {
	grep -E 'error|warning' "$builddir/ninja.log" | head -n 40 >&2
	die "QEMU build failed (log: $builddir/ninja.log)"
}
log "QEMU ready: $builddir/qemu-system-x86_64"
