/* Exit statistics, printed when the guest stops, and the exit trace,
 * printed when it fails. */
#include "vmx/exits.h"
#include "lib/log.h"

void exit_stats_print(const struct vcpu *v)
{
	uint64_t ticks = 0;

	log_printf(LOG_QUIET, "nestor: exit statistics: %lu exits\n",
		   v->stats.total_exits);
	log_printf(LOG_QUIET, "  %-4s %-36s %10s %14s %10s\n", "nr", "reason",
		   "count", "ticks", "ticks/exit");
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		uint64_t n = v->stats.count[r];

		if (!n)
			continue;
		ticks += v->stats.ticks[r];
		log_printf(LOG_QUIET, "  %-4u %-36s %10lu %14lu %10lu\n", r,
			   vmx_exit_reason_name(r), n, v->stats.ticks[r],
			   v->stats.ticks[r] / n);
	}
	log_printf(LOG_QUIET, "nestor: ticks in exit handlers: %lu\n", ticks);
	/* The cost of guest_maxphyaddr below the host's width shows here;
	 * at the host's width it is always 0 (no #PF intercept). */
	log_printf(LOG_QUIET, "nestor: #PF exits: %lu\n", v->stats.pf_exits);
	exit_stats_print_levels(v);
}

void exit_stats_print_levels(const struct vcpu *v)
{
	const struct exit_stats *s = &v->stats;
	uint64_t all = 0, l2 = 0, refl = 0;

	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		all += s->count[r];
		l2 += s->l2_count[r];
		refl += s->l2_reflected[r];
	}
	if (!l2) {
		log_printf(LOG_QUIET, "nestor: exits per level: L1 %lu, L2 0 (L2 never ran)\n",
			   all);
		return;
	}
	log_printf(LOG_QUIET, "nestor: exits per level: L1 %lu, L2 %lu (%lu reflected to L1, %lu handled in L0)\n",
		   all - l2, l2, refl, l2 - refl);
	log_printf(LOG_QUIET, "  %-4s %-36s %10s %10s %10s\n", "nr", "reason",
		   "L1", "L2->L1", "L2 in L0");
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
		if (s->count[r])
			log_printf(LOG_QUIET, "  %-4u %-36s %10lu %10lu %10lu\n",
				   r, vmx_exit_reason_name(r),
				   s->count[r] - s->l2_count[r],
				   s->l2_reflected[r],
				   s->l2_count[r] - s->l2_reflected[r]);
}

static void trace_line(void *ctx, const char *text)
{
	(void)ctx;
	log_printf(LOG_QUIET, "nestor: %s\n", text);
}

void exit_trace_report(const struct vcpu *v)
{
	exit_trace_print(&v->trace, EXIT_TRACE_ON_FAILURE, trace_line, NULL);
}
