; Test-only shim: lets GRUB start the elf64 flavour's entry path without
; Nestor. Linked (with the multiboot2 header) into suite-elf64-shim.elf,
; never into a real elf64 image. It does what Nestor does for a header-free
; ELF64 guest: enter 64-bit mode with an identity map of 4 GiB (the guest's
; own tables here), RAX = multiboot2 magic, RBX = the information, IF = 0,
; and jump to rt_start64.

; The IA-32e switch is Nestor's own (arch/x86/long_mode.inc).
%include "arch/x86/long_mode.inc"

SEL_CODE64              equ 0x08

extern rt_start64, rt_pml4, rt_gdt_ptr
global elf64_shim_start

section .text.entry
bits 32
elf64_shim_start:
        cli
        mov     esi, eax                        ; multiboot2 magic
        mov     edi, ebx                        ; information
        ; Enter IA-32e mode (SDM Vol. 3A, 9.8.5): CR4.PAE, CR3, EFER.LME
        ; (EFER.NXE left as the loader set it), then CR0.PG.
        ENTER_LONG_MODE rt_pml4, CR0_PG | CR0_PE, none
        lgdt    [rt_gdt_ptr]
        jmp     SEL_CODE64:.long_mode

bits 64
.long_mode:
        mov     eax, esi                        ; RAX = magic (zero-extended)
        mov     ebx, edi                        ; RBX = information
        jmp     rt_start64
