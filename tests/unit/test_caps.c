/* Unit tests for vmx/caps.c: VMX capability MSRs -> controls, the
 * VM-entry/VM-exit pair rule, refusal of inconsistent CPUs, and the MSRs
 * shown to a nested hypervisor. Fixtures are the Bochs 2.7 models in
 * vmx_models.h (which says what is measured, derived or invented);
 * hand-made variants break one rule each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/caps.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmcs_layout.h"
#include "vmx_models.h"

/* ---- Diagnostics capture ------------------------------------------------ */

#define MAX_MSGS 48

struct diags {
	unsigned n, fatal, nonfatal;
	char msg[MAX_MSGS][256];
	bool is_fatal[MAX_MSGS];
};

static struct diags D;

static void capture(void *ctx, bool fatal, const char *msg)
{
	struct diags *d = ctx;

	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
	assert_true(strlen(msg) < 256);
	assert_null(strchr(msg, '\n'));
	if (fatal)
		d->fatal++;
	else
		d->nonfatal++;
	if (d->n < MAX_MSGS) {
		snprintf(d->msg[d->n], sizeof(d->msg[0]), "%s", msg);
		d->is_fatal[d->n] = fatal;
		d->n++;
	}
}

/* Index of the message equal to `text` with the given severity, or -1. */
static int find_exact(const char *text, bool fatal)
{
	unsigned i;

	for (i = 0; i < D.n; i++)
		if (D.is_fatal[i] == fatal && strcmp(D.msg[i], text) == 0)
			return (int)i;
	return -1;
}

static int find_sub(const char *text, bool fatal)
{
	unsigned i;

	for (i = 0; i < D.n; i++)
		if (D.is_fatal[i] == fatal && strstr(D.msg[i], text))
			return (int)i;
	return -1;
}

static void dump(void)
{
	unsigned i;

	for (i = 0; i < D.n; i++)
		print_message("  [%s] %s\n", D.is_fatal[i] ? "fatal" : "note",
			      D.msg[i]);
}

#define assert_msg(text, fatal)                                            \
	do {                                                               \
		if (find_exact((text), (fatal)) < 0) {                     \
			dump();                                            \
			fail_msg("missing message: %s", (text));           \
		}                                                          \
	} while (0)

#define assert_msg_sub(text, fatal)                                        \
	do {                                                               \
		if (find_sub((text), (fatal)) < 0) {                       \
			dump();                                            \
			fail_msg("no message containing: %s", (text));     \
		}                                                          \
	} while (0)

static int build(const struct vmx_msrs *m, const struct vmx_wanted *w,
		 struct vmx_config *c)
{
	memset(&D, 0, sizeof(D));
	return vmx_config_build(m, w, c, capture, &D);
}

static bool config_is_zero(const struct vmx_config *c)
{
	static const struct vmx_config zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

/* ---- Fixtures ------------------------------------------------------------ */

/* Roughly what Nestor asks for. */
static struct vmx_wanted nestor_wants(void)
{
	struct vmx_wanted w = {
		.required = {
			[VMX_PIN] = PIN_EXTERNAL_INTERRUPT_EXITING |
				    PIN_NMI_EXITING,
			[VMX_PROC] = PROC_USE_MSR_BITMAPS | PROC_USE_IO_BITMAPS,
			[VMX_EXIT] = EXIT_HOST_ADDR_SPACE_SIZE |
				     EXIT_ACK_INTERRUPT_ON_EXIT,
			[VMX_ENTRY] = ENTRY_LOAD_EFER,
		},
		.optional = {
			[VMX_PIN] = PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER,
			[VMX_PROC] = PROC_TSC_OFFSETTING,
			[VMX_PROC2] = PROC2_ENABLE_EPT | PROC2_ENABLE_VPID |
				      PROC2_UNRESTRICTED_GUEST |
				      PROC2_ENABLE_RDTSCP |
				      PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES,
			[VMX_EXIT] = EXIT_SAVE_EFER | EXIT_SAVE_PAT |
				     EXIT_LOAD_PAT,
			[VMX_ENTRY] = ENTRY_LOAD_PAT,
		},
	};
	return w;
}

/* ---- Names ---------------------------------------------------------------- */

static void test_bit_names(void **state)
{
	(void)state;
	assert_string_equal(vmx_ctl_bit_name(VMX_PROC, 28), "use MSR bitmaps");
	assert_string_equal(vmx_ctl_bit_name(VMX_PIN, 0),
			    "external-interrupt exiting");
	assert_string_equal(vmx_ctl_bit_name(VMX_PIN, 7),
			    "process posted interrupts");
	assert_string_equal(vmx_ctl_bit_name(VMX_PROC2, 1), "enable EPT");
	assert_string_equal(vmx_ctl_bit_name(VMX_PROC2, 7),
			    "unrestricted guest");
	assert_string_equal(vmx_ctl_bit_name(VMX_PROC2, 28),
			    "enable ENCLV exiting");
	assert_string_equal(vmx_ctl_bit_name(VMX_EXIT, 21), "load IA32_EFER");
	assert_string_equal(vmx_ctl_bit_name(VMX_EXIT, 23),
			    "clear IA32_BNDCFGS");
	assert_string_equal(vmx_ctl_bit_name(VMX_ENTRY, 9),
			    "IA-32e mode guest");
	assert_string_equal(vmx_ctl_bit_name(VMX_ENTRY, 22), "load PKRS");
	/* Reserved bits, out-of-range bits and kinds. */
	assert_null(vmx_ctl_bit_name(VMX_PIN, 1));
	assert_null(vmx_ctl_bit_name(VMX_PROC, 0));
	assert_null(vmx_ctl_bit_name(VMX_ENTRY, 31));
	assert_null(vmx_ctl_bit_name(VMX_PROC, 32));
	assert_null(vmx_ctl_bit_name(VMX_PROC, ~0u));
	assert_null(vmx_ctl_bit_name(VMX_CTL_KINDS, 0));
	assert_null(vmx_ctl_bit_name((enum vmx_ctl_kind)-1, 0));
	assert_string_equal(vmx_ctl_kind_name(VMX_PROC),
			    "primary processor-based");
	assert_string_equal(vmx_ctl_kind_name(VMX_ENTRY), "VM-entry");
	assert_null(vmx_ctl_kind_name(VMX_CTL_KINDS));
}

/* Every name in the table is unique within its kind and every pair side
 * has one. */
static void test_names_cover_pairs(void **state)
{
	unsigned i;

	(void)state;
	assert_int_equal(vmx_entry_exit_pair_count, 10);
	assert_int_equal(ARRAY_SIZE(vmx_entry_exit_pairs), 10);
	for (i = 0; i < vmx_entry_exit_pair_count; i++) {
		const struct vmx_ctl_pair *p = &vmx_entry_exit_pairs[i];

		assert_int_equal(__builtin_popcount(p->entry), 1);
		assert_int_equal(__builtin_popcount(p->exit), 1);
		assert_non_null(vmx_ctl_bit_name(VMX_ENTRY,
						 __builtin_ctz(p->entry)));
		assert_non_null(vmx_ctl_bit_name(VMX_EXIT,
						 __builtin_ctz(p->exit)));
	}
}

/* ---- Allowed settings (A.2-A.5) ----------------------------------------- */

static void test_allowed_true_vs_plain(void **state)
{
	struct vmx_msrs m = skylake();
	uint32_t a0[VMX_CTL_KINDS], a1[VMX_CTL_KINDS];

	(void)state;
	vmx_allowed_settings(&m, a0, a1);
	assert_int_equal(a0[VMX_PROC], 0x04006172);
	assert_int_equal(a1[VMX_PROC], 0xf7f9fffe);
	assert_int_equal(a0[VMX_EXIT], 0x00036dfb);
	assert_int_equal(a0[VMX_ENTRY], 0x000011fb);
	assert_int_equal(a0[VMX_PROC2], 0);
	assert_int_equal(a1[VMX_PROC2], 0x02177fff);

	/* BASIC[55] = 0: the TRUE MSRs do not exist (A.2). */
	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	vmx_allowed_settings(&m, a0, a1);
	assert_int_equal(a0[VMX_PROC], 0x0401e172);
	assert_int_equal(a0[VMX_EXIT], 0x00036dff);
	assert_int_equal(a0[VMX_ENTRY], 0x000011ff);

	/* BASIC[55] = 1 but not read: the plain ones. */
	m = skylake();
	m.have_true_ctls = false;
	vmx_allowed_settings(&m, a0, a1);
	assert_int_equal(a0[VMX_PROC], 0x0401e172);
}

static void test_allowed_secondary_needs_bit31(void **state)
{
	struct vmx_msrs m = skylake();
	uint32_t a0[VMX_CTL_KINDS], a1[VMX_CTL_KINDS];

	(void)state;
	/* A.3.3: no "activate secondary controls" -> no secondary ones. */
	m.true_procbased &= ~((uint64_t)PROC_SECONDARY_CONTROLS << 32);
	vmx_allowed_settings(&m, a0, a1);
	assert_int_equal(a1[VMX_PROC2], 0);
	m = skylake();
	m.have_procbased2 = false;
	vmx_allowed_settings(&m, a0, a1);
	assert_int_equal(a1[VMX_PROC2], 0);
}

/* ---- Real models ---------------------------------------------------------- */

static void test_skylake(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_true(c.true_ctls);
	assert_int_equal(c.ctl[VMX_PIN], 0x7f);
	assert_int_equal(c.ctl[VMX_PROC], 0x9600617a);
	assert_int_equal(c.ctl[VMX_PROC2], 0x001010aa);
	assert_int_equal(c.ctl[VMX_EXIT], 0x003feffb);
	assert_int_equal(c.ctl[VMX_ENTRY], 0x0000d1fb);
	/* TRUE MSRs: CR3-load/store exiting off with EPT. */
	assert_int_equal(c.ctl[VMX_PROC] &
				 (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING),
			 0);
	assert_int_equal(c.revision, 0x2b);
	assert_int_equal(c.basic, 0x00d810000000002bull);
	assert_int_equal(c.ept_vpid_cap, 0x00000f0106334141ull);
	assert_int_equal(c.vmfunc, 1);
	assert_int_equal(c.cr0_fixed0, 0x80000021);
	assert_int_equal(c.cr4_fixed1, 0x3727ff);
	assert_true(c.ept && c.vpid && c.unrestricted_guest);
	assert_true(c.ept_exec_only && c.ept_2m && c.ept_1g && c.ept_ad &&
		    c.ept_wb);
	assert_true(c.invept_single && c.invept_all);
	assert_true(c.invvpid_addr && c.invvpid_single && c.invvpid_all);
	/* Bochs' Skylake does not offer the monitor trap flag (bit 59 of
	 * PROCBASED_CTLS is 0). */
	assert_false(c.mtf);
	assert_true(c.vmcs_shadowing && c.preemption_timer &&
		    c.save_preemption_timer && c.virtual_nmis && c.nmi_window);
	assert_int_equal(c.allowed1[VMX_PROC2], 0x02177fff);
	assert_int_equal(c.allowed0[VMX_PIN], 0x16);
	/* MISC 0x600401e0 (A.6). */
	assert_int_equal(c.preemption_timer_shift, 0);
	assert_int_equal(c.cr3_target_count, 4);
	assert_int_equal(c.max_msr_list, 512);
	assert_true(c.activity_hlt && c.activity_shutdown &&
		    c.activity_wait_sipi && c.vmwrite_any_field);
}

static void test_skylake_without_true_ctls(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	/* BASIC[55] = 0: default1 bits forced (A.2); with EPT only a notice. */
	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	m.have_true_ctls = false;
	m.true_pinbased = m.true_procbased = m.true_exit = m.true_entry = 0;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_false(c.true_ctls);
	assert_int_equal(c.ctl[VMX_PROC], 0x9601e17a);
	assert_int_equal(c.ctl[VMX_EXIT], 0x003fefff);
	assert_int_equal(c.ctl[VMX_ENTRY], 0x0000d1ff);
	assert_int_equal(D.fatal, 0);
	assert_int_equal(D.nonfatal, 1);
	assert_msg("IA32_VMX_PROCBASED_CTLS forces 'CR3-load exiting' and "
		   "'CR3-store exiting' to 1 although EPT is on: guest CR3 "
		   "accesses will exit (A.2)", false);
}

static void test_true_ctls_flag_mismatch(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.have_true_ctls = false;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_false(c.true_ctls);
	assert_msg("IA32_VMX_BASIC[55] = 1 but the TRUE control MSRs were not "
		   "read; using the non-TRUE ones (A.2)", false);

	m = skylake();
	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_false(c.true_ctls);
	assert_int_equal(c.ctl[VMX_PROC], 0x9601e17a);
	assert_msg("TRUE control MSRs given although IA32_VMX_BASIC[55] = 0; "
		   "ignoring them (A.2)", false);
}

/* A default1 control (CR3-load exiting) that only the TRUE MSR lets be 0,
 * and without EPT no notice is due. */
static void test_true_default1_without_ept(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.optional[VMX_PROC2] = 0;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(c.ctl[VMX_PROC] & PROC_CR3_LOAD_EXITING, 0);
	assert_int_equal(c.ctl[VMX_PROC2], 0);
	/* No secondary control wanted: "activate secondary controls" off. */
	assert_int_equal(c.ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS, 0);
	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(c.ctl[VMX_PROC] & PROC_CR3_LOAD_EXITING,
			 PROC_CR3_LOAD_EXITING);
	assert_int_equal(D.nonfatal, 1); /* only the TRUE-MSR warning */
	assert_msg_sub("ignoring them", false);
}

static void test_penryn_ept_required(void **state)
{
	struct vmx_msrs m = penryn();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.required[VMX_PROC2] = PROC2_ENABLE_EPT;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_true(config_is_zero(&c));
	assert_int_equal(D.fatal, 1);
	assert_msg("required VM-execution control 'enable EPT' (secondary "
		   "processor-based bit 1) is not supported by this CPU", true);
}

static void test_penryn_optional(void **state)
{
	struct vmx_msrs m = penryn();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_false(c.ept || c.vpid || c.unrestricted_guest);
	assert_false(c.ept_2m || c.invept_all || c.invvpid_all);
	assert_int_equal(c.ept_vpid_cap, 0);
	assert_int_equal(c.vmfunc, 0);
	assert_int_equal(c.ctl[VMX_PROC2], 0);
	assert_int_equal(c.ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS, 0);
	assert_false(c.vmcs_shadowing);

	/* WBINVD exiting is there: secondary controls on. */
	w.optional[VMX_PROC2] |= PROC2_WBINVD_EXITING;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(c.ctl[VMX_PROC2], PROC2_WBINVD_EXITING);
	assert_int_equal(c.ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS,
			 PROC_SECONDARY_CONTROLS);
}

static void test_lynnfield(void **state)
{
	struct vmx_msrs m = lynnfield();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_true(c.ept && c.vpid);
	assert_false(c.unrestricted_guest);
	assert_true(c.ept_2m);
	assert_false(c.ept_1g);
	assert_false(c.ept_ad);
	assert_false(c.vmcs_shadowing);
	assert_int_equal(c.ctl[VMX_PROC2],
			 PROC2_ENABLE_EPT | PROC2_ENABLE_VPID |
				 PROC2_ENABLE_RDTSCP);
	assert_int_equal(c.vmfunc, 0);

	w.required[VMX_PROC2] = PROC2_UNRESTRICTED_GUEST;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg("required VM-execution control 'unrestricted guest' "
		   "(secondary processor-based bit 7) is not supported by this "
		   "CPU", true);
}

static void test_sandy_bridge(void **state)
{
	struct vmx_msrs m = sandy_bridge();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_true(c.ept && c.vpid && c.unrestricted_guest);
	assert_false(c.ept_1g);
	assert_false(c.vmcs_shadowing);
	assert_int_equal(c.ctl[VMX_PROC2],
			 PROC2_ENABLE_EPT | PROC2_ENABLE_VPID |
				 PROC2_ENABLE_RDTSCP |
				 PROC2_UNRESTRICTED_GUEST);
}

static void test_haswell(void **state)
{
	struct vmx_msrs m = haswell();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_true(c.ept && c.vpid && c.unrestricted_guest);
	assert_true(c.ept_1g && c.ept_ad && c.vmcs_shadowing);
	assert_int_equal(c.vmfunc, 1);
	/* No XSAVES on Haswell (CTLS2 bit 20 clear). */
	assert_int_equal(c.ctl[VMX_PROC2], 0x000010aa);
}

/* ---- Required controls ---------------------------------------------------- */

static void test_required_missing_exact(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;
	uint64_t msr_bitmaps = (uint64_t)PROC_USE_MSR_BITMAPS << 32;

	(void)state;
	m.procbased &= ~msr_bitmaps;
	m.true_procbased &= ~msr_bitmaps;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_true(config_is_zero(&c));
	assert_int_equal(D.n, 1);
	assert_msg("required VM-execution control 'use MSR bitmaps' (primary "
		   "processor-based bit 28) is not supported by this CPU", true);
}

static void test_required_all_reported(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.required[VMX_PIN] |= PIN_POSTED_INTERRUPTS;
	w.required[VMX_ENTRY] |= BIT32(30);	/* reserved, unnamed */
	m.basic = (m.basic & ~(0x1fffull << 32)); /* region size 0 */
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 3);
	assert_msg("required VM-execution control 'process posted interrupts' "
		   "(pin-based bit 7) is not supported by this CPU", true);
	assert_msg("required VM-entry control (VM-entry bit 30) is not "
		   "supported by this CPU", true);
	assert_msg("IA32_VMX_BASIC reports a VMCS region size of 0 bytes; A.1 "
		   "allows 1 to 4096", true);
}

static void test_null_arguments(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	memset(&D, 0, sizeof(D));
	assert_int_equal(vmx_config_build(NULL, &w, &c, capture, &D), -1);
	assert_int_equal(vmx_config_build(&m, NULL, &c, capture, &D), -1);
	assert_int_equal(vmx_config_build(&m, &w, NULL, capture, &D), -1);
	assert_int_equal(D.fatal, 3);
	/* No diag callback: still works, still refuses. */
	assert_int_equal(vmx_config_build(&m, &w, &c, NULL, NULL), 0);
	assert_int_equal(c.ctl[VMX_PIN], 0x7f);
	m.basic &= ~(0xfull << 50);
	assert_int_equal(vmx_config_build(&m, &w, &c, NULL, NULL), -1);
}

/* ---- VM-entry/VM-exit pairs ---------------------------------------------- */

static const char *const pair_entry_names[10] = {
	"load IA32_PERF_GLOBAL_CTRL", "load IA32_PAT", "load IA32_EFER",
	"load IA32_BNDCFGS", "load IA32_RTIT_CTL", "load CET state",
	"load guest IA32_LBR_CTL", "load PKRS", "load UINV",
	"conceal VMX from PT",
};

static const char *const pair_exit_names[10] = {
	"load IA32_PERF_GLOBAL_CTRL", "load IA32_PAT", "load IA32_EFER",
	"clear IA32_BNDCFGS", "clear IA32_RTIT_CTL", "load CET state",
	"clear IA32_LBR_CTL", "load PKRS", "clear UINV", "conceal VMX from PT",
};

static const uint32_t pair_entry_bits[10] = {
	BIT32(13), BIT32(14), BIT32(15), BIT32(16), BIT32(18),
	BIT32(20), BIT32(21), BIT32(22), BIT32(19), BIT32(17),
};

static const uint32_t pair_exit_bits[10] = {
	BIT32(12), BIT32(19), BIT32(21), BIT32(23), BIT32(25),
	BIT32(28), BIT32(26), BIT32(29), BIT32(27), BIT32(24),
};

static uint32_t all_entry_pairs(void)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < 10; i++)
		v |= pair_entry_bits[i];
	return v;
}

static uint32_t all_exit_pairs(void)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < 10; i++)
		v |= pair_exit_bits[i];
	return v;
}

static void test_pair_table(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < 10; i++) {
		assert_int_equal(vmx_entry_exit_pairs[i].entry,
				 pair_entry_bits[i]);
		assert_int_equal(vmx_entry_exit_pairs[i].exit,
				 pair_exit_bits[i]);
	}
}

/* A Skylake that offers every pair, minus one side of pair `drop`. */
static struct vmx_msrs pairs_cpu(int drop, bool drop_exit)
{
	struct vmx_msrs m = skylake();
	uint32_t n = 0xffff | all_entry_pairs();
	uint32_t x = 0x7fffff | all_exit_pairs();

	if (drop >= 0) {
		if (drop_exit)
			x &= ~pair_exit_bits[drop];
		else
			n &= ~pair_entry_bits[drop];
	}
	m.entry = CTLS(n, (uint32_t)m.entry);
	m.true_entry = CTLS(n, (uint32_t)m.true_entry);
	m.exit = CTLS(x, (uint32_t)m.exit);
	m.true_exit = CTLS(x, (uint32_t)m.true_exit);
	return m;
}

/* Wants every pair (optionally) and nothing required from them. */
static struct vmx_wanted pair_wants(void)
{
	struct vmx_wanted w = nestor_wants();

	w.required[VMX_ENTRY] = 0;
	w.optional[VMX_ENTRY] = all_entry_pairs();
	w.optional[VMX_EXIT] |= all_exit_pairs();
	return w;
}

static void test_pairs_consistent_cpu(void **state)
{
	struct vmx_msrs m = pairs_cpu(-1, false);
	struct vmx_wanted w = pair_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_int_equal(c.ctl[VMX_ENTRY] & all_entry_pairs(),
			 all_entry_pairs());
	assert_int_equal(c.ctl[VMX_EXIT] & all_exit_pairs(), all_exit_pairs());
}

static void check_one_side_missing(unsigned i, bool drop_exit)
{
	struct vmx_msrs m = pairs_cpu((int)i, drop_exit);
	struct vmx_wanted w = pair_wants();
	struct vmx_config c;
	char want[256];

	if (drop_exit)
		snprintf(want, sizeof(want),
			 "inconsistent VM-entry/VM-exit control pair: entry "
			 "'%s' supported, exit '%s' not; using neither",
			 pair_entry_names[i], pair_exit_names[i]);
	else
		snprintf(want, sizeof(want),
			 "inconsistent VM-entry/VM-exit control pair: exit "
			 "'%s' supported, entry '%s' not; using neither",
			 pair_exit_names[i], pair_entry_names[i]);
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.fatal, 0);
	assert_int_equal(D.nonfatal, 1);
	assert_msg(want, false);
	assert_int_equal(c.ctl[VMX_ENTRY] & all_entry_pairs(),
			 all_entry_pairs() & ~pair_entry_bits[i]);
	assert_int_equal(c.ctl[VMX_EXIT] & all_exit_pairs(),
			 all_exit_pairs() & ~pair_exit_bits[i]);
	/* Non-pair controls are untouched. */
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_ACK_INTERRUPT_ON_EXIT,
			 EXIT_ACK_INTERRUPT_ON_EXIT);
}

static void test_pairs_each_side_missing(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < 10; i++) {
		check_one_side_missing(i, true);
		check_one_side_missing(i, false);
	}
}

static void test_pairs_efer_exact(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;
	uint64_t efer = (uint64_t)EXIT_LOAD_EFER << 32;

	(void)state;
	/* The brief's example: Skylake whose exit side cannot load EFER. */
	m.exit &= ~efer;
	m.true_exit &= ~efer;
	w.required[VMX_ENTRY] = 0;
	w.optional[VMX_ENTRY] |= ENTRY_LOAD_EFER;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_msg("inconsistent VM-entry/VM-exit control pair: entry 'load "
		   "IA32_EFER' supported, exit 'load IA32_EFER' not; using "
		   "neither", false);
	assert_int_equal(c.ctl[VMX_ENTRY], 0x000051fb);
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_LOAD_EFER, 0);
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_LOAD_PAT, EXIT_LOAD_PAT);
}

/* Wanting only one side wants both. */
static void test_pairs_one_side_wanted(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.optional[VMX_ENTRY] = 0;	/* PAT only asked on the exit side */
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_int_equal(c.ctl[VMX_ENTRY] & ENTRY_LOAD_PAT, ENTRY_LOAD_PAT);
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_LOAD_PAT, EXIT_LOAD_PAT);
	/* Required on the entry side -> the exit side is there too. */
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_LOAD_EFER, EXIT_LOAD_EFER);
}

static void test_pairs_unwanted_no_warning(void **state)
{
	struct vmx_msrs m = pairs_cpu(3, true);	/* no exit CLEAR_BNDCFGS */
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_int_equal(c.ctl[VMX_ENTRY] & ENTRY_LOAD_BNDCFGS, 0);
}

static void test_pairs_warn_once_each(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = pair_wants();
	struct vmx_config c;
	uint32_t n = 0xffff | all_entry_pairs();
	uint32_t x = 0x7fffff & ~all_exit_pairs();
	unsigned i;

	(void)state;
	m.entry = m.true_entry = CTLS(n, 0x11fb);
	m.exit = m.true_exit = CTLS(x, 0x36dfb);
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.fatal, 0);
	assert_int_equal(D.nonfatal, 10);
	for (i = 0; i < 10; i++) {
		char want[256];

		snprintf(want, sizeof(want),
			 "inconsistent VM-entry/VM-exit control pair: entry "
			 "'%s' supported, exit '%s' not; using neither",
			 pair_entry_names[i], pair_exit_names[i]);
		assert_msg(want, false);
	}
	assert_int_equal(c.ctl[VMX_ENTRY] & all_entry_pairs(), 0);
	assert_int_equal(c.ctl[VMX_EXIT] & all_exit_pairs(), 0);
}

static void test_pairs_required_missing(void **state)
{
	struct vmx_msrs m = pairs_cpu(2, true);
	struct vmx_wanted w = nestor_wants();	/* entry EFER required */
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_true(config_is_zero(&c));
	assert_int_equal(D.fatal, 1);
	assert_msg("required VM-entry/VM-exit control pair entry 'load "
		   "IA32_EFER' / exit 'load IA32_EFER' is unusable: entry 'load "
		   "IA32_EFER' supported, exit 'load IA32_EFER' not", true);

	/* Required through its exit side, entry side missing. */
	m = pairs_cpu(1, false);
	w = nestor_wants();
	w.required[VMX_EXIT] |= EXIT_LOAD_PAT;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("required VM-entry/VM-exit control pair entry 'load "
		   "IA32_PAT' / exit 'load IA32_PAT' is unusable: exit 'load "
		   "IA32_PAT' supported, entry 'load IA32_PAT' not", true);

	/* Both sides missing: each is reported. */
	m = skylake();
	m.entry &= ~((uint64_t)ENTRY_LOAD_EFER << 32);
	m.true_entry &= ~((uint64_t)ENTRY_LOAD_EFER << 32);
	m.exit &= ~((uint64_t)EXIT_LOAD_EFER << 32);
	m.true_exit &= ~((uint64_t)EXIT_LOAD_EFER << 32);
	w = nestor_wants();
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 2);
	assert_msg("required VM-entry control 'load IA32_EFER' (VM-entry bit "
		   "15) is not supported by this CPU", true);
	assert_msg("required VM-exit control 'load IA32_EFER' (primary VM-exit "
		   "bit 21) is not supported by this CPU", true);
}

static void test_pairs_forced_side(void **state)
{
	struct vmx_msrs m = pairs_cpu(2, true);
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.required[VMX_ENTRY] = 0;
	/* Entry must load EFER, exit cannot: the CPU contradicts itself. */
	m.true_entry |= ENTRY_LOAD_EFER;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_TRUE_ENTRY_CTLS forces entry control 'load "
		   "IA32_EFER' to 1 but exit control 'load IA32_EFER' cannot "
		   "be 1: inconsistent CPU (A.4, A.5)", true);

	/* Forced side with the other side available: both used. */
	m = skylake();
	m.true_entry |= ENTRY_LOAD_EFER;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_LOAD_EFER, EXIT_LOAD_EFER);
}

static void test_sanitize_pairs_helper(void **state)
{
	uint32_t n, x;
	unsigned mask = 12345;

	(void)state;
	n = 0xffffffff;
	x = 0;
	vmx_sanitize_pairs(&n, &x, &mask);
	assert_int_equal(n, ~all_entry_pairs());
	assert_int_equal(x, 0);
	assert_int_equal(mask, 0x3ff);

	n = 0;
	x = 0xffffffff;
	vmx_sanitize_pairs(&n, &x, &mask);
	assert_int_equal(n, 0);
	assert_int_equal(x, ~all_exit_pairs());
	assert_int_equal(mask, 0x3ff);

	n = 0xffffffff;
	x = 0xffffffff;
	vmx_sanitize_pairs(&n, &x, &mask);
	assert_int_equal(n, 0xffffffff);
	assert_int_equal(x, 0xffffffff);
	assert_int_equal(mask, 0);

	n = ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | ENTRY_IA32E_MODE_GUEST;
	x = EXIT_LOAD_EFER | EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_PAT;
	vmx_sanitize_pairs(&n, &x, &mask);
	assert_int_equal(n, ENTRY_LOAD_EFER | ENTRY_IA32E_MODE_GUEST);
	assert_int_equal(x, EXIT_LOAD_EFER | EXIT_HOST_ADDR_SPACE_SIZE |
				    EXIT_SAVE_PAT);
	assert_int_equal(mask, 1u << 1);

	/* Last pair, NULL mask. */
	n = ENTRY_CONCEAL_VMX_FROM_PT;
	x = 0;
	vmx_sanitize_pairs(&n, &x, NULL);
	assert_int_equal(n, 0);
	n = 0;
	x = EXIT_CONCEAL_VMX_FROM_PT;
	vmx_sanitize_pairs(&n, &x, &mask);
	assert_int_equal(x, 0);
	assert_int_equal(mask, 1u << 9);
}

/* ---- EPT / VPID / secondary consistency ---------------------------------- */

static void clear_proc2(struct vmx_msrs *m, uint32_t bits)
{
	m->procbased2 &= ~((uint64_t)bits << 32);
}

static void test_ept_caps_without_ept_control(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	clear_proc2(&m, PROC2_ENABLE_EPT);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg("IA32_VMX_EPT_VPID_CAP reports EPT capabilities 0x6334141 "
		   "but 'enable EPT' (secondary processor-based bit 1) cannot "
		   "be 1 (A.10)", true);
	/* UG without EPT is only a warning; it comes too. */
	assert_msg_sub("treating unrestricted guest as unavailable", false);
	assert_int_equal(D.fatal, 1);

	m = skylake();
	clear_proc2(&m, PROC2_ENABLE_VPID);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_EPT_VPID_CAP reports VPID capabilities "
		   "0xf0100000000 but 'enable VPID' (secondary processor-based "
		   "bit 5) cannot be 1 (A.10)", true);

	/* A single EPT bit (1G pages) is enough to be inconsistent. */
	m = skylake();
	clear_proc2(&m, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST);
	m.ept_vpid_cap = VPID_CAP_INVVPID | VPID_CAP_INVVPID_ALL |
			 EPT_CAP_PAGE_1G;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg_sub("reports EPT capabilities 0x20000 but", true);
}

static void test_ept_allowed_cap_problems(void **state)
{
	static const struct {
		uint64_t clear;
		const char *msg;
	} cases[] = {
		{ EPT_CAP_MT_WB,
		  "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		  "write-back EPT memory (bit 14); Nestor needs it (A.10)" },
		{ EPT_CAP_WALK_4,
		  "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		  "page-walk length 4 (bit 6); Nestor needs 4-level EPT "
		  "(A.10)" },
		{ EPT_CAP_INVEPT,
		  "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks INVEPT "
		  "(bit 20) with a single-context (bit 25) or all-context (bit "
		  "26) type (A.10)" },
		{ EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL,
		  "'enable EPT' can be 1 but IA32_VMX_EPT_VPID_CAP lacks INVEPT "
		  "(bit 20) with a single-context (bit 25) or all-context (bit "
		  "26) type (A.10)" },
		{ VPID_CAP_INVVPID,
		  "'enable VPID' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		  "INVVPID (bit 32) with a single-context (bit 41) or "
		  "all-context (bit 42) type (A.10)" },
		{ VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL,
		  "'enable VPID' can be 1 but IA32_VMX_EPT_VPID_CAP lacks "
		  "INVVPID (bit 32) with a single-context (bit 41) or "
		  "all-context (bit 42) type (A.10)" },
	};
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;
	unsigned i;

	(void)state;
	/* Refused even when Nestor does not want EPT/VPID: the CPU is
	 * inconsistent or unusable. */
	w.optional[VMX_PROC2] = 0;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vmx_msrs m = skylake();

		m.ept_vpid_cap &= ~cases[i].clear;
		assert_int_equal(build(&m, &w, &c), -1);
		assert_int_equal(D.fatal, 1);
		assert_msg(cases[i].msg, true);
	}
	/* One INVEPT / INVVPID type suffices. */
	{
		struct vmx_msrs m = skylake();

		m.ept_vpid_cap &= ~(EPT_CAP_INVEPT_SINGLE |
				    VPID_CAP_INVVPID_ALL);
		w = nestor_wants();
		assert_int_equal(build(&m, &w, &c), 0);
		assert_false(c.invept_single);
		assert_true(c.invept_all);
		assert_true(c.invvpid_single);
		assert_false(c.invvpid_all);
	}
}

static void test_ept_allowed_cap_absent(void **state)
{
	struct vmx_msrs m = sandy_bridge();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.have_ept_vpid_cap = false;
	m.ept_vpid_cap = 0;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("'enable EPT' or 'enable VPID' can be 1 but "
		   "IA32_VMX_EPT_VPID_CAP is absent (A.10)", true);
	/* A value with the flag clear is ignored, not trusted. */
	m.ept_vpid_cap = 0x00000f0106334141ull;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
}

static void test_ug_without_ept(void **state)
{
	struct vmx_msrs m = model(0xff & ~PROC2_ENABLE_EPT, true,
				  0x00000f0100000000ull);
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.fatal, 0);
	assert_int_equal(D.nonfatal, 1);
	assert_msg("'unrestricted guest' can be 1 but 'enable EPT' cannot, and "
		   "it needs EPT (26.2.1.1); treating unrestricted guest as "
		   "unavailable", false);
	assert_false(c.unrestricted_guest);
	assert_false(c.ept);
	assert_true(c.vpid);
	assert_int_equal(c.allowed1[VMX_PROC2] & PROC2_UNRESTRICTED_GUEST, 0);
	assert_int_equal(c.ctl[VMX_PROC2] & PROC2_UNRESTRICTED_GUEST, 0);

	w.required[VMX_PROC2] = PROC2_UNRESTRICTED_GUEST;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("required VM-execution control 'unrestricted guest' "
		   "(secondary processor-based bit 7) is not supported by this "
		   "CPU", true);

	/* A CPU that forces UG without EPT cannot be used. */
	w = nestor_wants();
	m.procbased2 |= PROC2_UNRESTRICTED_GUEST;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg_sub("forces 'unrestricted guest' to 1", true);
}

static void test_secondary_msr_without_bit31(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;
	uint64_t bit31 = (uint64_t)PROC_SECONDARY_CONTROLS << 32;

	(void)state;
	m.procbased &= ~bit31;
	m.true_procbased &= ~bit31;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg("IA32_VMX_PROCBASED_CTLS2 advertises secondary controls "
		   "0x2177fff but 'activate secondary controls' (primary "
		   "processor-based bit 31) cannot be 1: that MSR should not "
		   "exist (A.3.3)", true);
	/* ...and the EPT/VPID/VMFUNC MSRs that hang off it. */
	assert_msg_sub("reports EPT capabilities", true);
	assert_msg_sub("reports VPID capabilities", true);
	assert_msg_sub("IA32_VMX_VMFUNC reports VM functions 0x1", true);

	/* A present but empty CTLS2 is harmless. */
	m.procbased2 = 0;
	m.have_ept_vpid_cap = m.have_vmfunc = false;
	m.ept_vpid_cap = m.vmfunc = 0;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_int_equal(c.ctl[VMX_PROC2], 0);
	assert_int_equal(c.ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS, 0);
}

static void test_secondary_msr_not_read(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.have_procbased2 = m.have_ept_vpid_cap = m.have_vmfunc = false;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.nonfatal, 1);
	assert_msg("'activate secondary controls' can be 1 but "
		   "IA32_VMX_PROCBASED_CTLS2 was not read (A.3.3); using no "
		   "secondary controls", false);
	assert_false(c.ept);
	assert_int_equal(c.ctl[VMX_PROC2], 0);
	assert_int_equal(c.ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS, 0);
}

static void test_vmfunc_consistency(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.have_vmfunc = false;
	m.vmfunc = 0;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("'enable VM functions' (secondary processor-based bit 13) "
		   "can be 1 but IA32_VMX_VMFUNC is absent (A.11)", true);

	m = skylake();
	clear_proc2(&m, PROC2_ENABLE_VMFUNC);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_VMFUNC reports VM functions 0x1 but 'enable VM "
		   "functions' (secondary processor-based bit 13) cannot be 1 "
		   "(A.11)", true);
}

/* ---- IA32_VMX_BASIC, CR0/CR4 fixed bits ---------------------------------- */

static uint64_t with_region(uint64_t basic, unsigned size)
{
	return (basic & ~(0x1fffull << 32)) | ((uint64_t)size << 32);
}

static uint64_t with_memtype(uint64_t basic, unsigned t)
{
	return (basic & ~(0xfull << 50)) | ((uint64_t)t << 50);
}

static void test_basic_region_size(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.basic = with_region(m.basic, 0);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_BASIC reports a VMCS region size of 0 bytes; A.1 "
		   "allows 1 to 4096", true);
	m.basic = with_region(m.basic, 4097);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg("IA32_VMX_BASIC reports a VMCS region size of 4097 bytes; "
		   "A.1 allows 1 to 4096", true);
	m.basic = with_region(m.basic, 0x1fff);
	assert_int_equal(build(&m, &w, &c), -1);
	m.basic = with_region(m.basic, 4096);
	assert_int_equal(build(&m, &w, &c), 0);
	m.basic = with_region(m.basic, 1);
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(c.revision, 0x2b);
}

static void test_basic_memtype(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.basic = with_memtype(m.basic, 0);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_true(config_is_zero(&c));
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_BASIC reports VMCS memory type 0 (uncacheable): "
		   "Nestor needs write-back VMCS memory (A.1)", true);
	m.basic = with_memtype(m.basic, 15);
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg("IA32_VMX_BASIC reports VMCS memory type 15 (reserved): "
		   "Nestor needs write-back VMCS memory (A.1)", true);
}

static void test_basic_32bit_addresses(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.basic |= VMX_BASIC_32BIT_ADDRESSES;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_BASIC[48] limits VMXON/VMCS addresses to 32 bits, "
		   "which A.1 rules out on a 64-bit CPU", true);
	/* Bit 31 of the revision is not part of it (A.1). */
	m = skylake();
	m.basic |= 1ull << 31;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(c.revision, 0x2b);
}

static void test_cr_fixed_contradiction(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.cr0_fixed1 &= ~1ull;		/* PE: fixed 1 and fixed 0 */
	m.cr4_fixed1 &= ~0x2000ull;	/* VMXE likewise */
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 2);
	assert_msg("IA32_VMX_CR0_FIXED0/FIXED1 require CR0 bits 0x1 to be both "
		   "1 and 0 (A.7)", true);
	assert_msg("IA32_VMX_CR4_FIXED0/FIXED1 require CR4 bits 0x2000 to be "
		   "both 1 and 0 (A.8)", true);
}

static void test_allowed0_not_allowed1(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.true_pinbased |= PIN_POSTED_INTERRUPTS;	/* must be 1, and 0 */
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_TRUE_PINBASED_CTLS requires pin-based controls "
		   "0x80 to be both 1 (allowed 0-settings) and 0 (allowed "
		   "1-settings) (A.3-A.5)", true);
}

/* ---- Dependencies between controls (26.2.1) ------------------------------ */

static void test_dep_ug_needs_ept(void **state)
{
	struct vmx_msrs m = sandy_bridge();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.optional[VMX_PROC2] &= ~PROC2_ENABLE_EPT;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.nonfatal, 1);
	assert_msg("not using VM-execution control 'unrestricted guest' "
		   "(secondary processor-based bit 7): it needs VM-execution "
		   "control 'enable EPT' (secondary processor-based bit 1), "
		   "which is off (26.2.1.1)", false);
	assert_false(c.unrestricted_guest);
	assert_false(c.ept);

	w.required[VMX_PROC2] = PROC2_UNRESTRICTED_GUEST;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("required VM-execution control 'unrestricted guest' "
		   "(secondary processor-based bit 7) needs VM-execution control "
		   "'enable EPT' (secondary processor-based bit 1), which is not "
		   "available (26.2.1.1)", true);
}

static void test_dep_chain_posted_interrupts(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.pinbased |= (uint64_t)PIN_POSTED_INTERRUPTS << 32;
	m.true_pinbased |= (uint64_t)PIN_POSTED_INTERRUPTS << 32;
	/* PI needs VID, which needs "use TPR shadow", not wanted. */
	w.optional[VMX_PIN] |= PIN_POSTED_INTERRUPTS;
	w.optional[VMX_PROC2] |= PROC2_VIRTUAL_INTERRUPT_DELIVERY;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.nonfatal, 2);
	assert_msg_sub("not using VM-execution control 'virtual-interrupt "
		       "delivery' (secondary processor-based bit 9): it needs "
		       "VM-execution control 'use TPR shadow'", false);
	assert_msg_sub("not using VM-execution control 'process posted "
		       "interrupts' (pin-based bit 7): it needs VM-execution "
		       "control 'virtual-interrupt delivery'", false);
	assert_int_equal(c.ctl[VMX_PIN] & PIN_POSTED_INTERRUPTS, 0);
	assert_int_equal(c.ctl[VMX_PROC2] & PROC2_VIRTUAL_INTERRUPT_DELIVERY,
			 0);

	/* With the TPR shadow the whole chain stays. */
	w.optional[VMX_PROC] |= PROC_TPR_SHADOW;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_int_equal(c.ctl[VMX_PIN] & PIN_POSTED_INTERRUPTS,
			 PIN_POSTED_INTERRUPTS);

	/* Without "acknowledge interrupt on exit" PI goes. */
	w.required[VMX_EXIT] &= ~EXIT_ACK_INTERRUPT_ON_EXIT;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_msg_sub("'acknowledge interrupt on exit' (primary VM-exit bit "
		       "15), which is off (26.2.1.1)", false);
	assert_int_equal(c.ctl[VMX_PIN] & PIN_POSTED_INTERRUPTS, 0);
}

static void test_dep_save_preemption_timer(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.optional[VMX_PIN] &= ~PIN_PREEMPTION_TIMER;
	w.optional[VMX_EXIT] |= EXIT_SAVE_PREEMPTION_TIMER;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_msg("not using VM-exit control 'save VMX-preemption timer "
		   "value' (primary VM-exit bit 22): it needs VM-execution "
		   "control 'activate VMX-preemption timer' (pin-based bit 6), "
		   "which is off (26.2.1.2)", false);
	assert_int_equal(c.ctl[VMX_EXIT] & EXIT_SAVE_PREEMPTION_TIMER, 0);
}

static void test_dep_forced_dependent(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	m.true_pinbased |= PIN_VIRTUAL_NMIS;
	w.required[VMX_PIN] = PIN_EXTERNAL_INTERRUPT_EXITING;
	w.optional[VMX_PIN] = 0;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_int_equal(D.fatal, 1);
	assert_msg("IA32_VMX_TRUE_PINBASED_CTLS forces VM-execution control "
		   "'virtual NMIs' (pin-based bit 5) to 1 but it needs "
		   "VM-execution control 'NMI exiting' (pin-based bit 3), which "
		   "is off (26.2.1.1)", true);
}

static void test_apic_exclusion(void **state)
{
	struct vmx_msrs m = skylake();
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	w.optional[VMX_PROC] |= PROC_TPR_SHADOW;
	w.optional[VMX_PROC2] |= PROC2_VIRTUALIZE_X2APIC |
				 PROC2_VIRTUALIZE_APIC_ACCESSES;
	assert_int_equal(build(&m, &w, &c), -1);
	assert_msg("VM-execution controls 'virtualize x2APIC mode' and "
		   "'virtualize APIC accesses' cannot both be 1 (26.2.1.1); want "
		   "only one of them", true);

	w.required[VMX_PROC2] = PROC2_VIRTUALIZE_X2APIC;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_msg("not using 'virtualize APIC accesses': 'virtualize x2APIC "
		   "mode' excludes it (26.2.1.1)", false);
	assert_int_equal(c.ctl[VMX_PROC2] & (PROC2_VIRTUALIZE_X2APIC |
					     PROC2_VIRTUALIZE_APIC_ACCESSES),
			 PROC2_VIRTUALIZE_X2APIC);

	w.required[VMX_PROC2] = PROC2_VIRTUALIZE_APIC_ACCESSES;
	assert_int_equal(build(&m, &w, &c), 0);
	assert_int_equal(c.ctl[VMX_PROC2] & (PROC2_VIRTUALIZE_X2APIC |
					     PROC2_VIRTUALIZE_APIC_ACCESSES),
			 PROC2_VIRTUALIZE_APIC_ACCESSES);
}

/* ---- What L1 is shown ---------------------------------------------------- */

/* The controls the fixed policy hides (vmx/caps.c), spelled out again here
 * so that a change to the policy must change the test too. */
static const uint32_t policy[VMX_CTL_KINDS] = {
	[VMX_PIN] = PIN_POSTED_INTERRUPTS,
	[VMX_PROC] = PROC_TERTIARY_CONTROLS,
	[VMX_PROC2] = PROC2_ENABLE_PML | PROC2_ENABLE_VMFUNC |
		      PROC2_VMCS_SHADOWING | PROC2_EPT_VIOLATION_VE |
		      PROC2_ENCLS_EXITING | PROC2_ENCLV_EXITING |
		      PROC2_SUBPAGE_WRITE_PERM | PROC2_MODE_BASED_EPT_EXEC |
		      PROC2_TSC_SCALING | PROC2_CONCEAL_VMX_FROM_PT |
		      PROC2_PT_USES_GUEST_PHYS | PROC2_USER_WAIT_PAUSE |
		      PROC2_ENABLE_PCONFIG,
	[VMX_EXIT] = EXIT_SECONDARY_CONTROLS |
		     EXIT_CONCEAL_VMX_FROM_PT | EXIT_CLEAR_RTIT_CTL |
		     EXIT_LOAD_CET_STATE | EXIT_LOAD_PKRS | EXIT_CLEAR_LBR_CTL |
		     EXIT_CLEAR_UINV,
	[VMX_ENTRY] = ENTRY_CONCEAL_VMX_FROM_PT | ENTRY_LOAD_RTIT_CTL |
		      ENTRY_LOAD_CET_STATE | ENTRY_LOAD_PKRS |
		      ENTRY_LOAD_LBR_CTL | ENTRY_LOAD_UINV | ENTRY_TO_SMM |
		      ENTRY_DEACTIVATE_DUAL_MONITOR,
};

/* One kind's plain and TRUE MSR values (PROC2 has only one). */
static void views(const struct vmx_msrs *m, unsigned k, uint64_t v[2])
{
	switch (k) {
	case VMX_PIN:
		v[0] = m->pinbased;
		v[1] = m->true_pinbased;
		break;
	case VMX_PROC:
		v[0] = m->procbased;
		v[1] = m->true_procbased;
		break;
	case VMX_EXIT:
		v[0] = m->exit;
		v[1] = m->true_exit;
		break;
	case VMX_ENTRY:
		v[0] = m->entry;
		v[1] = m->true_entry;
		break;
	default:
		v[0] = v[1] = m->procbased2;
		break;
	}
}

static unsigned brute_force_highest(const struct vmx_msrs *m)
{
	unsigned max = 0;
	uint32_t e;

	for (e = 0; e < 0x8000; e++)
		if (vmcs12_field_supported(m, e) && VMCS_ENC_INDEX(e) > max)
			max = VMCS_ENC_INDEX(e);
	return max;
}

/* EPT/VPID capability bits L1 may see (A.10): no A/D (21), no advanced
 * EPT-violation information (22), no supervisor shadow stacks (23), no
 * HLAT (53:48), nothing reserved. */
#define L1_CAP_OK 0x00000f01061341c1ull

/* Everything the brief of issue 13 asks of an L1 view, on one host. */
static void check_l1_view_enum(const struct vmx_msrs *host,
			       const struct vmx_msrs *l1, const char *name,
			       bool brute_force_enum)
{
	uint32_t ha0[VMX_CTL_KINDS], ha1[VMX_CTL_KINDS];
	uint32_t la0[VMX_CTL_KINDS], la1[VMX_CTL_KINDS];
	uint32_t p2 = HI32_OF(l1->procbased2);
	uint64_t cap = l1->ept_vpid_cap;
	unsigned k, i;

	vmx_allowed_settings(host, ha0, ha1);
	vmx_allowed_settings(l1, la0, la1);
	for (k = 0; k < VMX_CTL_KINDS; k++) {
		uint64_t h[2], l[2];

		views(host, k, h);
		views(l1, k, l);
		for (i = 0; i < 2; i++) {
			uint32_t forced = LO32_OF(h[0]) | LO32_OF(h[1]);

			/* Nothing the CPU lacks, in either view and in
			 * the view that counts. */
			if (HI32_OF(l[i]) & ~ha1[k])
				fail_msg("%s: kind %u view %u shows 0x%x the "
					 "CPU lacks", name, k, i,
					 HI32_OF(l[i]) & ~ha1[k]);
			/* Allowed-0 settings: a superset of the CPU's. */
			assert_int_equal(LO32_OF(l[i]) & ~LO32_OF(h[i]), 0);
			/* No hidden feature unless the CPU forces it. */
			if (HI32_OF(l[i]) & policy[k] & ~forced)
				fail_msg("%s: kind %u shows hidden 0x%x", name,
					 k, HI32_OF(l[i]) & policy[k]);
		}
		assert_int_equal(la1[k] & ~ha1[k], 0);
		assert_int_equal(la0[k] & ~ha0[k], 0);
	}
	/* Pairs whole in both views. */
	{
		uint32_t n = HI32_OF(l1->entry), x = HI32_OF(l1->exit), mask;

		vmx_sanitize_pairs(&n, &x, &mask);
		assert_int_equal(mask, 0);
		n = HI32_OF(l1->true_entry);
		x = HI32_OF(l1->true_exit);
		vmx_sanitize_pairs(&n, &x, &mask);
		assert_int_equal(mask, 0);
	}
	/* Secondary, EPT/VPID and VMFUNC MSRs agree (A.3.3, A.10, A.11). */
	assert_int_equal(l1->have_procbased2,
			 !!(la1[VMX_PROC] & PROC_SECONDARY_CONTROLS));
	if (!l1->have_procbased2)
		assert_int_equal(l1->procbased2, 0);
	assert_int_equal(!!(cap & 0xffffffffull), !!(p2 & PROC2_ENABLE_EPT));
	assert_int_equal(!!(cap >> 32), !!(p2 & PROC2_ENABLE_VPID));
	assert_int_equal(l1->have_ept_vpid_cap,
			 !!(p2 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID)));
	assert_int_equal(cap & ~L1_CAP_OK, 0);
	assert_int_equal(cap & ~host->ept_vpid_cap, 0);
	if (!(cap & EPT_CAP_INVEPT))
		assert_int_equal(cap & (EPT_CAP_INVEPT_SINGLE |
					EPT_CAP_INVEPT_ALL), 0);
	if (!(cap & VPID_CAP_INVVPID))
		assert_int_equal(cap >> 33, 0);
	if (p2 & PROC2_UNRESTRICTED_GUEST)
		assert_true(p2 & PROC2_ENABLE_EPT);
	assert_false(l1->have_vmfunc);
	assert_int_equal(l1->vmfunc, 0);
	/* BASIC (A.1): Nestor's revision and size, the CPU's other bits. */
	assert_int_equal(l1->basic & 0xffffffffull, NESTOR_VMCS12_REVISION);
	assert_int_equal(VMX_BASIC_REGION_SIZE(l1->basic), 4096);
	assert_int_equal(l1->basic & (0xfull << 50 | 1ull << 54 | 1ull << 56),
			 host->basic & (0xfull << 50 | 1ull << 54 | 1ull << 56));
	assert_int_equal(!!(l1->basic & VMX_BASIC_TRUE_CTLS),
			 host->have_true_ctls &&
				 (host->basic & VMX_BASIC_TRUE_CTLS));
	assert_int_equal(l1->basic & (3ull << 48 | 0x7full << 57), 0);
	/* MISC (A.6). */
	assert_int_equal(l1->misc & (VMX_MISC_ACTIVITY_SHUTDOWN |
				     VMX_MISC_ACTIVITY_WAIT_SIPI |
				     VMX_MISC_PT_IN_VMX | VMX_MISC_SMBASE_RDMSR |
				     VMX_MISC_SMM_MONITOR_CTL_B2 |
				     VMX_MISC_MSEG_REV_MASK),
			 0);
	assert_int_equal(l1->misc & VMX_MISC_ACTIVITY_HLT,
			 host->misc & VMX_MISC_ACTIVITY_HLT);
	assert_int_equal(l1->misc & VMX_MISC_CR3_TARGETS_MASK,
			 host->misc & VMX_MISC_CR3_TARGETS_MASK);
	if (!(la1[VMX_PIN] & PIN_PREEMPTION_TIMER))
		assert_int_equal(l1->misc & VMX_MISC_PREEMPT_RATE_MASK, 0);
	/* VMCS_ENUM (A.9) from the fields this very view has. */
	if (brute_force_enum)
		assert_int_equal(l1->vmcs_enum,
				 (uint64_t)brute_force_highest(l1) << 1);
	else
		assert_int_equal(l1->vmcs_enum,
				 (uint64_t)vmcs12_highest_index(l1) << 1);
}

static void check_l1_view(const struct vmx_msrs *host,
			  const struct vmx_msrs *l1, const char *name)
{
	check_l1_view_enum(host, l1, name, true);
}

static void test_l1_every_model(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < VMX_MODEL_COUNT; i++) {
		struct vmx_msrs host = vmx_models[i].msrs(), l1;
		struct vmx_wanted w = nestor_wants();
		struct vmx_config c;

		vmx_l1_msrs(&host, NULL, &l1);
		check_l1_view(&host, &l1, vmx_models[i].name);
		/* L1 may run Nestor itself on what it is shown. */
		if (build(&l1, &w, &c) != 0) {
			dump();
			fail_msg("%s: L1 view refused", vmx_models[i].name);
		}
		assert_int_equal(find_sub("inconsistent", false), -1);
		/* MTF only where the CPU has it. */
		assert_int_equal(HI32_OF(l1.procbased) & PROC_MONITOR_TRAP_FLAG,
				 HI32_OF(host.procbased) &
					 PROC_MONITOR_TRAP_FLAG);
	}
}

static void test_l1_skylake_exact(void **state)
{
	struct vmx_msrs host = skylake(), l1;

	(void)state;
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(l1.basic, 0x00d810004e455354ull);
	/* Posted interrupts (7) hidden; the preemption timer (6) shown,
	 * since this CPU can save its value. */
	assert_int_equal(l1.pinbased, 0x0000007f00000016ull);
	assert_int_equal(l1.true_pinbased, 0x0000007f00000016ull);
	assert_int_equal(l1.procbased, 0xf7f9fffe0401e172ull);
	assert_int_equal(l1.true_procbased, 0xf7f9fffe04006172ull);
	/* 0x02177fff less PML (17), #VE (18), VMFUNC (13), shadowing (14)
	 * and TSC scaling (25). APIC virtualization (0, 4, 8, 9) is shown
	 * (issue 15). */
	assert_int_equal(l1.procbased2, 0x00111fff00000000ull);
	/* 0x007fffff, "save VMX-preemption timer value" (22) included. */
	assert_int_equal(l1.exit, 0x007fffff00036dffull);
	assert_int_equal(l1.true_exit, 0x007fffff00036dfbull);
	/* 0xffff less "entry to SMM" (10), "deactivate dual-monitor
	 * treatment" (11). */
	assert_int_equal(l1.entry, 0x0000f3ff000011ffull);
	assert_int_equal(l1.true_entry, 0x0000f3ff000011fbull);
	/* Shutdown and wait-for-SIPI gone, HLT kept. */
	assert_int_equal(l1.misc, 0x0000000060040060ull);
	/* EPT A/D (bit 21) gone. */
	assert_int_equal(l1.ept_vpid_cap, 0x00000f0106134141ull);
	assert_false(l1.have_vmfunc);
	assert_int_equal(l1.vmfunc, 0);
	/* The preemption timer's value (0x482e) is the highest field. */
	assert_int_equal(l1.vmcs_enum, 0x17 << 1);
	assert_int_equal(l1.cr0_fixed0, host.cr0_fixed0);
	assert_int_equal(l1.cr4_fixed1, host.cr4_fixed1);

	/* Haswell: no XSAVES; the preemption timer (0x482e) is shown and
	 * the highest. */
	host = haswell();
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(l1.vmcs_enum, 0x17 << 1);
	assert_true(vmcs12_field_supported(&host, VMCS_VMREAD_BITMAP));
	assert_false(vmcs12_field_supported(&l1, VMCS_VMREAD_BITMAP));
	assert_true(vmcs12_field_supported(&host, VMCS_PREEMPTION_TIMER_VALUE));
	assert_true(vmcs12_field_supported(&l1, VMCS_PREEMPTION_TIMER_VALUE));
	/* APIC virtualization (issue 15) is L1's where the CPU has it: the
	 * EOI-exit bitmaps and guest interrupt status with virtual-interrupt
	 * delivery, the APIC-access address with its control; posted
	 * interrupts stay hidden. */
	assert_true(vmcs12_field_supported(&host, VMCS_EOI_EXIT_BITMAP0));
	assert_true(vmcs12_field_supported(&l1, VMCS_EOI_EXIT_BITMAP0));
	assert_true(vmcs12_field_supported(&l1, VMCS_GUEST_INTR_STATUS));
	assert_true(vmcs12_field_supported(&l1, VMCS_APIC_ACCESS_ADDR));
	assert_false(vmcs12_field_supported(&l1, VMCS_POSTED_INTR_DESC_ADDR));
	assert_true(vmcs12_field_supported(&l1, VMCS_EPT_POINTER));
	assert_false(vmcs12_field_supported(&l1, VMCS_EPTP_LIST_ADDR));
	assert_false(vmcs12_field_supported(&l1, VMCS_VE_INFO_ADDR));

	/* Penryn: no EPT, no VPID, no VID. */
	host = penryn();
	vmx_l1_msrs(&host, NULL, &l1);
	assert_false(vmcs12_field_supported(&l1, VMCS_EPT_POINTER));
	assert_false(vmcs12_field_supported(&l1, VMCS_GUEST_PHYSICAL_ADDRESS));
	assert_false(vmcs12_field_supported(&l1, VMCS_VPID));
	assert_false(vmcs12_field_supported(&l1, VMCS_EOI_EXIT_BITMAP0));
	/* ... but "virtualize APIC accesses", which it has, is shown. */
	assert_true(vmcs12_field_supported(&l1, VMCS_APIC_ACCESS_ADDR));
	assert_true(vmcs12_field_supported(&l1, VMCS_GUEST_IA32_EFER));
}

/* A host that offers everything: L1 gets exactly the policy's complement. */
static void test_l1_everything(void **state)
{
	struct vmx_msrs host = everything_cpu(), l1;
	unsigned k;

	(void)state;
	vmx_l1_msrs(&host, NULL, &l1);
	check_l1_view(&host, &l1, "everything");
	for (k = 0; k < VMX_CTL_KINDS; k++) {
		uint64_t l[2];
		unsigned bit;

		views(&l1, k, l);
		for (bit = 0; bit < 32; bit++) {
			bool named = vmx_ctl_bit_name((enum vmx_ctl_kind)k,
						      bit) != NULL;
			bool forced = (LO32_OF(l[0]) | LO32_OF(l[1])) &
				      BIT32(bit);
			bool shown = HI32_OF(l[1]) & BIT32(bit);
			bool want = forced ||
				    (named && !(policy[k] & BIT32(bit)));

			if (shown != want)
				fail_msg("kind %u bit %u: shown %d, expected %d",
					 k, bit, shown, want);
		}
	}
	assert_int_equal(l1.ept_vpid_cap, L1_CAP_OK);
	/* Rate 31 kept with the timer; dual-monitor bits gone. */
	assert_int_equal(l1.misc, 0x000000006004007full);
	assert_int_equal(l1.basic & VMX_BASIC_DUAL_MONITOR, 0);
	/* Tertiary (0x2034), TSC multiplier (0x2032) and ENCLS bitmap
	 * (0x202e) are gone; the preemption timer (0x482e) is the highest. */
	assert_int_equal(l1.vmcs_enum, 0x17 << 1);
}

static void test_l1_preemption_rate(void **state)
{
	struct vmx_msrs host = skylake(), l1;

	(void)state;
	host.misc |= 5;
	vmx_l1_msrs(&host, NULL, &l1);
	/* Shown with its rate where the CPU can save the value... */
	assert_int_equal(l1.misc & 0x1f, 5);
	assert_int_equal(HI32_OF(l1.pinbased) & PIN_PREEMPTION_TIMER,
			 PIN_PREEMPTION_TIMER);
	assert_int_equal(HI32_OF(l1.exit) & EXIT_SAVE_PREEMPTION_TIMER,
			 EXIT_SAVE_PREEMPTION_TIMER);
	/* ... and not at all, rate included, where it cannot: nested/
	 * could not keep L1's count across the exits L0 handles. */
	host.exit &= ~((uint64_t)EXIT_SAVE_PREEMPTION_TIMER << 32);
	host.true_exit &= ~((uint64_t)EXIT_SAVE_PREEMPTION_TIMER << 32);
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(l1.misc & 0x1f, 0);
	assert_int_equal(HI32_OF(l1.pinbased) & PIN_PREEMPTION_TIMER, 0);
	assert_int_equal(HI32_OF(l1.true_pinbased) & PIN_PREEMPTION_TIMER, 0);
	assert_false(vmcs12_field_supported(&l1, VMCS_PREEMPTION_TIMER_VALUE));
	check_l1_view(&host, &l1, "timer without save");
}

/* A.2: a control in one view's allowed-1 but not the other's is shown in
 * neither. */
static void test_l1_views_agree(void **state)
{
	struct vmx_msrs host = skylake(), l1;

	(void)state;
	host.procbased |= (uint64_t)PROC_MONITOR_TRAP_FLAG << 32;
	host.true_exit &= ~((uint64_t)EXIT_LOAD_PAT << 32);
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(HI32_OF(l1.procbased) & PROC_MONITOR_TRAP_FLAG, 0);
	assert_int_equal(HI32_OF(l1.true_procbased) & PROC_MONITOR_TRAP_FLAG, 0);
	assert_int_equal(HI32_OF(l1.exit) & EXIT_LOAD_PAT, 0);
	/* And its pair partner goes too. */
	assert_int_equal(HI32_OF(l1.entry) & ENTRY_LOAD_PAT, 0);
	assert_int_equal(HI32_OF(l1.true_entry) & ENTRY_LOAD_PAT, 0);
	check_l1_view(&host, &l1, "views");
}

/* Hiding a feature removes its fields from VMCS_ENUM's computation. */
static void test_l1_enum_follows_hide(void **state)
{
	struct vmx_msrs host = skylake(), l1;
	uint32_t hide[VMX_CTL_KINDS] = { [VMX_PROC2] = PROC2_ENABLE_XSAVES };

	(void)state;
	hide[VMX_PIN] = PIN_PREEMPTION_TIMER;
	vmx_l1_msrs(&host, hide, &l1);
	assert_int_equal(l1.vmcs_enum, 0x15 << 1);
	assert_false(vmcs12_field_supported(&l1, VMCS_XSS_EXIT_BITMAP));
	assert_false(vmcs12_field_supported(&l1, VMCS_PREEMPTION_TIMER_VALUE));
	check_l1_view(&host, &l1, "hide XSAVES");
}

static void test_l1_hide_ept(void **state)
{
	struct vmx_msrs host = skylake(), l1;
	uint32_t hide[VMX_CTL_KINDS] = { [VMX_PROC2] = PROC2_ENABLE_EPT };
	struct vmx_wanted w = nestor_wants();
	struct vmx_config c;

	(void)state;
	vmx_l1_msrs(&host, hide, &l1);
	assert_int_equal(l1.procbased2,
			 CTLS(0x00111fff & ~(PROC2_ENABLE_EPT |
					     PROC2_UNRESTRICTED_GUEST), 0));
	assert_true(l1.have_ept_vpid_cap);
	assert_int_equal(l1.ept_vpid_cap, 0x00000f0100000000ull);
	assert_false(l1.have_vmfunc);
	assert_int_equal(l1.vmfunc, 0);
	assert_false(vmcs12_field_supported(&l1, VMCS_GUEST_PDPTE0));
	assert_true(vmcs12_field_supported(&l1, VMCS_VPID));
	check_l1_view(&host, &l1, "hide EPT");
	assert_int_equal(build(&l1, &w, &c), 0);
	assert_int_equal(D.n, 0);
	assert_false(c.ept);
	assert_true(c.vpid);

	hide[VMX_PROC2] |= PROC2_ENABLE_VPID;
	vmx_l1_msrs(&host, hide, &l1);
	assert_false(l1.have_ept_vpid_cap);
	assert_int_equal(l1.ept_vpid_cap, 0);
	assert_false(vmcs12_field_supported(&l1, VMCS_VPID));
	check_l1_view(&host, &l1, "hide EPT and VPID");
	assert_int_equal(build(&l1, &w, &c), 0);
	assert_int_equal(D.n, 0);
}

static void test_l1_hide_secondary(void **state)
{
	struct vmx_msrs host = skylake(), l1;
	uint32_t hide[VMX_CTL_KINDS] = {
		[VMX_PROC] = PROC_SECONDARY_CONTROLS,
	};

	(void)state;
	vmx_l1_msrs(&host, hide, &l1);
	assert_false(l1.have_procbased2);
	assert_false(l1.have_ept_vpid_cap);
	assert_false(l1.have_vmfunc);
	assert_int_equal(l1.procbased2 | l1.ept_vpid_cap | l1.vmfunc, 0);
	assert_int_equal(l1.procbased, 0x77f9fffe0401e172ull);
	assert_int_equal(l1.true_procbased, 0x77f9fffe04006172ull);
	assert_false(vmcs12_field_supported(&l1, VMCS_SECONDARY_PROC_CONTROLS));
	check_l1_view(&host, &l1, "hide secondary");
}

static void test_l1_pairs_and_forced(void **state)
{
	struct vmx_msrs host = pairs_cpu(2, true), l1;
	uint32_t hide[VMX_CTL_KINDS] = {
		[VMX_PROC] = PROC_CR3_LOAD_EXITING | PROC_HLT_EXITING,
	};
	struct vmx_wanted w = pair_wants();
	struct vmx_config c;

	(void)state;
	vmx_l1_msrs(&host, hide, &l1);
	assert_int_equal(HI32_OF(l1.entry),
			 (0xffff | all_entry_pairs()) &
				 ~(ENTRY_LOAD_EFER | policy[VMX_ENTRY]));
	assert_int_equal(HI32_OF(l1.true_entry), HI32_OF(l1.entry));
	assert_int_equal(HI32_OF(l1.exit),
			 HI32_OF(host.exit) & ~policy[VMX_EXIT]);
	/* CR3-load exiting is forced by the plain MSR: it stays in both. */
	assert_int_equal(HI32_OF(l1.true_procbased) & PROC_CR3_LOAD_EXITING,
			 PROC_CR3_LOAD_EXITING);
	assert_int_equal(HI32_OF(l1.true_procbased) & PROC_HLT_EXITING, 0);
	assert_int_equal(HI32_OF(l1.procbased) & PROC_HLT_EXITING, 0);
	check_l1_view(&host, &l1, "pairs");
	assert_int_equal(build(&l1, &w, &c), 0);
}

/* A policy bit the CPU forces to 1 cannot be hidden (A.3-A.5). */
static void test_l1_forced_policy_bit(void **state)
{
	struct vmx_msrs host = skylake(), l1;

	(void)state;
	host.pinbased |= PIN_PREEMPTION_TIMER;
	host.true_pinbased |= PIN_PREEMPTION_TIMER;
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(HI32_OF(l1.pinbased) & PIN_PREEMPTION_TIMER,
			 PIN_PREEMPTION_TIMER);
	assert_true(vmcs12_field_supported(&l1, VMCS_PREEMPTION_TIMER_VALUE));
	assert_int_equal(l1.vmcs_enum, 0x17 << 1);
}

/* A.10: INVEPT/INVVPID types without the instruction are not shown, even
 * from a CPU that vmx_config_build() would refuse for it. */
static void test_l1_invalidation_types(void **state)
{
	struct vmx_msrs host = skylake(), l1;

	(void)state;
	host.ept_vpid_cap &= ~(EPT_CAP_INVEPT | VPID_CAP_INVVPID);
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(l1.ept_vpid_cap & (EPT_CAP_INVEPT_SINGLE |
					    EPT_CAP_INVEPT_ALL),
			 0);
	assert_int_equal(l1.ept_vpid_cap >> 32, 0);
	assert_int_equal(l1.ept_vpid_cap & EPT_CAP_WALK_4, EPT_CAP_WALK_4);
}

static void test_l1_unmodelled_controls(void **state)
{
	struct vmx_msrs host = skylake(), l1;

	(void)state;
	host.true_procbased |= (uint64_t)PROC_TERTIARY_CONTROLS << 32;
	host.exit |= (uint64_t)EXIT_SECONDARY_CONTROLS << 32;
	host.true_exit |= (uint64_t)EXIT_SECONDARY_CONTROLS << 32;
	/* An unnamed control (secondary bit 30) is not shown either. */
	host.procbased2 |= (uint64_t)BIT32(30) << 32;
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(HI32_OF(l1.true_procbased) & PROC_TERTIARY_CONTROLS,
			 0);
	assert_int_equal(HI32_OF(l1.exit) & EXIT_SECONDARY_CONTROLS, 0);
	assert_int_equal(HI32_OF(l1.true_exit) & EXIT_SECONDARY_CONTROLS, 0);
	assert_int_equal(HI32_OF(l1.procbased2) & BIT32(30), 0);

	/* BASIC[55] without TRUE MSRs read: L1 gets no TRUE MSRs. */
	host = skylake();
	host.have_true_ctls = false;
	vmx_l1_msrs(&host, NULL, &l1);
	assert_int_equal(l1.basic & VMX_BASIC_TRUE_CTLS, 0);
	assert_int_equal(l1.true_procbased, 0);
	assert_false(l1.have_true_ctls);
	check_l1_view(&host, &l1, "no TRUE");
}

/* ---- Properties over random MSRs ----------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t rnd_bits(unsigned density)	/* about density/8 set */
{
	uint32_t v = 0xffffffff;
	unsigned i;

	for (i = 0; i < 8 - density; i++)
		v &= (uint32_t)rnd();
	return density ? v : 0;
}

/* A.2 default1 classes, the only bits real CPUs force to 1. */
static const uint32_t default1[VMX_CTL_KINDS] = {
	[VMX_PIN] = 0x00000016,
	[VMX_PROC] = 0x0401e172,
	[VMX_PROC2] = 0,
	[VMX_EXIT] = 0x00036dff,
	[VMX_ENTRY] = 0x000011ff,
};

static uint64_t rnd_ctls(enum vmx_ctl_kind k, bool sane)
{
	uint32_t a1 = rnd_bits(5) | default1[k];
	uint32_t a0 = sane ? (default1[k] & (uint32_t)rnd() & a1) : rnd_bits(1);

	return CTLS(a1, a0);
}

static struct vmx_msrs rnd_msrs(void)
{
	struct vmx_msrs m = skylake();
	bool sane = (rnd() & 15) != 0;
	uint32_t p2;

	if (!(rnd() & 15))
		m.basic = rnd();
	if (rnd() & 1)
		m.basic &= ~VMX_BASIC_TRUE_CTLS;
	m.pinbased = rnd_ctls(VMX_PIN, sane);
	m.procbased = rnd_ctls(VMX_PROC, sane);
	m.exit = rnd_ctls(VMX_EXIT, sane);
	m.entry = rnd_ctls(VMX_ENTRY, sane);
	m.true_pinbased = m.pinbased & ~(uint64_t)(rnd() & 0x16);
	m.true_procbased = m.procbased & ~(uint64_t)(rnd() & 0x0401e172);
	m.true_exit = m.exit & ~(uint64_t)(rnd() & 0x36dff);
	m.true_entry = m.entry & ~(uint64_t)(rnd() & 0x11ff);
	m.have_true_ctls = m.basic & VMX_BASIC_TRUE_CTLS;
	m.have_procbased2 = HI32_OF(m.procbased) & PROC_SECONDARY_CONTROLS;
	p2 = rnd_bits(5);
	m.procbased2 = m.have_procbased2 ? CTLS(p2, sane ? 0 : rnd_bits(1)) : 0;
	m.have_ept_vpid_cap = p2 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
	m.ept_vpid_cap = (rnd() & 3) ? 0x00000f0106334141ull : rnd();
	if (!m.have_ept_vpid_cap && (rnd() & 3))
		m.ept_vpid_cap = 0;
	m.have_vmfunc = p2 & PROC2_ENABLE_VMFUNC;
	m.vmfunc = m.have_vmfunc ? (rnd() & 3) : 0;
	if (!(rnd() & 31))
		m.have_procbased2 = !m.have_procbased2;
	return m;
}

static struct vmx_wanted rnd_wants(bool optional_only)
{
	struct vmx_wanted w;
	unsigned k;

	for (k = 0; k < VMX_CTL_KINDS; k++) {
		w.required[k] = optional_only ? 0 : rnd_bits(1);
		w.optional[k] = rnd_bits(4);
	}
	w.optional[VMX_PROC2] &= ~PROC2_VIRTUALIZE_APIC_ACCESSES;
	w.required[VMX_PROC2] &= ~PROC2_VIRTUALIZE_APIC_ACCESSES;
	return w;
}

static void check_config_invariants(const struct vmx_config *c,
				    const struct vmx_wanted *w)
{
	uint32_t n = c->ctl[VMX_ENTRY], x = c->ctl[VMX_EXIT];
	unsigned k, mask;

	for (k = 0; k < VMX_CTL_KINDS; k++) {
		assert_int_equal(c->ctl[k] & ~c->allowed1[k], 0);
		assert_int_equal(c->ctl[k] & c->allowed0[k], c->allowed0[k]);
		assert_int_equal(w->required[k] & ~c->ctl[k], 0);
	}
	vmx_sanitize_pairs(&n, &x, &mask);
	assert_int_equal(mask, 0);
	if (c->ctl[VMX_PROC2] & PROC2_UNRESTRICTED_GUEST)
		assert_true(c->ctl[VMX_PROC2] & PROC2_ENABLE_EPT);
	if (c->ctl[VMX_PIN] & PIN_POSTED_INTERRUPTS)
		assert_true((c->ctl[VMX_PROC2] &
			     PROC2_VIRTUAL_INTERRUPT_DELIVERY) &&
			    (c->ctl[VMX_EXIT] & EXIT_ACK_INTERRUPT_ON_EXIT));
	if (c->ctl[VMX_PROC2] & PROC2_VIRTUAL_INTERRUPT_DELIVERY)
		assert_true((c->ctl[VMX_PROC] & PROC_TPR_SHADOW) &&
			    (c->ctl[VMX_PIN] & PIN_EXTERNAL_INTERRUPT_EXITING));
	if (c->ctl[VMX_PROC2])
		assert_true(c->ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS);
	if (!(c->ctl[VMX_PROC] & PROC_SECONDARY_CONTROLS))
		assert_int_equal(c->ctl[VMX_PROC2], 0);
	if (c->ept)
		assert_true(c->ept_wb && (c->invept_single || c->invept_all));
	if (c->vpid)
		assert_true(c->invvpid_single || c->invvpid_all);
	assert_int_equal(c->revision, (uint32_t)(c->basic & 0x7fffffff));
}

/* Bits either view (plain or TRUE) of an L1 MSR forces to 1. */
static uint32_t forced_any(const struct vmx_msrs *m, unsigned k)
{
	switch (k) {
	case VMX_PIN:
		return (uint32_t)m->pinbased | (uint32_t)m->true_pinbased;
	case VMX_PROC:
		return (uint32_t)m->procbased | (uint32_t)m->true_procbased;
	case VMX_EXIT:
		return (uint32_t)m->exit | (uint32_t)m->true_exit;
	case VMX_ENTRY:
		return (uint32_t)m->entry | (uint32_t)m->true_entry;
	default:
		return (uint32_t)m->procbased2;
	}
}

static void test_random_properties(void **state)
{
	unsigned i, ok = 0, refused = 0, l1_checked = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct vmx_msrs m = rnd_msrs(), l1;
		struct vmx_wanted w = rnd_wants(i & 1);
		struct vmx_config c;
		uint32_t hide[VMX_CTL_KINDS];
		unsigned k;

		if (build(&m, &w, &c) != 0) {
			assert_true(D.fatal > 0);
			assert_true(config_is_zero(&c));
			refused++;
			continue;
		}
		ok++;
		assert_int_equal(D.fatal, 0);
		check_config_invariants(&c, &w);
		if (!(i & 1))
			continue;
		/* What L1 is shown must itself be consistent. */
		for (k = 0; k < VMX_CTL_KINDS; k++)
			hide[k] = rnd_bits(1);
		vmx_l1_msrs(&m, hide, &l1);
		if (build(&l1, &w, &c) != 0) {
			dump();
			fail_msg("L1 MSRs refused (iteration %u)", i);
		}
		assert_int_equal(find_sub("inconsistent", false), -1);
		assert_int_equal(find_sub("treating unrestricted", false), -1);
		/* Hidden controls stay off unless a view forces them. */
		for (k = 0; k < VMX_CTL_KINDS; k++)
			assert_int_equal(c.ctl[k] & hide[k] &
						 ~forced_any(&l1, k),
					 0);
		/* Every rule of the L1 view; the 32768-encoding brute force
		 * for VMCS_ENUM on some iterations only (it is slow). */
		check_l1_view_enum(&m, &l1, "random", (i & 511) == 1);
		l1_checked++;
	}
	/* The generator reaches both outcomes often. */
	assert_true(ok > 2000);
	assert_true(refused > 2000);
	assert_true(l1_checked > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bit_names),
		cmocka_unit_test(test_names_cover_pairs),
		cmocka_unit_test(test_allowed_true_vs_plain),
		cmocka_unit_test(test_allowed_secondary_needs_bit31),
		cmocka_unit_test(test_skylake),
		cmocka_unit_test(test_skylake_without_true_ctls),
		cmocka_unit_test(test_true_ctls_flag_mismatch),
		cmocka_unit_test(test_true_default1_without_ept),
		cmocka_unit_test(test_penryn_ept_required),
		cmocka_unit_test(test_penryn_optional),
		cmocka_unit_test(test_lynnfield),
		cmocka_unit_test(test_sandy_bridge),
		cmocka_unit_test(test_haswell),
		cmocka_unit_test(test_required_missing_exact),
		cmocka_unit_test(test_required_all_reported),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_pair_table),
		cmocka_unit_test(test_pairs_consistent_cpu),
		cmocka_unit_test(test_pairs_each_side_missing),
		cmocka_unit_test(test_pairs_efer_exact),
		cmocka_unit_test(test_pairs_one_side_wanted),
		cmocka_unit_test(test_pairs_unwanted_no_warning),
		cmocka_unit_test(test_pairs_warn_once_each),
		cmocka_unit_test(test_pairs_required_missing),
		cmocka_unit_test(test_pairs_forced_side),
		cmocka_unit_test(test_sanitize_pairs_helper),
		cmocka_unit_test(test_ept_caps_without_ept_control),
		cmocka_unit_test(test_ept_allowed_cap_problems),
		cmocka_unit_test(test_ept_allowed_cap_absent),
		cmocka_unit_test(test_ug_without_ept),
		cmocka_unit_test(test_secondary_msr_without_bit31),
		cmocka_unit_test(test_secondary_msr_not_read),
		cmocka_unit_test(test_vmfunc_consistency),
		cmocka_unit_test(test_basic_region_size),
		cmocka_unit_test(test_basic_memtype),
		cmocka_unit_test(test_basic_32bit_addresses),
		cmocka_unit_test(test_cr_fixed_contradiction),
		cmocka_unit_test(test_allowed0_not_allowed1),
		cmocka_unit_test(test_dep_ug_needs_ept),
		cmocka_unit_test(test_dep_chain_posted_interrupts),
		cmocka_unit_test(test_dep_save_preemption_timer),
		cmocka_unit_test(test_dep_forced_dependent),
		cmocka_unit_test(test_apic_exclusion),
		cmocka_unit_test(test_l1_every_model),
		cmocka_unit_test(test_l1_skylake_exact),
		cmocka_unit_test(test_l1_everything),
		cmocka_unit_test(test_l1_preemption_rate),
		cmocka_unit_test(test_l1_views_agree),
		cmocka_unit_test(test_l1_enum_follows_hide),
		cmocka_unit_test(test_l1_forced_policy_bit),
		cmocka_unit_test(test_l1_hide_ept),
		cmocka_unit_test(test_l1_hide_secondary),
		cmocka_unit_test(test_l1_pairs_and_forced),
		cmocka_unit_test(test_l1_invalidation_types),
		cmocka_unit_test(test_l1_unmodelled_controls),
		cmocka_unit_test(test_random_properties),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
