#!/usr/bin/env bash
# Install everything the build and the tests need on a Debian 12 host.
# Idempotent: a second run only checks.  Needs root (or sudo) the first time.
set -euo pipefail

. "$(dirname "$0")/common.sh"

# openssl: the guest tests verify the HSM's signatures with the host's
# openssl binary, which build-initramfs.sh ships.  kmod: modprobe and
# depmod, with which build-initramfs.sh ships extra guest modules (--kmod).
PKGS=(build-essential pkg-config libssl-dev libcmocka-dev
      ninja-build python3-venv flex bison libglib2.0-dev libpixman-1-dev
      dpkg-dev busybox-static cpio seabios qemu-system-data
      libkcapi-dev kcapi-tools rsync bzip2 xz-utils openssl kmod)

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null; then
			SUDO=sudo
		else
			die "installing packages needs root (or sudo): $*"
		fi
	fi
}
SUDO=

add_sources() {
	local f=/etc/apt/sources.list.d/azihsm.sources
	[ -f "$f" ] && return 0
	need_root "apt sources"
	log "adding bookworm-backports (meson >= 1.5) and trixie deb-src (QEMU 10 source) to apt"
	$SUDO tee "$f" >/dev/null <<'SRC'
# Added by azihsm scripts/setup-host.sh
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	APT_UPDATED=
}

APT_UPDATED=
apt_update() {
	[ -n "$APT_UPDATED" ] && return 0
	need_root "apt-get update"
	$SUDO apt-get update -qq || die "apt-get update failed: is the Debian archive reachable?"
	APT_UPDATED=1
}

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

install_pkgs() {
	local miss
	miss=$(missing_pkgs "${PKGS[@]}" "linux-headers-$(guest_kver)")
	if [ -n "$miss" ]; then
		need_root "apt-get install"
		log "installing: $(echo $miss)"
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $miss >/dev/null ||
			die "apt-get install failed for: $(echo $miss)"
	fi
	# meson from bookworm itself is 1.0; QEMU 10 wants >= 1.5.
	if ! meson_ok || [ -n "$(missing_pkgs python3-pycotap)" ]; then
		need_root "meson"
		apt_update
		log "installing meson and python3-pycotap from bookworm-backports"
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports meson python3-pycotap >/dev/null ||
			die "could not install meson >= 1.5 and python3-pycotap from bookworm-backports"
	fi
}

meson_ok() {
	command -v meson >/dev/null || return 1
	dpkg --compare-versions "$(meson --version)" ge 1.5
}

add_sources
# guest_kver asks apt which 6.1 kernel the archive offers, so refresh first
# when the lists are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*bookworm-backports*Packages*' -mtime -1 2>/dev/null)" ]; then
	apt_update
fi
install_pkgs
fetch_guest_kernel
log "host set-up complete (guest kernel $(guest_kver))"
