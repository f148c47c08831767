#!/bin/sh
# A scenario's prepare step whose inputs cannot be had here.
echo "no network here"
exit 77
