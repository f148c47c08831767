#!/usr/bin/env python3
"""The one writer of every bochsrc the project uses: system tests
(runner.py), `make bench` (through runner.py) and `make run`
(scripts/run.sh calls this file as a program).

Sound output is always the dummy driver: on a machine without a sound card
Debian's bochs-bin 2.7 aborts at start-up ("*** buffer overflow detected
***" in its sound mixer thread) before the serial file exists, and
`speaker: enabled=0` alone does not prevent it (../shared/platform.md).

Usage as a program:
  bochs_config.py OUT --iso ISO --cpu MODEL [--megs N] [--cpus N]
                  --serial-mode file|term --serial-dev DEV --log LOG
"""
import argparse
import sys

BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
VGA_BIOS = "/usr/share/vgabios/vgabios.bin"
SOUND = "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy"


def bochsrc_text(*, iso, cpu, serial_dev, log, megs=256, cpus=1,
                 serial_mode="file", extra=""):
    """The text of a bochsrc: headless (rfb), deterministic (clock sync=none:
    one TSC tick per instruction), booting `iso` from CD, COM1 to
    serial_dev."""
    return f"""megs: {megs}
cpu: model={cpu}, count={cpus}, ips=50000000
romimage: file={BOCHS_BIOS}
vgaromimage: file={VGA_BIOS}
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode={serial_mode}, dev={serial_dev}
display_library: rfb, options="timeout=0"
{SOUND}
speaker: enabled=0
log: {log}
clock: sync=none
error: action=ignore
panic: action=fatal
{extra}
"""


def write_bochsrc(path, **kw):
    with open(path, "w") as f:
        f.write(bochsrc_text(**kw))


# The debugger Debian's build has compiled in stops at the first
# instruction; this command file continues and quits at the end.
DEBUGGER_COMMANDS = "c\nquit\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="write a bochsrc")
    ap.add_argument("out")
    ap.add_argument("--iso", required=True)
    ap.add_argument("--cpu", required=True)
    ap.add_argument("--megs", type=int, default=256)
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--serial-mode", default="file", choices=["file", "term"])
    ap.add_argument("--serial-dev", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args(argv)
    write_bochsrc(a.out, iso=a.iso, cpu=a.cpu, megs=a.megs, cpus=a.cpus,
                  serial_mode=a.serial_mode, serial_dev=a.serial_dev, log=a.log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
