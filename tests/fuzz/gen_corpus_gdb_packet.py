#!/usr/bin/env python3
"""Writes seed inputs for fuzz_gdb_packet into tests/fuzz/corpus_gdb_packet/.

Each seed is what a serial line from GDB might carry (framed packets,
acks, Ctrl-C); fuzz_gdb_packet.c also decodes the whole input as one
payload, which the last seed is.
"""
import os


def frame(payload):
    return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)


SEEDS = {
    # What GDB 13 sends first.
    "qsupported": frame(b"qSupported:multiprocess+;swbreak+;hwbreak+;"
                        b"qRelocInsn+;fork-events+;vfork-events+;exec-events+;"
                        b"vContSupported+;QThreadEvents+;no-resumed+;"
                        b"memory-tagging+;xmlRegisters=i386"),
    "session": b"+" + frame(b"qXfer:features:read:target.xml:0,ffb") + b"+"
    + frame(b"?") + frame(b"Hg0") + frame(b"g") + b"-" + frame(b"qAttached")
    + frame(b"qC") + frame(b"qfThreadInfo") + frame(b"qsThreadInfo"),
    "memory": frame(b"mffffffff81000000,40") + frame(b"M1000,4:deadbeef")
    + frame(b"m0,800"),
    "registers": frame(b"p10") + frame(b"P10=efbeadde00000000")
    + frame(b"G" + b"00" * 292),
    "resume": frame(b"vCont?") + frame(b"vCont;s:1;c") + frame(b"vCont;C05:-1")
    + frame(b"c") + frame(b"s1000") + b"\x03",
    "breakpoints": frame(b"Z0,ffffffff81000000,1")
    + frame(b"z0,ffffffff81000000,1") + frame(b"Z1,1000,1")
    + frame(b"z1,1000,1"),
    "monitor": frame(b"qRcmd," + b"level 2".hex().encode())
    + frame(b"qRcmd," + b"help".hex().encode()) + frame(b"k") + frame(b"D"),
    "escapes_rle": frame(b"}\x03}]0* x*~") + b"$a}#00$0*#5a",
    "bad_checksum": b"$g#00$m1,1#zz$qC",
    "payload_only": b"qXfer:features:read:target.xml:7ff,100",
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "corpus_gdb_packet")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
