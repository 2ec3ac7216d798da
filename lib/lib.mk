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
