#!/usr/bin/env bash
# Print the guest kernel version (the module is built against its headers).
. "$(dirname "$0")/common.sh"
guest_kver
