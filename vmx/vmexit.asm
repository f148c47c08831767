; VM-exit entry and guest (re)entry. Only what C cannot do: save the guest's
; GPRs, call C, restore them, VMRESUME.
;
; HOST_RSP points 8 bytes below the top of the VM-exit stack (so the
; 120-byte frame below leaves RSP 16-byte aligned for the call). The guest
; registers stored here form a struct guest_regs (vmx/vcpu.h): RAX lowest.
; A VM exit loads RSP, RIP and the rest of host state from the VMCS and
; leaves RFLAGS = 0x2 (SDM Vol. 3C, 27.5.3), so interrupts are off here.

bits 64
section .text
extern vmx_handle_exit, vmx_entry_failed
global vmx_exit_entry, vmx_enter_guest

; The frame is stated once, in vmx/guest_regs_layout.h: one GR_SLOT(reg,
; offset) line per register, which vmx/vcpu.h checks against struct
; guest_regs with static assertions and which these macros expand into the
; stores and loads (the register names are the same in C and NASM).
GUEST_REGS_SIZE equ 120

%macro PUSH_GUEST_REGS 0
        sub     rsp, GUEST_REGS_SIZE
%define GR_SLOT(r, off) mov [rsp + off], r
%include "vmx/guest_regs_layout.h"
%undef GR_SLOT
%endmacro

%macro POP_GUEST_REGS 0
%define GR_SLOT(r, off) mov r, [rsp + off]
%include "vmx/guest_regs_layout.h"
%undef GR_SLOT
        lea     rsp, [rsp + GUEST_REGS_SIZE]    ; keeps the flags (test below)
%endmacro

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
        lea     rdi, [rsp - 8 - GUEST_REGS_SIZE] ; the guest register block again
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
