; Test-guest entry: the two ways in (32-bit multiboot, 64-bit ELF), the
; switch to long mode, the guest's own identity page tables and GDT, then
; rt_main() in C (tests/guests/rt/start.c).
;
; rt_start32: multiboot1/multiboot2 machine state (Multiboot2 spec 3.3,
;   Multiboot 0.6.96 3.2): 32-bit protected mode, paging off, flat segments,
;   EAX = loader magic, EBX = boot information, ESP undefined.
; rt_start64: Nestor's ELF64 entry: 64-bit mode, identity paging of 4 GiB,
;   RAX = multiboot2 magic, RBX = multiboot2 information, RSP undefined.
; Each stub first keeps the magic and reads the TSC (boot-cost benchmark),
; then records the state it was entered with in rt_entry (struct
; rt_entry_state in rt/rt.h) for the entry-protocol test, before changing
; anything. rt_entry is in .data, so zeroing .bss does not erase it.

; The CPUID/long-mode check, the IA-32e switch, the data-segment loads and
; the MSR, control-register and paging constants are Nestor's own
; (arch/x86/long_mode.inc).
%include "arch/x86/long_mode.inc"

COM1                    equ 0x3F8
EXIT_PORT               equ 0xF4
SEL_CODE64              equ 0x08
SEL_DATA                equ 0x10

; Offsets in struct rt_entry_state (rt/rt.h; checked by static asserts there).
E_TSC                   equ 0
E_MAGIC                 equ 8
E_INFO                  equ 16
E_CR0                   equ 24
E_CR4                   equ 32
E_EFER                  equ 40
E_RFLAGS                equ 48
E_CS                    equ 56
E_MODE                  equ 64
E_CR3                   equ 72
E_SIZE                  equ 80

extern _bss_start, _bss_end
extern rt_main
global rt_start32, rt_start64, rt_entry
global rt_pml4, rt_pdpt, rt_pd, rt_gdt, rt_gdt_ptr, rt_gdt_tss
global rt_stack_bottom, rt_stack_top

; ---------------------------------------------------------------------------
section .text.entry
bits 32
rt_start32:
        mov     edi, eax                        ; the magic (RDTSC clobbers EAX)
        rdtsc
        mov     [rt_entry + E_TSC], eax
        mov     [rt_entry + E_TSC + 4], edx
        mov     [rt_entry + E_MAGIC], edi
        mov     [rt_entry + E_INFO], ebx
        mov     eax, cr0
        mov     [rt_entry + E_CR0], eax
        mov     eax, cr4
        mov     [rt_entry + E_CR4], eax
        mov     eax, cr3
        mov     [rt_entry + E_CR3], eax
        mov     ax, cs
        mov     [rt_entry + E_CS], ax
        mov     esp, rt_stack_top
        pushfd
        pop     eax
        mov     [rt_entry + E_RFLAGS], eax
        mov     dword [rt_entry + E_MODE], 32
        cli
        cld

        mov     edi, _bss_start
        mov     ecx, _bss_end
        sub     ecx, edi
        shr     ecx, 2
        xor     eax, eax
        rep stosd

        ; CPUID and long mode (SDM Vol. 1, 20.1.1; Vol. 3A, 9.8.5);
        ; ESI = CPUID.80000001H:EDX (NX used below).
        REQUIRE_LONG_MODE .no_long_mode, esi

        ; Enter IA-32e mode (SDM Vol. 3A, 9.8.5): CR4.PAE, CR3, EFER.LME
        ; (+ NXE when the CPU has it), then CR0.PG.
        ENTER_LONG_MODE rt_pml4, CR0_PG | CR0_PE, esi
        lgdt    [rt_gdt_ptr]
        jmp     SEL_CODE64:rt_long_mode_common

.no_long_mode:
        mov     esi, msg_no_lm
        mov     dx, COM1
.putc:
        lodsb
        test    al, al
        jz      .exit
        out     dx, al
        jmp     .putc
.exit:
        mov     dx, EXIT_PORT
        mov     al, 1
        out     dx, al
.halt:
        cli
        hlt
        jmp     .halt

bits 64
rt_start64:
        mov     r8, rax                         ; the magic (RDTSC clobbers RAX)
        rdtsc
        mov     [rel rt_entry + E_TSC], eax
        mov     [rel rt_entry + E_TSC + 4], edx
        mov     [rel rt_entry + E_MAGIC], r8
        mov     [rel rt_entry + E_INFO], rbx
        mov     rax, cr0
        mov     [rel rt_entry + E_CR0], rax
        mov     rax, cr4
        mov     [rel rt_entry + E_CR4], rax
        mov     rax, cr3
        mov     [rel rt_entry + E_CR3], rax
        mov     ax, cs
        mov     [rel rt_entry + E_CS], ax
        lea     rsp, [rel rt_stack_top]
        pushfq
        pop     qword [rel rt_entry + E_RFLAGS]
        mov     ecx, MSR_EFER
        rdmsr
        mov     [rel rt_entry + E_EFER], eax
        mov     [rel rt_entry + E_EFER + 4], edx
        mov     qword [rel rt_entry + E_MODE], 64
        cli
        cld

        lea     rdi, [rel _bss_start]
        lea     rcx, [rel _bss_end]
        sub     rcx, rdi
        shr     rcx, 3
        xor     eax, eax
        rep stosq

        ; Our own page tables first: the loader's may use XD bits, which
        ; would become reserved bits if EFER.NXE changed under them.
        lea     rax, [rel rt_pml4]
        mov     cr3, rax
        mov     eax, 0x80000001
        cpuid
        mov     esi, edx
        mov     ecx, MSR_EFER
        rdmsr
        and     eax, ~EFER_NXE
        test    esi, CPUID_EXT_NX
        jz      .set_efer
        or      eax, EFER_NXE
.set_efer:
        wrmsr

        lgdt    [rel rt_gdt_ptr]
        push    SEL_CODE64
        lea     rax, [rel rt_long_mode_common]
        push    rax
        retfq

; Both paths meet here in 64-bit mode with our GDT and page tables loaded.
rt_long_mode_common:
        LOAD_DATA_SEGMENTS SEL_DATA
        lea     rsp, [rel rt_stack_top]
        xor     ebp, ebp                        ; ends frame-pointer chains
        call    rt_main
.halt:
        cli
        hlt
        jmp     .halt

; ---------------------------------------------------------------------------
section .rodata
msg_no_lm:      db "rt: FATAL: this CPU has no long mode", 13, 10, 0

section .data
align 8
rt_entry:       times E_SIZE db 0

; GDT (SDM Vol. 3A, 3.4.5); the accessed bits are preset so the CPU never
; writes to the segment descriptors. The TSS descriptor (SDM Vol. 3A, 8.2.3)
; is filled in and loaded by rt/user.c the first time a test runs code at
; CPL 3; LTR marks it busy.
align 8
rt_gdt:
        dq 0
        dq 0x00AF9B000000FFFF                   ; 0x08: 64-bit code, DPL 0
        dq 0x00CF93000000FFFF                   ; 0x10: flat data
        dq 0x00CF9B000000FFFF                   ; 0x18: flat 32-bit code
        ; CPL 3 (rt/user.c): DS/SS for ring 3 must have DPL 3.
        dq 0x00CFF3000000FFFF                   ; 0x20: flat data, DPL 3
        dq 0x00AFFB000000FFFF                   ; 0x28: 64-bit code, DPL 3
rt_gdt_tss:
        dq 0, 0                                 ; 0x30: 64-bit TSS (rt/user.c)
rt_gdt_end:
; LGDT takes a 6-byte operand in 32-bit mode and a 10-byte one in 64-bit
; mode; the GDT lies below 4 GiB, so this one operand serves both.
rt_gdt_ptr:
        dw rt_gdt_end - rt_gdt - 1
        dq rt_gdt

; Identity map of [0, 4 GiB) with 2 MiB pages (SDM Vol. 3A, 4.5): one PML4
; entry, four PDPT entries, four page directories, built at assembly time.
; rt/paging.c splits 2 MiB pages into 4 KiB ones on demand.
section .data.pagetables progbits alloc noexec write align=4096
rt_pml4:
        dq rt_pdpt + PTE_P_RW
        times 511 dq 0
rt_pdpt:
        dq rt_pd + PTE_P_RW
        dq rt_pd + 0x1000 + PTE_P_RW
        dq rt_pd + 0x2000 + PTE_P_RW
        dq rt_pd + 0x3000 + PTE_P_RW
        times 508 dq 0
rt_pd:
%assign i 0
%rep 2048
        dq (i << 21) | PDE_P_RW_PS
%assign i i + 1
%endrep

section .bss
alignb 16
rt_stack_bottom:
        resb 65536
rt_stack_top:
