# Host unit tests (CMocka): every tests/unit/test_*.c is one test program,
# linked against libazihsm, its in-process emulator backend, the firmware
# core and the DDI codec.

UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_TESTS	:= $(patsubst %.c,$(BUILD)/%,$(UNIT_SRCS))
UNIT_LIBS	:= $(BUILD)/libazihsm-emu.a $(BUILD)/libazihsm.a $(BUILD)/libazihsm-fw.a $(BUILD)/libazihsm-ddi.a

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(UNIT_LIBS)
	$(CC) $(LDFLAGS_SAN) -o $@ $< $(UNIT_LIBS) -lcmocka $(CRYPTO_LIBS)
