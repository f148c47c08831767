#!/usr/bin/env python3
"""Writes seed inputs for fuzz_ept_compose into tests/fuzz/corpus_ept_compose/.

Layout (see tests/fuzz/fuzz_ept_compose.c): u64 cap_xor, u8 maxphy_xor,
u64 eptp_xor, u64 gpa, u8 access_xor, u8 e01, u8 host, u8 fail_mod,
u64 host_base, then the EPT12 entries the walk reads, in order (u64 each).
XOR baselines: caps of Bochs Skylake, MAXPHYADDR 39, EPTP 0x1001e, a read.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "corpus_ept_compose")
RWX, R, W, X = 7, 1, 2, 4
PS = 1 << 7
WB = 6 << 3
GPA = 0x12345678


def seed(words, cap=0, maxphy=0, eptp=0, gpa=GPA, acc=0, e01=0, host=0,
         fail=0, host_base=0x80000000):
    b = struct.pack("<QBQQBBBBQ", cap, maxphy, eptp, gpa, acc, e01, host,
                    fail, host_base)
    return b + b"".join(struct.pack("<Q", w) for w in words)


PATH = [0x11000 | RWX, 0x12000 | RWX, 0x13000 | RWX]
SEEDS = {
    "walk_4k": seed(PATH + [0x7654000 | RWX | WB]),
    "walk_2m": seed(PATH[:2] + [0x3e00000 | PS | R | X | WB], acc=1 ^ 4),
    "walk_1g": seed(PATH[:1] + [0x40000000 | PS | R | W | WB], e01=1),
    "ad_write": seed(PATH + [0x7654000 | R | W | WB], eptp=0x40, acc=1 ^ 2),
    "paging_ad_ro": seed(PATH + [0x7654000 | R | WB], eptp=0x40, acc=8),
    "five_level": seed([0x10000 | RWX] + PATH + [0x7654000 | R | WB],
                       cap=1 << 7, maxphy=39 ^ 52, eptp=0x38,
                       gpa=(1 << 51) | GPA),
    "misconfig_mt": seed(PATH + [0x7654000 | R | (7 << 3)]),
    "misconfig_1g_old": seed(PATH[:1] + [0x40000000 | PS | R | WB],
                             cap=1 << 17),
    "violation_ro": seed(PATH + [0x7654000 | R | WB], acc=1 ^ 2),
    "narrow_36": seed(PATH + [(1 << 36) | 0x7654000 | R | WB],
                      maxphy=39 ^ 36),
    "hidden": seed(PATH + [0x7654000 | RWX | WB], e01=3),
    "read_fail": seed(PATH + [0x7654000 | RWX | WB], fail=2),
    "uc_ept01_wc": seed(PATH + [0x7654000 | RWX | (1 << 3)], e01=0x40,
                        host=3),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
