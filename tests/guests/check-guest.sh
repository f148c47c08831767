#!/usr/bin/env bash
# check-guest.sh ELF FLAVOUR [BASE LIMIT]: checks a linked test guest.
#  - every PT_LOAD segment lies in [BASE, LIMIT) (default [1 MiB, 2 MiB),
#    as guest.ld) and has its physical address equal to its virtual one;
#  - FLAVOUR mb2: a multiboot2 header magic at an 8-aligned offset in the
#    first 32 KiB (Multiboot2 spec 3.1.1) and no multiboot1 magic;
#    mb1: a multiboot1 magic at a 4-aligned offset in the first 8 KiB
#    (Multiboot 0.6.96, 3.1.1) and no multiboot2 magic;
#    elf64: neither magic anywhere in the file.
set -eu
elf=$1 flavour=$2 base=${3:-0x100000} limit=${4:-0x200000}
err() { echo "check-guest: $elf: $*" >&2; exit 1; }

nload=0
while read -r type off va pa fsz msz rest; do
	[ "$type" = LOAD ] || continue
	nload=$((nload + 1))
	[ $((va)) -eq $((pa)) ] || err "segment at $pa: virtual address $va differs"
	if [ $((pa)) -lt $((base)) ] || [ $((pa + msz)) -gt $((limit)) ]; then
		err "segment [$pa, +$msz) not inside [$base, $limit)"
	fi
done < <(readelf -lW "$elf")
[ "$nload" -gt 0 ] || err "no PT_LOAD segment"

# Offset of the first 32-bit little-endian word $1 at an $2-aligned offset
# below $3, or nothing.
aligned_magic() {
	od -A d -t x4 -v -w4 -N "$3" "$elf" |
		awk -v m="$1" -v a="$2" '$2 == m && $1 % a == 0 { print $1; exit }'
}
# True if the bytes of magic $1 (as \x escapes, little endian) occur anywhere.
has_bytes() { LC_ALL=C grep -q -a -P "$1" "$elf"; }
MB2='\xd6\x50\x52\xe8'
MB1='\x02\xb0\xad\x1b'

case $flavour in
mb2)
	[ -n "$(aligned_magic e85250d6 8 32768)" ] || err "no multiboot2 header in the first 32 KiB"
	! has_bytes "$MB1" || err "multiboot1 magic present in an mb2 image"
	;;
mb1)
	[ -n "$(aligned_magic 1badb002 4 8192)" ] || err "no multiboot1 header in the first 8 KiB"
	! has_bytes "$MB2" || err "multiboot2 magic present in an mb1 image"
	;;
elf64)
	! has_bytes "$MB2" || err "multiboot2 magic present in an elf64 image"
	! has_bytes "$MB1" || err "multiboot1 magic present in an elf64 image"
	;;
*)
	err "unknown flavour '$flavour' (mb2, mb1, elf64)"
	;;
esac
