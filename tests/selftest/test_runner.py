"""Tests of the system-test runner's verdicts (tests/system/runner.py) on
made-up serial output, without an emulator: the guest tests' PASS/FAIL/SKIP
lines against what a scenario allows, the lines Nestor prints for its own
bugs, a prepare step that hangs or cannot run here, and how run_all()
counts."""
import io
import os
import re
import shutil
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
import runner  # noqa: E402

FAKES = os.path.join(HERE, "fakes")


def guest_output(lines, closing=None):
    """Serial text with the guest's verdict lines and a closing line that
    agrees with them unless `closing` is given."""
    if closing is None:
        count = {v: sum(line.startswith(v + " ") for line in lines)
                 for v in ("PASS", "FAIL", "SKIP")}
        closing = f"{count['PASS']} passed, {count['FAIL']} failed, {count['SKIP']} skipped"
    return "\n".join(["suite: entered"] + lines + [closing,
                                                    "nestor: guest exited with status 0"]) + "\n"


class GuestVerdictTest(unittest.TestCase):
    def scenario(self, **kw):
        return runner.Scenario("selftest", guest_tests=["alpha", "beta", "gamma"],
                               may_skip=["gamma"], **kw)

    def reasons(self, text, **kw):
        return runner.judge(self.scenario(**kw), text, False)

    def test_all_pass(self):
        self.assertEqual(self.reasons(guest_output(
            ["PASS alpha", "PASS beta", "PASS gamma"])), [])

    def test_allowed_skip_passes_and_is_reported(self):
        text = guest_output(["PASS alpha", "PASS beta", "SKIP gamma: no 1 GiB pages"])
        self.assertEqual(self.reasons(text), [])
        _, passed, skipped = runner.guest_verdict(self.scenario(), text)
        self.assertEqual(passed, ["alpha", "beta"])
        self.assertEqual(skipped, [("gamma", "no 1 GiB pages")])

    def test_skip_not_allowed_fails(self):
        r = self.reasons(guest_output(["PASS alpha", "SKIP beta: no x2APIC", "PASS gamma"]))
        self.assertTrue(any("beta skipped" in x for x in r), r)

    def test_everything_skipped_fails(self):
        r = self.reasons(guest_output(["SKIP alpha: x", "SKIP beta: x", "SKIP gamma: x"]))
        self.assertTrue(r)
        self.assertTrue(any("passed, expected at least 2" in x for x in r), r)

    def test_missing_test_fails(self):
        r = self.reasons(guest_output(["PASS alpha", "PASS gamma"]))
        self.assertTrue(any("beta did not report" in x for x in r), r)

    def test_failure_fails(self):
        r = self.reasons(guest_output(["PASS alpha", "FAIL beta: wrong", "PASS gamma"]))
        self.assertTrue(any("beta failed: wrong" in x for x in r), r)

    def test_unknown_test_fails(self):
        r = self.reasons(guest_output(["PASS alpha", "PASS beta", "PASS gamma", "PASS delta"]))
        self.assertTrue(any("delta" in x for x in r), r)

    def test_closing_line_must_agree(self):
        r = self.reasons(guest_output(["PASS alpha", "PASS beta", "PASS gamma"],
                                      closing="3 passed, 0 failed, 1 skipped"))
        self.assertTrue(any("closing line says" in x for x in r), r)

    def test_old_closing_line_is_not_enough(self):
        r = self.reasons(guest_output(["PASS alpha", "PASS beta", "PASS gamma"],
                                      closing="3 passed, 0 failed"))
        self.assertTrue(any("closing line" in x for x in r), r)

    def test_min_passed(self):
        text = guest_output(["PASS alpha", "PASS beta", "SKIP gamma: x"])
        self.assertTrue(self.reasons(text, min_passed=3))


# Lines as Nestor prints them (boot/, arch/x86/traps.c, vmx/).
BUG_LINES = [
    "nestor: BUG: EPT misconfiguration at guest-physical 0x1000: bad (entries 0 0 0 0)",
    "nestor: FATAL EXCEPTION #GP general protection (vector 13) in Nestor, error code 0x0",
    "nestor: PANIC: vmcs_read(0x6820) failed",
    "nestor: FATAL: no 2 MiB of RAM for Nestor's memory pool",
    "nestor: VM entry failed: VMfailInvalid (no current VMCS)",
    "nestor: loaded-VMCS list: corrupt after 3 entries",
]


class DefaultRejectTest(unittest.TestCase):
    def test_every_bug_line_fails_a_scenario(self):
        sc = runner.Scenario("selftest", expect=[r"^ok$"])
        for line in BUG_LINES:
            with self.subTest(line=line):
                self.assertTrue(runner.judge(sc, f"ok\n{line}\n", False))

    def test_expected_line_is_allowed_but_no_other(self):
        sc = runner.Scenario("selftest", expect=[r"^nestor: PANIC: on purpose$"])
        self.assertEqual(runner.judge(sc, "nestor: PANIC: on purpose\n", False), [])
        r = runner.judge(sc, "nestor: PANIC: on purpose\nnestor: BUG: also this\n", False)
        self.assertEqual(len(r), 1, r)
        self.assertIn("BUG: also this", r[0])

    def test_every_tagged_line_in_the_sources_is_rejected(self):
        """Nestor marks a line of its own bugs with an upper-case tag and a
        colon ("nestor: BUG:", "nestor: PANIC:") or "FATAL EXCEPTION";
        each such string in the hypervisor's sources must be rejected."""
        tagged = re.compile(r'"\\?n?(nestor: (?:[A-Z]{3,}:|FATAL EXCEPTION)[^"]*)"')
        found = []
        for top in ("boot", "arch", "vmx", "mm", "lib", "nested"):
            for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
                for name in files:
                    if name.endswith((".c", ".h", ".asm")):
                        with open(os.path.join(dirpath, name), errors="replace") as f:
                            found += [(name, m.group(1)) for m in tagged.finditer(f.read())]
        self.assertTrue(found, "no tagged lines found: the scan is broken")
        for name, text in found:
            with self.subTest(source=name, line=text):
                self.assertTrue(any(re.search(p, text) for p in runner.DEFAULT_REJECT),
                                f"{name}: {text!r} is not in runner.DEFAULT_REJECT")


class EmulatorDeathTest(unittest.TestCase):
    """An emulator that dies (a signal, or an exit before any serial output,
    as Debian's Bochs does without a sound card) is named as the cause,
    with the tail of its own output; a normal end is not."""

    def test_signal_and_silent_exit_are_reported(self):
        self.assertIn("signal 6", runner.emulator_died(-6, "some output"))
        self.assertIn("before any serial output", runner.emulator_died(1, ""))
        self.assertIsNone(runner.emulator_died(1, "nestor: power off (status 0)\n"))
        self.assertIsNone(runner.emulator_died(0, "x"))

    def test_tail_shows_the_emulator_output(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "emulator.log")
            with open(log, "w") as f:
                f.write("".join(f"line {i}\n" for i in range(30)))
                f.write("*** buffer overflow detected ***: terminated\n")
            tail = runner.emulator_tail(log, n=3)
            self.assertIn("| *** buffer overflow detected ***: terminated", tail)
            self.assertEqual(len(tail), 4)
            missing = runner.emulator_tail(os.path.join(d, "none.log"))
            self.assertIn("missing", missing[0])

    def test_no_display_port_is_a_start_that_never_happened(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "emulator.log")
            with open(log, "w") as f:
                f.write("[RFB   ] RFB could not bind any port between 5900 and 5949\n")
            self.assertTrue(runner.emulator_never_started(log, ""))
            # Once the guest has printed anything the run counts as it is.
            self.assertFalse(runner.emulator_never_started(log, "nestor: x\n"))
            with open(log, "w") as f:
                f.write("Bochs is exiting with the following message:\n[CPU0 ] panic\n")
            self.assertFalse(runner.emulator_never_started(log, ""))
            self.assertFalse(runner.emulator_never_started(os.path.join(d, "no.log"), ""))

    def test_every_bochsrc_has_sound_off(self):
        import bochs_config
        text = bochs_config.bochsrc_text(iso="x.iso", cpu="corei7_skylake_x",
                                         serial_dev="s.out", log="b.log")
        self.assertIn("sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy", text)
        self.assertIn("com1: enabled=1, mode=file, dev=s.out", text)
        self.assertIn("clock: sync=none", text)


class PrepareAndCountTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="nestor-selftest-")
        patcher = mock.patch.multiple(runner, BUILD=self.tmp, PREPARE_TIMEOUT=1)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_prepare_timeout_fails(self):
        sc = runner.Scenario("selftest-hang", prepare=[os.path.join(FAKES, "prepare_hang.sh")])
        res = runner.run_scenario(sc)
        self.assertFalse(res.skipped, res.reasons)
        self.assertFalse(res.passed)
        self.assertIn("still running", res.reasons[0])

    def test_prepare_skip_status_skips(self):
        sc = runner.Scenario("selftest-skip", prepare=[os.path.join(FAKES, "prepare_skip.sh")])
        res = runner.run_scenario(sc)
        self.assertTrue(res.skipped)
        out = io.StringIO()
        with mock.patch.object(runner, "run_scenario", return_value=res):
            self.assertEqual(runner.run_all(jobs=1, out=out, scenarios=[sc]), (0, 0, 1))
        self.assertIn("[SKIP] system/selftest-skip", out.getvalue())

    def test_disabled_scenario_skips_with_its_reason(self):
        sc = runner.Scenario("selftest-disabled", disabled="waits for a feature",
                             prepare=[os.path.join(FAKES, "prepare_hang.sh")])
        with mock.patch.dict(os.environ, {runner.ENABLE_VAR: ""}):
            res = runner.run_scenario(sc)
        self.assertTrue(res.skipped)
        self.assertFalse(res.passed)
        self.assertIn("disabled: waits for a feature", res.reasons[0])
        self.assertIn(runner.ENABLE_VAR, res.reasons[0])
        out = io.StringIO()
        with mock.patch.object(runner, "run_scenario", return_value=res):
            self.assertEqual(runner.run_all(jobs=1, out=out, scenarios=[sc]), (0, 0, 1))
        self.assertIn("[SKIP] system/selftest-disabled", out.getvalue())
        self.assertIn("disabled: waits for a feature", out.getvalue())

    def test_enabled_disabled_scenario_runs(self):
        sc = runner.Scenario("selftest-disabled", disabled="waits for a feature",
                             prepare=[os.path.join(FAKES, "prepare_skip.sh")])
        self.assertIsNone(runner.disabled_reason(sc, {runner.ENABLE_VAR: "selftest-dis"}))
        self.assertIsNotNone(runner.disabled_reason(sc, {runner.ENABLE_VAR: "other"}))
        # Enabled, it runs: its prepare command is what skips it now.
        with mock.patch.dict(os.environ, {runner.ENABLE_VAR: "selftest-disabled"}):
            res = runner.run_scenario(sc)
        self.assertTrue(res.skipped)
        self.assertNotIn("disabled:", res.reasons[0])

    def test_run_all_counts_allowed_guest_skips(self):
        def result(name, passed, skipped=False, guest_skipped=()):
            sc = runner.Scenario(name)
            return runner.Result(sc, passed, [] if passed else ["why"], "/nonexistent",
                                 "/nonexistent", 0.0, skipped=skipped,
                                 guest_skipped=list(guest_skipped))
        results = {r.scenario.name: r for r in (
            result("a", True, guest_skipped=[("x", "why"), ("y", "why")]),
            result("b", False, guest_skipped=[("z", "why")]),  # failed: its skips do not count
            result("c", False, skipped=True),
            result("d", True))}
        with mock.patch.object(runner, "run_scenario", lambda sc: results[sc.name]):
            counts = runner.run_all(jobs=1, out=io.StringIO(),
                                    scenarios=[r.scenario for r in results.values()])
        self.assertEqual(counts, (2, 1, 3))


if __name__ == "__main__":
    unittest.main()
