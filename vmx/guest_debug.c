/* The guest's breakpoints and single step (issue 16 items 2 and 4),
 * shared by the GDB stub (vmx/gdb_stub.c, gdb=) and the console shell
 * (vmx/shell_actions.c, while gdb= is off), and the stop they cause.
 *
 *  - breakpoints: up to four hardware execute breakpoints in DR0-DR3, at
 *    guest-linear addresses of whichever level runs (GDB, which knows no
 *    levels, inserts its breakpoints at each resume and removes them at
 *    each stop): vmcs01's DR7 enables them and, while L2 runs, vmcs02's
 *    (not with `monitor level 1`), with #DB intercepted; nothing is
 *    written into guest memory. Nestor itself never uses DR0-DR3. Each
 *    level's own DR7 is kept aside while the breakpoints hold its VMCS's:
 *    L2's at each entry (and L1's own, not the breakpoints', where the
 *    vmcs12 does not load DR7, 26.3.2.1), put back before L2's exit to L1
 *    saves it (27.3.1); L1's own becomes 400H at each exit to it
 *    (27.5.1). While breakpoints are set the guest's MOV DR exits: reads
 *    give 0 (DR7: the level's own, DR6: its reset value), writes are
 *    dropped except DR7's, kept for when the breakpoints are gone (its
 *    DR0-DR3 do not come back). Said once on the console;
 *  - single step: of the level that runs, by the monitor trap flag where
 *    the CPU has it, else RFLAGS.TF with #DB intercepted and the guest's
 *    own TF put back after the step (an instruction that reads RFLAGS,
 *    PUSHF, sees TF set; an interrupt due at that boundary is delivered
 *    and the step stops at its handler's first instruction, as on
 *    hardware). A step of L2 runs on vmcs02: its trap or MTF exit is L0's
 *    (guest_debug_l2_exit()), and an exit to L1 that its instruction
 *    causes ends it (guest_debug_l2_leaving(), before the vmcs12 gets L2's
 *    state: never the step's TF, BS or RF), the stop then L1's at its host
 *    RIP;
 *  - EPT execute-disable breakpoints are vmx/ept_break.c's; they stop the
 *    guest through guest_debug_stop_break().
 * State owner: this file (the breakpoints, the step, the stop, the per
 * level DR7s, and the wants gdb_db, gdb_mov_dr and, during its step, mtf);
 * handle_exception_nmi() and handle_monitor_trap() only ask it whether a
 * #DB or MTF exit was its own. */
#include "vmx/guest_debug.h"
#include "arch/x86/cpu.h"
#include "arch/x86/regs.h"
#include "lib/log.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmx_controls.h"

#define NBP 4			/* DR0-DR3 */
#define DR7_FIXED1 0x400ull	/* SDM Vol. 3A 17.2.4: bit 10 reads 1 */
#define DR6_INIT 0xffff0ff0ull
#define RFLAGS_RF (1ull << 16)

/* State owner: this file. */
static struct {
	bool stop;			/* a stop to report at this exit */
	enum guest_stop_kind kind;
	bool stepping, step_tf;
	bool guest_tf;			/* TF step: the guest's own TF */
	bool step_l2;			/* the step is L2's (vmcs02's) */
	bool left_l2;			/* L2's stepped insn exited to L1 */
	uint32_t left_reason;		/* ... with this exit reason */
	struct {
		bool used;
		bool sw;		/* GDB's Z0 (reported as swbreak) */
		uint64_t addr;
	} bp[NBP];
	/* Per level (L1: vmcs01, L2: vmcs02): while breakpoints are set for
	 * that level, its DR7 is theirs and own is the guest's. */
	struct {
		bool held;
		uint64_t own;
	} dr7[2];
	bool rf_l2;			/* guest_debug_resume() set L2's RF */
	uint64_t rf_rip;		/* ... at this RIP */
	bool dr_warned;
	bool level1_only;		/* GDB's monitor level 1 */
	bool debug_stale;		/* DR7/intercepts to redo at L1 */
} gd;

static unsigned level_of(const struct vcpu *v)
{
	return v->level == VCPU_L2 ? 2 : 1;
}

static bool any_bp(void)
{
	for (unsigned i = 0; i < NBP; i++)
		if (gd.bp[i].used)
			return true;
	return false;
}

/* Breakpoints are at guest-linear addresses of whichever level runs
 * (GDB, which knows no levels, inserts them at each resume and removes
 * them at each stop): both levels' DR7s enable them, except that with
 * `monitor level 1` L2 never stops. */
static bool bps_for(unsigned level)
{
	return any_bp() && (level == 1 || !gd.level1_only);
}

/* The current VMCS's DR7 for the breakpoints: Ln = 1, R/Wn = 00
 * (execute), LENn = 00 for each (17.2.4); or the guest's own back. */
static void hold_dr7(unsigned level)
{
	uint64_t dr7 = DR7_FIXED1;
	bool bps = bps_for(level);

	if (bps && !gd.dr7[level - 1].held) {
		gd.dr7[level - 1].own = vmcs_read(VMCS_GUEST_DR7);
		gd.dr7[level - 1].held = true;
	}
	if (bps) {
		for (unsigned i = 0; i < NBP; i++)
			if (gd.bp[i].used)
				dr7 |= 1ull << (2 * i);
		vmcs_write(VMCS_GUEST_DR7, dr7);
	} else if (gd.dr7[level - 1].held) {
		vmcs_write(VMCS_GUEST_DR7, gd.dr7[level - 1].own);
		gd.dr7[level - 1].held = false;
	}
}

/* DR7 and the intercepts for the breakpoints and the step there are now. */
static void update_debug(struct vcpu *v)
{
	bool bps = any_bp();

	/* vmcs02 is current: DR7 and the breakpoints' intercepts are
	 * vmcs01's, redone when vmcs01 is current again
	 * (guest_debug_sync()). L2's breakpoints and step are vmcs02's:
	 * DR7 and MTF here, the intercepts nested/l2.c merges in
	 * (guest_debug_l2_wants()). */
	if (v->level == VCPU_L2) {
		hold_dr7(2);
		gd.debug_stale = true;
		v->wants.mtf = gd.stepping && !gd.step_tf;
		vcpu_request(v, VCPU_REQ_CONTROLS);
		return;
	}
	gd.debug_stale = false;
	hold_dr7(1);
	v->wants.gdb_mov_dr = bps;
	v->wants.gdb_db = bps || (gd.stepping && gd.step_tf);
	v->wants.mtf = gd.stepping && !gd.step_tf;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

/* The slot now holding a breakpoint at addr, else a new one there; -1
 * when all are taken. The caller updates DR7 (update_debug()). */
static int bp_insert(bool sw, uint64_t addr)
{
	unsigned i, free_slot = NBP;

	for (i = 0; i < NBP; i++) {
		if (gd.bp[i].used && gd.bp[i].addr == addr)
			return (int)i;
		if (!gd.bp[i].used && free_slot == NBP)
			free_slot = i;
	}
	if (free_slot == NBP)
		return -1;
	gd.bp[free_slot].used = true;
	gd.bp[free_slot].sw = sw;
	gd.bp[free_slot].addr = addr;
	write_dr(free_slot, addr);
	return (int)free_slot;
}

static void step_begin(struct vcpu *v)
{
	uint64_t rflags = exit_get(&v->exit, EF_RFLAGS);

	gd.stepping = true;
	gd.step_tf = !v->cfg->mtf;
	gd.step_l2 = v->level == VCPU_L2;
	gd.left_l2 = false;
	if (gd.step_tf) {
		gd.guest_tf = rflags & RFLAGS_TF;
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
	if (gd.step_tf) {
		uint64_t rflags = exit_get(&v->exit, EF_RFLAGS) & ~RFLAGS_TF;

		exit_set(&v->exit, EF_RFLAGS, rflags |
			 (gd.guest_tf ? RFLAGS_TF : 0));
	}
	gd.stepping = false;
	gd.step_l2 = false;
	update_debug(v);
}

void guest_debug_stop(enum guest_stop_kind kind)
{
	gd.stop = true;
	gd.kind = kind;
}

bool guest_debug_exception(struct vcpu *v, uint64_t qual)
{
	uint64_t hit = 0;

	/* With neither gdb= nor the console shell's breakpoints and step,
	 * nothing is set: hit stays 0 and no step is under way. */
	for (unsigned i = 0; i < NBP; i++)
		if (gd.bp[i].used && (qual & (1ull << i)))
			hit |= 1ull << i;
	if (gd.stepping && gd.step_tf && (qual & DBG_BS)) {
		step_end(v);
		guest_debug_stop(GUEST_STOP_STEP);
		return true;
	}
	if (!hit)
		return false;
	for (unsigned i = 0; i < NBP; i++)
		if (hit & (1ull << i))
			guest_debug_stop(gd.bp[i].sw ? GUEST_STOP_SWBREAK : GUEST_STOP_HWBREAK);
	return true;
}

bool guest_debug_mtf(struct vcpu *v)
{
	if (!gd.stepping || gd.step_tf)
		return false;
	step_end(v);
	guest_debug_stop(GUEST_STOP_STEP);
	return true;
}

/* ---- a step of L2 (vmcs02) ---- */

const char *guest_debug_step_refusal(struct vcpu *v)
{
	if (v->level != VCPU_L2)
		return NULL;
	if (gd.level1_only)
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

void guest_debug_l2_wants(bool *db, bool *mov_dr)
{
	*db = bps_for(2) || (gd.stepping && gd.step_l2 && gd.step_tf);
	/* DR0-DR3 hold the breakpoints' addresses for either level. */
	*mov_dr = any_bp();
}

bool guest_debug_l2_exit(struct vcpu *v, unsigned basic)
{
	bool step = gd.stepping && gd.step_l2;
	uint64_t qual, mine = 0;
	uint32_t info;

	if (basic == EXIT_REASON_MONITOR_TRAP_FLAG)
		return step && !gd.step_tf;
	if (basic != EXIT_REASON_EXCEPTION_NMI || (!step && !bps_for(2)))
		return false;
	info = (uint32_t)exit_get(&v->exit, EF_INTR_INFO);
	if (INTR_INFO_VECTOR(info) != VEC_DB ||
	    INTR_INFO_TYPE(info) != EVENT_HARDWARE_EXCEPTION)
		return false;
	/* Table 27-1: B0-B3 and BS of the #DB. */
	qual = exit_get(&v->exit, EF_QUAL);
	for (unsigned i = 0; i < NBP; i++)
		if (gd.bp[i].used)
			mine |= 1ull << i;
	return (qual & mine) || (step && gd.step_tf && (qual & DBG_BS));
}

void guest_debug_l2_entered(struct vcpu *v, bool dr7_is_l1s)
{
	/* 26.3.2.1: without "load debug controls" L2 starts with L1's DR7,
	 * L1's own, not the one L1's breakpoints hold in vmcs01. */
	if (dr7_is_l1s && gd.dr7[0].held)
		vmcs_write(VMCS_GUEST_DR7, gd.dr7[0].own);
	gd.dr7[1].held = false;
	if (bps_for(2))
		hold_dr7(2);
	(void)v;
}

void guest_debug_l1_dr7_loaded(struct vcpu *v)
{
	/* 27.5.1: the exit made L1's DR7 400H: its own from now on; the
	 * breakpoints' DR7 goes back into vmcs01. */
	if (!gd.dr7[0].held)
		return;
	gd.dr7[0].held = false;
	hold_dr7(1);
	(void)v;
}

void guest_debug_l2_leaving(struct vcpu *v, uint32_t reason)
{
	/* 27.3: the vmcs12 gets vmcs02's guest state next: L2's own DR7,
	 * and RF as L2 had it where guest_debug_resume() set it for a breakpoint at
	 * RIP that the exit left unexecuted. */
	if (gd.dr7[1].held) {
		vmcs_write(VMCS_GUEST_DR7, gd.dr7[1].own);
		gd.dr7[1].held = false;
	}
	if (gd.rf_l2 && exit_get(&v->exit, EF_RIP) == gd.rf_rip)
		exit_set(&v->exit, EF_RFLAGS,
			 exit_get(&v->exit, EF_RFLAGS) & ~RFLAGS_RF);
	gd.rf_l2 = false;
	if (!gd.stepping || !gd.step_l2)
		return;
	/* 27.3: the vmcs12 gets vmcs02's guest state next: L2's own TF and
	 * pending debug exceptions, not the step's. BS there is the step's,
	 * set by step_begin() or saved by the CPU for the TF of an
	 * instruction that exited (27.3.4); L2's own TF was clear
	 * (guest_debug_step_refusal()). */
	if (gd.step_tf)
		vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & ~DBG_BS);
	step_end(v);
	gd.left_l2 = true;
	gd.left_reason = reason;
	guest_debug_stop(GUEST_STOP_STEP);
}

bool guest_debug_step_left_l2(uint32_t *reason)
{
	bool left = gd.left_l2;

	gd.left_l2 = false;
	*reason = gd.left_reason;
	return left;
}

/* MOV DR exits, on while breakpoints are set (see the top). Exit
 * qualification: DR number 2:0, direction bit 4 (1 = MOV from DR), GPR
 * 11:8 (SDM Vol. 3C Table 27-3). */
void handle_dr_access(struct vcpu *v)
{
	uint64_t qual = exit_get(&v->exit, EF_QUAL);
	unsigned dr = qual & 7, gpr = (qual >> 8) & 15;
	unsigned lv = level_of(v) - 1;
	bool from = qual & (1u << 4);
	uint64_t val;

	if (!gd.dr_warned) {
		gd.dr_warned = true;
		pr_warn("nestor: the guest uses its debug registers while breakpoints are set: its reads give 0, its writes are dropped (DR7's kept for later)\n");
	}
	/* DR4/DR5 alias DR6/DR7 with CR4.DE = 0 (with DE = 1 they #UD
	 * before the exit): 17.2.2. */
	if (dr == 4 || dr == 5)
		dr += 2;
	if (from) {
		/* A level whose DR7 is not held (L2's while only L1 has
		 * breakpoints) has its own DR7 in the VMCS still. */
		val = dr == 6 ? DR6_INIT : dr != 7 ? 0
		      : gd.dr7[lv].held ? gd.dr7[lv].own : vmcs_read(VMCS_GUEST_DR7);
		gpr_write(v, gpr, val);
	} else if (dr == 7) {
		val = gpr_read(v, gpr);
		/* 17.2.4: DR7[63:32] must be 0 (#GP), as VM entry checks
		 * (26.3.1.1). */
		if (val >> 32) {
			inject_gp0(v);
			return;
		}
		if (gd.dr7[lv].held)
			gd.dr7[lv].own = val;
		else
			vmcs_write(VMCS_GUEST_DR7, val);
	}
	skip_instruction(v);
}

/* Leaves a stop: the guest runs on (RF so that the instruction
 * breakpoint at RIP does not fire again at once, 17.3.1.1; L2 only where
 * one of its breakpoints is at RIP, and taken back if L2's next exit to
 * L1 comes before that instruction ran: guest_debug_l2_leaving()). */
void guest_debug_resume(struct vcpu *v, bool step)
{
	uint64_t rip = exit_get(&v->exit, EF_RIP);
	bool rf = v->level == VCPU_L1;

	for (unsigned i = 0; i < NBP && !rf; i++)
		rf = gd.bp[i].used && gd.bp[i].addr == rip && bps_for(2);
	if (rf)
		exit_set(&v->exit, EF_RFLAGS,
			 exit_get(&v->exit, EF_RFLAGS) | RFLAGS_RF);
	if (rf && v->level == VCPU_L2) {
		gd.rf_l2 = true;
		gd.rf_rip = rip;
	}
	if (step)
		step_begin(v);
	gd.stop = false;
}

/* ---- the breakpoints and the stop, for the stub and the shell ---- */

int guest_debug_break_insert(struct vcpu *v, uint64_t addr, bool sw)
{
	int slot = bp_insert(sw, addr);

	if (slot >= 0)
		update_debug(v);
	return slot;
}

bool guest_debug_break_remove(struct vcpu *v, unsigned slot)
{
	if (slot >= NBP || !gd.bp[slot].used)
		return false;
	gd.bp[slot].used = false;
	update_debug(v);
	return true;
}

bool guest_debug_break_addr(unsigned slot, uint64_t *addr)
{
	if (slot >= NBP || !gd.bp[slot].used)
		return false;
	*addr = gd.bp[slot].addr;
	return true;
}

bool guest_debug_stop_take(enum guest_stop_kind *kind)
{
	bool stop = gd.stop;

	gd.stop = false;
	if (kind)
		*kind = gd.kind;
	return stop;
}

bool guest_debug_stop_pending(void)
{
	return gd.stop;
}

bool guest_debug_stepping(void)
{
	return gd.stepping;
}

bool guest_debug_wants_mtf(void)
{
	return gd.stepping && !gd.step_tf;
}

bool guest_debug_step_retired(struct vcpu *v)
{
	if (!gd.stepping)
		return false;
	step_end(v);
	guest_debug_stop(GUEST_STOP_STEP);
	return true;
}

void guest_debug_stop_break(struct vcpu *v)
{
	if (gd.stepping)
		step_end(v);
	guest_debug_stop(GUEST_STOP_SWBREAK);
}

void guest_debug_break_remove_addr(struct vcpu *v, uint64_t addr)
{
	for (unsigned i = 0; i < NBP; i++)
		if (gd.bp[i].used && gd.bp[i].addr == addr)
			gd.bp[i].used = false;
	update_debug(v);
}

void guest_debug_clear(struct vcpu *v)
{
	for (unsigned i = 0; i < NBP; i++)
		gd.bp[i].used = false;
	if (gd.stepping)
		step_end(v);
	update_debug(v);
}

void guest_debug_set_level1_only(struct vcpu *v, bool on)
{
	gd.level1_only = on;
	update_debug(v);	/* vmcs02's DR7 follows (bps_for()) */
}

bool guest_debug_level1_only(void)
{
	return gd.level1_only;
}

void guest_debug_sync(struct vcpu *v)
{
	if (v->level == VCPU_L1 && gd.debug_stale)
		update_debug(v);
}
