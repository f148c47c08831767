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
# Every loadable segment keeps the virtual layout in its physical one
# (linker.ld): GRUB moves the segments by one offset (the relocatable tag),
# and boot/entry.asm maps the virtual base to wherever they landed.
delta=
while read -r type off va pa rest; do
	[ "$type" = LOAD ] || continue
	d=$(printf '%x' $((va - pa)))
	if [ -z "$delta" ]; then
		delta=$d
	elif [ "$d" != "$delta" ]; then
		echo "check-image: segment at $pa: virtual $va is not at the same offset from its physical address as the others" >&2
		exit 1
	fi
done < <(readelf -lW "$elf")
if [ -z "$delta" ]; then
	echo "check-image: no loadable segment in $elf" >&2
	exit 1
fi
