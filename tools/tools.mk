# The azihsm command-line tool and the stress helper of the guest tests,
# both linked against the shared libazihsm.  The rpath lets them run from
# build/; the guest sets LD_LIBRARY_PATH instead.

TOOLS_BINS	:= $(BUILD)/azihsm $(BUILD)/azihsm-stress $(BUILD)/azihsm-bench
TOOLS_LDFLAGS	:= -L$(BUILD) -Wl,-rpath,'$$ORIGIN'

# The tool also uses libcrypto itself, to generate owner (POTA) keys.
$(BUILD)/azihsm: $(BUILD)/tools/azihsm.o $(BUILD)/libazihsm.so
	$(CC) $(LDFLAGS_SAN) -o $@ $< $(TOOLS_LDFLAGS) -lazihsm -lcrypto

# The stress helper builds its own requests, so it also links the DDI codec
# (a private copy: the library does not export it).
$(BUILD)/azihsm-stress: $(BUILD)/tools/azihsm-stress.o $(BUILD)/libazihsm.so \
			$(BUILD)/libazihsm-ddi.a
	$(CC) $(LDFLAGS_SAN) -pthread -o $@ $< $(BUILD)/libazihsm-ddi.a \
		$(TOOLS_LDFLAGS) -lazihsm

# The benchmark (and the guest's Wycheproof test, tests/vm/vm.mk) reach the
# emulated HSM through tools/hsm_target.c, which loads libazihsm-emu with
# dlopen: neither program carries firmware code.
$(BUILD)/azihsm-bench: $(BUILD)/tools/azihsm-bench.o $(BUILD)/tools/hsm_target.o \
		       $(BUILD)/libazihsm.so
	$(CC) $(LDFLAGS_SAN) -pthread -o $@ $(filter %.o,$^) $(TOOLS_LDFLAGS) \
		-lazihsm -lcrypto

USERSPACE_TARGETS += $(TOOLS_BINS)
