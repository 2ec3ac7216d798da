#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Flatten a Wycheproof AES-GCM, AES-XTS or AES-CBC-PKCS5 test file.

Usage: wycheproof-aes.py gcm|gcm_all|xts|cbc_pkcs5 IN.json OUT.txt

Only what the AES fast path can run is kept: its keys are 256-bit bulk keys
(ddi.md 4.4), so GCM groups with a 256-bit key, 96-bit IV and 128-bit tag,
and XTS groups with a 512-bit key (two 256-bit keys); its XTS lengths are
whole 16-byte blocks (hardware.md 7.9: no ciphertext stealing), so XTS
messages of another length are dropped, and so is the empty one.
AES-CBC-PKCS5 goes through the DDI AesEncryptDecrypt, which takes AES-128,
-192 and -256 keys: every test is kept.  gcm_all keeps the GCM groups of
every key size (128, 192, 256), for the kernel crypto API's gcm-aes-azihsm
(tests/vm/kcapi-azihsm.c), in the gcm format.

OUT.txt starts with "# source NAME, N of M tests" and then has one line per
test, hex fields, an empty one written as '-':
    gcm: tcId result key iv aad msg ct tag
    xts: tcId result key1 key2 tweak msg ct
    cbc_pkcs5: tcId result key iv msg ct
result is valid, invalid or acceptable.  The XTS tweak is Wycheproof's iv
zero-extended on the right to 16 bytes, i.e. the little-endian data-unit
number of IEEE 1619 (what OpenSSL and the kernel's xts take as the IV).
"""
import json
import sys


def hex_or_dash(s):
    return s.lower() if s else "-"


def gcm_lines(doc, path, key_sizes=(256,)):
    lines = []
    for group in doc["testGroups"]:
        if (group.get("type") != "AeadTest" or group["keySize"] not in key_sizes or
                group["ivSize"] != 96 or group["tagSize"] != 128):
            continue
        for t in group["tests"]:
            lines.append("%d %s %s %s %s %s %s %s" % (
                t["tcId"], t["result"], t["key"], t["iv"], hex_or_dash(t["aad"]),
                hex_or_dash(t["msg"]), hex_or_dash(t["ct"]), t["tag"]))
    return lines


def xts_lines(doc, path):
    lines = []
    for group in doc["testGroups"]:
        if group.get("type") != "IndCpaTest" or group["keySize"] != 512:
            continue
        for t in group["tests"]:
            size = len(t["msg"]) // 2
            if not size or size % 16:
                continue
            key1, key2 = t["key"][:64], t["key"][64:]
            # The device refuses two keys with the same material (7.7 A 0x6).
            if key1 == key2:
                continue
            iv = bytes.fromhex(t["iv"])
            if len(iv) > 16:
                sys.exit("%s: tcId %d: iv longer than 16 bytes" % (path, t["tcId"]))
            lines.append("%d %s %s %s %s %s %s" % (
                t["tcId"], t["result"], key1, key2, iv.ljust(16, b"\0").hex(),
                t["msg"], t["ct"]))
    return lines


def cbc_lines(doc, path):
    lines = []
    for group in doc["testGroups"]:
        if group.get("type") != "IndCpaTest" or group["ivSize"] != 128:
            continue
        for t in group["tests"]:
            lines.append("%d %s %s %s %s %s" % (
                t["tcId"], t["result"], t["key"], t["iv"], hex_or_dash(t["msg"]),
                hex_or_dash(t["ct"])))
    return lines


KINDS = {
    "gcm": ("AES-GCM", gcm_lines),
    "xts": ("AES-XTS", xts_lines),
    "gcm_all": ("AES-GCM", lambda doc, path: gcm_lines(doc, path, (128, 192, 256))),
    "cbc_pkcs5": ("AES-CBC-PKCS5", cbc_lines),
}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in KINDS:
        sys.exit("usage: wycheproof-aes.py gcm|gcm_all|xts|cbc_pkcs5 IN.json OUT.txt")
    kind, path, out = sys.argv[1:]
    with open(path) as f:
        doc = json.load(f)
    want, flatten = KINDS[kind]
    if doc.get("algorithm") != want:
        sys.exit("%s: not an %s test file" % (path, want))
    lines = flatten(doc, path)
    for line in lines:
        result = line.split()[1]
        if result not in ("valid", "invalid", "acceptable"):
            sys.exit("%s: unknown result %s" % (path, result))
    if not lines:
        sys.exit("%s: no test to run" % path)
    source = doc["testGroups"][0].get("source", {}).get("name", "wycheproof")
    with open(out, "w") as f:
        f.write("# source %s, %d of %d tests\n" % (source, len(lines),
                                                   doc.get("numberOfTests", 0)))
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
