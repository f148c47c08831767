#!/usr/bin/env python3
"""Writes seed inputs for fuzz_events into tests/fuzz/corpus_events/.

Layout (see tests/fuzz/fuzz_events.c): operations, each a kind byte then
its operands, little-endian:
  0 exception: u8 vector, u8 flags (bit 0 error code, bit 1 payload),
    u32 error code, u64 payload
  1 NMI
  2 software exception: u8 type, u8 vector, u8 length
  3 re-inject: u32 IDT-vectoring information, u32 error code, u8 length
  4 pop: u8 open mask (bit 0 NMI, bit 1 interrupt)
  5 take the exception
  6 peek
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_events")
VALID = 1 << 31
ERRV = 1 << 11


def exc(vector, err=None, payload=None):
    flags = (1 if err is not None else 0) | (2 if payload is not None else 0)
    return struct.pack("<BBBIQ", 0, vector, flags, err or 0, payload or 0)


def nmi():
    return b"\x01"


def soft(typ, vector, length):
    return struct.pack("<BBBB", 2, typ, vector, length)


def reinject(typ, vector, err=None, length=0):
    info = VALID | (typ << 8) | vector | (ERRV if err is not None else 0)
    return struct.pack("<BIIB", 3, info, err or 0, length)


def pop(open_mask=3):
    return struct.pack("<BB", 4, open_mask)


TAKE = b"\x05"
PEEK = b"\x06"

SEEDS = {
    "pf_then_gp_df": exc(14, 2, 0x1000) + exc(13, 0) + pop(),
    "df_then_pf_triple": exc(8, 0) + exc(14, 0, 0x2000) + pop() + pop(),
    "contrib_pair": exc(0) + exc(11, 0x18) + PEEK + pop(),
    "benign_serial": exc(1, None, 0x4000) + exc(14, 6, 0xdead000) + TAKE,
    "intr_then_pf": reinject(0, 0x31) + exc(14, 0, 0xfee00000) + pop(0)
                    + pop(0) + pop(2),
    "nmi_then_gp": reinject(2, 2) + exc(13, 0) + nmi() + nmi() + pop(0)
                   + pop(1) + pop(2) + pop(1),
    "reinject_pf_gp": reinject(3, 14, 2) + exc(13, 0) + pop(),
    "int_n_then_gp": reinject(4, 0x80, None, 2) + exc(13, 0x42) + pop(),
    "bp_reflect": soft(6, 3, 1) + exc(14, 0, 0x3000) + TAKE + pop(),
    "hostile": exc(0xff, 1, 1) + reinject(3, 0x99) + soft(3, 1, 1)
               + reinject(7, 0xff, 0xffffffff) + reinject(2, 0x55, 5) + pop(),
    "many_intrs": b"".join(reinject(0, v) + exc(6) for v in (0, 0x40, 0xff))
                  + pop(0) + pop(2) + pop(2) + pop(2) + pop(2),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
