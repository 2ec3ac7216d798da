#!/usr/bin/env bash
# Host side of `make vm-check`: one guest boot runs every guest test.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/tools/vm" --timeout "${AZIHSM_VM_TIMEOUT:-900}" \
	--device-opts serial=AZIHSM-VMTEST-0001 -- sh /azihsm/tests/run-all.sh
