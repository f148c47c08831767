#!/usr/bin/env bash
# mkiso.sh OUT.iso NESTOR.ELF "NESTOR CMDLINE" [LOADER] [MODULE "ARGS"]...
# Builds a GRUB rescue ISO (BIOS and UEFI) whose only menu entry boots Nestor
# with the given command line and modules. LOADER is multiboot2 (default) or
# multiboot (only to test Nestor's refusal of a non-multiboot2 loader), or
# linux: NESTOR.ELF is then a Linux bzImage booted bare with GRUB's `linux`
# (the command line is the kernel's) and the modules are its `initrd` files
# (their ARGS must be empty).
set -eu
out=$1 elf=$2 cmdline=$3 loader=${4:-multiboot2}
shift 3; [ $# -gt 0 ] && shift
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/nestor.elf"
modlines=""
initrds=""
i=0
while [ $# -ge 2 ]; do
	cp "$1" "$stage/boot/mod$i"
	if [ "$loader" = linux ]; then
		[ -z "$2" ] || { echo "mkiso: an initrd takes no arguments ('$2')" >&2; exit 1; }
		initrds+=" /boot/mod$i"
	elif [ "$loader" = multiboot2 ]; then
		modlines+="	module2 /boot/mod$i $2"$'\n'
	else
		modlines+="	module /boot/mod$i $2"$'\n'
	fi
	i=$((i + 1)); shift 2
done
[ -z "$initrds" ] || modlines="	initrd$initrds"$'\n'
cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "Nestor" {
	$loader /boot/nestor.elf $cmdline
$modlines	boot
}
CFG
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$stage" >"$stage.log" 2>&1 || { cat "$stage.log" >&2; rm -f "$stage.log"; exit 1; }
rm -f "$stage.log"
[ -s "$out" ] || { echo "mkiso: grub-mkrescue produced no $out" >&2; exit 1; }
