#!/bin/sh
# A scenario's prepare step that never ends.
exec sleep 600
