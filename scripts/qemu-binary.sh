#!/usr/bin/env bash
# Print the path of our QEMU build (scripts/build-qemu.sh makes it).
. "$(dirname "$0")/common.sh"
qemu_binary
