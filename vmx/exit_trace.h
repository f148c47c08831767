/* The exit trace: a ring of the last VM exits of one vCPU (reason, level,
 * TSC at the exit, and the qualification and RIP when the exit read them),
 * printed on every failure (the crash path, guest_unsupported, a failed VM
 * entry) and by the shell's `trace [N]` (issue 16). Pure: the ring's
 * indexing, the "last N" window and the line format are unit tested
 * (tests/unit/test_exit_trace.c).
 *
 * Recording costs a few stores per exit and no VMREAD: exit_trace_record()
 * at the start of the exit (vmx/exit_dispatch.c), exit_trace_note() when
 * the exit reads its qualification or RIP for the first time
 * (vmx/exit_record.h).
 *
 * Safe to print from an NMI at any instruction of the writer, without
 * locks: a slot is filled before `count` moves onto it, and the window
 * holds at most EXIT_TRACE_SIZE - 1 entries, so the slot being filled is
 * never shown; a qualification or RIP counts only once its `known` bit is
 * set, after the value. */
#ifndef NESTOR_VMX_EXIT_TRACE_H
#define NESTOR_VMX_EXIT_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "lib/compiler.h"

#define EXIT_TRACE_SIZE 64u         /* a power of two */
#define EXIT_TRACE_ON_FAILURE 32u   /* exits printed before a VMCS dump */

#define EXIT_TRACE_QUAL (1u << 0)   /* `known`: qual holds this exit's */
#define EXIT_TRACE_RIP (1u << 1)    /* `known`: rip holds this exit's */

struct exit_trace_entry {
	uint64_t tsc;    /* RDTSC at the exit */
	uint64_t qual;
	uint64_t rip;
	uint32_t reason; /* the full exit reason (bit 31: VM-entry failure) */
	uint8_t level;   /* enum vcpu_level: the level that exited */
	uint8_t known;   /* EXIT_TRACE_QUAL | EXIT_TRACE_RIP */
};

struct exit_trace {
	uint64_t count;  /* exits recorded; the newest is slot (count-1) */
	struct exit_trace_entry e[EXIT_TRACE_SIZE];
};

/* Volatile stores keep their order among themselves (C11 5.1.2.3) without
 * a compiler barrier, which would make the exit path reload everything. */
#define EXIT_TRACE_STORE(lv, val) (*(volatile __typeof__(lv) *)&(lv) = (val))

/* Where the notes go when the exit record no longer describes the exit
 * (vmx/exit_record.h): written, never read. */
extern struct exit_trace_entry exit_trace_discard;

/* A new exit: its slot filled, then published. Returns the slot for the
 * notes of this exit. */
static inline struct exit_trace_entry *
exit_trace_record(struct exit_trace *t, uint32_t reason, unsigned level,
		  uint64_t tsc)
{
	uint64_t count = t->count;
	struct exit_trace_entry *e = &t->e[count & (EXIT_TRACE_SIZE - 1)];

	EXIT_TRACE_STORE(e->known, 0);
	EXIT_TRACE_STORE(e->reason, reason);
	EXIT_TRACE_STORE(e->level, (uint8_t)level);
	EXIT_TRACE_STORE(e->tsc, tsc);
	EXIT_TRACE_STORE(t->count, count + 1);
	return e;
}

/* The exit's qualification or RIP (what: EXIT_TRACE_QUAL or _RIP). */
static inline void exit_trace_note(struct exit_trace_entry *e, unsigned what,
				   uint64_t val)
{
	if (what == EXIT_TRACE_QUAL)
		EXIT_TRACE_STORE(e->qual, val);
	else
		EXIT_TRACE_STORE(e->rip, val);
	EXIT_TRACE_STORE(e->known, (uint8_t)(e->known | what));
}

/* The window of the last n exits, oldest first: returns how many there
 * are (at most n, at most EXIT_TRACE_SIZE - 1) and the sequence number of
 * the oldest in *first (exits count from 1). */
unsigned exit_trace_window(const struct exit_trace *t, unsigned n,
			   uint64_t *first);

/* The entry of exit number seq (inside the window). */
const struct exit_trace_entry *exit_trace_at(const struct exit_trace *t,
					     uint64_t seq);

/* One line for exit seq: "#seq Ln reason nr (name) qual Q rip R tsc T",
 * with "-" for a qualification or RIP the exit did not read, and the TSC
 * as "+delta" from prev_tsc unless prev_tsc is 0. Returns what
 * fmt_snprintf returns. */
int exit_trace_format(char *buf, size_t size, uint64_t seq,
		      const struct exit_trace_entry *e, uint64_t prev_tsc);

/* A header line, then one line per exit of the last n, oldest first, each
 * handed to line() without a newline. */
void exit_trace_print(const struct exit_trace *t, unsigned n,
		      void (*line)(void *ctx, const char *text), void *ctx);

#endif
