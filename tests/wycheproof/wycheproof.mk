# Wycheproof ECDH and AES vectors flattened to text (scripts/wycheproof-*.py) for
# the firmware-core unit test and the guest tests.  They always go to
# build/vectors, whatever $(BUILD) is, so the ASan build and the VM share
# one copy.

# The vectors sit next to the clone (../shared/vectors/wycheproof); a clone
# made elsewhere on this machine finds them at /work/shared.  Override with
# WYCHEPROOF_DIR=... for any other place.
WYCHEPROOF_DIR	?= $(firstword $(wildcard $(CURDIR)/../shared/vectors/wycheproof \
					   /work/shared/vectors/wycheproof) \
			   $(CURDIR)/../shared/vectors/wycheproof)
VECTORS_DIR	:= build/vectors
ECDH_CURVES	:= secp256r1 secp384r1 secp521r1
ECDH_VECTORS	:= $(patsubst %,$(VECTORS_DIR)/ecdh_%.txt,$(ECDH_CURVES))

$(VECTORS_DIR)/ecdh_%.txt: scripts/wycheproof-ecdh.py
	@if [ ! -f "$(WYCHEPROOF_DIR)/ecdh_$*_test.json" ]; then \
		echo "Wycheproof vectors not found: $(WYCHEPROOF_DIR)/ecdh_$*_test.json" >&2; \
		echo "Set WYCHEPROOF_DIR to the directory holding the Wycheproof *_test.json files." >&2; \
		exit 1; \
	fi
	@mkdir -p $(dir $@)
	python3 scripts/wycheproof-ecdh.py "$(WYCHEPROOF_DIR)/ecdh_$*_test.json" $@.tmp
	@mv $@.tmp $@

# AES-GCM and AES-XTS for the fast path (scripts/wycheproof-aes.py).
AES_VECTORS	:= $(VECTORS_DIR)/aes_gcm.txt $(VECTORS_DIR)/aes_xts.txt

$(VECTORS_DIR)/aes_%.txt: scripts/wycheproof-aes.py
	@if [ ! -f "$(WYCHEPROOF_DIR)/aes_$*_test.json" ]; then \
		echo "Wycheproof vectors not found: $(WYCHEPROOF_DIR)/aes_$*_test.json" >&2; \
		echo "Set WYCHEPROOF_DIR to the directory holding the Wycheproof *_test.json files." >&2; \
		exit 1; \
	fi
	@mkdir -p $(dir $@)
	python3 scripts/wycheproof-aes.py $* "$(WYCHEPROOF_DIR)/aes_$*_test.json" $@.tmp
	@mv $@.tmp $@

.PHONY: vectors
vectors: $(ECDH_VECTORS) $(AES_VECTORS)

# The unit test reads them at run time (tests/unit/run.sh runs from the top).
$(BUILD)/tests/unit/test_fw_derive: | $(ECDH_VECTORS)
$(BUILD)/tests/unit/test_fw_fastpath: | $(AES_VECTORS)
