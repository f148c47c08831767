/* One virtual CPU: everything Nestor knows about a guest CPU lives here.
 * Today there is one vCPU (the one L1 guest, on the boot CPU); the level
 * field is where nested VMX will record whether L1 or L2 runs. */
#ifndef NESTOR_VMX_VCPU_H
#define NESTOR_VMX_VCPU_H

#include <stdbool.h>
#include <stddef.h>
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
#include "vmx/exit_record.h"
#include "vmx/l0_controls.h"

/* Guest GPRs saved by vmx/vmexit.asm (RSP lives in the VMCS). The order
 * follows the architectural register numbers (RAX=0 ... R15=15) with the
 * RSP slot left out; gpr_read()/gpr_write() map numbers to slots. */
struct guest_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* The frame vmx/vmexit.asm builds is stated once, in
 * vmx/guest_regs_layout.h: this struct must match it slot for slot. */
#define GR_SLOT(r, off) \
	_Static_assert(offsetof(struct guest_regs, r) == (off), #r);
#include "vmx/guest_regs_layout.h"
#undef GR_SLOT
_Static_assert(sizeof(struct guest_regs) == 120, "GUEST_REGS_SIZE in vmx/vmexit.asm");

enum vcpu_level { VCPU_L1 = 1, VCPU_L2 = 2 };

/* Nestor's pages the VMCS points at (vmx/vmcs_setup.c). */
struct vmx_host_pages {
	uint64_t msr_bitmap, io_bitmap_a, io_bitmap_b;
	uint64_t exit_stack_top; /* 16-byte aligned */
};

/* Per-exit-reason statistics (count, TSC ticks spent in Nestor). count[]
 * and ticks[] are of every level together (NESTOR_HC_EXIT_COUNT answers
 * count[]: tests/guests/nested_bench.c counts L2's round trips in it);
 * the exits taken while L2 ran are also in l2_count[], and those of them
 * reflected to L1 (a switch to L1 requested) in l2_reflected[]. */
struct exit_stats {
	uint64_t count[EXIT_REASON_MAX];
	uint64_t ticks[EXIT_REASON_MAX];
	uint64_t l2_count[EXIT_REASON_MAX];
	uint64_t l2_reflected[EXIT_REASON_MAX];
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

/* One VMCS Nestor keeps: its place on the loaded list (vmx/vmcs_track.c)
 * and its software copies (vmx/vmcs_ctls.c writes them). */
struct vmcs_state {
	struct loaded_vmcs lv;
	struct vmcs_ctls ctls;
};

/* Requests a handler makes of the exit path (NOVA's hazards, KVM's
 * requests): handlers never call up into the lifecycle. */
#define VCPU_REQ_CONTROLS (1u << 0)     /* recompose the controls */
#define VCPU_REQ_TRIPLE_FAULT (1u << 1) /* event combining gave one */
#define VCPU_REQ_RESET (1u << 2)        /* restart or stop the guest */
#define VCPU_REQ_NESTED (1u << 3)       /* switch L1 <-> L2 (nested_switch) */

/* One guest (VM): what all its vCPUs share. Written at launch by
 * boot/main.c, boot/guest_boot.c and vmx/vmx_start.c; at run time only the
 * EPT changes, through mm/ept.c (vmx/write_step.c, vmx/phys_width_exits.c).
 * SMP guests will share one. */
struct vm {
	unsigned maxphyaddr;         /* the guest's physical-address width */
	unsigned host_maxphyaddr;    /* the CPU's (EPT uses it) */
	/* maxphyaddr < host_maxphyaddr: vmx/phys_width_exits.c is active. */
	bool reduced_width;
	struct ept ept;              /* EPT01 */
	uint64_t eptp;
	uint64_t hidden_page_pa;     /* all-ones page behind Nestor's memory */
	uint64_t zero_page_pa;       /* all zeros: the MAXPHYADDR probe */
	struct guest_mem mem;        /* the guest's RAM */
	const struct phys_range *hidden; /* Nestor's memory, never guest RAM */
	unsigned nhidden;
	const struct msr_filter *msr_filter; /* the operator's; NULL = none */
	uint64_t apic_gpa;           /* xAPIC page mapped read-only, or 0 */
	/* Nested VMX (nested=on): the guest sees VMX, with the capability
	 * MSRs in l1_caps (vmx_l1_msrs(), vmx/caps.c). Launch. */
	bool nested;
	struct vmx_msrs l1_caps;
	struct vmx_msrs host_caps;   /* the CPU's capability MSRs */
};

/* L1's VMX operation as the rest of vmx/ needs to know it (CR0/CR4 rules,
 * IA32_FEATURE_CONTROL). Written by nested/vmx_ops.c (on) and at launch
 * (feature_control); a restart clears on. */
struct l1_vmx {
	bool on;                  /* L1 is in VMX operation (after VMXON) */
	uint64_t feature_control; /* IA32_FEATURE_CONTROL as L1 reads it */
};

struct nested_vcpu; /* nested/nested_vcpu.h: only nested/ looks inside */

/* One virtual CPU. Each member says which file writes it (the exit path:
 * vmx/exit_dispatch.c; "launch": vmx/vmx_start.c). */
struct vcpu {
	struct vm *vm;               /* launch */
	struct guest_regs *regs;     /* exit path: on the VM-exit stack */
	enum vcpu_level level;       /* launch (nested VMX: the exit path) */
	const struct vmx_config *cfg; /* boot/main.c */
	/* The VMCS L1 runs on (launch), and the one the guest runs on now:
	 * vmcs01, or nested/'s vmcs02 while L2 runs (nested_switch()). */
	struct vmcs_state vmcs01;
	struct vmcs_state *cur;
	/* Lifecycle requests from handlers (VCPU_REQ_*), consumed by
	 * vmx_handle_exit() before the next VM entry. */
	uint32_t requests;
	bool reset_by_hypercall;     /* with VCPU_REQ_RESET: else a triple fault */
	struct l0_wants wants;       /* per member: see vmx/l0_controls.h */
	struct exit_record exit;     /* the exit path (vmx/exit_record.h) */
	bool time_exits;             /* launch: loglevel=debug, ticks per exit */
	bool relaunch;               /* next entry is VMLAUNCH (recycled VMCS) */
	bool announce_launch;        /* log when that VMLAUNCH worked */
	unsigned restarts;           /* launch: on_guest_reset=restart so far */
	bool restart_on_reset;       /* boot/main.c: on_guest_reset=restart */
	struct vmx_host_pages host_pages; /* launch */
	uint16_t vpid;               /* launch: 0 = VPID not in use */
	uint64_t probe_gpa;          /* vmx/phys_width_exits.c: != 0, the */
	uint64_t probe_la;           /*   probe page and its linear address */
	uint64_t sink_page_pa;       /* launch: write sink for dropped writes */
	struct write_step step;      /* vmx/write_step.c */
	struct event_queue events;   /* vmx/events.c, vmx/event_inject.c */
	struct exit_stats stats;     /* the exit path, vmx/exit_simple.c */
	/* The exit path (vmx/exit_dispatch.c records each exit, the
	 * record's first reads note qualification and RIP: exit_record.h);
	 * read by the failure reports and the crash hook (exit_stats.c). */
	struct exit_trace trace;
	uint64_t nestor_ticks;       /* total ticks spent handling exits */
	uint64_t first_entry_tsc;    /* launch */
	uint32_t nestor_memory_writes; /* vmx/write_step.c */
	uint64_t msr_denials;        /* vmx/exit_msr.c */
	struct mtrr_state mtrr;      /* vmx/exit_msr.c (launch: vmx/mtrr.h) */
	uint32_t refused_ipis;       /* vmx/exit_msr.c, vmx/write_step.c */
	struct l1_vmx l1vmx;         /* see struct l1_vmx */
	/* nested/l2.c, nested/l2_exit.c: while L2 runs, the kinds of event
	 * (EVENT_OPEN_NMI, EVENT_OPEN_INTR) the queue must not inject into
	 * vmcs02 but wait for with a window: NMIs when L1 takes them as
	 * exits (25.2), and anything at the entry whose vmcs02 carries L1's
	 * own injection (26.6). 0 while L1 runs. */
	uint8_t l2_events_closed;
	struct nested_vcpu *nested;  /* boot/main.c (nested_vcpu_init()) */
};

static inline void vcpu_request(struct vcpu *v, uint32_t req)
{
	v->requests |= req;
}

uint64_t gpr_read(struct vcpu *v, unsigned n);
void gpr_write(struct vcpu *v, unsigned n, uint64_t val);

/* Guest-physical [gpa, gpa + len) as a host pointer, if the whole range is
 * guest RAM; NULL otherwise (never Nestor's memory, never a hole). */
void *guest_phys_ptr(const struct vcpu *v, uint64_t gpa, uint64_t len);

/* Whether the guest-physical page of gpa is Nestor's memory, which EPT01
 * shows the guest as the all-ones page (read-only). */
bool in_nestor_memory(const struct vm *vm, uint64_t gpa);

/* The current vCPU (one per physical CPU; one vCPU on the boot CPU for
 * now). */
extern struct vcpu boot_vcpu;
static inline struct vcpu *this_vcpu(void)
{
	return &boot_vcpu;
}

#endif
