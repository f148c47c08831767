"""Tests of tests/run_tests.py (`make test`'s driver), run as `make test`
runs it, against binaries that misbehave on purpose (tests/selftest/fakes):
one that prints nothing, one that hangs, real cmocka binaries that skip and
fail, a summary followed by a crash, a summary that does not add up, and
fuzz targets that print nothing, hang or end well. Each case checks the
per-binary verdict, the closing line "N passed, N failed, N skipped" (alone
on the last line) and the exit status."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FAKES = os.path.join(HERE, "fakes")
RUN_TESTS = os.path.join(ROOT, "tests", "run_tests.py")
CLOSING = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$")

# How long one run_tests.py call may take before this test gives up on it
# (a runner that does not bound a hanging binary would wait for ever).
CALL_LIMIT = 60


class RunTestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nestor-selftest-")
        cls.bin = os.path.join(cls.tmp, "bin")
        os.makedirs(cls.bin)
        src = os.path.join(FAKES, "cmocka_mixed.c")
        for name, extra in (("test_skips", []), ("test_fails", ["-DWITH_FAILURE"])):
            subprocess.run(["gcc", "-std=gnu11", "-o", os.path.join(cls.bin, name), src]
                           + extra + ["-lcmocka"], check=True)
        # run_tests.py tells unit tests and fuzz targets apart by name.
        for fake, name in (("silent.sh", "test_silent"), ("hang.sh", "test_hang"),
                           ("summary_then_crash.sh", "test_leaks"),
                           ("short_summary.sh", "test_short"),
                           ("silent.sh", "fuzz_silent"), ("hang.sh", "fuzz_hang"),
                           ("fuzz_done.sh", "fuzz_done")):
            os.symlink(os.path.join(FAKES, fake), os.path.join(cls.bin, name))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_tests(self, *args, pid_file=None):
        """Runs run_tests.py; returns (exit status, output lines)."""
        env = dict(os.environ, BUILD=os.path.join(self.tmp, "build"))
        if pid_file:
            env["SELFTEST_PID_FILE"] = pid_file
        proc = subprocess.Popen([sys.executable, RUN_TESTS] + list(args), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=CALL_LIMIT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            self.fail(f"run_tests.py {' '.join(args)} still running after "
                      f"{CALL_LIMIT} s: it does not bound a hanging binary")
        return proc.returncode, out.decode("utf-8", "replace").splitlines()

    def unit(self, *names, extra=(), pid_file=None):
        return self.run_tests("--only", "unit", *extra,
                              *[os.path.join(self.bin, n) for n in names],
                              pid_file=pid_file)

    def assert_closing(self, lines, passed, failed, skipped):
        self.assertTrue(lines, "no output at all")
        m = CLOSING.match(lines[-1])
        self.assertIsNotNone(m, f"last line {lines[-1]!r} is not "
                             "'N passed, N failed, N skipped'")
        self.assertEqual(tuple(int(n) for n in m.groups()), (passed, failed, skipped),
                         "\n".join(lines))

    def verdict(self, lines, kind, name):
        for line in lines:
            m = re.match(rf"^\[(PASS|FAIL|SKIP)\] {kind}/{name}\b", line)
            if m:
                return m.group(1)
        self.fail(f"no verdict line for {kind}/{name}:\n" + "\n".join(lines))

    # --- unit binaries ---------------------------------------------------

    def test_binary_without_summary_fails(self):
        rc, lines = self.unit("test_silent")
        self.assertEqual(self.verdict(lines, "unit", "test_silent"), "FAIL")
        self.assert_closing(lines, 0, 1, 0)
        self.assertNotEqual(rc, 0)

    def test_hanging_binary_is_killed_and_fails(self):
        pid_file = os.path.join(self.tmp, "hang.pid")
        start = time.monotonic()
        rc, lines = self.unit("test_hang", extra=("--unit-timeout", "2"), pid_file=pid_file)
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(self.verdict(lines, "unit", "test_hang"), "FAIL")
        self.assert_closing(lines, 0, 1, 0)
        self.assertNotEqual(rc, 0)
        with open(pid_file) as f:
            child = int(f.read())
        self.assertFalse(alive(child), "the hanging binary's child survived: "
                         "the runner must kill the whole process group")

    def test_cmocka_skip_is_counted_as_skipped(self):
        rc, lines = self.unit("test_skips")
        self.assert_closing(lines, 2, 0, 1)
        self.assertEqual(rc, 0)
        self.assertTrue(any("skips" in line and "skipped" in line for line in lines),
                        "the skipped test is not named:\n" + "\n".join(lines))

    def test_cmocka_failure_is_counted(self):
        rc, lines = self.unit("test_fails")
        self.assertEqual(self.verdict(lines, "unit", "test_fails"), "FAIL")
        self.assert_closing(lines, 2, 1, 1)
        self.assertNotEqual(rc, 0)

    def test_exit_status_after_a_clean_summary_fails(self):
        rc, lines = self.unit("test_leaks")
        self.assertEqual(self.verdict(lines, "unit", "test_leaks"), "FAIL")
        self.assert_closing(lines, 3, 1, 0)
        self.assertNotEqual(rc, 0)

    def test_summary_that_does_not_add_up_fails(self):
        rc, lines = self.unit("test_short")
        self.assertEqual(self.verdict(lines, "unit", "test_short"), "FAIL")
        passed, failed, _ = (int(n) for n in CLOSING.match(lines[-1]).groups())
        self.assertGreaterEqual(failed, 1)
        self.assertLessEqual(passed, 3)
        self.assertNotEqual(rc, 0)

    def test_counts_add_up_over_binaries(self):
        rc, lines = self.unit("test_skips", "test_fails", "test_silent")
        self.assert_closing(lines, 4, 2, 2)
        self.assertNotEqual(rc, 0)

    # --- fuzz targets ----------------------------------------------------

    def fuzz(self, *names, grace="2"):
        return self.run_tests("--only", "fuzz", "--fuzz-time", "1", "--fuzz-grace", grace,
                              *[os.path.join(self.bin, n) for n in names])

    def test_fuzz_target_that_ends_well_passes(self):
        rc, lines = self.fuzz("fuzz_done")
        self.assertEqual(self.verdict(lines, "fuzz", "fuzz_done"), "PASS")
        self.assert_closing(lines, 1, 0, 0)
        self.assertEqual(rc, 0)

    def test_fuzz_target_without_libfuzzer_summary_fails(self):
        rc, lines = self.fuzz("fuzz_silent")
        self.assertEqual(self.verdict(lines, "fuzz", "fuzz_silent"), "FAIL")
        self.assert_closing(lines, 0, 1, 0)
        self.assertNotEqual(rc, 0)

    def test_hanging_fuzz_target_is_killed_and_fails(self):
        start = time.monotonic()
        rc, lines = self.fuzz("fuzz_hang")
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(self.verdict(lines, "fuzz", "fuzz_hang"), "FAIL")
        self.assert_closing(lines, 0, 1, 0)
        self.assertNotEqual(rc, 0)


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()
