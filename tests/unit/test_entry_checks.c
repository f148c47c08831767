/* Unit tests for the VM-entry check auditor (vmx/entry_checks.c).
 *
 * Two valid VMCS set-ups -- (a) a 64-bit long-mode guest with EPT and
 * unrestricted guest under a 64-bit host, (b) a 32-bit protected-mode guest
 * with paging off (unrestricted guest) -- audited against the capability
 * MSRs of Bochs' corei7_skylake_x must give no finding. Then every test
 * breaks one thing and asserts the single finding: its SDM section, its
 * class, a key phrase of its rule and exactly the fields and values it
 * names. Last, random bytes (fixed seed) prove the auditor never crashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/entry_checks.h"
#include "vmx/vmx_controls.h"
#include "vmx/exit_info.h"

/* ------------------------------------------------------------- fixture */

/* A few pages of fake physical memory for env.read_phys (base 0 = unused). */
#define FAKE_PAGES 4
struct fake_mem {
	uint64_t base[FAKE_PAGES];
	uint8_t page[FAKE_PAGES][4096];
	unsigned reads;
};

struct fx {
	struct vmx_msrs caps;
	struct entry_check_env env;
	struct vmcs12 v;
	struct fake_mem mem;
	struct entry_finding out[64];
};

static struct fx fx;

static bool fake_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	m->reads++;
	for (unsigned i = 0; i < FAKE_PAGES; i++) {
		if (m->base[i] == 0) /* page not mapped */
			continue;
		if (pa >= m->base[i] && pa - m->base[i] <= 4096 - len) {
			memcpy(buf, &m->page[i][pa - m->base[i]], len);
			return true;
		}
	}
	return false;
}

/* Give the checker a reader of fake memory. The virtual-APIC page of the
 * fixtures (VTPR = 0) is mapped in the last slot: a reader that cannot
 * read it leaves the TPR-threshold check undecided (26.2.1.1). */
static void use_fake_mem(struct fx *f)
{
	f->env.read_phys = fake_read;
	f->env.read_ctx = &f->mem;
	f->mem.base[FAKE_PAGES - 1] = 0x13000;
}

/* IA32_VMX_* as Bochs 2.7 reports them for cpu model corei7_skylake_x. */
static void skylake_caps(struct vmx_msrs *c)
{
	memset(c, 0, sizeof(*c));
	c->basic = 0x00d810000000002bull;
	c->pinbased = c->true_pinbased = 0x0000007f00000016ull;
	c->procbased = 0xf7f9fffe0401e172ull;
	c->true_procbased = 0xf7f9fffe04006172ull;
	c->procbased2 = 0x02177fff00000000ull;
	c->exit = 0x007fffff00036dffull;
	c->true_exit = 0x007fffff00036dfbull;
	c->entry = 0x0000ffff000011ffull;
	c->true_entry = 0x0000ffff000011fbull;
	c->misc = 0x00000000600401e0ull;
	c->cr0_fixed0 = 0x80000021ull;
	c->cr0_fixed1 = 0xffffffffull;
	c->cr4_fixed0 = 0x2000ull;
	c->cr4_fixed1 = 0x3727ffull;
	c->ept_vpid_cap = 0x00000f0106334141ull;
	c->vmfunc = 1; /* EPTP switching */
	c->have_procbased2 = c->have_ept_vpid_cap = c->have_vmfunc = c->have_true_ctls = true;
}

#define PIN_A (0x16u | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define PROC_A (0x04006172u | PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | \
		PROC_TPR_SHADOW | PROC_SECONDARY_CONTROLS)
#define PROC2_A (PROC2_ENABLE_EPT | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_VPID | \
		 PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES)
#define EXIT_A (0x36dfbu | EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_SAVE_PAT | \
		EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER)
#define ENTRY_A (0x11fbu | ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_PAT | \
		 ENTRY_LOAD_EFER)
#define EPTP_A (0x14000ull | 6 | (3 << 3) | (1 << 6))
#define PAT_DEFAULT 0x0007040600070406ull

/* Controls and a 64-bit host, as a hypervisor sets them up. */
static void setup_controls_and_host(struct fx *f)
{
	struct vmcs12 *v = &f->v;

	memset(f, 0, sizeof(*f));
	skylake_caps(&f->caps);
	f->env.caps = &f->caps;
	f->env.maxphyaddr = 40;
	f->env.host_lma = true;
	f->env.host_cr0 = 0x80050033;
	f->env.host_cr4 = 0x2620;
	f->env.debugctl_rsvd = ~0xffc3ull;
	f->env.perf_global_ctrl_rsvd = ~0x70000000full;

	v->PIN_BASED_CONTROLS = PIN_A;
	v->PROC_BASED_CONTROLS = PROC_A;
	v->SECONDARY_PROC_CONTROLS = PROC2_A;
	v->EXIT_CONTROLS = EXIT_A;
	v->ENTRY_CONTROLS = ENTRY_A;
	v->VPID = 1;
	v->IO_BITMAP_A = 0x10000;
	v->IO_BITMAP_B = 0x11000;
	v->MSR_BITMAP = 0x12000;
	v->VIRTUAL_APIC_PAGE_ADDR = 0x13000;
	v->EPT_POINTER = EPTP_A;
	v->VMCS_LINK_POINTER = ~0ull;

	v->HOST_CR0 = 0x80050033;
	v->HOST_CR3 = 0x1000000;
	v->HOST_CR4 = 0x2620;
	v->HOST_CS_SELECTOR = 0x08;
	v->HOST_SS_SELECTOR = 0x10;
	v->HOST_DS_SELECTOR = 0x10;
	v->HOST_ES_SELECTOR = 0x10;
	v->HOST_TR_SELECTOR = 0x28;
	v->HOST_GS_BASE = 0xffff888000001000ull;
	v->HOST_TR_BASE = 0xffffffff80020000ull;
	v->HOST_GDTR_BASE = 0xffffffff80021000ull;
	v->HOST_IDTR_BASE = 0xffffffff80022000ull;
	v->HOST_IA32_PAT = PAT_DEFAULT;
	v->HOST_IA32_EFER = 0xd01;
	v->HOST_RSP = 0xffffffff80030000ull;
	v->HOST_RIP = 0xffffffff80001000ull;
}

static void seg(struct vmcs12 *v, int which, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
#define SET(R) v->GUEST_##R##_SELECTOR = sel, v->GUEST_##R##_BASE = base, \
	       v->GUEST_##R##_LIMIT = limit, v->GUEST_##R##_AR = ar
	switch (which) {
	case 0: SET(CS); break;
	case 1: SET(SS); break;
	case 2: SET(DS); break;
	case 3: SET(ES); break;
	case 4: SET(FS); break;
	case 5: SET(GS); break;
	case 6: SET(TR); break;
	case 7: SET(LDTR); break;
	}
#undef SET
}
enum { CS, SS, DS, ES, FS, GS, TR, LDTR };

/* (a) A 64-bit long-mode guest, EPT + unrestricted guest. */
static struct fx *long_mode(void)
{
	struct fx *f = &fx;
	struct vmcs12 *v = &f->v;

	setup_controls_and_host(f);
	v->GUEST_CR0 = 0x80050033;
	v->GUEST_CR3 = 0x2000000;
	v->GUEST_CR4 = 0x2620;
	v->GUEST_DR7 = 0x400;
	v->GUEST_RSP = 0xffffc90000010000ull;
	v->GUEST_RIP = 0xffffffff81000000ull;
	v->GUEST_RFLAGS = 0x202;
	seg(v, CS, 0x10, 0, 0xffffffff, 0xa09b);
	seg(v, SS, 0x18, 0, 0xffffffff, 0xc093);
	seg(v, DS, 0x18, 0, 0xffffffff, 0xc093);
	seg(v, ES, 0x18, 0, 0xffffffff, 0xc093);
	seg(v, FS, 0, 0x00007f0000000000ull, 0, 0x10000);
	seg(v, GS, 0, 0xffff888000000000ull, 0, 0x10000);
	seg(v, TR, 0x40, 0xfffffe0000003000ull, 0x67, 0x8b);
	seg(v, LDTR, 0, 0, 0, 0x10000);
	v->GUEST_GDTR_BASE = 0xfffffe0000001000ull;
	v->GUEST_GDTR_LIMIT = 0x7f;
	v->GUEST_IDTR_BASE = 0xfffffe0000000000ull;
	v->GUEST_IDTR_LIMIT = 0xfff;
	v->GUEST_IA32_PAT = PAT_DEFAULT;
	v->GUEST_IA32_EFER = 0xd01;
	return f;
}

/* (b) A 32-bit protected-mode guest, paging off, unrestricted guest. */
static struct fx *prot_mode(void)
{
	struct fx *f = &fx;
	struct vmcs12 *v = &f->v;

	setup_controls_and_host(f);
	v->ENTRY_CONTROLS = ENTRY_A & ~ENTRY_IA32E_MODE_GUEST;
	v->GUEST_CR0 = 0x31; /* PE, ET, NE */
	v->GUEST_CR4 = 0x2000;
	v->GUEST_RIP = 0x100000;
	v->GUEST_RFLAGS = 0x2;
	seg(v, CS, 0x08, 0, 0xffffffff, 0xc09b);
	seg(v, SS, 0x10, 0, 0xffffffff, 0xc093);
	seg(v, DS, 0x10, 0, 0xffffffff, 0xc093);
	seg(v, ES, 0x10, 0, 0xffffffff, 0xc093);
	seg(v, FS, 0x10, 0, 0xffffffff, 0xc093);
	seg(v, GS, 0x10, 0, 0xffffffff, 0xc093);
	seg(v, TR, 0x18, 0x1000, 0x67, 0x8b);
	seg(v, LDTR, 0, 0, 0, 0x10000);
	v->GUEST_GDTR_BASE = 0x2000;
	v->GUEST_GDTR_LIMIT = 0x1f;
	v->GUEST_IDTR_BASE = 0x3000;
	v->GUEST_IDTR_LIMIT = 0x7ff;
	v->GUEST_IA32_PAT = PAT_DEFAULT;
	return f;
}

/* (b) with a 32-bit host: host address-space size 0, outside IA-32e mode. */
static struct fx *host32(void)
{
	struct fx *f = prot_mode();
	struct vmcs12 *v = &f->v;

	f->env.host_lma = false;
	v->EXIT_CONTROLS = EXIT_A & ~EXIT_HOST_ADDR_SPACE_SIZE;
	v->HOST_IA32_EFER = 0x800; /* NXE */
	v->HOST_CR4 = 0x2630;       /* PAE paging host, PSE */
	v->HOST_GS_BASE = 0;
	v->HOST_TR_BASE = 0x20000;
	v->HOST_GDTR_BASE = 0x21000;
	v->HOST_IDTR_BASE = 0x22000;
	v->HOST_RSP = 0x30000;
	v->HOST_RIP = 0x1000;
	return f;
}

/* (b) in virtual-8086 mode: RFLAGS.VM with every segment real-mode-like. */
static struct fx *v86(void)
{
	struct fx *f = prot_mode();
	struct vmcs12 *v = &f->v;

	v->GUEST_RFLAGS = 0x20202;
	seg(v, CS, 0x1234, 0x12340, 0xffff, 0xf3);
	seg(v, SS, 0x2000, 0x20000, 0xffff, 0xf3);
	for (int s = DS; s <= GS; s++)
		seg(v, s, 0x3000, 0x30000, 0xffff, 0xf3);
	v->GUEST_RIP = 0x100;
	return f;
}

/* ------------------------------------------------------------ expectations */

struct ef {
	uint32_t field;
	uint64_t value;
};

static void print_line(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "  finding: %s\n", text);
}

static unsigned run(struct fx *f)
{
	unsigned n = vmx_entry_check(&f->v, &f->env, f->out, ARRAY_SIZE(f->out));

	for (unsigned i = 0; i < n && i < ARRAY_SIZE(f->out); i++)
		entry_finding_format(&f->out[i], print_line, NULL);
	return n;
}

static void expect_finding(const struct entry_finding *fd, const char *section,
			   enum entry_check_class cls, const char *key, const struct ef *e, size_t n)
{
	assert_non_null(fd->section);
	assert_non_null(fd->rule);
	assert_string_equal(fd->section, section);
	assert_int_equal(fd->cls, cls);
	if (!strstr(fd->rule, key))
		fail_msg("rule \"%s\" lacks \"%s\"", fd->rule, key);
	assert_int_equal(fd->nfields, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fd->field[i], e[i].field);
		assert_int_equal(fd->value[i], e[i].value);
	}
}

static void expect_one(struct fx *f, const char *section, enum entry_check_class cls,
		       const char *key, const struct ef *e, size_t n)
{
	assert_int_equal(run(f), 1);
	expect_finding(&f->out[0], section, cls, key, e, n);
}

static void expect_none(struct fx *f)
{
	assert_int_equal(run(f), 0);
}

#define EFS(...) (const struct ef[]){ __VA_ARGS__ }, \
	sizeof((const struct ef[]){ __VA_ARGS__ }) / sizeof(struct ef)
#define CTL ENTRY_CHECK_CONTROLS
#define HOST ENTRY_CHECK_HOST_STATE
#define GUEST ENTRY_CHECK_GUEST_STATE
#define EXPECT1(f, sec, cls, key, ...) expect_one(f, sec, cls, key, EFS(__VA_ARGS__))
#define FV(name, val) { VMCS_##name, (uint64_t)(val) }
#define MSR(n, val) { ENTRY_FIELD_MSR(n), (uint64_t)(val) }
#define PFV(id, val) { (id), (uint64_t)(val) }
#define MAXPHY40 PFV(ENTRY_PF_MAXPHYADDR, 40)
#define TRUE_PIN 0x0000007f00000016ull
#define TRUE_PROC 0xf7f9fffe04006172ull
#define CTLS2 0x02177fff00000000ull
#define TRUE_EXIT 0x007fffff00036dfbull
#define TRUE_ENTRY 0x0000ffff000011fbull
#define MISC 0x00000000600401e0ull
#define EPTCAP 0x00000f0106334141ull
#define BASIC 0x00d810000000002bull

/* ------------------------------------------------------------ valid set-ups */

static void test_valid_long_mode(void **s)
{
	(void)s;
	expect_none(long_mode());
}

static void test_valid_prot_mode(void **s)
{
	(void)s;
	expect_none(prot_mode());
}

static void test_valid_host32(void **s)
{
	(void)s;
	expect_none(host32());
}

static void test_valid_v86(void **s)
{
	(void)s;
	expect_none(v86());
}

/* Valid variations that must not be reported (each a rule's exception). */
static void test_valid_variations(void **s)
{
	struct fx *f;

	(void)s;
	/* Secondary controls not activated: their garbage is not checked. */
	f = long_mode();
	f->v.PROC_BASED_CONTROLS &= ~PROC_SECONDARY_CONTROLS;
	f->v.SECONDARY_PROC_CONTROLS = 0xffffffff;
	expect_none(f);
	/* Unused I/O bitmap addresses are not checked. */
	f = long_mode();
	f->v.PROC_BASED_CONTROLS &= ~PROC_USE_IO_BITMAPS;
	f->v.IO_BITMAP_A = 0x123;
	expect_none(f);
	/* CR0.NW/CD are never checked; PE/PG not with unrestricted guest. */
	f = long_mode();
	f->v.GUEST_CR0 |= 1ull << 29;
	expect_none(f);
	f->caps.cr0_fixed1 = 0x9fffffff; /* even where FIXED1 forbids them */
	f->v.GUEST_CR0 |= 3ull << 29;
	expect_none(f);
	/* Unrestricted guest: CS type 3 (data) with DPL 0 is allowed. */
	f = long_mode();
	f->v.GUEST_CS_AR = 0xa093;
	expect_none(f);
	/* IA32_VMX_BASIC[56]: any hardware exception may carry an error code. */
	f = long_mode();
	f->caps.basic |= 1ull << 56;
	f->v.ENTRY_INTR_INFO = 0x80000b06; /* #UD with error code */
	expect_none(f);
	/* Zero instruction length for INT n: IA32_VMX_MISC[30] = 1 here. */
	f = long_mode();
	f->v.ENTRY_INTR_INFO = 0x80000480;
	expect_none(f);
	/* HLT may receive an NMI or #DB; LME=1 with paging off is fine. */
	f = long_mode();
	f->v.GUEST_ACTIVITY_STATE = 1;
	f->v.ENTRY_INTR_INFO = 0x80000202;
	expect_none(f);
	f->v.ENTRY_INTR_INFO = 0x80000301;
	expect_none(f);
	f = prot_mode();
	f->v.GUEST_IA32_EFER = 0x100;
	expect_none(f);
	/* Without virtual NMIs, NMI blocking may accompany NMI injection. */
	f = long_mode();
	f->v.PIN_BASED_CONTROLS &= ~PIN_VIRTUAL_NMIS;
	f->v.GUEST_INTERRUPTIBILITY = 8;
	f->v.ENTRY_INTR_INFO = 0x80000202;
	expect_none(f);
	/* SGX / RTM bits where the env says the CPU has them. */
	f = long_mode();
	f->env.sgx = true;
	f->v.GUEST_INTERRUPTIBILITY = 0x10;
	expect_none(f);
	f = long_mode();
	f->env.rtm = true;
	f->v.GUEST_PENDING_DBG_EXCEPTIONS = 0x11000;
	expect_none(f);
	/* An unusable DS may hold any base; a non-present PDPTE anything. */
	f = long_mode();
	f->v.GUEST_DS_AR = 0x10000;
	f->v.GUEST_DS_BASE = 0x123456789ull;
	expect_none(f);
	/* 5-level EPT where the CPU has it. */
	f = long_mode();
	f->caps.ept_vpid_cap |= EPT_CAP_WALK_5;
	f->v.EPT_POINTER = (EPTP_A & ~0x38ull) | (4 << 3);
	expect_none(f);
}

/* ------------------------------------------------ 26.2.1.1 execution controls */

static void test_pin_allowed0(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PIN_BASED_CONTROLS = PIN_A & ~2u;
	EXPECT1(f, "26.2.1.1", CTL, "allowed-0", FV(PIN_BASED_CONTROLS, PIN_A & ~2u),
		MSR(0x48d, TRUE_PIN), PFV(ENTRY_PF_BAD_BITS, 2));
}

static void test_pin_allowed1(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PIN_BASED_CONTROLS = PIN_A | 0x100;
	EXPECT1(f, "26.2.1.1", CTL, "pin-based controls: a bit the CPU does not support",
		FV(PIN_BASED_CONTROLS, PIN_A | 0x100), MSR(0x48d, TRUE_PIN),
		PFV(ENTRY_PF_BAD_BITS, 0x100));
}

static void test_proc_allowed1_mtf(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PROC_BASED_CONTROLS = PROC_A | PROC_MONITOR_TRAP_FLAG;
	EXPECT1(f, "26.2.1.1", CTL, "primary processor-based controls",
		FV(PROC_BASED_CONTROLS, PROC_A | PROC_MONITOR_TRAP_FLAG), MSR(0x48e, TRUE_PROC),
		PFV(ENTRY_PF_BAD_BITS, PROC_MONITOR_TRAP_FLAG));
}

/* Without IA32_VMX_BASIC[55] the non-TRUE MSR applies: CR3-load/-store
 * exiting (bits 15, 16) become must-be-1. */
static void test_proc_non_true_msr(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->caps.basic &= ~(1ull << 55);
	f->v.EXIT_CONTROLS |= EXIT_SAVE_DEBUG_CONTROLS; /* default1 there too */
	EXPECT1(f, "26.2.1.1", CTL, "allowed-0", FV(PROC_BASED_CONTROLS, PROC_A),
		MSR(0x482, 0xf7f9fffe0401e172ull), PFV(ENTRY_PF_BAD_BITS, 0x18000));
}

static void test_proc2_allowed1(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_ENABLE_PCONFIG;
	EXPECT1(f, "26.2.1.1", CTL, "secondary processor-based controls",
		FV(SECONDARY_PROC_CONTROLS, PROC2_A | PROC2_ENABLE_PCONFIG), MSR(0x48b, CTLS2),
		PFV(ENTRY_PF_BAD_BITS, PROC2_ENABLE_PCONFIG));
}

static void test_proc3_allowed1(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->caps.true_procbased |= 1ull << (32 + 17);
	f->v.PROC_BASED_CONTROLS = PROC_A | PROC_TERTIARY_CONTROLS;
	f->v.TERTIARY_PROC_CONTROLS = 2;
	EXPECT1(f, "26.2.1.1", CTL, "tertiary", FV(TERTIARY_PROC_CONTROLS, 2),
		PFV(ENTRY_PF_PROCBASED3, 0), PFV(ENTRY_PF_BAD_BITS, 2));
	f->env.procbased3 = 2;
	expect_none(f);
}

static void test_cr3_target_count(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.CR3_TARGET_COUNT = 4;
	expect_none(f);
	f->v.CR3_TARGET_COUNT = 5;
	EXPECT1(f, "26.2.1.1", CTL, "CR3-target count", FV(CR3_TARGET_COUNT, 5), MSR(0x485, MISC));
}

static void test_io_bitmap_a_unaligned(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.IO_BITMAP_A = 0x10800;
	EXPECT1(f, "26.2.1.1", CTL, "I/O-bitmap A", FV(IO_BITMAP_A, 0x10800), MAXPHY40);
}

static void test_io_bitmap_b_beyond_maxphyaddr(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.IO_BITMAP_B = 1ull << 40;
	EXPECT1(f, "26.2.1.1", CTL, "I/O-bitmap B", FV(IO_BITMAP_B, 1ull << 40), MAXPHY40);
	f->v.IO_BITMAP_B = (1ull << 40) - 0x1000; /* highest page: fine */
	expect_none(f);
}

static void test_msr_bitmap_unaligned(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.MSR_BITMAP = 0x12008;
	EXPECT1(f, "26.2.1.1", CTL, "MSR-bitmap", FV(MSR_BITMAP, 0x12008), MAXPHY40);
}

static void test_virtual_apic_unaligned(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.VIRTUAL_APIC_PAGE_ADDR = 0x13080;
	EXPECT1(f, "26.2.1.1", CTL, "virtual-APIC address",
		FV(VIRTUAL_APIC_PAGE_ADDR, 0x13080), MAXPHY40);
}

static void test_tpr_threshold_high_bits(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.TPR_THRESHOLD = 0x10;
	EXPECT1(f, "26.2.1.1", CTL, "TPR threshold bits 31:4", FV(TPR_THRESHOLD, 0x10),
		FV(SECONDARY_PROC_CONTROLS, PROC2_A));
}

static void test_tpr_threshold_vs_vtpr(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->env.read_phys = fake_read;
	f->env.read_ctx = &f->mem;
	f->mem.base[0] = 0x13000;
	f->mem.page[0][0x80] = 0x40; /* VTPR priority class 4 */
	f->v.TPR_THRESHOLD = 4;
	expect_none(f);
	assert_true(f->mem.reads > 0);
	f->v.TPR_THRESHOLD = 5;
	EXPECT1(f, "26.2.1.1", CTL, "VTPR", FV(TPR_THRESHOLD, 5), FV(VIRTUAL_APIC_PAGE_ADDR, 0x13000),
		PFV(ENTRY_PF_VTPR, 0x40));
}

static void test_x2apic_without_tpr_shadow(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PROC_BASED_CONTROLS = PROC_A & ~PROC_TPR_SHADOW;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_VIRTUALIZE_X2APIC;
	EXPECT1(f, "26.2.1.1", CTL, "'virtualize x2APIC mode' must be 0 when 'use TPR shadow' is 0",
		FV(PROC_BASED_CONTROLS, PROC_A & ~PROC_TPR_SHADOW),
		FV(SECONDARY_PROC_CONTROLS, PROC2_A | PROC2_VIRTUALIZE_X2APIC));
}

static void test_apic_reg_virt_without_tpr_shadow(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PROC_BASED_CONTROLS = PROC_A & ~PROC_TPR_SHADOW;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_APIC_REGISTER_VIRT;
	EXPECT1(f, "26.2.1.1", CTL, "'APIC-register virtualization' must be 0",
		FV(PROC_BASED_CONTROLS, PROC_A & ~PROC_TPR_SHADOW),
		FV(SECONDARY_PROC_CONTROLS, PROC2_A | PROC2_APIC_REGISTER_VIRT));
}

static void test_vid_without_tpr_shadow(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PROC_BASED_CONTROLS = PROC_A & ~PROC_TPR_SHADOW;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_VIRTUAL_INTERRUPT_DELIVERY;
	EXPECT1(f, "26.2.1.1", CTL, "'virtual-interrupt delivery' must be 0 when 'use TPR shadow' is 0",
		FV(PROC_BASED_CONTROLS, PROC_A & ~PROC_TPR_SHADOW),
		FV(SECONDARY_PROC_CONTROLS, PROC2_A | PROC2_VIRTUAL_INTERRUPT_DELIVERY));
}

static void test_virtual_nmis_without_nmi_exiting(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PIN_BASED_CONTROLS = PIN_A & ~PIN_NMI_EXITING;
	EXPECT1(f, "26.2.1.1", CTL, "'virtual NMIs' must be 0 when 'NMI exiting' is 0",
		FV(PIN_BASED_CONTROLS, PIN_A & ~PIN_NMI_EXITING));
}

static void test_nmi_window_without_virtual_nmis(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.PIN_BASED_CONTROLS = PIN_A & ~PIN_VIRTUAL_NMIS;
	f->v.PROC_BASED_CONTROLS = PROC_A | PROC_NMI_WINDOW_EXITING;
	EXPECT1(f, "26.2.1.1", CTL, "'NMI-window exiting' must be 0",
		FV(PIN_BASED_CONTROLS, PIN_A & ~PIN_VIRTUAL_NMIS),
		FV(PROC_BASED_CONTROLS, PROC_A | PROC_NMI_WINDOW_EXITING));
}

static void test_apic_access_address(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_VIRTUALIZE_APIC_ACCESSES;
	f->v.APIC_ACCESS_ADDR = 0xfee00000;
	expect_none(f);
	f->v.APIC_ACCESS_ADDR = 0xfee00001;
	EXPECT1(f, "26.2.1.1", CTL, "APIC-access address", FV(APIC_ACCESS_ADDR, 0xfee00001), MAXPHY40);
}

static void test_x2apic_and_apic_accesses(void **s)
{
	struct fx *f = long_mode();
	uint32_t p2 = PROC2_A | PROC2_VIRTUALIZE_APIC_ACCESSES | PROC2_VIRTUALIZE_X2APIC;

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = p2;
	f->v.APIC_ACCESS_ADDR = 0xfee00000;
	EXPECT1(f, "26.2.1.1", CTL, "cannot both be 1", FV(SECONDARY_PROC_CONTROLS, p2));
}

static void test_vid_without_external_interrupt_exiting(void **s)
{
	struct fx *f = long_mode();
	uint32_t p2 = PROC2_A | PROC2_VIRTUAL_INTERRUPT_DELIVERY;

	(void)s;
	f->v.PIN_BASED_CONTROLS = PIN_A & ~PIN_EXTERNAL_INTERRUPT_EXITING;
	f->v.SECONDARY_PROC_CONTROLS = p2;
	EXPECT1(f, "26.2.1.1", CTL, "requires 'external-interrupt exiting'",
		FV(PIN_BASED_CONTROLS, PIN_A & ~PIN_EXTERNAL_INTERRUPT_EXITING),
		FV(SECONDARY_PROC_CONTROLS, p2));
}

/* Posted interrupts: allow the control (Bochs' Skylake lacks it), set a
 * valid configuration, then break each requirement alone. */
static struct fx *posted(void)
{
	struct fx *f = long_mode();

	f->caps.true_pinbased |= 1ull << (32 + 7);
	f->v.PIN_BASED_CONTROLS = PIN_A | PIN_POSTED_INTERRUPTS;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_VIRTUAL_INTERRUPT_DELIVERY;
	f->v.POSTED_INTR_NOTIFY_VECTOR = 0xf2;
	f->v.POSTED_INTR_DESC_ADDR = 0x15040;
	return f;
}

static void test_posted_interrupts(void **s)
{
	struct fx *f;
	uint32_t pin = PIN_A | PIN_POSTED_INTERRUPTS;

	(void)s;
	expect_none(posted());
	f = posted();
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A;
	EXPECT1(f, "26.2.1.1", CTL, "requires 'virtual-interrupt delivery'",
		FV(PIN_BASED_CONTROLS, pin), FV(SECONDARY_PROC_CONTROLS, PROC2_A));
	f = posted();
	f->v.EXIT_CONTROLS = EXIT_A & ~EXIT_ACK_INTERRUPT_ON_EXIT;
	EXPECT1(f, "26.2.1.1", CTL, "'acknowledge interrupt on exit'", FV(PIN_BASED_CONTROLS, pin),
		FV(EXIT_CONTROLS, EXIT_A & ~EXIT_ACK_INTERRUPT_ON_EXIT));
	f = posted();
	f->v.POSTED_INTR_NOTIFY_VECTOR = 0x1f2;
	EXPECT1(f, "26.2.1.1", CTL, "notification vector", FV(POSTED_INTR_NOTIFY_VECTOR, 0x1f2));
	f = posted();
	f->v.POSTED_INTR_DESC_ADDR = 0x15020;
	EXPECT1(f, "26.2.1.1", CTL, "descriptor address", FV(POSTED_INTR_DESC_ADDR, 0x15020), MAXPHY40);
}

static void test_vpid_zero(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.VPID = 0;
	EXPECT1(f, "26.2.1.1", CTL, "VPID must not be 0", FV(VPID, 0));
}

static void test_eptp_memory_type(void **s)
{
	struct fx *f = long_mode();
	uint64_t eptp = (EPTP_A & ~7ull) | 1; /* WC: not allowed */

	(void)s;
	f->v.EPT_POINTER = eptp;
	EXPECT1(f, "26.2.1.1", CTL, "EPTP memory type", FV(EPT_POINTER, eptp), MSR(0x48c, EPTCAP));
	f->v.EPT_POINTER = EPTP_A & ~7ull; /* UC: allowed (bit 8) */
	expect_none(f);
}

static void test_eptp_walk_length(void **s)
{
	struct fx *f = long_mode();
	uint64_t eptp = (EPTP_A & ~0x38ull) | (4 << 3);

	(void)s;
	f->v.EPT_POINTER = eptp;
	EXPECT1(f, "26.2.1.1", CTL, "page-walk length", FV(EPT_POINTER, eptp), MSR(0x48c, EPTCAP));
}

static void test_eptp_ad_unsupported(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->caps.ept_vpid_cap &= ~EPT_CAP_AD;
	EXPECT1(f, "26.2.1.1", CTL, "accessed/dirty", FV(EPT_POINTER, EPTP_A),
		MSR(0x48c, EPTCAP & ~EPT_CAP_AD));
}

static void test_eptp_reserved(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.EPT_POINTER = EPTP_A | 0x80;
	EXPECT1(f, "26.2.1.1", CTL, "EPTP reserved bits", FV(EPT_POINTER, EPTP_A | 0x80), MAXPHY40,
		PFV(ENTRY_PF_BAD_BITS, 0x80));
	f->v.EPT_POINTER = EPTP_A | (1ull << 40);
	EXPECT1(f, "26.2.1.1", CTL, "EPTP reserved bits", FV(EPT_POINTER, EPTP_A | (1ull << 40)),
		MAXPHY40, PFV(ENTRY_PF_BAD_BITS, 1ull << 40));
}

static void test_pml_requires_ept(void **s)
{
	struct fx *f = long_mode();
	uint32_t p2 = (PROC2_A | PROC2_ENABLE_PML) & ~(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST);

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = p2;
	f->v.PML_ADDRESS = 0x16000;
	EXPECT1(f, "26.2.1.1", CTL, "'enable PML' requires 'enable EPT'", FV(SECONDARY_PROC_CONTROLS, p2));
}

static void test_pml_address(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_ENABLE_PML;
	f->v.PML_ADDRESS = 0x16001;
	EXPECT1(f, "26.2.1.1", CTL, "PML address", FV(PML_ADDRESS, 0x16001), MAXPHY40);
}

static void test_unrestricted_guest_requires_ept(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A & ~PROC2_ENABLE_EPT;
	EXPECT1(f, "26.2.1.1", CTL, "'unrestricted guest' requires 'enable EPT'",
		FV(SECONDARY_PROC_CONTROLS, PROC2_A & ~PROC2_ENABLE_EPT));
}

static void test_vm_functions(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_ENABLE_VMFUNC;
	f->v.VM_FUNCTION_CONTROLS = 1;
	f->v.EPTP_LIST_ADDR = 0x17000;
	expect_none(f);
	f->v.VM_FUNCTION_CONTROLS = 3;
	EXPECT1(f, "26.2.1.1", CTL, "IA32_VMX_VMFUNC", FV(VM_FUNCTION_CONTROLS, 3), MSR(0x491, 1),
		PFV(ENTRY_PF_BAD_BITS, 2));
	f->v.VM_FUNCTION_CONTROLS = 1;
	f->v.EPTP_LIST_ADDR = 0x17010;
	EXPECT1(f, "26.2.1.1", CTL, "EPTP-list address", FV(EPTP_LIST_ADDR, 0x17010), MAXPHY40);
}

static void test_vmcs_shadowing_bitmaps(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_VMCS_SHADOWING;
	f->v.VMREAD_BITMAP = 0x18000;
	f->v.VMWRITE_BITMAP = 0x19000;
	expect_none(f);
	f->v.VMWRITE_BITMAP = 0x19004;
	EXPECT1(f, "26.2.1.1", CTL, "VMWRITE-bitmap", FV(VMWRITE_BITMAP, 0x19004), MAXPHY40);
}

static void test_ve_info_address(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_EPT_VIOLATION_VE;
	f->v.VE_INFO_ADDR = 0x1a800;
	EXPECT1(f, "26.2.1.1", CTL, "virtualization-exception", FV(VE_INFO_ADDR, 0x1a800), MAXPHY40);
}

/* PT using guest-physical addresses needs two controls this CPU lacks:
 * both findings, in SDM order. */
static void test_pt_guest_physical(void **s)
{
	struct fx *f = long_mode();
	uint32_t p2 = PROC2_A | PROC2_PT_USES_GUEST_PHYS;

	(void)s;
	f->caps.procbased2 |= (uint64_t)PROC2_PT_USES_GUEST_PHYS << 32;
	f->v.SECONDARY_PROC_CONTROLS = p2;
	assert_int_equal(run(f), 2);
	expect_finding(&f->out[0], "26.2.1.1", CTL, "'load IA32_RTIT_CTL'",
		       EFS(FV(SECONDARY_PROC_CONTROLS, p2), FV(ENTRY_CONTROLS, ENTRY_A)));
	expect_finding(&f->out[1], "26.2.1.1", CTL, "'clear IA32_RTIT_CTL'",
		       EFS(FV(SECONDARY_PROC_CONTROLS, p2), FV(EXIT_CONTROLS, EXIT_A)));
}

/* ------------------------------------------------ 26.2.1.2 exit controls */

static void test_exit_allowed1(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.EXIT_CONTROLS = EXIT_A | EXIT_CLEAR_BNDCFGS;
	EXPECT1(f, "26.2.1.2", CTL, "VM-exit controls: a bit the CPU does not support",
		FV(EXIT_CONTROLS, EXIT_A | EXIT_CLEAR_BNDCFGS), MSR(0x48f, TRUE_EXIT),
		PFV(ENTRY_PF_BAD_BITS, EXIT_CLEAR_BNDCFGS));
}

static void test_save_preemption_timer(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.EXIT_CONTROLS = EXIT_A | EXIT_SAVE_PREEMPTION_TIMER;
	EXPECT1(f, "26.2.1.2", CTL, "'save VMX-preemption timer value'", FV(PIN_BASED_CONTROLS, PIN_A),
		FV(EXIT_CONTROLS, EXIT_A | EXIT_SAVE_PREEMPTION_TIMER));
	f->v.PIN_BASED_CONTROLS |= PIN_PREEMPTION_TIMER;
	expect_none(f);
}

static void test_exit_msr_store_unaligned(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.EXIT_MSR_STORE_COUNT = 1;
	f->v.EXIT_MSR_STORE_ADDR = 0x1b008;
	EXPECT1(f, "26.2.1.2", CTL, "MSR-store address bits 3:0", FV(EXIT_MSR_STORE_ADDR, 0x1b008),
		FV(EXIT_MSR_STORE_COUNT, 1));
	f->v.EXIT_MSR_STORE_COUNT = 0; /* unused area: not checked */
	expect_none(f);
}

static void test_exit_msr_load_last_byte(void **s)
{
	struct fx *f = long_mode();
	uint64_t addr = (1ull << 40) - 16;

	(void)s;
	f->v.EXIT_MSR_LOAD_ADDR = addr;
	f->v.EXIT_MSR_LOAD_COUNT = 1; /* last byte 2^40 - 1: fine */
	expect_none(f);
	f->v.EXIT_MSR_LOAD_COUNT = 2;
	EXPECT1(f, "26.2.1.2", CTL, "last byte of the VM-exit MSR-load area", FV(EXIT_MSR_LOAD_ADDR, addr),
		FV(EXIT_MSR_LOAD_COUNT, 2), MAXPHY40);
	f->v.EXIT_MSR_LOAD_ADDR = 1ull << 40;
	EXPECT1(f, "26.2.1.2", CTL, "VM-exit MSR-load address must be below MAXPHYADDR",
		FV(EXIT_MSR_LOAD_ADDR, 1ull << 40), MAXPHY40);
}

/* ------------------------------------------------ 26.2.1.3 entry controls */

static void test_entry_allowed0(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_CONTROLS = ENTRY_A & ~1u;
	EXPECT1(f, "26.2.1.3", CTL, "VM-entry controls: a bit the CPU requires to be 1",
		FV(ENTRY_CONTROLS, ENTRY_A & ~1u), MSR(0x490, TRUE_ENTRY), PFV(ENTRY_PF_BAD_BITS, 1));
}

static void test_inject_type_reserved(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80000120;
	EXPECT1(f, "26.2.1.3", CTL, "type 1 is reserved", FV(ENTRY_INTR_INFO, 0x80000120));
}

static void test_inject_other_event_without_mtf(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80000700;
	EXPECT1(f, "26.2.1.3", CTL, "'monitor trap flag'", FV(ENTRY_INTR_INFO, 0x80000700),
		MSR(0x48e, TRUE_PROC));
	f->caps.true_procbased |= (uint64_t)PROC_MONITOR_TRAP_FLAG << 32;
	expect_none(f);
	f->v.ENTRY_INTR_INFO = 0x80000701;
	EXPECT1(f, "26.2.1.3", CTL, "must have vector 0", FV(ENTRY_INTR_INFO, 0x80000701));
}

static void test_inject_nmi_vector(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80000203;
	EXPECT1(f, "26.2.1.3", CTL, "NMI must have vector 2", FV(ENTRY_INTR_INFO, 0x80000203));
}

static void test_inject_hw_exception_vector(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80000320;
	EXPECT1(f, "26.2.1.3", CTL, "vector <= 31", FV(ENTRY_INTR_INFO, 0x80000320));
}

static void test_inject_error_code_consistency(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x8000030d; /* #GP without error code */
	EXPECT1(f, "26.2.1.3", CTL, "deliver-error-code must be 1 exactly", FV(ENTRY_INTR_INFO, 0x8000030d),
		FV(GUEST_CR0, 0x80050033), MSR(0x480, BASIC));
	f->v.ENTRY_INTR_INFO = 0x80000b06; /* #UD with error code */
	EXPECT1(f, "26.2.1.3", CTL, "deliver-error-code must be 1 exactly", FV(ENTRY_INTR_INFO, 0x80000b06),
		FV(GUEST_CR0, 0x80050033), MSR(0x480, BASIC));
	/* #CP (21) carries an error code only where CET exists. */
	f->v.ENTRY_INTR_INFO = 0x80000315;
	expect_none(f);
	f->caps.cr4_fixed1 |= 1ull << 23;
	EXPECT1(f, "26.2.1.3", CTL, "deliver-error-code must be 1 exactly", FV(ENTRY_INTR_INFO, 0x80000315),
		FV(GUEST_CR0, 0x80050033), MSR(0x480, BASIC));
	f->v.ENTRY_INTR_INFO = 0x80000b15;
	expect_none(f);
}

/* Real mode under unrestricted guest: no error code may be delivered. */
static void test_inject_error_code_real_mode(void **s)
{
	struct fx *f = prot_mode();

	(void)s;
	f->v.GUEST_CR0 = 0x30;
	expect_none(f);
	f->v.ENTRY_INTR_INFO = 0x80000b0d;
	EXPECT1(f, "26.2.1.3", CTL, "deliver-error-code must be 0", FV(ENTRY_INTR_INFO, 0x80000b0d),
		FV(GUEST_CR0, 0x30), FV(SECONDARY_PROC_CONTROLS, PROC2_A));
	f->v.ENTRY_INTR_INFO = 0x8000030d;
	expect_none(f);
}

static void test_inject_reserved_bits(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80001030;
	EXPECT1(f, "26.2.1.3", CTL, "reserved bits 30:12", FV(ENTRY_INTR_INFO, 0x80001030));
}

static void test_inject_error_code_high_bits(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80000b0d;
	f->v.ENTRY_EXCEPTION_ERROR_CODE = 0xffff;
	expect_none(f);
	f->v.ENTRY_EXCEPTION_ERROR_CODE = 0x10000;
	EXPECT1(f, "26.2.1.3", CTL, "error code bits 31:16", FV(ENTRY_EXCEPTION_ERROR_CODE, 0x10000),
		FV(ENTRY_INTR_INFO, 0x80000b0d));
}

static void test_inject_instruction_length(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_INTR_INFO = 0x80000680; /* software exception */
	f->v.ENTRY_INSTRUCTION_LEN = 15;
	expect_none(f);
	f->v.ENTRY_INSTRUCTION_LEN = 16;
	EXPECT1(f, "26.2.1.3", CTL, "instruction length of 1-15", FV(ENTRY_INSTRUCTION_LEN, 16),
		FV(ENTRY_INTR_INFO, 0x80000680), MSR(0x485, MISC));
	f->v.ENTRY_INSTRUCTION_LEN = 0;
	f->caps.misc &= ~(1ull << 30);
	EXPECT1(f, "26.2.1.3", CTL, "instruction length of 1-15", FV(ENTRY_INSTRUCTION_LEN, 0),
		FV(ENTRY_INTR_INFO, 0x80000680), MSR(0x485, MISC & ~(1ull << 30)));
}

static void test_deactivate_dual_monitor_outside_smm(void **s)
{
	struct fx *f = long_mode();
	uint32_t e = ENTRY_A | ENTRY_DEACTIVATE_DUAL_MONITOR;

	(void)s;
	f->v.ENTRY_CONTROLS = e;
	EXPECT1(f, "26.2.1.3", CTL, "'deactivate dual-monitor treatment' must be 0 outside SMM",
		FV(ENTRY_CONTROLS, e), PFV(ENTRY_PF_IN_SMM, 0));
	f->env.in_smm = true;
	expect_none(f);
}

static void test_entry_msr_load_unaligned(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_MSR_LOAD_COUNT = 3;
	f->v.ENTRY_MSR_LOAD_ADDR = 0x1c004;
	EXPECT1(f, "26.2.1.3", CTL, "VM-entry MSR-load address bits 3:0", FV(ENTRY_MSR_LOAD_ADDR, 0x1c004),
		FV(ENTRY_MSR_LOAD_COUNT, 3));
}

/* ------------------------------------------------ 26.2.2 host registers */

static void test_host_cr0_fixed(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_CR0 = 0x80050013; /* NE clear */
	EXPECT1(f, "26.2.2", HOST, "host CR0", FV(HOST_CR0, 0x80050013), MSR(0x486, 0x80000021),
		MSR(0x487, 0xffffffff), PFV(ENTRY_PF_BAD_BITS, 0x20));
}

static void test_host_cr4_fixed(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_CR4 = 0x3620; /* LA57 not allowed in VMX operation here */
	EXPECT1(f, "26.2.2", HOST, "host CR4", FV(HOST_CR4, 0x3620), MSR(0x488, 0x2000),
		MSR(0x489, 0x3727ff), PFV(ENTRY_PF_BAD_BITS, 0x1000));
}

static void test_host_cr3_beyond_maxphyaddr(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_CR3 = (1ull << 40) | 0x1000;
	EXPECT1(f, "26.2.2", HOST, "host CR3", FV(HOST_CR3, (1ull << 40) | 0x1000), MAXPHY40);
}

static void test_host_cet_requires_wp(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->caps.cr4_fixed1 |= 1ull << 23;
	f->v.HOST_CR4 |= 1ull << 23;
	expect_none(f);
	f->v.HOST_CR0 &= ~(1ull << 16);
	EXPECT1(f, "26.2.2", HOST, "host CR4.CET = 1 requires host CR0.WP", FV(HOST_CR4, 0x802620),
		FV(HOST_CR0, 0x80040033));
}

static void test_host_sysenter_eip(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_IA32_SYSENTER_EIP = 0x0000800000000000ull;
	EXPECT1(f, "26.2.2", HOST, "SYSENTER_EIP", FV(HOST_IA32_SYSENTER_EIP, 0x0000800000000000ull));
}

static void test_host_perf_global_ctrl(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.EXIT_CONTROLS = EXIT_A | EXIT_LOAD_PERF_GLOBAL_CTRL;
	f->v.HOST_IA32_PERF_GLOBAL_CTRL = 0x70000000full;
	expect_none(f);
	f->v.HOST_IA32_PERF_GLOBAL_CTRL = 0x10;
	EXPECT1(f, "26.2.2", HOST, "IA32_PERF_GLOBAL_CTRL", FV(HOST_IA32_PERF_GLOBAL_CTRL, 0x10),
		PFV(ENTRY_PF_MSR_RSVD, ~0x70000000full));
}

static void test_host_pat(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_IA32_PAT = 0x0007040600070402ull;
	EXPECT1(f, "26.2.2", HOST, "host IA32_PAT", FV(HOST_IA32_PAT, 0x0007040600070402ull));
	f->v.HOST_IA32_PAT = 0x0807040600070406ull;
	EXPECT1(f, "26.2.2", HOST, "host IA32_PAT", FV(HOST_IA32_PAT, 0x0807040600070406ull));
}

static void test_host_efer(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_IA32_EFER = 0xd03;
	EXPECT1(f, "26.2.2", HOST, "host IA32_EFER must not set reserved bits", FV(HOST_IA32_EFER, 0xd03),
		PFV(ENTRY_PF_BAD_BITS, 2));
	f->v.HOST_IA32_EFER = 0x901;
	EXPECT1(f, "26.2.2", HOST, "host IA32_EFER.LMA must equal", FV(HOST_IA32_EFER, 0x901),
		FV(EXIT_CONTROLS, EXIT_A));
	f->v.HOST_IA32_EFER = 0xc01;
	EXPECT1(f, "26.2.2", HOST, "host IA32_EFER.LME must equal", FV(HOST_IA32_EFER, 0xc01),
		FV(EXIT_CONTROLS, EXIT_A));
}

/* ------------------------------------------------ 26.2.3 host segments */

static void test_host_selector_rpl(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_SS_SELECTOR = 0x13;
	EXPECT1(f, "26.2.3", HOST, "RPL (bits 1:0) and TI (bit 2)", FV(HOST_SS_SELECTOR, 0x13));
	f->v.HOST_SS_SELECTOR = 0x10;
	f->v.HOST_FS_SELECTOR = 0x4;
	EXPECT1(f, "26.2.3", HOST, "RPL (bits 1:0) and TI (bit 2)", FV(HOST_FS_SELECTOR, 0x4));
}

static void test_host_cs_tr_zero(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_CS_SELECTOR = 0;
	EXPECT1(f, "26.2.3", HOST, "host CS selector must not be 0", FV(HOST_CS_SELECTOR, 0));
	f->v.HOST_CS_SELECTOR = 0x08;
	f->v.HOST_TR_SELECTOR = 0;
	EXPECT1(f, "26.2.3", HOST, "host TR selector must not be 0", FV(HOST_TR_SELECTOR, 0));
}

static void test_host_ss_zero(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_SS_SELECTOR = 0; /* fine for a 64-bit host */
	expect_none(f);
	f = host32();
	f->v.HOST_SS_SELECTOR = 0;
	EXPECT1(f, "26.2.3", HOST, "host SS selector must not be 0", FV(HOST_SS_SELECTOR, 0),
		FV(EXIT_CONTROLS, EXIT_A & ~EXIT_HOST_ADDR_SPACE_SIZE));
}

static void test_host_base_canonical(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_GS_BASE = 0x0000800000000000ull;
	EXPECT1(f, "26.2.3", HOST, "base must be canonical", FV(HOST_GS_BASE, 0x0000800000000000ull));
	f->env.la57 = true; /* 57-bit linear addresses: now canonical */
	expect_none(f);
	f->v.HOST_GS_BASE = 0x0100000000000000ull;
	EXPECT1(f, "26.2.3", HOST, "base must be canonical", FV(HOST_GS_BASE, 0x0100000000000000ull));
}

/* ------------------------------------------------ 26.2.4 address-space size */

static void test_addr_size_host_not_lma(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->env.host_lma = false;
	assert_int_equal(run(f), 2);
	expect_finding(&f->out[0], "26.2.4", HOST, "'IA-32e mode guest' must be 0",
		       EFS(FV(ENTRY_CONTROLS, ENTRY_A), PFV(ENTRY_PF_HOST_LMA, 0)));
	expect_finding(&f->out[1], "26.2.4", HOST, "'host address-space size' must be 0",
		       EFS(FV(EXIT_CONTROLS, EXIT_A), PFV(ENTRY_PF_HOST_LMA, 0)));
}

static void test_addr_size_lma_needs_hass(void **s)
{
	struct fx *f = host32();

	(void)s;
	f->env.host_lma = true;
	EXPECT1(f, "26.2.4", HOST, "'host address-space size' must be 1",
		FV(EXIT_CONTROLS, EXIT_A & ~EXIT_HOST_ADDR_SPACE_SIZE), PFV(ENTRY_PF_HOST_LMA, 1));
}

static void test_addr_size_host32(void **s)
{
	struct fx *f = host32();
	uint32_t ex = EXIT_A & ~EXIT_HOST_ADDR_SPACE_SIZE;

	(void)s;
	f->v.HOST_CR4 |= 1ull << 17;
	EXPECT1(f, "26.2.4", HOST, "host CR4.PCIDE must be 0", FV(HOST_CR4, 0x22630), FV(EXIT_CONTROLS, ex));
	f = host32();
	f->v.HOST_RIP = 0x100001000ull;
	EXPECT1(f, "26.2.4", HOST, "host RIP bits 63:32", FV(HOST_RIP, 0x100001000ull), FV(EXIT_CONTROLS, ex));
}

static void test_addr_size_host64(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.HOST_CR4 = 0x2600;
	EXPECT1(f, "26.2.4", HOST, "host CR4.PAE must be 1", FV(HOST_CR4, 0x2600), FV(EXIT_CONTROLS, EXIT_A));
	f = long_mode();
	f->v.HOST_RIP = 0xffff7fff80001000ull;
	EXPECT1(f, "26.2.4", HOST, "host RIP must be canonical", FV(HOST_RIP, 0xffff7fff80001000ull),
		FV(EXIT_CONTROLS, EXIT_A));
}

/* ------------------------------------------------ 26.3.1.1 guest registers */

static void test_guest_cr0_fixed(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CR0 = 0x80050013;
	EXPECT1(f, "26.3.1.1", GUEST, "guest CR0 must respect", FV(GUEST_CR0, 0x80050013),
		MSR(0x486, 0x80000021), MSR(0x487, 0xffffffff), PFV(ENTRY_PF_BAD_BITS, 0x20));
	f->v.GUEST_CR0 = 0x180050033ull; /* bit 32: fixed 0 by FIXED1 */
	EXPECT1(f, "26.3.1.1", GUEST, "guest CR0 must respect", FV(GUEST_CR0, 0x180050033ull),
		MSR(0x486, 0x80000021), MSR(0x487, 0xffffffff), PFV(ENTRY_PF_BAD_BITS, 1ull << 32));
}

/* Without unrestricted guest, paging-off (b) violates CR0_FIXED0.PG. */
static void test_guest_cr0_pg_needs_unrestricted(void **s)
{
	struct fx *f = prot_mode();

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A & ~PROC2_UNRESTRICTED_GUEST;
	EXPECT1(f, "26.3.1.1", GUEST, "guest CR0 must respect", FV(GUEST_CR0, 0x31),
		MSR(0x486, 0x80000021), MSR(0x487, 0xffffffff), PFV(ENTRY_PF_BAD_BITS, 0x80000000));
}

static void test_guest_pg_without_pe(void **s)
{
	struct fx *f = prot_mode();

	(void)s;
	f->v.GUEST_CR0 = 0x80000030;
	EXPECT1(f, "26.3.1.1", GUEST, "CR0.PG = 1 requires CR0.PE", FV(GUEST_CR0, 0x80000030));
}

static void test_guest_cr4_fixed(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CR4 = 0x2e20; /* UMIP: not allowed here */
	EXPECT1(f, "26.3.1.1", GUEST, "guest CR4 must respect", FV(GUEST_CR4, 0x2e20), MSR(0x488, 0x2000),
		MSR(0x489, 0x3727ff), PFV(ENTRY_PF_BAD_BITS, 0x800));
}

static void test_guest_cet_requires_wp(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->caps.cr4_fixed1 |= 1ull << 23;
	f->v.GUEST_CR4 = 0x802620;
	f->v.GUEST_CR0 = 0x80040033;
	EXPECT1(f, "26.3.1.1", GUEST, "guest CR4.CET = 1 requires guest CR0.WP", FV(GUEST_CR4, 0x802620),
		FV(GUEST_CR0, 0x80040033));
}

static void test_guest_debugctl(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_IA32_DEBUGCTL = 0x4;
	EXPECT1(f, "26.3.1.1", GUEST, "IA32_DEBUGCTL", FV(GUEST_IA32_DEBUGCTL, 4),
		PFV(ENTRY_PF_MSR_RSVD, ~0xffc3ull));
	f->v.ENTRY_CONTROLS = ENTRY_A & ~ENTRY_LOAD_DEBUG_CONTROLS; /* not loaded */
	expect_none(f);
}

static void test_guest_ia32e_needs_pg(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CR0 = 0x00050033;
	EXPECT1(f, "26.3.1.1", GUEST, "requires guest CR0.PG", FV(GUEST_CR0, 0x00050033),
		FV(ENTRY_CONTROLS, ENTRY_A));
}

static void test_guest_ia32e_needs_pae(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CR4 = 0x2600;
	EXPECT1(f, "26.3.1.1", GUEST, "requires guest CR4.PAE", FV(GUEST_CR4, 0x2600),
		FV(ENTRY_CONTROLS, ENTRY_A));
}

static void test_guest_pcide_without_ia32e(void **s)
{
	struct fx *f = prot_mode();
	uint32_t e = ENTRY_A & ~ENTRY_IA32E_MODE_GUEST;

	(void)s;
	f->v.GUEST_CR4 = 0x22000;
	EXPECT1(f, "26.3.1.1", GUEST, "PCIDE must be 0", FV(GUEST_CR4, 0x22000), FV(ENTRY_CONTROLS, e));
}

static void test_guest_cr3_dr7(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CR3 = 0xff00000000000000ull;
	EXPECT1(f, "26.3.1.1", GUEST, "guest CR3", FV(GUEST_CR3, 0xff00000000000000ull), MAXPHY40);
	f = long_mode();
	f->v.GUEST_DR7 = 0x100000400ull;
	EXPECT1(f, "26.3.1.1", GUEST, "DR7 bits 63:32", FV(GUEST_DR7, 0x100000400ull));
}

static void test_guest_sysenter_esp(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_IA32_SYSENTER_ESP = 0x8000000000000000ull;
	EXPECT1(f, "26.3.1.1", GUEST, "SYSENTER_ESP", FV(GUEST_IA32_SYSENTER_ESP, 0x8000000000000000ull));
}

static void test_guest_perf_global_ctrl(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.ENTRY_CONTROLS = ENTRY_A | ENTRY_LOAD_PERF_GLOBAL_CTRL;
	f->v.GUEST_IA32_PERF_GLOBAL_CTRL = 1ull << 63;
	EXPECT1(f, "26.3.1.1", GUEST, "guest IA32_PERF_GLOBAL_CTRL", FV(GUEST_IA32_PERF_GLOBAL_CTRL, 1ull << 63),
		PFV(ENTRY_PF_MSR_RSVD, ~0x70000000full));
}

static void test_guest_pat(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_IA32_PAT = 0x0007040600030406ull;
	EXPECT1(f, "26.3.1.1", GUEST, "guest IA32_PAT", FV(GUEST_IA32_PAT, 0x0007040600030406ull));
}

static void test_guest_efer(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_IA32_EFER = 0x4d01;
	EXPECT1(f, "26.3.1.1", GUEST, "guest IA32_EFER must not set reserved", FV(GUEST_IA32_EFER, 0x4d01),
		PFV(ENTRY_PF_BAD_BITS, 0x4000));
	f->v.GUEST_IA32_EFER = 0x801; /* LMA = LME = 0 under IA-32e mode */
	EXPECT1(f, "26.3.1.1", GUEST, "LMA must equal 'IA-32e mode guest'", FV(GUEST_IA32_EFER, 0x801),
		FV(ENTRY_CONTROLS, ENTRY_A));
	/* (b) with 32-bit paging: LME must follow LMA = 0 once PG = 1. */
	f = prot_mode();
	f->v.GUEST_CR0 = 0x80000031;
	f->v.GUEST_IA32_EFER = 0x100;
	EXPECT1(f, "26.3.1.1", GUEST, "LME must equal LMA", FV(GUEST_IA32_EFER, 0x100),
		FV(GUEST_CR0, 0x80000031));
}

static void test_guest_bndcfgs(void **s)
{
	struct fx *f = long_mode();
	uint32_t e = ENTRY_A | ENTRY_LOAD_BNDCFGS;

	(void)s;
	f->caps.true_entry |= (uint64_t)ENTRY_LOAD_BNDCFGS << 32;
	f->v.ENTRY_CONTROLS = e;
	f->v.GUEST_IA32_BNDCFGS = 0xffffffffffff0001ull;
	expect_none(f);
	f->v.GUEST_IA32_BNDCFGS = 0x1005;
	EXPECT1(f, "26.3.1.1", GUEST, "IA32_BNDCFGS", FV(GUEST_IA32_BNDCFGS, 0x1005));
	f->v.GUEST_IA32_BNDCFGS = 0x0000800000000001ull;
	EXPECT1(f, "26.3.1.1", GUEST, "IA32_BNDCFGS", FV(GUEST_IA32_BNDCFGS, 0x0000800000000001ull));
}

/* ------------------------------------------------ 26.3.1.2 guest segments */

static void test_seg_tr_ti(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_TR_SELECTOR = 0x44;
	EXPECT1(f, "26.3.1.2", GUEST, "TR selector: TI", FV(GUEST_TR_SELECTOR, 0x44));
}

static void test_seg_ldtr_ti(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	seg(&f->v, LDTR, 0x0c, 0, 0xffff, 0x82);
	EXPECT1(f, "26.3.1.2", GUEST, "LDTR selector: TI", FV(GUEST_LDTR_SELECTOR, 0x0c), FV(GUEST_LDTR_AR, 0x82));
	f->v.GUEST_LDTR_SELECTOR = 0x50;
	expect_none(f);
}

static struct fx *long_mode_restricted(void)
{
	struct fx *f = long_mode();

	f->v.SECONDARY_PROC_CONTROLS = PROC2_A & ~PROC2_UNRESTRICTED_GUEST;
	return f;
}

static void test_seg_ss_rpl_vs_cs_rpl(void **s)
{
	struct fx *f = long_mode_restricted();

	(void)s;
	expect_none(f);
	f->v.GUEST_CS_SELECTOR = 0x13;
	EXPECT1(f, "26.3.1.2", GUEST, "SS.RPL must equal CS.RPL", FV(GUEST_SS_SELECTOR, 0x18),
		FV(GUEST_CS_SELECTOR, 0x13));
	f = long_mode(); /* unrestricted guest: no such rule */
	f->v.GUEST_CS_SELECTOR = 0x13;
	expect_none(f);
}

static void test_seg_v86(void **s)
{
	struct fx *f = v86();

	(void)s;
	f->v.GUEST_DS_BASE = 0x30010;
	EXPECT1(f, "26.3.1.2", GUEST, "selector shifted left by 4", FV(GUEST_DS_SELECTOR, 0x3000),
		FV(GUEST_DS_BASE, 0x30010));
	f = v86();
	f->v.GUEST_SS_LIMIT = 0xfffff;
	EXPECT1(f, "26.3.1.2", GUEST, "limit must be 0000FFFFH", FV(GUEST_SS_LIMIT, 0xfffff));
	f = v86();
	f->v.GUEST_CS_AR = 0xfb;
	EXPECT1(f, "26.3.1.2", GUEST, "access rights must be 000000F3H", FV(GUEST_CS_AR, 0xfb));
}

static void test_seg_base_high_bits(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CS_BASE = 1ull << 32;
	EXPECT1(f, "26.3.1.2", GUEST, "CS base bits 63:32", FV(GUEST_CS_BASE, 1ull << 32));
	f = prot_mode();
	f->v.GUEST_SS_BASE = 0x100000000ull;
	EXPECT1(f, "26.3.1.2", GUEST, "SS/DS/ES base bits 63:32", FV(GUEST_SS_BASE, 0x100000000ull),
		FV(GUEST_SS_AR, 0xc093));
}

static void test_seg_base_canonical(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_FS_BASE = 0x0000800000000000ull; /* checked although FS is unusable */
	EXPECT1(f, "26.3.1.2", GUEST, "TR, FS and GS base must be canonical",
		FV(GUEST_FS_BASE, 0x0000800000000000ull));
	f = long_mode();
	seg(&f->v, LDTR, 0x50, 0xfff0000000000000ull, 0xffff, 0x82);
	EXPECT1(f, "26.3.1.2", GUEST, "LDTR base must be canonical", FV(GUEST_LDTR_BASE, 0xfff0000000000000ull),
		FV(GUEST_LDTR_AR, 0x82));
}

static void test_seg_cs_type(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CS_AR = 0xa09a; /* not accessed */
	EXPECT1(f, "26.3.1.2", GUEST, "CS type must be 9, 11, 13 or 15", FV(GUEST_CS_AR, 0xa09a),
		FV(SECONDARY_PROC_CONTROLS, PROC2_A));
	f = long_mode_restricted();
	f->v.GUEST_CS_AR = 0xa093; /* data: only with unrestricted guest */
	EXPECT1(f, "26.3.1.2", GUEST, "CS type must be 9, 11, 13 or 15", FV(GUEST_CS_AR, 0xa093),
		FV(SECONDARY_PROC_CONTROLS, PROC2_A & ~PROC2_UNRESTRICTED_GUEST));
}

static void test_seg_ss_type(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_SS_AR = 0xc09b;
	EXPECT1(f, "26.3.1.2", GUEST, "SS type must be 3 or 7", FV(GUEST_SS_AR, 0xc09b));
	f->v.GUEST_SS_AR = 0x1c09b; /* unusable: type not checked */
	expect_none(f);
}

static void test_seg_data_types(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_DS_AR = 0xc092;
	EXPECT1(f, "26.3.1.2", GUEST, "type bit 0 (accessed)", FV(GUEST_DS_AR, 0xc092));
	f = long_mode();
	f->v.GUEST_ES_AR = 0xc099;
	EXPECT1(f, "26.3.1.2", GUEST, "must be readable", FV(GUEST_ES_AR, 0xc099));
}

static void test_seg_s_bit(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_DS_AR = 0xc083;
	EXPECT1(f, "26.3.1.2", GUEST, "S (bit 4) must be 1", FV(GUEST_DS_AR, 0xc083));
}

static void test_seg_cs_dpl(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CS_AR = 0xa0bb;
	EXPECT1(f, "26.3.1.2", GUEST, "CS.DPL must equal SS.DPL", FV(GUEST_CS_AR, 0xa0bb), FV(GUEST_SS_AR, 0xc093));
	f->v.GUEST_CS_AR = 0xa0ff; /* conforming, DPL 3 > SS.DPL 0 */
	EXPECT1(f, "26.3.1.2", GUEST, "CS.DPL must not exceed SS.DPL", FV(GUEST_CS_AR, 0xa0ff),
		FV(GUEST_SS_AR, 0xc093));
	f->v.GUEST_CS_AR = 0xa09f; /* conforming, DPL 0: fine */
	expect_none(f);
	f->v.GUEST_CS_AR = 0xa0f3; /* data (unrestricted guest) with DPL 3 */
	EXPECT1(f, "26.3.1.2", GUEST, "CS.DPL must be 0 when CS type is 3", FV(GUEST_CS_AR, 0xa0f3));
	f->v.GUEST_CS_AR = 0xa093; /* data with DPL 0, but SS.DPL 3 */
	f->v.GUEST_SS_AR = 0xc0f3;
	EXPECT1(f, "26.3.1.2", GUEST, "SS.DPL must be 0 when CS type is 3", FV(GUEST_SS_AR, 0xc0f3),
		FV(GUEST_CS_AR, 0xa093), FV(GUEST_CR0, 0x80050033));
}

static void test_seg_ss_dpl(void **s)
{
	struct fx *f = long_mode_restricted();

	(void)s;
	f->v.GUEST_CS_SELECTOR = 0x13;
	f->v.GUEST_SS_SELECTOR = 0x1b;
	EXPECT1(f, "26.3.1.2", GUEST, "SS.DPL must equal SS.RPL", FV(GUEST_SS_AR, 0xc093),
		FV(GUEST_SS_SELECTOR, 0x1b));
	/* Real mode (unrestricted guest): SS.DPL must be 0. */
	f = prot_mode();
	f->v.GUEST_CR0 = 0x30;
	f->v.GUEST_CS_AR = 0xc0fb;
	f->v.GUEST_SS_AR = 0xc0f3;
	EXPECT1(f, "26.3.1.2", GUEST, "SS.DPL must be 0 when CS type is 3 or guest CR0.PE is 0",
		FV(GUEST_SS_AR, 0xc0f3), FV(GUEST_CS_AR, 0xc0fb), FV(GUEST_CR0, 0x30));
}

static void test_seg_data_dpl_vs_rpl(void **s)
{
	struct fx *f = long_mode_restricted();

	(void)s;
	f->v.GUEST_DS_SELECTOR = 0x1b;
	EXPECT1(f, "26.3.1.2", GUEST, "DPL must not be less than RPL", FV(GUEST_DS_AR, 0xc093),
		FV(GUEST_DS_SELECTOR, 0x1b));
	f->v.GUEST_DS_AR = 0xc09f; /* conforming code: exempt */
	expect_none(f);
}

static void test_seg_present(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_ES_AR = 0xc013;
	EXPECT1(f, "26.3.1.2", GUEST, "P (bit 7) must be 1", FV(GUEST_ES_AR, 0xc013));
}

static void test_seg_reserved_ar_bits(void **s)
{
	struct fx *f = prot_mode();

	(void)s;
	f->v.GUEST_GS_AR = 0xc193;
	EXPECT1(f, "26.3.1.2", GUEST, "bits 11:8 are reserved", FV(GUEST_GS_AR, 0xc193));
	f = prot_mode();
	f->v.GUEST_SS_AR = 0x2c093;
	EXPECT1(f, "26.3.1.2", GUEST, "bits 31:17 are reserved", FV(GUEST_SS_AR, 0x2c093));
}

static void test_seg_cs_l_and_db(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_CS_AR = 0xe09b;
	EXPECT1(f, "26.3.1.2", GUEST, "CS.D/B must be 0", FV(GUEST_CS_AR, 0xe09b), FV(ENTRY_CONTROLS, ENTRY_A));
}

static void test_seg_granularity(void **s)
{
	struct fx *f = prot_mode();

	(void)s;
	f->v.GUEST_DS_LIMIT = 0xffff0;
	EXPECT1(f, "26.3.1.2", GUEST, "bits 11:0 is 0, G must be 0", FV(GUEST_DS_LIMIT, 0xffff0),
		FV(GUEST_DS_AR, 0xc093));
	f = prot_mode();
	f->v.GUEST_FS_AR = 0x4093;
	EXPECT1(f, "26.3.1.2", GUEST, "bits 31:20 is 1, G must be 1", FV(GUEST_FS_LIMIT, 0xffffffff),
		FV(GUEST_FS_AR, 0x4093));
	f->v.GUEST_FS_LIMIT = 0xfffff; /* byte granular 1 MiB: fine */
	expect_none(f);
}

static void test_seg_tr(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_TR_AR = 0x83;
	EXPECT1(f, "26.3.1.2", GUEST, "TR type must be 11", FV(GUEST_TR_AR, 0x83), FV(ENTRY_CONTROLS, ENTRY_A));
	f = prot_mode();
	f->v.GUEST_TR_AR = 0x83; /* 16-bit busy TSS: fine outside IA-32e mode */
	expect_none(f);
	f->v.GUEST_TR_AR = 0x89;
	EXPECT1(f, "26.3.1.2", GUEST, "TR type must be 3 or 11", FV(GUEST_TR_AR, 0x89),
		FV(ENTRY_CONTROLS, ENTRY_A & ~ENTRY_IA32E_MODE_GUEST));
	f = long_mode();
	f->v.GUEST_TR_AR = 0x9b;
	EXPECT1(f, "26.3.1.2", GUEST, "TR: S (bit 4) must be 0", FV(GUEST_TR_AR, 0x9b));
	f->v.GUEST_TR_AR = 0x1008b;
	EXPECT1(f, "26.3.1.2", GUEST, "TR must be usable", FV(GUEST_TR_AR, 0x1008b));
	f->v.GUEST_TR_AR = 0x808b;
	EXPECT1(f, "26.3.1.2", GUEST, "bits 11:0 is 0, G must be 0", FV(GUEST_TR_LIMIT, 0x67),
		FV(GUEST_TR_AR, 0x808b));
	f->v.GUEST_TR_AR = 0x0b;
	EXPECT1(f, "26.3.1.2", GUEST, "TR: P (bit 7) must be 1", FV(GUEST_TR_AR, 0x0b));
}

static void test_seg_tr_checked_in_v86(void **s)
{
	struct fx *f = v86();

	(void)s;
	f->v.GUEST_TR_AR = 0x8b | (1u << 20);
	EXPECT1(f, "26.3.1.2", GUEST, "TR: access-rights bits 31:17", FV(GUEST_TR_AR, 0x10008b));
}

static void test_seg_ldtr(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	seg(&f->v, LDTR, 0x50, 0, 0xffff, 0x83);
	EXPECT1(f, "26.3.1.2", GUEST, "LDTR type must be 2", FV(GUEST_LDTR_AR, 0x83));
	f->v.GUEST_LDTR_AR = 0x02;
	EXPECT1(f, "26.3.1.2", GUEST, "LDTR: P (bit 7) must be 1", FV(GUEST_LDTR_AR, 0x02));
	f->v.GUEST_LDTR_AR = 0x10002; /* unusable: not checked */
	expect_none(f);
}

/* ------------------------------------------------ 26.3.1.3 / 26.3.1.4 */

static void test_dtrs(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_GDTR_BASE = 0x0000ffffffff0000ull;
	EXPECT1(f, "26.3.1.3", GUEST, "GDTR base", FV(GUEST_GDTR_BASE, 0x0000ffffffff0000ull));
	f = long_mode();
	f->v.GUEST_IDTR_LIMIT = 0x10000;
	EXPECT1(f, "26.3.1.3", GUEST, "IDTR limit bits 31:16", FV(GUEST_IDTR_LIMIT, 0x10000));
}

static void test_rip(void **s)
{
	struct fx *f = prot_mode();
	uint32_t e32 = ENTRY_A & ~ENTRY_IA32E_MODE_GUEST;

	(void)s;
	f->v.GUEST_RIP = 0x100000000ull;
	EXPECT1(f, "26.3.1.4", GUEST, "RIP bits 63:32", FV(GUEST_RIP, 0x100000000ull), FV(GUEST_CS_AR, 0xc09b),
		FV(ENTRY_CONTROLS, e32));
	f = long_mode();
	f->v.GUEST_RIP = 0x0000800000000000ull;
	EXPECT1(f, "26.3.1.4", GUEST, "RIP must be canonical", FV(GUEST_RIP, 0x0000800000000000ull),
		FV(GUEST_CS_AR, 0xa09b));
	/* Compatibility mode (IA-32e, CS.L = 0): 32-bit RIP. */
	f = long_mode();
	f->v.GUEST_CS_AR = 0xc09b;
	EXPECT1(f, "26.3.1.4", GUEST, "RIP bits 63:32", FV(GUEST_RIP, 0xffffffff81000000ull),
		FV(GUEST_CS_AR, 0xc09b), FV(ENTRY_CONTROLS, ENTRY_A));
}

static void test_rflags(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_RFLAGS = 0x20a;
	EXPECT1(f, "26.3.1.4", GUEST, "RFLAGS reserved bits", FV(GUEST_RFLAGS, 0x20a), PFV(ENTRY_PF_BAD_BITS, 8));
	f->v.GUEST_RFLAGS = 0x400202;
	EXPECT1(f, "26.3.1.4", GUEST, "RFLAGS reserved bits", FV(GUEST_RFLAGS, 0x400202),
		PFV(ENTRY_PF_BAD_BITS, 0x400000));
	f->v.GUEST_RFLAGS = 0x200;
	EXPECT1(f, "26.3.1.4", GUEST, "RFLAGS bit 1 must be 1", FV(GUEST_RFLAGS, 0x200));
	/* RFLAGS.VM with CR0.PE = 0 (v86 state otherwise valid). */
	f = v86();
	f->v.GUEST_CR0 = 0x30;
	EXPECT1(f, "26.3.1.4", GUEST, "RFLAGS.VM must be 0", FV(GUEST_RFLAGS, 0x20202), FV(GUEST_CR0, 0x30),
		FV(ENTRY_CONTROLS, ENTRY_A & ~ENTRY_IA32E_MODE_GUEST));
	/* IF must be 1 to inject an external interrupt. */
	f = long_mode();
	f->v.GUEST_RFLAGS = 0x2;
	f->v.ENTRY_INTR_INFO = 0x80000030;
	EXPECT1(f, "26.3.1.4", GUEST, "RFLAGS.IF must be 1", FV(GUEST_RFLAGS, 2), FV(ENTRY_INTR_INFO, 0x80000030));
}

/* ------------------------------------------------ 26.3.1.5 non-register state */

static void test_activity_state(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_ACTIVITY_STATE = 4;
	EXPECT1(f, "26.3.1.5", GUEST, "activity state must be 0-3", FV(GUEST_ACTIVITY_STATE, 4));
	f->v.GUEST_ACTIVITY_STATE = 2;
	expect_none(f);
	f->caps.misc &= ~VMX_MISC_ACTIVITY_SHUTDOWN;
	EXPECT1(f, "26.3.1.5", GUEST, "IA32_VMX_MISC bits 8:6", FV(GUEST_ACTIVITY_STATE, 2),
		MSR(0x485, MISC & ~VMX_MISC_ACTIVITY_SHUTDOWN));
}

static void test_activity_hlt_needs_cpl0(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	seg(&f->v, CS, 0x33, 0, 0xffffffff, 0xa0fb);
	seg(&f->v, SS, 0x2b, 0, 0xffffffff, 0xc0f3);
	f->v.GUEST_RIP = 0x400000;
	expect_none(f);
	f->v.GUEST_ACTIVITY_STATE = 1;
	EXPECT1(f, "26.3.1.5", GUEST, "HLT activity state requires SS.DPL = 0", FV(GUEST_ACTIVITY_STATE, 1),
		FV(GUEST_SS_AR, 0xc0f3));
}

static void test_activity_with_sti_blocking(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_ACTIVITY_STATE = 1;
	f->v.GUEST_INTERRUPTIBILITY = 1;
	EXPECT1(f, "26.3.1.5", GUEST, "must be active when blocking by STI or MOV SS",
		FV(GUEST_ACTIVITY_STATE, 1), FV(GUEST_INTERRUPTIBILITY, 1));
}

static void test_activity_blocks_injection(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_ACTIVITY_STATE = 1;
	f->v.ENTRY_INTR_INFO = 0x80000b0d;
	EXPECT1(f, "26.3.1.5", GUEST, "would be blocked in this activity state", FV(ENTRY_INTR_INFO, 0x80000b0d),
		FV(GUEST_ACTIVITY_STATE, 1));
	f->v.GUEST_ACTIVITY_STATE = 2;
	f->v.ENTRY_INTR_INFO = 0x80000030;
	EXPECT1(f, "26.3.1.5", GUEST, "would be blocked in this activity state", FV(ENTRY_INTR_INFO, 0x80000030),
		FV(GUEST_ACTIVITY_STATE, 2));
	f->v.ENTRY_INTR_INFO = 0x80000312; /* #MC in shutdown: allowed */
	expect_none(f);
	f->v.GUEST_ACTIVITY_STATE = 3;
	f->v.ENTRY_INTR_INFO = 0x80000202;
	EXPECT1(f, "26.3.1.5", GUEST, "would be blocked in this activity state", FV(ENTRY_INTR_INFO, 0x80000202),
		FV(GUEST_ACTIVITY_STATE, 3));
}

static void test_interruptibility(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_INTERRUPTIBILITY = 0x20;
	EXPECT1(f, "26.3.1.5", GUEST, "reserved bits 31:5", FV(GUEST_INTERRUPTIBILITY, 0x20));
	f->v.GUEST_INTERRUPTIBILITY = 3;
	EXPECT1(f, "26.3.1.5", GUEST, "both STI and MOV SS", FV(GUEST_INTERRUPTIBILITY, 3));
	f->v.GUEST_INTERRUPTIBILITY = 1;
	f->v.GUEST_RFLAGS = 2;
	EXPECT1(f, "26.3.1.5", GUEST, "blocking by STI requires RFLAGS.IF", FV(GUEST_INTERRUPTIBILITY, 1),
		FV(GUEST_RFLAGS, 2));
	f->v.GUEST_RFLAGS = 0x202;
	f->v.GUEST_INTERRUPTIBILITY = 2;
	f->v.ENTRY_INTR_INFO = 0x80000030;
	EXPECT1(f, "26.3.1.5", GUEST, "injecting an external interrupt", FV(GUEST_INTERRUPTIBILITY, 2),
		FV(ENTRY_INTR_INFO, 0x80000030));
	f->v.ENTRY_INTR_INFO = 0x80000202;
	EXPECT1(f, "26.3.1.5", GUEST, "blocking by MOV SS must be 0 when injecting an NMI",
		FV(GUEST_INTERRUPTIBILITY, 2), FV(ENTRY_INTR_INFO, 0x80000202));
	f->v.GUEST_INTERRUPTIBILITY = 8;
	EXPECT1(f, "26.3.1.5", GUEST, "blocking by NMI must be 0", FV(GUEST_INTERRUPTIBILITY, 8),
		FV(ENTRY_INTR_INFO, 0x80000202), FV(PIN_BASED_CONTROLS, PIN_A));
	f->v.ENTRY_INTR_INFO = 0;
	f->v.GUEST_INTERRUPTIBILITY = 4;
	EXPECT1(f, "26.3.1.5", GUEST, "blocking by SMI must be 0 outside SMM", FV(GUEST_INTERRUPTIBILITY, 4),
		PFV(ENTRY_PF_IN_SMM, 0));
	f->v.GUEST_INTERRUPTIBILITY = 0x10;
	EXPECT1(f, "26.3.1.5", GUEST, "enclave interruption", FV(GUEST_INTERRUPTIBILITY, 0x10));
}

static void test_entry_to_smm(void **s)
{
	struct fx *f = long_mode();
	uint32_t e = ENTRY_A | ENTRY_TO_SMM;

	(void)s;
	f->env.in_smm = true;
	f->v.ENTRY_CONTROLS = e;
	f->v.GUEST_INTERRUPTIBILITY = 4;
	expect_none(f);
	f->v.GUEST_INTERRUPTIBILITY = 0;
	EXPECT1(f, "26.3.1.5", GUEST, "blocking by SMI must be 1", FV(GUEST_INTERRUPTIBILITY, 0),
		FV(ENTRY_CONTROLS, e));
	f->v.GUEST_INTERRUPTIBILITY = 4;
	f->v.GUEST_ACTIVITY_STATE = 3;
	EXPECT1(f, "26.3.1.5", GUEST, "wait-for-SIPI when 'entry to SMM'", FV(GUEST_ACTIVITY_STATE, 3),
		FV(ENTRY_CONTROLS, e));
}

static void test_pending_debug_exceptions(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.GUEST_PENDING_DBG_EXCEPTIONS = 0x10;
	EXPECT1(f, "26.3.1.5", GUEST, "bits 11:4, 13, 15 and 63:17", FV(GUEST_PENDING_DBG_EXCEPTIONS, 0x10),
		PFV(ENTRY_PF_BAD_BITS, 0x10));
	/* Single-stepping over STI: BS must be set. */
	f = long_mode();
	f->v.GUEST_RFLAGS = 0x302;
	f->v.GUEST_INTERRUPTIBILITY = 1;
	EXPECT1(f, "26.3.1.5", GUEST, "BS must be 1", FV(GUEST_PENDING_DBG_EXCEPTIONS, 0), FV(GUEST_RFLAGS, 0x302),
		FV(GUEST_IA32_DEBUGCTL, 0), FV(GUEST_INTERRUPTIBILITY, 1));
	f->v.GUEST_PENDING_DBG_EXCEPTIONS = 0x4000;
	expect_none(f);
	f->v.GUEST_IA32_DEBUGCTL = 2; /* BTF */
	EXPECT1(f, "26.3.1.5", GUEST, "BS must be 0", FV(GUEST_PENDING_DBG_EXCEPTIONS, 0x4000),
		FV(GUEST_RFLAGS, 0x302), FV(GUEST_IA32_DEBUGCTL, 2), FV(GUEST_INTERRUPTIBILITY, 1));
	/* Without blocking or HLT, BS is not checked. */
	f->v.GUEST_INTERRUPTIBILITY = 0;
	expect_none(f);
	/* RTM bit without RTM support. */
	f = long_mode();
	f->v.GUEST_PENDING_DBG_EXCEPTIONS = 0x11000;
	EXPECT1(f, "26.3.1.5", GUEST, "RTM (bit 16)", FV(GUEST_PENDING_DBG_EXCEPTIONS, 0x11000),
		FV(GUEST_INTERRUPTIBILITY, 0));
	f->env.rtm = true;
	f->v.GUEST_PENDING_DBG_EXCEPTIONS = 0x10001; /* bit 12 missing, B0 set */
	EXPECT1(f, "26.3.1.5", GUEST, "RTM (bit 16)", FV(GUEST_PENDING_DBG_EXCEPTIONS, 0x10001),
		FV(GUEST_INTERRUPTIBILITY, 0));
}

static void test_vmcs_link_pointer(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	f->v.VMCS_LINK_POINTER = 0x20008;
	EXPECT1(f, "26.3.1.5", GUEST, "FFFFFFFF_FFFFFFFFH or 4-KByte aligned", FV(VMCS_LINK_POINTER, 0x20008));
	assert_int_equal(f->out[0].exit_qual, 4);
	f->v.VMCS_LINK_POINTER = 1ull << 40;
	EXPECT1(f, "26.3.1.5", GUEST, "below MAXPHYADDR", FV(VMCS_LINK_POINTER, 1ull << 40), MAXPHY40);
	assert_int_equal(f->out[0].exit_qual, 4);
	/* An aligned pointer: fine unless it is the current VMCS. */
	f->v.VMCS_LINK_POINTER = 0x20000;
	expect_none(f);
	f->env.have_current_vmcs = true;
	f->env.current_vmcs = 0x20000;
	EXPECT1(f, "26.3.1.5", GUEST, "current-VMCS pointer", FV(VMCS_LINK_POINTER, 0x20000),
		PFV(ENTRY_PF_CURRENT_VMCS, 0x20000));
}

static void test_vmcs_link_revision(void **s)
{
	struct fx *f = long_mode();
	uint32_t rev = 0x2b;

	(void)s;
	use_fake_mem(f);
	f->mem.base[0] = 0x20000;
	memcpy(f->mem.page[0], &rev, 4);
	f->v.VMCS_LINK_POINTER = 0x20000;
	expect_none(f);
	/* A shadow VMCS (bit 31) without 'VMCS shadowing'. */
	rev = 0x8000002b;
	memcpy(f->mem.page[0], &rev, 4);
	EXPECT1(f, "26.3.1.5", GUEST, "revision identifier", FV(VMCS_LINK_POINTER, 0x20000),
		PFV(ENTRY_PF_LINK_REVISION, 0x8000002b), MSR(0x480, BASIC), FV(SECONDARY_PROC_CONTROLS, PROC2_A));
	assert_int_equal(f->out[0].exit_qual, 4);
	/* ... which is right once shadowing is on (bitmaps valid). */
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A | PROC2_VMCS_SHADOWING;
	f->v.VMREAD_BITMAP = 0x18000;
	f->v.VMWRITE_BITMAP = 0x19000;
	expect_none(f);
}

/* ------------------------------------------------ 26.3.1.6 PDPTEs */

/* (b) with PAE paging (32-bit, not IA-32e). */
static struct fx *pae_mode(void)
{
	struct fx *f = prot_mode();

	f->v.GUEST_CR0 = 0x80000031;
	f->v.GUEST_CR4 = 0x2020;
	f->v.GUEST_CR3 = 0x30000;
	f->v.GUEST_PDPTE0 = 0x31001;
	f->v.GUEST_PDPTE1 = 0xffffffffffffffeeull; /* not present: ignored */
	return f;
}

static void test_pdptes_with_ept(void **s)
{
	struct fx *f = pae_mode();

	(void)s;
	expect_none(f);
	f->v.GUEST_PDPTE2 = 0x32007;
	EXPECT1(f, "26.3.1.6", GUEST, "present PDPTE field", FV(GUEST_PDPTE2, 0x32007), MAXPHY40);
	assert_int_equal(f->out[0].exit_qual, 2);
	f->v.GUEST_PDPTE2 = 0x10000032001ull;
	EXPECT1(f, "26.3.1.6", GUEST, "present PDPTE field", FV(GUEST_PDPTE2, 0x10000032001ull), MAXPHY40);
}

static void test_pdptes_in_memory_without_ept(void **s)
{
	struct fx *f = pae_mode();
	uint64_t pdpt[4] = { 0x31001, 0, 0x33001, 0 };

	(void)s;
	f->v.SECONDARY_PROC_CONTROLS = PROC2_A & ~(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST);
	f->v.GUEST_PDPTE2 = 0x32007; /* VMCS fields unused without EPT */
	use_fake_mem(f);
	f->mem.base[0] = 0x30000;
	memcpy(f->mem.page[0], pdpt, sizeof(pdpt));
	expect_none(f);
	pdpt[3] = 0x34101; /* bit 8 reserved in a PAE PDPTE */
	memcpy(f->mem.page[0], pdpt, sizeof(pdpt));
	EXPECT1(f, "26.3.1.6", GUEST, "present PDPTE at CR3", FV(GUEST_CR3, 0x30000),
		PFV(ENTRY_PF_PDPTE3_MEM, 0x34101), MAXPHY40);
}

/* ------------------------------------------------ API behaviour */

static void test_sdm_order_and_classes(void **s)
{
	struct fx *f = long_mode();

	(void)s;
	/* Break a guest, a host and a control rule: reported in SDM order. */
	f->v.GUEST_RFLAGS = 0x200;
	f->v.HOST_TR_SELECTOR = 0;
	f->v.VPID = 0;
	assert_int_equal(run(f), 3);
	assert_int_equal(f->out[0].cls, ENTRY_CHECK_CONTROLS);
	assert_string_equal(f->out[0].section, "26.2.1.1");
	assert_int_equal(f->out[1].cls, ENTRY_CHECK_HOST_STATE);
	assert_string_equal(f->out[1].section, "26.2.3");
	assert_int_equal(f->out[2].cls, ENTRY_CHECK_GUEST_STATE);
	assert_string_equal(f->out[2].section, "26.3.1.4");
	assert_string_equal(entry_check_class_name(f->out[0].cls), "controls");
	assert_string_equal(entry_check_class_name(f->out[1].cls), "host state");
	assert_string_equal(entry_check_class_name(f->out[2].cls), "guest state");
}

static void test_max_limits_stores(void **s)
{
	struct fx *f = long_mode();
	struct entry_finding out[3];

	(void)s;
	f->v.GUEST_RFLAGS = 0x200;
	f->v.HOST_TR_SELECTOR = 0;
	f->v.VPID = 0;
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(vmx_entry_check(&f->v, &f->env, out, 1), 3);
	assert_string_equal(out[0].section, "26.2.1.1");
	for (size_t i = 0; i < sizeof(out[1]); i++)
		assert_int_equal(((uint8_t *)&out[1])[i], 0xa5);
	assert_int_equal(vmx_entry_check(&f->v, &f->env, NULL, 5), 3);
	assert_int_equal(vmx_entry_check(&f->v, &f->env, out, 0), 3);
}

static void test_null_arguments(void **s)
{
	struct fx *f = long_mode();
	struct entry_finding out[2];
	struct entry_check_env env = f->env;

	(void)s;
	assert_int_equal(vmx_entry_check(NULL, &f->env, out, 2), 1);
	assert_string_equal(out[0].section, "26");
	assert_int_equal(vmx_entry_check(&f->v, NULL, out, 2), 1);
	env.caps = NULL;
	assert_int_equal(vmx_entry_check(&f->v, &env, out, 2), 1);
	assert_non_null(strstr(out[0].rule, "capability MSRs"));
}

struct capture {
	char text[1024];
	unsigned lines;
};

static void capture_line(void *ctx, const char *text)
{
	struct capture *c = ctx;

	snprintf(c->text, sizeof(c->text), "%s", text);
	c->lines++;
}

static void test_format(void **s)
{
	struct fx *f = long_mode();
	struct capture c = { "", 0 };
	struct entry_finding fd;

	(void)s;
	f->v.GUEST_CS_AR = 0xa0bb;
	assert_int_equal(run(f), 1);
	entry_finding_format(&f->out[0], capture_line, &c);
	assert_int_equal(c.lines, 1);
	assert_string_equal(c.text,
			    "SDM 26.3.1.2: CS.DPL must equal SS.DPL when CS type is 9/11 (non-conforming code): "
			    "GUEST_CS_AR=0x0000a0bb GUEST_SS_AR=0x0000c093");
	/* 16-bit, 64-bit, MSR and pseudo fields. */
	f = long_mode();
	f->v.IO_BITMAP_A = 0x10800;
	assert_int_equal(run(f), 1);
	entry_finding_format(&f->out[0], capture_line, &c);
	assert_non_null(strstr(c.text, ": IO_BITMAP_A=0x0000000000010800 MAXPHYADDR=40"));
	f->v.IO_BITMAP_A = 0x10000;
	f->v.PIN_BASED_CONTROLS = PIN_A & ~2u;
	assert_int_equal(run(f), 1);
	entry_finding_format(&f->out[0], capture_line, &c);
	assert_non_null(strstr(c.text, "PIN_BASED_CONTROLS=0x0000003d IA32_VMX_TRUE_PINBASED_CTLS="
					"0x0000007f00000016 bad bits=0x0000000000000002"));
	f = long_mode();
	f->v.HOST_SS_SELECTOR = 0x13;
	assert_int_equal(run(f), 1);
	entry_finding_format(&f->out[0], capture_line, &c);
	assert_non_null(strstr(c.text, "HOST_SS_SELECTOR=0x0013"));
	/* A hostile finding: too many fields, unknown field, NULL strings. */
	memset(&fd, 0, sizeof(fd));
	fd.nfields = 1000;
	fd.field[0] = 0x7777;
	fd.value[0] = 1;
	entry_finding_format(&fd, capture_line, &c);
	assert_string_equal(c.text, "SDM ?: ?: field_0x00007777=0x0000000000000001 "
				    "VPID=0x0000 VPID=0x0000 VPID=0x0000");
	c.lines = 0;
	entry_finding_format(NULL, capture_line, &c);
	entry_finding_format(&fd, NULL, NULL);
	assert_int_equal(c.lines, 0);
	assert_null(entry_pseudo_field_name(0x1234));
	assert_string_equal(entry_pseudo_field_name(ENTRY_FIELD_MSR(0x48c)), "IA32_VMX_EPT_VPID_CAP");
}

/* Every finding of the auditor prints with a name for every field. */
static void check_finding_sane(const struct entry_finding *fd)
{
	assert_non_null(fd->section);
	assert_non_null(fd->rule);
	assert_true(strncmp(fd->section, "26.", 3) == 0);
	assert_true(fd->nfields >= 1 && fd->nfields <= ENTRY_FINDING_MAX_FIELDS);
	assert_true(fd->cls <= ENTRY_CHECK_UNDECIDED);
	if (fd->cls == ENTRY_CHECK_MSR_LOAD)
		assert_true(fd->exit_qual >= 1);
	else if (fd->cls != ENTRY_CHECK_UNDECIDED)
		assert_true(fd->exit_qual == 0 || fd->exit_qual == 2 || fd->exit_qual == 3 ||
			    fd->exit_qual == 4);
	for (unsigned i = 0; i < fd->nfields; i++)
		assert_true(vmcs_field_lookup(fd->field[i]) || entry_pseudo_field_name(fd->field[i]));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool random_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa & 8)
		return false;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)rnd();
	return true;
}

static void check_all_findings(struct fx *f)
{
	unsigned n = vmx_entry_check(&f->v, &f->env, f->out, ARRAY_SIZE(f->out));
	struct capture c;

	assert_true(n <= 400); /* bounded by the number of rules */
	for (unsigned i = 0; i < n && i < ARRAY_SIZE(f->out); i++) {
		check_finding_sane(&f->out[i]);
		c.lines = 0;
		entry_finding_format(&f->out[i], capture_line, &c);
		assert_int_equal(c.lines, 1);
		assert_true(strncmp(c.text, "SDM 26.", 7) == 0);
	}
}

/* Random bytes into the VMCS and the capability MSRs (fixed seed), and
 * random mutations of a valid VMCS (which reach the deeper rules). */
static void test_garbage(void **s)
{
	struct fx *f;
	uint8_t *bytes;

	(void)s;
	for (int iter = 0; iter < 20000; iter++) {
		f = long_mode();
		bytes = (uint8_t *)&f->v;
		for (size_t i = 0; i < sizeof(f->v); i++)
			bytes[i] = (uint8_t)rnd();
		bytes = (uint8_t *)&f->caps;
		if (iter & 1)
			for (size_t i = 0; i < offsetof(struct vmx_msrs, have_procbased2); i++)
				bytes[i] = (uint8_t)rnd();
		f->env.maxphyaddr = (unsigned)(rnd() & 0x7f);
		f->env.la57 = rnd() & 1;
		f->env.host_lma = rnd() & 1;
		f->env.in_smm = rnd() & 1;
		f->env.have_current_vmcs = rnd() & 1;
		f->env.current_vmcs = rnd();
		if (iter & 2) {
			f->env.read_phys = random_read;
			f->env.read_ctx = NULL;
		}
		check_all_findings(f);
	}
	for (int iter = 0; iter < 20000; iter++) {
		f = (iter & 1) ? long_mode() : prot_mode();
		bytes = (uint8_t *)&f->v;
		for (int k = 0; k < 1 + (int)(rnd() % 4); k++) {
			const struct vmcs_field_info *fi = &vmcs_field_table[rnd() % vmcs_field_count];
			size_t w = fi->width == VMCS_W16 ? 2 : fi->width == VMCS_W32 ? 4 : 8;
			uint64_t val = rnd();

			if (rnd() & 1)
				val &= 1ull << (rnd() % 64); /* single bits hit more rules */
			memcpy(bytes + fi->offset, &val, w);
		}
		f->env.read_phys = random_read;
		check_all_findings(f);
	}
}

/* ============================================ the verdict, table-driven */

/* Every check of 26.2-26.4 as one table row: from a valid baseline on a
 * Skylake-like and a Sandy-Bridge-like capability set, `setup` builds the
 * neighbourhood (which must still pass), the row's field gets `good`
 * (must pass: the neighbouring passing VMCS) and then `bad` (must give
 * exactly `outcome`, `qual` and `section`). Rows whose change is not one
 * field write use good_fn/bad_fn instead. */

enum { SKL = 1, SNB = 2, BOTH = SKL | SNB };

/* Sandy Bridge as Bochs models it: Skylake's VMX MSRs except secondary
 * controls 0xff, EPT/VPID cap 0x00000f0106114141 (no A/D), no VM
 * functions (as tests/unit/test_caps.c models it; platform.md). */
static void sandy_caps(struct vmx_msrs *c)
{
	skylake_caps(c);
	c->procbased2 = 0x000000ff00000000ull;
	c->ept_vpid_cap = 0x00000f0106114141ull;
	c->vmfunc = 0;
	c->have_vmfunc = false;
}

/* MSR loadability for the 26.4 rows: entry values decide. */
struct msr_oracle {
	unsigned calls;
};

#define MSR_VAL_BAD 0xbadull
#define MSR_VAL_UNKNOWN 0x3333ull

static enum entry_msr_load msr_oracle(void *ctx, uint32_t index, uint64_t value)
{
	struct msr_oracle *o = ctx;

	(void)index;
	o->calls++;
	if (value == MSR_VAL_BAD)
		return ENTRY_MSR_LOAD_BAD;
	if (value == MSR_VAL_UNKNOWN)
		return ENTRY_MSR_LOAD_UNKNOWN;
	return ENTRY_MSR_LOAD_OK;
}

static struct msr_oracle oracle;

#define MSR_AREA 0x15000ull /* slot 2 of the fake memory */
#define LINK_PAGE 0x20000ull /* slot 0 */

static struct fx *vbase(unsigned model)
{
	struct fx *f = long_mode();
	struct vmcs12 *v = &f->v;
	uint32_t rev = 0x2b;

	if (model == SNB) {
		sandy_caps(&f->caps);
		v->SECONDARY_PROC_CONTROLS = PROC2_ENABLE_EPT | PROC2_ENABLE_RDTSCP |
					     PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST;
		v->EPT_POINTER = EPTP_A & ~(1ull << 6);
	}
	f->env.debugctl_rsvd = debugctl_rsvd(model == SKL);
	f->env.perf_global_ctrl_rsvd = perf_global_ctrl_rsvd(4, 3);
	use_fake_mem(f);
	f->mem.base[0] = LINK_PAGE;
	memcpy(f->mem.page[0], &rev, 4);
	f->mem.base[1] = MSR_AREA + 0x1000;
	f->mem.base[2] = MSR_AREA;
	v->ENTRY_MSR_LOAD_ADDR = MSR_AREA;
	memset(&oracle, 0, sizeof(oracle));
	f->env.msr_load_ok = msr_oracle;
	f->env.msr_ctx = &oracle;
	return f;
}

static void set_field(struct vmcs12 *v, uint32_t enc, uint64_t val)
{
	const struct vmcs_field_info *fi = vmcs_field_lookup(enc);
	unsigned w;

	assert_non_null(fi);
	w = fi->width == VMCS_W16 ? 2 : fi->width == VMCS_W32 ? 4 : 8;
	memcpy((uint8_t *)v + fi->offset, &val, w); /* little endian */
}

static uint64_t get_field(const struct vmcs12 *v, uint32_t enc)
{
	const struct vmcs_field_info *fi = vmcs_field_lookup(enc);
	uint64_t val = 0;
	unsigned w;

	assert_non_null(fi);
	w = fi->width == VMCS_W16 ? 2 : fi->width == VMCS_W32 ? 4 : 8;
	memcpy(&val, (const uint8_t *)v + fi->offset, w);
	return val;
}

struct vcase {
	const char *name;
	unsigned models;
	void (*setup)(struct fx *f);
	uint32_t field;    /* unused when good_fn/bad_fn are set */
	uint64_t good, bad;
	bool or_base;      /* good and bad are ORed into the current value */
	enum entry_outcome outcome;
	uint32_t qual;
	const char *section;
	void (*good_fn)(struct fx *f), (*bad_fn)(struct fx *f);
};

/* ---- setups and paired changes ---- */
#define V (&f->v)
static void s_no_tpr(struct fx *f) { V->PROC_BASED_CONTROLS &= ~PROC_TPR_SHADOW; }
static void s_vtpr5(struct fx *f) { f->mem.page[FAKE_PAGES - 1][0x80] = 0x50; }
static void s_vtpr_f(struct fx *f) { f->mem.page[FAKE_PAGES - 1][0x80] = 0xf0; }
static void g_vapic_mapped(struct fx *f) { (void)f; }
static void b_vapic_unmapped(struct fx *f) { f->mem.base[FAKE_PAGES - 1] = 0; }
static void s_no_vnmi(struct fx *f) { V->PIN_BASED_CONTROLS &= ~PIN_VIRTUAL_NMIS; }
static void s_no_nmi_exit(struct fx *f) { V->PIN_BASED_CONTROLS &= ~(PIN_VIRTUAL_NMIS | PIN_NMI_EXITING); }
static void s_apic_acc(struct fx *f) { V->SECONDARY_PROC_CONTROLS |= PROC2_VIRTUALIZE_APIC_ACCESSES; V->APIC_ACCESS_ADDR = 0x16000; }
static void s_no_ept_ug(struct fx *f) { V->SECONDARY_PROC_CONTROLS &= ~(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST); }
static void s_no_ug(struct fx *f) { V->SECONDARY_PROC_CONTROLS &= ~PROC2_UNRESTRICTED_GUEST; }
static void s_vmfunc(struct fx *f) { V->SECONDARY_PROC_CONTROLS |= PROC2_ENABLE_VMFUNC; V->EPTP_LIST_ADDR = 0x18000; }
static void s_shadow(struct fx *f) { V->SECONDARY_PROC_CONTROLS |= PROC2_VMCS_SHADOWING; V->VMWRITE_BITMAP = 0x19000; }
static void s_store1(struct fx *f) { V->EXIT_MSR_STORE_COUNT = 1; }
static void s_xload1(struct fx *f) { V->EXIT_MSR_LOAD_COUNT = 1; }
static void s_load1(struct fx *f) { V->ENTRY_MSR_LOAD_COUNT = 1; }
static void s_errcode(struct fx *f) { V->ENTRY_INTR_INFO = 0x80000b0d; }
static void s_softint(struct fx *f) { V->ENTRY_INTR_INFO = 0x80000480; V->ENTRY_INSTRUCTION_LEN = 2; }
static void s_host_pgc(struct fx *f) { V->EXIT_CONTROLS |= EXIT_LOAD_PERF_GLOBAL_CTRL; }
static void s_guest_pgc(struct fx *f) { V->ENTRY_CONTROLS |= ENTRY_LOAD_PERF_GLOBAL_CTRL; }
static void s_inj_ext(struct fx *f) { V->ENTRY_INTR_INFO = 0x80000030; }
static void s_inj_nmi(struct fx *f) { V->ENTRY_INTR_INFO = 0x80000202; }
static void s_hlt(struct fx *f) { V->GUEST_ACTIVITY_STATE = 1; }
static void s_sipi(struct fx *f) { V->GUEST_ACTIVITY_STATE = 3; }
static void s_shutdown(struct fx *f) { V->GUEST_ACTIVITY_STATE = 2; }
static void s_no_shutdown_state(struct fx *f) { f->caps.misc &= ~VMX_MISC_ACTIVITY_SHUTDOWN; }
static void s_ldtr_usable(struct fx *f) { V->GUEST_LDTR_AR = 0x82; }
static void s_if0(struct fx *f) { V->GUEST_RFLAGS = 0x2; }
static void s_sti(struct fx *f) { V->GUEST_INTERRUPTIBILITY = INTR_BLOCK_STI; }
static void s_sti_tf(struct fx *f) { V->GUEST_INTERRUPTIBILITY = INTR_BLOCK_STI; V->GUEST_RFLAGS = 0x302; }
static void s_sti_tf_btf(struct fx *f) { s_sti_tf(f); V->GUEST_IA32_DEBUGCTL = 2; }
static void s_cur_vmcs(struct fx *f) { f->env.have_current_vmcs = true; f->env.current_vmcs = LINK_PAGE; }
static void s_pae(struct fx *f)
{
	V->ENTRY_CONTROLS &= ~ENTRY_IA32E_MODE_GUEST;
	V->GUEST_IA32_EFER = 0x801;
	V->GUEST_RIP = 0x100000;
	V->GUEST_CS_AR = 0xc09b;
}
static void s_pae_no_ept(struct fx *f)
{
	s_pae(f);
	s_no_ept_ug(f);
	V->GUEST_CR3 = LINK_PAGE + 0x40; /* PDPT: bits 31:5 of CR3 */
}
static void b_pdpte_mem(struct fx *f)
{
	uint64_t e = 0x31003; /* bit 1 reserved in a PAE PDPTE */

	memcpy(&f->mem.page[0][0x40 + 8 * 2], &e, 8);
}
static void g_pdpte_mem(struct fx *f)
{
	uint64_t e = 0x31001;

	memcpy(&f->mem.page[0][0x40 + 8 * 2], &e, 8);
}
static void b_pdpt_unmapped(struct fx *f) { V->GUEST_CR3 = 0x40000; }

/* CS.DPL vs SS.DPL (26.3.1.2): the SDM compares the two DPLs; Bochs 2.7
 * compares CS.RPL with CS.DPL. The neighbour has CS.RPL 3 with equal
 * DPLs: valid by the SDM (Bochs would refuse it). */
static void g_cs_rpl3(struct fx *f) { V->GUEST_CS_SELECTOR = 0x13; }
static void b_cs_dpl3(struct fx *f) { V->GUEST_CS_AR = 0xa0fb; }
/* HLT needs SS.DPL 0 (26.3.1.5): CS and SS at DPL 3 are otherwise valid. */
static void s_dpl3(struct fx *f) { V->GUEST_CS_AR = 0xa0fb; V->GUEST_SS_AR = 0xc0f3; }
static void g_active(struct fx *f) { V->GUEST_ACTIVITY_STATE = 0; }
static void b_hlt(struct fx *f) { V->GUEST_ACTIVITY_STATE = 1; }
/* NMI injection under blocking by STI: qualification 3 only on a model
 * that makes the optional check (26.3.1.5, 26.7). */
static void s_nmi_sti(struct fx *f) { s_inj_nmi(f); s_sti(f); }
static void g_lenient(struct fx *f) { f->env.nmi_requires_no_sti_blocking = false; }
static void b_strict(struct fx *f) { f->env.nmi_requires_no_sti_blocking = true; }
/* RTM bit of the pending debug exceptions (26.3.1.5). */
static void s_rtm_pde(struct fx *f) { V->GUEST_PENDING_DBG_EXCEPTIONS = 0x11000; }
static void g_rtm(struct fx *f) { f->env.rtm = true; }
static void b_no_rtm(struct fx *f) { f->env.rtm = false; }

/* 26.4: write entry i (0-based) of the MSR-load area. */
static void msr_entry(struct fx *f, unsigned i, uint32_t index, uint32_t hi, uint64_t value)
{
	uint8_t *p = &f->mem.page[2][16 * i];

	memcpy(p, &index, 4);
	memcpy(p + 4, &hi, 4);
	memcpy(p + 8, &value, 8);
}
static void s_msr3(struct fx *f)
{
	V->ENTRY_MSR_LOAD_COUNT = 3;
	msr_entry(f, 0, 0x174, 0, 0x10);    /* IA32_SYSENTER_CS */
	msr_entry(f, 1, 0x277, 0, PAT_DEFAULT);
	msr_entry(f, 2, 0xc0000102, 0, 0);  /* IA32_KERNEL_GS_BASE */
}
static void g_msr_kgs(struct fx *f) { msr_entry(f, 2, 0xc0000102, 0, 0); }
static void b_msr_fs(struct fx *f) { msr_entry(f, 1, 0xc0000100, 0, 0); }
static void b_msr_gs(struct fx *f) { msr_entry(f, 2, 0xc0000101, 0, 0); }
static void g_msr_7ff(struct fx *f) { msr_entry(f, 0, 0x7ff, 0, 0); }
static void b_msr_x2apic(struct fx *f) { msr_entry(f, 0, 0x808, 0, 0); }
static void g_msr_9c(struct fx *f) { msr_entry(f, 1, 0x9c, 0, 0); }
static void b_msr_smm(struct fx *f) { msr_entry(f, 1, 0x9b, 0, 0); }
static void b_msr_hi(struct fx *f) { msr_entry(f, 2, 0xc0000102, 1, 0); }
static void b_msr_gp(struct fx *f) { msr_entry(f, 2, 0xc0000102, 0, MSR_VAL_BAD); }
static void b_msr_unknown(struct fx *f) { msr_entry(f, 1, 0x277, 0, MSR_VAL_UNKNOWN); }
static void g_msr_last_page(struct fx *f)
{
	V->ENTRY_MSR_LOAD_ADDR = MSR_AREA + 0x1ff0; /* entry 1 in slot 1's page */
	V->ENTRY_MSR_LOAD_COUNT = 1;
}
static void b_msr_unreadable(struct fx *f) { g_msr_last_page(f); V->ENTRY_MSR_LOAD_COUNT = 2; }
/* Guest state fails before MSR loading is reached (26.3 before 26.4). */
static void b_msr_and_guest(struct fx *f) { b_msr_fs(f); V->GUEST_RFLAGS = 0x200; }
#undef V

#define VC_F(n, m, s, fld, g, b, out, q, sec) \
	{ n, m, s, VMCS_##fld, g, b, false, out, q, sec, NULL, NULL }
#define VC_OR(n, m, s, fld, g, b, out, q, sec) \
	{ n, m, s, VMCS_##fld, g, b, true, out, q, sec, NULL, NULL }
#define VC_FN(n, m, s, gf, bf, out, q, sec) \
	{ n, m, s, 0, 0, 0, false, out, q, sec, gf, bf }
#define VCTL ENTRY_FAIL_CONTROLS
#define HST ENTRY_FAIL_HOST
#define GST ENTRY_FAIL_GUEST
#define MSRL ENTRY_FAIL_MSR_LOAD
#define UND ENTRY_UNDECIDED
#define NONCANON 0x0000800000000000ull

static const struct vcase vcases[] = {
	/* 26.2.1.1 VM-execution controls */
	VC_F("pin allowed-0", BOTH, NULL, PIN_BASED_CONTROLS, PIN_A, PIN_A & ~2u, VCTL, 0, "26.2.1.1"),
	VC_OR("pin allowed-1 (posted interrupts)", BOTH, NULL, PIN_BASED_CONTROLS, 0, PIN_POSTED_INTERRUPTS, VCTL, 0, "26.2.1.1"),
	VC_OR("proc allowed-1 (MTF)", BOTH, NULL, PROC_BASED_CONTROLS, 0, PROC_MONITOR_TRAP_FLAG, VCTL, 0, "26.2.1.1"),
	VC_OR("proc2 allowed-1", BOTH, NULL, SECONDARY_PROC_CONTROLS, 0, 1u << 24, VCTL, 0, "26.2.1.1"),
	VC_OR("proc2 allowed-1 (shadowing on SNB)", SNB, NULL, SECONDARY_PROC_CONTROLS, 0, PROC2_VMCS_SHADOWING, VCTL, 0, "26.2.1.1"),
	VC_F("CR3-target count", BOTH, NULL, CR3_TARGET_COUNT, 4, 5, VCTL, 0, "26.2.1.1"),
	VC_F("I/O bitmap A aligned", BOTH, NULL, IO_BITMAP_A, 0x10000, 0x10800, VCTL, 0, "26.2.1.1"),
	VC_F("I/O bitmap B in MAXPHYADDR", BOTH, NULL, IO_BITMAP_B, 0xfffffff000ull, 0x10000000000ull, VCTL, 0, "26.2.1.1"),
	VC_F("MSR bitmap aligned", BOTH, NULL, MSR_BITMAP, 0x12000, 0x12004, VCTL, 0, "26.2.1.1"),
	VC_F("virtual-APIC address aligned", BOTH, NULL, VIRTUAL_APIC_PAGE_ADDR, 0x13000, 0x13080, VCTL, 0, "26.2.1.1"),
	VC_F("TPR threshold bits 31:4", BOTH, s_vtpr_f, TPR_THRESHOLD, 0xf, 0x10, VCTL, 0, "26.2.1.1"),
	VC_F("TPR threshold vs VTPR", BOTH, s_vtpr5, TPR_THRESHOLD, 5, 6, VCTL, 0, "26.2.1.1"),
	VC_FN("VTPR unreadable", BOTH, NULL, g_vapic_mapped, b_vapic_unmapped, UND, 0, "26.2.1.1"),
	VC_OR("x2APIC virtualization needs TPR shadow", BOTH, s_no_tpr, SECONDARY_PROC_CONTROLS, 0, PROC2_VIRTUALIZE_X2APIC, VCTL, 0, "26.2.1.1"),
	VC_OR("APIC-register virtualization needs TPR shadow", SKL, s_no_tpr, SECONDARY_PROC_CONTROLS, 0, PROC2_APIC_REGISTER_VIRT, VCTL, 0, "26.2.1.1"),
	VC_OR("virtual NMIs need NMI exiting", BOTH, s_no_nmi_exit, PIN_BASED_CONTROLS, 0, PIN_VIRTUAL_NMIS, VCTL, 0, "26.2.1.1"),
	VC_OR("NMI-window exiting needs virtual NMIs", BOTH, s_no_vnmi, PROC_BASED_CONTROLS, 0, PROC_NMI_WINDOW_EXITING, VCTL, 0, "26.2.1.1"),
	VC_F("APIC-access address aligned", BOTH, s_apic_acc, APIC_ACCESS_ADDR, 0x16000, 0x16010, VCTL, 0, "26.2.1.1"),
	VC_OR("x2APIC and APIC accesses exclusive", BOTH, s_apic_acc, SECONDARY_PROC_CONTROLS, 0, PROC2_VIRTUALIZE_X2APIC, VCTL, 0, "26.2.1.1"),
	VC_F("VPID not 0", BOTH, NULL, VPID, 1, 0, VCTL, 0, "26.2.1.1"),
	VC_OR("EPTP memory type", BOTH, NULL, EPT_POINTER, 0, 1, VCTL, 0, "26.2.1.1"),
	VC_OR("EPTP walk length", BOTH, NULL, EPT_POINTER, 0, 1u << 5, VCTL, 0, "26.2.1.1"),
	VC_OR("EPTP A/D without the capability", SNB, NULL, EPT_POINTER, 0, 1u << 6, VCTL, 0, "26.2.1.1"),
	VC_OR("EPTP reserved bits 11:7", BOTH, NULL, EPT_POINTER, 0, 1u << 7, VCTL, 0, "26.2.1.1"),
	VC_OR("unrestricted guest needs EPT", BOTH, s_no_ept_ug, SECONDARY_PROC_CONTROLS, 0, PROC2_UNRESTRICTED_GUEST, VCTL, 0, "26.2.1.1"),
	VC_OR("PML needs EPT", SKL, s_no_ept_ug, SECONDARY_PROC_CONTROLS, 0, PROC2_ENABLE_PML, VCTL, 0, "26.2.1.1"),
	VC_F("VM functions allowed", SKL, s_vmfunc, VM_FUNCTION_CONTROLS, 1, 3, VCTL, 0, "26.2.1.1"),
	VC_F("VMREAD bitmap aligned", SKL, s_shadow, VMREAD_BITMAP, 0x1a000, 0x1a001, VCTL, 0, "26.2.1.1"),
	/* 26.2.1.2 VM-exit controls */
	VC_F("exit allowed-0", BOTH, NULL, EXIT_CONTROLS, EXIT_A, EXIT_A & ~1u, VCTL, 0, "26.2.1.2"),
	VC_OR("save preemption timer needs the timer", BOTH, NULL, EXIT_CONTROLS, 0, EXIT_SAVE_PREEMPTION_TIMER, VCTL, 0, "26.2.1.2"),
	VC_F("exit MSR-store address aligned", BOTH, s_store1, EXIT_MSR_STORE_ADDR, 0x17000, 0x17008, VCTL, 0, "26.2.1.2"),
	VC_F("exit MSR-load last byte", BOTH, s_xload1, EXIT_MSR_LOAD_ADDR, 0xfffffffff0ull, 0xfffffffff8ull, VCTL, 0, "26.2.1.2"),
	/* 26.2.1.3 VM-entry controls */
	VC_OR("entry allowed-1", BOTH, NULL, ENTRY_CONTROLS, 0, ENTRY_LOAD_BNDCFGS, VCTL, 0, "26.2.1.3"),
	VC_F("injection type 1 reserved", BOTH, NULL, ENTRY_INTR_INFO, 0x80000030, 0x80000130, VCTL, 0, "26.2.1.3"),
	VC_F("injection type 7 without MTF", BOTH, NULL, ENTRY_INTR_INFO, 0x80000030, 0x80000700, VCTL, 0, "26.2.1.3"),
	VC_F("NMI vector 2", BOTH, NULL, ENTRY_INTR_INFO, 0x80000202, 0x80000203, VCTL, 0, "26.2.1.3"),
	VC_F("hardware exception vector <= 31", BOTH, NULL, ENTRY_INTR_INFO, 0x80000306, 0x80000320, VCTL, 0, "26.2.1.3"),
	VC_F("no error code for #UD", BOTH, NULL, ENTRY_INTR_INFO, 0x80000306, 0x80000b06, VCTL, 0, "26.2.1.3"),
	VC_F("error code for #GP", BOTH, NULL, ENTRY_INTR_INFO, 0x80000b0d, 0x8000030d, VCTL, 0, "26.2.1.3"),
	VC_F("injection reserved bits 30:12", BOTH, NULL, ENTRY_INTR_INFO, 0x80000306, 0x80001306, VCTL, 0, "26.2.1.3"),
	VC_F("error code bits 31:16", BOTH, s_errcode, ENTRY_EXCEPTION_ERROR_CODE, 0xffff, 0x10000, VCTL, 0, "26.2.1.3"),
	VC_F("software interrupt length <= 15", BOTH, s_softint, ENTRY_INSTRUCTION_LEN, 15, 16, VCTL, 0, "26.2.1.3"),
	VC_F("entry MSR-load address aligned", BOTH, s_load1, ENTRY_MSR_LOAD_ADDR, MSR_AREA + 0x10, MSR_AREA + 0x18, VCTL, 0, "26.2.1.3"),
	VC_F("entry MSR-load count <= 512 (A.6)", BOTH, NULL, ENTRY_MSR_LOAD_COUNT, 512, 513, VCTL, 0, "26.2.1.3"),
	VC_OR("entry to SMM outside SMM", BOTH, NULL, ENTRY_CONTROLS, 0, ENTRY_TO_SMM, VCTL, 0, "26.2.1.3"),
	VC_OR("deactivate dual-monitor outside SMM", BOTH, NULL, ENTRY_CONTROLS, 0, ENTRY_DEACTIVATE_DUAL_MONITOR, VCTL, 0, "26.2.1.3"),
	/* 26.2.2 host control registers and MSRs */
	VC_F("host CR0 fixed bits", BOTH, NULL, HOST_CR0, 0x80050033, 0x80050013, HST, 0, "26.2.2"),
	VC_F("host CR4 fixed bits", BOTH, NULL, HOST_CR4, 0x2620, 0x0620, HST, 0, "26.2.2"),
	VC_F("host CR3 in MAXPHYADDR", BOTH, NULL, HOST_CR3, 0xfffffff000ull, 0x10000000000ull, HST, 0, "26.2.2"),
	VC_F("host SYSENTER_ESP canonical", BOTH, NULL, HOST_IA32_SYSENTER_ESP, 0x00007ffffffffff0ull, NONCANON, HST, 0, "26.2.2"),
	VC_F("host SYSENTER_EIP canonical", BOTH, NULL, HOST_IA32_SYSENTER_EIP, 0xffff800000000000ull, NONCANON, HST, 0, "26.2.2"),
	VC_F("host PERF_GLOBAL_CTRL reserved", BOTH, s_host_pgc, HOST_IA32_PERF_GLOBAL_CTRL, 0x70000000full, 0x10, HST, 0, "26.2.2"),
	VC_F("host PAT", BOTH, NULL, HOST_IA32_PAT, PAT_DEFAULT, 0x0007040600070402ull, HST, 0, "26.2.2"),
	VC_F("host EFER reserved", BOTH, NULL, HOST_IA32_EFER, 0xd01, 0xd03, HST, 0, "26.2.2"),
	VC_F("host EFER.LMA = address-space size", BOTH, NULL, HOST_IA32_EFER, 0xd01, 0x901, HST, 0, "26.2.2"),
	VC_F("host EFER.LME = address-space size", BOTH, NULL, HOST_IA32_EFER, 0xd01, 0xc01, HST, 0, "26.2.2"),
	/* 26.2.3 host segment and descriptor-table registers */
	VC_F("host CS RPL", BOTH, NULL, HOST_CS_SELECTOR, 0x08, 0x0b, HST, 0, "26.2.3"),
	VC_F("host TR TI", BOTH, NULL, HOST_TR_SELECTOR, 0x28, 0x2c, HST, 0, "26.2.3"),
	VC_F("host CS not 0", BOTH, NULL, HOST_CS_SELECTOR, 0x08, 0, HST, 0, "26.2.3"),
	VC_F("host TR not 0", BOTH, NULL, HOST_TR_SELECTOR, 0x28, 0, HST, 0, "26.2.3"),
	VC_F("host FS base canonical", BOTH, NULL, HOST_FS_BASE, 0x00007ffffffff000ull, NONCANON, HST, 0, "26.2.3"),
	VC_F("host IDTR base canonical", BOTH, NULL, HOST_IDTR_BASE, 0xffff800000000000ull, NONCANON, HST, 0, "26.2.3"),
	/* 26.2.4 address-space size */
	VC_F("host CR4.PAE with 64-bit host", BOTH, NULL, HOST_CR4, 0x2620, 0x2600, HST, 0, "26.2.4"),
	VC_F("host RIP canonical", BOTH, NULL, HOST_RIP, 0x00007ffffffff000ull, NONCANON, HST, 0, "26.2.4"),
	/* 26.3.1.1 guest control registers, debug registers, MSRs */
	VC_F("guest CR0 fixed bits (NE)", BOTH, NULL, GUEST_CR0, 0x80050033, 0x80050013, GST, 0, "26.3.1.1"),
	VC_F("guest CR0.PG needs PE (unrestricted)", BOTH, NULL, GUEST_CR0, 0x80050033, 0x80050032, GST, 0, "26.3.1.1"),
	VC_F("guest CR0.PE/PG fixed without unrestricted guest", BOTH, s_no_ug, GUEST_CR0, 0x80050033, 0x00050033, GST, 0, "26.3.1.1"),
	VC_F("guest CR4 fixed bits", BOTH, NULL, GUEST_CR4, 0x2620, 0x0620, GST, 0, "26.3.1.1"),
	VC_F("guest DEBUGCTL reserved (RTM_DEBUG on SKL)", SKL, NULL, GUEST_IA32_DEBUGCTL, 0x8000, 0x10000, GST, 0, "26.3.1.1"),
	VC_F("guest DEBUGCTL reserved (bit 15 on SNB)", SNB, NULL, GUEST_IA32_DEBUGCTL, 0x4000, 0x8000, GST, 0, "26.3.1.1"),
	VC_F("guest DEBUGCTL bits 5:2", BOTH, NULL, GUEST_IA32_DEBUGCTL, 0x43, 0x4, GST, 0, "26.3.1.1"),
	VC_F("IA-32e guest needs CR0.PG", BOTH, NULL, GUEST_CR0, 0x80050033, 0x00050033, GST, 0, "26.3.1.1"),
	VC_F("IA-32e guest needs CR4.PAE", BOTH, NULL, GUEST_CR4, 0x2620, 0x2600, GST, 0, "26.3.1.1"),
	VC_F("guest CR3 in MAXPHYADDR", BOTH, NULL, GUEST_CR3, 0xfffffff000ull, 0x10000000000ull, GST, 0, "26.3.1.1"),
	VC_F("guest DR7 bits 63:32", BOTH, NULL, GUEST_DR7, 0xffffffffull, 0x100000000ull, GST, 0, "26.3.1.1"),
	VC_F("guest SYSENTER_ESP canonical", BOTH, NULL, GUEST_IA32_SYSENTER_ESP, 0xffff800000000000ull, NONCANON, GST, 0, "26.3.1.1"),
	VC_F("guest PERF_GLOBAL_CTRL reserved", BOTH, s_guest_pgc, GUEST_IA32_PERF_GLOBAL_CTRL, 0x70000000full, 0x800000000ull, GST, 0, "26.3.1.1"),
	VC_F("guest PAT", BOTH, NULL, GUEST_IA32_PAT, PAT_DEFAULT, 0x0007040600070403ull, GST, 0, "26.3.1.1"),
	VC_F("guest EFER reserved", BOTH, NULL, GUEST_IA32_EFER, 0xd01, 0xd81, GST, 0, "26.3.1.1"),
	VC_F("guest EFER.LMA = IA-32e mode guest", BOTH, NULL, GUEST_IA32_EFER, 0xd01, 0x901, GST, 0, "26.3.1.1"),
	VC_F("guest EFER.LME = LMA with paging", BOTH, NULL, GUEST_IA32_EFER, 0xd01, 0xc01, GST, 0, "26.3.1.1"),
	/* 26.3.1.2 guest segment registers */
	VC_F("TR TI", BOTH, NULL, GUEST_TR_SELECTOR, 0x40, 0x44, GST, 0, "26.3.1.2"),
	VC_F("SS.RPL = CS.RPL without unrestricted guest", BOTH, s_no_ug, GUEST_SS_SELECTOR, 0x18, 0x1b, GST, 0, "26.3.1.2"),
	VC_F("CS base bits 63:32", BOTH, NULL, GUEST_CS_BASE, 0xfffff000ull, 0x100000000ull, GST, 0, "26.3.1.2"),
	VC_F("FS base canonical", BOTH, NULL, GUEST_FS_BASE, 0xffff800000000000ull, NONCANON, GST, 0, "26.3.1.2"),
	VC_F("CS type", BOTH, NULL, GUEST_CS_AR, 0xa09b, 0xa091, GST, 0, "26.3.1.2"),
	VC_F("SS type", BOTH, NULL, GUEST_SS_AR, 0xc097, 0xc091, GST, 0, "26.3.1.2"),
	VC_F("DS accessed bit", BOTH, NULL, GUEST_DS_AR, 0xc093, 0xc092, GST, 0, "26.3.1.2"),
	VC_F("DS code segment readable", BOTH, NULL, GUEST_DS_AR, 0xc09b, 0xc099, GST, 0, "26.3.1.2"),
	VC_FN("CS.DPL = SS.DPL for type 11 (Bochs deviation)", BOTH, NULL, g_cs_rpl3, b_cs_dpl3, GST, 0, "26.3.1.2"),
	VC_F("conforming CS.DPL <= SS.DPL", BOTH, NULL, GUEST_CS_AR, 0xa09f, 0xa0ff, GST, 0, "26.3.1.2"),
	VC_F("DS DPL >= RPL up to type 11 (Bochs deviation)", BOTH, s_no_ug, GUEST_DS_SELECTOR, 0x18, 0x1b, GST, 0, "26.3.1.2"),
	VC_F("CS S bit", BOTH, NULL, GUEST_CS_AR, 0xa09b, 0xa08b, GST, 0, "26.3.1.2"),
	VC_F("DS P bit", BOTH, NULL, GUEST_DS_AR, 0xc093, 0xc013, GST, 0, "26.3.1.2"),
	VC_F("DS AR bits 11:8", BOTH, NULL, GUEST_DS_AR, 0xc093, 0xc193, GST, 0, "26.3.1.2"),
	VC_F("CS L and D/B", BOTH, NULL, GUEST_CS_AR, 0xa09b, 0xe09b, GST, 0, "26.3.1.2"),
	VC_F("DS limit vs G", BOTH, NULL, GUEST_DS_LIMIT, 0xffffffff, 0xfffffffe, GST, 0, "26.3.1.2"),
	VC_F("DS AR bits 31:17", BOTH, NULL, GUEST_DS_AR, 0xc093, 0x2c093, GST, 0, "26.3.1.2"),
	VC_F("TR type in IA-32e mode", BOTH, NULL, GUEST_TR_AR, 0x8b, 0x83, GST, 0, "26.3.1.2"),
	VC_F("TR usable", BOTH, NULL, GUEST_TR_AR, 0x8b, 0x1008b, GST, 0, "26.3.1.2"),
	VC_F("LDTR TI when usable", BOTH, s_ldtr_usable, GUEST_LDTR_SELECTOR, 0x08, 0x0c, GST, 0, "26.3.1.2"),
	VC_F("CR4.PCIDE needs IA-32e mode guest", BOTH, s_pae, GUEST_CR4, 0x2620, 0x22620, GST, 0, "26.3.1.1"),
	VC_F("LDTR type when usable", BOTH, NULL, GUEST_LDTR_AR, 0x82, 0x83, GST, 0, "26.3.1.2"),
	/* 26.3.1.3 descriptor-table registers */
	VC_F("GDTR base canonical", BOTH, NULL, GUEST_GDTR_BASE, 0xffff800000000000ull, NONCANON, GST, 0, "26.3.1.3"),
	VC_F("IDTR limit bits 31:16", BOTH, NULL, GUEST_IDTR_LIMIT, 0xffff, 0x10000, GST, 0, "26.3.1.3"),
	/* 26.3.1.4 RIP and RFLAGS */
	VC_F("RIP canonical in 64-bit mode", BOTH, NULL, GUEST_RIP, 0x00007ffffffff000ull, NONCANON, GST, 0, "26.3.1.4"),
	VC_F("RFLAGS reserved bit 3", BOTH, NULL, GUEST_RFLAGS, 0x202, 0x20a, GST, 0, "26.3.1.4"),
	VC_F("RFLAGS bit 1", BOTH, NULL, GUEST_RFLAGS, 0x202, 0x200, GST, 0, "26.3.1.4"),
	/* RFLAGS.VM also makes 26.3.1.2 check the segments as virtual-8086
	 * ones, which comes first in the SDM's list. */
	VC_F("RFLAGS.VM in IA-32e mode", BOTH, NULL, GUEST_RFLAGS, 0x202, 0x20202, GST, 0, "26.3.1.2"),
	VC_F("RFLAGS.IF for external interrupts", BOTH, s_inj_ext, GUEST_RFLAGS, 0x202, 0x2, GST, 0, "26.3.1.4"),
	/* 26.3.1.5 guest non-register state */
	VC_F("activity state 0-3", BOTH, NULL, GUEST_ACTIVITY_STATE, 3, 4, GST, 0, "26.3.1.5"),
	VC_FN("HLT needs SS.DPL 0", BOTH, s_dpl3, g_active, b_hlt, GST, 0, "26.3.1.5"),
	VC_F("HLT with blocking by STI", BOTH, s_hlt, GUEST_INTERRUPTIBILITY, 0, INTR_BLOCK_STI, GST, 0, "26.3.1.5"),
	VC_F("injection allowed in HLT", BOTH, s_hlt, ENTRY_INTR_INFO, 0x80000301, 0x80000306, GST, 0, "26.3.1.5"),
	/* Shutdown: NMI and #MC only -- not any event with vector 18 (Bochs
	 * 2.7 lets those through, docs/bochs-deviations.md #7). */
	VC_F("injection allowed in shutdown", BOTH, s_shutdown, ENTRY_INTR_INFO, 0x80000312, 0x80000012, GST, 0, "26.3.1.5"),
	VC_F("activity state supported (IA32_VMX_MISC)", BOTH, s_no_shutdown_state, GUEST_ACTIVITY_STATE, 1, 2, GST, 0, "26.3.1.5"),
	VC_F("no injection in wait-for-SIPI", BOTH, s_sipi, ENTRY_INTR_INFO, 0, 0x80000202, GST, 0, "26.3.1.5"),
	VC_F("interruptibility reserved bits", BOTH, NULL, GUEST_INTERRUPTIBILITY, INTR_BLOCK_NMI, 0x20, GST, 0, "26.3.1.5"),
	VC_F("STI and MOV SS blocking", BOTH, NULL, GUEST_INTERRUPTIBILITY, INTR_BLOCK_MOV_SS, 3, GST, 0, "26.3.1.5"),
	VC_F("STI blocking needs IF", BOTH, s_if0, GUEST_INTERRUPTIBILITY, INTR_BLOCK_MOV_SS, INTR_BLOCK_STI, GST, 0, "26.3.1.5"),
	VC_F("external interrupt under STI blocking", BOTH, s_inj_ext, GUEST_INTERRUPTIBILITY, INTR_BLOCK_NMI, INTR_BLOCK_STI, GST, 0, "26.3.1.5"),
	VC_F("NMI under MOV-SS blocking", BOTH, s_inj_nmi, GUEST_INTERRUPTIBILITY, INTR_BLOCK_STI, INTR_BLOCK_MOV_SS, GST, 0, "26.3.1.5"),
	VC_F("SMI blocking outside SMM", BOTH, NULL, GUEST_INTERRUPTIBILITY, 0, INTR_BLOCK_SMI, GST, 0, "26.3.1.5"),
	VC_F("NMI blocking with virtual NMIs and NMI injection", BOTH, s_inj_nmi, GUEST_INTERRUPTIBILITY, 0, INTR_BLOCK_NMI, GST, 0, "26.3.1.5"),
	VC_F("enclave interruption without SGX", BOTH, NULL, GUEST_INTERRUPTIBILITY, 0, INTR_ENCLAVE, GST, 0, "26.3.1.5"),
	VC_FN("NMI under STI blocking, strict model: qual 3", BOTH, s_nmi_sti, g_lenient, b_strict, GST, 3, "26.3.1.5"),
	VC_F("pending debug reserved bits", BOTH, NULL, GUEST_PENDING_DBG_EXCEPTIONS, 0x100f, 0x10, GST, 0, "26.3.1.5"),
	VC_F("BS with STI blocking and TF = 0", BOTH, s_sti, GUEST_PENDING_DBG_EXCEPTIONS, 0x1, 0x4000, GST, 0, "26.3.1.5"),
	VC_F("BS missing with STI blocking and TF = 1", BOTH, s_sti_tf, GUEST_PENDING_DBG_EXCEPTIONS, 0x4000, 0, GST, 0, "26.3.1.5"),
	VC_F("BS with BTF = 1", BOTH, s_sti_tf_btf, GUEST_PENDING_DBG_EXCEPTIONS, 0, 0x4000, GST, 0, "26.3.1.5"),
	VC_FN("pending RTM needs RTM support", BOTH, s_rtm_pde, g_rtm, b_no_rtm, GST, 0, "26.3.1.5"),
	VC_F("link pointer aligned: qual 4", BOTH, NULL, VMCS_LINK_POINTER, LINK_PAGE, LINK_PAGE + 8, GST, 4, "26.3.1.5"),
	VC_F("link pointer in MAXPHYADDR: qual 4", BOTH, NULL, VMCS_LINK_POINTER, ~0ull, 0x10000000000ull, GST, 4, "26.3.1.5"),
	VC_F("link pointer not the current VMCS: qual 4", BOTH, s_cur_vmcs, VMCS_LINK_POINTER, ~0ull, LINK_PAGE, GST, 4, "26.3.1.5"),
	VC_F("link pointer unreadable", BOTH, NULL, VMCS_LINK_POINTER, LINK_PAGE, 0x22000, UND, 0, "26.3.1.5"),
	/* 26.3.1.6 PDPTEs */
	VC_F("PDPTE field with EPT: qual 2", BOTH, s_pae, GUEST_PDPTE2, 0x31001, 0x31003, GST, 2, "26.3.1.6"),
	VC_F("PDPTE field beyond MAXPHYADDR: qual 2", BOTH, s_pae, GUEST_PDPTE0, 0xfffffff001ull, 0x10000000001ull, GST, 2, "26.3.1.6"),
	VC_FN("PDPTE in memory without EPT: qual 2", BOTH, s_pae_no_ept, g_pdpte_mem, b_pdpte_mem, GST, 2, "26.3.1.6"),
	VC_FN("PDPTEs unreadable", BOTH, s_pae_no_ept, g_pdpte_mem, b_pdpt_unmapped, UND, 0, "26.3.1.6"),
	/* 26.4 MSR loading: qualification = 1-based index */
	VC_FN("MSR-load IA32_FS_BASE: index 2", BOTH, s_msr3, g_msr_kgs, b_msr_fs, MSRL, 2, "26.4"),
	VC_FN("MSR-load IA32_GS_BASE: index 3", BOTH, s_msr3, g_msr_kgs, b_msr_gs, MSRL, 3, "26.4"),
	VC_FN("MSR-load x2APIC MSR: index 1", BOTH, s_msr3, g_msr_7ff, b_msr_x2apic, MSRL, 1, "26.4"),
	VC_FN("MSR-load SMM_MONITOR_CTL outside SMM", BOTH, s_msr3, g_msr_9c, b_msr_smm, MSRL, 2, "26.4"),
	VC_FN("MSR-load bits 63:32", BOTH, s_msr3, g_msr_kgs, b_msr_hi, MSRL, 3, "26.4"),
	VC_FN("MSR-load WRMSR would #GP", BOTH, s_msr3, g_msr_kgs, b_msr_gp, MSRL, 3, "26.4"),
	VC_FN("MSR-load loadability unknown", BOTH, s_msr3, g_msr_kgs, b_msr_unknown, UND, 2, "26.4"),
	VC_FN("MSR-load entry unreadable", BOTH, NULL, g_msr_last_page, b_msr_unreadable, UND, 2, "26.4"),
	VC_FN("guest state before MSR loading", BOTH, s_msr3, g_msr_kgs, b_msr_and_guest, GST, 0, "26.3.1.4"),
};

static const char *outcome_name(enum entry_outcome o)
{
	static const char *const names[] = { "PASS", "FAIL_CONTROLS", "FAIL_HOST", "FAIL_GUEST",
					     "FAIL_MSR_LOAD", "UNDECIDED" };

	return (unsigned)o < ARRAY_SIZE(names) ? names[o] : "?";
}

static void expect_verdict(const struct vcase *c, const char *model, const char *which, struct fx *f,
			   enum entry_outcome outcome, uint32_t qual, const char *section)
{
	struct entry_verdict vd;

	vmx_entry_verdict(&f->v, &f->env, &vd);
	if (vd.outcome != outcome || vd.qual != qual ||
	    (section && (!vd.first.section || strcmp(vd.first.section, section)))) {
		entry_finding_format(&vd.first, print_line, NULL);
		fail_msg("%s [%s, %s]: got %s qual %u (SDM %s), want %s qual %u (SDM %s)", c->name, model,
			 which, outcome_name(vd.outcome), vd.qual, vd.first.section ? vd.first.section : "-",
			 outcome_name(outcome), qual, section ? section : "-");
	}
}

static void apply(const struct vcase *c, struct fx *f, bool bad)
{
	uint64_t val = bad ? c->bad : c->good;

	if (!c->good_fn) { /* a field row (VPID's encoding is 0) */
		if (c->or_base)
			val |= get_field(&f->v, c->field);
		set_field(&f->v, c->field, val);
	} else {
		(bad ? c->bad_fn : c->good_fn)(f);
	}
}

static void run_case(const struct vcase *c, unsigned model)
{
	const char *mname = model == SKL ? "skylake" : "sandy bridge";
	struct fx *f;

	f = vbase(model);
	if (c->setup)
		c->setup(f);
	apply(c, f, false);
	expect_verdict(c, mname, "neighbour", f, ENTRY_PASS, 0, NULL);

	f = vbase(model);
	if (c->setup)
		c->setup(f);
	apply(c, f, true);
	expect_verdict(c, mname, "failing", f, c->outcome, c->qual, c->section);
}

static void test_verdict_baselines(void **s)
{
	struct fx *f;
	struct entry_verdict vd;

	(void)s;
	for (unsigned m = SKL; m <= SNB; m++) {
		f = vbase(m);
		vmx_entry_verdict(&f->v, &f->env, &vd);
		assert_int_equal(vd.outcome, ENTRY_PASS);
		assert_int_equal(vd.qual, 0);
		assert_null(vd.first.section);
		/* The baselines differ where the models do. */
		f->v.SECONDARY_PROC_CONTROLS |= PROC2_VMCS_SHADOWING;
		f->v.VMREAD_BITMAP = 0x1a000;
		f->v.VMWRITE_BITMAP = 0x1b000;
		vmx_entry_verdict(&f->v, &f->env, &vd);
		assert_int_equal(vd.outcome, m == SKL ? ENTRY_PASS : ENTRY_FAIL_CONTROLS);
	}
}

static void test_verdict_table(void **s)
{
	unsigned runs = 0;

	(void)s;
	for (size_t i = 0; i < ARRAY_SIZE(vcases); i++)
		for (unsigned m = SKL; m <= SNB; m <<= 1)
			if (vcases[i].models & m) {
				run_case(&vcases[i], m);
				runs++;
			}
	assert_true(runs + 20 >= 2 * ARRAY_SIZE(vcases));
}

/* 26.4: entries are loaded in order and the first bad one stops loading:
 * msr_load_ok sees the entries before it and no entry after it, and is
 * never asked when an earlier check failed. */
static void test_verdict_msr_load_order(void **s)
{
	struct fx *f = vbase(SKL);
	struct entry_verdict vd;

	(void)s;
	s_msr3(f);
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_PASS);
	assert_int_equal(oracle.calls, 3);

	f = vbase(SKL);
	s_msr3(f);
	msr_entry(f, 1, 0x277, 0, MSR_VAL_BAD);
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_FAIL_MSR_LOAD);
	assert_int_equal(vd.qual, 2);
	assert_int_equal(oracle.calls, 2);

	f = vbase(SKL);
	s_msr3(f);
	f->v.HOST_TR_SELECTOR = 0;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_FAIL_HOST);
	assert_int_equal(oracle.calls, 0);

	/* No msr_load_ok: architecturally valid entries are assumed loadable. */
	f = vbase(SKL);
	s_msr3(f);
	msr_entry(f, 1, 0x277, 0, MSR_VAL_BAD);
	f->env.msr_load_ok = NULL;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_PASS);
}

/* The SDM's order decides between classes: controls before host state
 * before guest state (26.2 then 26.3); the first finding is the verdict's. */
static void test_verdict_class_order(void **s)
{
	struct fx *f = vbase(SNB);
	struct entry_verdict vd;
	struct entry_finding out[4];

	(void)s;
	f->v.GUEST_RFLAGS = 0x200;
	f->v.HOST_TR_SELECTOR = 0;
	f->v.VPID = 0;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_FAIL_CONTROLS);
	assert_int_equal(vmx_entry_check(&f->v, &f->env, out, 4), 3);
	assert_ptr_equal(vd.first.rule, out[0].rule);
	f->v.VPID = 1;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_FAIL_HOST);
	f->v.HOST_TR_SELECTOR = 0x28;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_FAIL_GUEST);
	assert_int_equal(vd.qual, 0);
	/* A link-pointer failure (qual 4) after an earlier guest failure
	 * (qual 0) in the SDM's list: the earlier one decides. */
	f->v.VMCS_LINK_POINTER = LINK_PAGE + 8;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.qual, 0);
	f->v.GUEST_RFLAGS = 0x202;
	vmx_entry_verdict(&f->v, &f->env, &vd);
	assert_int_equal(vd.qual, 4);
}

static void test_verdict_null(void **s)
{
	struct fx *f = vbase(SKL);
	struct entry_check_env env = f->env;
	struct entry_verdict vd;

	(void)s;
	vmx_entry_verdict(NULL, &f->env, &vd);
	assert_int_equal(vd.outcome, ENTRY_UNDECIDED);
	vmx_entry_verdict(&f->v, NULL, &vd);
	assert_int_equal(vd.outcome, ENTRY_UNDECIDED);
	env.caps = NULL;
	vmx_entry_verdict(&f->v, &env, &vd);
	assert_int_equal(vd.outcome, ENTRY_UNDECIDED);
	vmx_entry_verdict(&f->v, &f->env, NULL); /* no crash */
	assert_string_equal(entry_outcome_name(ENTRY_PASS), "pass");
	assert_string_equal(entry_outcome_name(ENTRY_FAIL_CONTROLS), "VMfailValid 7 (controls)");
	assert_string_equal(entry_outcome_name(ENTRY_FAIL_HOST), "VMfailValid 8 (host state)");
	assert_string_equal(entry_outcome_name(ENTRY_FAIL_GUEST), "exit reason 33 (guest state)");
	assert_string_equal(entry_outcome_name(ENTRY_FAIL_MSR_LOAD), "exit reason 34 (MSR loading)");
	assert_string_equal(entry_outcome_name(ENTRY_UNDECIDED), "undecided");
	assert_string_equal(entry_check_class_name(ENTRY_CHECK_MSR_LOAD), "MSR loading");
	assert_string_equal(entry_check_class_name(ENTRY_CHECK_UNDECIDED), "undecided");
}

static void test_reserved_mask_helpers(void **s)
{
	(void)s;
	assert_int_equal(debugctl_rsvd(true), ~0xffc3ull);
	assert_int_equal(debugctl_rsvd(false), ~0x7fc3ull);
	assert_int_equal(perf_global_ctrl_rsvd(4, 3), ~0x70000000full);
	assert_int_equal(perf_global_ctrl_rsvd(8, 3), ~0x7000000ffull);
	assert_int_equal(perf_global_ctrl_rsvd(0, 0), ~0ull);
	assert_int_equal(perf_global_ctrl_rsvd(32, 32), 0);
	assert_int_equal(perf_global_ctrl_rsvd(99, 99), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_long_mode),
		cmocka_unit_test(test_valid_prot_mode),
		cmocka_unit_test(test_valid_host32),
		cmocka_unit_test(test_valid_v86),
		cmocka_unit_test(test_valid_variations),
		cmocka_unit_test(test_pin_allowed0),
		cmocka_unit_test(test_pin_allowed1),
		cmocka_unit_test(test_proc_allowed1_mtf),
		cmocka_unit_test(test_proc_non_true_msr),
		cmocka_unit_test(test_proc2_allowed1),
		cmocka_unit_test(test_proc3_allowed1),
		cmocka_unit_test(test_cr3_target_count),
		cmocka_unit_test(test_io_bitmap_a_unaligned),
		cmocka_unit_test(test_io_bitmap_b_beyond_maxphyaddr),
		cmocka_unit_test(test_msr_bitmap_unaligned),
		cmocka_unit_test(test_virtual_apic_unaligned),
		cmocka_unit_test(test_tpr_threshold_high_bits),
		cmocka_unit_test(test_tpr_threshold_vs_vtpr),
		cmocka_unit_test(test_x2apic_without_tpr_shadow),
		cmocka_unit_test(test_apic_reg_virt_without_tpr_shadow),
		cmocka_unit_test(test_vid_without_tpr_shadow),
		cmocka_unit_test(test_virtual_nmis_without_nmi_exiting),
		cmocka_unit_test(test_nmi_window_without_virtual_nmis),
		cmocka_unit_test(test_apic_access_address),
		cmocka_unit_test(test_x2apic_and_apic_accesses),
		cmocka_unit_test(test_vid_without_external_interrupt_exiting),
		cmocka_unit_test(test_posted_interrupts),
		cmocka_unit_test(test_vpid_zero),
		cmocka_unit_test(test_eptp_memory_type),
		cmocka_unit_test(test_eptp_walk_length),
		cmocka_unit_test(test_eptp_ad_unsupported),
		cmocka_unit_test(test_eptp_reserved),
		cmocka_unit_test(test_pml_requires_ept),
		cmocka_unit_test(test_pml_address),
		cmocka_unit_test(test_unrestricted_guest_requires_ept),
		cmocka_unit_test(test_vm_functions),
		cmocka_unit_test(test_vmcs_shadowing_bitmaps),
		cmocka_unit_test(test_ve_info_address),
		cmocka_unit_test(test_pt_guest_physical),
		cmocka_unit_test(test_exit_allowed1),
		cmocka_unit_test(test_save_preemption_timer),
		cmocka_unit_test(test_exit_msr_store_unaligned),
		cmocka_unit_test(test_exit_msr_load_last_byte),
		cmocka_unit_test(test_entry_allowed0),
		cmocka_unit_test(test_inject_type_reserved),
		cmocka_unit_test(test_inject_other_event_without_mtf),
		cmocka_unit_test(test_inject_nmi_vector),
		cmocka_unit_test(test_inject_hw_exception_vector),
		cmocka_unit_test(test_inject_error_code_consistency),
		cmocka_unit_test(test_inject_error_code_real_mode),
		cmocka_unit_test(test_inject_reserved_bits),
		cmocka_unit_test(test_inject_error_code_high_bits),
		cmocka_unit_test(test_inject_instruction_length),
		cmocka_unit_test(test_deactivate_dual_monitor_outside_smm),
		cmocka_unit_test(test_entry_msr_load_unaligned),
		cmocka_unit_test(test_host_cr0_fixed),
		cmocka_unit_test(test_host_cr4_fixed),
		cmocka_unit_test(test_host_cr3_beyond_maxphyaddr),
		cmocka_unit_test(test_host_cet_requires_wp),
		cmocka_unit_test(test_host_sysenter_eip),
		cmocka_unit_test(test_host_perf_global_ctrl),
		cmocka_unit_test(test_host_pat),
		cmocka_unit_test(test_host_efer),
		cmocka_unit_test(test_host_selector_rpl),
		cmocka_unit_test(test_host_cs_tr_zero),
		cmocka_unit_test(test_host_ss_zero),
		cmocka_unit_test(test_host_base_canonical),
		cmocka_unit_test(test_addr_size_host_not_lma),
		cmocka_unit_test(test_addr_size_lma_needs_hass),
		cmocka_unit_test(test_addr_size_host32),
		cmocka_unit_test(test_addr_size_host64),
		cmocka_unit_test(test_guest_cr0_fixed),
		cmocka_unit_test(test_guest_cr0_pg_needs_unrestricted),
		cmocka_unit_test(test_guest_pg_without_pe),
		cmocka_unit_test(test_guest_cr4_fixed),
		cmocka_unit_test(test_guest_cet_requires_wp),
		cmocka_unit_test(test_guest_debugctl),
		cmocka_unit_test(test_guest_ia32e_needs_pg),
		cmocka_unit_test(test_guest_ia32e_needs_pae),
		cmocka_unit_test(test_guest_pcide_without_ia32e),
		cmocka_unit_test(test_guest_cr3_dr7),
		cmocka_unit_test(test_guest_sysenter_esp),
		cmocka_unit_test(test_guest_perf_global_ctrl),
		cmocka_unit_test(test_guest_pat),
		cmocka_unit_test(test_guest_efer),
		cmocka_unit_test(test_guest_bndcfgs),
		cmocka_unit_test(test_seg_tr_ti),
		cmocka_unit_test(test_seg_ldtr_ti),
		cmocka_unit_test(test_seg_ss_rpl_vs_cs_rpl),
		cmocka_unit_test(test_seg_v86),
		cmocka_unit_test(test_seg_base_high_bits),
		cmocka_unit_test(test_seg_base_canonical),
		cmocka_unit_test(test_seg_cs_type),
		cmocka_unit_test(test_seg_ss_type),
		cmocka_unit_test(test_seg_data_types),
		cmocka_unit_test(test_seg_s_bit),
		cmocka_unit_test(test_seg_cs_dpl),
		cmocka_unit_test(test_seg_ss_dpl),
		cmocka_unit_test(test_seg_data_dpl_vs_rpl),
		cmocka_unit_test(test_seg_present),
		cmocka_unit_test(test_seg_reserved_ar_bits),
		cmocka_unit_test(test_seg_cs_l_and_db),
		cmocka_unit_test(test_seg_granularity),
		cmocka_unit_test(test_seg_tr),
		cmocka_unit_test(test_seg_tr_checked_in_v86),
		cmocka_unit_test(test_seg_ldtr),
		cmocka_unit_test(test_dtrs),
		cmocka_unit_test(test_rip),
		cmocka_unit_test(test_rflags),
		cmocka_unit_test(test_activity_state),
		cmocka_unit_test(test_activity_hlt_needs_cpl0),
		cmocka_unit_test(test_activity_with_sti_blocking),
		cmocka_unit_test(test_activity_blocks_injection),
		cmocka_unit_test(test_interruptibility),
		cmocka_unit_test(test_entry_to_smm),
		cmocka_unit_test(test_pending_debug_exceptions),
		cmocka_unit_test(test_vmcs_link_pointer),
		cmocka_unit_test(test_vmcs_link_revision),
		cmocka_unit_test(test_pdptes_with_ept),
		cmocka_unit_test(test_pdptes_in_memory_without_ept),
		cmocka_unit_test(test_sdm_order_and_classes),
		cmocka_unit_test(test_max_limits_stores),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_verdict_baselines),
		cmocka_unit_test(test_verdict_table),
		cmocka_unit_test(test_verdict_msr_load_order),
		cmocka_unit_test(test_verdict_class_order),
		cmocka_unit_test(test_verdict_null),
		cmocka_unit_test(test_reserved_mask_helpers),
	};

	return cmocka_run_group_tests_name("entry_checks", tests, NULL, NULL);
}
