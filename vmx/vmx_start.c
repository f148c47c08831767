/* VMX bring-up for the one guest: configuration from the capability MSRs
 * (vmx/caps.c), EPT (mm/ept.c), VMXON (vmx/vmx_enable.c), VMCS setup
 * (vmx/vmcs_setup.c) and the first VMLAUNCH (vmx/vmexit.asm). */
#include "vmx/vmx_start.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "arch/x86/traps.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/pool.h"
#include "vmx/nested_seam.h"
#include "vmx/entry_failure.h"
#include "vmx/exits.h"
#include "vmx/gdb_stub.h"
#include "vmx/io_bitmap.h"
#include "vmx/msr_policy.h"
#include "vmx/mtrr.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_enable.h"
#include "vmx/vmcs_track.h"
#include "vmx/guest_console.h"
#include "vmx/tlb.h"
#include "vmx/vmx_options.h"

struct vmx_options vmx_options;
#include "vmx/vmx_msrs.h"

#define EXIT_STACK_SIZE (16 * 1024)
#define CPUID_1_ECX_XSAVE (1u << 26)

extern void vmx_enter_guest(struct guest_regs *regs, int launch);

/* What Nestor's own VMCS needs (SDM Vol. 3C, 24.6-24.8). */
static const struct vmx_wanted l0_wanted = {
	.required = {
		[VMX_PIN] = PIN_NMI_EXITING | PIN_VIRTUAL_NMIS,
		[VMX_PROC] = PROC_HLT_EXITING | PROC_USE_IO_BITMAPS |
			     PROC_USE_MSR_BITMAPS | PROC_SECONDARY_CONTROLS,
		[VMX_PROC2] = PROC2_ENABLE_EPT,
		[VMX_EXIT] = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER |
			     EXIT_LOAD_EFER,
		[VMX_ENTRY] = ENTRY_LOAD_EFER,
	},
	.optional = {
		[VMX_PROC2] = PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST |
			      PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
			      PROC2_ENABLE_XSAVES,
		[VMX_EXIT] = EXIT_SAVE_PAT | EXIT_LOAD_PAT |
			     EXIT_SAVE_DEBUG_CONTROLS,
		[VMX_ENTRY] = ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG_CONTROLS,
	},
};

static void print_diag(void *ctx, bool fatal, const char *msg)
{
	(void)ctx;
	log_printf(fatal ? LOG_QUIET : LOG_WARN, "nestor: VMX %s: %s\n",
		   fatal ? "refused" : "warning", msg);
}

/* The CPU's capability MSRs: nested VMX derives L1's view from them. */
static struct vmx_msrs host_msrs;

int vmx_configure(struct vmx_config *cfg)
{
	struct vmx_msrs m;

	vmx_msrs_read(&m);
	host_msrs = m;
	if (vmx_config_build(&m, &l0_wanted, cfg, print_diag, NULL))
		return -1;
	pr_info("nestor: VMX controls: pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n",
		cfg->ctl[VMX_PIN], cfg->ctl[VMX_PROC], cfg->ctl[VMX_PROC2],
		cfg->ctl[VMX_EXIT], cfg->ctl[VMX_ENTRY]);
	pr_info("nestor: EPT%s%s, VPID %s, unrestricted guest %s\n",
		cfg->ept_1g ? " 1G" : "", cfg->ept_2m ? " 2M" : "",
		cfg->vpid ? "on" : "off", cfg->unrestricted_guest ? "on" : "off");
	return 0;
}

/* Running out of Nestor's memory while starting the guest: nestor_mem= is
 * too small for it (pool_alloc() said so and what wanted the page). A
 * configuration problem, refused cleanly, never a fault. */
static NORETURN void launch_out_of_memory(const char *doing)
{
	log_printf(LOG_QUIET, "nestor: FATAL: the guest cannot be started: Nestor's memory ran out while %s\n",
		   doing);
	power_off(NESTOR_EXIT_BAD_CONFIG);
}

static uint64_t launch_page(const char *what)
{
	uint64_t pa = pool_alloc(what);

	if (!pa)
		launch_out_of_memory(what);
	return pa;
}

/* EPT paging-structure pages come from the pool (pool_ept_ops()); at run
 * time (the MAXPHYADDR probe, page splits) a failed allocation fails the
 * ept_map() and its caller stops the guest. */

/* The xAPIC page read-only, so every guest write to it exits
 * (vmx/exit_ept.c): Nestor must see INIT/Start-Up IPIs. Its memory type
 * stays UC (SDM Vol. 3A 11.4.1: the APIC page must be strong uncacheable). */
static void trap_apic_writes(struct vcpu *v)
{
	/* The base field counts whatever IA32_APIC_BASE.EN says (11.4.4): a
	 * guest may enable the APIC later without moving it. */
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	v->vm->apic_gpa = base & 0x000ffffffffff000ull;
	if (ept_map(&v->vm->ept, v->vm->apic_gpa, v->vm->apic_gpa, PAGE_SIZE, EPT_R,
		    EPT_MT_UC))
		launch_out_of_memory("mapping the local APIC page read-only in EPT");
}

static void build_ept(struct vcpu *v, const struct mem_region *map,
		      unsigned nmap, uint64_t limit)
{
	struct ept_mem_ops ops = pool_ept_ops("an EPT paging-structure page");
	/* EPT entries hold host-physical addresses: the CPU's width. */
	struct ept_caps caps = ept_caps_from_msr(v->cfg->ept_vpid_cap,
						 v->vm->host_maxphyaddr);

	if (ept_init(&v->vm->ept, &ops, &caps)) {
		if (!pool_free_bytes())
			launch_out_of_memory("setting up EPT");
		panic("EPT cannot be set up with capabilities 0x%lx",
		      v->cfg->ept_vpid_cap);
	}
	v->vm->hidden_page_pa = launch_page("the page shown in place of Nestor's memory");
	memset((void *)v->vm->hidden_page_pa, 0xff, PAGE_SIZE);
	v->sink_page_pa = launch_page("the write sink page");
	memset((void *)v->sink_page_pa, 0xff, PAGE_SIZE);
	if (ept_build_identity(&v->vm->ept, map, nmap, v->vm->hidden, v->vm->nhidden, limit,
			       v->vm->hidden_page_pa))
		launch_out_of_memory("building the EPT identity map");
	trap_apic_writes(v);
	v->vm->eptp = ept_eptp(&v->vm->ept, false);
	pr_info("nestor: EPT identity map of [0, 0x%lx): %u table pages\n", limit,
		ept_table_pages(&v->vm->ept));
}

static void enable_host_xsave(void)
{
	/* XSETBV exits are emulated by executing XSETBV in VMX root
	 * operation, which needs CR4.OSXSAVE (SDM Vol. 2C, XSETBV). */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
}

static void load_vmcs(struct vcpu *v)
{
	enum vmx_status st;

	v->vmcs01.lv.pa = launch_page("the guest's VMCS");
	/* 24.2: the first 4 bytes of the VMCS region hold the revision id;
	 * VMCLEAR makes its launch state "clear" (24.11.3). From the
	 * VMPTRLD on, the VMCS is on this CPU's loaded list
	 * (vmx/vmcs_track.c) so that every way out clears it. */
	*(uint32_t *)v->vmcs01.lv.pa = v->cfg->revision;
	if (loaded_vmcs_init(&v->vmcs01.lv, v->vmcs01.lv.pa) != LOADED_VMCS_OK)
		panic("VMCS region 0x%lx is not a valid address", v->vmcs01.lv.pa);
	st = vmclear(v->vmcs01.lv.pa);
	if (st == VMX_OK)
		st = vmcs_load(&v->vmcs01.lv);
	if (st != VMX_OK)
		panic("VMCLEAR/VMPTRLD of the VMCS at 0x%lx failed (status %d)",
		      v->vmcs01.lv.pa, st);
}

/* NMI context, inside Nestor (SDM Vol. 3C, 25.2 delivers NMIs that arrive
 * during guest execution as VM exits; these arrived in VMX root operation):
 * queue it for the guest and open the NMI window so it is injected at the
 * next VM entry even if the event queue was already delivered for this one
 * (vmx/vmcs_ctls.c keeps that race-free against the controls' sync). */
static void nmi_for_guest(void)
{
	struct vcpu *v = this_vcpu();

	event_queue_nmi(&v->events);
	/* Between a teardown and the next VMPTRLD (a restart) there is no
	 * current VMCS to touch, and while nested/ syncs L1's shadow VMCS
	 * that one is current: the NMI waits in the queue, and the exit
	 * path opens the window before the next entry (events_deliver()). */
	if (!vmx_cpu_current_is(&v->cur->lv))
		return;
	if (crash_test_guest_nmi())
		v->relaunch = true; /* the VMCS was cleared and loaded again */
	vmcs_ctls_nmi_window_now(v);
}

static bool read_cpu_mtrr(uint32_t msr, uint64_t *val)
{
	return rdmsr_checked(msr, val) == 0;
}

/* The guest's MTRRs start as the firmware left the CPU's (vmx/mtrr.h). */
static void init_guest_mtrrs(struct vcpu *v)
{
	bool present = cpuid(1, 0).edx & CPUID_1_EDX_MTRR;

	if (!mtrr_init(&v->mtrr, present, read_cpu_mtrr, v->vm->maxphyaddr))
		panic("reading this CPU's MTRRs faulted although CPUID.01H:EDX.MTRR = 1");
}

/* Everything the current VMCS holds for a guest starting at e (a first
 * launch or a restart): controls, host state, guest state, and the guest's
 * registers. */
static void program_vmcs(struct vcpu *v, const struct guest_entry *e)
{
	v->cur = &v->vmcs01;
	v->level = VCPU_L1;
	v->wants = (struct l0_wants){ 0 };
	vmcs_setup_controls(v, &v->host_pages);
	vmcs_setup_host_state(v->cfg, &v->host_pages);
	memset(v->regs, 0, sizeof(*v->regs));
	vmcs_setup_guest_state(v, e);
	phys_width_setup(v, v->vm->zero_page_pa);
	init_guest_mtrrs(v);
	guest_console_program(v);
	if (v->cfg->ctl[VMX_PROC2] & PROC2_ENABLE_XSAVES)
		/* XSAVES/XRSTORS of PT state exit (24.6.20); the guest
		 * cannot set IA32_XSS[8] anyway (vmx/exit_msr.c). */
		vmcs_write(VMCS_XSS_EXIT_BITMAP, XSS_PT);
	/* Every control field, from the wants set above. */
	vmcs_ctls_sync(v, true);
	v->requests = 0;
	exit_record_reset(&v->exit, 0);
	v->time_exits = log_get_level() >= LOG_DEBUG;
}

/* on_guest_reset=restart (SDM Vol. 3C 24.11.3, 26.1): the guest's VMCS is
 * cleared with everything else through the crash path's teardown (VMX is
 * left), the image is loaded again, VMX is entered again and the same VMCS
 * region is loaded without another VMCLEAR: the VMLAUNCH that follows
 * (vmx_handle_exit returns 1) succeeds only because the teardown cleared its
 * launch state. */
/* nested=on: what L1 is shown of VMX. The capability MSRs come from the
 * CPU's through the one pure derivation (vmx_l1_msrs()); IA32_FEATURE_CONTROL
 * is locked with VMX outside SMX enabled, as firmware leaves it (SDM Vol. 3C
 * 23.7); SMX is hidden, so VMX inside SMX is not enabled. */
static void init_nested_view(struct vcpu *v)
{
	uint64_t fc = 0;
	uint32_t hide[VMX_CTL_KINDS] = { 0 };

	v->vm->nested = vmx_options.nested;
	if (!v->vm->nested)
		return;
	/* Issue 15 item 4: under a guest MAXPHYADDR below the CPU's, an L1
	 * without EPT whose APIC-access page is not its RAM cannot be run
	 * faithfully (nested/l2.c refuses it), so "virtualize APIC
	 * accesses" is not shown (A.3.3: allowed-1 clear). */
	if (v->vm->reduced_width)
		hide[VMX_PROC2] = PROC2_VIRTUALIZE_APIC_ACCESSES;
	vmx_l1_msrs(&host_msrs, hide, &v->vm->l1_caps);
	v->vm->host_caps = host_msrs;
	if (rdmsr_checked(MSR_IA32_FEATURE_CONTROL, &fc))
		fc = 0;
	v->l1vmx.feature_control = (fc | FEATURE_CONTROL_LOCKED |
				    FEATURE_CONTROL_VMX_OUTSIDE_SMX) &
				   ~(uint64_t)FEATURE_CONTROL_VMX_INSIDE_SMX;
	pr_info("nestor: nested VMX on: the guest sees VMX (nested=off hides it)\n");
}

void vmx_restart_guest(struct vcpu *v, const char *why)
{
	struct guest_entry e;
	char err[160];

	log_printf(LOG_QUIET, "nestor: guest %s: restarting it from a fresh load of its image (on_guest_reset=restart)\n",
		   why);
	vmcs_clear(&v->vmcs01.lv);
	vmx_cpu_teardown("guest restart");
	if (!vmx_options.reload_guest ||
	    vmx_options.reload_guest(v, &e, err, sizeof(err))) {
		log_printf(LOG_QUIET, "nestor: cannot restart the guest: %s\n", err);
		exit_stats_print(v);
		power_off(NESTOR_EXIT_GUEST_TRIPLE_FAULT);
	}
	if (v->probe_gpa && ept_unmap(&v->vm->ept, v->probe_gpa, PAGE_SIZE))
		panic("cannot unmap the MAXPHYADDR probe page");
	v->probe_gpa = 0;
	memset(&v->events, 0, sizeof(v->events));
	/* A reset leaves VMX operation (SDM Vol. 3C 23.7 / 34.x: INIT and
	 * reset put the CPU outside VMX); nested/ starts afresh at VMXON. */
	v->l1vmx.on = false;
	v->wants.l1_vmx_root = false;
	v->wants.vmcs_shadowing = false;
	nested_vcpu_init(v); /* no VMXON pointer, no current VMCS */
	if (vmx_cpu_reenter())
		power_off(NESTOR_EXIT_NO_VMX);
	write_step_abort(v); /* INVEPT needs VMX operation */
	if (vmcs_load(&v->vmcs01.lv) != VMX_OK)
		panic("VMPTRLD of the recycled VMCS 0x%lx failed", v->vmcs01.lv.pa);
	program_vmcs(v, &e);
	flush_guest_tlb(v); /* nothing cached from the last run survives */
	v->restarts++;
	v->relaunch = true;
	v->announce_launch = true;
	pr_info("nestor: entering the guest again at 0x%lx (restart %u)\n", e.rip,
		v->restarts);
}

void vmx_launch_guest(struct vcpu *v, const struct guest_entry *e,
		      const struct mem_region *map, unsigned nmap,
		      uint64_t ept_limit)
{
	struct vmx_host_pages hp;
	uint64_t stack;

	v->level = VCPU_L1;
	v->vpid = v->cfg->vpid ? 1 : 0;
	init_nested_view(v);
	/* After init_nested_view(): nested/ keys on vm->nested, and a v->nested
	 * left NULL would put L1's nested state at address 0. */
	nested_vcpu_init(v);
	build_ept(v, map, nmap, ept_limit);

	hp.msr_bitmap = launch_page("the MSR bitmap");
	msr_bitmap_build(v->vm->msr_filter, (uint8_t *)hp.msr_bitmap);
	if (v->vm->reduced_width)
		phys_width_msr_intercepts((uint8_t *)hp.msr_bitmap);
	hp.io_bitmap_a = launch_page("I/O bitmap A");
	hp.io_bitmap_b = launch_page("I/O bitmap B");
	if (vmx_options.console_emulate)
		guest_console_setup(vmx_options.console_port,
				    vmx_options.console_escape);
	io_bitmap_build((uint8_t *)hp.io_bitmap_a, (uint8_t *)hp.io_bitmap_b);
	stack = pool_alloc_contig(EXIT_STACK_SIZE / PAGE_SIZE, "the VM-exit stack");
	if (!stack)
		launch_out_of_memory("allocating the VM-exit stack");
	hp.exit_stack_top = stack + EXIT_STACK_SIZE;

	v->host_pages = hp;
	v->vm->zero_page_pa = v->vm->reduced_width ?
		launch_page("the MAXPHYADDR probe's zero page") : 0;

	enable_host_xsave();
	if (vmx_enable(v->cfg, launch_page("the VMXON region")))
		power_off(NESTOR_EXIT_NO_VMX);
	load_vmcs(v);
	/* The guest's registers live at the bottom of the exit stack, where
	 * vmx/vmexit.asm pushes them on every exit. */
	v->regs = (struct guest_regs *)(hp.exit_stack_top - 8 -
					sizeof(struct guest_regs));
	program_vmcs(v, e);
	entry_failure_apply_test_breakage();
	pr_info("nestor: Nestor's memory: %lu KiB in use after the launch, %lu KiB free\n",
		pool_used_bytes() >> 10, pool_free_bytes() >> 10);
	if (vmx_options.test_pool_spare)
		pool_test_leave_free(vmx_options.test_pool_spare);

	pr_info("nestor: entering the guest at 0x%lx (%s)\n", e->rip,
		e->mode == GUEST_ENTRY_LONG64 ? "64-bit" : "32-bit protected mode, paging off");
	traps_set_nmi_hook(nmi_for_guest);
	if (vmx_options.test_vmx_panic)
		panic("test_fault=vmx_panic: a panic in VMX operation with the guest's VMCS loaded");
	gdb_stub_launch(v);
	if (v->requests & VCPU_REQ_CONTROLS) {
		v->requests &= ~VCPU_REQ_CONTROLS;
		vmcs_ctls_sync(v, false);
	}
	v->first_entry_tsc = rdtsc();
	vmx_enter_guest(v->regs, 1);
	panic("vmx_enter_guest returned");
}

/* vmx/vmexit.asm lands here when VMLAUNCH/VMRESUME fails (26.1, 26.2):
 * flags say VMfailInvalid or VMfailValid. */
void vmx_entry_failed(struct guest_regs *regs, uint64_t rflags)
{
	struct vcpu *v = this_vcpu();

	v->regs = regs;
	entry_failure_vmfail(v, rflags);
}
