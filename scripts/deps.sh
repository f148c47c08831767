#!/usr/bin/env bash
# Make sure every Debian package Nestor's build and tests need is installed.
# As root: install the missing ones non-interactively. Otherwise: print the
# exact apt-get line and fail. This list is the single place they are named.
set -u

PACKAGES=(
	# build
	gcc make binutils nasm grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	# unit tests and fuzzing
	libcmocka-dev clang libclang-rt-14-dev python3
	# system tests and `make run`
	bochs bochsbios vgabios qemu-system-x86 ovmf
	# tests/linux/kvmtest.c, linked static (libc.a, <linux/kvm.h>)
	libc6-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || { echo "deps: apt-get update failed" >&2; exit 1; }
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
		echo "deps: apt-get install failed for: ${missing[*]}" >&2
		exit 1
	}
	exit 0
fi

echo "deps: missing packages. Install them with:" >&2
echo "  sudo apt-get install ${missing[*]}" >&2
exit 1
