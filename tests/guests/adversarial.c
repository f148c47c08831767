/* The adversarial suite: a guest that attacks Nestor where a hostile kernel
 * would, and checks each answer against what the SDM says a CPU does. Each
 * test names the SDM rule it expects; on bare Bochs (no Nestor) the same
 * tests describe the CPU.
 *
 * Options (besides the runtime's):
 *   stop_sti_xapic   only: STI, then a store to the xAPIC TPR in the STI
 *                    shadow (Nestor must stop the guest, naming the xAPIC
 *                    page, on a CPU without the monitor trap flag)
 *   stop_outw_exit   only: OUTW of 0x2a55 to port 0xf3, whose high byte
 *                    lands on the exit port 0xf4: the guest must exit with
 *                    status 0x2a (port 0xf3 gets 0x55)
 *   stop_stuck_step  only: retry a store that straddles from Nestor's
 *                    memory into a not-present page 20 times; Nestor must
 *                    stop the guest rather than step it forever
 * The x2APIC tests switch the APIC to x2APIC mode (there is no way back
 * without disabling it, which Bochs cannot undo): they run last. */
#include "arch/x86/regs.h"
#include "tests/guests/rt/rt.h"

#include "lib/format.h"
#include "lib/string.h"

const char guest_name[] = "adversarial";
const char *const guest_options[] = {
	"stop_sti_xapic", "stop_outw_exit", "stop_stuck_step", NULL,
};

#define MIB (1UL << 20)
#define PAGE 4096UL

/* SDM Vol. 3C, Appendix C. */
#define EXIT_REASON_RDMSR 31
#define EXIT_REASON_WRMSR 32

/* Local APIC (SDM Vol. 3A 11.4.1 Table 11-1, 11.6.1, 11.12). */
#define XAPIC_ID_REG 0x20
#define XAPIC_TPR 0x80
#define XAPIC_ICR_LO 0x300
#define XAPIC_ICR_HI 0x310
#define ICR_DM_NMI (4U << 8)
#define ICR_ASSERT (1U << 14)
#define ICR_ALL_INCL_SELF (2U << 18)
#define X2APIC_ICR_MSR 0x830
#define CPUID_1_ECX_X2APIC_BIT (1U << 21)

/* MTRRs (SDM Vol. 3A 11.11). */
#define MTRRCAP 0xfe
#define MTRR_PHYSBASE(n) (0x200 + 2 * (n))
#define MTRR_PHYSMASK(n) (0x201 + 2 * (n))

#define DR6_BS (1ULL << 14)
#define DR6_B0 (1ULL << 0)
#define DR6_INIT 0xffff0ff0ULL
#define RFLAGS_TF_BIT (1ULL << 8)

/* ------------------------------------------------------------------------
 * Helpers */

static uint64_t region_end(const struct mem_region *r)
{
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

/* Nestor's memory as the guest can find it: a reserved range of at least
 * two pages above 1 MiB and below 4 GiB that reads as all ones (README,
 * "Memory"; Nestor lives at the top of RAM). 0 if there is none. */
static uint64_t nestor_pages(void)
{
	const struct rt_boot_info *b = rt_boot();

	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];
		uint64_t a = ALIGN_UP(r->base, PAGE);

		if (r->type != MEM_RESERVED || r->base < MIB ||
		    region_end(r) > RT_IDENTITY_LIMIT || a + 2 * PAGE > region_end(r))
			continue;
		if (*(volatile uint64_t *)a == ~0ULL &&
		    *(volatile uint64_t *)(a + PAGE) == ~0ULL)
			return a;
	}
	return 0;
}

static uint64_t nestor_page_or_fail(void)
{
	uint64_t p = nestor_pages();

	if (!p)
		rt_fail("no reserved, all-ones range of two pages found (Nestor's memory)");
	return p;
}

static bool all_ones(uint64_t a, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += 8)
		if (*(volatile uint64_t *)(a + off) != ~0ULL)
			return false;
	return true;
}

static uint64_t read_dr6(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void write_dr6(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%dr6" ::"r"(v));
}

static void write_dr0(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%dr0" ::"r"(v));
}

static void write_dr7(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%dr7" ::"r"(v));
}

static uint64_t apic_base(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR;
}

static volatile uint32_t *xapic_reg(unsigned reg)
{
	return (volatile uint32_t *)(apic_base() + reg);
}

static bool map_apic_uncached(void)
{
	return rt_identity_4k(apic_base(), PTE_P | PTE_RW | PTE_PCD | PTE_PWT);
}

/* adv_tf_store(addr, value): sets RFLAGS.TF with POPF, so the single-step
 * trap comes after the next instruction (SDM Vol. 3A 17.3.1.4), stores
 * value to addr (8 bytes), clears TF. The #DB must report
 * adv_tf_store_after as its RIP. adv_store(addr, value): the store alone,
 * at adv_store_insn. */
void adv_tf_store(uint64_t addr, uint64_t value);
void adv_store(uint64_t addr, uint64_t value);
void adv_tf_nop(void);
extern const char adv_tf_store_after[], adv_store_insn[], adv_tf_nop_after[];
__asm__(".text\n"
	".global adv_tf_store\n"
	"adv_tf_store:\n\t"
	"pushfq\n\t"
	"orq $0x100, (%rsp)\n\t"
	"popfq\n\t"
	"movq %rsi, (%rdi)\n"
	".global adv_tf_store_after\n"
	"adv_tf_store_after:\n\t"
	"pushfq\n\t"
	"andq $~0x100, (%rsp)\n\t"
	"popfq\n\t"
	"ret\n"
	".global adv_store\n"
	"adv_store:\n"
	".global adv_store_insn\n"
	"adv_store_insn:\n\t"
	"movq %rsi, (%rdi)\n\t"
	"ret\n"
	".global adv_tf_nop\n"
	"adv_tf_nop:\n\t"
	"pushfq\n\t"
	"orq $0x100, (%rsp)\n\t"
	"popfq\n\t"
	"nop\n"
	".global adv_tf_nop_after\n"
	"adv_tf_nop_after:\n\t"
	"pushfq\n\t"
	"andq $~0x100, (%rsp)\n\t"
	"popfq\n\t"
	"ret\n");

struct store_op {
	uint64_t addr, value;
};

static void do_tf_store(void *arg)
{
	struct store_op *s = arg;

	adv_tf_store(s->addr, s->value);
}

static void do_store(void *arg)
{
	struct store_op *s = arg;

	adv_store(s->addr, s->value);
}

static void do_tf_nop(void *arg)
{
	(void)arg;
	adv_tf_nop();
}

/* One #DB right after the single-stepped instruction, with DR6 = want
 * among B0-B3 and BS. */
static void check_one_db_after(int vec, const struct rt_exception *e,
			       const char *after, uint64_t want, const char *what)
{
	uint64_t dr6 = read_dr6();

	if (!CHECK(vec == VEC_DB, "%s: %s (rip %#lx), expected #DB", what,
		   rt_vector_name(vec), e->rip))
		return;
	CHECK(e->rip == (uint64_t)after, "%s: #DB at rip %#lx, expected %#lx "
	      "(after the store: a single-step trap follows the instruction, "
	      "SDM Vol. 3A 17.3.1.4)", what, e->rip, (uint64_t)after);
	CHECK((dr6 & (DR6_BS | 0xf)) == want, "%s: DR6 %#lx, expected B0-B3|BS "
	      "= %#lx in one #DB (17.2.3)", what, dr6, want);
}

/* ------------------------------------------------------------------------
 * 1. x2APIC ICR in xAPIC mode: #GP(0) (SDM Vol. 3A 11.12.1) */

static void test_x2apic_icr_in_xapic_mode(void)
{
	struct rt_exception e;
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	int vec;

	if (base & APIC_BASE_EXTD) {
		rt_skip("the APIC is already in x2APIC mode");
		return;
	}
	/* A fixed IPI to self, vector 0xf0: harmless if it were sent. */
	vec = wrmsr_safe(X2APIC_ICR_MSR, (1U << 18) | 0xf0, &e);
	CHECK(vec == VEC_GP && e.error_code == 0,
	      "WRMSR x2APIC ICR in xAPIC mode: %s (error code %#lx), expected "
	      "#GP(0)", rt_vector_name(vec), e.error_code);
}

/* ------------------------------------------------------------------------
 * 5. An NMI to "all including self" reaches this CPU (11.6.1) */

static volatile unsigned nmis;

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

static unsigned wait_nmis(void)
{
	for (unsigned spin = 0; spin < 200000 && !nmis; spin++)
		__asm__ __volatile__("pause");
	return nmis;
}

static void test_nmi_all_including_self_xapic(void)
{
	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD) {
		rt_skip("the APIC is in x2APIC mode");
		return;
	}
	REQUIRE(map_apic_uncached(), "cannot map the APIC page uncached");
	nmis = 0;
	rt_set_irq_handler(VEC_NMI, nmi_handler);
	*xapic_reg(XAPIC_ICR_HI) = 0;
	*xapic_reg(XAPIC_ICR_LO) = ICR_ALL_INCL_SELF | ICR_DM_NMI | ICR_ASSERT;
	wait_nmis();
	rt_set_irq_handler(VEC_NMI, NULL);
	CHECK(nmis == 1, "NMI to all including self (xAPIC): %u NMI(s) "
	      "arrived, expected 1", nmis);
	CHECK(*xapic_reg(XAPIC_ICR_HI) == 0, "ICR_HIGH reads %#x after the "
	      "IPI, expected what the guest wrote (0)", *xapic_reg(XAPIC_ICR_HI));
}

/* ------------------------------------------------------------------------
 * 2-4. Writes to Nestor's memory and the xAPIC page */

/* 2: FXSAVE's 512 bytes from 0xf00 into a hidden page cross into the next
 * one: both writes are dropped, the instruction completes once. */
static void do_fxsave(void *arg)
{
	__asm__ __volatile__("clts\n\tfxsave64 (%0)" ::"r"(arg) : "memory");
}

static void test_fxsave_across_two_nestor_pages(void)
{
	uint64_t p = nestor_page_or_fail();
	struct rt_exception e;
	int vec;

	if (!p)
		return;
	vec = rt_catch(do_fxsave, (void *)(p + 0xf00), &e);
	CHECK(vec == RT_NO_EXCEPTION, "FXSAVE at %#lx: %s (rip %#lx)", p + 0xf00,
	      rt_vector_name(vec), e.rip);
	CHECK(all_ones(p, 2 * PAGE), "Nestor's pages at %#lx do not read all "
	      "ones after FXSAVE", p);
}

/* 3: the guest's own single-step over a dropped store. */
static void test_tf_over_dropped_store(void)
{
	uint64_t p = nestor_page_or_fail();
	struct store_op s = { p + 0x40, 0x1122334455667788ULL };
	struct rt_exception e;
	int vec;

	if (!p)
		return;
	write_dr6(DR6_INIT);
	vec = rt_catch(do_tf_store, &s, &e);
	check_one_db_after(vec, &e, adv_tf_store_after, DR6_BS,
			   "TF over a store to Nestor's memory");
	CHECK(all_ones(p, PAGE), "Nestor's page reads what the guest wrote");
}

/* 3: ... with a data breakpoint on the same store: one #DB, B0|BS. */
static void test_tf_and_data_breakpoint_over_dropped_store(void)
{
	uint64_t p = nestor_page_or_fail();
	struct store_op s = { p + 0x80, 0x55 };
	struct rt_exception e;
	int vec;

	if (!p)
		return;
	write_dr6(DR6_INIT);
	write_dr0(s.addr);
	/* L0, R/W0 = 01 (writes), LEN0 = 10 (8 bytes): Vol. 3A 17.2.4. */
	write_dr7((1ULL << 0) | (1ULL << 16) | (2ULL << 18) | (1ULL << 10));
	vec = rt_catch(do_tf_store, &s, &e);
	write_dr7(1ULL << 10);
	check_one_db_after(vec, &e, adv_tf_store_after, DR6_BS | DR6_B0,
			   "TF and a data breakpoint over a dropped store");
	CHECK(all_ones(p, PAGE), "Nestor's page reads what the guest wrote");
}

/* 3: the same over an xAPIC register write, which Nestor forwards. */
static void test_tf_over_xapic_store(void)
{
	struct store_op s = { 0, 0x20 };
	struct rt_exception e;
	uint32_t tpr;
	int vec;

	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD) {
		rt_skip("the APIC is in x2APIC mode");
		return;
	}
	REQUIRE(map_apic_uncached(), "cannot map the APIC page uncached");
	s.addr = (uint64_t)xapic_reg(XAPIC_TPR);
	write_dr6(DR6_INIT);
	vec = rt_catch(do_tf_store, &s, &e);
	tpr = *xapic_reg(XAPIC_TPR);
	*xapic_reg(XAPIC_TPR) = 0;
	check_one_db_after(vec, &e, adv_tf_store_after, DR6_BS,
			   "TF over a store to the xAPIC TPR");
	CHECK(tpr == 0x20, "TPR reads %#x after the stepped store, expected 0x20",
	      tpr);
}

/* A read-modify-write of an xAPIC register works on the register's value
 * (the write is stepped through the sink, which must start from it). */
static void test_xapic_read_modify_write(void)
{
	volatile uint32_t *tpr;
	uint32_t got;

	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD) {
		rt_skip("the APIC is in x2APIC mode");
		return;
	}
	REQUIRE(map_apic_uncached(), "cannot map the APIC page uncached");
	tpr = xapic_reg(XAPIC_TPR);
	*tpr = 0x30;
	__asm__ __volatile__("orl $0x01, (%0)" ::"r"(tpr) : "memory");
	got = *tpr;
	*tpr = 0;
	CHECK(got == 0x31, "TPR 0x30 OR 0x01 reads %#x, expected 0x31", got);
}

/* A data breakpoint that matches but is not enabled in DR7 (L0 = G0 = 0)
 * raises nothing (SDM Vol. 3A 17.2.4), also over a dropped store. */
static void test_disabled_breakpoint_over_dropped_store(void)
{
	uint64_t p = nestor_page_or_fail();
	struct store_op s = { p + 0xc0, 0x77 };
	struct rt_exception e;
	int vec;

	if (!p)
		return;
	write_dr0(s.addr);
	/* R/W0 = 01, LEN0 = 10, but neither L0 nor G0. */
	write_dr7((1ULL << 16) | (2ULL << 18) | (1ULL << 10));
	vec = rt_catch(do_store, &s, &e);
	write_dr7(1ULL << 10);
	CHECK(vec == RT_NO_EXCEPTION, "store under a disabled breakpoint: %s "
	      "(rip %#lx), expected none", rt_vector_name(vec), e.rip);
}

/* 4: a store that straddles from Nestor's page into a not-present page
 * faults (#PF, CR2 = the second page); the guest does not return to it.
 * Afterwards nothing of that step may linger: Nestor's page reads all ones
 * even after another store, and the guest's own single-step works. */
#define WINDOW 0xb0000000UL

static bool map_window(uint64_t nestor)
{
	return rt_map_4k(WINDOW, nestor | PTE_P | PTE_RW) &&
	       rt_map_4k(WINDOW + PAGE, 0);
}

static void unmap_window(void)
{
	rt_identity_4k(WINDOW, PTE_P | PTE_RW);
	rt_identity_4k(WINDOW + PAGE, PTE_P | PTE_RW);
}

static void test_straddle_into_not_present(void)
{
	uint64_t p = nestor_page_or_fail();
	struct store_op s = { WINDOW + PAGE - 4, 0x0123456789abcdefULL };
	struct store_op again;
	struct rt_exception e;
	int vec;

	if (!p)
		return;
	REQUIRE(map_window(p), "cannot map the test window at %#lx", WINDOW);
	vec = rt_catch(do_store, &s, &e);
	unmap_window();
	CHECK(vec == VEC_PF && e.cr2 == WINDOW + PAGE && e.error_code == PF_ERR_W &&
	      e.rip == (uint64_t)adv_store_insn,
	      "straddling store: %s, error code %#lx, CR2 %#lx, rip %#lx; "
	      "expected #PF(W) at CR2 %#lx, rip %#lx", rt_vector_name(vec),
	      e.error_code, e.cr2, e.rip, WINDOW + PAGE,
	      (uint64_t)adv_store_insn);
	/* Another store to Nestor's page: it must be dropped too. */
	again = (struct store_op){ p + 8, 0x5a5a5a5a5a5a5a5aULL };
	vec = rt_catch(do_store, &again, &e);
	CHECK(vec == RT_NO_EXCEPTION, "second store: %s", rt_vector_name(vec));
	CHECK(all_ones(p, PAGE), "Nestor's page at %#lx reads %#lx after a "
	      "store: the write sink is still mapped", p,
	      *(volatile uint64_t *)(p + 8));
	/* The guest's own single-step is delivered, not swallowed. */
	write_dr6(DR6_INIT);
	vec = rt_catch(do_tf_nop, NULL, &e);
	check_one_db_after(vec, &e, adv_tf_nop_after, DR6_BS,
			   "the guest's own single-step after the fault");
}

/* ------------------------------------------------------------------------
 * 6. Ports that only partly overlap Nestor's exit port 0xf4 */

static void test_in_partly_on_exit_port(void)
{
	uint32_t whole, bytes;

	__asm__ __volatile__("inl $0xf2, %0" : "=a"(whole));
	bytes = inb(0xf2) | (uint32_t)inb(0xf3) << 8 | 0xffu << 16 |
		(uint32_t)inb(0xf5) << 24;
	CHECK(whole == bytes, "IN EAX from 0xf2 read %#x; its bytes from ports "
	      "0xf2, 0xf3, (0xf4: all ones), 0xf5 read %#x", whole, bytes);
}

/* ------------------------------------------------------------------------
 * 6. The MTRRs are the guest's own copy (SDM Vol. 3A 11.11) */

static void test_mtrr_virtual(void)
{
	uint64_t cap, base0, mask0, b, m, rd0, wr0, rd1, wr1, nestor;
	struct rt_exception e;
	unsigned n, width = rt_maxphyaddr();
	uint64_t addr_mask = ((1ULL << width) - 1) & ~0xfffULL;
	int vec;

	if (!(cpuid(1, 0).edx & CPUID_1_EDX_MTRR)) {
		rt_skip("no MTRRs");
		return;
	}
	cap = rdmsr(MTRRCAP);
	if ((cap & 0xff) == 0) {
		rt_skip("no variable-range MTRRs");
		return;
	}
	n = (unsigned)(cap & 0xff) - 1;
	nestor = nestor_pages();
	REQUIRE(rdmsr_safe(MTRR_PHYSBASE(n), &base0, &e) == RT_NO_EXCEPTION &&
		rdmsr_safe(MTRR_PHYSMASK(n), &mask0, &e) == RT_NO_EXCEPTION,
		"reading variable range %u raised %s", n, rt_vector_name(e.vector));
	if (!exit_count(EXIT_REASON_RDMSR, &rd0) ||
	    !exit_count(EXIT_REASON_WRMSR, &wr0))
		return;
	/* Uncached over 2 MiB of Nestor's memory: the guest's copy only. */
	b = ALIGN_DOWN(nestor, 2 * MIB) | 0;
	m = (addr_mask & ~(2 * MIB - 1)) | (1ULL << 11);
	CHECK(wrmsr_safe(MTRR_PHYSBASE(n), b, &e) == RT_NO_EXCEPTION &&
	      wrmsr_safe(MTRR_PHYSMASK(n), m, &e) == RT_NO_EXCEPTION,
	      "WRMSR of range %u raised %s", n, rt_vector_name(e.vector));
	CHECK(rdmsr(MTRR_PHYSBASE(n)) == b && rdmsr(MTRR_PHYSMASK(n)) == m,
	      "range %u reads %#lx/%#lx, expected what was written %#lx/%#lx",
	      n, rdmsr(MTRR_PHYSBASE(n)), rdmsr(MTRR_PHYSMASK(n)), b, m);
	/* The CPU's checks (11.11.2.3, Table 11-8). */
	vec = wrmsr_safe(MTRR_PHYSBASE(n), b | 2, &e);
	CHECK(vec == VEC_GP, "PHYSBASE with memory type 2: %s, expected #GP",
	      rt_vector_name(vec));
	vec = wrmsr_safe(MTRR_PHYSBASE(n), b | 0x100, &e);
	CHECK(vec == VEC_GP, "PHYSBASE with bit 8 set: %s, expected #GP",
	      rt_vector_name(vec));
	vec = wrmsr_safe(MTRR_PHYSMASK(n), m | 1, &e);
	CHECK(vec == VEC_GP, "PHYSMASK with bit 0 set: %s, expected #GP",
	      rt_vector_name(vec));
	vec = wrmsr_safe(MTRRCAP, cap, &e);
	CHECK(vec == VEC_GP, "WRMSR IA32_MTRRCAP: %s, expected #GP",
	      rt_vector_name(vec));
	CHECK(rdmsr(MTRR_PHYSBASE(n)) == b, "range %u changed by a faulting "
	      "WRMSR", n);
	wrmsr_safe(MTRR_PHYSMASK(n), mask0, &e);
	wrmsr_safe(MTRR_PHYSBASE(n), base0, &e);
	if (!exit_count(EXIT_REASON_RDMSR, &rd1) ||
	    !exit_count(EXIT_REASON_WRMSR, &wr1))
		return;
	CHECK(rd1 - rd0 >= 3 && wr1 - wr0 >= 8, "MTRR accesses did not reach "
	      "Nestor (RDMSR exits +%lu, WRMSR exits +%lu): the guest wrote the "
	      "CPU's MTRRs", rd1 - rd0, wr1 - wr0);
}

/* ------------------------------------------------------------------------
 * x2APIC mode (last) */

static bool enter_x2apic(void)
{
	struct rt_exception e;
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC_BIT))
		return false;
	if (base & APIC_BASE_EXTD)
		return true;
	return wrmsr_safe(MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD,
			  &e) == RT_NO_EXCEPTION;
}

static void test_x2apic_nmi_all_including_self(void)
{
	struct rt_exception e;
	int vec;

	if (!enter_x2apic()) {
		rt_skip("no x2APIC");
		return;
	}
	nmis = 0;
	rt_set_irq_handler(VEC_NMI, nmi_handler);
	vec = wrmsr_safe(X2APIC_ICR_MSR, ICR_ALL_INCL_SELF | ICR_DM_NMI | ICR_ASSERT,
			 &e);
	wait_nmis();
	rt_set_irq_handler(VEC_NMI, NULL);
	CHECK(vec == RT_NO_EXCEPTION, "WRMSR x2APIC ICR: %s", rt_vector_name(vec));
	CHECK(nmis == 1, "NMI to all including self (x2APIC): %u NMI(s) "
	      "arrived, expected 1", nmis);
}

static void test_x2apic_icr_reserved_bits(void)
{
	/* Bit 12 (xAPIC's delivery status) is ignored in x2APIC mode on
	 * Intel's CPUs, not reserved: not in this list. */
	static const uint64_t bits[] = { 1ULL << 13, 1ULL << 16, 1ULL << 17,
					 1ULL << 20, 1ULL << 31 };
	struct rt_exception e;

	if (!enter_x2apic()) {
		rt_skip("no x2APIC");
		return;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(bits); i++) {
		int vec = wrmsr_safe(X2APIC_ICR_MSR, (1U << 18) | 0xf0 | bits[i], &e);

		CHECK(vec == VEC_GP && e.error_code == 0, "x2APIC ICR with "
		      "reserved bit %#lx: %s, expected #GP(0) (11.12.9)", bits[i],
		      rt_vector_name(vec));
	}
}

/* ------------------------------------------------------------------------
 * Runs that stop the guest on purpose */

static void stop_sti_xapic(void)
{
	REQUIRE(map_apic_uncached(), "cannot map the APIC page uncached");
	rt_printf("adversarial: STI; store to the xAPIC TPR in its shadow\n");
	__asm__ __volatile__("sti\n\tmovl $0, (%0)\n\tcli" ::"r"(xapic_reg(XAPIC_TPR))
			     : "memory");
	rt_printf("adversarial: the store in the STI shadow completed\n");
}

static void stop_outw_exit(void)
{
	rt_printf("adversarial: OUTW 0x2a55 to port 0xf3\n");
	__asm__ __volatile__("outw %0, $0xf3" ::"a"((uint16_t)0x2a55));
	rt_printf("adversarial: the OUTW to 0xf3 did not stop the guest\n");
}

static void stop_stuck_step(void)
{
	uint64_t p = nestor_page_or_fail();
	struct store_op s = { WINDOW + PAGE - 4, 1 };
	struct rt_exception e;

	if (!p || !map_window(p))
		return;
	for (unsigned i = 0; i < 20; i++)
		rt_catch(do_store, &s, &e);
	unmap_window();
	rt_printf("adversarial: 20 faulting stores at one RIP went on\n");
}

static const struct rt_test tests[] = {
	{ "x2apic_icr_in_xapic_mode", test_x2apic_icr_in_xapic_mode },
	{ "nmi_all_including_self_xapic", test_nmi_all_including_self_xapic },
	{ "fxsave_across_two_nestor_pages", test_fxsave_across_two_nestor_pages },
	{ "tf_over_dropped_store", test_tf_over_dropped_store },
	{ "tf_and_data_breakpoint_over_dropped_store",
	  test_tf_and_data_breakpoint_over_dropped_store },
	{ "tf_over_xapic_store", test_tf_over_xapic_store },
	{ "xapic_read_modify_write", test_xapic_read_modify_write },
	{ "disabled_breakpoint_over_dropped_store",
	  test_disabled_breakpoint_over_dropped_store },
	{ "straddle_into_not_present", test_straddle_into_not_present },
	{ "in_partly_on_exit_port", test_in_partly_on_exit_port },
	{ "mtrr_virtual", test_mtrr_virtual },
	{ "x2apic_nmi_all_including_self", test_x2apic_nmi_all_including_self },
	{ "x2apic_icr_reserved_bits", test_x2apic_icr_reserved_bits },
};

int guest_main(void)
{
	if (rt_option_present("stop_sti_xapic"))
		stop_sti_xapic();
	else if (rt_option_present("stop_outw_exit"))
		stop_outw_exit();
	else if (rt_option_present("stop_stuck_step"))
		stop_stuck_step();
	else
		return rt_run_tests(tests, ARRAY_SIZE(tests)) ? 1 : 0;
	return 1;
}
