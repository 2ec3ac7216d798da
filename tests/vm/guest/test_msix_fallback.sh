# The driver's MSI-X layout (driver.md, "MSI-X and the fallback") for the
# configuration run.sh booted: R resources (AZIHSM_EXPECT_RESOURCES) and N
# MSI-X vectors (AZIHSM_EXPECT_VECTORS, the device's msix-vectors).  Vector
# 0 is the admin queue's; the R HSM queues share vectors 1..min(15, N-1, R);
# the 2R AES queues use 16..15+min(16, N-16, 2R), and with N < 17 they are
# skipped.  Under load every HSM vector takes interrupts, shared or not.
. /azihsm/tests/lib.sh
res=${AZIHSM_EXPECT_RESOURCES:-1}
vecs=${AZIHSM_EXPECT_VECTORS:-32}

hsm_vecs=$(min 15 $((vecs - 1)) "$res")
aes=0 aes_vecs=0
if [ "$vecs" -gt 16 ]; then
	aes=$((2 * res))
	aes_vecs=$(min 16 $((vecs - 16)) $aes)
fi

want=$({
	echo azihsm-ctrl-0
	v=1
	while [ $v -le "$hsm_vecs" ]; do
		echo azihsm-hsm-$v
		v=$((v + 1))
	done
	v=16
	while [ $v -lt $((16 + aes_vecs)) ]; do
		echo azihsm-aes-$v
		v=$((v + 1))
	done
} | sort)
got=$(azihsm_irq_counts | cut -d' ' -f1 | sort)
echo "interrupt handlers:" $got
[ "$got" = "$want" ] || fail "interrupt handlers are not the expected:" $want

probe=$(dmesg_last 'azihsm0: [0-9]+ HSM and [0-9]+ AES queue')
echo "$probe"
echo "$probe" | grep -qF "azihsm0: $res HSM and $aes AES queue(s), $vecs MSI-X vectors" ||
	fail "probe did not report $res HSM and $aes AES queues on $vecs vectors"
if [ "$vecs" -lt 32 ]; then
	dmesg | grep -qF "only $vecs of 32 MSI-X vectors" ||
		fail "no warning about the $vecs granted vectors"
fi
if [ "$vecs" -le 16 ]; then
	dmesg | grep -qF "$vecs MSI-X vectors, AES queues need vector 16: skipping them" ||
		fail "no warning about skipped AES queues"
fi

# Commands go round robin over the HSM queues: every HSM vector must see
# completions, and every reply must match across the shared vectors.
azihsm_irq_counts >/tmp/irq.before
azihsm-stress --count 200 --threads 2 --procs 2 || fail "stress failed"
azihsm_irq_counts >/tmp/irq.after
idle=$(awk 'NR == FNR { before[$1] = $2; next }
	    $1 ~ /^azihsm-hsm-/ && $2 <= before[$1] { print $1 }' /tmp/irq.before /tmp/irq.after)
[ -z "$idle" ] || fail "no interrupts under load on:" $idle
