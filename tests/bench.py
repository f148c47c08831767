#!/usr/bin/env python3
"""`make bench`: boot the benchmark guest (tests/guests/bench.c) under Nestor
in Bochs and print its measurements as a table: once with Nestor's default
options, once with guest_maxphyaddr=36 (a guest physical-address width
below the host's, which costs Nestor the page faults it must inspect), side
by side, then the guest #PF round trip of both runs in one line.

Then the nested figures (issue 14 item 10): the nested benchmark guest
(tests/guests/nested_bench.c), an L1 VMM whose L2 times its CPUID round
trip through L1's exit handler, bare on Bochs (Bochs is L0) and under
Nestor on a model with VMCS shadowing (corei7_skylake_x) and on one
without (corei7_sandy_bridge_2600k): the round trip, its ratio to bare
(the nesting tax), Nestor's exits per reflected L2 exit and the
instructions Nestor spends per round trip.

Bochs runs with `clock: sync=none`, where the TSC advances one tick per
emulated instruction (../shared/platform.md), so every figure is an
instruction count: exact and repeatable, not a wall-clock time. Nothing here
asserts a speed; it reports one."""
import os
import concurrent.futures
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


def run_serial(sc):
    """Runs scenario sc; returns (its serial output, its path), or (None,
    path) after reporting a failed run."""
    res = runner.run_scenario(sc)
    if not res.passed:
        runner.report(res)
        return None, res.serial_path
    with open(res.serial_path, "rb") as f:
        return f.read().decode("utf-8", "replace").replace("\r", ""), res.serial_path


def run_bench(cpu, name, cmdline):
    """Boots the bench guest; returns ({name: (min, avg)}, serial path) or
    (None, serial path) after reporting a failed run."""
    sc = runner.Scenario(name, cpu=cpu, cmdline=cmdline,
                         modules=[("build/guests/bench.elf", "")],
                         expect=[r"^nestor: guest exited with status 0$"],
                         timeout=300)
    serial, log = run_serial(sc)
    if serial is None:
        return None, log
    rows = re.findall(r"^bench: (\S+) (\d+)(?: (\d+))?(?: ticks)?$", serial, re.M)
    if not rows:
        print(f"bench: {name}: the guest printed no measurements", file=sys.stderr)
        return None, log
    return {n: (lo, avg) for n, lo, avg in rows}, log


NESTED_GUEST = "build/guests/nested-bench.elf"
NESTED_PREFIX = "nested-bench"
# The model with VMCS shadowing and the one without (../shared/platform.md:
# Sandy Bridge's secondary controls have no bit 14). Nestor has no option
# that turns its use of shadowing off, so the models decide.
SHADOW_CPU = "corei7_skylake_x"
NO_SHADOW_CPU = "corei7_sandy_bridge_2600k"
# Issue 14 item 10's goal, printed beside the figure, never asserted.
NESTED_GOAL = 2000


def exit_reason_names():
    """{number: description} from vmx/exit_reasons.h's X-macro."""
    with open(os.path.join(ROOT, "vmx", "exit_reasons.h")) as f:
        text = f.read()
    return {int(n): d for n, d in
            re.findall(r'X\((\d+),\s*\w+,\s*"([^"]*)"\)', text)}


def run_nested(cpu, bare):
    """Boots the nested bench guest, bare (GRUB starts it, Bochs is L0) or
    as Nestor's guest; returns (figures or None, serial path). Figures:
    {"empty": (min, avg), "cpuid": (min, avg), "exits": n, "reasons":
    {nr: n}, "vmreads": n, "vmwrites": n, "per": round trips}."""
    name = f"bench-nested-{'bare' if bare else 'nestor'}-{cpu}"
    if bare:
        sc = runner.Scenario(name, cpu=cpu, kernel=NESTED_GUEST,
                             expect=[rf"^{NESTED_PREFIX}: exit status 0 via port 0xf4$"],
                             timeout=300)
    else:
        sc = runner.Scenario(name, cpu=cpu, cmdline="nested=on",
                             modules=[(NESTED_GUEST, "")],
                             expect=[r"^nestor: guest exited with status 0$"],
                             timeout=300)
    serial, log = run_serial(sc)
    if serial is None:
        return None, log
    p = re.escape(NESTED_PREFIX)
    fig = {"reasons": {}}
    for what, lo, avg in re.findall(rf"^{p}: l2-(empty|cpuid) (\d+) (\d+) ticks$",
                                    serial, re.M):
        fig[what] = (int(lo), int(avg))
    for what, n, per in re.findall(rf"^{p}: l0-(exits|vmreads|vmwrites) (\d+) per (\d+)$",
                                   serial, re.M):
        fig[what] = int(n)
        fig["per"] = int(per)
    for nr, n, _ in re.findall(rf"^{p}: l0-exit-reason (\d+) (\d+) per (\d+)$",
                               serial, re.M):
        fig["reasons"][int(nr)] = int(n)
    if "empty" not in fig or "cpuid" not in fig or (not bare and "exits" not in fig):
        print(f"bench: {name}: the nested bench guest printed no measurements",
              file=sys.stderr)
        return None, log
    return fig, log


def round_trip(fig):
    """L2's CPUID round trip, the measurement's own cost taken out (the
    two timed sequences differ by the CPUID alone)."""
    return fig["cpuid"][1] - fig["empty"][1]


def print_nested(runs):
    """runs: {(cpu, bare): figures or None}."""
    bare_s, bare_n = runs[(SHADOW_CPU, True)], runs[(NO_SHADOW_CPU, True)]
    cols = [("bare Bochs", bare_s, None),
            ("Nestor, shadowing", runs[(SHADOW_CPU, False)], bare_s),
            ("Nestor, no shadowing", runs[(NO_SHADOW_CPU, False)], bare_n)]
    per = next((f["per"] for _, f, _ in cols if f and "per" in f), None)
    names = exit_reason_names()

    def row(label, cell, note=""):
        vals = []
        for _, fig, bare in cols:
            v = "(run failed)" if fig is None else cell(fig, bare)
            vals.append("" if v is None else str(v))
        print(f"{label:48} {vals[0]:>12} {vals[1]:>20} {vals[2]:>22}{note}")

    print()
    print(f"Nested VMX: L2's CPUID (leaf 0) round trip through L1's exit handler "
          f"(tests/guests/nested_bench.c, {per or '?'} round trips; instructions seen by L2)")
    print(f"{'measurement':48} {cols[0][0]:>12} {cols[1][0]:>20} {cols[2][0]:>22}")
    print(f"{'  Bochs model':48} {'skylake_x':>12} {'skylake_x':>20} {'sandy_bridge_2600k':>22}")
    row("measurement overhead (no instruction)", lambda f, b: f["empty"][1])
    row("L2 CPUID round trip", lambda f, b: round_trip(f))
    row("  nesting tax (ratio to bare)",
        lambda f, b: None if b is None else
        f"{round_trip(f) / max(round_trip(b), 1):.0f}x")
    row("L0 exits per reflected L2 exit",
        lambda f, b: None if b is None else f"{f['exits'] / f['per']:g}")
    reasons = sorted({nr for _, f, b in cols if f and b is not None
                      for nr in f["reasons"]})
    for nr in reasons:
        row(f"  {names.get(nr, f'reason {nr}')} exits",
            lambda f, b, nr=nr: None if b is None else
            f"{f['reasons'].get(nr, 0) / f['per']:g}")
    row("Nestor instructions per round trip",
        lambda f, b: None if b is None else round_trip(f) - round_trip(b),
        f"   (goal with shadowing: under {NESTED_GOAL:,}; not asserted)")
    row("  Nestor VMREADs per round trip",
        lambda f, b: None if b is None else f"{f['vmreads'] / f['per']:g}")
    row("  Nestor VMWRITEs per round trip",
        lambda f, b: None if b is None else f"{f['vmwrites'] / f['per']:g}")
    if bare_s and bare_n and round_trip(bare_s) != round_trip(bare_n):
        print(f"(bare Sandy Bridge round trip: {round_trip(bare_n)}, the "
              f"baseline of the no-shadowing column)")
    print("Nestor instructions per round trip = the round trip under Nestor less "
          "the bare one on the same model:\nL1 and L2 execute the same "
          "instructions in both runs and Bochs counts every instruction once, so "
          "the\ndifference is what Nestor executes per round trip (exit stub, "
          "handlers, its VMREADs/VMWRITEs,\nVM entries). Exits and VMREADs/VMWRITEs "
          "are Nestor's counters (hypercalls 0x4e03, 0x4e07) around\nthe run with "
          "CPUIDs less the same run without; the handler ticks of loglevel=debug "
          "are not used\n(they leave out vmexit.asm and the VM entry, and the timing "
          "costs instructions of its own).")


def nested_runs():
    keys = [(SHADOW_CPU, True), (SHADOW_CPU, False),
            (NO_SHADOW_CPU, True), (NO_SHADOW_CPU, False)]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda k: run_nested(*k), keys))
    return ({k: fig for k, (fig, _) in zip(keys, results)},
            [log for _, log in results])


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
    nested, nested_logs = nested_runs()
    print_nested(nested)
    print(f"(serial logs: {', '.join(nested_logs)})")
    ok = reduced is not None and all(f is not None for f in nested.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
