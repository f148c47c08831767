#!/usr/bin/env bash
# Sanity checks on the linked image that, if wrong, make GRUB refuse it or
# make the boot page tables' NX split wrong.
set -eu
elf=$1
# Multiboot2 header must lie within the first 32 KiB of the file (spec 3.1.1).
off=$(od -A d -t x4 -v -w4 "$elf" | awk '$2 == "e85250d6" { print $1; exit }')
if [ -z "$off" ] || [ "$off" -ge 32768 ]; then
	echo "check-image: multiboot2 header not found in the first 32 KiB of $elf" >&2
	exit 1
fi
