#!/usr/bin/env python3
"""Writes seed inputs for fuzz_vmx_insn into tests/fuzz/corpus_vmx_insn/.

Layout: struct input in tests/fuzz/fuzz_vmx_insn.c (15 u64, 8 u64 capability
MSRs, 5 u32, 6 u8, little-endian, no padding before the u8s). The
capability values are corei7_skylake_x's (../shared/platform.md).
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_vmx_insn")
FMT = "<" + "Q" * 15 + "Q" * 8 + "I" * 5 + "B" * 6
U64 = ["cr0", "cr4", "rflags", "efer", "fc", "f0", "f1", "f4_0", "f4_1",
       "ptr", "vmxon", "current", "val", "la", "ea"]
SKYLAKE = [0x00d810000000002b, 0x0000007f00000016, 0xf7f9fffe0401e172,
           0x007fffff00036dff, 0x0000ffff000011ff, 0x00000000600401e0,
           0x02177fff00000000, 0x00000f0106334141]


def seed(name, **kw):
    v = dict(cr0=0x80000031, cr4=0x2020, rflags=2, efer=0x500, fc=5,
             f0=0x80000021, f1=0xffffffff, f4_0=0x2000, f4_1=0x3767ff,
             ptr=0x100000, vmxon=0x200000, current=2**64 - 1, val=0x1234,
             la=0x1000, ea=0x1000, caps=SKYLAKE, enc=0x4400, ar=0x93,
             limit=0xffff, rev=0x2b, rev2=0x2b, insn=0, cpl=0, flags=0xff,
             seg=3, size=3, width=0)
    v.update(kw)
    b = struct.pack(FMT, *[v[k] for k in U64], *v["caps"], v["enc"], v["ar"],
                    v["limit"], v["rev"], v["rev2"], v["insn"], v["cpl"],
                    v["flags"], v["seg"], v["size"], v["width"])
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b)


os.makedirs(OUT, exist_ok=True)
seed("vmxon_skylake")
seed("vmread_guest_rip", insn=5, enc=0x681e, current=0x300000)
seed("vmwrite_high_half", insn=6, enc=0x2001, current=0x300000,
     val=0xdeadbeefcafef00d)
seed("noncanonical_ss", seg=2, la=0x0000800000000000)
seed("cpl3_invvpid", insn=10, cpl=3)
