#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Flatten a Wycheproof ECDH (ASN.1 public key) test file for C tests.

Usage: wycheproof-ecdh.py IN.json OUT.txt

OUT.txt starts with "# source NAME, N tests" and then has one line per test:
    tcId result curve pub_der_hex priv_be_hex shared_hex
result is valid, invalid or acceptable; curve is the DdiEccCurve (1 P-256,
2 P-384, 3 P-521); the private scalar is big-endian over the curve's
coordinate size (Wycheproof writes it as an ASN.1 INTEGER body, which may
carry a leading zero or be shorter); an empty hex field is written as '-'.
The public key is copied as is: rejecting bad ones is what the test is for.
"""
import json
import sys

# Wycheproof curve name -> (DdiEccCurve, scalar bytes)
CURVES = {
    "secp256r1": (1, 32),
    "secp384r1": (2, 48),
    "secp521r1": (3, 66),
}


def hex_or_dash(s):
    return s.lower() if s else "-"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: wycheproof-ecdh.py IN.json OUT.txt")
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    if doc.get("algorithm") != "ECDH":
        sys.exit("%s: not an ECDH test file" % sys.argv[1])
    lines = []
    for group in doc["testGroups"]:
        if group.get("type") != "EcdhTest" or group.get("encoding") != "asn":
            sys.exit("%s: unsupported test group %s/%s"
                     % (sys.argv[1], group.get("type"), group.get("encoding")))
        if group["curve"] not in CURVES:
            sys.exit("%s: unsupported curve %s" % (sys.argv[1], group["curve"]))
        curve, size = CURVES[group["curve"]]
        for t in group["tests"]:
            if t["result"] not in ("valid", "invalid", "acceptable"):
                sys.exit("%s: tcId %d: unknown result %s"
                         % (sys.argv[1], t["tcId"], t["result"]))
            d = int(t["private"], 16) if t["private"] else 0
            if d >= 1 << (8 * size):
                sys.exit("%s: tcId %d: private key too long" % (sys.argv[1], t["tcId"]))
            priv = d.to_bytes(size, "big").hex()
            lines.append("%d %s %d %s %s %s" % (t["tcId"], t["result"], curve,
                                              hex_or_dash(t["public"]), priv,
                                              hex_or_dash(t["shared"])))
    source = doc.get("testGroups", [{}])[0].get("source", {}).get("name", "wycheproof")
    with open(sys.argv[2], "w") as f:
        f.write("# source %s, %d tests\n" % (source, len(lines)))
        f.write("\n".join(lines) + "\n")
    if len(lines) != doc.get("numberOfTests", len(lines)):
        sys.exit("%s: %d tests, header says %d"
                 % (sys.argv[1], len(lines), doc["numberOfTests"]))


if __name__ == "__main__":
    main()
