# Host unit tests (CMocka): every tests/unit/test_*.c is one test program,
# linked against libazihsm, its in-process emulator backend, the firmware
# core and the DDI codec.

UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_TESTS	:= $(patsubst %.c,$(BUILD)/%,$(UNIT_SRCS))
UNIT_LIBS	:= $(BUILD)/libazihsm-emu.a $(BUILD)/libazihsm.a $(BUILD)/libazihsm-fw.a $(BUILD)/libazihsm-ddi.a
# Helpers shared by the firmware-core tests (fw_test_util.h), in an archive
# so that only the tests that use them pull them in.
UNIT_UTIL	:= $(BUILD)/tests/unit/libunit-util.a

$(UNIT_UTIL): $(BUILD)/tests/unit/fw_test_util.o
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(UNIT_UTIL) $(UNIT_LIBS)
	$(CC) $(LDFLAGS_SAN) -o $@ $< $(UNIT_UTIL) $(UNIT_LIBS) -lcmocka $(CRYPTO_LIBS)
