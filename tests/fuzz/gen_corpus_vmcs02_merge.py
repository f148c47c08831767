#!/usr/bin/env python3
"""Writes seed inputs for fuzz_vmcs02_merge into tests/fuzz/corpus_vmcs02_merge/.

Layout (see tests/fuzz/fuzz_vmcs02_merge.c): a packed 124-byte header (L0's
controls, exception bitmap, PFEC mask/match, CR masks, the CPU's allowed
settings, CR3-target count, read failures, VPID, TSC, bitmap seed, PAUSE
loop), then struct vmcs12 byte for byte. Field offsets in struct vmcs12 are
computed from vmx/vmcs_fields.h the way the C compiler lays the struct out
(members in table order, natural alignment). Control values are Bochs
corei7_skylake_x's (../shared/platform.md).
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus_vmcs02_merge")
SIZES = {"U16": 2, "U32": 4, "U64": 8, "NAT": 8}
HDR = "<8I2Q10I2BH3Q2I"


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
# L0: NMI/external-interrupt exiting, MSR and I/O bitmaps, EPT, VPID.
L0_CTL = [0x16 | 0x29, 0x04006172 | 0x80000000 | 0x10000000 | 0x02000000,
          0x2 | 0x20 | 0x80, 0x36dfb | 0x300000, 0x11fb | 0xc000]
ALLOWED0 = [0x16, 0x04006172, 0, 0x36dfb, 0x11fb]
L1_BASE = dict(PIN_BASED_CONTROLS=0x16, PROC_BASED_CONTROLS=0x04006172,
               EXIT_CONTROLS=0x36dfb, ENTRY_CONTROLS=0x11fb,
               GUEST_CR0=0x80000031)


def header(exc=0, mask=0, match=0, cr0=0x20, cr4=0x2000, a1xor=(0,) * 5,
           cr3_targets=4, read_fail=0, vpid02=7, tsc=0, mult=1 << 48,
           seed=0x9e3779b97f4a7c15, l0=None):
    ctl = l0 if l0 is not None else L0_CTL
    return struct.pack(HDR, *ctl, exc, mask, match, cr0, cr4, *ALLOWED0,
                       *a1xor, cr3_targets, read_fail, vpid02, tsc, mult,
                       seed, 0, 0)


def image(**fields):
    vals = dict(L1_BASE)
    vals.update(fields)
    img = bytearray(SIZE)
    for name, value in vals.items():
        pos, size = OFF[name]
        img[pos:pos + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
    return bytes(img)


P = 0x04006172
SEC, MSRB, IOB, UIO, TSCO, CR3L = 1 << 31, 1 << 28, 1 << 25, 1 << 24, 1 << 3, 1 << 15
SEEDS = {
    "base": header() + image(),
    "pf_l0_all": header(exc=1 << 14) + image(EXCEPTION_BITMAP=1 << 14,
                                            PAGE_FAULT_ERROR_CODE_MASK=1,
                                            PAGE_FAULT_ERROR_CODE_MATCH=1),
    "pf_l1_only": header() + image(EXCEPTION_BITMAP=1 << 14,
                                   PAGE_FAULT_ERROR_CODE_MASK=8,
                                   PAGE_FAULT_ERROR_CODE_MATCH=8),
    "pf_both": header(exc=1 << 14, mask=9, match=9) +
               image(EXCEPTION_BITMAP=1 << 14, PAGE_FAULT_ERROR_CODE_MASK=3,
                     PAGE_FAULT_ERROR_CODE_MATCH=2),
    "pf_mixed": header(exc=0, mask=1, match=0) +
                image(EXCEPTION_BITMAP=1 << 14, PAGE_FAULT_ERROR_CODE_MASK=6,
                      PAGE_FAULT_ERROR_CODE_MATCH=4),
    "msr_bitmaps": header() + image(PROC_BASED_CONTROLS=P | MSRB),
    "msr_read_fails": header(read_fail=1) + image(PROC_BASED_CONTROLS=P | MSRB),
    "io_bitmaps": header() + image(PROC_BASED_CONTROLS=P | IOB),
    "io_b_fails": header(read_fail=4) + image(PROC_BASED_CONTROLS=P | IOB),
    "io_unconditional": header() + image(PROC_BASED_CONTROLS=P | UIO),
    "ept_vpid": header() + image(PROC_BASED_CONTROLS=P | SEC,
                                 SECONDARY_PROC_CONTROLS=0x2 | 0x20 | 0x80, VPID=1),
    "tsc_scaling": header(tsc=(1 << 64) - 5000, mult=3 << 47) +
                   image(PROC_BASED_CONTROLS=P | SEC | TSCO,
                         SECONDARY_PROC_CONTROLS=1 << 25, TSC_OFFSET=77,
                         TSC_MULTIPLIER=5 << 46),
    "cr3_targets": header(cr3_targets=2) +
                   image(PROC_BASED_CONTROLS=P | CR3L, CR3_TARGET_COUNT=2,
                         CR3_TARGET_VALUE0=0x1000, CR3_TARGET_VALUE1=0x5000),
    "cr_masks": header() + image(CR0_GUEST_HOST_MASK=0x8, CR0_READ_SHADOW=0x8,
                                 CR4_GUEST_HOST_MASK=0x20, GUEST_CR4=0x20),
    "unbacked_pml": header(a1xor=(0, 0, 1 << 17, 0, 0)) +
                    image(PROC_BASED_CONTROLS=P | SEC,
                          SECONDARY_PROC_CONTROLS=1 << 17),
    "ple": header() + image(PROC_BASED_CONTROLS=P | SEC,
                            SECONDARY_PROC_CONTROLS=1 << 10, PLE_GAP=128,
                            PLE_WINDOW=4096),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
