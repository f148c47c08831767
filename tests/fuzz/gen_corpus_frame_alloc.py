#!/usr/bin/env python3
"""Writes seed inputs for fuzz_frame_alloc into tests/fuzz/corpus_frame_alloc/.

Layout (see tests/fuzz/fuzz_frame_alloc.c): u8 nmap, u8 nres, u16 min code,
u16 max code, nmap * (u16 base, u16 len, u8 type), nres * (u16 start,
u16 len), then 4-byte ops (u8 kind, u16 param, u8 count). An address code
below 0xf000 is code * 256; codes 0xf000.. pick absurd values.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "corpus_frame_alloc")
A = lambda addr: addr // 256          # address code
ABS = lambda i: 0xF000 | i            # absurd value i (see fuzz target)


def seed(mmap, res, mn, mx, ops):
    b = struct.pack("<BBHH", len(mmap), len(res), mn, mx)
    for base, ln, ty in mmap:
        b += struct.pack("<HHB", base, ln, ty)
    for start, ln in res:
        b += struct.pack("<HH", start, ln)
    for kind, param, count in ops:
        b += struct.pack("<BHB", kind, param, count)
    return b


# Scaled-down QEMU-like map: low RAM, VGA hole, BIOS, RAM above 1 MiB.
QEMU = [(0, A(0x9FC00), 1), (A(0x9FC00), A(0x400), 2),
        (A(0xF0000), A(0x10000), 2), (A(0x100000), A(0xE00000), 1),
        (ABS(9), A(0x40000), 2)]
IMAGE = [(A(0x100000), A(0x80000)), (A(0x200000) + 1, A(0x800))]
OPS = [(0, 0, 0)] * 4 + [(1, 9, 3), (2, 0x181, 0), (2, 0x181, 0),
                         (0x82, 0x200, 1), (1, 0, 15), (2, 0x300, 7)]

SEEDS = {
    "qemu": seed(QEMU, IMAGE, A(0x100000), ABS(8), OPS),
    "qemu_nolimit": seed(QEMU, IMAGE, A(0x100000), 0, OPS),
    "absurd": seed([(A(0x100000), ABS(0), 1), (ABS(0), ABS(0), 1),
                    (ABS(1), A(0x1000), 1), (0, ABS(0), 3)],
                   [], A(0x100000), 0, OPS),
    "unaligned": seed([(A(0x100000) + 8, A(0x100000), 1),
                       (A(0x300000) + 8, A(0x1000), 1),
                       (A(0x301000) + 8, A(0x1000), 1),
                       (A(0x180000) + 1, 1, 4)],
                      [(A(0x150000) + 3, 1)], A(0x100000) + 1,
                      A(0x400000), OPS),
    "inverted_reserved": seed(QEMU, [(A(0x200000), ABS(0))], A(0x100000),
                              0, []),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
