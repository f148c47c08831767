/* Running a function at CPL 3 (user mode) and coming back, for tests that
 * need user-mode accesses (the U bit of a #PF error code, U/S checks). */
#ifndef NESTOR_GUESTS_RT_USER_H
#define NESTOR_GUESTS_RT_USER_H

#include "tests/guests/rt/traps.h"

/* The longest function rt_user_call() runs: the bytes from fn on that are
 * made user-accessible. */
#define RT_USER_FN_MAX 256

/* Runs fn(arg) at CPL 3 and returns to CPL 0; like rt_catch(): returns
 * RT_NO_EXCEPTION if fn returned, else the vector of the exception that
 * ended it, *info (may be NULL) getting the details (rip and cr2 as the
 * CPU reported them).
 *
 * fn runs on a private user stack with interrupts off and IOPL 0. It must
 * be short (RT_USER_FN_MAX bytes) and call nothing: only the pages holding
 * fn, the ring-3 trampoline and the user stack are made user-accessible
 * (U/S = 1 in their PTE and every entry above it) for the call, and are
 * restored afterwards. Any other memory fn touches must be mapped with
 * U/S = 1 at every level by the caller. The first call loads a TSS whose
 * RSP0 is a private stack, so exceptions at CPL 3 switch stacks (SDM Vol.
 * 3A, 6.14.5 and 8.7). Returns RT_USER_NO_MAPPING (and runs nothing)
 * if the pages cannot be remapped. */
#define RT_USER_NO_MAPPING (-2)
int rt_user_call(void (*fn)(void *), void *arg, struct rt_exception *info);

#endif
