#!/bin/sh
# A test binary that never ends, through a child that keeps the output
# pipe open: only killing the whole process group ends the run. The
# child's pid goes to $SELFTEST_PID_FILE.
sleep 600 &
echo $! > "${SELFTEST_PID_FILE:-/dev/null}"
wait
