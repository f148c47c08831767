"""Where Bochs 2.7 deviates from the SDM, as the nested suite's comparison
needs it. The one source is the table in docs/bochs-deviations.md: each
row has its number, the SDM section and a tests column, where the nested
suite's tests are written `nested/NAME`. Bare Bochs and an L0 that follows
the SDM (Nestor) must print different outcome lines for those tests; the
comparison (runner.compare_logs) ignores those lines, and nothing else.
tests/selftest/test_bochs_deviations.py checks the table against the
DEV(row, ...) marks in tests/guests/nested_entry.c."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "bochs-deviations.md")

# | # | SDM | Bochs 2.7 | Nestor | tests |
ROW = re.compile(r"^\| (\d+) \| ([^|]+) \|.*\| ([^|]*) \|$", re.M)
NESTED_TEST = re.compile(r"`nested/(\w+)`")


def rows(path=DOC):
    """[(number, SDM section, tests cell)] of the deviation table."""
    with open(path) as f:
        return [(int(n), sdm.strip(), tests.strip()) for n, sdm, tests in ROW.findall(f.read())]


def nested_tests(path=DOC):
    """{nested test name: row number} for every `nested/NAME` in the table."""
    found = {}
    for number, _, tests in rows(path):
        for name in NESTED_TEST.findall(tests):
            found[name] = number
    return found
