#!/bin/sh
# cmocka's summary with no failure, then a non-zero exit, as when
# LeakSanitizer reports a leak after the tests: one failure.
echo '[==========] Running 3 test(s).'
echo '[==========] 3 test(s) run.'
echo '[  PASSED  ] 3 test(s).'
echo '==1==ERROR: LeakSanitizer: detected memory leaks' >&2
exit 23
