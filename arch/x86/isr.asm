; Exception entry points for vectors 0-31 (SDM Vol. 3A, 6.3.1, 6.14).
; Each stub makes the stack look the same (error code or 0, then the vector),
; the common path saves every GPR as a struct trap_frame (arch/x86/traps.h)
; and calls trap_dispatch(frame). If it returns, the frame (possibly edited,
; e.g. RIP moved to a fixup) is restored and IRETQ resumes. The stubs and the
; register save/restore are shared with the test guests
; (arch/x86/exception_stubs.inc).

%include "arch/x86/exception_stubs.inc"

bits 64
section .text
extern trap_dispatch
global isr_table

; Vectors 0-31, packed; error-code vectors per SDM Vol. 3A, Table 6-1.
        EXCEPTION_STUBS 32, 1, isr_common

isr_common:
        PUSH_FRAME_GPRS
        cld
        mov     rdi, rsp        ; 16-byte aligned: the CPU aligned RSP (6.14.2), 22 qwords pushed since
        call    trap_dispatch
        POP_FRAME_GPRS
        iretq

section .rodata
align 8
isr_table:
        EXCEPTION_STUB_TABLE 32
