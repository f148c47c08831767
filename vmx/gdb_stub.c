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
 *  - breakpoints and single step: vmx/guest_debug.c's DR0-DR3 and MTF or
 *    TF (shared with the console shell), at linear addresses of whichever
 *    level runs; a Z0 that finds DR0-DR3 full becomes an EPT
 *    execute-disable breakpoint (vmx/ept_break.c, L1's only) at the
 *    guest-physical address the GVA translates to at insertion (a later
 *    remap of that GVA is not followed); Z1 stays hardware only. Nothing
 *    is written into guest memory;
 *  - the level (`monitor level 2`, the default): a stop at an exit of L2
 *    shows L2: its GPRs (the exit frame), RIP, RFLAGS, selectors from
 *    vmcs02, its memory through its own page tables and then, where L1
 *    uses EPT for L2, through L1's EPT12 (nested_l2_gpa_to_l1(), via
 *    vmx/nested_seam.h) to L1's RAM only. An exit of L2 that goes to L1
 *    stops once the switch is done, L1 at its host RIP
 *    (gdb_stub_l1_current()). A step there is L2's (vmx/guest_debug.h).
 *    `monitor level 1`: stops only at L1's exits, as a guest that is not
 *    a hypervisor sees it; Ctrl-C while L2 runs
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
#include "vmx/guest_debug.h"
#include "vmx/nested_seam.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_ctls.h"
#include "vmx/vmx_options.h"
#include "vmx/write_step.h"

#define GDB_BAUD 115200
#define GDB_TID 1		/* the one thread: the vCPU */
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
	enum guest_stop_kind kind;	/* the stop being served */
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

/* Z0/Z1 (vmx/guest_debug.c): DR0-DR3, and for Z0 with them full an EPT
 * breakpoint (vmx/ept_break.c); z0/z1 remove either. */
static void breakpoint(struct vcpu *v, const struct gdb_command *c)
{
	bool sw = c->u.brk.type == GDB_BREAK_SW;
	const char *why;

	if (c->kind == GDB_CMD_REMOVE_BREAK) {
		guest_debug_break_remove_addr(v, c->u.brk.addr);
		ept_break_remove_gva(v, c->u.brk.addr);
	} else if (guest_debug_break_insert(v, c->u.brk.addr, sw) < 0 &&
		   (!sw || !ept_break_insert_gva(v, c->u.brk.addr, &why))) {
		gdb_reply_error(&gs.reply, E_NO_SLOT);
		return;
	}
	gdb_reply_ok(&gs.reply);
}

/* ---- the command loop ---- */

static void level_text(struct vcpu *v, unsigned level, char *buf, size_t size)
{
	const char *now = v->level == VCPU_L2
		? "stopped in L2, the guest L1 runs; GDB shows L2"
		: "stopped in L1, the guest Nestor runs; GDB shows L1";
	uint64_t rip, rsp, cr3;

	guest_debug_set_level1_only(v, level == 1);
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

/* The stop reply for the stop being served (gs.kind), with the swbreak/
 * hwbreak reasons only where GDB announced them (qSupported). */
static void stop_reply(void)
{
	uint8_t signal = gs.kind == GUEST_STOP_INTERRUPT ? GDB_SIGINT : GDB_SIGTRAP;
	enum gdb_stop_reason reason = GDB_STOP_NONE;

	if (gs.kind == GUEST_STOP_HWBREAK && (gs.features & GDB_FEAT_HWBREAK))
		reason = GDB_STOP_HWBREAK;
	if (gs.kind == GUEST_STOP_SWBREAK && (gs.features & GDB_FEAT_SWBREAK))
		reason = GDB_STOP_SWBREAK;
	gdb_reply_stop_thread(&gs.reply, signal, GDB_TID, reason);
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
		if (c.kind == GDB_CMD_STEP && guest_debug_step_refusal(v)) {
			gdb_reply_error(&gs.reply, E_LEVEL);
			break;
		}
		if (!set_rip(v, &c)) {
			gdb_reply_error(&gs.reply, E_VALUE);
			break;
		}
		guest_debug_resume(v, c.kind == GDB_CMD_STEP);
		return true;	/* the reply is the next stop */
	case GDB_CMD_VCONT_QUERY:
		gdb_reply_vcont_actions(&gs.reply);
		break;
	case GDB_CMD_VCONT: {
		/* One thread: the first action is this vCPU's. */
		bool step = c.u.vcont.action[0].action == 's' ||
			    c.u.vcont.action[0].action == 'S';

		if (step && guest_debug_step_refusal(v)) {
			gdb_reply_error(&gs.reply, E_LEVEL);
			break;
		}
		guest_debug_resume(v, step);
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
		guest_debug_clear(v);
		ept_break_remove_all(v);
		gdb_reply_ok(&gs.reply);
		pr_info("nestor: GDB detached; the guest runs on\n");
		run = true;
		guest_debug_resume(v, false);
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
	guest_debug_stop_take(&gs.kind);
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
		    !guest_debug_stop_pending())
			guest_debug_stop(GUEST_STOP_INTERRUPT);
	}
	guest_debug_sync(v);
	/* At L2's exits: not with level 1, nor while the exit goes to L1
	 * (the switch is half done: served in gdb_stub_l1_current()). */
	if (v->level == VCPU_L2 &&
	    (guest_debug_level1_only() || (v->requests & VCPU_REQ_NESTED)))
		return;
	/* Not while a write step is open (its TF, IF = 0, the pages it
	 * changed): the stop is served at the next exit, which closes it. */
	if (guest_debug_stop_pending() && !write_step_open(&v->step))
		serve(v, true);
}

void gdb_stub_l1_current(struct vcpu *v)
{
	uint32_t reason;

	guest_debug_sync(v);
	/* A stop that came at L2's exit to L1 (the end of a step of L2's,
	 * a Ctrl-C): L1 at its host RIP, where it runs next (27.5.3). */
	if (!gdb_stub_on() || !guest_debug_stop_pending())
		return;	/* the console shell takes its stop itself */
	if (guest_debug_step_left_l2(&reason))
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
	guest_debug_stop(GUEST_STOP_STEP);
	serve(v, false);
}

