# libazihsm: build/libazihsm.so (soname libazihsm.so.0, the DDI codec and its
# crypto linked in, so it needs libcrypto; only the azihsm_* API exported) and
# build/libazihsm.a (the library's own objects; static users also link
# libazihsm-ddi.a and -lcrypto, as the unit tests do).

LIB_SRCS	:= $(wildcard lib/*.c)
LIB_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB_SONAME	:= libazihsm.so.0

# Public entry points carry AZIHSM_API; everything else stays internal.
$(LIB_OBJS): CFLAGS_COMMON += -fvisibility=hidden

$(BUILD)/libazihsm.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/$(LIB_SONAME): $(LIB_OBJS) $(BUILD)/libazihsm-ddi.a lib/libazihsm.map
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SAN) -shared -pthread -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script,lib/libazihsm.map -Wl,-z,defs \
		-o $@ $(LIB_OBJS) $(BUILD)/libazihsm-ddi.a $(CRYPTO_LIBS)

$(BUILD)/libazihsm.so: $(BUILD)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

USERSPACE_TARGETS += $(BUILD)/libazihsm.so $(BUILD)/libazihsm.a

# libazihsm-emu: the firmware core behind libazihsm handles, in process
# (include/libazihsm_emu.h).  A separate library so that libazihsm never
# carries firmware code: build/libazihsm-emu.a holds its own objects
# (static users add libazihsm.a, libazihsm-fw.a, libazihsm-ddi.a and
# -lcrypto); build/libazihsm-emu.so.0 links the firmware core and its DDI
# codec in privately and needs libazihsm.so.0 for the handles.

EMU_SRCS	:= $(wildcard lib/emu/*.c)
EMU_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(EMU_SRCS))
EMU_SONAME	:= libazihsm-emu.so.0

$(EMU_OBJS): CFLAGS_COMMON += -fvisibility=hidden

$(BUILD)/libazihsm-emu.a: $(EMU_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/$(EMU_SONAME): $(EMU_OBJS) $(BUILD)/libazihsm-fw.a \
			$(BUILD)/libazihsm-ddi.a $(BUILD)/$(LIB_SONAME) \
			lib/emu/libazihsm-emu.map
	$(CC) $(LDFLAGS_SAN) -shared -pthread -Wl,-soname,$(EMU_SONAME) \
		-Wl,--version-script,lib/emu/libazihsm-emu.map -Wl,-z,defs \
		-o $@ $(EMU_OBJS) $(BUILD)/libazihsm-fw.a $(BUILD)/libazihsm-ddi.a \
		$(BUILD)/$(LIB_SONAME) $(CRYPTO_LIBS)

$(BUILD)/libazihsm-emu.so: $(BUILD)/$(EMU_SONAME)
	ln -sf $(EMU_SONAME) $@

USERSPACE_TARGETS += $(BUILD)/libazihsm-emu.so $(BUILD)/libazihsm-emu.a
