#!/usr/bin/env bash
# run.sh ISO: boot Nestor headless with its serial console on this terminal.
# EMU: bochs (default) | qemu | qemu-efi | kvm. With EMU unset, QEMU with KVM
# is used when the host's KVM offers nested VMX, else Bochs.
set -eu
iso=$1
emu=${EMU:-}
cpu=${BOCHS_CPU:-corei7_skylake_x}

kvm_nested() {
	[ -r /sys/module/kvm_intel/parameters/nested ] &&
		grep -qE '^(Y|1)$' /sys/module/kvm_intel/parameters/nested &&
		[ -w /dev/kvm ]
}
if [ -z "$emu" ]; then
	if kvm_nested; then emu=kvm; else emu=bochs; fi
fi

qemu_common=(-M q35 -m 256 -display none -monitor none -serial stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=4 -cdrom "$iso")
case "$emu" in
bochs)
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# Bochs' own stdout goes to a file; the console reaches ours via fd 3.
	serial_dev=/dev/fd/3
	serial_mode=file
	if [ -t 0 ] && [ -t 1 ]; then serial_dev=$(tty); serial_mode=term; fi
	# The one bochsrc writer (sound off: Bochs aborts without a sound card).
	python3 "$(dirname "$0")/../tests/system/bochs_config.py" "$work/bochsrc" \
		--iso "$(realpath "$iso")" --cpu "$cpu" --serial-mode "$serial_mode" \
		--serial-dev "$serial_dev" --log "$work/bochs.log"
	printf 'c\nquit\n' > "$work/cmds"
	echo "run: Bochs ($cpu); Bochs log: $work/bochs.log (removed on exit)" >&2
	rc=0
	bochs -q -f "$work/bochsrc" -rc "$work/cmds" </dev/null 3>&1 >"$work/bochs.out" 2>&1 || rc=$?
	# Bochs leaves through its shutdown port with status 1; a signal
	# (status above 128) means Bochs itself died.
	if [ "$rc" -gt 128 ]; then
		echo "run: Bochs died (status $rc); its last output:" >&2
		tail -n 15 "$work/bochs.out" >&2
	fi
	;;
qemu)
	exec qemu-system-x86_64 -cpu max "${qemu_common[@]}"
	;;
qemu-efi)
	vars=$(mktemp)
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	qemu-system-x86_64 -cpu max "${qemu_common[@]}" \
		-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,file="$vars" || true
	rm -f "$vars"
	;;
kvm)
	exec qemu-system-x86_64 -enable-kvm -cpu host,+vmx "${qemu_common[@]}"
	;;
*)
	echo "run: unknown EMU=$emu (bochs, qemu, qemu-efi, kvm)" >&2
	exit 2
	;;
esac
