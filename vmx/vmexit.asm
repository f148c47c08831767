; VM-exit entry and guest (re)entry. Only what C cannot do: save the guest's
; GPRs, call C, restore them, VMRESUME.
;
; HOST_RSP points 8 bytes below the top of the VM-exit stack (so the 15
; pushes below leave RSP 16-byte aligned for the call). The guest registers
; pushed here form a struct guest_regs (vmx/vcpu.h): RAX lowest.
; A VM exit loads RSP, RIP and the rest of host state from the VMCS and
; leaves RFLAGS = 0x2 (SDM Vol. 3C, 27.5.3), so interrupts are off here.

bits 64
section .text
extern vmx_handle_exit, vmx_entry_failed
global vmx_exit_entry, vmx_enter_guest

%macro PUSH_GUEST_REGS 0
        push    r15
        push    r14
        push    r13
        push    r12
        push    r11
        push    r10
        push    r9
        push    r8
        push    rdi
        push    rsi
        push    rbp
        push    rbx
        push    rdx
        push    rcx
        push    rax
%endmacro

%macro POP_GUEST_REGS 0
        pop     rax
        pop     rcx
        pop     rdx
        pop     rbx
        pop     rbp
        pop     rsi
        pop     rdi
        pop     r8
        pop     r9
        pop     r10
        pop     r11
        pop     r12
        pop     r13
        pop     r14
        pop     r15
%endmacro


; Restore the guest's GPRs and enter it: VMLAUNCH if EBX != 0 (the
; choice travels in RBX, which is restored last from the stack), else
; VMRESUME. Reaching the instruction after them means VMfail (SDM Vol. 3C,
; 26.1, 26.2): report it from C with the flags.
%macro POP_GUEST_REGS_AND_ENTER 0
        test    ebx, ebx
        POP_GUEST_REGS
        jnz     %%launch
        vmresume
        jmp     %%failed
%%launch:
        vmlaunch
%%failed:
        ; RSP = HOST_RSP: the register block lies below it, and the 8
        ; bytes at HOST_RSP up to the stack top are unused, so RFLAGS is
        ; pushed there without touching the saved R15.
        add     rsp, 8
        pushfq
        pop     rsi                     ; RFLAGS: CF = VMfailInvalid, ZF = VMfailValid
        lea     rdi, [rsp - 8 - 120]    ; the guest register block again
        mov     rsp, rdi
        and     rsp, -16
        call    vmx_entry_failed        ; does not return
        ud2
%endmacro

vmx_exit_entry:
        PUSH_GUEST_REGS
        mov     rdi, rsp                ; struct guest_regs *
        xor     ebp, ebp                ; backtraces stop here
        call    vmx_handle_exit         ; returns 0: VMRESUME, 1: VMLAUNCH
        mov     ebx, eax
        POP_GUEST_REGS_AND_ENTER

; vmx_enter_guest(struct guest_regs *regs, int launch): regs must be the
; register block at the bottom of the VM-exit stack (HOST_RSP - 120).
vmx_enter_guest:
        mov     rsp, rdi
        mov     ebx, esi
        POP_GUEST_REGS_AND_ENTER
