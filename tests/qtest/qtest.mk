# Device-model tests over QEMU's qtest protocol (no guest kernel).

QTEST_HELPER	:= $(BUILD)/tests/qtest/ddihelper
USERSPACE_TARGETS += $(QTEST_HELPER)

$(QTEST_HELPER): $(BUILD)/tests/qtest/ddihelper.o $(BUILD)/libazihsm.a \
		 $(BUILD)/libazihsm-ddi.a
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(CRYPTO_LIBS)
