#!/bin/sh
# A summary that does not add up: 5 run, 3 passed, nothing skipped or
# failed. The two unaccounted for are failures.
echo '[==========] 5 test(s) run.'
echo '[  PASSED  ] 3 test(s).'
exit 0
