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

# AES-GCM and AES-XTS for the fast path, AES-CBC-PKCS5 for AesEncryptDecrypt
# (scripts/wycheproof-aes.py).
AES_VECTORS	:= $(VECTORS_DIR)/aes_gcm.txt $(VECTORS_DIR)/aes_xts.txt \
		   $(VECTORS_DIR)/aes_cbc_pkcs5.txt

# GCM of every key size, for AF_ALG (tests/vm/kcapi-azihsm.c); from the same
# JSON file as aes_gcm.txt.
AES_VECTORS	+= $(VECTORS_DIR)/aes_gcm_all.txt

$(VECTORS_DIR)/aes_gcm_all.txt: scripts/wycheproof-aes.py
	@mkdir -p $(dir $@)
	python3 scripts/wycheproof-aes.py gcm_all "$(WYCHEPROOF_DIR)/aes_gcm_test.json" $@.tmp
	@mv $@.tmp $@

$(VECTORS_DIR)/aes_%.txt: scripts/wycheproof-aes.py
	@if [ ! -f "$(WYCHEPROOF_DIR)/aes_$*_test.json" ]; then \
		echo "Wycheproof vectors not found: $(WYCHEPROOF_DIR)/aes_$*_test.json" >&2; \
		echo "Set WYCHEPROOF_DIR to the directory holding the Wycheproof *_test.json files." >&2; \
		exit 1; \
	fi
	@mkdir -p $(dir $@)
	python3 scripts/wycheproof-aes.py $* "$(WYCHEPROOF_DIR)/aes_$*_test.json" $@.tmp
	@mv $@.tmp $@

# HKDF and HMAC (scripts/wycheproof-kdf.py) for tests/unit/test_fw_kdf_vectors.c.
KDF_HASHES	:= sha256 sha384 sha512
KDF_VECTORS	:= $(patsubst %,$(VECTORS_DIR)/hkdf_%.txt,$(KDF_HASHES)) \
		   $(patsubst %,$(VECTORS_DIR)/hmac_%.txt,$(KDF_HASHES))

# $(call kdf_vectors,KIND,HASH): one file; KIND is hkdf or hmac.
define kdf_vectors
	@if [ ! -f "$(WYCHEPROOF_DIR)/$(1)_$(2)_test.json" ]; then \
		echo "Wycheproof vectors not found: $(WYCHEPROOF_DIR)/$(1)_$(2)_test.json" >&2; \
		echo "Set WYCHEPROOF_DIR to the directory holding the Wycheproof *_test.json files." >&2; \
		exit 1; \
	fi
	@mkdir -p $(dir $@)
	python3 scripts/wycheproof-kdf.py $(1) "$(WYCHEPROOF_DIR)/$(1)_$(2)_test.json" $@.tmp
	@mv $@.tmp $@
endef

$(VECTORS_DIR)/hkdf_%.txt: scripts/wycheproof-kdf.py
	$(call kdf_vectors,hkdf,$*)

$(VECTORS_DIR)/hmac_%.txt: scripts/wycheproof-kdf.py
	$(call kdf_vectors,hmac,$*)

# RSA signatures, RSA-OAEP and AES-KWP (scripts/wycheproof-rsa.py) for
# tests/unit/test_fw_rsa.c and test_lib_rsa.c.  Not aes_kwp.txt: that name
# belongs to the aes_% rule above.
RSA_VECTORS	:= $(VECTORS_DIR)/rsa_sig_2048.txt $(VECTORS_DIR)/rsa_oaep_2048_sha256.txt \
		   $(VECTORS_DIR)/rsa_kwp.txt

# $(call rsa_vectors,KIND,JSON): one file.
define rsa_vectors
	@if [ ! -f "$(WYCHEPROOF_DIR)/$(2)" ]; then \
		echo "Wycheproof vectors not found: $(WYCHEPROOF_DIR)/$(2)" >&2; \
		exit 1; \
	fi
	@mkdir -p $(dir $@)
	python3 scripts/wycheproof-rsa.py $(1) "$(WYCHEPROOF_DIR)/$(2)" $@.tmp
	@mv $@.tmp $@
endef

$(VECTORS_DIR)/rsa_sig_2048.txt: scripts/wycheproof-rsa.py
	$(call rsa_vectors,sig,rsa_pkcs1_2048_sig_gen_test.json)

$(VECTORS_DIR)/rsa_oaep_2048_sha256.txt: scripts/wycheproof-rsa.py
	$(call rsa_vectors,oaep,rsa_oaep_2048_sha256_mgf1sha256_test.json)

$(VECTORS_DIR)/rsa_kwp.txt: scripts/wycheproof-rsa.py
	$(call rsa_vectors,kwp,aes_kwp_test.json)

.PHONY: vectors
vectors: $(ECDH_VECTORS) $(AES_VECTORS) $(KDF_VECTORS) $(RSA_VECTORS)

# The unit test reads them at run time (tests/unit/run.sh runs from the top).
$(BUILD)/tests/unit/test_fw_derive: | $(ECDH_VECTORS)
$(BUILD)/tests/unit/test_fw_fastpath: | $(AES_VECTORS)
$(BUILD)/tests/unit/test_fw_kdf_vectors: | $(KDF_VECTORS)
$(BUILD)/tests/unit/test_fw_rsa: | $(RSA_VECTORS)
$(BUILD)/tests/unit/test_lib_rsa: | $(RSA_VECTORS)
