/* The GDB remote stub for the guest, on a UART of its own (gdb=com2).
 *
 * While the guest is stopped Nestor stays in root mode, in this file's
 * loop: it polls the UART, feeds lib/gdb_packet.c's receiver, decodes with
 * lib/gdb_command.c and answers with lib/gdb_reply.c / lib/gdb_x86.c, until
 * GDB continues, steps, detaches or kills. While the guest runs, every VM
 * exit, L1's or L2's, polls the UART (gdb_stub_exit()) for GDB's Ctrl-C;
 * the VMX-preemption timer (where the CPU has it, only with gdb=; on
 * vmcs02 too where L1 does not use its own, nested/l2.c) makes sure exits
 * come often enough.
 *
 * What GDB sees and changes:
 *  - registers: the GPRs saved by vmx/vmexit.asm, RIP/RSP/RFLAGS, the
 *    segment selectors and FS/GS base from the VMCS (vmx/gdb_regs.c maps
 *    them); selectors and x87 registers are read-only (E-code on 'P');
 *  - memory: guest-linear addresses through the guest's page tables
 *    (mm/guest_walk.c, a supervisor access whatever the CPL), then guest
 *    RAM only through guest_phys_ptr(): Nestor's memory, holes and MMIO
 *    answer an error; a write checks every page before it copies a byte;
 *  - breakpoints: Z0 and Z1 are both hardware breakpoints in DR0-DR3 with
 *    the guest's DR7 in the VMCS (vmcs01's and, while L2 runs, vmcs02's)
 *    and #DB intercepted; a Z0 that finds DR0-DR3 full becomes an EPT
 *    execute-disable breakpoint (vmx/ept_break.c) at the guest-physical
 *    address the GVA translates to at insertion (a later remap of that
 *    GVA is not followed; L1's only); Z1 stays hardware only. Nothing is
 *    written into guest memory. Nestor itself never uses DR0-DR3, so they hold
 *    GDB's addresses while the guest runs. While GDB has a breakpoint set,
 *    the guest's own debug registers are not its own: MOV DR exits, reads
 *    give 0 (DR7: the guest's last value, DR6: its reset value), writes are
 *    dropped except that DR7's is kept for when GDB's breakpoints are gone
 *    (then the guest's DR7 comes back; its DR0-DR3 do not). Said once on
 *    the console;
 *  - single step: the monitor trap flag where the CPU has it, else
 *    RFLAGS.TF with #DB intercepted and the guest's own TF put back after
 *    the step (an instruction that reads RFLAGS, PUSHF, sees TF set; an
 *    interrupt due at that boundary is delivered and the step stops at its
 *    handler's first instruction, as on hardware);
 *  - the level (`monitor level 2`, the default): a stop at an exit of L2
 *    shows L2: its GPRs (the exit frame), RIP, RFLAGS, selectors from
 *    vmcs02, its memory through its own page tables and then, where L1
 *    uses EPT for L2, through L1's EPT12 (nested_l2_gpa_to_l1(), via
 *    vmx/nested_seam.h) to L1's RAM only. An exit of L2 that goes to L1
 *    stops once the switch is done, L1 at its host RIP
 *    (gdb_stub_l1_current()). A step there is L2's (MTF or TF on vmcs02,
 *    see gdb_stub.h); breakpoints are at linear addresses of whichever
 *    level runs, in both levels' DR7. `monitor level 1`: stops only at
 *    L1's exits,
 *    as a guest that is not a hypervisor sees it; Ctrl-C while L2 runs
 *    waits for L2's next exit to L1. While L2 runs L1 has no registers of
 *    its own (VMX does not keep them): it resumes at the vmcs12's host
 *    RIP/RSP/CR3, which the monitor command prints.
 * Every malformed packet, unknown register, address outside guest RAM or
 * Nestor's memory gets an E-code reply and nothing else. */
#include "vmx/gdb_stub.h"
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "arch/x86/regs.h"
#include "arch/x86/serial.h"
#include "lib/gdb_command.h"
#include "lib/gdb_packet.h"
#include "lib/gdb_reply.h"
#include "lib/format.h"
#include "lib/gdb_x86.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/guest_walk.h"
#include "vmx/ept_break.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/gdb_regs.h"
#include "vmx/guest_access.h"
#include "vmx/nested_seam.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmx_options.h"
#include "vmx/write_step.h"

#define GDB_BAUD 115200
#define GDB_TID 1		/* the one thread: the vCPU */
#define NBP 4			/* DR0-DR3 */
#define DR7_FIXED1 0x400ull	/* SDM Vol. 3A 17.2.4: bit 10 reads 1 */
#define DR6_INIT 0xffff0ff0ull
#define DBG_B0_B3 0xfull
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_VALID 0x3f7fd5ull	/* the bits RFLAGS may hold */

/* Stub error codes beyond the decoder's 01..04. */
#define E_MEMORY 0x14		/* EFAULT: not guest RAM / no translation */
#define E_REGISTER 0x16		/* a register GDB may not write */
#define E_VALUE 0x17		/* a value VM entry would refuse */
#define E_NO_SLOT 0x1c		/* no free debug register */
#define E_LEVEL 0x26		/* not while stopped in L2 */

uint16_t gdb_stub_port;

/* State owner: this file. */
static struct {
	struct gdb_rx rx;
	struct gdb_reply reply;
	uint8_t frame[GDB_FRAME_MAX];
	size_t frame_len;		/* the last reply, for a NACK */
	uint32_t features;		/* what GDB's qSupported announced */
	bool stop;			/* a stop to report at this exit */
	uint8_t signal;
	enum gdb_stop_reason reason;
	bool stepping, step_tf;
	bool guest_tf;			/* TF step: the guest's own TF */
	bool step_l2;			/* the step is L2's (vmcs02's) */
	bool left_l2;			/* L2's stepped insn exited to L1 */
	uint32_t left_reason;		/* ... with this exit reason */
	struct {
		bool used;
		enum gdb_break_type type;
		uint64_t addr;
	} bp[NBP];
	/* Per level (L1: vmcs01, L2: vmcs02): while breakpoints are set for
	 * that level, its DR7 is theirs and own is the guest's. */
	struct {
		bool held;
		uint64_t own;
	} dr7[2];
	bool rf_l2;			/* resume() set L2's RF at rf_rip */
	uint64_t rf_rip;
	bool dr_warned;
	bool level1_only;		/* monitor level 1 */
	bool debug_stale;		/* DR7/intercepts to redo at L1 */
} gs;

static void send_frame(void)
{
	for (size_t i = 0; i < gs.frame_len; i++)
		uart_raw_putc(gdb_stub_port, gs.frame[i]);
}

static void send_reply(void)
{
	gs.frame_len = gdb_reply_frame(&gs.reply, gs.frame, sizeof(gs.frame));
	send_frame();
}

/* ---- registers ---- */

static const enum vmcs_field sel_fields[6] = {
	VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_DS_SELECTOR,
	VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_GS_SELECTOR,
};

static void collect(struct vcpu *v, struct gdb_guest_state *g)
{
	for (unsigned n = 0; n < 16; n++)
		g->gpr[n] = gpr_read(v, n);
	g->rip = exit_get(&v->exit, EF_RIP);
	g->rflags = exit_get(&v->exit, EF_RFLAGS);
	for (unsigned i = 0; i < 6; i++)
		g->sel[i] = (uint16_t)vmcs_read(sel_fields[i]);
	g->fs_base = vmcs_read(VMCS_GUEST_FS_BASE);
	g->gs_base = vmcs_read(VMCS_GUEST_GS_BASE);
}

static bool canonical(uint64_t a)
{
	return (uint64_t)(((int64_t)a << 16) >> 16) == a;
}

/* What VM entry accepts (SDM Vol. 3C 26.3.1.4, 26.3.1.2): RIP canonical
 * (below 4 GiB outside IA-32e mode), FS/GS base canonical. */
static bool storable(const struct vcpu *v, const struct gdb_guest_state *g)
{
	bool ia32e = v->level == VCPU_L2
		? (vmcs_read(VMCS_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST) != 0
		: v->wants.ia32e_guest;

	if (ia32e ? !canonical(g->rip) : g->rip >> 32)
		return false;
	return canonical(g->fs_base) && canonical(g->gs_base);
}

static void store(struct vcpu *v, const struct gdb_guest_state *g)
{
	for (unsigned n = 0; n < 16; n++)
		gpr_write(v, n, g->gpr[n]);
	exit_set(&v->exit, EF_RIP, g->rip);
	exit_set(&v->exit, EF_RFLAGS, (g->rflags & RFLAGS_VALID) | RFLAGS_FIXED1);
	vmcs_write(VMCS_GUEST_FS_BASE, g->fs_base);
	vmcs_write(VMCS_GUEST_GS_BASE, g->gs_base);
}

static void write_regs(struct vcpu *v, const struct gdb_command *c)
{
	struct gdb_guest_state g;
	struct gdb_x86_regs r;
	enum gdb_error e;

	collect(v, &g);
	gdb_regs_from_guest(&g, &r);
	if (c->kind == GDB_CMD_WRITE_REGS) {
		e = gdb_x86_regs_decode(c->u.regs.hex, c->u.regs.hex_len, &r);
	} else if (gdb_regs_rejected(c->u.reg.regno)) {
		gdb_reply_error(&gs.reply, E_REGISTER);
		return;
	} else {
		e = gdb_x86_reg_write(&r, c->u.reg.regno, c->u.reg.hex,
				      c->u.reg.hex_len);
	}
	if (e != GDB_OK) {
		gdb_reply_error(&gs.reply, (uint8_t)gdb_error_code(e));
		return;
	}
	gdb_regs_to_guest(&r, &g);
	if (!storable(v, &g)) {
		gdb_reply_error(&gs.reply, E_VALUE);
		return;
	}
	store(v, &g);
	gdb_reply_ok(&gs.reply);
}

/* ---- memory ---- */

static void memory(struct vcpu *v, const struct gdb_command *c)
{
	static uint8_t buf[GDB_PACKET_MAX / 2];
	uint64_t len = c->u.mem.len;

	if (c->kind == GDB_CMD_READ_MEM) {
		if (len > sizeof(buf))
			len = sizeof(buf); /* GDB takes a shorter answer */
		if (guest_level_copy(v, c->u.mem.addr, buf, len, false)) {
			gdb_reply_error(&gs.reply, E_MEMORY);
			return;
		}
		gdb_reply_hex(&gs.reply, buf, len);
		return;
	}
	if (len > sizeof(buf) ||
	    gdb_hex_decode(c->u.mem.hex, 2 * len, buf) != 0) {
		gdb_reply_error(&gs.reply, gdb_error_code(GDB_ERR_LENGTH));
		return;
	}
	if (guest_level_copy(v, c->u.mem.addr, buf, len, true)) {
		gdb_reply_error(&gs.reply, E_MEMORY);
		return;
	}
	gdb_reply_ok(&gs.reply);
}

/* ---- breakpoints, #DB, the step ---- */

static unsigned level_of(const struct vcpu *v)
{
	return v->level == VCPU_L2 ? 2 : 1;
}

static bool any_bp(void)
{
	for (unsigned i = 0; i < NBP; i++)
		if (gs.bp[i].used)
			return true;
	return false;
}

/* Breakpoints are at guest-linear addresses of whichever level runs
 * (GDB, which knows no levels, inserts them at each resume and removes
 * them at each stop): both levels' DR7s enable them, except that with
 * `monitor level 1` L2 never stops. */
static bool bps_for(unsigned level)
{
	return any_bp() && (level == 1 || !gs.level1_only);
}

/* The current VMCS's DR7 for the breakpoints: Ln = 1, R/Wn = 00
 * (execute), LENn = 00 for each (17.2.4); or the guest's own back. */
static void hold_dr7(unsigned level)
{
	uint64_t dr7 = DR7_FIXED1;
	bool bps = bps_for(level);

	if (bps && !gs.dr7[level - 1].held) {
		gs.dr7[level - 1].own = vmcs_read(VMCS_GUEST_DR7);
		gs.dr7[level - 1].held = true;
	}
	if (bps) {
		for (unsigned i = 0; i < NBP; i++)
			if (gs.bp[i].used)
				dr7 |= 1ull << (2 * i);
		vmcs_write(VMCS_GUEST_DR7, dr7);
	} else if (gs.dr7[level - 1].held) {
		vmcs_write(VMCS_GUEST_DR7, gs.dr7[level - 1].own);
		gs.dr7[level - 1].held = false;
	}
}

/* DR7 and the intercepts for the breakpoints and the step GDB has now. */
static void update_debug(struct vcpu *v)
{
	bool bps = any_bp();

	/* vmcs02 is current: DR7 and the breakpoints' intercepts are
	 * vmcs01's, redone when vmcs01 is current again
	 * (gdb_stub_l1_current()). L2's breakpoints and step are vmcs02's:
	 * DR7 and MTF here, the intercepts nested/l2.c merges in
	 * (gdb_stub_l2_wants()). */
	if (v->level == VCPU_L2) {
		hold_dr7(2);
		gs.debug_stale = true;
		v->wants.mtf = gs.stepping && !gs.step_tf;
		vcpu_request(v, VCPU_REQ_CONTROLS);
		return;
	}
	gs.debug_stale = false;
	hold_dr7(1);
	v->wants.gdb_mov_dr = bps;
	v->wants.gdb_db = bps || (gs.stepping && gs.step_tf);
	v->wants.mtf = gs.stepping && !gs.step_tf;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

/* The slot now holding a breakpoint at addr, else a new one there; -1
 * when all are taken. The caller updates DR7 (update_debug()). */
static int bp_insert(enum gdb_break_type type, uint64_t addr)
{
	unsigned i, free_slot = NBP;

	for (i = 0; i < NBP; i++) {
		if (gs.bp[i].used && gs.bp[i].addr == addr)
			return (int)i;
		if (!gs.bp[i].used && free_slot == NBP)
			free_slot = i;
	}
	if (free_slot == NBP)
		return -1;
	gs.bp[free_slot].used = true;
	gs.bp[free_slot].type = type;
	gs.bp[free_slot].addr = addr;
	write_dr(free_slot, addr);
	return (int)free_slot;
}

static void breakpoint(struct vcpu *v, const struct gdb_command *c)
{
	const char *why;

	if (c->kind == GDB_CMD_REMOVE_BREAK) {
		for (unsigned i = 0; i < NBP; i++)
			if (gs.bp[i].used && gs.bp[i].addr == c->u.brk.addr)
				gs.bp[i].used = false;
		ept_break_remove_gva(v, c->u.brk.addr);
	} else if (bp_insert(c->u.brk.type, c->u.brk.addr) < 0 &&
		   (c->u.brk.type != GDB_BREAK_SW ||
		    !ept_break_insert_gva(v, c->u.brk.addr, &why))) {
		gdb_reply_error(&gs.reply, E_NO_SLOT);
		return;
	}
	update_debug(v);
	gdb_reply_ok(&gs.reply);
}

static void step_begin(struct vcpu *v)
{
	uint64_t rflags = exit_get(&v->exit, EF_RFLAGS);

	gs.stepping = true;
	gs.step_tf = !v->cfg->mtf;
	gs.step_l2 = v->level == VCPU_L2;
	gs.left_l2 = false;
	if (gs.step_tf) {
		gs.guest_tf = rflags & RFLAGS_TF;
		exit_set(&v->exit, EF_RFLAGS, rflags | RFLAGS_TF);
		/* 26.3.1.5: TF with STI/MOV-SS blocking needs BS pending. */
		if (exit_get(&v->exit, EF_INTR_STATE) &
		    (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
			vmcs_set_bits(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, DBG_BS);
	}
	update_debug(v);
}

static void step_end(struct vcpu *v)
{
	if (gs.step_tf) {
		uint64_t rflags = exit_get(&v->exit, EF_RFLAGS) & ~RFLAGS_TF;

		exit_set(&v->exit, EF_RFLAGS, rflags |
			 (gs.guest_tf ? RFLAGS_TF : 0));
	}
	gs.stepping = false;
	gs.step_l2 = false;
	update_debug(v);
}

static void stop_for(uint8_t signal, enum gdb_stop_reason reason)
{
	gs.stop = true;
	gs.signal = signal;
	gs.reason = reason;
}

bool gdb_stub_debug_exception(struct vcpu *v, uint64_t qual)
{
	uint64_t hit = 0;

	/* With neither gdb= nor the console shell's breakpoints and step,
	 * nothing is set: hit stays 0 and no step is under way. */
	for (unsigned i = 0; i < NBP; i++)
		if (gs.bp[i].used && (qual & (1ull << i)))
			hit |= 1ull << i;
	if (gs.stepping && gs.step_tf && (qual & DBG_BS)) {
		step_end(v);
		stop_for(GDB_SIGTRAP, GDB_STOP_NONE);
		return true;
	}
	if (!hit)
		return false;
	for (unsigned i = 0; i < NBP; i++)
		if (hit & (1ull << i))
			stop_for(GDB_SIGTRAP,
				 gs.bp[i].type == GDB_BREAK_HW
				 ? (gs.features & GDB_FEAT_HWBREAK ? GDB_STOP_HWBREAK : GDB_STOP_NONE)
				 : (gs.features & GDB_FEAT_SWBREAK ? GDB_STOP_SWBREAK : GDB_STOP_NONE));
	return true;
}

bool gdb_stub_mtf(struct vcpu *v)
{
	if (!gs.stepping || gs.step_tf)
		return false;
	step_end(v);
	stop_for(GDB_SIGTRAP, GDB_STOP_NONE);
	return true;
}

/* ---- a step of L2 (vmcs02) ---- */

const char *gdb_stub_step_refusal(struct vcpu *v)
{
	if (v->level != VCPU_L2)
		return NULL;
	if (gs.level1_only)
		return "monitor level 1: GDB steps L1 only";
	/* vmcs02 has MTF only where the vmcs12 asks for it (no step is under
	 * way at a stop): L1's own MTF exits would be taken for the step's
	 * (25.5.2). */
	if (vmcs_read(VMCS_PROC_BASED_CONTROLS) & PROC_MONITOR_TRAP_FLAG)
		return "L1 steps L2 with the monitor trap flag itself";
	/* L2's own single-step trap would be taken for the step's (17.3.1.4). */
	if (!v->cfg->mtf && (exit_get(&v->exit, EF_RFLAGS) & RFLAGS_TF))
		return "L2 single-steps itself (RFLAGS.TF is set)";
	return NULL;
}

void gdb_stub_l2_wants(bool *db, bool *mov_dr)
{
	*db = bps_for(2) || (gs.stepping && gs.step_l2 && gs.step_tf);
	/* DR0-DR3 hold the breakpoints' addresses for either level. */
	*mov_dr = any_bp();
}

bool gdb_stub_l2_debug_exit(struct vcpu *v, unsigned basic)
{
	bool step = gs.stepping && gs.step_l2;
	uint64_t qual, mine = 0;
	uint32_t info;

	if (basic == EXIT_REASON_MONITOR_TRAP_FLAG)
		return step && !gs.step_tf;
	if (basic != EXIT_REASON_EXCEPTION_NMI || (!step && !bps_for(2)))
		return false;
	info = (uint32_t)exit_get(&v->exit, EF_INTR_INFO);
	if (INTR_INFO_VECTOR(info) != VEC_DB ||
	    INTR_INFO_TYPE(info) != EVENT_HARDWARE_EXCEPTION)
		return false;
	/* Table 27-1: B0-B3 and BS of the #DB. */
	qual = exit_get(&v->exit, EF_QUAL);
	for (unsigned i = 0; i < NBP; i++)
		if (gs.bp[i].used)
			mine |= 1ull << i;
	return (qual & mine) || (step && gs.step_tf && (qual & DBG_BS));
}

void gdb_stub_l2_entered(struct vcpu *v, bool dr7_is_l1s)
{
	/* 26.3.2.1: without "load debug controls" L2 starts with L1's DR7,
	 * L1's own, not the one L1's breakpoints hold in vmcs01. */
	if (dr7_is_l1s && gs.dr7[0].held)
		vmcs_write(VMCS_GUEST_DR7, gs.dr7[0].own);
	gs.dr7[1].held = false;
	if (bps_for(2))
		hold_dr7(2);
	(void)v;
}

void gdb_stub_l1_dr7_loaded(struct vcpu *v)
{
	/* 27.5.1: the exit made L1's DR7 400H: its own from now on; the
	 * breakpoints' DR7 goes back into vmcs01. */
	if (!gs.dr7[0].held)
		return;
	gs.dr7[0].held = false;
	hold_dr7(1);
	(void)v;
}

void gdb_stub_l2_leaving(struct vcpu *v, uint32_t reason)
{
	/* 27.3: the vmcs12 gets vmcs02's guest state next: L2's own DR7,
	 * and RF as L2 had it where resume() set it for a breakpoint at
	 * RIP that the exit left unexecuted. */
	if (gs.dr7[1].held) {
		vmcs_write(VMCS_GUEST_DR7, gs.dr7[1].own);
		gs.dr7[1].held = false;
	}
	if (gs.rf_l2 && exit_get(&v->exit, EF_RIP) == gs.rf_rip)
		exit_set(&v->exit, EF_RFLAGS,
			 exit_get(&v->exit, EF_RFLAGS) & ~RFLAGS_RF);
	gs.rf_l2 = false;
	if (!gs.stepping || !gs.step_l2)
		return;
	/* 27.3: the vmcs12 gets vmcs02's guest state next: L2's own TF and
	 * pending debug exceptions, not the step's. BS there is the step's,
	 * set by step_begin() or saved by the CPU for the TF of an
	 * instruction that exited (27.3.4); L2's own TF was clear
	 * (gdb_stub_step_refusal()). */
	if (gs.step_tf)
		vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & ~DBG_BS);
	step_end(v);
	gs.left_l2 = true;
	gs.left_reason = reason;
	stop_for(GDB_SIGTRAP, GDB_STOP_NONE);
}

bool gdb_stub_step_left_l2(uint32_t *reason)
{
	bool left = gs.left_l2;

	gs.left_l2 = false;
	*reason = gs.left_reason;
	return left;
}

/* MOV DR exits, on while GDB has breakpoints set (see the top). Exit
 * qualification: DR number 2:0, direction bit 4 (1 = MOV from DR), GPR
 * 11:8 (SDM Vol. 3C Table 27-3). */
void handle_dr_access(struct vcpu *v)
{
	uint64_t qual = exit_get(&v->exit, EF_QUAL);
	unsigned dr = qual & 7, gpr = (qual >> 8) & 15;
	unsigned lv = level_of(v) - 1;
	bool from = qual & (1u << 4);
	uint64_t val;

	if (!gs.dr_warned) {
		gs.dr_warned = true;
		pr_warn("nestor: the guest uses its debug registers while GDB has breakpoints set: its reads give 0, its writes are dropped (DR7's kept for later)\n");
	}
	/* DR4/DR5 alias DR6/DR7 with CR4.DE = 0 (with DE = 1 they #UD
	 * before the exit): 17.2.2. */
	if (dr == 4 || dr == 5)
		dr += 2;
	if (from) {
		/* A level whose DR7 is not held (L2's while only L1 has
		 * breakpoints) has its own DR7 in the VMCS still. */
		val = dr == 6 ? DR6_INIT : dr != 7 ? 0
		      : gs.dr7[lv].held ? gs.dr7[lv].own : vmcs_read(VMCS_GUEST_DR7);
		gpr_write(v, gpr, val);
	} else if (dr == 7) {
		val = gpr_read(v, gpr);
		/* 17.2.4: DR7[63:32] must be 0 (#GP), as VM entry checks
		 * (26.3.1.1). */
		if (val >> 32) {
			inject_gp0(v);
			return;
		}
		if (gs.dr7[lv].held)
			gs.dr7[lv].own = val;
		else
			vmcs_write(VMCS_GUEST_DR7, val);
	}
	skip_instruction(v);
}

/* ---- the command loop ---- */

static void level_text(struct vcpu *v, unsigned level, char *buf, size_t size)
{
	const char *now = v->level == VCPU_L2
		? "stopped in L2, the guest L1 runs; GDB shows L2"
		: "stopped in L1, the guest Nestor runs; GDB shows L1";
	uint64_t rip, rsp, cr3;

	gs.level1_only = level == 1;
	update_debug(v);	/* vmcs02's DR7 follows (bps_for()) */
	if (v->level != VCPU_L2 || level == 2) {
		fmt_snprintf(buf, size, "monitor level %u: %s; %s.\n", level,
			 level == 1 ? "GDB stops only at L1's exits (Ctrl-C while L2 runs waits for its next exit to L1)"
				    : "GDB stops at L1's and L2's exits and shows the level that runs", now);
		return;
	}
	nested_l1_resume_point(v, &rip, &rsp, &cr3);
	fmt_snprintf(buf, size, "monitor level 1: %s; L1 has no registers while L2 runs: it resumes at L2's next exit to it at RIP 0x%lx RSP 0x%lx CR3 0x%lx (the vmcs12's host state); from then on GDB stops only at L1's exits.\n",
		 now, (unsigned long)rip, (unsigned long)rsp, (unsigned long)cr3);
}

static void monitor(struct vcpu *v, const struct gdb_command *c)
{
	static char buf[320];
	static const char help[] =
		"Nestor's GDB stub: monitor level 1|2 (which guest GDB sees), monitor help\n";
	const char *text;

	switch (c->u.monitor.kind) {
	case GDB_MONITOR_HELP:
		text = help;
		break;
	case GDB_MONITOR_LEVEL:
		level_text(v, c->u.monitor.level, buf, sizeof(buf));
		text = buf;
		break;
	default:
		text = "unknown monitor command; try monitor help\n";
		break;
	}
	gdb_reply_console(&gs.reply, text, strlen(text));
	send_reply();
	gdb_reply_reset(&gs.reply);
	gdb_reply_ok(&gs.reply);
}

static void stop_reply(void)
{
	gdb_reply_stop_thread(&gs.reply, gs.signal, GDB_TID, gs.reason);
}

/* Leaves the stop: the guest runs on (RF so that the instruction
 * breakpoint at RIP does not fire again at once, 17.3.1.1; L2 only where
 * one of its breakpoints is at RIP, and taken back if L2's next exit to
 * L1 comes before that instruction ran: gdb_stub_l2_leaving()). */
static void resume(struct vcpu *v, bool step)
{
	uint64_t rip = exit_get(&v->exit, EF_RIP);
	bool rf = v->level == VCPU_L1;

	for (unsigned i = 0; i < NBP && !rf; i++)
		rf = gs.bp[i].used && gs.bp[i].addr == rip && bps_for(2);
	if (rf)
		exit_set(&v->exit, EF_RFLAGS,
			 exit_get(&v->exit, EF_RFLAGS) | RFLAGS_RF);
	if (rf && v->level == VCPU_L2) {
		gs.rf_l2 = true;
		gs.rf_rip = rip;
	}
	if (step)
		step_begin(v);
	gs.stop = false;
}

static bool set_rip(struct vcpu *v, const struct gdb_command *c)
{
	struct gdb_guest_state g;

	if (!c->u.resume.has_addr)
		return true;
	collect(v, &g);
	g.rip = c->u.resume.addr;
	if (!storable(v, &g))
		return false;
	exit_set(&v->exit, EF_RIP, g.rip);
	return true;
}

/* One packet; true when the guest is to run again. */
static bool command(struct vcpu *v, const uint8_t *data, size_t len)
{
	struct gdb_command c;
	struct gdb_guest_state g;
	struct gdb_x86_regs r;
	enum gdb_error e = gdb_decode(data, len, &c);
	bool run = false;

	gdb_reply_reset(&gs.reply);
	if (e != GDB_OK) {
		gdb_reply_error(&gs.reply, (uint8_t)gdb_error_code(e));
		send_reply();
		return false;
	}
	switch (c.kind) {
	case GDB_CMD_HALT_REASON:
		stop_reply();
		break;
	case GDB_CMD_READ_REGS:
	case GDB_CMD_READ_REG:
		collect(v, &g);
		gdb_regs_from_guest(&g, &r);
		if (c.kind == GDB_CMD_READ_REGS)
			gdb_x86_regs_encode(&r, &gs.reply);
		else if ((e = gdb_x86_reg_read(&r, c.u.reg.regno, &gs.reply)))
			gdb_reply_error(&gs.reply, (uint8_t)gdb_error_code(e));
		break;
	case GDB_CMD_WRITE_REGS:
	case GDB_CMD_WRITE_REG:
		write_regs(v, &c);
		break;
	case GDB_CMD_READ_MEM:
	case GDB_CMD_WRITE_MEM:
		memory(v, &c);
		break;
	case GDB_CMD_CONTINUE:
	case GDB_CMD_STEP:
		if (c.kind == GDB_CMD_STEP && gdb_stub_step_refusal(v)) {
			gdb_reply_error(&gs.reply, E_LEVEL);
			break;
		}
		if (!set_rip(v, &c)) {
			gdb_reply_error(&gs.reply, E_VALUE);
			break;
		}
		resume(v, c.kind == GDB_CMD_STEP);
		return true;	/* the reply is the next stop */
	case GDB_CMD_VCONT_QUERY:
		gdb_reply_vcont_actions(&gs.reply);
		break;
	case GDB_CMD_VCONT: {
		/* One thread: the first action is this vCPU's. */
		bool step = c.u.vcont.action[0].action == 's' ||
			    c.u.vcont.action[0].action == 'S';

		if (step && gdb_stub_step_refusal(v)) {
			gdb_reply_error(&gs.reply, E_LEVEL);
			break;
		}
		resume(v, step);
		return true;
	}
	case GDB_CMD_INSERT_BREAK:
	case GDB_CMD_REMOVE_BREAK:
		breakpoint(v, &c);
		break;
	case GDB_CMD_KILL:
		log_printf(LOG_QUIET, "nestor: GDB killed the guest\n");
		guest_stop(v, NESTOR_EXIT_OK, "stopped by GDB (kill)");
	case GDB_CMD_DETACH:
		for (unsigned i = 0; i < NBP; i++)
			gs.bp[i].used = false;
		ept_break_remove_all(v);
		if (gs.stepping)
			step_end(v);
		update_debug(v);
		gdb_reply_ok(&gs.reply);
		pr_info("nestor: GDB detached; the guest runs on\n");
		run = true;
		resume(v, false);
		break;
	case GDB_CMD_SUPPORTED:
		gs.features = c.u.supported.features;
		gdb_reply_supported(&gs.reply);
		break;
	case GDB_CMD_XFER_FEATURES:
		gdb_x86_reply_features(&c, &gs.reply);
		break;
	case GDB_CMD_ATTACHED:
		gdb_reply_str(&gs.reply, "1");
		break;
	case GDB_CMD_CURRENT_THREAD:
		gdb_reply_current_thread(&gs.reply, GDB_TID);
		break;
	case GDB_CMD_THREAD_INFO_FIRST:
		gdb_reply_thread_first(&gs.reply, GDB_TID);
		break;
	case GDB_CMD_THREAD_INFO_NEXT:
		gdb_reply_thread_next(&gs.reply);
		break;
	case GDB_CMD_SET_THREAD:
		if (c.u.thread.tid == GDB_TID || c.u.thread.tid == GDB_TID_ANY ||
		    c.u.thread.tid == GDB_TID_ALL)
			gdb_reply_ok(&gs.reply);
		else
			gdb_reply_error(&gs.reply, E_VALUE);
		break;
	case GDB_CMD_MONITOR:
		monitor(v, &c);
		break;
	case GDB_CMD_UNSUPPORTED:
		break;
	}
	send_reply();
	return run;
}

/* The guest is stopped: report it (the answer to GDB's c/s/vCont; at the
 * launch stop GDB asks with '?') and serve GDB until it runs again. */
static void serve(struct vcpu *v, bool report)
{
	if (report) {
		gdb_reply_reset(&gs.reply);
		stop_reply();
		send_reply();
	}
	for (;;) {
		int ch = uart_raw_getc(gdb_stub_port);

		if (ch < 0) {
			cpu_relax();
			continue;
		}
		switch (gdb_rx_byte(&gs.rx, (uint8_t)ch)) {
		case GDB_RX_PACKET:
			uart_raw_putc(gdb_stub_port, '+');
			if (command(v, gs.rx.data, gs.rx.len))
				return;
			break;
		case GDB_RX_NACK:
			send_frame();
			break;
		case GDB_RX_BAD_CHECKSUM:
		case GDB_RX_MALFORMED:
			uart_raw_putc(gdb_stub_port, '-');
			break;
		case GDB_RX_OVERFLOW:
			uart_raw_putc(gdb_stub_port, '+');
			gdb_reply_reset(&gs.reply);
			gdb_reply_error(&gs.reply, GDB_REPLY_OVERFLOW_ERROR);
			send_reply();
			break;
		default:	/* acks, a Ctrl-C while stopped, noise */
			break;
		}
	}
}

void gdb_stub_exit(struct vcpu *v)
{
	int ch;

	while ((ch = uart_raw_getc(gdb_stub_port)) >= 0) {
		/* While the guest runs GDB sends only Ctrl-C; a packet now
		 * is answered with an error once the guest has stopped. */
		if (gdb_rx_byte(&gs.rx, (uint8_t)ch) == GDB_RX_INTERRUPT &&
		    !gs.stop)
			stop_for(GDB_SIGINT, GDB_STOP_NONE);
	}
	if (v->level == VCPU_L1 && gs.debug_stale)
		update_debug(v);
	/* At L2's exits: not with level 1, nor while the exit goes to L1
	 * (the switch is half done: served in gdb_stub_l1_current()). */
	if (v->level == VCPU_L2 &&
	    (gs.level1_only || (v->requests & VCPU_REQ_NESTED)))
		return;
	/* Not while a write step is open (its TF, IF = 0, the pages it
	 * changed): the stop is served at the next exit, which closes it. */
	if (gs.stop && !write_step_open(&v->step))
		serve(v, true);
}

void gdb_stub_l1_current(struct vcpu *v)
{
	uint32_t reason;

	if (gs.debug_stale)
		update_debug(v);
	/* A stop that came at L2's exit to L1 (the end of a step of L2's,
	 * a Ctrl-C): L1 at its host RIP, where it runs next (27.5.3). */
	if (!gs.stop || !gdb_stub_on())
		return;	/* the console shell takes its stop itself */
	if (gdb_stub_step_left_l2(&reason))
		pr_info("nestor: GDB's step of L2 ended in L2's exit to L1 (reason %u): stopped in L1 at RIP 0x%lx\n",
			reason, exit_get(&v->exit, EF_RIP));
	serve(v, true);
}

void gdb_stub_launch(struct vcpu *v)
{
	if (!vmx_options.gdb_port)
		return;
	if (!uart_raw_init(vmx_options.gdb_port, GDB_BAUD)) {
		pr_warn("nestor: gdb=: no UART answers at port %#x; no GDB stub\n",
			vmx_options.gdb_port);
		return;
	}
	gdb_stub_port = vmx_options.gdb_port;
	gdb_rx_init(&gs.rx);
	if (v->cfg->preemption_timer) {
		v->wants.preemption_timer = true;
		vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, GDB_STUB_TIMER_TICKS);
		vcpu_request(v, VCPU_REQ_CONTROLS);
	} else {
		pr_warn("nestor: no VMX-preemption timer: GDB's Ctrl-C is seen at the guest's next VM exit\n");
	}
	pr_info("nestor: GDB stub on port %#x at %u baud (8N1)%s\n",
		gdb_stub_port, GDB_BAUD,
		vmx_options.gdb_wait ? "; the guest waits for GDB" : "");
	if (!vmx_options.gdb_wait)
		return;
	/* Before the first instruction: no exit has been recorded, so the
	 * record reads the guest's fields from the VMCS. */
	exit_record_reset(&v->exit, 0);
	stop_for(GDB_SIGTRAP, GDB_STOP_NONE);
	serve(v, false);
}

/* ---- shared with the console shell (vmx/shell_actions.c) ---- */

int gdb_stub_break_insert(struct vcpu *v, uint64_t addr)
{
	int slot = bp_insert(GDB_BREAK_HW, addr);

	if (slot >= 0)
		update_debug(v);
	return slot;
}

bool gdb_stub_break_remove(struct vcpu *v, unsigned slot)
{
	if (slot >= NBP || !gs.bp[slot].used)
		return false;
	gs.bp[slot].used = false;
	update_debug(v);
	return true;
}

bool gdb_stub_break_addr(unsigned slot, uint64_t *addr)
{
	if (slot >= NBP || !gs.bp[slot].used)
		return false;
	*addr = gs.bp[slot].addr;
	return true;
}

void gdb_stub_resume(struct vcpu *v, bool step)
{
	resume(v, step);
}

bool gdb_stub_stop_take(void)
{
	bool stop = gs.stop;

	gs.stop = false;
	return stop;
}

bool gdb_stub_stepping(void)
{
	return gs.stepping;
}

bool gdb_stub_wants_mtf(void)
{
	return gs.stepping && !gs.step_tf;
}

bool gdb_stub_step_retired(struct vcpu *v)
{
	if (!gs.stepping)
		return false;
	step_end(v);
	stop_for(GDB_SIGTRAP, GDB_STOP_NONE);
	return true;
}

void gdb_stub_stop_break(struct vcpu *v)
{
	if (gs.stepping)
		step_end(v);
	stop_for(GDB_SIGTRAP, gs.features & GDB_FEAT_SWBREAK
		 ? GDB_STOP_SWBREAK : GDB_STOP_NONE);
}
