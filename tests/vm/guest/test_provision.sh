# Provisioning and sessions through the driver with the azihsm tool:
# provision once, refuse a second provisioning, open and close a session,
# refuse a wrong PIN, hold the partition's eight sessions from eight
# processes and see the ninth refused, and get the slot of a process killed
# with SIGKILL back (the driver flushes its session when the file goes).
#
# The partition is provisioned once per boot by lib.sh's provision(), which
# checks the provisioning on the fresh device; whichever test of the boot
# calls it first does it, and a partition found provisioned without its
# record is an error.
. /azihsm/tests/lib.sh

session() {
	azihsm session test --id "$id" "$@"
}

# Wait up to 10 s for file $1 to hold a line matching $2.
wait_line() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for '$2' in $1:"
	cat "$1"
	return 1
}

provision

# A second provisioning is refused, whichever way it is asked.
mkdir -p $state/again
out=$(azihsm partition init --bk3-file $state/bk3 --pota-key $state/pota.pem \
	--id $id --pin $pin --out-dir $state/again 2>&1) && fail "InitBk3 twice: $out"
echo "$out" | grep -q "Bk3AlreadyInitialized" || fail "second InitBk3 error: $out"
out=$(azihsm partition init --masked-bk3-file $state/masked_bk3.bin \
	--pota-key $state/pota.pem --id $id --pin $pin --out-dir $state/again 2>&1) &&
	fail "provisioned twice: $out"
echo "$out" | grep -q "partition already provisioned" || fail "reprovision error: $out"

out=$(session --pin $pin) || fail "session test failed: $out"
echo "$out" | grep -q "^session id 0 short app id [0-9]*$" || fail "session line: $out"
echo "$out" | grep -q "^session closed$" || fail "session not closed: $out"

out=$(session --pin $bad_pin 2>&1) && fail "wrong PIN accepted: $out"
echo "$out" | grep -q "azihsm: .*wrong PIN (InvalidAppCredentials)" ||
	fail "wrong PIN error unclear: $out"

# Eight processes hold the eight sessions; their pids in $pids.
hold_eight() {
	pids=
	for i in 1 2 3 4 5 6 7 8; do
		# Not through session(): $! must be azihsm, not a subshell.
		azihsm session test --id $id --pin $pin --hold 300 \
			>$state/hold$i.out 2>&1 &
		pids="$pids $!"
	done
	for i in 1 2 3 4 5 6 7 8; do
		wait_line $state/hold$i.out "^session id [0-7] " || fail "holder $i"
	done
	[ "$(cat $state/hold*.out | sort -u | wc -l)" -eq 8 ] ||
		fail "session ids not distinct"
}

end_holders() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

hold_eight
out=$(session --pin $pin 2>&1) && fail "ninth session opened: $out"
echo "$out" | grep -q "session limit reached" || fail "ninth session error: $out"

# A holder killed outright: the driver ends its session when its file goes.
# A dying process does not wait for the flush command to complete (its
# wait is killable), so the slot comes free shortly after, not at once.
first=${pids# }
first=${first%% *}
kill -9 "$first"
wait "$first" 2>/dev/null || true
killed_id=$(sed -n 's/^session id \([0-7]\) .*/\1/p' $state/hold1.out)
i=0
until out=$(session --pin $pin 2>&1); do
	echo "$out" | grep -q "session limit reached" || fail "after SIGKILL: $out"
	[ $i -lt 50 ] || fail "the killed process's session was never flushed"
	sleep 0.1
	i=$((i + 1))
done
echo "slot of the killed holder free after $i retries"
echo "$out" | grep -q "^session id $killed_id " ||
	fail "the killed process's session $killed_id was not reused: $out"

# SIGTERM makes the others close their sessions; then all eight are free.
end_holders
hold_eight
end_holders
echo "provisioning and sessions ok"
