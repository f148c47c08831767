#!/usr/bin/env python3
"""Writes seed inputs for tests/fuzz/fuzz_multiboot2.c into
tests/fuzz/corpus_multiboot2/: valid Multiboot2 boot-information blobs
(Multiboot2 spec 3.6) that exercise every tag the parser reads.

Usage: python3 tests/fuzz/gen_corpus_multiboot2.py [OUTDIR]"""
import os
import struct
import sys


def tag(ttype, payload=b""):
    data = struct.pack("<II", ttype, 8 + len(payload)) + payload
    return data + b"\0" * (-len(data) % 8)


def info(*tags):
    body = b"".join(tags) + tag(0)
    return struct.pack("<II", 8 + len(body), 0) + body


def fix_sum(data, at, end):
    data = bytearray(data)
    data[at] = 0
    data[at] = (-sum(data[:end])) & 0xff
    return bytes(data)


def rsdp_v1():
    r = b"RSD PTR " + b"\0" + b"NESTOR" + b"\0" + struct.pack("<I", 0x7ffe1000)
    return fix_sum(r, 8, 20)


def rsdp_v2():
    r = bytearray(b"RSD PTR " + b"\0" + b"NESTOR" + b"\2" +
                  struct.pack("<I", 0x7ffe1000))
    r = fix_sum(r, 8, 20)
    r += struct.pack("<IQ", 36, 0x7ffe1100) + b"\0" * 4
    return fix_sum(r, 32, 36)


def mmap(entries, entry_size=24):
    out = struct.pack("<II", entry_size, 0)
    for base, length, typ in entries:
        e = struct.pack("<QQI", base, length, typ)
        out += e + b"\0" * (entry_size - len(e))
    return tag(6, out)


def efi_mmap(descs, desc_size=48):
    out = struct.pack("<II", desc_size, 1)
    for typ, phys, pages in descs:
        d = struct.pack("<IIQQQQ", typ, 0, phys, 0, pages, 0xf)
        out += d + b"\0" * (desc_size - len(d))
    return tag(17, out)


def module(start, end, cmdline):
    return tag(3, struct.pack("<II", start, end) + cmdline + b"\0")


def fb():
    return tag(8, struct.pack("<QIIIBBBB", 0xfd000000, 4096, 1024, 768,
                              32, 1, 0, 0) + bytes([16, 8, 8, 8, 0, 8]))


SEEDS = {
    "minimal": info(),
    "grub_bios": info(
        tag(1, b"nestor console=com1 loglevel=4\0"),
        tag(2, b"GRUB 2.06\0"),
        module(0x200000, 0x3f0123, b"bzImage console=ttyS0"),
        module(0x400000, 0x400000, b""),
        tag(4, struct.pack("<II", 639, 2096000)),
        tag(5, struct.pack("<III", 0x80, 0xffffffff, 0xffffffff)),
        mmap([(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
              (0x100000, 0x7fee0000, 1), (0x7ffe0000, 0x20000, 3),
              (0x100000000, 0x80000000, 1)]),
        fb(),
        tag(14, rsdp_v1()),
        tag(15, rsdp_v2()),
    ),
    "grub_efi": info(
        tag(1, b"nestor\0"),
        tag(2, b"GRUB 2.12\0"),
        tag(12, struct.pack("<Q", 0x7fbee018)),
        tag(18),
        efi_mmap([(7, 0x100000, 0x7ff00), (3, 0x0, 1), (9, 0x80001000, 2),
                  (10, 0x80003000, 3), (8, 0x80000000, 1),
                  (11, 0xfee00000, 1)]),
        tag(15, rsdp_v2()),
        tag(21, struct.pack("<I", 0x200000)),
    ),
    "mmap_wide_entries": info(mmap([(0, 0x9fc00, 1), (0x100000, 1 << 30, 1)],
                                   entry_size=32)),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "corpus_multiboot2")
    os.makedirs(outdir, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(outdir, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
