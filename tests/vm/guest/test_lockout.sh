# PIN lockout through the driver (spec/ddi.md 6.7): azihsm-lockout opens
# sessions with a wrong PIN until the partition locks, which must be after
# exactly 1000 wrong-PIN failures, then sees the right PIN refused as
# locked too; while the lockout lasts the azihsm tool must say so
# readably; then azihsm-lockout waits out the 60 s and the right PIN must
# work again.
#
# A locked partition fails every later test of the boot that opens a
# session, so tests/vm/run.sh runs this test alone in a boot of its own and
# says so with AZIHSM_RUN_LOCKOUT=1; elsewhere it is skipped.
. /azihsm/tests/lib.sh
[ "${AZIHSM_RUN_LOCKOUT:-0}" = 1 ] ||
	skip "locks the partition: only in its own boot, with AZIHSM_RUN_LOCKOUT=1"
provision
w=/tmp/lockout
mkdir -p $w

azihsm-lockout --wait --id $id --pin $pin >$w/out 2>&1 &
helper=$!
trap 'kill $helper 2>/dev/null' EXIT
# Until it says the partition is locked, or ends without saying so.
until grep -q "^locked$" $w/out; do
	kill -0 $helper 2>/dev/null || break
	sleep 0.2
done
if grep -q "^locked$" $w/out; then
	out=$(azihsm session test --id $id --pin $pin 2>&1) &&
		fail "session opened with the right PIN while locked: $out"
	echo "$out" | grep -q "azihsm: .*locked" || fail "locked error unclear: $out"
	echo "azihsm while locked: $out"
fi
set +e
wait $helper
rc=$?
set -e
trap - EXIT
cat $w/out
[ $rc -eq 0 ] || fail "azihsm-lockout failed (exit status $rc)"
grep -q "^locked$" $w/out || fail "the partition never locked"
echo "lockout ok"
