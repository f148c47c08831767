#!/usr/bin/env python3
"""Writes seed inputs for fuzz_uart16550 into tests/fuzz/corpus_uart16550/.

Layout (see tests/fuzz/fuzz_uart16550.c): operations, each a kind byte
then its operands:
  0 guest read: u8 offset      1 guest write: u8 offset, u8 value
  2 host rx: u8 byte           3 host tx take
  4 rx idle                    5 host lines: u8 inputs
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_uart16550")
IER, IIR, FCR, LCR, MCR, LSR, MSR, SCR = 1, 2, 2, 3, 4, 5, 6, 7


def r(off):
    return bytes([0, off])


def w(off, val):
    return bytes([1, off, val])


def rx(data):
    return b"".join(bytes([2, c]) for c in data)


TAKE = b"\x03"
IDLE = b"\x04"


def lines(v):
    return bytes([5, v])


# Linux's autoconfig(): IER test, loopback test, FIFO test, 16550A checks.
LINUX_PROBE = (r(IER) + w(IER, 0) + r(IER) + w(IER, 0x0f) + r(IER) + w(IER, 0)
               + r(MCR) + r(LCR) + w(MCR, 0x1a) + r(MSR) + w(MCR, 0)
               + w(LCR, 0xbf) + w(FCR, 0) + w(LCR, 0) + w(FCR, 1) + r(IIR)
               + w(LCR, 0x80) + r(IIR) + w(LCR, 0xbf) + r(IIR)
               + w(LCR, 0) + w(FCR, 0x21) + r(IIR) + w(FCR, 1)
               + w(FCR, 7) + w(MCR, 0x10) + w(LCR, 0x80) + w(0, 1) + w(1, 0)
               + w(LCR, 3) + b"".join(w(0, i) for i in range(20))
               + b"".join(r(LSR) + r(0) for i in range(17))
               + w(MCR, 0) + w(FCR, 0) + r(0) + w(IER, 0))

SEEDS = {
    "linux_probe": LINUX_PROBE,
    "polling_tx": w(LCR, 3) + b"".join(r(LSR) + w(0, c) for c in b"hello\n")
                  + TAKE * 7 + r(LSR),
    "irq_rx": w(FCR, 0xc1) + w(MCR, 0x0b) + w(IER, 0x0f) + r(IIR)
              + rx(b"abc") + IDLE + r(IIR) + r(0) + rx(bytes(20)) + r(IIR)
              + r(LSR) + r(IIR) + r(0) * 3,
    "thre_msr": w(MCR, 0x08) + w(IER, 0x0a) + r(IIR) + w(0, 0x41) + TAKE
                + r(IIR) + lines(0x10) + r(IIR) + r(MSR) + r(IIR),
    "dlab_scratch": w(LCR, 0x83) + w(0, 0x0c) + w(1, 0) + r(0) + r(1)
                    + w(LCR, 3) + w(SCR, 0xa5) + r(SCR) + r(8) + w(9, 1),
    "fifo_off_overrun": w(IER, 0x05) + rx(b"xy") + r(IIR) + r(LSR) + r(0)
                        + w(FCR, 1) + rx(bytes(17)) + w(FCR, 0x46) + w(FCR, 0),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
