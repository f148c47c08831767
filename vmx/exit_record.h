/* The current VM exit, read lazily: each exit-information field and each
 * guest field the handlers share is read from the VMCS on first use and
 * kept for the rest of this exit (NOVA's and KVM's register caches). A
 * handler that changes one of the guest fields does it through
 * exit_set(), so the copy and the VMCS never disagree. Nested reflection
 * will hand exactly this record to L1.
 *
 * State owner: struct vcpu's `exit`, reset by vmx_handle_exit() at every
 * exit, written only through these functions. */
#ifndef NESTOR_VMX_EXIT_RECORD_H
#define NESTOR_VMX_EXIT_RECORD_H

#include <stdint.h>
#include "lib/compiler.h"
#include "vmx/exit_trace.h"
#include "vmx/vmcs.h"

enum exit_field {
	EF_QUAL,         /* exit qualification (27.2.1) */
	EF_INSN_LEN,     /* VM-exit instruction length (27.2.5) */
	EF_INSN_INFO,    /* VM-exit instruction information (27.2.5) */
	EF_INTR_INFO,    /* VM-exit interruption information (27.2.2) */
	EF_INTR_ERROR,   /* ... and its error code */
	EF_IDT_INFO,     /* IDT-vectoring information (27.2.4) */
	EF_IDT_ERROR,    /* ... and its error code */
	EF_GPA,          /* guest-physical address (27.2.1) */
	EF_GLA,          /* guest-linear address (27.2.1) */
	EF_RIP,          /* guest RIP */
	EF_RFLAGS,       /* guest RFLAGS */
	EF_INTR_STATE,   /* guest interruptibility state (24.4.2) */
	EF_COUNT
};

struct exit_record {
	uint32_t reason;  /* the full exit reason (always read) */
	uint32_t valid;   /* bit f: val[f] holds the field's value */
	uint64_t val[EF_COUNT];
	/* This exit's slot in the exit trace (vmx/exit_trace.h), which gets
	 * the qualification and RIP when they are first read; after a reset
	 * (a level switch: the record no longer describes the exit)
	 * &exit_trace_discard, so the note needs no test. */
	struct exit_trace_entry *trace;
};

extern const enum vmcs_field exit_field_encoding[EF_COUNT];

static inline uint64_t exit_get(struct exit_record *x, enum exit_field f)
{
	if (!(x->valid & (1u << f))) {
		x->val[f] = vmcs_read(exit_field_encoding[f]);
		x->valid |= 1u << f;
		/* f is a constant at every call: this folds away for the
		 * other fields. No extra VMREAD: the trace gets what the
		 * exit reads anyway, as the CPU reported it. */
		if (f == EF_QUAL || f == EF_RIP)
			exit_trace_note(x->trace, f == EF_QUAL ? EXIT_TRACE_QUAL
							       : EXIT_TRACE_RIP,
					x->val[f]);
	}
	return x->val[f];
}

/* Writes a guest field (EF_RIP, EF_RFLAGS, EF_INTR_STATE) and its copy. */
static inline void exit_set(struct exit_record *x, enum exit_field f,
			    uint64_t val)
{
	vmcs_write(exit_field_encoding[f], val);
	x->val[f] = val;
	x->valid |= 1u << f;
}

/* A new exit (vmx_handle_exit()): nothing read yet but the reason; the
 * first reads of qualification and RIP go to trace too. */
static inline void exit_record_start(struct exit_record *x, uint32_t reason,
				     struct exit_trace_entry *trace)
{
	x->reason = reason;
	x->valid = 0;
	x->trace = trace;
}

/* Nothing read yet but the reason, and the exit trace gets no more notes:
 * the record no longer describes the exit the trace recorded. */
static inline void exit_record_reset(struct exit_record *x, uint32_t reason)
{
	exit_record_start(x, reason, &exit_trace_discard);
}

#endif
