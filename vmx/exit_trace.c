/* The exit trace's window and lines (pure; see vmx/exit_trace.h). */
#include "vmx/exit_trace.h"
#include "lib/format.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmx_errors.h"

struct exit_trace_entry exit_trace_discard;

unsigned exit_trace_window(const struct exit_trace *t, unsigned n,
			   uint64_t *first)
{
	/* Read once: an NMI printer may have interrupted the writer. */
	uint64_t count = *(const volatile uint64_t *)&t->count;

	if (n > EXIT_TRACE_SIZE - 1)
		n = EXIT_TRACE_SIZE - 1; /* never the slot being filled */
	if (n > count)
		n = (unsigned)count;
	*first = count - n + 1;
	return n;
}

const struct exit_trace_entry *exit_trace_at(const struct exit_trace *t,
					     uint64_t seq)
{
	return &t->e[(seq - 1) & (EXIT_TRACE_SIZE - 1)];
}

/* "0x" and 16 hex digits, or "-" where the exit did not read the value. */
static const char *hex_or_dash(char *buf, size_t size, uint8_t known,
			       unsigned bit, uint64_t val)
{
	if (!(known & bit))
		return "-";
	fmt_snprintf(buf, size, "0x%016lx", (unsigned long)val);
	return buf;
}

int exit_trace_format(char *buf, size_t size, uint64_t seq,
		      const struct exit_trace_entry *e, uint64_t prev_tsc)
{
	/* One read of each field: the entry may change under an NMI printer. */
	uint8_t known = *(const volatile uint8_t *)&e->known;
	unsigned basic = EXIT_REASON_BASIC(e->reason);
	char qual[20], rip[20];

	return fmt_snprintf(buf, size, "#%-8lu L%u %3u %-28s qual %-18s rip %-18s tsc %s%lu",
			    (unsigned long)seq, (unsigned)e->level, basic,
			    vmx_exit_reason_name(basic),
			    hex_or_dash(qual, sizeof(qual), known,
					EXIT_TRACE_QUAL, e->qual),
			    hex_or_dash(rip, sizeof(rip), known, EXIT_TRACE_RIP,
					e->rip),
			    prev_tsc ? "+" : "",
			    (unsigned long)(prev_tsc ? e->tsc - prev_tsc : e->tsc));
}

void exit_trace_print(const struct exit_trace *t, unsigned n,
		      void (*line)(void *ctx, const char *text), void *ctx)
{
	char buf[192];
	uint64_t first, prev = 0;
	unsigned have = exit_trace_window(t, n, &first);

	fmt_snprintf(buf, sizeof(buf),
		     "exit trace: the last %u of %lu exits, oldest first (qual/rip \"-\": not read by the exit; tsc: +ticks since the line above)",
		     have, (unsigned long)(first + have - 1));
	line(ctx, buf);
	for (unsigned i = 0; i < have; i++) {
		const struct exit_trace_entry *e = exit_trace_at(t, first + i);

		exit_trace_format(buf, sizeof(buf), first + i, e, prev);
		prev = e->tsc;
		line(ctx, buf);
	}
}
