#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Flatten a Wycheproof HKDF or HMAC test file for C tests.

Usage: wycheproof-kdf.py hkdf|hmac IN.json OUT.txt

OUT.txt starts with "# source NAME, N tests" and then has one line per test:
    hkdf: tcId result ikm_hex salt_hex info_hex size okm_hex
    hmac: tcId result key_hex msg_hex tag_hex
result is valid, invalid or acceptable; an empty hex field is written as
'-'.  HMAC tags may be truncated (the group's tagSize): the test compares
the prefix.
"""
import json
import sys

FIELDS = {
    "hkdf": ("HkdfTest", ["ikm", "salt", "info", "size", "okm"]),
    "hmac": ("MacTest", ["key", "msg", "tag"]),
}


def field(test, name):
    value = test[name]
    if isinstance(value, int):
        return str(value)
    return value.lower() if value else "-"


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in FIELDS:
        sys.exit("usage: wycheproof-kdf.py hkdf|hmac IN.json OUT.txt")
    kind, path, out = sys.argv[1:]
    group_type, names = FIELDS[kind]
    with open(path) as f:
        doc = json.load(f)
    lines = []
    for group in doc["testGroups"]:
        if group.get("type") != group_type:
            sys.exit("%s: unsupported test group %s" % (path, group.get("type")))
        for test in group["tests"]:
            lines.append(" ".join([str(test["tcId"]), test["result"]] +
                                  [field(test, n) for n in names]))
    with open(out, "w") as f:
        f.write("# source %s, %d tests\n" % (doc.get("algorithm", "?"), len(lines)))
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
