/* The test guests' IDT: every vector enters rt_trap(). Exceptions (vectors
 * 0-31 but NMI) unwind to the innermost active try context, which is how
 * expect_exception() observes them, at CPL 0 or CPL 3 (rt/user.h);
 * interrupts (NMI, 32-255) go to the handler registered for their vector,
 * except RT_VEC_USER_RETURN raised at CPL 3, which ends rt_user_call(). */
#ifndef NESTOR_GUESTS_RT_TRAPS_H
#define NESTOR_GUESTS_RT_TRAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/trap_frame.h"

/* Exception vectors (SDM Vol. 3A, 6.3.1, Table 6-1). */
enum {
	VEC_DE = 0,
	VEC_DB = 1,
	VEC_NMI = 2,
	VEC_BP = 3,
	VEC_OF = 4,
	VEC_BR = 5,
	VEC_UD = 6,
	VEC_NM = 7,
	VEC_DF = 8,
	VEC_TS = 10,
	VEC_NP = 11,
	VEC_SS = 12,
	VEC_GP = 13,
	VEC_PF = 14,
	VEC_MF = 16,
	VEC_AC = 17,
	VEC_MC = 18,
	VEC_XM = 19,
	VEC_VE = 20,
	VEC_CP = 21,
};

#define RT_NO_EXCEPTION (-1)

/* The vector code at CPL 3 raises (INT 0x80, through a DPL-3 gate) when
 * its function has returned (rt/user.h; rt/isr.asm's VEC_USER_RETURN). */
#define RT_VEC_USER_RETURN 0x80

/* The stack rt/isr.asm builds is Nestor's struct trap_frame
 * (arch/x86/trap_frame.h): saved registers, then the vector and error code,
 * then the CPU's interrupt frame (SDM Vol. 3A, 6.14.2). */

/* What an exception looked like. vector is RT_NO_EXCEPTION when none
 * happened; rip is where the CPU reported it (the faulting instruction for a
 * fault, the next one for a trap such as #BP). */
struct rt_exception {
	int vector;
	uint64_t error_code;
	uint64_t cr2;
	uint64_t rip;
};

/* A saved resume point (rt/isr.asm's rt_try_call). */
struct rt_try_ctx {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t rsp, rip, rflags;
	struct rt_try_ctx *prev;
	struct rt_exception exc;
};

_Static_assert(offsetof(struct rt_try_ctx, rbx) == 0, "isr.asm T_RBX");
_Static_assert(offsetof(struct rt_try_ctx, r15) == 40, "isr.asm T_R15");
_Static_assert(offsetof(struct rt_try_ctx, rsp) == 48, "isr.asm T_RSP");
_Static_assert(offsetof(struct rt_try_ctx, rip) == 56, "isr.asm T_RIP");
_Static_assert(offsetof(struct rt_try_ctx, rflags) == 64, "isr.asm T_RFLAGS");
_Static_assert(offsetof(struct rt_try_ctx, prev) == 72, "isr.asm T_PREV");

typedef void (*rt_irq_handler)(struct trap_frame *f);

/* Builds and loads the IDT (256 interrupt gates, CPL 0). */
void rt_traps_init(void);

/* Handler for interrupt `vector` (2 or 32..255); NULL removes it. An
 * interrupt without a handler is counted and reported on the console. */
void rt_set_irq_handler(unsigned vector, rt_irq_handler h);
unsigned rt_unexpected_interrupts(void);

/* Runs fn(arg). Returns 0 if it returned, 1 if an exception unwound it; in
 * both cases ctx->exc says what happened. Nestable. (rt/isr.asm) */
int rt_try_call(void (*fn)(void *), void *arg, struct rt_try_ctx *ctx);

/* Runs fn(arg), catching any exception. Returns its vector, or
 * RT_NO_EXCEPTION; *info (may be NULL) gets the details. */
int rt_catch(void (*fn)(void *), void *arg, struct rt_exception *info);

/* Runs fn(arg); true iff it raised exception `vector`. *info (may be NULL)
 * gets what actually happened, so a caller can report a wrong vector or
 * check the error code and CR2. */
bool expect_exception(int vector, void (*fn)(void *), void *arg,
		      struct rt_exception *info);

/* "#GP" etc., "vector N" for the rest. */
const char *rt_vector_name(int vector);

/* Entered from rt/isr.asm with the saved frame. */
void rt_trap(struct trap_frame *f);
extern struct rt_try_ctx *rt_active_try;

#endif
