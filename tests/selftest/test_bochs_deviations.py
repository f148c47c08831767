"""The nested suite's comparison (tests/system/runner.py compare_logs):
the test VMM's lines bare on Bochs and under Nestor must be identical, but
the outcome lines of the tests that docs/bochs-deviations.md lists as Bochs
deviations; and that table (read by tests/system/bochs_deviations.py) agrees
with the DEV(row, ...) marks of tests/guests/nested_entry.c."""
import os
import re
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
import bochs_deviations  # noqa: E402
import runner  # noqa: E402


def log(lines, banner="l0=bochs"):
    """A serial log: the runtime's banner (which differs between runs),
    the given lines, the closing line and the exit line."""
    return "\n".join([f"nested: entered in 32-bit protected mode, info at 0x{len(banner):x}",
                      f'nested: command line "{banner}"'] + lines
                     + ["2 passed, 0 failed, 0 skipped", "nested: exit status 0 via port 0xf4"]) + "\n"


BARE = ["nested: vmxon_ok: VMsucceed rflags=0x2", "PASS vmxon_ok",
        "nested: entry_guest_debugctl_reserved_bad: exit 0x80000022 qual 0x1", "PASS entry_guest_debugctl_reserved_bad"]


class CompareLogsTest(unittest.TestCase):
    def test_identical_runs_pass(self):
        nestor = ["nestor: entering the guest"] + BARE + ["nestor: guest exited with status 0"]
        self.assertEqual(runner.compare_logs(log(BARE), log(nestor, "l0=sdm")), [])

    def test_a_difference_fails(self):
        other = list(BARE)
        other[0] = "nested: vmxon_ok: VMfailInvalid rflags=0x3"
        r = runner.compare_logs(log(BARE), log(other))
        self.assertTrue(r)
        self.assertIn("-nested: vmxon_ok: VMsucceed rflags=0x2", "\n".join(r))
        self.assertIn("+nested: vmxon_ok: VMfailInvalid rflags=0x3", "\n".join(r))

    def test_a_missing_line_fails(self):
        self.assertTrue(runner.compare_logs(log(BARE), log(BARE[1:])))

    def test_a_listed_deviation_passes(self):
        other = list(BARE)
        other[2] = "nested: entry_guest_debugctl_reserved_bad: exit 0x80000021 qual 0"
        self.assertTrue(runner.compare_logs(log(BARE), log(other)))
        self.assertEqual(runner.compare_logs(log(BARE), log(other),
                                             bochs_deviations.nested_tests()), [])

    def test_shown_less_leaves_out_the_whole_test(self):
        # A test of a capability Nestor hides from L1 (VMCS shadowing):
        # another outcome, a SKIP instead of PASS and another closing count
        # are all left out; a difference anywhere else still fails.
        other = list(BARE)
        other[0] = "nested: vmxon_ok: VMfailValid 11 rflags=0x42"
        other[1] = "SKIP vmxon_ok: the CPU does not offer the controls this case needs"
        l0 = log(other).replace("2 passed, 0 failed, 0 skipped", "1 passed, 0 failed, 1 skipped")
        self.assertTrue(runner.compare_logs(log(BARE), l0))
        self.assertEqual(runner.compare_logs(log(BARE), l0, shown_less=["vmxon_ok"]), [])
        other[2] = "nested: entry_guest_debugctl_reserved_bad: VMfailValid 7 rflags=0x42"
        self.assertTrue(runner.compare_logs(log(BARE), log(other), shown_less=["vmxon_ok"]))

    def test_a_deviation_verdict_still_counts(self):
        other = list(BARE)
        other[3] = "FAIL entry_guest_debugctl_reserved_bad: expected exit 0x80000021 qual 0"
        self.assertTrue(runner.compare_logs(log(BARE), log(other),
                                            bochs_deviations.nested_tests()))


class OracleScenarioTest(unittest.TestCase):
    """run_scenario() with an oracle: both runs, then the comparison."""

    def run_pair(self, bare_lines, l0_lines, bare_passed=True):
        with tempfile.TemporaryDirectory() as d:
            results = {}
            for name, lines, passed in (("bare", bare_lines, bare_passed),
                                        ("l0", l0_lines, True)):
                serial = os.path.join(d, name)
                with open(serial, "w") as f:
                    f.write(log(lines))
                results[name] = runner.Result(runner.Scenario(name), passed,
                                              [] if passed else ["it failed"],
                                              serial, serial, 1.0)
            sc = runner.Scenario("l0", oracle=runner.Scenario("bare"))
            with mock.patch.object(runner, "run_one", lambda s: results[s.name]):
                return runner.run_scenario(sc)

    def test_same_lines_pass(self):
        res = self.run_pair(BARE, BARE)
        self.assertTrue(res.passed, res.reasons)
        self.assertEqual(res.seconds, 2.0)

    def test_different_lines_fail(self):
        res = self.run_pair(BARE, BARE[:1] + ["nested: vmxon_ok: extra"] + BARE[1:])
        self.assertFalse(res.passed)
        self.assertIn("differ", res.reasons[0])

    def test_failed_bare_run_fails(self):
        res = self.run_pair(BARE, BARE, bare_passed=False)
        self.assertFalse(res.passed)
        self.assertIn("the bare run bare failed", res.reasons[0])


def dev_marks():
    """{case name: row} for every DEV(row, ...) in nested_entry.c's table,
    and every DEV(row, name) comment in nested.c (its tests are functions)."""
    with open(os.path.join(ROOT, "tests", "guests", "nested.c")) as f:
        marks = {name: int(row) for row, name in
                 re.findall(r"DEV\((\d+), (\w+)\)", f.read())}
    with open(os.path.join(ROOT, "tests", "guests", "nested_entry.c")) as f:
        src = f.read()
    m = re.search(r"^static const struct entry_case cases\[\] = \{\n(.*?)^\};", src, re.M | re.S)
    for entry in re.split(r"\n\t(?=CASE\(|\{ \.name)", m.group(1)):
        name = re.search(r'"(\w+)"', entry)
        dev = re.search(r"DEV\((\d+),", entry)
        if name and dev:
            marks[name.group(1)] = int(dev.group(1))
    return marks


class DeviationTableTest(unittest.TestCase):
    def test_table_is_read(self):
        rows = bochs_deviations.rows()
        self.assertGreaterEqual(len(rows), 11)
        self.assertEqual([n for n, _, _ in rows], list(range(1, len(rows) + 1)))

    def test_every_row_names_an_sdm_section(self):
        for number, sdm, _ in bochs_deviations.rows():
            with self.subTest(row=number):
                self.assertRegex(sdm, r"^Vol\. 3[A-D] (\d+|[A-G])(\.\d+)*")

    def test_marks_and_table_agree(self):
        marks = dev_marks()
        self.assertTrue(marks, "no DEV() marks found: the scan is broken")
        self.assertEqual(marks, bochs_deviations.nested_tests())


if __name__ == "__main__":
    unittest.main()
