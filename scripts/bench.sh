#!/usr/bin/env bash
# `make bench`: ECDSA signing throughput (build/azihsm-bench) with 1 and 8
# sessions on P-256 and P-384, through every backend, in one table:
#   emulated  the firmware core in process on the host (libazihsm-emu)
#   openssl   OpenSSL on the host CPU, the same work, as a reference
#   device    the QEMU device through azihsm.ko, measured inside the guest
#             (tools/vm), which is provisioned first with `azihsm partition
#             init` and a throw-away credential
# These are measurements, not tests: the numbers depend on the machine and
# its load (the guest runs under TCG unless QEMU gets KVM).
#
# Environment: AZIHSM_BENCH_SECONDS (default 3) per measurement.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${AZIHSM_BENCH_SECONDS:-3}
bench=$top/build/azihsm-bench
id=62656e63686d61726b2d617a6968736d
pin=000102030405060708090a0b0c0d0e0f

# The first run prints the table header.
rows=$("$bench" --backend emulated --seconds "$seconds")
rows+=$'\n'$("$bench" --backend openssl --seconds "$seconds" --no-header)

# The guest command: provision the fresh device, then measure.  Its output
# is the rows only, so that a failure shows everything.
guest="set -e
mkdir -p /tmp/bench
head -c 48 /dev/urandom >/tmp/bench/bk3
azihsm partition init --bk3-file /tmp/bench/bk3 --pota-key-gen /tmp/bench/pota.pem \
	--id $id --pin $pin --out-dir /tmp/bench >/tmp/bench/init.log 2>&1 ||
	{ cat /tmp/bench/init.log; exit 1; }
azihsm-bench --backend device --id $id --pin $pin --seconds $seconds --no-header"
if ! out=$("$top/tools/vm" --timeout 600 -- "$guest" 2>&1); then
	echo "$rows"
	echo "bench: the device backend failed in the guest:" >&2
	echo "$out" >&2
	exit 1
fi
rows+=$'\n'$(echo "$out" | grep '^device ')

echo "ECDSA sign, ${seconds}s per row; one thread, handle, session and session key"
echo "per session; host: $(nproc) CPUs; guest: tools/vm defaults (2 vCPUs)"
echo "$rows"
