"""Checks that lists kept beside a growing list still cover it: every
hypervisor command-line option (boot/cmdline_options.c) is named by the
fuzz_cmdline dictionary, by its seeds and by README's option table; every
guest test a scenario allows to skip exists; and every scenario that
checks the guest suite's closing line names the suite's tests."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
import scenarios  # noqa: E402


def read(*path):
    with open(os.path.join(ROOT, *path), errors="replace") as f:
        return f.read()


def option_names():
    names = re.findall(r'^\s*\.name = "(\w+)",$', read("boot", "cmdline_options.c"), re.M)
    assert names, "boot/cmdline_options.c: no option rows found"
    return names


class OptionListsTest(unittest.TestCase):
    def test_dictionary_names_every_option(self):
        words = set(re.findall(r'^"([^"]*)"$', read("tests", "fuzz", "fuzz_cmdline.dict"), re.M))
        for name in option_names():
            with self.subTest(option=name):
                self.assertIn(name + "=", words)

    def test_seeds_use_every_option(self):
        seeds = os.path.join(ROOT, "tests", "fuzz", "corpus_cmdline")
        text = ""
        for name in sorted(os.listdir(seeds)):
            with open(os.path.join(seeds, name), "rb") as f:
                text += f.read().decode("latin-1") + "\n"
        for name in option_names():
            with self.subTest(option=name):
                self.assertRegex(text, rf"(^|[\s\"]){name}=")

    def test_readme_lists_every_option(self):
        rows = set(re.findall(r"^\| `(\w+)=` \|", read("README.md"), re.M))
        self.assertEqual(rows, set(option_names()))


class ScenarioListsTest(unittest.TestCase):
    def test_suite_tables_found(self):
        self.assertGreater(len(scenarios.SUITE_TESTS), 30)
        self.assertEqual(len(scenarios.MSR_FILTER_TESTS), 4)
        source = read("tests", "guests", "suite.c")
        for name in scenarios.SUITE_TESTS + scenarios.MSR_FILTER_TESTS:
            self.assertIn(f'{{ "{name}", test_{name} }}', source)

    def test_allowed_skips_are_real_tests(self):
        known = set(scenarios.SUITE_TESTS + scenarios.MSR_FILTER_TESTS)
        for group in (scenarios.NEEDS_MAXPHYADDR, scenarios.NEEDS_FULL_WIDTH,
                      scenarios.NEEDS_AP, *scenarios.MODEL_SKIPS.values()):
            self.assertLessEqual(set(group), known)
        for sc in scenarios.SCENARIOS:
            with self.subTest(scenario=sc.name):
                if sc.guest_tests is not None:
                    self.assertLessEqual(set(sc.may_skip), set(sc.guest_tests))
                    self.assertLess(len(sc.may_skip), len(sc.guest_tests))

    def test_suite_verdicts_name_their_tests(self):
        closing = scenarios.SUITE_PASSED[0]
        for sc in scenarios.SCENARIOS:
            with self.subTest(scenario=sc.name):
                if closing in sc.expect:
                    self.assertIsNotNone(sc.guest_tests, "checks the suite's closing "
                                         "line without naming the suite's tests")


if __name__ == "__main__":
    unittest.main()
