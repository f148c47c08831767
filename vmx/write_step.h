/* One guest instruction run with some of its pages behind the write sink:
 * a write to Nestor's memory (dropped) or to the xAPIC page (forwarded to
 * the local APIC after it, unless it is an IPI Nestor refuses). See
 * vmx/write_step.c. */
#ifndef NESTOR_VMX_WRITE_STEP_H
#define NESTOR_VMX_WRITE_STEP_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Guest pages temporarily backed by the write sink. */
#define SINK_MAX_PAGES 4
/* Pages of EPT breakpoints (vmx/ept_break.c) with X back for the step:
 * an instruction spans two pages at most. */
#define EXEC_MAX_PAGES 2

/* State owner: vmx/write_step.c writes every field (and the wants mtf,
 * ext_int_exiting and all_exceptions, vmx/l0_controls.h); others only ask
 * write_step_open(). */
struct write_step {
	uint64_t sink_gpa[SINK_MAX_PAGES]; /* pages now on the sink */
	unsigned nsink;
	uint64_t exec_gpa[EXEC_MAX_PAGES]; /* pages now executable */
	unsigned nexec;                /* nsink + nexec != 0: a step is open */
	uint64_t rip;                  /* the instruction being stepped */
	bool tf_step;                  /* stepped with TF (no MTF) */
	uint64_t saved_rflags;         /* TF step: the guest's own TF and IF */
	uint64_t saved_debugctl;       /* TF step: the guest's IA32_DEBUGCTL */
	bool apic_write;               /* the sink stands for the xAPIC page */
	unsigned apic_reg;             /* the register the guest wrote */
	uint64_t stuck_rip;            /* closed without retiring ... */
	unsigned stuck_count;          /* ... this many times in a row */
};

static inline bool write_step_open(const struct write_step *s)
{
	return s->nsink != 0 || s->nexec != 0;
}

/* EPT-violation exits: a guest write to one of Nestor's pages, or to the
 * xAPIC page at gpa. Opens the step, or adds the page to the open one. */
void write_step_nestor_page(struct vcpu *v, uint64_t gpa, uint64_t qual);
void write_step_apic_page(struct vcpu *v, uint64_t gpa);

/* An instruction fetch from a page with EPT breakpoints that is not a hit
 * (vmx/ept_break.c): the page executable for one instruction. Opens the
 * step, or adds the page to the open one. */
void write_step_exec_page(struct vcpu *v, uint64_t gpa);

/* An exception or NMI exit while the step is open. True if it was the
 * step's own end (the instruction retired; any #DB the guest itself is
 * due has been queued); false if the step was closed without the
 * instruction retiring and the exit must be handled as usual. */
bool write_step_exception(struct vcpu *v, uint32_t intr_info, uint64_t qual);

/* The monitor-trap-flag exit that ends the step. */
void write_step_mtf(struct vcpu *v);

/* Any other exit while the step is open: the instruction did not retire;
 * the pages go back and the guest's flags and intercepts are restored. */
void write_step_close(struct vcpu *v);

/* A restart (the VMCS is programmed anew): the pages go back, nothing is
 * forwarded, no VMCS field is touched. */
void write_step_abort(struct vcpu *v);

#endif
