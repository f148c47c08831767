/* Nestor's hypercall interface, as a guest sees it. Shared by Nestor and the
 * test guests (tests/guests/), so it holds only constants.
 *
 * A guest calls Nestor with VMCALL (SDM Vol. 3C, 25.1.3: VMCALL in VMX
 * non-root operation always causes a VM exit):
 *   RAX = function number (NESTOR_HC_*), arguments in RBX, RCX, RDX.
 *   On return RAX = result (NESTOR_HC_E* on error, negative), other
 *   registers unchanged unless a function says otherwise.
 * VMCALL from CPL > 0 is refused with NESTOR_HC_EPERM (the guest kernel
 * decides what its user space may do). An unknown function number returns
 * NESTOR_HC_ENOSYS. The presence check is CPUID leaf 0x40000000: EBX, ECX,
 * EDX = "NestorNestor", EAX = the highest hypervisor leaf. */
#ifndef NESTOR_VMX_HYPERCALL_ABI_H
#define NESTOR_VMX_HYPERCALL_ABI_H

#define NESTOR_CPUID_LEAF 0x40000000u
#define NESTOR_CPUID_SIGNATURE "NestorNestor"
#define NESTOR_CPUID_MAX_LEAF 0x40000000u

/* RAX <- (major << 16) | minor. */
#define NESTOR_HC_VERSION 0x4e00u
/* Print RCX bytes (at most NESTOR_HC_PRINT_MAX) at guest-linear address RBX
 * on Nestor's console, prefixed "guest: ". RAX <- bytes printed. */
#define NESTOR_HC_PRINT 0x4e01u
/* Stop the guest with status RBX (low 8 bits): Nestor prints its exit
 * statistics and powers off with that status. Does not return. */
#define NESTOR_HC_EXIT 0x4e02u
/* RAX <- number of VM exits with basic exit reason RBX so far (this VMCALL
 * not counted). Lets tests assert that something caused no exit. */
#define NESTOR_HC_EXIT_COUNT 0x4e03u
/* RAX <- the TSC value Nestor read at its first instruction (GRUB's
 * hand-off), for boot-cost measurement. */
#define NESTOR_HC_BOOT_TSC 0x4e04u

/* Reset the guest: with Nestor's on_guest_reset=restart it starts again
 * from a fresh load of its image (as after a triple fault); otherwise it
 * stops with status 7 like a triple fault. Does not return. */
#define NESTOR_HC_RESET 0x4e05u
/* RAX <- how many times the guest was restarted (on_guest_reset=restart). */
#define NESTOR_HC_RESTARTS 0x4e06u
/* RAX <- how many VMREADs (RBX = 0) or VMWRITEs (RBX = 1) Nestor's exit
 * handling has executed so far, for make bench's per-exit figures. */
#define NESTOR_HC_VMCS_ACCESSES 0x4e07u

#define NESTOR_HC_PRINT_MAX 1024u

#define NESTOR_HC_EPERM (-1L)
#define NESTOR_HC_ENOSYS (-2L)
#define NESTOR_HC_EFAULT (-3L)
#define NESTOR_HC_EINVAL (-4L)

#define NESTOR_VERSION_MAJOR 0
#define NESTOR_VERSION_MINOR 1

/* Guest exit through the isa-debug-exit convention: OUT of the status byte to
 * this port stops the guest like NESTOR_HC_EXIT. IN from it returns 0xff
 * (and is a cheap intercepted I/O for benchmarks). */
#define NESTOR_EXIT_PORT 0xf4

/* The 16-byte pattern Nestor writes over its own free memory so the guest
 * memory-scan test can prove Nestor's memory is never visible. Stored here
 * complemented, so that a test guest's image never contains the pattern:
 * the pattern is ~NESTOR_SENTINEL_INV0 then ~NESTOR_SENTINEL_INV1, at a
 * 16-byte aligned address. */
#define NESTOR_SENTINEL_INV0 0xb1bab2acabadb1b1ull
#define NESTOR_SENTINEL_INV1 0xdedeb3baacb1abbcull

#endif
