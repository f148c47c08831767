/* One virtual CPU: everything Nestor knows about a guest CPU lives here.
 * Today there is one vCPU (the one L1 guest, on the boot CPU); the level
 * field is where nested VMX will record whether L1 or L2 runs. */
#ifndef NESTOR_VMX_VCPU_H
#define NESTOR_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "mm/ept.h"
#include "mm/mem_region.h"
#include "vmx/caps.h"
#include "vmx/events.h"
#include "vmx/exit_reasons.h"
#include "vmx/loaded_vmcs.h"
#include "vmx/msr_filter.h"
#include "vmx/mtrr.h"
#include "vmx/write_step.h"

/* Guest GPRs saved by vmx/vmexit.asm (RSP lives in the VMCS). The order
 * follows the architectural register numbers (RAX=0 ... R15=15) with the
 * RSP slot left out; gpr_read()/gpr_write() map numbers to slots. */
struct guest_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vcpu_level { VCPU_L1 = 1, VCPU_L2 = 2 };

/* Nestor's pages the VMCS points at (vmx/vmcs_setup.c). */
struct vmx_host_pages {
	uint64_t msr_bitmap, io_bitmap_a, io_bitmap_b;
	uint64_t exit_stack_top; /* 16-byte aligned */
};

/* Per-exit-reason statistics (count, TSC ticks spent in Nestor). */
struct exit_stats {
	uint64_t count[EXIT_REASON_MAX];
	uint64_t ticks[EXIT_REASON_MAX];
	uint64_t total_exits;
	uint64_t pf_exits;           /* #PF exits (exception bitmap bit 14) */
};

/* The guest's RAM as Nestor lets it be reached: guest-physical ranges that
 * are ordinary guest RAM (identity-mapped, not Nestor's). */
#define GUEST_MEM_MAX_REGIONS 64
struct guest_mem {
	struct phys_range ram[GUEST_MEM_MAX_REGIONS];
	unsigned nram;
};

struct vcpu {
	struct guest_regs *regs;     /* on the VM-exit stack */
	enum vcpu_level level;
	const struct vmx_config *cfg;
	uint64_t vmcs_pa;
	bool launched;
	struct loaded_vmcs vmcs;     /* vmcs_pa on this CPU's loaded list */
	bool relaunch;               /* next entry is VMLAUNCH (recycled VMCS) */
	bool announce_launch;        /* log when that VMLAUNCH worked */
	unsigned restarts;           /* on_guest_reset=restart so far */
	bool restart_on_reset;       /* on_guest_reset=restart */
	struct vmx_host_pages host_pages;
	uint16_t vpid;               /* 0 = VPID not in use */
	unsigned maxphyaddr;         /* the guest's physical-address width */
	unsigned host_maxphyaddr;    /* the CPU's (EPT uses it) */
	/* maxphyaddr < host_maxphyaddr: vmx/phys_width_exits.c is active. */
	bool reduced_width;
	uint64_t probe_gpa;          /* != 0: page mapped to the zero page */
	uint64_t probe_la;           /* the linear address being probed */
	uint64_t zero_page_pa;       /* all zeros: not-present entries */

	struct ept ept;
	uint64_t eptp;
	uint64_t hidden_page_pa;     /* all-ones page behind Nestor's memory */
	uint64_t sink_page_pa;       /* write sink for dropped writes */
	struct write_step step;      /* vmx/write_step.c */

	struct guest_mem mem;
	const struct phys_range *hidden; /* Nestor's memory, never guest RAM */
	unsigned nhidden;

	uint64_t cr0_guest_host_mask, cr4_guest_host_mask;
	/* Owned bits whose value is the guest's: owned only so that writes
	 * exit (e.g. to reload PAE PDPTEs with the guest's width). */
	uint64_t cr0_watch, cr4_watch;
	struct event_queue events;
	struct exit_stats stats;
	uint64_t exit_tsc;           /* TSC when the current exit arrived */
	uint64_t nestor_ticks;       /* total ticks spent handling exits */
	uint64_t first_entry_tsc;
	uint32_t nestor_memory_writes;
	const struct msr_filter *msr_filter; /* the operator's; NULL = none */
	uint64_t msr_denials;        /* accesses the filter denied */
	struct mtrr_state mtrr;      /* the guest's MTRRs (vmx/mtrr.h) */
	uint32_t refused_ipis;       /* INIT/SIPI the guest tried to send */
	uint64_t apic_gpa;           /* xAPIC page mapped read-only, or 0 */
};

uint64_t gpr_read(struct vcpu *v, unsigned n);
void gpr_write(struct vcpu *v, unsigned n, uint64_t val);

/* Guest-physical [gpa, gpa + len) as a host pointer, if the whole range is
 * guest RAM; NULL otherwise (never Nestor's memory, never a hole). */
void *guest_phys_ptr(const struct vcpu *v, uint64_t gpa, uint64_t len);

/* The current vCPU (one per physical CPU). */
struct vcpu *this_vcpu(void);

#endif
