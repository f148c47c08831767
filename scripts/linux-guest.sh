#!/usr/bin/env bash
# linux-guest.sh [OUTDIR] [kvm]: fetch Debian's cloud kernel and
# busybox-static with `apt-get download`, and build the Linux test guest's
# initramfs (tests/linux/init + busybox, by tests/linux/mkinitramfs.py).
# Everything is cached under OUTDIR (default build/linux); a second run
# downloads nothing and rebuilds the initramfs only when its inputs changed.
# To take a newer kernel, delete OUTDIR.
# With `kvm`, also the KVM initramfs OUTDIR/initramfs-kvm.gz: /init is
# tests/linux/init-kvm, plus /bin/kvmtest (tests/linux/kvmtest.c, built here
# with gcc -static) and irqbypass.ko, kvm.ko, kvm-intel.ko from the same
# kernel package as the bzImage, in /lib/modules.
# The last two lines of output are
#   kernel: PATH
#   initramfs: PATH
# preceded, with `kvm`, by
#   initramfs-kvm: PATH
# Exit status 77 means the packages could not be had (no apt, no network, no
# package lists): callers treat it as "skip", not as a failure.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/linux}
want_kvm=no
case "${2:-}" in
"") ;;
kvm) want_kvm=yes ;;
*) echo "linux-guest: unknown argument '$2' (expected: kvm)" >&2; exit 1 ;;
esac
META=linux-image-cloud-amd64
SKIP=77

say() { echo "linux-guest: $*" >&2; }
skip() { say "$* (skipping: exit $SKIP)"; exit $SKIP; }
die() { say "$*"; exit 1; }

out=$(realpath -m "$out")
# Never write into tracked parts of the source tree.
case "$out/" in
"$root"/*)
	if command -v git >/dev/null && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$root" check-ignore -q "$out" ||
			die "$out is inside the source tree and not ignored by git; use build/..."
	else
		case "$out/" in "$root"/build/*) ;; *) die "$out is inside the source tree; use build/...";; esac
	fi
	;;
esac
mkdir -p "$out"

# One run at a time per OUTDIR (the system tests run two scenarios at once).
exec 9>"$out/.lock"
flock 9

command -v apt-get >/dev/null && command -v apt-cache >/dev/null ||
	skip "no apt-get/apt-cache on this machine"
command -v dpkg-deb >/dev/null || skip "no dpkg-deb on this machine"

apt_opts=(-q)
# As root, apt drops to user _apt, which cannot write into OUTDIR.
[ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
updated=no

# Runs apt-get update once, as root only (it changes the system's lists).
apt_update() {
	[ "$updated" = no ] || return 1
	updated=yes
	if [ "$(id -u)" != 0 ]; then
		say "not root: cannot run apt-get update"
		return 1
	fi
	say "apt-get update"
	apt-get -qq update >&2
}

# download PACKAGE: PACKAGE's .deb into $out/debs (kept: the cache); prints its path.
download() {
	local pkg=$1 deb
	mkdir -p "$out/debs"
	deb=$(ls "$out/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		say "apt-get download $pkg"
		if ! (cd "$out/debs" && apt-get "${apt_opts[@]}" download "$pkg" >&2); then
			apt_update && (cd "$out/debs" && apt-get "${apt_opts[@]}" download "$pkg" >&2) ||
				skip "apt-get download $pkg failed"
		fi
		deb=$(ls "$out/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
		[ -n "$deb" ] || skip "apt-get download $pkg left no .deb in $out/debs"
	fi
	echo "$deb"
}

# The versioned kernel package the metapackage depends on, e.g.
# linux-image-6.1.0-56-cloud-amd64.
kernel_package() {
	local pkg
	pkg=$(apt-cache depends "$META" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ] && apt_update; then
		pkg=$(apt-cache depends "$META" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	fi
	[ -n "$pkg" ] || skip "apt-cache knows no $META (no package lists?)"
	echo "$pkg"
}

fetch_kernel() {
	local pkg deb tree images
	pkg=$(kernel_package)
	deb=$(download "$pkg")
	tree="$out/kernel-root"
	rm -rf "$tree"
	dpkg-deb -x "$deb" "$tree" || die "dpkg-deb -x $deb failed"
	images=("$tree"/boot/vmlinuz-*)
	[ ${#images[@]} -eq 1 ] && [ -f "${images[0]}" ] ||
		die "$deb holds ${#images[@]} boot/vmlinuz-* files, expected 1"
	local release=${images[0]##*/vmlinuz-}
	cp "$tree/boot/config-$release" "$out/kernel.config" 2>/dev/null || true
	cp "${images[0]}" "$out/vmlinuz.tmp"
	mv "$out/vmlinuz.tmp" "$out/vmlinuz"
	printf '%s %s %s\n' "$release" "$pkg" "$(dpkg-deb -f "$deb" Version)" > "$out/kernel.version"
	rm -rf "$tree" "$out/kvm"   # the KVM modules are taken from the .deb when needed
}

# The KVM modules of the kernel in kernel.version, from its cached .deb,
# into $out/kvm/ (their paths in the package, not compressed in Debian 12;
# mkinitramfs.py decompresses a .ko.xz should a later package ship them so).
KVM_MODULES="virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel"
fetch_kvm_modules() {
	local release pkg deb tree m f
	read -r release pkg _ < "$out/kernel.version"
	deb=$(download "$pkg")
	tree="$out/kernel-root"
	rm -rf "$tree" "$out/kvm"
	dpkg-deb -x "$deb" "$tree" || die "dpkg-deb -x $deb failed"
	mkdir -p "$out/kvm.tmp"
	for m in $KVM_MODULES; do
		for f in "$tree/lib/modules/$release/kernel/$m.ko" "$tree/lib/modules/$release/kernel/$m.ko.xz"; do
			[ -f "$f" ] && cp "$f" "$out/kvm.tmp/" && break
		done
		ls "$out/kvm.tmp/${m##*/}".ko* >/dev/null 2>&1 ||
			die "$deb has no lib/modules/$release/kernel/$m.ko (is CONFIG_KVM_INTEL=m in kernel.config?)"
	done
	rm -rf "$tree"
	mv "$out/kvm.tmp" "$out/kvm"
}

fetch_busybox() {
	local deb tree
	deb=$(download busybox-static)
	tree="$out/busybox-root"
	rm -rf "$tree"
	dpkg-deb -x "$deb" "$tree" || die "dpkg-deb -x $deb failed"
	[ -f "$tree/bin/busybox" ] || die "$deb holds no bin/busybox"
	cp "$tree/bin/busybox" "$out/busybox.tmp"
	mv "$out/busybox.tmp" "$out/busybox"
	rm -rf "$tree"
}

[ -s "$out/vmlinuz" ] && [ -s "$out/kernel.version" ] || fetch_kernel
[ -s "$out/busybox" ] || fetch_busybox

init="$root/tests/linux/init"
mkinit="$root/tests/linux/mkinitramfs.py"
initramfs="$out/initramfs.gz"
if [ ! -s "$initramfs" ] || [ "$init" -nt "$initramfs" ] ||
	[ "$mkinit" -nt "$initramfs" ] || [ "$out/busybox" -nt "$initramfs" ]; then
	say "building $initramfs"
	python3 "$mkinit" --busybox "$out/busybox" --init "$init" -o "$initramfs"
fi

if [ "$want_kvm" = yes ]; then
	[ -d "$out/kvm" ] || fetch_kvm_modules
	kvmsrc="$root/tests/linux/kvmtest.c"
	if [ ! -s "$out/kvmtest" ] || [ "$kvmsrc" -nt "$out/kvmtest" ]; then
		say "building $out/kvmtest"
		# No -g and a stripped binary: the same source and compiler give the same bytes.
		gcc -static -Os -s -Wall -Wextra -Werror -o "$out/kvmtest.tmp" "$kvmsrc" ||
			die "cannot build kvmtest (needs gcc and libc6-dev for a static binary)"
		mv "$out/kvmtest.tmp" "$out/kvmtest"
	fi
	initkvm="$root/tests/linux/init-kvm"
	kvmramfs="$out/initramfs-kvm.gz"
	adds=(--add "bin/kvmtest=$out/kvmtest")
	stale=no
	for m in $KVM_MODULES; do
		f=$(ls "$out/kvm/${m##*/}".ko* | head -n 1)
		adds+=(--add "lib/modules/$(basename "${f%.xz}")=$f")
		[ "$f" -nt "$kvmramfs" ] && stale=yes
	done
	if [ ! -s "$kvmramfs" ] || [ $stale = yes ] || [ "$initkvm" -nt "$kvmramfs" ] ||
		[ "$mkinit" -nt "$kvmramfs" ] || [ "$out/busybox" -nt "$kvmramfs" ] ||
		[ "$out/kvmtest" -nt "$kvmramfs" ]; then
		say "building $kvmramfs"
		python3 "$mkinit" --busybox "$out/busybox" --init "$initkvm" "${adds[@]}" -o "$kvmramfs"
	fi
fi

say "kernel $(cat "$out/kernel.version")"
[ "$want_kvm" = no ] || echo "initramfs-kvm: $kvmramfs"
echo "kernel: $out/vmlinuz"
echo "initramfs: $initramfs"
