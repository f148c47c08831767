; Nestor entry: multiboot2 header, 32-bit entry, switch to long mode, call C.
;
; GRUB (BIOS or UEFI) enters here in 32-bit protected mode with paging off,
; EAX = multiboot2 magic, EBX = physical address of the boot information
; (Multiboot2 spec 3.3 "I386 machine state"). ESP is undefined.
;
; Where Nestor lives (docs/architecture.md, "Where Nestor lives"): the image
; is linked at the fixed virtual address IMAGE_VA, in the top 2 GiB
; (-mcmodel=kernel), and GRUB loads it wherever the relocatable header tag
; lets it: the highest 2 MiB-aligned place below 4 GiB. This code runs at
; that unknown physical address before paging, so it reaches every symbol
; as EBX + (symbol - IMAGE_VA), EBX being the load base; it then maps
; IMAGE_VA to the load base with 2 MiB pages (plus an identity map of the
; first 4 GiB for everything physical), enters long mode and jumps to
; IMAGE_VA, where all of Nestor's C code runs.
;
; This file holds only what C cannot do: the header, the mode switch and the
; early error path for "not multiboot2" and "no long mode".

%include "arch/x86/mb2_header.inc"
%include "arch/x86/long_mode.inc"

; The image's virtual base and its link-time physical base. linker.ld says
; the same (and checks it against boot_image_va below); a loader that does
; not relocate the image (GRUB's multiboot1 command) puts it at LINK_PHYS.
IMAGE_VA                equ 0xffffffff80000000
LINK_PHYS               equ 0x200000
; Where GRUB may put the image: at or above 1 MiB, ending below 4 GiB (the
; boot page tables' identity map and 32-bit boot information), on a 2 MiB
; boundary so that one 2 MiB page maps each 2 MiB of it.
LOAD_MIN                equ 0x100000
LOAD_MAX                equ 0xffffffff
LOAD_ALIGN              equ 0x200000
; Page-table slots of IMAGE_VA (SDM Vol. 3A, 4.5: bits 47:39, 38:30).
IMAGE_PML4_SLOT         equ (IMAGE_VA >> 39) & 511
IMAGE_PDPT_SLOT         equ (IMAGE_VA >> 30) & 511

MB2_BOOTLOADER_MAGIC    equ 0x36D76289
MB1_HEADER_MAGIC        equ 0x1BADB002
COM1                    equ 0x3F8
VGA_TEXT                equ 0xB8000
EXIT_EARLY_FAILURE      equ 6           ; must match NESTOR_EXIT_EARLY in power.h

; EBX + PHYS(symbol) is the symbol's physical address in 32-bit code.
%define PHYS(sym) ((sym) - IMAGE_VA)

extern _bss_start, _bss_end, _image_start, _image_end, _text_end
extern nestor_main
global _start, boot_stack_bottom, boot_stack_top, boot_tsc, boot_pd
global nestor_phys_base, boot_image_va
boot_image_va           equ IMAGE_VA    ; for linker.ld's check

; ---------------------------------------------------------------------------
; Multiboot2 header (Multiboot2 spec 3.1.1): 8-byte aligned, within the first
; 32 KiB of the image, with the relocatable tag (spec 3.1.13; the macro is
; shared with the test guests: arch/x86/mb2_header.inc). GRUB loads our ELF
; segments at their physical addresses moved by the same offset and passes
; the memory map unasked.
section .multiboot_header
        MULTIBOOT2_HEADER LOAD_MIN, LOAD_MAX, LOAD_ALIGN

; A multiboot1 header too (Multiboot 0.6.96, 3.1.1), only so that a loader
; speaking the old protocol (GRUB's "multiboot" command) enters us and we can
; say clearly that multiboot2 is required, instead of failing obscurely.
align 4
        dd MB1_HEADER_MAGIC
        dd 0
        dd -MB1_HEADER_MAGIC

; ---------------------------------------------------------------------------
section .text.boot
bits 32
_start:
        cli
        cld
        mov     ebp, eax                        ; keep the loader's magic
        mov     esi, ebx                        ; and the info pointer

        ; EBX = the load base. Only a multiboot2 loader moves the image
        ; (the relocatable tag); finding where takes a CALL, and ESP is
        ; undefined (spec 3.3), so the first dword of the boot information
        ; serves as a one-slot stack and is put back (Xen does the same).
        mov     ebx, LINK_PHYS
        cmp     ebp, MB2_BOOTLOADER_MAGIC
        jne     .based
        mov     edx, [esi]
        lea     esp, [esi + 4]
        call    .here
.here:  pop     ebx
        mov     [esi], edx
        sub     ebx, PHYS(.here)
.based:
        rdtsc                                   ; boot-cost reference (bench)
        mov     [ebx + PHYS(boot_tsc)], eax
        mov     [ebx + PHYS(boot_tsc) + 4], edx
        mov     [ebx + PHYS(nestor_phys_base)], ebx

        ; Zero .bss ourselves: it holds the stack and the boot page tables.
        lea     edi, [ebx + PHYS(_bss_start)]
        lea     ecx, [ebx + PHYS(_bss_end)]
        sub     ecx, edi
        shr     ecx, 2
        xor     eax, eax
        rep stosd
        lea     esp, [ebx + PHYS(boot_stack_top)]

        call    early_serial_init

        cmp     ebp, MB2_BOOTLOADER_MAGIC
        jne     .not_multiboot2

        ; CPUID and long mode (SDM Vol. 1, 20.1.1; Vol. 3A, 9.8.5), or a
        ; clear message; EDI = CPUID.80000001H:EDX (NX used below).
        push    ebx
        REQUIRE_LONG_MODE .no_long_mode_pop, edi
        pop     ebx

        call    build_boot_page_tables

        ; Enter IA-32e mode (SDM Vol. 3A, 9.8.5): CR4.PAE, CR3, EFER.LME
        ; (+ EFER.NXE when supported), then CR0.PG; also CR0.WP, so that
        ; supervisor writes honour read-only pages (SDM Vol. 3A, 2.5).
        lea     edx, [ebx + PHYS(boot_pml4)]
        ENTER_LONG_MODE edx, CR0_PG | CR0_WP | CR0_PE, edi
        ; The GDT pointer holds a physical base, known only now.
        lea     eax, [ebx + PHYS(boot_gdt)]
        mov     [ebx + PHYS(boot_gdt_ptr) + 2], eax
        lgdt    [ebx + PHYS(boot_gdt_ptr)]
        ; Far jump to 64-bit code at its identity-mapped physical address.
        lea     eax, [ebx + PHYS(long_mode_entry)]
        push    0x08
        push    eax
        retf

.not_multiboot2:
        lea     esi, [ebx + PHYS(msg_not_mb2)]
        call    early_puts
        mov     eax, ebp
        call    early_puthex
        lea     esi, [ebx + PHYS(msg_not_mb2_tail)]
        call    early_puts
        jmp     early_power_off

.no_long_mode_pop:
        pop     ebx
        lea     esi, [ebx + PHYS(msg_no_lm)]
        call    early_puts
        jmp     early_power_off

; Page tables (SDM Vol. 3A, 4.5), all 2 MiB pages: PML4 slot 0 identity-maps
; the first 4 GiB (one PDPT, four page directories), so that everything
; physical (boot information, memory pool, guest memory, MMIO) has its own
; address; PML4 slot 511 maps IMAGE_VA to the load base, execute-disable
; past the code when NX exists. The identity map stays executable only
; until long_mode_entry has jumped to IMAGE_VA. Input: EBX = load base,
; EDI bit 20 = NX supported.
build_boot_page_tables:
        lea     eax, [ebx + PHYS(boot_pdpt)]
        or      eax, PTE_P_RW
        mov     [ebx + PHYS(boot_pml4)], eax
        lea     eax, [ebx + PHYS(boot_pdpt_image)]
        or      eax, PTE_P_RW
        mov     [ebx + PHYS(boot_pml4) + IMAGE_PML4_SLOT * 8], eax
        lea     eax, [ebx + PHYS(boot_pd_image)]
        or      eax, PTE_P_RW
        mov     [ebx + PHYS(boot_pdpt_image) + IMAGE_PDPT_SLOT * 8], eax

        xor     ecx, ecx
.pdpt:
        mov     eax, ecx
        shl     eax, 12
        lea     eax, [ebx + PHYS(boot_pd) + eax]
        or      eax, PTE_P_RW
        mov     [ebx + PHYS(boot_pdpt) + ecx * 8], eax
        inc     ecx
        cmp     ecx, 4
        jne     .pdpt

        xor     ecx, ecx                        ; 2 MiB frame number
.pd:
        mov     eax, ecx
        shl     eax, 21
        or      eax, PDE_P_RW_PS
        mov     [ebx + PHYS(boot_pd) + ecx * 8], eax
        inc     ecx
        cmp     ecx, 2048
        jne     .pd

        ; The image: 2 MiB page i maps load base + i * 2 MiB; pages at or
        ; past the one holding _text_end are execute-disable.
        xor     ecx, ecx
.image:
        mov     eax, ecx
        shl     eax, 21
        add     eax, ebx
        or      eax, PDE_P_RW_PS
        mov     [ebx + PHYS(boot_pd_image) + ecx * 8], eax
        test    edi, CPUID_EXT_NX
        jz      .image_next
        mov     eax, ecx
        shl     eax, 21
        cmp     eax, PHYS(_text_end)
        jb      .image_next
        mov     dword [ebx + PHYS(boot_pd_image) + ecx * 8 + 4], PTE_XD_HIGH
.image_next:
        inc     ecx
        mov     eax, ecx
        shl     eax, 21
        cmp     eax, PHYS(_image_end)
        jb      .image
        ret

; 16550 on COM1 at 115200 8N1, polled: the only console this early.
early_serial_init:
        mov     dx, COM1 + 1
        xor     al, al
        out     dx, al                          ; no interrupts
        mov     dx, COM1 + 3
        mov     al, 0x80
        out     dx, al                          ; DLAB
        mov     dx, COM1
        mov     al, 1
        out     dx, al                          ; divisor 1 = 115200
        mov     dx, COM1 + 1
        xor     al, al
        out     dx, al
        mov     dx, COM1 + 3
        mov     al, 0x03
        out     dx, al                          ; 8N1
        mov     dx, COM1 + 2
        mov     al, 0xC7
        out     dx, al                          ; FIFO on, cleared
        mov     dx, COM1 + 4
        mov     al, 0x03
        out     dx, al                          ; DTR | RTS
        ret

; AL -> COM1 (bounded wait for THRE) and the VGA text screen.
early_putc:
        push    ecx
        push    edx
        push    eax
        mov     ecx, 100000
        mov     dx, COM1 + 5
.wait:
        in      al, dx
        test    al, 0x20
        jnz     .ready
        loop    .wait
.ready:
        pop     eax
        mov     dx, COM1
        out     dx, al
        cmp     al, 10
        je      .nl
        mov     ecx, [ebx + PHYS(vga_pos)]
        mov     ah, 0x4F                        ; white on red
        mov     [VGA_TEXT + ecx * 2], ax
        inc     ecx
        cmp     ecx, 80 * 25
        jb      .store
        xor     ecx, ecx
.store:
        mov     [ebx + PHYS(vga_pos)], ecx
        jmp     .done
.nl:
        mov     eax, [ebx + PHYS(vga_pos)]
        xor     edx, edx
        mov     ecx, 80
        div     ecx
        inc     eax
        mul     ecx
        cmp     eax, 80 * 25
        jb      .nlstore
        xor     eax, eax
.nlstore:
        mov     [ebx + PHYS(vga_pos)], eax
.done:
        pop     edx
        pop     ecx
        ret

; ESI -> NUL-terminated string.
early_puts:
        lodsb
        test    al, al
        jz      .out
        call    early_putc
        jmp     early_puts
.out:
        ret

; EAX as 8 hex digits. EBX = load base.
early_puthex:
        mov     ecx, 8
        mov     edx, eax
.digit:
        rol     edx, 4
        mov     eax, edx
        and     eax, 0xF
        mov     al, [ebx + PHYS(hex_digits) + eax]
        call    early_putc
        loop    .digit
        ret

; Same protocol as power_off() in arch/x86/power.c: isa-debug-exit under QEMU,
; the "Shutdown" port under Bochs, else halt.
early_power_off:
        mov     ecx, 100000                     ; let the UART drain (LSR.TEMT)
        mov     dx, COM1 + 5
.drain:
        in      al, dx
        test    al, 0x40
        jnz     .drained
        loop    .drain
.drained:
        mov     dx, 0xF4
        mov     al, EXIT_EARLY_FAILURE
        out     dx, al
        lea     esi, [ebx + PHYS(shutdown_str)]
        mov     dx, 0x8900
.sd:
        lodsb
        test    al, al
        jz      .halt
        out     dx, al
        jmp     .sd
.halt:
        cli
        hlt
        jmp     .halt

; 64-bit code, still at the physical address GRUB chose (identity-mapped):
; jump to the same code's IMAGE_VA address, then make the identity map
; execute-disable (nothing runs from physical addresses any more) and call C
; on the boot stack. EBP = magic, ESI = info, EDI bit 20 = NX.
bits 64
long_mode_entry:
        LOAD_DATA_SEGMENTS 0x10
        mov     rax, .at_image_va
        jmp     rax
.at_image_va:
        mov     rsp, boot_stack_top
        test    edi, CPUID_EXT_NX
        jz      .nx_done
        mov     rcx, boot_pd
        mov     edx, 4 * 512
.nx:
        bts     qword [rcx], 63                 ; XD (SDM Vol. 3A, 4.5, Table 4-18)
        add     rcx, 8
        dec     edx
        jnz     .nx
        mov     rax, cr3                        ; flush the identity TLB entries
        mov     cr3, rax
.nx_done:
        mov     edi, ebp                        ; arg 1: loader magic
        mov     esi, esi                        ; arg 2: info (zero-extended)
        xor     ebp, ebp                        ; ends frame-pointer backtraces
        call    nestor_main
.halt:
        cli
        hlt
        jmp     .halt

; ---------------------------------------------------------------------------
section .rodata
msg_not_mb2:      db 10, "nestor: FATAL: not started by a multiboot2 loader (EAX=0x", 0
msg_not_mb2_tail: db ", expected 0x36d76289).", 10
                  db "nestor: boot Nestor with GRUB's 'multiboot2' command.", 10, 0
msg_no_lm:        db 10, "nestor: FATAL: this CPU has no long mode (64-bit); Nestor needs an x86-64 CPU with VMX.", 10, 0
hex_digits:       db "0123456789abcdef"
shutdown_str:     db "Shutdown", 0

section .data
align 8
boot_gdt:
        dq 0
        dq 0x00AF9A000000FFFF                   ; 0x08: 64-bit code
        dq 0x00CF92000000FFFF                   ; 0x10: data
boot_gdt_ptr:
        dw boot_gdt_ptr - boot_gdt - 1
        dd 0                                    ; physical base, set at boot
vga_pos: dd 0
align 8
boot_tsc: dq 0                                  ; TSC at GRUB's hand-off
nestor_phys_base: dq 0                          ; where GRUB loaded the image

section .bss
alignb 4096
boot_pml4:      resb 4096
boot_pdpt:      resb 4096                       ; identity map: [0, 4 GiB)
boot_pd:        resb 4 * 4096
boot_pdpt_image: resb 4096                      ; IMAGE_VA
boot_pd_image:  resb 4096
boot_stack_bottom:
                resb 16384
boot_stack_top:
