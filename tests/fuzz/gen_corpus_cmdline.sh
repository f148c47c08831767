#!/bin/sh
# Writes the seed inputs for tests/fuzz/fuzz_cmdline.c into
# tests/fuzz/corpus_cmdline/ (run from the repository root).
set -eu
dir=tests/fuzz/corpus_cmdline
mkdir -p "$dir"
seed() { printf '%b' "$2" > "$dir/$1"; }
seed grub_path      '/boot/nestor.elf console=com2,57600 loglevel=debug'
seed all_options    'console=0x3f8,9600 loglevel=4 test_fault=pf'
seed quoted         'console="com3,38400" loglevel="warn" foo="a b"'
seed unterminated   'loglevel="debug console=com1'
seed bad_values     'console=0x10000 console=com1,7 loglevel=9 test_fault=x'
seed control_bytes  'loglevel=de\001bug\tconsole=com4\r\n\377'
seed bare_and_empty 'console loglevel= =x test_fault'
seed nul_inside     'loglevel=quiet\000console=com2'
seed every_option   'console=com2,57600 loglevel=debug guest_maxphyaddr=36 msr_filter=deny,allow:rw:0x10-0x1f,allow:r:0xc0000080+2 panic=reboot on_guest_reset=restart nested=off test_fault=vmx_panic test_vmxon_fault=yes test_break_guest=host_cr4 test_crash_nmi=vmclear'
seed bad_new_values 'guest_maxphyaddr=31 guest_maxphyaddr=53 msr_filter=deny panic=restart on_guest_reset=reboot nested=yes test_vmxon_fault=2 test_break_guest=rip test_crash_nmi=VMCLEAR test_fault=vmx'
seed repeated       'test_break_guest=host_cr4 test_break_guest=cr4 test_crash_nmi=guest test_crash_nmi=none guest_maxphyaddr=52 guest_maxphyaddr=32 msr_filter=allow msr_filter=x'
seed gdb_options    'gdb=com2,wait console=com1 gdb=0x2e8 gdb=com2,wai gdb=com1 gdb=,wait'
seed console_share  'console_share=passthrough console_escape=0x1d console_share=on console_escape=0x0d console_share=emulate'
