; Multiboot2 header for the test guests' "mb2" flavour (suite-mb2.elf,
; demo.elf). Linked only into those images; guest.ld puts it first. The
; header itself (Multiboot2 spec 3.1.1: magic, architecture, length,
; checksum, end tag only) is Nestor's own, from arch/x86/mb2_header.inc.

%include "arch/x86/mb2_header.inc"

section .multiboot_header progbits alloc noexec nowrite align=8
        MULTIBOOT2_HEADER
