#!/bin/sh
# A test binary that prints nothing and exits 0: no summary, so a failure.
exit 0
