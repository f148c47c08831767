; Exception entry points for vectors 0-31 (SDM Vol. 3A, 6.3.1, 6.14).
; Each stub makes the stack look the same (error code or 0, then the vector),
; the common path saves every GPR as a struct trap_frame (arch/x86/traps.h)
; and calls trap_dispatch(frame). If it returns, the frame (possibly edited,
; e.g. RIP moved to a fixup) is restored and IRETQ resumes.

bits 64
section .text
extern trap_dispatch
global isr_table

; Vectors that push an error code: 8, 10-14, 17, 21, 29, 30 (SDM Vol. 3A, Table 6-1).
%assign v 0
%rep 32
isr_%[v]:
%if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)
        push    0
%endif
        push    v
        jmp     isr_common
%assign v v + 1
%endrep

isr_common:
        push    rax
        push    rbx
        push    rcx
        push    rdx
        push    rsi
        push    rdi
        push    rbp
        push    r8
        push    r9
        push    r10
        push    r11
        push    r12
        push    r13
        push    r14
        push    r15
        cld
        mov     rdi, rsp        ; 16-byte aligned: the CPU aligned RSP (6.14.2), 22 qwords pushed since
        call    trap_dispatch
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     r11
        pop     r10
        pop     r9
        pop     r8
        pop     rbp
        pop     rdi
        pop     rsi
        pop     rdx
        pop     rcx
        pop     rbx
        pop     rax
        add     rsp, 16         ; vector and error code
        iretq

section .rodata
align 8
isr_table:
%assign v 0
%rep 32
        dq isr_%[v]
%assign v v + 1
%endrep
