#!/usr/bin/env python3
"""Writes seed inputs for fuzz_reflect into tests/fuzz/corpus_reflect/.

Layout (read field by field in tests/fuzz/fuzz_reflect.c, little-endian):
u32 reason, u8 flags (bit 0 raw reason, 1 64-bit mode, 2 L1's timer expired,
5:3 failing bitmaps IO_A/IO_B/MSR, 7:6 EPT owner), u64 qualification,
u32 interruption info, u32 its error code, u32 instruction info,
16 x u64 GPRs, u64 IA32_XSS, u8 CPL, then the vmcs12: u32 pin, u32 proc,
u32 proc2, u64 proc3, u32 exception bitmap, u32 PFEC mask, u32 PFEC match,
u8 CR3-target count, u64 CR0 mask, CR4 mask, CR0 shadow, CR4 shadow,
4 x u64 CR3-target values, u64 XSS-exiting bitmap, ENCLS-exiting bitmap,
VM-function controls, the IO_A, IO_B, MSR, VMREAD, VMWRITE bitmap
addresses; the rest is bitmap content (byte `offset` of bitmap `which` is
tail[(which * 4096 + offset) % len(tail)]).
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_reflect")
SECONDARY = 1 << 31


def seed(name, reason, flags=2, qual=0, info=0, err=0, insn=0, gpr=None,
         xss=0, cpl=0, pin=0, proc=0, proc2=0, proc3=0, exc=0, pfmask=0,
         pfmatch=0, cr3n=0, cr0m=0, cr4m=0, cr0s=0, cr4s=0, cr3t=(0, 0, 0, 0),
         xssbm=0, enclsbm=0, vmfunc=0, pages=(0x11000, 0x12000, 0x13000,
                                             0x14000, 0x15000), tail=b""):
    gpr = list(gpr or [0] * 16)
    b = struct.pack("<IBQIII", reason, flags, qual, info, err, insn)
    b += struct.pack("<16Q", *gpr)
    b += struct.pack("<QB", xss, cpl)
    b += struct.pack("<IIIQIIIB", pin, proc, proc2, proc3, exc, pfmask,
                     pfmatch, cr3n)
    b += struct.pack("<4Q", cr0m, cr4m, cr0s, cr4s)
    b += struct.pack("<4Q", *cr3t)
    b += struct.pack("<3Q", xssbm, enclsbm, vmfunc)
    b += struct.pack("<5Q", *pages)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b + tail)


os.makedirs(OUT, exist_ok=True)
seed("cpuid", 10)
seed("hlt_exiting", 12, proc=1 << 7)
seed("pf_pfec", 0, info=(1 << 31) | (3 << 8) | 14, err=0x6, exc=1 << 14,
     pfmask=0x6, pfmatch=0x6)
seed("nmi_exiting", 0, info=(1 << 31) | (2 << 8) | 2, pin=1 << 3)
seed("cr0_write", 28, qual=0 | (1 << 8), gpr=[0, 0x80000011] + [0] * 14,
     cr0m=0x80000001, cr0s=0x80000001)
seed("cr3_targets", 28, qual=3 | (6 << 8), gpr=[0] * 6 + [0x1000] + [0] * 9,
     proc=1 << 15, cr3n=2, cr3t=(0x2000, 0x1000, 0, 0))
seed("lmsw", 28, qual=(3 << 4) | (0x9 << 16), cr0m=0xf, cr0s=0x1)
seed("io_bitmap_wrap", 30, qual=3 | (0xfffe << 16), proc=1 << 25,
     tail=bytes(8192))
seed("io_bitmap_b", 30, qual=1 | (0x8070 << 16), proc=1 << 25,
     tail=bytes(4096) + bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
seed("rdmsr_high", 31, gpr=[0, 0xc0000080] + [0] * 14, proc=1 << 28,
     tail=bytes(2 * 4096) + bytes(1040) + b"\x01")
seed("wrmsr_outside", 32, gpr=[0, 0x40000000] + [0] * 14, proc=1 << 28)
seed("vmread_shadowing", 23, insn=2 << 28, gpr=[0, 0, 0x681e] + [0] * 13,
     proc=SECONDARY, proc2=1 << 14, tail=b"\xff" * 64)
seed("xsaves", 63, gpr=[0, 0, 1 << 8] + [0] * 13, xss=1 << 40,
     proc=SECONDARY, proc2=1 << 20, xssbm=1 << 40)
seed("ept_l1", 48, flags=2 | (1 << 6), proc=SECONDARY, proc2=1 << 1)
seed("pause_loop", 40, proc=SECONDARY, proc2=1 << 10)
seed("vmfunc", 59, proc=SECONDARY, proc2=1 << 13, vmfunc=1)
seed("raw_entry_failure", 0x80000021, flags=3)
