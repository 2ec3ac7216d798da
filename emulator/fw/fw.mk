# The emulated HSM firmware core: plain C11 + OpenSSL, linked into the QEMU
# device model (through its own meson build) and into host unit tests.

FW_SRCS		:= $(wildcard emulator/fw/*.c)
FW_OBJS		:= $(patsubst %.c,$(BUILD)/%.o,$(FW_SRCS))

$(BUILD)/libazihsm-fw.a: $(FW_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

USERSPACE_TARGETS += $(BUILD)/libazihsm-fw.a
