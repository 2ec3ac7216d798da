# Per-command timeout and level-1 abort (driver.md, "Timeouts and level-1
# abort").  run.sh boots a device with x-stall-commands=1, which loses the
# first HSM command, says so in AZIHSM_EXPECT_STALLS and runs only this
# test in that boot.  The lost command must fail with ETIMEDOUT, ext.
# status 0x04000002, after abort_timeout_in_sec; the driver deletes and
# re-creates its queue (the only one: resources=1), and the next commands
# go through that queue and succeed.
. /azihsm/tests/lib.sh
if [ "${AZIHSM_EXPECT_STALLS:-0}" -eq 0 ]; then
	skip "this device completes every command: no x-stall-commands"
fi

timeout_s=$(cat /sys/module/azihsm/parameters/abort_timeout_in_sec)
azihsm-vmtest expect-timeout /dev/azihsm0 "$timeout_s" || fail "lost command"

dmesg | grep "hsm queue 1: " || true
dmesg | grep -q "hsm queue 1: command timed out, resetting the queue" ||
	fail "no level-1 abort in the kernel log"
if dmesg | grep -q "queue stays disabled"; then
	fail "the level-1 abort failed"
fi

azihsm info >/dev/null || fail "azihsm info after the abort"
azihsm-stress --count 200 --threads 2 --procs 2 || fail "stress after the abort"
