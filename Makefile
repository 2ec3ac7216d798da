# azihsm top-level build.  `make` builds everything; `make check` runs all
# tests; `make demo` boots the emulated HSM and shows the stack working;
# `make bench` measures ECDSA signing (emulated, OpenSSL, and the device in
# the guest) and prints one table.
# Each component describes its own objects in a fragment included below.

BUILD		?= build
CC		?= gcc
SAN		?=
OPT		?= -O2
CFLAGS_COMMON	:= -std=c11 -D_GNU_SOURCE $(OPT) -g -fPIC -Wall -Wextra -Werror \
		   -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		   -Iinclude -Iemulator/fw
ifeq ($(SAN),1)
CFLAGS_COMMON	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
LDFLAGS_SAN	:= -fsanitize=address,undefined
endif
CRYPTO_LIBS	:= -lcrypto -lpthread

KVER		?= $(shell bash scripts/kver.sh)
KDIR		?= /usr/src/linux-headers-$(KVER)

.PHONY: all setup userspace module qemu check unit-check unit-check-asan \
	qtest-check vm-check demo bench shell clean
all: userspace module qemu

# Install what the build needs (Debian packages, guest kernel).  Idempotent.
setup:
	@bash scripts/setup-host.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -MMD -MP -c $< -o $@

include ddi/ddi.mk
include emulator/fw/fw.mk
include lib/lib.mk
include tools/tools.mk
include tests/unit/unit.mk
include tests/wycheproof/wycheproof.mk
include tests/vm/vm.mk
include tests/qtest/qtest.mk

userspace: $(USERSPACE_TARGETS)

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/driver W=1 modules

qemu:
	@bash scripts/build-qemu.sh

unit-check: $(UNIT_TESTS)
	@bash tests/unit/run.sh $(UNIT_TESTS)

# The same unit tests under AddressSanitizer and UBSan.
unit-check-asan:
	$(MAKE) BUILD=build/asan SAN=1 OPT=-O1 unit-check

vm-check: all vectors
	@bash tests/vm/run.sh

qtest-check: userspace qemu
	@python3 tests/qtest/test_device.py "$$(bash scripts/qemu-binary.sh)" $(QTEST_HELPER)

check: setup
	$(MAKE) unit-check unit-check-asan
	$(MAKE) qtest-check
	$(MAKE) vm-check

demo: setup all
	@bash tools/demo.sh

# Measurements, not tests: see scripts/bench.sh.
bench: all
	@bash scripts/bench.sh

shell: all
	@bash tools/vm --shell

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/driver clean 2>/dev/null || true

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
