#!/usr/bin/env python3
"""`make test` driver: runs the unit-test binaries (cmocka), a bounded run of
each fuzz target (libFuzzer) and the system scenarios, then prints one line
"N passed, N failed" for the whole run and exits non-zero on any failure.

Counting: every cmocka test case counts once; every fuzz target counts once
(pass = no crash or sanitizer report in its time budget); every system
scenario counts once. A binary that dies without cmocka's summary counts as
one failure."""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))


def run_unit(binary):
    name = os.path.basename(binary)
    proc = subprocess.run([binary], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    out = proc.stdout
    passed = sum(int(n) for n in re.findall(r"^\[  PASSED  \] (\d+) test", out, re.M))
    failed = sum(int(n) for n in re.findall(r"^\[  FAILED  \] (\d+) test", out, re.M))
    if proc.returncode != 0 and failed == 0:
        failed = 1  # crashed or sanitizer abort before the summary
    status = "PASS" if failed == 0 else "FAIL"
    print(f"[{status}] unit/{name}: {passed} passed, {failed} failed")
    if failed:
        print("    " + out.replace("\n", "\n    ")[-6000:])
    return passed, failed


def run_fuzz(binary, seconds):
    name = os.path.basename(binary)
    work = os.path.join(BUILD, "fuzz", f"{name}.corpus")
    os.makedirs(work, exist_ok=True)
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus_" + name[len("fuzz_"):])
    cmd = [binary, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
           f"-artifact_prefix={os.path.join(BUILD, 'fuzz', name)}-", work]
    if os.path.isdir(seeds):
        cmd.append(seeds)  # read-only seeds: new inputs go to `work`
    dict_path = os.path.join(ROOT, "tests", "fuzz", name + ".dict")
    if os.path.exists(dict_path):
        cmd.insert(1, f"-dict={dict_path}")
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    ok = proc.returncode == 0
    runs = re.findall(r"Done (\d+) runs", proc.stdout)
    print(f"[{'PASS' if ok else 'FAIL'}] fuzz/{name}: {runs[-1] if runs else '?'} runs"
          f" in {seconds} s")
    if not ok:
        print("    " + proc.stdout.replace("\n", "\n    ")[-6000:])
    return (1, 0) if ok else (0, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["unit", "fuzz", "system"])
    ap.add_argument("--fuzz-time", type=int, default=15)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("binaries", nargs="*")
    args = ap.parse_args()

    passed = failed = 0

    def add(pf):
        nonlocal passed, failed
        passed += pf[0]
        failed += pf[1]

    if args.only in (None, "unit"):
        for b in args.binaries:
            if os.path.basename(b).startswith("test_"):
                add(run_unit(b))
    if args.only in (None, "fuzz"):
        for b in args.binaries:
            if os.path.basename(b).startswith("fuzz_"):
                add(run_fuzz(b, args.fuzz_time))
    if args.only in (None, "system"):
        import runner
        add(runner.run_all(jobs=args.jobs))
    sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
