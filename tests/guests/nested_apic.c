/* The nested suite's APIC-virtualization tests (issue 15): L2 runs with
 * "use TPR shadow", "virtualize APIC accesses", APIC-register
 * virtualization, virtual-interrupt delivery and "virtualize x2APIC
 * mode" as the model has them, and L1 checks each exit against the SDM
 * (Vol. 3C chapter 29; exit qualifications 27.2.1: an APIC-access exit
 * gives the page offset in bits 11:0 and the access type in bits 15:12,
 * 0 a linear read, 1 a linear write; an APIC-write exit the offset; an
 * EOI-induced exit the vector; a TPR-below-threshold exit 0).
 *
 * The APIC-access address A is ordinary RAM of L1 (apic_ram_a), L1's own
 * local APIC (0xfee00000), or a hole with nothing behind it (HOLE_PAGE,
 * checked against the memory map). L2 reaches A through its paging (the
 * runtime's identity map of 4 GiB) and, when L1 uses EPT, through an
 * EPT12 leaf of one of L2's pages below 2 MiB that points at A: on the
 * CPU an access is an APIC access when its translation ends on A (29.4),
 * whatever the guest address. No line prints an address. */
#include "tests/guests/nested_l2.h"

#include "lib/string.h"
#include "tests/guests/rt/msr.h"

#define APIC_PAGE 0xfee00000ull /* L1's local APIC (xAPIC mode) */
#define HOLE_PAGE 0xc0000000ull /* no RAM, no device on Bochs (checked) */

/* Local APIC register offsets (Vol. 3A 11.4.1, Table 11-1). */
#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390

/* 27.2.1 Table 27-6: offset, access type 0 (linear read) or 1 (write). */
#define QA(off, type) ((uint64_t)(off) | ((uint64_t)(type) << 12))

extern const char l2_apic_rw[], l2_apic_rw_id[], l2_apic_rw_lvt[], l2_apic_rw_end[];
extern const char l2_apic_tpr[], l2_apic_tpr_after[], l2_apic_tpr_end[];
extern const char l2_apic_vtpr_write[], l2_apic_vtpr_after[];
extern const char l2_apic_regs[], l2_apic_regs_after[], l2_apic_regs_tmcct[],
	l2_apic_regs_end[];
extern const char l2_apic_eoi[], l2_apic_eoi_after[];
extern const char l2_apic_x2[], l2_apic_x2_rd[], l2_apic_x2_wr[], l2_apic_x2_after[], l2_apic_x2_end[];
extern const char l2_apic_x2vid[], l2_apic_x2vid_cli[], l2_apic_x2vid_eoi[], l2_apic_x2vid_end[];

__asm__(".text\n.balign 16\n"
	/* RSI = a page: TPR read, TPR write (0x50), TPR read again, then
	 * the ID read and the LVT timer write (R11), which exit when the
	 * page is the APIC-access page (no APIC-register virtualization). */
	L2_FN(l2_apic_rw)
	"movl 0x80(%rsi), %r8d\n\t"
	"movl $0x50, 0x80(%rsi)\n\t"
	"movl 0x80(%rsi), %r9d\n\t"
	L2_LABEL(l2_apic_rw_id)
	"movl 0x20(%rsi), %r10d\n\t"
	L2_LABEL(l2_apic_rw_lvt)
	"movl %r11d, 0x320(%rsi)\n\t"
	L2_LABEL(l2_apic_rw_end)
	L2_END

	/* MOV to CR8 (RAX), MOV from CR8 (R8), MOV to CR8 (RDX). */
	L2_FN(l2_apic_tpr)
	"mov %rax, %cr8\n\t"
	L2_LABEL(l2_apic_tpr_after)
	"mov %cr8, %r8\n\t"
	"mov %rdx, %cr8\n\t"
	L2_LABEL(l2_apic_tpr_end)
	L2_END

	/* A write of EAX to VTPR through the APIC-access page at RSI. */
	L2_FN(l2_apic_vtpr_write)
	"movl %eax, 0x80(%rsi)\n\t"
	L2_LABEL(l2_apic_vtpr_after)
	L2_END

	/* APIC-register virtualization: reads of ID and LVT timer, a write
	 * of the initial count (APIC-write exit), its read, a read of the
	 * current count (not virtualized: APIC-access exit). */
	L2_FN(l2_apic_regs)
	"movl 0x20(%rsi), %r8d\n\t"
	"movl 0x320(%rsi), %r9d\n\t"
	"movl $0x12345, 0x380(%rsi)\n\t"
	L2_LABEL(l2_apic_regs_after)
	"movl 0x380(%rsi), %r10d\n\t"
	L2_LABEL(l2_apic_regs_tmcct)
	"movl 0x390(%rsi), %r11d\n\t"
	L2_LABEL(l2_apic_regs_end)
	L2_END

	/* EOI through the APIC-access page at RSI. */
	L2_FN(l2_apic_eoi)
	"movl $0, 0xb0(%rsi)\n\t"
	L2_LABEL(l2_apic_eoi_after)
	L2_END

	/* x2APIC: RDMSR 0x808 (R8), WRMSR 0x808 = R11, RDMSR 0x808 (R9). */
	L2_FN(l2_apic_x2)
	"mov $0x808, %ecx\n\t"
	L2_LABEL(l2_apic_x2_rd)
	"rdmsr\n\t"
	"mov %rax, %r8\n\t"
	"mov %r11, %rax\n\t"
	"xor %edx, %edx\n\t"
	L2_LABEL(l2_apic_x2_wr)
	"wrmsr\n\t"
	L2_LABEL(l2_apic_x2_after)
	"rdmsr\n\t"
	"mov %rax, %r9\n\t"
	L2_LABEL(l2_apic_x2_end)
	L2_END

	/* x2APIC with VID: self-IPI 0x41 (WRMSR 0x83F), then EOI (0x80B)
	 * from the handler's VMCALL onwards; R8 = RDMSR 0x802 (ID). */
	L2_FN(l2_apic_x2vid)
	"mov $0x802, %ecx\n\t"
	"rdmsr\n\t"
	"mov %rax, %r8\n\t"
	"mov $0x83f, %ecx\n\t"
	"mov $0x41, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"sti\n\t"
	"nop\n\t"
	L2_LABEL(l2_apic_x2vid_cli)
	"cli\n\t"
	L2_LABEL(l2_apic_x2vid_eoi)
	"mov $0x80b, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	L2_LABEL(l2_apic_x2vid_end)
	L2_END
	".previous\n");

/* The virtual-APIC page, two RAM pages that serve as A, and three pages
 * of L2 whose EPT12 leaves the tests point elsewhere (all below 2 MiB,
 * where EPT12 has 4 KiB leaves). */
static uint8_t vapic[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t apic_ram_a[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t apic_ram_b[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t l2_page[3][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static uint32_t *reg32(uint8_t *page, unsigned off)
{
	return (uint32_t *)(page + off);
}

static bool need(uint32_t proc2, const char *what)
{
	if (proc_allows(PROC_TPR_SHADOW) && proc2_allows(proc2))
		return true;
	rt_skip("no %s", what);
	return false;
}

static const char *where_name(uint64_t a)
{
	if (a == APIC_PAGE)
		return "L1's local APIC";
	if (a == HOLE_PAGE)
		return "a hole";
	return "RAM";
}

/* L2 at `code`, "use TPR shadow" with the virtual-APIC page, the
 * secondary controls `proc2` (plus EPT12, identity, when `ept`), the
 * APIC-access address `a` when proc2 virtualizes APIC accesses, TPR
 * threshold 0, CR8 accesses not exiting. */
static bool apic_setup(const char *code, uint32_t proc2, uint64_t a, bool ept)
{
	if (!l2_setup(code))
		return false;
	if (ept) {
		ept_on();
		proc2 |= PROC2_ENABLE_EPT;
	}
	memset(vapic, 0, sizeof(vapic));
	clear_bits(VMCS_PROC_BASED_CONTROLS, PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING);
	set_bits(VMCS_PROC_BASED_CONTROLS, PROC_TPR_SHADOW | PROC_SECONDARY_CONTROLS);
	w(VMCS_SECONDARY_PROC_CONTROLS, rt_vmx_ctl(caps()->procbased2, proc2));
	w(VMCS_VIRTUAL_APIC_PAGE_ADDR, pa(vapic));
	if (proc2 & PROC2_VIRTUALIZE_APIC_ACCESSES)
		w(VMCS_APIC_ACCESS_ADDR, a);
	w(VMCS_TPR_THRESHOLD, 0);
	return true;
}

/* L2 runs l2_apic_rw on the page at `va`, whose translation ends on the
 * APIC-access page: the TPR accesses go to the virtual-APIC page (29.4.2,
 * 29.4.3: VTPR 0x20 read, 0x50 written), the ID read and the LVT write
 * exit (44) fault-like, each resumed past its instruction by L1. */
static bool rw_is_apic(const char *what, uint64_t va)
{
	bool ok = true;

	rt_printf("nested: %s: case: %s\n", cur(), what);
	*reg32(vapic, APIC_TPR) = 0x20;
	regs.rsi = va;
	regs.r10 = 0;
	regs.r11 = 0x10031;
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_rw);
	if (!l2_expect("read of offset 0x20", XR_APIC_ACCESS, l2_apic_rw_id, "the read"))
		return false;
	ok &= expect_qual(QA(APIC_ID, 0));
	rt_printf("nested: %s: L2 read TPR %#lx, then %#lx after writing 0x50; VTPR %#x\n",
		  cur(), regs.r8, regs.r9, *reg32(vapic, APIC_TPR));
	ok &= CHECK(regs.r8 == 0x20 && regs.r9 == 0x50 && *reg32(vapic, APIC_TPR) == 0x50,
		    "TPR not virtualized");
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_rw_lvt);
	if (!l2_expect("write of offset 0x320", XR_APIC_ACCESS, l2_apic_rw_lvt, "the write"))
		return false;
	ok &= expect_qual(QA(APIC_LVT_TIMER, 1));
	ok &= CHECK(*reg32(vapic, APIC_LVT_TIMER) == 0, "the LVT write reached the vAPIC page");
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_rw_end);
	return expect_done(l2_apic_rw_end, "the final vmcall") && ok;
}

/* The same code on a page that is not the APIC-access page: ordinary
 * memory (`mem`, what L2's access reaches), no exit before the end. */
static bool rw_is_memory(const char *what, uint64_t va, uint8_t *mem)
{
	bool ok;

	rt_printf("nested: %s: case: %s\n", cur(), what);
	memset(mem, 0, PAGE_SIZE);
	*reg32(mem, APIC_TPR) = 0x77;
	*reg32(mem, APIC_ID) = 0x1234;
	*reg32(vapic, APIC_TPR) = 0x20;
	regs.rsi = va;
	regs.r11 = 0x10031;
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_rw);
	ok = expect_done(l2_apic_rw_end, "the final vmcall");
	rt_printf("nested: %s: L2 read %#lx and %#lx, memory holds %#x and %#x\n", cur(),
		  regs.r8, regs.r10, *reg32(mem, APIC_TPR), *reg32(mem, APIC_LVT_TIMER));
	ok &= CHECK(regs.r8 == 0x77 && regs.r9 == 0x50 && regs.r10 == 0x1234, "L2's reads");
	ok &= CHECK(*reg32(mem, APIC_TPR) == 0x50 && *reg32(mem, APIC_LVT_TIMER) == 0x10031,
		    "L2's writes did not land in memory");
	ok &= CHECK(*reg32(vapic, APIC_TPR) == 0x20, "VTPR changed");
	return ok;
}

/* L1's own APIC registers that L2 must never reach. */
struct apic_regs {
	uint32_t id, tpr, lvt_timer, lvt_lint0;
};

static struct apic_regs apic_read(void)
{
	volatile uint32_t *p = (volatile uint32_t *)APIC_PAGE;

	return (struct apic_regs){ p[APIC_ID / 4], p[APIC_TPR / 4], p[APIC_LVT_TIMER / 4],
				   p[APIC_LVT_LINT0 / 4] };
}

static bool apic_untouched(const struct apic_regs *before)
{
	struct apic_regs after = apic_read();
	bool same = memcmp(&after, before, sizeof(after)) == 0;

	rt_printf("nested: %s: L1's APIC (ID, TPR, LVT timer, LVT LINT0): %s\n", cur(),
		  same ? "untouched" : "CHANGED");
	return CHECK(same, "L1's APIC changed");
}

/* One choice of A: L2 reaches it through EPT12 (one of its pages points
 * at A) when `ept`, else through its paging alone (L2's guest-physical =
 * L1's physical). */
static void access_case(uint64_t a, bool ept)
{
	struct apic_regs before = apic_read();

	if (!need(PROC2_VIRTUALIZE_APIC_ACCESSES, "virtualize APIC accesses"))
		return;
	if (ept && !have_ept()) {
		rt_skip("no EPT with 4-level walks, WB, 2 MiB pages and INVEPT");
		return;
	}
	if (!apic_setup(l2_apic_rw, PROC2_VIRTUALIZE_APIC_ACCESSES, a, ept))
		return;
	if (ept) {
		*ept_pte(l2_page[0]) = a | EPT_RWX | EPT_WB;
		ept_invalidate(); /* 28.4.3.1: EPT12 changed */
		rw_is_apic("an L2 page that EPT12 maps to A", pa(l2_page[0]));
	} else {
		rw_is_apic("A itself", a);
	}
	if (a == APIC_PAGE)
		apic_untouched(&before);
	else if (a != HOLE_PAGE)
		rt_printf("nested: %s: A's own memory %s\n", cur(),
			  *reg32(apic_ram_a, APIC_TPR) == 0x5a5a ? "untouched" : "CHANGED");
	l2_teardown();
}

static bool hole_free(void)
{
	const struct rt_boot_info *b = rt_boot();

	for (unsigned i = 0; i < b->mmap_count; i++)
		if (b->mmap[i].base < HOLE_PAGE + PAGE_SIZE &&
		    b->mmap[i].base + b->mmap[i].len > HOLE_PAGE)
			return CHECK(false, "the hole is in the memory map");
	return CHECK(HOLE_PAGE < (1ull << nested_maxphyaddr), "the hole is beyond the width");
}

static void fill_ram_a(void)
{
	memset(apic_ram_a, 0, PAGE_SIZE);
	*reg32(apic_ram_a, APIC_TPR) = 0x5a5a;
}

static void test_apic_access_ram(void)
{
	fill_ram_a();
	access_case(pa(apic_ram_a), true);
}

static void test_apic_access_l1_apic(void)
{
	access_case(APIC_PAGE, true);
}

static void test_apic_access_hole(void)
{
	if (hole_free())
		access_case(HOLE_PAGE, true);
}

/* Issue 15 item 6: L1 without EPT for L2, A both RAM and L1's APIC (and
 * the hole): L2's linear address of A is A. */
static void test_apic_access_no_ept(void)
{
	fill_ram_a();
	access_case(pa(apic_ram_a), false);
	access_case(APIC_PAGE, false);
	if (hole_free())
		access_case(HOLE_PAGE, false);
}

/* Two L2 pages whose EPT12 leaves both point at A: both are the
 * APIC-access page; a third, mapped to ordinary RAM, is not (29.4: the
 * physical address decides). */
static void test_apic_access_two_pages(void)
{
	if (!need(PROC2_VIRTUALIZE_APIC_ACCESSES, "virtualize APIC accesses"))
		return;
	if (!have_ept()) {
		rt_skip("no EPT with 4-level walks, WB, 2 MiB pages and INVEPT");
		return;
	}
	fill_ram_a();
	if (!apic_setup(l2_apic_rw, PROC2_VIRTUALIZE_APIC_ACCESSES, pa(apic_ram_a), true))
		return;
	*ept_pte(l2_page[0]) = pa(apic_ram_a) | EPT_RWX | EPT_WB;
	*ept_pte(l2_page[1]) = pa(apic_ram_a) | EPT_RWX | EPT_WB;
	*ept_pte(l2_page[2]) = pa(apic_ram_b) | EPT_RWX | EPT_WB;
	ept_invalidate();
	rw_is_apic("the first L2 page mapped to A", pa(l2_page[0]));
	rw_is_apic("the second L2 page mapped to A", pa(l2_page[1]));
	rw_is_memory("an L2 page mapped to other RAM", pa(l2_page[2]), apic_ram_b);
	rt_printf("nested: %s: A's own memory %s\n", cur(),
		  *reg32(apic_ram_a, APIC_TPR) == 0x5a5a ? "untouched" : "CHANGED");
	l2_teardown();
}

/* A changed between two entries: the old page is memory again, the new
 * one the APIC-access page; without EPT, then with EPT12 (an L2 page
 * mapped to the old A stays mapped there: memory again). */
static void moved_case(bool ept)
{
	uint64_t va_a = pa(apic_ram_a), va_b = pa(apic_ram_b);

	if (!apic_setup(l2_apic_rw, PROC2_VIRTUALIZE_APIC_ACCESSES, pa(apic_ram_a), ept))
		return;
	if (ept) {
		*ept_pte(l2_page[0]) = pa(apic_ram_a) | EPT_RWX | EPT_WB;
		*ept_pte(l2_page[1]) = pa(apic_ram_b) | EPT_RWX | EPT_WB;
		ept_invalidate();
		va_a = pa(l2_page[0]);
		va_b = pa(l2_page[1]);
	}
	rt_printf("nested: %s: %s\n", cur(), ept ? "through EPT12" : "without EPT");
	rw_is_apic("A = the first page", va_a);
	rw_is_memory("the second page while it is not A", va_b, apic_ram_b);
	w(VMCS_APIC_ACCESS_ADDR, pa(apic_ram_b));
	rw_is_memory("the first page after A moved", va_a, apic_ram_a);
	rw_is_apic("A = the second page", va_b);
	l2_teardown();
}

static void test_apic_access_moved(void)
{
	if (!need(PROC2_VIRTUALIZE_APIC_ACCESSES, "virtualize APIC accesses"))
		return;
	moved_case(false);
	if (have_ept())
		moved_case(true);
}

/* 29.1.2, 29.3: MOV to CR8 writes VTPR[7:4] and clears the rest; below
 * the TPR threshold it exits (43) after the instruction, qualification
 * 0. MOV from CR8 reads VTPR[7:4]. 26.2.1.1: without "virtualize APIC
 * accesses" and VID, a threshold above VTPR[7:4] fails the entry; with
 * "virtualize APIC accesses" the entry succeeds and exits at once
 * (26.7.7). A VTPR write through the APIC-access page below the
 * threshold exits after the write too (29.4.3.3, 29.1.2). */
static void test_apic_tpr_threshold(void)
{
	struct rt_vmx_result res;

	if (!need(0, "use TPR shadow") || !apic_setup(l2_apic_tpr, 0, 0, false))
		return;
	*reg32(vapic, APIC_TPR) = 0x3f;
	w(VMCS_TPR_THRESHOLD, 2);
	regs.rax = 1;
	regs.rdx = 3;
	if (!l2_expect("MOV to CR8 of 1, threshold 2", XR_TPR_BELOW_THRESHOLD, l2_apic_tpr_after,
		       "after the mov"))
		goto out;
	expect_qual(0);
	rt_printf("nested: %s: VTPR %#x\n", cur(), *reg32(vapic, APIC_TPR));
	CHECK(*reg32(vapic, APIC_TPR) == 0x10, "VTPR");
	/* 26.2.1.1: the next entry needs threshold <= VTPR[7:4] again. */
	w(VMCS_TPR_THRESHOLD, 1);
	if (expect_done(l2_apic_tpr_end, "the final vmcall")) {
		rt_printf("nested: %s: MOV from CR8 read %lu; VTPR %#x\n", cur(), regs.r8,
			  *reg32(vapic, APIC_TPR));
		CHECK(regs.r8 == 1 && *reg32(vapic, APIC_TPR) == 0x30, "CR8 / VTPR");
	}
	l2_teardown();

	if (!apic_setup(l2_apic_tpr, 0, 0, false))
		return;
	*reg32(vapic, APIC_TPR) = 0x10;
	w(VMCS_TPR_THRESHOLD, 2);
	res = l2_go();
	rt_printf("nested: %s: entry with VTPR 0x10, threshold 2: %s %u\n", cur(),
		  res.kind == RT_VMX_FAIL_VALID ? "VMfailValid" : "not VMfailValid",
		  res.kind == RT_VMX_FAIL_VALID ? res.error : 0);
	CHECK(res.kind == RT_VMX_FAIL_VALID && res.error == VMXERR_ENTRY_BAD_CONTROLS,
	      "expected VMfailValid 7");
	l2_teardown();

	if (!proc2_allows(PROC2_VIRTUALIZE_APIC_ACCESSES))
		return;
	fill_ram_a();
	if (!apic_setup(l2_apic_vtpr_write, PROC2_VIRTUALIZE_APIC_ACCESSES, pa(apic_ram_a),
			false))
		return;
	*reg32(vapic, APIC_TPR) = 0x10;
	w(VMCS_TPR_THRESHOLD, 2);
	regs.rsi = pa(apic_ram_a);
	regs.rax = 0x40;
	if (!l2_expect("entry with VTPR 0x10, threshold 2", XR_TPR_BELOW_THRESHOLD,
		       l2_apic_vtpr_write, "the entry RIP"))
		goto out;
	expect_qual(0);
	*reg32(vapic, APIC_TPR) = 0x30;
	w(VMCS_TPR_THRESHOLD, 3);
	regs.rax = 0x25;
	if (!l2_expect("write of VTPR 0x25, threshold 3", XR_TPR_BELOW_THRESHOLD,
		       l2_apic_vtpr_after, "after the write"))
		goto out;
	expect_qual(0);
	rt_printf("nested: %s: VTPR %#x\n", cur(), *reg32(vapic, APIC_TPR));
	CHECK(*reg32(vapic, APIC_TPR) == 0x25, "VTPR");
out:
	l2_teardown();
}

/* 29.4.2, 29.4.3 with APIC-register virtualization: reads of ID and LVT
 * timer come from the virtual-APIC page; the write of the initial count
 * lands there and exits trap-like (56, qualification = the offset, RIP
 * after the write); reading it back is virtualized; the current count
 * (390H) is not virtualized: an APIC-access exit. */
static void test_apic_register_virt(void)
{
	if (!need(PROC2_VIRTUALIZE_APIC_ACCESSES | PROC2_APIC_REGISTER_VIRT,
		  "APIC-register virtualization"))
		return;
	fill_ram_a();
	if (!apic_setup(l2_apic_regs, PROC2_VIRTUALIZE_APIC_ACCESSES | PROC2_APIC_REGISTER_VIRT,
			pa(apic_ram_a), false))
		return;
	*reg32(vapic, APIC_ID) = 0x05000000;
	*reg32(vapic, APIC_LVT_TIMER) = 0x10030;
	regs.rsi = pa(apic_ram_a);
	if (!l2_expect("write of offset 0x380", XR_APIC_WRITE, l2_apic_regs_after,
		       "after the write"))
		goto out;
	expect_qual(APIC_TMICT);
	rt_printf("nested: %s: L2 read ID %#lx, LVT timer %#lx; virtual-APIC 0x380 holds %#x\n",
		  cur(), regs.r8, regs.r9, *reg32(vapic, APIC_TMICT));
	CHECK(regs.r8 == 0x05000000 && regs.r9 == 0x10030, "virtualized reads");
	CHECK(*reg32(vapic, APIC_TMICT) == 0x12345, "the write did not land");
	if (!l2_expect("read of offset 0x390", XR_APIC_ACCESS, l2_apic_regs_tmcct, "the read"))
		goto out;
	expect_qual(QA(APIC_TMCCT, 0));
	rt_printf("nested: %s: L2 read 0x380 back as %#lx\n", cur(), regs.r10);
	CHECK(regs.r10 == 0x12345, "read back");
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_regs_end);
	expect_done(l2_apic_regs_end, "the final vmcall");
	CHECK(*reg32(apic_ram_a, APIC_TPR) == 0x5a5a, "A's memory changed");
out:
	l2_teardown();
}

static void vid_request(unsigned vector)
{
	*reg32(vapic, APIC_IRR + 0x10 * (vector / 32)) |= 1U << (vector % 32);
}

static bool vid_bit(unsigned base, unsigned vector)
{
	return (*reg32(vapic, base + 0x10 * (vector / 32)) >> (vector % 32)) & 1;
}

static bool vid_setup(const char *code, uint32_t proc2, uint64_t a)
{
	if (!apic_setup(code, proc2 | PROC2_VIRTUAL_INTERRUPT_DELIVERY, a, false))
		return false;
	/* 26.2.1.1: VID needs external-interrupt exiting. */
	w(VMCS_PIN_BASED_CONTROLS,
	  rt_vmx_ctl(caps()->true_pinbased, PIN_EXTERNAL_INTERRUPT_EXITING));
	w(VMCS_EOI_EXIT_BITMAP0, 0);
	w(VMCS_EOI_EXIT_BITMAP1, 0);
	w(VMCS_EOI_EXIT_BITMAP2, 0);
	w(VMCS_EOI_EXIT_BITMAP3, 0);
	return true;
}

static bool vid_allowed(uint32_t proc2, const char *what)
{
	return need(proc2 | PROC2_VIRTUAL_INTERRUPT_DELIVERY, what) &&
	       (rt_vmx_ctl_allows(caps()->true_pinbased, PIN_EXTERNAL_INTERRUPT_EXITING) ||
		(rt_skip("no external-interrupt exiting"), false));
}

static void print_status(const char *when)
{
	uint64_t st = r(VMCS_GUEST_INTR_STATUS);

	rt_printf("nested: %s: %s: guest interrupt status %#lx (SVI %#lx, RVI %#lx)\n", cur(),
		  when, st, st >> 8, st & 0xff);
}

/* 29.2 and 29.1.4: RVI 0x31 with IRR bit 0x31 and IF = 1: delivered at
 * entry through L2's IDT (SVI 0x31, ISR set, IRR and RVI clear); L2's
 * EOI write through the APIC-access page is virtualized (29.4.3.3,
 * 29.1.4): ISR and SVI clear, and with bit 0x31 of the EOI-exit bitmap
 * the EOI-induced exit 45 (qualification 0x31, trap-like). Then 0x32
 * without its EOI-exit bit: no exit. */
static void test_apic_vid_eoi(void)
{
	if (!vid_allowed(PROC2_VIRTUALIZE_APIC_ACCESSES, "virtual-interrupt delivery"))
		return;
	fill_ram_a();
	if (!vid_setup(l2_apic_eoi, PROC2_VIRTUALIZE_APIC_ACCESSES, pa(apic_ram_a)))
		return;
	w(VMCS_EOI_EXIT_BITMAP0, 1ULL << 0x31);
	vid_request(0x31);
	w(VMCS_GUEST_INTR_STATUS, 0x31);
	w(VMCS_GUEST_RFLAGS, RT_RFLAGS_FIXED1 | RFLAGS_IF);
	regs.rsi = pa(apic_ram_a);
	rt_printf("nested: %s: case: RVI 0x31, EOI-exit bit set\n", cur());
	if (!expect_delivered(0x31, false, 0, l2_apic_eoi))
		goto out;
	print_status("after delivery");
	CHECK(r(VMCS_GUEST_INTR_STATUS) == 0x3100, "guest interrupt status");
	CHECK(vid_bit(APIC_ISR, 0x31) && !vid_bit(APIC_IRR, 0x31), "ISR/IRR");
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_eoi);
	w(VMCS_GUEST_RFLAGS, RT_RFLAGS_FIXED1);
	if (!l2_expect("EOI", XR_VIRTUALIZED_EOI, l2_apic_eoi_after, "after the write"))
		goto out;
	expect_qual(0x31);
	print_status("after the EOI");
	CHECK(r(VMCS_GUEST_INTR_STATUS) == 0 && !vid_bit(APIC_ISR, 0x31), "EOI");
	rt_printf("nested: %s: case: RVI 0x32, EOI-exit bit clear\n", cur());
	vid_request(0x32);
	w(VMCS_GUEST_INTR_STATUS, 0x32);
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_eoi);
	w(VMCS_GUEST_RFLAGS, RT_RFLAGS_FIXED1 | RFLAGS_IF);
	if (!expect_delivered(0x32, false, 0, l2_apic_eoi))
		goto out;
	print_status("after delivery");
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_eoi);
	w(VMCS_GUEST_RFLAGS, RT_RFLAGS_FIXED1);
	if (expect_done(l2_apic_eoi_after, "the final vmcall"))
		print_status("after the EOI");
	CHECK(r(VMCS_GUEST_INTR_STATUS) == 0 && !vid_bit(APIC_ISR, 0x32), "EOI");
out:
	l2_teardown();
}

static void msr_bit(unsigned msr, bool write)
{
	unsigned bit = (write ? 0x800 * 8 : 0) + msr;

	msr_bitmap[bit / 8] |= (uint8_t)(1U << (bit % 8));
}

/* 29.5 with "virtualize x2APIC mode" (L1's APIC stays in xAPIC mode):
 * RDMSR and WRMSR of 808H (TPR) go to VTPR when the MSR bitmap lets
 * them through, and exit (31, 32) when its bits are set (25.1.3). */
static void test_apic_x2apic_tpr(void)
{
	if (!need(PROC2_VIRTUALIZE_X2APIC, "virtualize x2APIC mode") ||
	    !proc_allows(PROC_USE_MSR_BITMAPS) ||
	    !apic_setup(l2_apic_x2, PROC2_VIRTUALIZE_X2APIC, 0, false))
		return;
	memset(msr_bitmap, 0, PAGE_SIZE);
	set_bits(VMCS_PROC_BASED_CONTROLS, PROC_USE_MSR_BITMAPS);
	w(VMCS_MSR_BITMAP, pa(msr_bitmap));
	*reg32(vapic, APIC_TPR) = 0x20;
	regs.r11 = 0x60;
	if (expect_done(l2_apic_x2_end, "the final vmcall")) {
		rt_printf("nested: %s: L2 read TPR %#lx, then %#lx; VTPR %#x\n", cur(), regs.r8,
			  regs.r9, *reg32(vapic, APIC_TPR));
		CHECK(regs.r8 == 0x20 && regs.r9 == 0x60 && *reg32(vapic, APIC_TPR) == 0x60,
		      "x2APIC TPR not virtualized");
	}
	l2_teardown();
	if (!apic_setup(l2_apic_x2, PROC2_VIRTUALIZE_X2APIC, 0, false))
		return;
	msr_bit(0x808, false);
	msr_bit(0x808, true);
	set_bits(VMCS_PROC_BASED_CONTROLS, PROC_USE_MSR_BITMAPS);
	w(VMCS_MSR_BITMAP, pa(msr_bitmap));
	*reg32(vapic, APIC_TPR) = 0x20;
	regs.r11 = 0x60;
	if (!l2_expect("RDMSR 0x808, bitmap bit set", XR_RDMSR, l2_apic_x2_rd, "rdmsr"))
		goto out;
	regs.rax = 0x70;
	regs.rdx = 0;
	skip_insn();
	if (!l2_expect("WRMSR 0x808, bitmap bit set", XR_WRMSR, l2_apic_x2_wr, "wrmsr"))
		goto out;
	skip_insn();
	if (!l2_expect("RDMSR 0x808 again", XR_RDMSR, l2_apic_x2_after, "rdmsr"))
		goto out;
	regs.rax = 0x70;
	skip_insn();
	if (expect_done(l2_apic_x2_end, "the final vmcall")) {
		rt_printf("nested: %s: VTPR %#x\n", cur(), *reg32(vapic, APIC_TPR));
		CHECK(*reg32(vapic, APIC_TPR) == 0x20, "VTPR written through an exiting WRMSR");
	}
out:
	memset(msr_bitmap, 0, PAGE_SIZE);
	l2_teardown();
}

/* 29.5 with APIC-register virtualization and VID: RDMSR 802H reads the
 * virtual-APIC page; WRMSR 83FH (self IPI 0x41) is virtualized (29.1.5:
 * IRR, RVI), the interrupt is delivered after STI's shadow, and WRMSR
 * 80BH (EOI) with bit 0x41 in the EOI-exit bitmap exits (45). */
static void test_apic_x2apic_vid(void)
{
	uint32_t proc2 = PROC2_VIRTUALIZE_X2APIC | PROC2_APIC_REGISTER_VIRT;

	if (!vid_allowed(proc2, "x2APIC virtualization with VID and APIC-register virtualization") ||
	    !proc_allows(PROC_USE_MSR_BITMAPS) || !vid_setup(l2_apic_x2vid, proc2, 0))
		return;
	memset(msr_bitmap, 0, PAGE_SIZE);
	set_bits(VMCS_PROC_BASED_CONTROLS, PROC_USE_MSR_BITMAPS);
	w(VMCS_MSR_BITMAP, pa(msr_bitmap));
	w(VMCS_EOI_EXIT_BITMAP1, 1ULL << (0x41 - 64));
	*reg32(vapic, APIC_ID) = 7;
	w(VMCS_GUEST_INTR_STATUS, 0);
	if (!expect_delivered(0x41, false, 0, l2_apic_x2vid_cli))
		goto out;
	rt_printf("nested: %s: L2 read x2APIC ID %lu\n", cur(), regs.r8);
	CHECK(regs.r8 == 7, "ID");
	print_status("after delivery");
	CHECK(r(VMCS_GUEST_INTR_STATUS) == 0x4100, "guest interrupt status");
	w(VMCS_GUEST_RIP, (uint64_t)l2_apic_x2vid_eoi);
	w(VMCS_GUEST_RFLAGS, RT_RFLAGS_FIXED1);
	if (!l2_expect("WRMSR 0x80b (EOI)", XR_VIRTUALIZED_EOI, l2_apic_x2vid_end, "after wrmsr"))
		goto out;
	expect_qual(0x41);
	print_status("after the EOI");
	CHECK(r(VMCS_GUEST_INTR_STATUS) == 0, "EOI");
	expect_done(l2_apic_x2vid_end, "the final vmcall");
out:
	l2_teardown();
}

static const struct rt_test apic_tests[] = {
	{ "apic_access_ram", test_apic_access_ram },
	{ "apic_access_l1_apic", test_apic_access_l1_apic },
	{ "apic_access_hole", test_apic_access_hole },
	{ "apic_access_two_pages", test_apic_access_two_pages },
	{ "apic_access_moved", test_apic_access_moved },
	{ "apic_access_no_ept", test_apic_access_no_ept },
	{ "apic_tpr_threshold", test_apic_tpr_threshold },
	{ "apic_register_virt", test_apic_register_virt },
	{ "apic_vid_eoi", test_apic_vid_eoi },
	{ "apic_x2apic_tpr", test_apic_x2apic_tpr },
	{ "apic_x2apic_vid", test_apic_x2apic_vid },
};

/* The sentinel scan (stop_case=l2_scan) with "virtualize APIC accesses"
 * for each A: L1 skips each 16 bytes whose read exits (44) and counts
 * the exits; the scan still finds no sentinel. Without EPT the scan
 * covers [0, top) and A's page; through EPT12 (identity below 1 GiB) one
 * L2 page more is mapped to A. */
static bool apic_scan_once(uint64_t a, bool ept, uint64_t top)
{
	uint64_t range[2][2] = { { 0, top }, { a, a + PAGE_SIZE } };
	unsigned n = (!ept && a >= top) ? 2 : 1, exits = 0;
	bool ok = true;

	if (!apic_setup(l2_scan, PROC2_VIRTUALIZE_APIC_ACCESSES, a, ept))
		return false;
	if (ept) {
		*ept_pte(l2_page[0]) = a | EPT_RWX | EPT_WB;
		ept_invalidate();
	}
	for (unsigned i = 0; i < n && ok; i++) {
		struct rt_vmx_result res;

		regs.rsi = range[i][0];
		regs.rdi = range[i][1];
		w(VMCS_GUEST_RIP, (uint64_t)l2_scan);
		for (;;) {
			res = l2_go();
			if (res.kind != RT_VMX_EXIT || res.exit_reason != XR_APIC_ACCESS)
				break;
			exits++;
			regs.rax += 16;
			w(VMCS_GUEST_RIP, (uint64_t)l2_scan_next);
		}
		ok = res.kind == RT_VMX_EXIT && res.exit_reason == XR_VMCALL &&
		     r(VMCS_GUEST_RIP) == (uint64_t)l2_scan_end + 5 && regs.rax >= range[i][1];
	}
	rt_printf("nested: l2_scan: A = %s, %s: %s, %u APIC-access exits\n", where_name(a),
		  ept ? "through EPT12" : "L1's physical space",
		  ok ? "no sentinel found" : "SENTINEL VISIBLE or the scan stopped", exits);
	l2_teardown();
	return ok;
}

bool nested_apic_scan(uint64_t top)
{
	const uint64_t as[] = { pa(apic_ram_a), APIC_PAGE, HOLE_PAGE };
	bool ok = true;

	if (!proc_allows(PROC_TPR_SHADOW) || !proc2_allows(PROC2_VIRTUALIZE_APIC_ACCESSES)) {
		rt_printf("nested: l2_scan: no APIC-access virtualization\n");
		return true;
	}
	fill_ram_a();
	for (size_t i = 0; i < ARRAY_SIZE(as); i++) {
		ok &= apic_scan_once(as[i], false, top);
		if (have_ept())
			ok &= apic_scan_once(as[i], true, top);
	}
	return ok;
}

size_t nested_apic_count(void)
{
	return ARRAY_SIZE(apic_tests);
}

const char *nested_apic_name(size_t i)
{
	return apic_tests[i].name;
}

void nested_apic_run(size_t i)
{
	apic_tests[i].fn();
}

/* Issue 15 item 3 under Nestor (stop_case=vapic_mmio, scenario
 * nested-vapic-not-ram): L1 gives L2 a TPR shadow whose virtual-APIC page
 * is L1's own local APIC page. The CPU would read and write that page
 * while L2 runs; Nestor cannot stand in between, so it names the field
 * and the address and stops L1 before L2 runs. Reaching the end is the
 * failure. */
void nested_apic_vapic_mmio(bool vaa)
{
	nested_current = "vapic_mmio";
	/* With "virtualize APIC accesses" the entry checks do not read VTPR
	 * (26.2.1.1), so the entry passes them and reaches vmcs02; without
	 * it the check that reads VTPR there is the one that cannot be
	 * decided. */
	if (!apic_setup(l2_apic_rw, vaa ? PROC2_VIRTUALIZE_APIC_ACCESSES : 0,
			pa(apic_ram_a), false))
		rt_exit(1);
	w(VMCS_VIRTUAL_APIC_PAGE_ADDR, APIC_PAGE);
	(void)l2_go();
	rt_printf("nested: vapic_mmio: L2 ran with its virtual-APIC page on L1's APIC\n");
	rt_exit(1);
}
