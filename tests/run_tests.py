#!/usr/bin/env python3
"""`make test` driver: runs the unit-test binaries (cmocka), a bounded run of
each fuzz target (libFuzzer), the runner's own tests (tests/selftest) and
the system scenarios, then prints one line "N passed, N failed, N skipped"
for the whole run, alone on the last line, and exits non-zero on any
failure. A skip is never counted as a pass.

Counting:
- unit: every cmocka test case once, as cmocka's summary reports it
  (passed, failed, or skipped by cmocka's skip()). A binary whose output has
  no complete summary ("[==========] N test(s) run." and "[  PASSED  ]"),
  whose summary does not add up, that exits non-zero without a failure in
  its summary (a crash or sanitizer abort), or that is still running after
  --unit-timeout seconds counts as one failure.
- fuzz: every target once: passed = exit status 0 and libFuzzer's closing
  "Done N runs" line within its time budget plus --fuzz-grace seconds.
- selftest: every test case of tests/selftest (Python unittest) once.
- system: every scenario once (tests/system/runner.py); a scenario whose
  prepare step says its inputs cannot be had here counts as skipped, and
  every guest test that a scenario allows to skip on its CPU model, and
  that did skip, counts as one skipped.
Every binary runs in its own process group, killed as a whole on timeout."""
import argparse
import io
import os
import re
import signal
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))

UNIT_TIMEOUT = 300     # seconds per unit-test binary (the slowest takes ~10)
FUZZ_GRACE = 120       # seconds past -max_total_time before a target is killed
OUTPUT_TAIL = 6000     # characters of a failing binary's output shown


def run_bounded(cmd, timeout, env=None):
    """Runs cmd in its own process group with stdout and stderr together;
    returns (returncode or None when it was killed for the timeout,
    output)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out.decode("utf-8", "replace")


def _sum(pattern, text):
    return sum(int(n) for n in re.findall(pattern, text, re.M))


def cmocka_counts(returncode, out):
    """Counts of one cmocka binary's run: (passed, failed, skipped, problem),
    problem being None or why the binary counts as one failure."""
    runs = re.findall(r"^\[==========\] (\d+) test\(s\) run\.$", out, re.M)
    passes = re.findall(r"^\[  PASSED  \] (\d+) test\(s\)\.$", out, re.M)
    if not runs or len(passes) != len(runs):
        if returncode is None:
            return 0, 1, 0, None
        return 0, 1, 0, (f"no complete cmocka summary (exit status {returncode})")
    ran = sum(int(n) for n in runs)
    passed = sum(int(n) for n in passes)
    skipped = _sum(r"^\[  SKIPPED \] (\d+) test\(s\), listed below:$", out)
    failed_listed = _sum(r"^\[  FAILED  \] (\d+) test\(s\), listed below:$", out)
    failed = ran - passed - skipped   # cmocka's errors (setup) count here too
    if failed < 0 or failed < failed_listed:
        return 0, 1, 0, (f"cmocka's summary does not add up ({ran} run, {passed} "
                         f"passed, {skipped} skipped, {failed_listed} failed)")
    if returncode != 0 and failed == 0:
        return passed, 1, skipped, (f"exit status {returncode} after a summary "
                                    "without failures (crash or sanitizer abort?)")
    return passed, failed, skipped, None


def report(kind, name, counts, status, detail="", out_text=None):
    passed, failed, skipped = counts
    print(f"[{status}] {kind}/{name}: {passed} passed, {failed} failed, "
          f"{skipped} skipped{detail}")
    if out_text is not None:
        tail = out_text[-OUTPUT_TAIL:].rstrip("\n") or "(no output at all)"
        print("    " + tail.replace("\n", "\n    "))


def run_unit(binary, timeout=UNIT_TIMEOUT):
    name = os.path.basename(binary)
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="STDOUT")
    env.pop("CMOCKA_TEST_ABORT", None)
    rc, out = run_bounded([binary], timeout, env)
    passed, failed, skipped, problem = cmocka_counts(rc, out)
    if rc is None:
        problem = f"still running after {timeout} s (killed): a hang?"
    detail = f" ({problem})" if problem else ""
    names = re.findall(r"^\[  SKIPPED \] (\w+)$", out, re.M)
    if names and not failed:
        detail += f"; skipped: {', '.join(names)}"
    report("unit", name, (passed, failed, skipped), "FAIL" if failed else "PASS",
           detail, out if failed else None)
    return passed, failed, skipped


def run_fuzz(binary, seconds, grace=FUZZ_GRACE):
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
    rc, out = run_bounded(cmd, seconds + grace)
    runs = re.findall(r"^Done (\d+) runs in \d+ second", out, re.M)
    if rc is None:
        why = f"still running {grace} s after its {seconds} s budget (killed)"
    elif rc != 0:
        why = f"exit status {rc}"
    elif not runs:
        why = "exit status 0 without libFuzzer's closing 'Done N runs' line"
    else:
        why = None
    if why:
        report("fuzz", name, (0, 1, 0), "FAIL", f" ({why})", out)
        return 0, 1, 0
    print(f"[PASS] fuzz/{name}: {runs[-1]} runs in {seconds} s")
    return 1, 0, 0


def run_selftest():
    """The runner's own tests (tests/selftest), each test case counted."""
    start = os.path.join(ROOT, "tests", "selftest")
    suite = unittest.defaultTestLoader.discover(start, pattern="test_*.py",
                                                top_level_dir=start)
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
    # A test case counts once, however many of its subtests failed.
    failed = len({getattr(t, "test_case", t).id() for t, _ in
                  result.failures + result.errors} |
                 {t.id() for t in result.unexpectedSuccesses})
    skipped = len({t.id() for t, _ in result.skipped} - {None})
    passed = result.testsRun - failed - skipped
    if result.testsRun == 0:
        failed = 1  # nothing found: the selftest itself is missing
    report("selftest", "tests/selftest", (passed, failed, skipped),
           "FAIL" if failed else "PASS", "",
           stream.getvalue() if failed else None)
    return passed, failed, skipped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["unit", "fuzz", "selftest", "system"])
    ap.add_argument("--fuzz-time", type=int, default=15)
    ap.add_argument("--fuzz-grace", type=int, default=FUZZ_GRACE)
    ap.add_argument("--unit-timeout", type=int, default=UNIT_TIMEOUT)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("binaries", nargs="*")
    args = ap.parse_args()

    total = [0, 0, 0]

    def add(counts):
        for i in range(3):
            total[i] += counts[i]

    if args.only in (None, "unit"):
        for b in args.binaries:
            if os.path.basename(b).startswith("test_"):
                add(run_unit(b, args.unit_timeout))
    if args.only in (None, "fuzz"):
        for b in args.binaries:
            if os.path.basename(b).startswith("fuzz_"):
                add(run_fuzz(b, args.fuzz_time, args.fuzz_grace))
    if args.only in (None, "selftest"):
        add(run_selftest())
    if args.only in (None, "system"):
        import runner
        add(runner.run_all(jobs=args.jobs))
    sys.stdout.flush()
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
