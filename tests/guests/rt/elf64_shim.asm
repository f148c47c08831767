; Test-only shim: lets GRUB start the elf64 flavour's entry path without
; Nestor. Linked (with the multiboot2 header) into suite-elf64-shim.elf,
; never into a real elf64 image. It does what Nestor does for a header-free
; ELF64 guest: enter 64-bit mode with an identity map of 4 GiB (the guest's
; own tables here), RAX = multiboot2 magic, RBX = the information, IF = 0,
; and jump to rt_start64.

MSR_EFER                equ 0xC0000080
SEL_CODE64              equ 0x08

extern rt_start64, rt_pml4, rt_gdt_ptr
global elf64_shim_start

section .text.entry
bits 32
elf64_shim_start:
        cli
        mov     esi, eax                        ; multiboot2 magic
        mov     edi, ebx                        ; information
        mov     eax, cr4
        or      eax, 1 << 5                     ; PAE
        mov     cr4, eax
        mov     eax, rt_pml4
        mov     cr3, eax
        mov     ecx, MSR_EFER
        rdmsr
        or      eax, 1 << 8                     ; LME
        wrmsr
        mov     eax, cr0
        or      eax, (1 << 31) | 1              ; PG | PE
        mov     cr0, eax
        lgdt    [rt_gdt_ptr]
        jmp     SEL_CODE64:.long_mode

bits 64
.long_mode:
        mov     eax, esi                        ; RAX = magic (zero-extended)
        mov     ebx, edi                        ; RBX = information
        jmp     rt_start64
