# Guest-side test helpers, shipped into the VM by scripts/build-initramfs.sh.

VMTEST_BINS	:= $(BUILD)/tests/vm/azihsm-vmtest $(BUILD)/tests/vm/azihsm-wycheproof
USERSPACE_TARGETS += $(VMTEST_BINS)

$(BUILD)/tests/vm/azihsm-vmtest: $(BUILD)/tests/vm/azihsm-vmtest.o
	$(CC) $(LDFLAGS_SAN) -o $@ $^

# Wycheproof ECDH vectors through the HSM (test_wycheproof_ecdh.sh).  It
# shares tools/hsm_target.c with azihsm-bench; the rpath finds libazihsm
# (and, for --emulated, libazihsm-emu) in build/.
# The vectors it reads are built by `make vm-check` (tests/wycheproof/
# wycheproof.mk), which the initramfs then carries.
$(BUILD)/tests/vm/azihsm-wycheproof.o: CFLAGS_COMMON += -Itools
$(BUILD)/tests/vm/azihsm-wycheproof: $(BUILD)/tests/vm/azihsm-wycheproof.o \
				     $(BUILD)/tools/hsm_target.o $(BUILD)/libazihsm.so
	$(CC) $(LDFLAGS_SAN) -o $@ $(filter %.o,$^) -L$(BUILD) \
		-Wl,-rpath,'$$ORIGIN/../..' -lazihsm -lcrypto

# Wycheproof AES-GCM, AES-XTS (fast path) and AES-CBC-PKCS5 vectors
# (test_wycheproof_aes.sh).  Its keys are imported with DerKeyImport sent
# raw, so it links the DDI codec (a private copy, as azihsm-keytest does).
USERSPACE_TARGETS += $(BUILD)/tests/vm/azihsm-wycheproof-aes

$(BUILD)/tests/vm/azihsm-wycheproof-aes.o: CFLAGS_COMMON += -Itools
$(BUILD)/tests/vm/azihsm-wycheproof-aes: $(BUILD)/tests/vm/azihsm-wycheproof-aes.o \
					 $(BUILD)/tools/hsm_target.o $(BUILD)/libazihsm.so \
					 $(BUILD)/libazihsm-ddi.a
	$(CC) $(LDFLAGS_SAN) -o $@ $(filter %.o,$^) $(BUILD)/libazihsm-ddi.a -L$(BUILD) \
		-Wl,-rpath,'$$ORIGIN/../..' -lazihsm -lcrypto

# The driver's kernel crypto API algorithms through AF_ALG (libkcapi),
# against OpenSSL and the Wycheproof AES vectors (test_af_alg.sh).
USERSPACE_TARGETS += $(BUILD)/tests/vm/kcapi-azihsm

$(BUILD)/tests/vm/kcapi-azihsm: $(BUILD)/tests/vm/kcapi-azihsm.o
	$(CC) $(LDFLAGS_SAN) -o $@ $^ -lkcapi -lcrypto

# Key checks through libazihsm; it also builds one raw request itself, so
# it links the DDI codec (a private copy, as azihsm-stress does).  Its
# "ok/FAIL" lines come from tests/vm/vmtest_util.c, as azihsm-lockout's.
USERSPACE_TARGETS += $(BUILD)/tests/vm/azihsm-keytest

$(BUILD)/tests/vm/azihsm-keytest: $(BUILD)/tests/vm/azihsm-keytest.o \
				  $(BUILD)/tests/vm/vmtest_util.o \
				  $(BUILD)/libazihsm.so $(BUILD)/libazihsm-ddi.a
	$(CC) $(LDFLAGS_SAN) -o $@ $(filter %.o,$^) $(BUILD)/libazihsm-ddi.a -L$(BUILD) \
		-Wl,-rpath,'$$ORIGIN/../..' -lazihsm -lcrypto

# PIN lockout through libazihsm (test_lockout.sh); like azihsm-wycheproof,
# it takes its device and credential options from tools/hsm_target.c.
USERSPACE_TARGETS += $(BUILD)/tests/vm/azihsm-lockout

$(BUILD)/tests/vm/azihsm-lockout.o: CFLAGS_COMMON += -Itools
$(BUILD)/tests/vm/azihsm-lockout: $(BUILD)/tests/vm/azihsm-lockout.o \
				  $(BUILD)/tests/vm/vmtest_util.o \
				  $(BUILD)/tools/hsm_target.o $(BUILD)/libazihsm.so
	$(CC) $(LDFLAGS_SAN) -o $@ $(filter %.o,$^) -L$(BUILD) \
		-Wl,-rpath,'$$ORIGIN/../..' -lazihsm -lcrypto

# The AES fast-path ioctls, sent raw (test_aes.sh), with a session and
# bulk keys from libazihsm; like azihsm-lockout it takes its options from
# tools/hsm_target.c.
USERSPACE_TARGETS += $(BUILD)/tests/vm/azihsm-aestest

$(BUILD)/tests/vm/azihsm-aestest.o: CFLAGS_COMMON += -Itools
$(BUILD)/tests/vm/azihsm-aestest: $(BUILD)/tests/vm/azihsm-aestest.o \
				  $(BUILD)/tests/vm/vmtest_util.o \
				  $(BUILD)/tools/hsm_target.o $(BUILD)/libazihsm.so
	$(CC) $(LDFLAGS_SAN) -o $@ $(filter %.o,$^) -L$(BUILD) \
		-Wl,-rpath,'$$ORIGIN/../..' -lazihsm -lcrypto -lpthread
