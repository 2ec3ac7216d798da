# Shared helpers for the build scripts.  Sourced, not run.

CACHE=${AZIHSM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/azihsm}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'azihsm: %s\n' "$*" >&2; }
die() { printf 'azihsm: error: %s\n' "$*" >&2; exit 1; }

# The guest kernel: Debian bookworm's current linux-image-6.1.0-N-amd64.
# The choice is remembered in the cache so that every step agrees on it.
guest_kver() {
	if [ -n "${AZIHSM_KVER:-}" ]; then
		echo "$AZIHSM_KVER"; return
	fi
	if [ -f "$CACHE/kernel/version" ]; then
		cat "$CACHE/kernel/version"; return
	fi
	local v
	v=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\).*/\1/p' | head -n1)
	[ -n "$v" ] || die "cannot find linux-image-6.1.0-*-amd64 in apt (run scripts/setup-host.sh)"
	mkdir -p "$CACHE/kernel"
	echo "$v" >"$CACHE/kernel/version"
	echo "$v"
}

# Unpack (not install) the guest kernel image into the cache.
fetch_guest_kernel() {
	local v dir tmp
	v=$(guest_kver)
	dir=$CACHE/kernel/$v
	[ -f "$dir/vmlinuz" ] && return 0
	log "fetching guest kernel linux-image-$v"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq "linux-image-$v" >/dev/null) ||
		die "apt-get download linux-image-$v failed"
	mkdir -p "$dir.tmp"
	dpkg -x "$tmp"/linux-image-"$v"_*.deb "$dir.tmp/root"
	cp "$dir.tmp/root/boot/vmlinuz-$v" "$dir.tmp/vmlinuz"
	rm -rf "$tmp" "$dir"
	mv "$dir.tmp" "$dir"
}

# QEMU source package version from trixie (e.g. 10.0.13), remembered once chosen.
qemu_version() {
	if [ -f "$CACHE/qemu-src/version" ]; then
		cat "$CACHE/qemu-src/version"; return
	fi
	local v
	v=$(apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: [0-9]*:\(10\.[0-9.]*\)+.*/\1/p' | sort -V | tail -n1)
	[ -n "$v" ] || die "no QEMU 10.x source package in apt (run scripts/setup-host.sh)"
	mkdir -p "$CACHE/qemu-src"
	echo "$v" >"$CACHE/qemu-src/version"
	echo "$v"
}
qemu_srcdir() { echo "$CACHE/qemu-$(qemu_version)"; }
qemu_binary() { echo "$(qemu_srcdir)/build/qemu-system-x86_64"; }
