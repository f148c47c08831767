#!/usr/bin/env python3
"""Writes seed inputs for tests/fuzz/fuzz_linux_boot.c into
tests/fuzz/corpus_linux_boot/: small synthetic bzImages (the setup header of
Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header", a few setup
sectors and a short protected-mode part ending in "The Image Checksum"
CRC), valid ones and ones that each break one rule.

Usage: python3 tests/fuzz/gen_corpus_linux_boot.py [OUTDIR]"""
import os
import struct
import sys
import zlib

MiB = 1 << 20


def bzimage(version=0x020F, setup_sects=1, loadflags=0x01, xloadflags=0x01,
            relocatable=1, align=0x200000, pref=16 * MiB, init_size=None,
            cmdline_size=2047, initrd_max=0x7FFFFFFF, payload=256,
            syssize=None, jump_end=0x26C, trailer=b""):
    real = setup_sects or 4
    off = (real + 1) * 512
    img = bytearray(off)
    if syssize is None:
        syssize = payload // 16
    if init_size is None:
        init_size = 32 * MiB
    struct.pack_into("<BHIHHHH", img, 0x1F1, setup_sects, 1, syssize, 0,
                     0xFFFF, 0, 0xAA55)
    img[0x200] = 0xEB
    img[0x201] = jump_end - 0x202
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    struct.pack_into("<B", img, 0x211, loadflags)
    struct.pack_into("<I", img, 0x214, 0x100000)
    struct.pack_into("<IIBBHI", img, 0x22C, initrd_max, align, relocatable,
                     21, xloadflags, cmdline_size)
    struct.pack_into("<QI", img, 0x258, pref, init_size)
    body = bytes((i * 13) & 0xFF for i in range(payload - 4))
    img += body
    # Reflected CRC-32, initial 0xFFFFFFFF, no final xor = ~zlib.crc32.
    crc = ~zlib.crc32(bytes(img)) & 0xFFFFFFFF
    img += struct.pack("<I", crc)
    return bytes(img) + trailer


SEEDS = {
    "reloc_2_15": bzimage(),
    "reloc_above_4g": bzimage(xloadflags=0x03),
    "fixed_2_12": bzimage(version=0x020C, relocatable=0, jump_end=0x268),
    "setup_sects_zero": bzimage(setup_sects=0),
    "signed_trailer": bzimage(trailer=b"\x30\x82" + b"S" * 62),
    "small_align": bzimage(align=0x1000, pref=0x100000, init_size=0x10000),
    "proto_2_11": bzimage(version=0x020B),
    "zimage": bzimage(loadflags=0x00),
    "no_kernel64": bzimage(xloadflags=0x02),
    "truncated": bzimage(syssize=0x20),
    "bad_align": bzimage(align=0x300000),
    "small_init_size": bzimage(init_size=0x80),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "corpus_linux_boot")
    os.makedirs(outdir, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(outdir, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
