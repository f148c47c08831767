/* IDT setup and the C half of every interrupt and exception for the test
 * guests (the stubs are in rt/isr.asm). An exception inside rt_try_call()
 * rewrites its frame so that IRETQ resumes at the try's return point; one
 * outside any try is fatal for the guest. */
#include "tests/guests/rt/traps.h"

#include "tests/guests/rt/rt.h"

#include "arch/x86/idt_gate.h"

#define NUM_VECTORS 256
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
/* Gate DPL 3 (type_attr bits 6:5): INT n at CPL 3 may use it (SDM Vol. 3A,
 * 6.12.1.1). */
#define GATE_DPL3 0x60
#define MAX_REPORTED_INTERRUPTS 8

extern const uint64_t rt_isr_stubs[NUM_VECTORS]; /* rt/isr.asm */

struct rt_try_ctx *rt_active_try;
static struct idt_gate idt[NUM_VECTORS] __attribute__((aligned(16)));
static rt_irq_handler irq_handlers[NUM_VECTORS];
static unsigned unexpected_interrupts;
static bool in_fatal;

void rt_traps_init(void)
{
	struct descriptor_table_ptr idtr = {
		.limit = sizeof(idt) - 1,
		.base = (uint64_t)idt,
	};

	for (unsigned v = 0; v < NUM_VECTORS; v++)
		idt[v] = idt_interrupt_gate(rt_isr_stubs[v], SEL_CODE64, 0);
	idt[RT_VEC_USER_RETURN].type_attr |= GATE_DPL3;
	lidt(&idtr);
}

void rt_set_irq_handler(unsigned vector, rt_irq_handler h)
{
	if (vector < NUM_VECTORS)
		irq_handlers[vector] = h;
}

unsigned rt_unexpected_interrupts(void)
{
	return unexpected_interrupts;
}

const char *rt_vector_name(int vector)
{
	static const char *const names[] = {
		[VEC_DE] = "#DE", [VEC_DB] = "#DB", [VEC_NMI] = "NMI",
		[VEC_BP] = "#BP", [VEC_OF] = "#OF", [VEC_BR] = "#BR",
		[VEC_UD] = "#UD", [VEC_NM] = "#NM", [VEC_DF] = "#DF",
		[VEC_TS] = "#TS", [VEC_NP] = "#NP", [VEC_SS] = "#SS",
		[VEC_GP] = "#GP", [VEC_PF] = "#PF", [VEC_MF] = "#MF",
		[VEC_AC] = "#AC", [VEC_MC] = "#MC", [VEC_XM] = "#XM",
		[VEC_VE] = "#VE", [VEC_CP] = "#CP",
	};

	if (vector == RT_NO_EXCEPTION)
		return "no exception";
	if (vector >= 0 && (size_t)vector < ARRAY_SIZE(names) && names[vector])
		return names[vector];
	return "vector";
}

static void handle_interrupt(struct trap_frame *f)
{
	rt_irq_handler h = irq_handlers[f->vector];

	if (h) {
		h(f);
		return;
	}
	if (unexpected_interrupts++ < MAX_REPORTED_INTERRUPTS)
		rt_printf("rt: unexpected interrupt, vector %lu at rip %#lx\n",
			  f->vector, f->rip);
}

static NORETURN void fatal_exception(const struct trap_frame *f, uint64_t cr2)
{
	if (in_fatal) /* faulted while reporting: stop quietly */
		for (;;)
			__asm__ __volatile__("cli; hlt");
	in_fatal = true;
	rt_printf("rt: FATAL: unexpected exception %s (vector %lu), error code "
		  "%#lx\n", rt_vector_name((int)f->vector), f->vector,
		  f->error_code);
	rt_printf("rt:   rip %#lx rsp %#lx rflags %#lx cr2 %#lx\n", f->rip,
		  f->rsp, f->rflags, cr2);
	rt_printf("rt:   rax %#lx rbx %#lx rcx %#lx rdx %#lx\n", f->rax, f->rbx,
		  f->rcx, f->rdx);
	rt_printf("rt:   rsi %#lx rdi %#lx rbp %#lx\n", f->rsi, f->rdi, f->rbp);
	rt_exit(1);
}

/* Resume at ctx's return point with RAX = ret (see rt_try_call), at CPL 0
 * on the guest's flat selectors, whichever ring the frame came from. */
static void unwind_to(struct rt_try_ctx *ctx, struct trap_frame *f,
		      uint64_t ret)
{
	rt_active_try = ctx->prev;
	f->rbx = ctx->rbx;
	f->rbp = ctx->rbp;
	f->r12 = ctx->r12;
	f->r13 = ctx->r13;
	f->r14 = ctx->r14;
	f->r15 = ctx->r15;
	f->rsp = ctx->rsp;
	f->rip = ctx->rip;
	f->rflags = ctx->rflags;
	f->cs = SEL_CODE64;
	f->ss = SEL_DATA;
	f->rax = ret;
}

static bool from_cpl3(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

void rt_trap(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();
	struct rt_try_ctx *ctx = rt_active_try;

	if (f->vector == RT_VEC_USER_RETURN && from_cpl3(f) && ctx) {
		unwind_to(ctx, f, 0); /* rt_user_call's function returned */
		return;
	}
	if (f->vector == VEC_NMI || f->vector >= 32) {
		handle_interrupt(f);
		return;
	}
	if (!ctx)
		fatal_exception(f, cr2);
	ctx->exc = (struct rt_exception){
		.vector = (int)f->vector,
		.error_code = f->error_code,
		.cr2 = cr2,
		.rip = f->rip,
	};
	unwind_to(ctx, f, 1);
}

int rt_catch(void (*fn)(void *), void *arg, struct rt_exception *info)
{
	struct rt_try_ctx ctx;

	ctx.exc = (struct rt_exception){ .vector = RT_NO_EXCEPTION };
	rt_try_call(fn, arg, &ctx);
	if (info)
		*info = ctx.exc;
	return ctx.exc.vector;
}

bool expect_exception(int vector, void (*fn)(void *), void *arg,
		      struct rt_exception *info)
{
	return rt_catch(fn, arg, info) == vector;
}
