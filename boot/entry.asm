; Nestor entry: multiboot2 header, 32-bit entry, switch to long mode, call C.
;
; GRUB (BIOS or UEFI) enters here in 32-bit protected mode with paging off,
; EAX = multiboot2 magic, EBX = physical address of the boot information
; (Multiboot2 spec 3.3 "I386 machine state"). ESP is undefined.
;
; This file holds only what C cannot do: the header, the mode switch and the
; early error path for "not multiboot2" and "no long mode".

%include "arch/x86/mb2_header.inc"
%include "arch/x86/long_mode.inc"

MB2_BOOTLOADER_MAGIC    equ 0x36D76289
MB1_HEADER_MAGIC        equ 0x1BADB002
COM1                    equ 0x3F8
VGA_TEXT                equ 0xB8000
EXIT_EARLY_FAILURE      equ 6           ; must match NESTOR_EXIT_EARLY in power.h

extern _bss_start, _bss_end, _image_start, _text_end
extern nestor_main
global _start, boot_stack_bottom, boot_stack_top, boot_tsc

; ---------------------------------------------------------------------------
; Multiboot2 header (Multiboot2 spec 3.1.1): 8-byte aligned, within the first
; 32 KiB of the image. Only the end tag: GRUB loads our ELF segments at their
; physical addresses and passes the memory map unasked (the macro is shared
; with the test guests: arch/x86/mb2_header.inc).
section .multiboot_header
        MULTIBOOT2_HEADER

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
        rdtsc                                   ; boot-cost reference (bench)
        mov     [boot_tsc], eax
        mov     [boot_tsc + 4], edx
        mov     esi, ebx                        ; and the info pointer

        ; Zero .bss ourselves: it holds the stack and the boot page tables.
        mov     edi, _bss_start
        mov     ecx, _bss_end
        sub     ecx, edi
        shr     ecx, 2
        xor     eax, eax
        rep stosd
        mov     esp, boot_stack_top

        call    early_serial_init

        cmp     ebp, MB2_BOOTLOADER_MAGIC
        jne     .not_multiboot2

        ; CPUID and long mode (SDM Vol. 1, 20.1.1; Vol. 3A, 9.8.5), or a
        ; clear message; EDI = CPUID.80000001H:EDX (NX used below).
        REQUIRE_LONG_MODE .no_long_mode, edi

        call    build_boot_page_tables

        ; Enter IA-32e mode (SDM Vol. 3A, 9.8.5): CR4.PAE, CR3, EFER.LME
        ; (+ EFER.NXE when supported), then CR0.PG; also CR0.WP, so that
        ; supervisor writes honour read-only pages (SDM Vol. 3A, 2.5).
        ENTER_LONG_MODE boot_pml4, CR0_PG | CR0_WP | CR0_PE, edi
        lgdt    [boot_gdt_ptr]
        jmp     0x08:long_mode_entry

.not_multiboot2:
        mov     esi, msg_not_mb2
        call    early_puts
        mov     eax, ebp
        call    early_puthex
        mov     esi, msg_not_mb2_tail
        call    early_puts
        jmp     early_power_off

.no_long_mode:
        mov     esi, msg_no_lm
        call    early_puts
        jmp     early_power_off

; Identity-map the first 4 GiB with 2 MiB pages (SDM Vol. 3A, 4.5): one PML4
; entry, four PDPT entries, four page directories. When NX exists every page
; but the ones holding Nestor's code is execute-disable. Input: EDI bit 20 =
; NX supported.
build_boot_page_tables:
        mov     eax, boot_pdpt
        or      eax, PTE_P_RW
        mov     [boot_pml4], eax

        xor     ecx, ecx
.pdpt:
        mov     eax, ecx
        shl     eax, 12
        add     eax, boot_pd
        or      eax, PTE_P_RW
        mov     [boot_pdpt + ecx * 8], eax
        inc     ecx
        cmp     ecx, 4
        jne     .pdpt

        ; EBX = first, EDX = last+1 2 MiB frame number holding code.
        mov     ebx, _image_start
        shr     ebx, 21
        mov     edx, _text_end
        add     edx, (1 << 21) - 1
        shr     edx, 21

        xor     ecx, ecx                        ; 2 MiB frame number
.pd:
        mov     eax, ecx
        shl     eax, 21
        or      eax, PDE_P_RW_PS
        mov     [boot_pd + ecx * 8], eax
        test    edi, CPUID_EXT_NX
        jz      .next
        cmp     ecx, ebx
        jb      .nx
        cmp     ecx, edx
        jb      .next
.nx:
        mov     dword [boot_pd + ecx * 8 + 4], PTE_XD_HIGH
.next:
        inc     ecx
        cmp     ecx, 2048
        jne     .pd
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
        mov     ecx, [vga_pos]
        mov     ah, 0x4F                        ; white on red
        mov     [VGA_TEXT + ecx * 2], ax
        inc     ecx
        cmp     ecx, 80 * 25
        jb      .store
        xor     ecx, ecx
.store:
        mov     [vga_pos], ecx
        jmp     .done
.nl:
        mov     eax, [vga_pos]
        xor     edx, edx
        mov     ecx, 80
        div     ecx
        inc     eax
        mul     ecx
        cmp     eax, 80 * 25
        jb      .nlstore
        xor     eax, eax
.nlstore:
        mov     [vga_pos], eax
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

; EAX as 8 hex digits.
early_puthex:
        mov     ecx, 8
        mov     ebx, eax
.digit:
        rol     ebx, 4
        mov     eax, ebx
        and     eax, 0xF
        mov     al, [hex_digits + eax]
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
        mov     esi, shutdown_str
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

bits 64
long_mode_entry:
        LOAD_DATA_SEGMENTS 0x10
        mov     rsp, boot_stack_top
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

align 8
boot_gdt:
        dq 0
        dq 0x00AF9A000000FFFF                   ; 0x08: 64-bit code
        dq 0x00CF92000000FFFF                   ; 0x10: data
boot_gdt_ptr:
        dw boot_gdt_ptr - boot_gdt - 1
        dd boot_gdt

section .data
vga_pos: dd 0
align 8
boot_tsc: dq 0                                  ; TSC at GRUB's hand-off

section .bss
alignb 4096
boot_pml4:      resb 4096
boot_pdpt:      resb 4096
boot_pd:        resb 4 * 4096
boot_stack_bottom:
                resb 16384
boot_stack_top:
