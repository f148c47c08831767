#!/bin/sh
# A fuzz target that ends the way libFuzzer does.
echo 'INFO: Seed: 1'
echo 'Done 42 runs in 1 second(s)'
exit 0
