; Multiboot2 header for the test guests' "mb2" flavour (suite-mb2.elf,
; demo.elf). Linked only into those images; guest.ld puts it first.
;
; Multiboot2 spec 3.1.1: 8-byte aligned, within the first 32 KiB of the
; image; magic, architecture 0 (i386 protected mode), header length and a
; checksum making the four fields sum to 0 (mod 2^32), then tags ending with
; the end tag (type 0, size 8). No other tag: the loader takes the load
; addresses and the entry point from the ELF headers and passes the memory
; map unasked.

MB2_HEADER_MAGIC        equ 0xE85250D6

section .multiboot_header progbits alloc noexec nowrite align=8
align 8
mb2_header:
        dd MB2_HEADER_MAGIC
        dd 0                                    ; architecture: i386
        dd mb2_header_end - mb2_header
        dd -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
        align 8
        dw 0, 0                                 ; end tag: type 0, flags 0
        dd 8                                    ; size 8
mb2_header_end:
