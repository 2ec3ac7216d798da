# Guest-side test helpers, shipped into the VM by scripts/build-initramfs.sh.

VMTEST_BINS	:= $(BUILD)/tests/vm/azihsm-vmtest
USERSPACE_TARGETS += $(VMTEST_BINS)

$(BUILD)/tests/vm/azihsm-vmtest: $(BUILD)/tests/vm/azihsm-vmtest.o
	$(CC) $(LDFLAGS_SAN) -o $@ $^
