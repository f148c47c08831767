/* EPT violations and misconfigurations (SDM Vol. 3C, 28.3.3; exit
 * qualification 27.2.1, Table 27-7), and the monitor trap flag that ends a
 * dropped write.
 *
 * Nestor's own memory is mapped to one read-only page of all ones, so a
 * guest read there sees what unassigned memory shows, with no exit. A write
 * exits here: Nestor points the written page(s) at a scratch "sink" page,
 * lets the one instruction complete, then points them back. The write lands
 * in the sink and is lost; the guest never needs to be decoded.
 *
 * "Lets the one instruction complete" uses the monitor trap flag where the
 * CPU has it (25.5.2: an MTF VM exit follows the next instruction). Without
 * it (Bochs' models) Nestor single-steps: RFLAGS.TF = 1 with #DB in the
 * exception bitmap (a single-step trap after the instruction, SDM Vol. 3A
 * 17.3.1.4; it outranks NMI and INTR at that boundary, Table 6-2). The
 * step ends at the #DB exit that reports BS. Said on the console when it is
 * first used, the visible differences: the instruction runs with IF = 0
 * (external interrupts wait until after it), and an exception it raises
 * sees TF = 1 and IF = 0 in its frame and runs with the page still backed
 * by the sink (reads all ones, writes dropped: as before). A write in an STI/MOV-SS shadow or while an event
 * is being re-delivered cannot be stepped this way (VM-entry rules 26.3.1.5)
 * and stops the guest with a message.
 * The xAPIC page (IA32_APIC_BASE) is mapped read-only the same way, so that
 * Nestor sees every write to it, INIT and Start-Up IPIs in particular (the
 * guest must never start another CPU outside VMX): the write lands in the
 * sink during the step, then Nestor forwards the 32-bit register value to
 * the real local APIC, or refuses an INIT/Start-Up ICR write
 * (vmx/apic_icr.c). Reads go to the real APIC without an exit. Registers
 * are written with aligned 32-bit stores (SDM Vol. 3A 11.4.1); what an
 * instruction wrote to the register's first 4 bytes is what is forwarded.
 * Any other violation is a guest-physical address with nothing behind it:
 * Nestor does not emulate MMIO, so it reports the access and stops. */
#include "vmx/exits.h"
#include "arch/x86/regs.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"
#include "vmx/tlb.h"
#include "vmx/apic_icr.h"

#define EPTQ_READ (1u << 0)
#define EPTQ_WRITE (1u << 1)
#define EPTQ_FETCH (1u << 2)
#define EPTQ_LINEAR_VALID (1u << 7)
#define NESTOR_WRITE_LOG_LIMIT 8
#define APIC_REFUSED_LOG_LIMIT 16
#define DR6_BS (1ull << 14)

static bool in_nestor_memory(const struct vcpu *v, uint64_t gpa)
{
	for (unsigned i = 0; i < v->nhidden; i++)
		if (gpa >= ALIGN_DOWN(v->hidden[i].start, PAGE_SIZE) &&
		    gpa < ALIGN_UP(v->hidden[i].end, PAGE_SIZE))
			return true;
	return false;
}

static void step_begin(struct vcpu *v)
{
	static bool warned;
	uint64_t rflags;

	v->step_rip = vmcs_read(VMCS_GUEST_RIP);
	if (v->cfg->mtf) {
		vmcs_set_bits(VMCS_PROC_BASED_CONTROLS, PROC_MONITOR_TRAP_FLAG);
		return;
	}
	if (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & 3)
		guest_unsupported(v, "the guest wrote to Nestor's memory in an STI/MOV-SS shadow; without the monitor trap flag Nestor cannot drop that write");
	if (v->events.pending)
		guest_unsupported(v, "the guest wrote to Nestor's memory while an event was being delivered; without the monitor trap flag Nestor cannot drop that write");
	if (!warned) {
		warned = true;
		pr_warn("nestor: no monitor trap flag on this CPU: guest writes to Nestor's memory and the xAPIC page are single-stepped with RFLAGS.TF and IF=0 (an exception at that instruction sees TF=1, IF=0 in its frame)\n");
	}
	/* IF = 0 for the step: an external interrupt delivered before the
	 * instruction would run its handler with TF = 0 (interrupt gates
	 * clear it) and that handler's own writes would land in the sink
	 * unseen, e.g. a lost EOI. (With MTF the exit comes right after such
	 * a delivery instead: SDM Vol. 3C 26.7.2.) */
	rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	v->step_saved_rflags = rflags;
	vmcs_write(VMCS_GUEST_RFLAGS, (rflags | RFLAGS_TF) & ~RFLAGS_IF);
	vmcs_set_bits(VMCS_EXCEPTION_BITMAP, 1u << VEC_DB);
}

static uint32_t xapic_reg(const struct vcpu *v, unsigned reg)
{
	return *(volatile uint32_t *)(v->apic_gpa + reg);
}

/* The stepped instruction wrote an xAPIC register (in the sink page):
 * forward it to the local APIC, unless it is an INIT/Start-Up IPI. */
static void apic_write_done(struct vcpu *v)
{
	unsigned reg = v->apic_write_reg;
	uint32_t val = *(volatile uint32_t *)(v->sink_page_pa + reg);

	v->apic_write_pending = false;
	if (reg == XAPIC_ICR_LOW) {
		uint32_t dest = xapic_reg(v, XAPIC_ICR_HIGH) >> 24;
		struct apic_self self = { false, xapic_reg(v, XAPIC_ID) >> 24,
					  xapic_reg(v, XAPIC_LDR) >> 24 };

		switch (apic_icr_verdict(val, dest, &self)) {
		case ICR_REFUSE:
			if (v->refused_ipis++ < APIC_REFUSED_LOG_LIMIT)
				pr_warn("nestor: guest %s IPI (xAPIC ICR 0x%x, destination 0x%x) refused: Nestor runs one vCPU and keeps the other CPUs\n",
					apic_icr_mode_name(val), val, dest);
			return;
		case ICR_SEND_TO_SELF:
			val = apic_icr_to_self(val);
			break;
		case ICR_SEND:
			break;
		}
	}
	*(volatile uint32_t *)(v->apic_gpa + reg) = val;
}

/* The instruction is done: Nestor's pages go back to the all-ones page, the
 * xAPIC page to the real APIC, read-only. */
static void step_end(struct vcpu *v)
{
	for (unsigned i = 0; i < v->nsink; i++) {
		if (v->sink_gpa[i] == v->apic_gpa)
			ept_map(&v->ept, v->apic_gpa, v->apic_gpa, PAGE_SIZE,
				EPT_R, EPT_MT_UC);
		else
			ept_map(&v->ept, v->sink_gpa[i], v->hidden_page_pa,
				PAGE_SIZE, EPT_R, EPT_MT_WB);
	}
	v->nsink = 0;
	/* Forward only what the instruction itself wrote: if it faulted (RIP
	 * unchanged) the register slot holds nothing of the guest's. */
	if (v->apic_write_pending && vmcs_read(VMCS_GUEST_RIP) != v->step_rip)
		apic_write_done(v);
	v->apic_write_pending = false;
	if (v->events.nmi_pending) /* held during the step (event_inject.c) */
		vmcs_set_bits(VMCS_PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING);
	flush_guest_ept(v);
	/* The sink must not keep what the guest wrote. */
	memset((void *)v->sink_page_pa, 0xff, PAGE_SIZE);
}

static void sink_write(struct vcpu *v, uint64_t gpa, uint64_t qual)
{
	uint64_t page = ALIGN_DOWN(gpa, PAGE_SIZE);

	if (v->nsink == SINK_MAX_PAGES)
		guest_unsupported(v, "one guest instruction wrote to more of Nestor's pages than Nestor can sink");
	if (v->nestor_memory_writes++ < NESTOR_WRITE_LOG_LIMIT)
		pr_warn("nestor: guest write to Nestor's memory at 0x%lx (RIP 0x%lx, qualification 0x%lx) dropped\n",
			gpa, vmcs_read(VMCS_GUEST_RIP), qual);
	if (ept_map(&v->ept, page, v->sink_page_pa, PAGE_SIZE, EPT_R | EPT_W,
		    EPT_MT_WB))
		guest_unsupported(v, "cannot map the write sink (out of EPT table memory)");
	v->sink_gpa[v->nsink++] = page;
	flush_guest_ept(v);
	if (v->nsink == 1)
		step_begin(v);
}

void sink_abort(struct vcpu *v)
{
	v->apic_write_pending = false;
	if (v->nsink)
		step_end(v);
}

void handle_monitor_trap(struct vcpu *v)
{
	vmcs_clear_bits(VMCS_PROC_BASED_CONTROLS, PROC_MONITOR_TRAP_FLAG);
	step_end(v);
}

bool sink_single_step_done(struct vcpu *v, uint64_t dr6_bits)
{
	uint64_t saved = v->step_saved_rflags, rflags;

	/* Only the single-step trap (BS) ends the step; any other #DB
	 * while stepping is the guest's own and is reflected as usual. */
	if (!v->nsink || v->cfg->mtf || !(dr6_bits & DR6_BS))
		return false;
	vmcs_clear_bits(VMCS_EXCEPTION_BITMAP, 1u << VEC_DB);
	rflags = vmcs_read(VMCS_GUEST_RFLAGS) & ~(RFLAGS_TF | RFLAGS_IF);
	vmcs_write(VMCS_GUEST_RFLAGS, rflags | (saved & (RFLAGS_TF | RFLAGS_IF)));
	step_end(v);
	/* The guest's own #DB (it was single-stepping too, or a breakpoint
	 * hit) is delivered as it would have been. */
	if ((saved & RFLAGS_TF) || (dr6_bits & ~DR6_BS))
		event_queue_exception(&v->events, VEC_DB, false, 0, true,
				      (dr6_bits & ~DR6_BS) |
				      ((saved & RFLAGS_TF) ? DR6_BS : 0));
	return true;
}

void handle_ept_violation(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);

	if (phys_width_ept_violation(v, gpa, q))
		return;
	if (v->apic_gpa && ALIGN_DOWN(gpa, PAGE_SIZE) == v->apic_gpa &&
	    (q & EPTQ_WRITE) && !(q & EPTQ_FETCH)) {
		if (v->nsink)
			guest_unsupported(v, "one guest instruction wrote to the local APIC and to Nestor's memory");
		v->apic_write_pending = true;
		v->apic_write_reg = (unsigned)(gpa & 0xff0);
		memset((void *)v->sink_page_pa, 0, PAGE_SIZE);
		if (ept_map(&v->ept, v->apic_gpa, v->sink_page_pa, PAGE_SIZE,
			    EPT_R | EPT_W, EPT_MT_WB))
			guest_unsupported(v, "cannot map the write sink (out of EPT table memory)");
		v->sink_gpa[v->nsink++] = v->apic_gpa;
		flush_guest_ept(v);
		step_begin(v);
		return;
	}
	if (in_nestor_memory(v, gpa) && (q & EPTQ_WRITE) && !(q & EPTQ_FETCH)) {
		sink_write(v, gpa, q);
		return;
	}
	log_printf(LOG_QUIET,
		   "nestor: guest %s guest-physical 0x%lx%s (linear 0x%lx) at RIP 0x%lx: %s\n",
		   q & EPTQ_FETCH ? "fetched from" : q & EPTQ_WRITE ? "wrote to" : "read",
		   gpa, in_nestor_memory(v, gpa) ? " (Nestor's memory)" : "",
		   q & EPTQ_LINEAR_VALID ? vmcs_read(VMCS_GUEST_LINEAR_ADDRESS) : 0,
		   vmcs_read(VMCS_GUEST_RIP),
		   in_nestor_memory(v, gpa)
			   ? "executing Nestor's memory is not possible"
			   : "nothing is mapped there and Nestor does not emulate devices");
	guest_unsupported(v, "EPT violation Nestor cannot resolve");
}

void handle_ept_misconfig(struct vcpu *v)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	struct ept_walk w;

	ept_walk_caps(&v->ept.ops, v->ept.pml4_pa, &v->ept.caps, gpa, &w);
	log_printf(LOG_QUIET,
		   "nestor: BUG: EPT misconfiguration at guest-physical 0x%lx: %s (entries %lx %lx %lx %lx)\n",
		   gpa, w.why ? w.why : "?", w.entry[0], w.entry[1], w.entry[2],
		   w.entry[3]);
	guest_unsupported(v, "EPT misconfiguration (a bug in Nestor's EPT)");
}
