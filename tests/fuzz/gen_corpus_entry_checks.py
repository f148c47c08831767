#!/usr/bin/env python3
"""Writes seed inputs for fuzz_entry_checks into tests/fuzz/corpus_entry_checks/.

Layout (see tests/fuzz/fuzz_entry_checks.c): a 188-byte header (capability
XORs, env knobs, MSR mode, masks, order seed), u16 mem_len + memory, then
bytes XORed onto the baseline vmcs12. An empty input is the valid baseline.
Field offsets in struct vmcs12 are computed from vmx/vmcs_fields.h the way
the C compiler lays the struct out (members in table order, natural
alignment).
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus_entry_checks")
SIZES = {"U16": 2, "U32": 4, "U64": 8, "NAT": 8}


def offsets():
    text = open(os.path.join(ROOT, "vmx", "vmcs_fields.h")).read()
    off, pos = {}, 0
    for name, width in re.findall(r"X\((\w+),\s*0x[0-9a-fA-F]+,\s*(U16|U32|U64|NAT),", text):
        size = SIZES[width]
        pos = (pos + size - 1) // size * size
        off[name] = (pos, size)
        pos += size
    return off, pos


OFF, SIZE = offsets()
BASE = {  # baseline values the seeds change (see baseline_vmcs())
    "ENTRY_MSR_LOAD_COUNT": 0, "GUEST_INTERRUPTIBILITY": 0, "ENTRY_INTR_INFO": 0,
    "VMCS_LINK_POINTER": (1 << 64) - 1, "GUEST_RFLAGS": 0x202,
}


def header(env_xor=0, msr_mode=1, seed=0x12345678):
    h = bytes(144) + struct.pack("<BBBB", 0, 0, env_xor, msr_mode)
    return h + struct.pack("<QQQQQ", 0, 0, 0, 0, seed)


def image(**fields):
    img = bytearray(SIZE)
    for name, value in fields.items():
        pos, size = OFF[name]
        x = (value ^ BASE.get(name, 0)) & ((1 << (8 * size)) - 1)
        img[pos:pos + size] = x.to_bytes(size, "little")
    return bytes(img).rstrip(b"\0")


def msr_entries(*entries):
    return b"".join(struct.pack("<IIQ", i, r, v) for i, r, v in entries)


def seed(hdr, mem, img):
    return hdr + struct.pack("<H", len(mem)) + mem + img


SEEDS = {
    "baseline": b"",
    "baseline_full": seed(header(), b"", b""),
    # Two MSR-load entries; memory wraps every len bytes, so the area at
    # 15000H starts at offset 15000H % len = 0 for len = 32.
    "msr_load_ok": seed(header(msr_mode=1), msr_entries((0x174, 0, 0x10), (0x277, 0, 0x0007040600070406)),
                        image(ENTRY_MSR_LOAD_COUNT=2)),
    "msr_load_fs_base": seed(header(msr_mode=1), msr_entries((0x174, 0, 0), (0xc0000100, 0, 0)),
                             image(ENTRY_MSR_LOAD_COUNT=2)),
    "msr_load_hashed": seed(header(msr_mode=2), msr_entries((0x10, 0, 5), (0x1d9, 0, 1)),
                            image(ENTRY_MSR_LOAD_COUNT=2)),
    "nmi_under_sti": seed(header(env_xor=64), b"",
                          image(GUEST_INTERRUPTIBILITY=1, ENTRY_INTR_INFO=0x80000202)),
    "link_pointer": seed(header(), struct.pack("<I", 0x2b) + bytes(28), image(VMCS_LINK_POINTER=0x20000)),
    "no_reader": seed(header(env_xor=128), b"", image(GUEST_RFLAGS=0x2)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
