# AES fast-path ioctls (AES-XTS 0x0B, AES-GCM 0x0C) through azihsm-aestest:
# every validation path with its extended status and errno, then XTS and
# GCM round trips through pinned user
# pages (unaligned buffers, odd GCM tails, chained SGL segments, in place),
# a wrong GCM tag, eight threads at once and processes killed while their
# commands run.  Afterwards every page the driver pinned must have been
# unpinned again, and the driver must not have complained about the queues.
# Skips itself (exit 77) in a boot without AES queues (msix-vectors=3).
. /azihsm/tests/lib.sh
provision

# Pages pinned with FOLL_PIN and not yet released, system-wide (the
# counters are per CPU: fold them first).
pinned() {
	echo 1 >/proc/sys/vm/stat_refresh
	awk '$1 == "nr_foll_pin_acquired" { a = $2 }
	     $1 == "nr_foll_pin_released" { r = $2 }
	     END { print a - r }' /proc/vmstat
}

complaints() {
	dmesg | grep -cE 'azihsm.*(unknown CID|second completion|submission queue full)' || true
}

# AES vectors (azihsm-aes-N) that took interrupts.
aes_vectors_used() {
	azihsm_irq_counts | awk '$1 ~ /^azihsm-aes-/ && $2 > 0 { n++ } END { print n + 0 }'
}

dev=$(ls /dev/azihsm[0-9]* | head -n1)
aes_vectors=$(azihsm_irq_counts | grep -c '^azihsm-aes-' || true)
[ "$aes_vectors" -gt 0 ] || skip "no AES queues on this boot (fewer than 17 MSI-X vectors)"
pinned_before=$(pinned)
complaints_before=$(complaints)

set +e
azihsm-aestest --device "$dev" --id $id --pin $pin
rc=$?
set -e
[ $rc -eq 0 ] || fail "azihsm-aestest failed (exit $rc)"

# Killed processes' commands release their pages when the device is done.
i=0
while [ "$(pinned)" -ne "$pinned_before" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(pinned)" -eq "$pinned_before" ] ||
	fail "$(($(pinned) - pinned_before)) page(s) still pinned after the test"
[ "$(complaints)" -eq "$complaints_before" ] ||
	fail "driver warnings: $(dmesg | grep -E 'azihsm.*(unknown CID|second completion|submission queue full)' | tail -n3)"

# The round trips went round-robin over the queues, hence the vectors.
used=$(aes_vectors_used)
[ "$used" -eq "$aes_vectors" ] ||
	fail "completions on $used of $aes_vectors AES vectors: $(azihsm_irq_counts)"
echo "aes ok: completions on all $aes_vectors AES vectors"
