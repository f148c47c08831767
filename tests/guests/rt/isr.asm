; Interrupt and exception entry for the test guests, rt_try_call(), the
; setjmp-like half of expect_exception() (tests/guests/rt/traps.c), and the
; switch to CPL 3 for rt_user_call() (tests/guests/rt/user.c).
;
; Every one of the 256 vectors gets a stub that pushes a dummy error code
; when the CPU pushes none (SDM Vol. 3A, 6.13: vectors 8, 10-14, 17, 21, 29,
; 30 push one), then the vector number, and jumps to a common path that
; saves all general registers as a struct trap_frame (rt/traps.h) and calls
; rt_trap(frame). rt_trap may rewrite the frame (to resume at a recovery
; point); the common path reloads every register from it and IRETQs. The
; stubs and the register save/restore are Nestor's own
; (arch/x86/exception_stubs.inc).

%include "arch/x86/exception_stubs.inc"

extern rt_trap, rt_active_try
global rt_isr_stubs, rt_try_call
global rt_user_enter, rt_user_entry, rt_user_entry_end

; Offsets in struct rt_try_ctx (rt/traps.h; checked by static asserts there).
T_RBX                   equ 0
T_RBP                   equ 8
T_R12                   equ 16
T_R13                   equ 24
T_R14                   equ 32
T_R15                   equ 40
T_RSP                   equ 48
T_RIP                   equ 56
T_RFLAGS                equ 64
T_PREV                  equ 72

; CPL 3 (rt/user.c, rt/user.h): the GDT's DPL-3 selectors (rt/entry.asm)
; with RPL 3, and the vector ring 3 raises to come back (RT_VEC_USER_RETURN
; in rt/traps.h).
SEL_USER_DATA           equ 0x20 | 3
SEL_USER_CODE64         equ 0x28 | 3
VEC_USER_RETURN         equ 0x80
RFLAGS_RESERVED1        equ 1 << 1      ; IF = 0, IOPL = 0

section .text
bits 64

; All 256 vectors, each stub 16-byte aligned.
        EXCEPTION_STUBS 256, 16, isr_common

isr_common:
        PUSH_FRAME_GPRS
        cld
        mov     rdi, rsp                        ; arg: struct trap_frame *
        mov     rbx, rsp                        ; callee-saved across the call
        and     rsp, -16
        call    rt_trap
        mov     rsp, rbx
        POP_FRAME_GPRS
        iretq

; int rt_try_call(void (*fn)(void *), void *arg, struct rt_try_ctx *ctx)
;
; Saves the callee-saved registers, the caller's resume point (return address
; and stack pointer as after RET) and RFLAGS in *ctx, makes ctx the innermost
; active context, and calls fn(arg). Returns 0 when fn returns. When an
; exception happens inside fn, rt_trap() records it in ctx, pops ctx and
; rewrites the exception frame from it with RAX = 1, so the IRETQ "returns"
; 1 from this call (the callee-saved registers as they were at the call).
rt_try_call:
        mov     rax, [rel rt_active_try]
        mov     [rdx + T_PREV], rax
        mov     [rdx + T_RBX], rbx
        mov     [rdx + T_RBP], rbp
        mov     [rdx + T_R12], r12
        mov     [rdx + T_R13], r13
        mov     [rdx + T_R14], r14
        mov     [rdx + T_R15], r15
        mov     rax, [rsp]
        mov     [rdx + T_RIP], rax
        lea     rax, [rsp + 8]
        mov     [rdx + T_RSP], rax
        pushfq
        pop     qword [rdx + T_RFLAGS]
        mov     [rel rt_active_try], rdx
        push    rdx                             ; keeps ctx; aligns RSP to 16
        mov     rax, rdi
        mov     rdi, rsi
        call    rax
        pop     rdx
        mov     rax, [rdx + T_PREV]
        mov     [rel rt_active_try], rax
        xor     eax, eax
        ret

; void rt_user_enter(void (*fn)(void *), void *arg, uint64_t user_rsp)
;
; Called inside rt_try_call (rt/user.c): IRETQs to rt_user_entry at CPL 3
; (SDM Vol. 3A, 6.14.3 and IRET's "return to outer privilege level") with
; RSP = user_rsp, interrupts off, RDI = arg, RSI = fn. Never returns here:
; ring 3 comes back through an exception or vector VEC_USER_RETURN, and
; rt_trap() unwinds to the try context either way.
rt_user_enter:
        push    SEL_USER_DATA                   ; SS
        push    rdx                             ; RSP
        push    RFLAGS_RESERVED1                ; RFLAGS
        push    SEL_USER_CODE64                 ; CS
        lea     rax, [rel rt_user_entry]
        push    rax                             ; RIP
        mov     rax, rdi
        mov     rdi, rsi
        mov     rsi, rax
        iretq

; The ring-3 side: fn(arg), then back to ring 0 through a DPL-3 gate.
; rt/user.c makes this code's page user-accessible while it runs.
align 16
rt_user_entry:
        call    rsi
        int     VEC_USER_RETURN
        ud2
rt_user_entry_end:

section .rodata
align 8
rt_isr_stubs:
        EXCEPTION_STUB_TABLE 256
