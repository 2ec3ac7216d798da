# Processes and threads issue many commands at once; every reply matches
# its request.  Also with the smallest queue (one tag) so that submitters
# contend for the ring.
. /azihsm/tests/lib.sh
azihsm-stress --count 1000 --threads 2 --procs 2 || fail "stress on default queues"
rmmod azihsm
insmod /azihsm/azihsm.ko num_hsm_slots=2
wait_for /dev/azihsm0
azihsm-stress --count 500 --threads 2 --procs 2 || fail "stress with 2-entry queues"
rmmod azihsm
insmod /azihsm/azihsm.ko
wait_for /dev/azihsm0
