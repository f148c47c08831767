; Multiboot (version 1) header for the test guests' "mb1" flavour
; (suite-mb1.elf). Linked only into that image; guest.ld puts it first.
;
; Multiboot 0.6.96, 3.1.1: 4-byte aligned, within the first 8 KiB of the
; image; magic, flags, and a checksum making the three sum to 0 (mod 2^32).
; Flags (3.1.2): bit 0 = modules page aligned, bit 1 = pass the memory
; information (mem_* and the memory map). Bit 16 is clear: the loader uses
; the ELF headers for the load addresses and the entry point.

MB1_HEADER_MAGIC        equ 0x1BADB002
MB1_FLAGS               equ (1 << 0) | (1 << 1)

section .multiboot_header progbits alloc noexec nowrite align=4
align 4
mb1_header:
        dd MB1_HEADER_MAGIC
        dd MB1_FLAGS
        dd -(MB1_HEADER_MAGIC + MB1_FLAGS)
