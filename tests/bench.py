#!/usr/bin/env python3
"""`make bench`: boot the benchmark guest (tests/guests/bench.c) under Nestor
in Bochs and print its measurements as a table: once with Nestor's default
options, once with guest_maxphyaddr=36 (a guest physical-address width
below the host's, which costs Nestor the page faults it must inspect), side
by side, then the guest #PF round trip of both runs in one line.

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
    "catch-only": "rt_catch() without a fault (#PF baseline)",
    "pf-protection": "guest #PF round trip (write to read-only page)",
    "pf-not-present": "guest #PF round trip (read of not-present page)",
    "boot-to-guest": "GRUB hand-off to first guest instruction",
    "vmread-guest-rip": "L1 VMREAD of a shadowed field (GUEST_RIP)",
    "vmwrite-guest-rip": "L1 VMWRITE of a shadowed field (GUEST_RIP)",
    "vmread-io-bitmap-a": "L1 VMREAD, emulated (IO_BITMAP_A)",
    "vmwrite-io-bitmap-a": "L1 VMWRITE, emulated (IO_BITMAP_A)",
}
for _op, _what in (("cpuid", "CPUID"), ("in-0xf4", "I/O"),
                   ("rdmsr-0x3a", "RDMSR"), ("vmcall-version", "VMCALL"),
                   ("vmread-io-bitmap-a", "emulated VMREAD"),
                   ("vmwrite-io-bitmap-a", "emulated VMWRITE")):
    LABELS[f"vmreads-{_op}"] = f"  VMREADs per {_what} exit"
    LABELS[f"vmwrites-{_op}"] = f"  VMWRITEs per {_what} exit"


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


# The second run: Nestor's option and the figure compared across runs.
REDUCED_OPTION = "guest_maxphyaddr=36"
PF_ROW = "pf-protection"


def run_bench(cpu, name, cmdline):
    """Boots the bench guest; returns ({name: (min, avg)}, serial path) or
    (None, serial path) after reporting a failed run."""
    sc = runner.Scenario(name, cpu=cpu, cmdline=cmdline,
                         modules=[("build/guests/bench.elf", "")],
                         expect=[r"^nestor: guest exited with status 0$"],
                         timeout=300)
    res = runner.run_scenario(sc)
    if not res.passed:
        runner.report(res)
        return None, res.serial_path
    with open(res.serial_path, "rb") as f:
        serial = f.read().decode("utf-8", "replace").replace("\r", "")
    rows = re.findall(r"^bench: (\S+) (\d+)(?: (\d+))?(?: ticks)?$", serial, re.M)
    if not rows:
        print(f"bench: {name}: the guest printed no measurements", file=sys.stderr)
        return None, res.serial_path
    return {n: (lo, avg) for n, lo, avg in rows}, res.serial_path


def main():
    cpu = os.environ.get("BOCHS_CPU", "corei7_skylake_x")
    default, default_log = run_bench(cpu, "bench", "")
    reduced, reduced_log = run_bench(cpu, "bench-maxphyaddr36", REDUCED_OPTION)
    if default is None:
        return 1
    print(f"Nestor benchmark, Bochs {cpu}, clock sync=none (1 TSC tick = 1 instruction)")
    print(f"{'measurement':48} {'min':>10} {'avg':>10} {'avg, ' + REDUCED_OPTION:>28}")
    for name, (lo, avg) in default.items():
        if reduced is None:
            other = "(run failed)"
        else:
            r_lo, r_avg = reduced.get(name, ("", ""))
            other = r_avg or r_lo
        print(f"{LABELS.get(name, name):48} {lo:>10} {avg or '':>10} {other or '':>28}")
    text, data = image_size(os.path.join(ROOT, "build", "nestor.elf"))
    print(f"{'Nestor text+rodata bytes':48} {text:>10}")
    print(f"{'Nestor data+bss bytes':48} {data:>10}")
    if reduced is not None and PF_ROW in default and PF_ROW in reduced:
        print(f"guest #PF round trip: default {default[PF_ROW][1]} ticks, "
              f"{REDUCED_OPTION} {reduced[PF_ROW][1]} ticks")
    print(f"(serial logs: {default_log}, {reduced_log})")
    return 0 if reduced is not None else 1


if __name__ == "__main__":
    sys.exit(main())
