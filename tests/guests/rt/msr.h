/* RDMSR/WRMSR that survive a #GP, and Nestor's exit counter, for the test
 * guests (suite.c, adversarial.c). */
#ifndef NESTOR_GUESTS_RT_MSR_H
#define NESTOR_GUESTS_RT_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/guests/rt/traps.h"

/* RDMSR/WRMSR under rt_catch(): the vector raised, or RT_NO_EXCEPTION; *e
 * gets the details. */
int rdmsr_safe(uint32_t msr, uint64_t *val, struct rt_exception *e);
int wrmsr_safe(uint32_t msr, uint64_t val, struct rt_exception *e);

/* NESTOR_HC_EXIT_COUNT(reason) into *count; fails the running test (and
 * returns false) if it cannot be had. */
bool exit_count(uint64_t reason, uint64_t *count);

#endif
