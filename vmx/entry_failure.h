/* Explaining failed VM entries with the software auditor (vmx/entry_checks.c). */
#ifndef NESTOR_VMX_ENTRY_FAILURE_H
#define NESTOR_VMX_ENTRY_FAILURE_H

#include <stdint.h>
#include "lib/compiler.h"
#include "vmx/vcpu.h"

/* VMLAUNCH/VMRESUME returned VMfailInvalid/VMfailValid (SDM Vol. 3C, 26.1,
 * 26.2): report the error and the SDM checks that fail, then stop. */
NORETURN void entry_failure_vmfail(struct vcpu *v, uint64_t rflags);
/* A VM exit with bit 31 of the exit reason set (26.3, 26.4, 26.8): exit
 * reasons 33, 34, 41. */
NORETURN void entry_failure_report(struct vcpu *v, uint32_t reason);
/* Test only (test_break_guest=): corrupt one guest-state field. */
void entry_failure_apply_test_breakage(void);

#endif
