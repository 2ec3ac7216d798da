#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Flatten Wycheproof RSA and AES-KWP test files for the RSA unit tests.

Usage: wycheproof-rsa.py KIND IN.json OUT.txt
KIND is one of:
  sig   RSA PKCS#1 v1.5 signature generation (rsa_pkcs1_*_sig_gen_test.json)
  oaep  RSA-OAEP decryption (rsa_oaep_*_test.json)
  kwp   AES key wrap with padding (aes_kwp_test.json)

OUT.txt starts with "# source NAME, N tests"; then
  sig:  "key PKCS8_HEX" before each group's tests, then per test
        "tcId result hash msg_hex sig_hex" (hash is the DdiHashAlgorithm)
  oaep: "key PKCS8_HEX" before each group, then "tcId result hash label_hex
        msg_hex ct_hex"
  kwp:  "tcId result key_hex msg_hex ct_hex"
An empty hex field is written as '-'.
"""
import json
import sys

HASHES = {"SHA-1": 1, "SHA-256": 2, "SHA-384": 3, "SHA-512": 4, "SHA-224": 0}


def hx(s):
    return s.lower() if s else "-"


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("sig", "oaep", "kwp"):
        sys.exit("usage: wycheproof-rsa.py sig|oaep|kwp IN.json OUT.txt")
    kind, src, dst = sys.argv[1:]
    with open(src) as f:
        doc = json.load(f)
    lines, n = [], 0
    for group in doc["testGroups"]:
        if kind == "kwp":
            for t in group["tests"]:
                lines.append("%d %s %s %s %s" % (t["tcId"], t["result"], hx(t["key"]),
                                                 hx(t["msg"]), hx(t["ct"])))
                n += 1
            continue
        lines.append("key " + group["privateKeyPkcs8"].lower())
        if kind == "sig":
            h = HASHES[group["sha"]]
            for t in group["tests"]:
                lines.append("%d %s %d %s %s" % (t["tcId"], t["result"], h, hx(t["msg"]),
                                                 hx(t["sig"])))
                n += 1
        else:
            if group["sha"] != group["mgfSha"]:
                sys.exit("%s: OAEP hash and MGF1 hash differ" % src)
            h = HASHES[group["sha"]]
            for t in group["tests"]:
                lines.append("%d %s %d %s %s %s" % (t["tcId"], t["result"], h,
                                                    hx(t.get("label", "")), hx(t["msg"]),
                                                    hx(t["ct"])))
                n += 1
    with open(dst, "w") as f:
        f.write("# source %s, %d tests\n" % (src.rsplit("/", 1)[-1], n))
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
