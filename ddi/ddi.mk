# The DDI codec (MBOR primitives, schema walker, DDI envelope and message
# schemas), shared by the firmware core and libazihsm.

DDI_SRCS	:= $(wildcard ddi/*.c)
DDI_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(DDI_SRCS))

$(BUILD)/libazihsm-ddi.a: $(DDI_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

USERSPACE_TARGETS += $(BUILD)/libazihsm-ddi.a
