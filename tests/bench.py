#!/usr/bin/env python3
"""`make bench`: boot the benchmark guest (tests/guests/bench.c) under Nestor
in Bochs and print its measurements as a table.

Bochs runs with `clock: sync=none`, where the TSC advances one tick per
emulated instruction (../shared/platform.md), so every figure is an
instruction count: exact and repeatable, not a wall-clock time. Nothing here
asserts a speed; it reports one."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
import runner  # noqa: E402

LABELS = {
    "empty": "measurement overhead (no instruction)",
    "cpuid": "CPUID (leaf 0) round trip",
    "in-0xf4": "intercepted I/O (IN from port 0xf4)",
    "rdmsr-0x3a": "intercepted RDMSR (IA32_FEATURE_CONTROL)",
    "vmcall-version": "VMCALL round trip (version hypercall)",
    "boot-to-guest": "GRUB hand-off to first guest instruction",
}


def image_size(elf):
    out = subprocess.run(["size", "-A", elf], capture_output=True, text=True,
                         check=True).stdout
    text = data = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            if parts[0] in (".text", ".rodata"):
                text += int(parts[1])
            elif parts[0] in (".data", ".bss"):
                data += int(parts[1])
    return text, data


def main():
    cpu = os.environ.get("BOCHS_CPU", "corei7_skylake_x")
    sc = runner.Scenario("bench", cpu=cpu,
                         modules=[("build/guests/bench.elf", "")],
                         expect=[r"^nestor: guest exited with status 0$"],
                         timeout=300)
    res = runner.run_scenario(sc)
    with open(res.serial_path, "rb") as f:
        serial = f.read().decode("utf-8", "replace").replace("\r", "")
    if not res.passed:
        runner.report(res)
        return 1
    rows = re.findall(r"^bench: (\S+) (\d+)(?: (\d+))?(?: ticks)?$", serial, re.M)
    if not rows:
        print("bench: the guest printed no measurements", file=sys.stderr)
        return 1
    print(f"Nestor benchmark, Bochs {cpu}, clock sync=none (1 TSC tick = 1 instruction)")
    print(f"{'measurement':48} {'min':>10} {'avg':>10}")
    for name, lo, avg in rows:
        print(f"{LABELS.get(name, name):48} {lo:>10} {avg or '':>10}")
    text, data = image_size(os.path.join(ROOT, "build", "nestor.elf"))
    print(f"{'Nestor text+rodata bytes':48} {text:>10}")
    print(f"{'Nestor data+bss bytes':48} {data:>10}")
    print(f"(serial log: {res.serial_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
