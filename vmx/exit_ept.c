/* EPT violations and misconfigurations (SDM Vol. 3C, 28.3.3; exit
 * qualification 27.2.1, Table 27-7).
 *
 * Nestor's own memory is mapped to one read-only page of all ones, so a
 * guest read there sees what unassigned memory shows, with no exit. The
 * xAPIC page (IA32_APIC_BASE) is mapped read-only too, so that Nestor sees
 * every write to it, INIT and Start-Up IPIs in particular (the guest must
 * never start another CPU outside VMX); reads go to the real APIC without
 * an exit. A write to either is stepped through the write sink
 * (vmx/write_step.c). Any other violation is a guest-physical address with
 * nothing behind it: Nestor does not emulate MMIO, so it reports the
 * access and stops. A fetch from a page with EPT breakpoints (X off,
 * vmx/ept_break.c) is theirs first: a hit, or a step over the instruction. */
#include "vmx/exits.h"
#include "vmx/ept_break.h"
#include "arch/x86/regs.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"
#include "vmx/tlb.h"
#include "vmx/write_step.h"

#define EPTQ_READ (1u << 0)
#define EPTQ_WRITE (1u << 1)
#define EPTQ_FETCH (1u << 2)
#define EPTQ_LINEAR_VALID (1u << 7)

void handle_ept_violation(struct vcpu *v)
{
	uint64_t q = exit_get(&v->exit, EF_QUAL);
	uint64_t gpa = exit_get(&v->exit, EF_GPA);
	bool write = (q & EPTQ_WRITE) && !(q & EPTQ_FETCH);

	if (unlikely(ept_break_violation(v, gpa, q)))
		return;
	if (write && v->vm->apic_gpa && ALIGN_DOWN(gpa, PAGE_SIZE) == v->vm->apic_gpa) {
		write_step_apic_page(v, gpa);
		return;
	}
	if (write && in_nestor_memory(v->vm, gpa)) {
		write_step_nestor_page(v, gpa, q);
		return;
	}
	/* Not a page the open step can take: the instruction did not
	 * retire (vmx/write_step.c). */
	if (write_step_open(&v->step))
		write_step_close(v);
	if (phys_width_ept_violation(v, gpa, q))
		return;
	log_printf(LOG_QUIET,
		   "nestor: guest %s guest-physical 0x%lx%s (linear 0x%lx) at RIP 0x%lx: %s\n",
		   q & EPTQ_FETCH ? "fetched from" : q & EPTQ_WRITE ? "wrote to" : "read",
		   gpa, in_nestor_memory(v->vm, gpa) ? " (Nestor's memory)" : "",
		   q & EPTQ_LINEAR_VALID ? exit_get(&v->exit, EF_GLA) : 0,
		   exit_get(&v->exit, EF_RIP),
		   in_nestor_memory(v->vm, gpa)
			   ? "executing Nestor's memory is not possible"
			   : "nothing is mapped there and Nestor does not emulate devices");
	guest_unsupported(v, "EPT violation Nestor cannot resolve");
}

void handle_ept_misconfig(struct vcpu *v)
{
	uint64_t gpa = exit_get(&v->exit, EF_GPA);
	struct ept_walk w;

	ept_walk_caps(&v->vm->ept.ops, v->vm->ept.pml4_pa, &v->vm->ept.caps, gpa, &w);
	log_printf(LOG_QUIET,
		   "nestor: BUG: EPT misconfiguration at guest-physical 0x%lx: %s (entries %lx %lx %lx %lx)\n",
		   gpa, w.why ? w.why : "?", w.entry[0], w.entry[1], w.entry[2],
		   w.entry[3]);
	guest_unsupported(v, "EPT misconfiguration (a bug in Nestor's EPT)");
}
