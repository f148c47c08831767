/* The Nestor guest test suite: run as Nestor's guest, it checks from the
 * inside what Nestor promises a guest (CPUID and MSR virtualization, CR
 * shadows, pass-through devices, interrupt and exception delivery, the
 * memory it hides, the hypercalls and the entry protocol). One function per
 * test, listed in `tests` below; each prints PASS, FAIL or SKIP (it does
 * not apply: an option missing, a CPU feature the model lacks), then the
 * runtime prints "N passed, N failed, N skipped" and exits with 0 iff none
 * failed. Which skips a model may show is the system tests' business
 * (tests/system/scenarios.py).
 *
 * Options (besides the runtime's exit_status=, exit_via=, triple_fault):
 *   expect_entry=mb2|mb1|elf64   how the guest must have been entered
 *   expect_module=TEXT           module 0 must start with TEXT (without the
 *                                option the guest must have no module)
 *   expect_cmdline_len=N         the command line must be N bytes long
 *   maxphyaddr=N                 Nestor was given guest_maxphyaddr=N: the
 *                                guest's MAXPHYADDR must be N, with the
 *                                paging and MSR rules that go with it
 *   msr_filter_only [deny_read=MSR deny_write=MSR allow_pass=MSR x2apic]
 *                                run only the MSR-filter tests (below) */
#include "arch/x86/regs.h"
#include "vmx/vmx_msrs.h"
#include "tests/guests/rt/rt.h"

#include "lib/format.h"
#include "lib/string.h"

const char guest_name[] = "suite";
const char *const guest_options[] = {
	"expect_entry", "expect_module", "expect_cmdline_len", "maxphyaddr",
	"msr_filter_only", "deny_read", "deny_write", "allow_pass", "x2apic",
	"expect_ap_blocked",
	NULL,
};

#define MIB (1ULL << 20)

/* SDM Vol. 3C, Appendix C: basic exit reasons. */
#define EXIT_REASON_RDMSR 31
#define EXIT_REASON_WRMSR 32

/* MSRs (SDM Vol. 4, Table 2-2). */
#define MSR_APIC_BASE 0x1b
#define MSR_SYSENTER_ESP 0x175
#define MSR_NONEXISTENT 0x12345678


/* ------------------------------------------------------------------------
 * Helpers */

static uint64_t region_end(const struct mem_region *r)
{
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

/* Top of the highest MEM_AVAILABLE entry below 4 GiB (clipped to 4 GiB). */
static uint64_t top_of_ram(const struct rt_boot_info *b)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];
		uint64_t end = region_end(r);

		if (r->type != MEM_AVAILABLE || r->base >= RT_IDENTITY_LIMIT)
			continue;
		if (end > RT_IDENTITY_LIMIT)
			end = RT_IDENTITY_LIMIT;
		if (end > top)
			top = end;
	}
	return top;
}

/* The end of the memory-map entries (of any type) that follow each other
 * without a hole from 1 MiB, clipped to 4 GiB: all of RAM, with Nestor's
 * reserved memory at its top and the firmware's tables next to it. */
static uint64_t top_of_memory(const struct rt_boot_info *b)
{
	uint64_t top = MIB;
	bool grew = true;

	while (grew) {
		grew = false;
		for (unsigned i = 0; i < b->mmap_count; i++) {
			const struct mem_region *r = &b->mmap[i];
			uint64_t end = region_end(r);

			if (end > RT_IDENTITY_LIMIT)
				end = RT_IDENTITY_LIMIT;
			if (r->len && r->base <= top && end > top) {
				top = end;
				grew = true;
			}
		}
	}
	return top;
}

/* ------------------------------------------------------------------------
 * Entry protocol and boot information */

static const char *expected_entry(void)
{
	static const char *const kinds[] = { "mb2", "mb1", "elf64" };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (rt_option_is("expect_entry", kinds[i]))
			return kinds[i];
	return NULL;
}

/* Multiboot2 spec 3.3 / Multiboot 0.6.96 3.2: 32-bit protected mode, paging
 * off, EFLAGS.VM and IF clear. */
static void check_entry32(uint32_t magic)
{
	CHECK(rt_entry.mode == 32, "entered in 64-bit mode, expected 32-bit "
	      "protected mode");
	CHECK(rt_entry.magic == magic, "EAX = %#lx at entry, expected %#x",
	      rt_entry.magic, magic);
	CHECK(rt_entry.cr0 & CR0_PE, "CR0.PE = 0 at entry (CR0 %#lx)",
	      rt_entry.cr0);
	CHECK(!(rt_entry.cr0 & CR0_PG), "CR0.PG = 1 at entry (CR0 %#lx), "
	      "expected paging off", rt_entry.cr0);
	CHECK(!(rt_entry.rflags & (RFLAGS_IF | RFLAGS_VM)), "EFLAGS %#lx at "
	      "entry: IF and VM must be 0", rt_entry.rflags);
}

/* Translates va through the 4-level tables at cr3; false if not present. */
static bool translate(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & PTE_ADDR_MASK;

	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		uint64_t e = ((const uint64_t *)table)[(va >> shift) & 511];

		if (!(e & PTE_P))
			return false;
		if (level == 0 || (level <= 2 && (e & PTE_PS))) {
			uint64_t mask = (1ULL << shift) - 1;

			*pa = (e & PTE_ADDR_MASK & ~mask) | (va & mask);
			return true;
		}
		table = e & PTE_ADDR_MASK;
	}
	return false;
}

/* Nestor's ELF64 entry: 64-bit mode, [0, 4 GiB) identity-mapped. */
static void check_entry64(void)
{
	uint64_t pa = 0;

	CHECK(rt_entry.mode == 64, "entered in 32-bit mode, expected 64-bit "
	      "mode");
	CHECK(rt_entry.magic == RT_MB2_MAGIC, "RAX = %#lx at entry, expected "
	      "%#x", rt_entry.magic, RT_MB2_MAGIC);
	CHECK((rt_entry.cr0 & (CR0_PG | CR0_PE)) == (CR0_PG | CR0_PE),
	      "CR0 %#lx at entry: PG and PE must be 1", rt_entry.cr0);
	CHECK(rt_entry.cr4 & CR4_PAE, "CR4.PAE = 0 at entry");
	CHECK(rt_entry.efer & EFER_LMA, "EFER.LMA = 0 at entry (EFER %#lx)",
	      rt_entry.efer);
	CHECK(!(rt_entry.rflags & RFLAGS_IF), "RFLAGS.IF = 1 at entry");
	for (uint64_t va = 0; va < RT_IDENTITY_LIMIT; va += 2 * MIB) {
		if (!translate(rt_entry.cr3, va, &pa)) {
			rt_fail("entry page tables (CR3 %#lx): %#lx not mapped",
				rt_entry.cr3, va);
			return;
		}
		if (pa != va) {
			rt_fail("entry page tables (CR3 %#lx): %#lx maps to %#lx",
				rt_entry.cr3, va, pa);
			return;
		}
	}
}

static void test_entry_protocol(void)
{
	const char *kind = expected_entry();
	const struct rt_boot_info *b = rt_boot();

	REQUIRE(kind, "expect_entry= missing or not mb2, mb1 or elf64");
	if (strcmp(kind, "mb2") == 0)
		check_entry32(RT_MB2_MAGIC);
	else if (strcmp(kind, "mb1") == 0)
		check_entry32(RT_MB1_MAGIC);
	else
		check_entry64();
	CHECK(rt_entry.info != 0, "boot information pointer is 0");
	CHECK(!b->error, "boot information rejected: %s",
	      b->error ? b->error : "");
}

static void test_boot_loader_name(void)
{
	const char *name = rt_boot()->loader_name;

	REQUIRE(name, "no boot loader name in the boot information");
	rt_note("loader name \"%s\"", name);
	CHECK(strcmp(name, "Nestor") == 0, "loader name \"%s\", expected "
	      "\"Nestor\"", name);
}

/* Nestor lives at the top of RAM below 4 GiB: the guest's RAM ends where
 * a reserved entry (Nestor's memory) begins. */
static void test_boot_memory_map(void)
{
	const struct rt_boot_info *b = rt_boot();
	uint64_t img_start = (uint64_t)_image_start, img_end = (uint64_t)_image_end;
	uint64_t top = top_of_ram(b);
	bool avail_high = false, reserved_top = false, image_covered = false;

	REQUIRE(b->have_mmap && b->mmap_count > 0, "no memory map");
	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];

		if (r->type == MEM_AVAILABLE && r->base >= MIB && r->len > 0)
			avail_high = true;
		if (r->type == MEM_RESERVED && r->base == top && r->len > 0) {
			reserved_top = true;
			rt_note("reserved at the top of RAM: [%#lx, %#lx)",
				r->base, region_end(r));
		}
		if (r->type == MEM_AVAILABLE && r->base <= img_start &&
		    region_end(r) >= img_end)
			image_covered = true;
	}
	CHECK(avail_high, "no available entry at or above 1 MiB");
	CHECK(reserved_top, "no reserved entry right above the guest's RAM, "
	      "which ends at %#lx (Nestor's memory must be reserved, at the "
	      "top)", top);
	CHECK(image_covered, "the guest image [%#lx, %#lx) is not inside an "
	      "available entry", img_start, img_end);
}

/* suite-mb1-big.elf links tests/guests/big_blob.asm in: page p of the blob
 * holds 512 qwords of BIG_BLOB_TAG << 32 | p. Other images have none. */
#define BIG_BLOB_TAG 0x4e424947ULL
extern const uint64_t big_blob[] __attribute__((weak));
extern const uint64_t big_blob_end[] __attribute__((weak));

/* Where the image was linked (and so loaded: the code runs), and with
 * expect_big_image every byte of the blob as linked: an image over 4 MiB
 * loaded whole, page for page. */
static void test_image_loaded(void)
{
	uint64_t start = (uint64_t)_image_start, end = (uint64_t)_image_end;
	uint64_t pages, bad = 0, first_bad = 0;

	rt_note("image [%#lx, %#lx), %lu KiB", start, end, (end - start) >> 10);
	if (!big_blob) {
		CHECK(!rt_option_present("expect_big_image"),
		      "expect_big_image given, but this image has no blob");
		return;
	}
	pages = (uint64_t)(big_blob_end - big_blob) / 512;
	for (uint64_t i = 0; i < pages * 512; i++)
		if (big_blob[i] != (BIG_BLOB_TAG << 32 | (i / 512)) && !bad++)
			first_bad = (uint64_t)&big_blob[i];
	rt_note("blob [%#lx, %#lx): %lu pages checked", (uint64_t)big_blob,
		(uint64_t)big_blob_end, pages);
	CHECK(pages > 0, "the blob is empty");
	CHECK(!bad, "%lu blob qwords differ from the image, the first at %#lx",
	      bad, first_bad);
}

static bool contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncmp(s, needle, n) == 0)
			return true;
	return false;
}

/* The guest's command line is its module line's arguments, verbatim. */
static void test_boot_cmdline(void)
{
	const char *s = rt_boot()->cmdline;
	uint64_t want;
	bool bad;

	REQUIRE(s, "no command line in the boot information");
	rt_note("cmdline \"%s\" (%zu bytes)", s, strlen(s));
	CHECK(s[0] != '/', "command line starts with a path; expected the "
	      "module line's arguments only");
	CHECK(contains(s, "expect_entry="), "command line lacks expect_entry=");
	if (rt_option_uint("expect_cmdline_len", &want, &bad))
		CHECK(strlen(s) == want, "command line is %zu bytes, expected "
		      "%lu", strlen(s), want);
	CHECK(!bad, "expect_cmdline_len= is not a number");
}

static void test_modules(void)
{
	const struct rt_boot_info *b = rt_boot();
	const struct rt_module *m = &b->modules[0];
	uint64_t img_start = (uint64_t)_image_start, img_end = (uint64_t)_image_end;
	struct rt_word want;

	if (!rt_option("expect_module", &want)) {
		CHECK(b->module_count == 0, "%u module(s), expected none",
		      b->module_count);
		return;
	}
	REQUIRE(b->module_count >= 1, "no module, expected one starting with "
		"\"%.*s\"", (int)want.val_len, want.val);
	rt_note("%u module(s); module 0 [%#lx, %#lx) cmdline \"%s\"",
		b->module_count, m->start, m->end, m->cmdline);
	REQUIRE(m->start < m->end && m->end <= RT_IDENTITY_LIMIT,
		"module 0 has bad bounds [%#lx, %#lx)", m->start, m->end);
	REQUIRE(m->end <= img_start || m->start >= img_end,
		"module 0 [%#lx, %#lx) overlaps the guest image", m->start,
		m->end);
	REQUIRE(m->end - m->start >= want.val_len, "module 0 is %lu bytes, "
		"shorter than the expected text", m->end - m->start);
	CHECK(memcmp((const void *)m->start, want.val, want.val_len) == 0,
	      "module 0 does not start with \"%.*s\"", (int)want.val_len,
	      want.val);
}

/* ------------------------------------------------------------------------
 * CPUID */

/* True if CPUID says a hypervisor is present and its signature is sig. */
static bool hypervisor_is(const char *sig)
{
	struct cpuid_regs r;

	if (!(cpuid(1, 0).ecx & (1U << 31)))
		return false;
	r = cpuid(NESTOR_CPUID_LEAF, 0);
	return memcmp(&r.ebx, sig, 4) == 0 && memcmp(&r.ecx, sig + 4, 4) == 0 &&
	       memcmp(&r.edx, sig + 8, 4) == 0;
}

/* Nestor's nested= option, as the scenario tells the suite (guest option
 * nested=off; the default, like Nestor's, is on): VMX shown or hidden. */
static bool nested_on(void)
{
	return !rt_option_is("nested", "off");
}

static void test_cpuid_vmx(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	CHECK(!!(r.ecx & CPUID_1_ECX_VMX) == nested_on(),
	      "CPUID.01H:ECX.VMX[bit 5] = %u with nested=%s (ECX %#x)",
	      !!(r.ecx & CPUID_1_ECX_VMX), nested_on() ? "on" : "off", r.ecx);
	CHECK(r.ecx & (1U << 31), "CPUID.01H:ECX[bit 31] (hypervisor present) "
	      "= 0, expected 1 (ECX %#x)", r.ecx);
}

static void test_cpuid_hypervisor_leaf(void)
{
	char sig[13];
	uint32_t max = rt_hv_signature(sig);

	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '.';
	CHECK(max == NESTOR_CPUID_MAX_LEAF, "CPUID.40000000H:EAX = %#x, "
	      "expected %#x", max, NESTOR_CPUID_MAX_LEAF);
	CHECK(memcmp(sig, NESTOR_CPUID_SIGNATURE, 12) == 0, "signature \"%s\", "
	      "expected \"%s\"", sig, NESTOR_CPUID_SIGNATURE);
}

/* ------------------------------------------------------------------------
 * MSRs */

/* nested=on: IA32_VMX_BASIC reads (a revision, bit 31 clear, a 4-KByte
 * region, SDM A.1) and is read-only; nested=off: #GP as without VMX. */
static void test_msr_vmx_basic(void)
{
	struct rt_exception e;
	uint64_t v;

	if (nested_on()) {
		REQUIRE(rdmsr_safe(MSR_IA32_VMX_BASIC, &v, &e) == RT_NO_EXCEPTION,
			"RDMSR IA32_VMX_BASIC raised %s", rt_vector_name(e.vector));
		CHECK(!(v & (1ull << 31)) && (v & 0x7fffffff),
		      "IA32_VMX_BASIC %#lx: bad revision identifier", v);
		CHECK(((v >> 32) & 0x1fff) == 4096, "IA32_VMX_BASIC %#lx: "
		      "VMCS region size is not 4096", v);
		CHECK(wrmsr_safe(MSR_IA32_VMX_BASIC, v, &e) == VEC_GP,
		      "WRMSR IA32_VMX_BASIC: %s, expected #GP",
		      rt_vector_name(e.vector));
		return;
	}
	if (rdmsr_safe(MSR_IA32_VMX_BASIC, &v, &e) == RT_NO_EXCEPTION) {
		rt_fail("RDMSR IA32_VMX_BASIC read %#lx, expected #GP", v);
		return;
	}
	REQUIRE(e.vector == VEC_GP, "RDMSR IA32_VMX_BASIC raised %s, expected "
		"#GP", rt_vector_name(e.vector));
	CHECK(e.error_code == 0, "#GP error code %#lx, expected 0",
	      e.error_code);
}

static void test_msr_feature_control(void)
{
	struct rt_exception e;
	uint64_t v;

	REQUIRE(rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v, &e) == RT_NO_EXCEPTION,
		"RDMSR IA32_FEATURE_CONTROL raised %s", rt_vector_name(e.vector));
	rt_note("IA32_FEATURE_CONTROL = %#lx", v);
	CHECK(v & FEATURE_CONTROL_LOCKED, "lock bit 0 is 0, expected 1");
	/* nested=on: VMX outside SMX enabled as firmware leaves it; SMX is
	 * hidden, so never inside (SDM Vol. 3C 23.7). */
	CHECK(!(v & FEATURE_CONTROL_VMX_INSIDE_SMX),
	      "VMX-inside-SMX bit 1 set (%#lx), expected 0", v);
	CHECK(!!(v & FEATURE_CONTROL_VMX_OUTSIDE_SMX) == nested_on(),
	      "VMX-outside-SMX bit 2 is %u with nested=%s (%#lx)",
	      !!(v & FEATURE_CONTROL_VMX_OUTSIDE_SMX),
	      nested_on() ? "on" : "off", v);
	CHECK(wrmsr_safe(MSR_IA32_FEATURE_CONTROL, v, &e) == VEC_GP,
	      "WRMSR IA32_FEATURE_CONTROL: %s, expected #GP",
	      rt_vector_name(e.vector));
}

static void test_msr_nonexistent_gp(void)
{
	struct rt_exception e;
	uint64_t v;

	CHECK(rdmsr_safe(MSR_NONEXISTENT, &v, &e) == VEC_GP,
	      "RDMSR %#x: %s, expected #GP", MSR_NONEXISTENT,
	      rt_vector_name(e.vector));
}

/* IA32_SYSENTER_ESP is passed through: it works and exits to nobody. */
static void test_msr_passthrough_no_exit(void)
{
	const uint64_t value = 0x00007ffdeadbeef0ULL; /* canonical */
	uint64_t saved, rd0, wr0, rd1, wr1, back;
	struct rt_exception e;

	REQUIRE(rdmsr_safe(MSR_SYSENTER_ESP, &saved, &e) == RT_NO_EXCEPTION,
		"RDMSR IA32_SYSENTER_ESP raised %s", rt_vector_name(e.vector));
	if (!exit_count(EXIT_REASON_RDMSR, &rd0) ||
	    !exit_count(EXIT_REASON_WRMSR, &wr0))
		return;
	wrmsr(MSR_SYSENTER_ESP, value);
	back = rdmsr(MSR_SYSENTER_ESP);
	if (!exit_count(EXIT_REASON_RDMSR, &rd1) ||
	    !exit_count(EXIT_REASON_WRMSR, &wr1))
		goto restore;
	CHECK(back == value, "IA32_SYSENTER_ESP read back %#lx, wrote %#lx",
	      back, value);
	CHECK(rd1 == rd0, "RDMSR exits went from %lu to %lu, expected no exit",
	      rd0, rd1);
	CHECK(wr1 == wr0, "WRMSR exits went from %lu to %lu, expected no exit",
	      wr0, wr1);
restore:
	wrmsr(MSR_SYSENTER_ESP, saved);
}

/* IA32_FEATURE_CONTROL is intercepted: one RDMSR, one exit. */
static void test_msr_intercept_counted(void)
{
	uint64_t before, after, v;
	struct rt_exception e;
	int vec;

	if (!exit_count(EXIT_REASON_RDMSR, &before))
		return;
	vec = rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v, &e);
	if (!exit_count(EXIT_REASON_RDMSR, &after))
		return;
	CHECK(vec == RT_NO_EXCEPTION, "RDMSR IA32_FEATURE_CONTROL raised %s",
	      rt_vector_name(vec));
	CHECK(after == before + 1, "RDMSR exits went from %lu to %lu, expected "
	      "exactly one more", before, after);
}

/* ------------------------------------------------------------------------
 * Serial port, control registers */

static void test_serial_scratch(void)
{
	static const uint8_t values[] = { 0xa5, 0x5a, 0x00, 0xff, 0x3c };
	const uint16_t scr = RT_COM1 + 7;

	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		uint8_t got;

		outb(scr, values[i]);
		got = inb(scr);
		REQUIRE(got == values[i], "COM1 scratch register read %#x after "
			"writing %#x", got, values[i]);
	}
}

static void set_cr4(void *arg)
{
	write_cr4(*(const uint64_t *)arg);
}

static void test_cr4_vmxe(void)
{
	uint64_t cr4 = read_cr4(), want = cr4 | CR4_VMXE;
	struct rt_exception e;

	CHECK(!(cr4 & CR4_VMXE), "CR4.VMXE reads 1 (CR4 %#lx)", cr4);
	/* QEMU 7.2's TCG loops forever on this MOV to CR4 instead of raising
	 * #GP (seen natively; cf. hermit-os/kernel issue #273). */
	REQUIRE(!hypervisor_is("TCGTCGTCGTCG"), "not attempted under QEMU TCG "
		"(setting CR4.VMXE hangs it)");
	if (nested_on()) {
		/* Outside VMX operation CR4.VMXE can be set and cleared. */
		write_cr4(want);
		CHECK(read_cr4() == want, "CR4 %#lx after setting VMXE, expected "
		      "%#lx", read_cr4(), want);
		write_cr4(cr4);
		CHECK(read_cr4() == cr4, "CR4 %#lx after clearing VMXE, expected "
		      "%#lx", read_cr4(), cr4);
		return;
	}
	if (expect_exception(VEC_GP, set_cr4, &want, &e))
		return;
	if (e.vector == RT_NO_EXCEPTION)
		write_cr4(cr4 & ~CR4_VMXE);
	rt_fail("setting CR4.VMXE: %s, expected #GP", rt_vector_name(e.vector));
}

static void test_cr0_ne(void)
{
	uint64_t cr0 = read_cr0(), got;

	write_cr0(cr0 & ~CR0_NE);
	got = read_cr0();
	CHECK(!(got & CR0_NE), "CR0.NE reads 1 after clearing it (CR0 %#lx)",
	      got);
	write_cr0(cr0 | CR0_NE);
	got = read_cr0();
	CHECK(got & CR0_NE, "CR0.NE reads 0 after setting it (CR0 %#lx)", got);
	write_cr0(cr0);
}

/* ------------------------------------------------------------------------
 * Exceptions: each must reach the guest's IDT with its vector, error code
 * and (faults) the faulting instruction's address. */

static void raise_de(void *arg)
{
	__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"
			     "mov %%rax, (%0)\n\t"
			     "xor %%ecx, %%ecx\n\t"
			     "xor %%edx, %%edx\n\t"
			     "mov $1, %%eax\n"
			     "1:\tdiv %%ecx"
			     :
			     : "r"(arg)
			     : "rax", "rcx", "rdx", "memory");
}

static void raise_ud(void *arg)
{
	__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"
			     "mov %%rax, (%0)\n"
			     "1:\tud2"
			     :
			     : "r"(arg)
			     : "rax", "memory");
}

static void raise_bp(void *arg)
{
	__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"
			     "mov %%rax, (%0)\n\t"
			     "int3\n"
			     "1:"
			     :
			     : "r"(arg)
			     : "rax", "memory");
}

static void raise_gp_noncanonical(void *arg)
{
	__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"
			     "mov %%rax, (%0)\n\t"
			     "movabs $0x8000000000000000, %%rax\n"
			     "1:\tmov (%%rax), %%rax"
			     :
			     : "r"(arg)
			     : "rax", "memory");
}

/* Expects `vector` with error code `err` (or any if err < 0) reported at
 * the address the raiser stored. */
static void check_exception(void (*raise)(void *), int vector, long err)
{
	uint64_t where = 0;
	struct rt_exception e;

	REQUIRE(expect_exception(vector, raise, &where, &e), "got %s, expected "
		"%s", rt_vector_name(e.vector), rt_vector_name(vector));
	CHECK(e.rip == where, "reported RIP %#lx, expected %#lx", e.rip, where);
	if (err >= 0)
		CHECK(e.error_code == (uint64_t)err, "error code %#lx, expected "
		      "%#lx", e.error_code, err);
}

static void test_exc_de(void)
{
	check_exception(raise_de, VEC_DE, -1);
}

static void test_exc_ud(void)
{
	check_exception(raise_ud, VEC_UD, -1);
}

static void test_exc_bp(void)
{
	check_exception(raise_bp, VEC_BP, -1);
}

static void test_exc_gp_noncanonical(void)
{
	check_exception(raise_gp_noncanonical, VEC_GP, 0);
}

static uint8_t pf_page[4096] __attribute__((aligned(4096)));

static void write_probe(void *arg)
{
	*(volatile uint64_t *)arg = 1;
}

static void read_probe(void *arg)
{
	(void)*(volatile uint64_t *)arg;
}

/* #PF with CR2 = addr and exactly error code `err`. */
static void check_pf(void (*access)(void *), uint64_t addr, uint32_t err)
{
	struct rt_exception e;

	if (!expect_exception(VEC_PF, access, (void *)addr, &e)) {
		rt_fail("access to %#lx: %s, expected #PF", addr,
			rt_vector_name(e.vector));
		return;
	}
	CHECK(e.cr2 == addr, "CR2 %#lx, expected %#lx", e.cr2, addr);
	CHECK(e.error_code == err, "#PF error code %#lx, expected %#x",
	      e.error_code, err);
}

static void test_exc_pf_not_present(void)
{
	uint64_t va = (uint64_t)pf_page, addr = va + 0x128;

	REQUIRE(rt_map_4k(va, 0), "cannot get a PTE for %#lx", va);
	check_pf(write_probe, addr, PF_ERR_W);
	check_pf(read_probe, addr, 0);
	rt_identity_4k(va, PTE_P | PTE_RW);
	pf_page[0x128] = 1; /* mapped again */
}

static void test_exc_pf_reserved_bit(void)
{
	uint64_t va = (uint64_t)pf_page, addr = va + 0x40;
	unsigned maxphy = rt_maxphyaddr();

	if (maxphy >= 52) {
		rt_skip("MAXPHYADDR %u: no reserved address bit to set", maxphy);
		return;
	}
	REQUIRE(rt_map_4k(va, va | PTE_P | PTE_RW | (1ULL << maxphy)),
		"cannot get a PTE for %#lx", va);
	/* SDM Vol. 3A, 4.7: RSVD "can be set only if bit 0 is also set".
	 * (QEMU 7.2's TCG reports 0x8 here; Bochs and hardware 0x9.) */
	check_pf(read_probe, addr, PF_ERR_P | PF_ERR_RSVD);
	rt_identity_4k(va, PTE_P | PTE_RW);
}

/* ------------------------------------------------------------------------
 * Physical-address width. Nestor's guest_maxphyaddr=N gives the guest a
 * narrower MAXPHYADDR than the host's; the scenario then passes the suite
 * maxphyaddr=N. Tests use N, or CPUID's width without the option (the
 * host's own reserved bits: the same rules, enforced by the CPU alone).
 *
 * Each paging test builds a private hierarchy under PML4 slot PRIV_SLOT
 * (canonical lower half, unused by the runtime's identity map): its own
 * PDPT, page directory and page table, a 4 KiB leaf to priv_page or a
 * 2 MiB / 1 GiB leaf to the large page holding priv_page (wherever the
 * image is linked), all P|RW|US, then changes one entry
 * and probes with a read, an instruction fetch, a read at CPL 3 and a
 * write. SDM Vol. 3A, 4.5 (Tables 4-14 to 4-20): address bits
 * 51:MAXPHYADDR of every entry are reserved; 4.7: a reserved bit gives
 * #PF with P = 1 and RSVD = 1, plus W, U/S and I as for any #PF. */

#define PRIV_SLOT 200
#define PRIV_VA ((uint64_t)PRIV_SLOT << 39)
#define PRIV_PROBE 0x100  /* where the fault probes point, in the page */
#define PRIV_DATA 0x80    /* a data qword for the alias checks */
#define X86_RET 0xc3
#define PTE_ALL_USER (PTE_P | PTE_RW | PTE_US)
#define GIB (1ULL << 30)

/* SDM Vol. 2A, CPUID; Vol. 4, Table 2-2; Vol. 3A, 12.11. */
#define CPUID_1_EDX_MTRR (1U << 12)
#define CPUID_EXT_EDX_PAGE1GB (1U << 26)
#define MSR_MTRRCAP 0xfe
#define MTRRCAP_VCNT 0xffULL
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_PHYSMASK0 0x201
#define MAX_RSVD_BITS 4

enum priv_leaf { LEAF_4K, LEAF_2M, LEAF_1G };

/* Where a reserved bit goes: the entry at one level of the hierarchy. */
enum priv_level { AT_PML4E, AT_PDPTE, AT_PDE, AT_PTE, AT_2M_PDE, AT_1G_PDPTE };

enum access { ACC_READ, ACC_FETCH, ACC_USER_READ, ACC_WRITE };

static const char *const access_names[] = {
	[ACC_READ] = "read", [ACC_FETCH] = "fetch",
	[ACC_USER_READ] = "CPL-3 read", [ACC_WRITE] = "write",
};

static uint64_t priv_pdpt[512] __attribute__((aligned(4096)));
static uint64_t priv_pd[512] __attribute__((aligned(4096)));
static uint64_t priv_pt[512] __attribute__((aligned(4096)));
static uint8_t priv_page[4096] __attribute__((aligned(4096)));

/* The width under test: *n = maxphyaddr=N (then *reduced), else CPUID's.
 * Fails the test on a malformed option. */
static bool width_under_test(unsigned *n, bool *reduced)
{
	uint64_t v = 0;
	bool bad;

	*reduced = rt_option_uint("maxphyaddr", &v, &bad);
	if (!CHECK(!bad && (!*reduced || (v >= 32 && v <= 52)),
		   "maxphyaddr= wants a number in 32..52"))
		return false;
	*n = *reduced ? (unsigned)v : rt_maxphyaddr();
	return true;
}

/* Reserved address bits to try at width n: n (the lowest), 37 and 38
 * (below Bochs' host width of 40: only Nestor can make them fault), 51 (the
 * highest). Returns how many. */
static unsigned reserved_bits(unsigned n, unsigned bits[MAX_RSVD_BITS])
{
	static const unsigned fixed[] = { 37, 38, 51 };
	unsigned k = 0;

	if (n < 52)
		bits[k++] = n;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (fixed[i] > n)
			bits[k++] = fixed[i];
	return k;
}

static bool has_1g_pages(void)
{
	return cpuid(0x80000000, 0).eax >= 0x80000001 &&
	       (cpuid(0x80000001, 0).edx & CPUID_EXT_EDX_PAGE1GB);
}

/* SDM Vol. 3A, 4.7: I is reported for a fetch only when CR4.SMEP = 1 or
 * (PAE paging and) IA32_EFER.NXE = 1. */
static bool fetch_sets_i(void)
{
	return (rdmsr(MSR_EFER) & EFER_NXE) || (read_cr4() & CR4_SMEP);
}

static uint64_t *cur_pml4(void)
{
	return (uint64_t *)(read_cr3() & PTE_ADDR_MASK);
}

/* The physical base of the large page of `size` holding priv_page. */
static uint64_t priv_large_base(uint64_t size)
{
	return ALIGN_DOWN((uint64_t)priv_page, size);
}

/* Builds the private hierarchy with the given leaf (every entry P|RW|US)
 * and flushes the TLB. priv_page is all RET instructions, so a fetch that
 * wrongly succeeds comes straight back. */
static void priv_map(enum priv_leaf leaf)
{
	memset(priv_pdpt, 0, sizeof(priv_pdpt));
	memset(priv_pd, 0, sizeof(priv_pd));
	memset(priv_pt, 0, sizeof(priv_pt));
	memset(priv_page, X86_RET, sizeof(priv_page));
	if (leaf == LEAF_1G) {
		priv_pdpt[0] = priv_large_base(GIB) | PTE_ALL_USER | PTE_PS;
	} else {
		priv_pdpt[0] = (uint64_t)priv_pd | PTE_ALL_USER;
		if (leaf == LEAF_2M) {
			priv_pd[0] = priv_large_base(2 * MIB) | PTE_ALL_USER |
				     PTE_PS;
		} else {
			priv_pd[0] = (uint64_t)priv_pt | PTE_ALL_USER;
			priv_pt[0] = (uint64_t)priv_page | PTE_ALL_USER;
		}
	}
	cur_pml4()[PRIV_SLOT] = (uint64_t)priv_pdpt | PTE_ALL_USER;
	write_cr3(read_cr3());
}

static void priv_unmap(void)
{
	cur_pml4()[PRIV_SLOT] = 0;
	write_cr3(read_cr3());
}

/* The private address that shows priv_page + off: the 4 KiB leaf maps
 * priv_page itself, the large leaves the large page holding it (the image
 * is identity-mapped). */
static uint64_t priv_addr(enum priv_leaf leaf, uint64_t off)
{
	uint64_t in_page = leaf == LEAF_4K ? 0 :
		(uint64_t)priv_page - priv_large_base(leaf == LEAF_2M ? 2 * MIB : GIB);

	return PRIV_VA + in_page + off;
}

static uint64_t *priv_entry(enum priv_level lvl)
{
	switch (lvl) {
	case AT_PML4E:
		return &cur_pml4()[PRIV_SLOT];
	case AT_PDPTE:
	case AT_1G_PDPTE:
		return &priv_pdpt[0];
	case AT_PDE:
	case AT_2M_PDE:
		return &priv_pd[0];
	case AT_PTE:
		return &priv_pt[0];
	}
	return NULL;
}

static enum priv_leaf level_leaf(enum priv_level lvl)
{
	return lvl == AT_2M_PDE ? LEAF_2M : lvl == AT_1G_PDPTE ? LEAF_1G : LEAF_4K;
}

static void fetch_probe(void *arg)
{
	((void (*)(void))arg)();
}

/* Run at CPL 3 by rt_user_call(): short and calls nothing (rt/user.h). */
static void user_read_probe(void *arg)
{
	(void)*(volatile uint64_t *)arg;
}

static void user_write_probe(void *arg)
{
	*(volatile uint64_t *)arg = 1;
}

/* user_copy: copies the qword at arg to arg + 8, at CPL 3. */
static void user_copy_probe(void *arg)
{
	volatile uint64_t *p = arg;

	p[1] = p[0];
}

/* Performs one access to va; returns the vector it raised. */
static int do_access(enum access acc, uint64_t va, struct rt_exception *e)
{
	switch (acc) {
	case ACC_READ:
		return rt_catch(read_probe, (void *)va, e);
	case ACC_FETCH:
		return rt_catch(fetch_probe, (void *)va, e);
	case ACC_USER_READ:
		return rt_user_call(user_read_probe, (void *)va, e);
	case ACC_WRITE:
		return rt_catch(write_probe, (void *)va, e);
	}
	return RT_NO_EXCEPTION;
}

/* The error code for `acc` given the bits every access gets (P, RSVD). */
static uint32_t pf_error(uint32_t base, enum access acc)
{
	switch (acc) {
	case ACC_WRITE:
		return base | PF_ERR_W;
	case ACC_USER_READ:
		return base | PF_ERR_U;
	case ACC_FETCH:
		return base | (fetch_sets_i() ? PF_ERR_I : 0);
	case ACC_READ:
		break;
	}
	return base;
}

/* `acc` to va must raise #PF with CR2 = va and error code `err` (and, for
 * a fetch, RIP = va). `what` says what was set up, for the message. */
static void expect_pf_at(const char *what, enum access acc, uint64_t va,
			 uint32_t err)
{
	struct rt_exception e;
	int v = do_access(acc, va, &e);

	if (v != VEC_PF) {
		rt_fail("%s: %s of %#lx: %s, expected #PF error code %#x", what,
			access_names[acc], va, rt_vector_name(v), err);
		return;
	}
	CHECK(e.error_code == err, "%s: %s of %#lx: #PF error code %#lx, "
	      "expected %#x", what, access_names[acc], va, e.error_code, err);
	CHECK(e.cr2 == va, "%s: %s of %#lx: CR2 %#lx", what, access_names[acc],
	      va, e.cr2);
	if (acc == ACC_FETCH)
		CHECK(e.rip == va, "%s: fetch of %#lx: RIP %#lx", what, va,
		      e.rip);
}

/* `acc` to va must not fault. */
static void expect_no_fault(const char *what, enum access acc, uint64_t va)
{
	struct rt_exception e;
	int v = do_access(acc, va, &e);

	CHECK(v == RT_NO_EXCEPTION, "%s: %s of %#lx: %s (error code %#lx, "
	      "CR2 %#lx), expected no fault", what, access_names[acc], va,
	      rt_vector_name(v), e.error_code, e.cr2);
}

/* All four accesses to va: #PF with P|RSVD (+ W, U, I). */
static void expect_rsvd_all(const char *what, uint64_t va)
{
	static const enum access order[] = {
		ACC_READ, ACC_FETCH, ACC_USER_READ, ACC_WRITE,
	};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		expect_pf_at(what, order[i], va,
			     pf_error(PF_ERR_P | PF_ERR_RSVD, order[i]));
}

/* Sets each reserved bit in turn in the entry at `lvl` and expects a
 * reserved-bit #PF for every access through it. */
static void test_rsvd_at(enum priv_level lvl, const char *name)
{
	unsigned n, bits[MAX_RSVD_BITS], nbits;
	enum priv_leaf leaf = level_leaf(lvl);
	uint64_t va = priv_addr(leaf, PRIV_PROBE);
	char what[64];
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	nbits = reserved_bits(n, bits);
	if (nbits == 0) {
		rt_skip("MAXPHYADDR %u leaves no reserved address bit", n);
		return;
	}
	if (!reduced)
		rt_note("no maxphyaddr= option: CPUID's MAXPHYADDR %u", n);
	for (unsigned i = 0; i < nbits; i++) {
		uint64_t *e;

		priv_map(leaf);
		e = priv_entry(lvl);
		*e |= 1ULL << bits[i];
		rt_invlpg(va);
		fmt_snprintf(what, sizeof(what), "%s bit %u", name, bits[i]);
		expect_rsvd_all(what, va);
	}
	priv_unmap();
}

static void test_maxphy_rsvd_pml4e(void)
{
	test_rsvd_at(AT_PML4E, "PML4E");
}

static void test_maxphy_rsvd_pdpte(void)
{
	test_rsvd_at(AT_PDPTE, "PDPTE");
}

static void test_maxphy_rsvd_pde(void)
{
	test_rsvd_at(AT_PDE, "PDE");
}

static void test_maxphy_rsvd_pte(void)
{
	test_rsvd_at(AT_PTE, "PTE");
}

static void test_maxphy_rsvd_2m(void)
{
	test_rsvd_at(AT_2M_PDE, "2 MiB PDE");
}

static void test_maxphy_rsvd_1g(void)
{
	if (!has_1g_pages()) {
		rt_skip("no 1 GiB pages (CPUID.80000001H:EDX[26] = 0)");
		return;
	}
	test_rsvd_at(AT_1G_PDPTE, "1 GiB PDPTE");
}

/* CR0.WP = 1, so supervisor writes honour R/W (SDM Vol. 3A, 4.6.1);
 * returns the CR0 to restore. */
static uint64_t set_wp(void)
{
	uint64_t cr0 = read_cr0();

	write_cr0(cr0 | CR0_WP);
	return cr0;
}

/* A reserved bit wins over the access rights (SDM Vol. 3A, 4.7: RSVD is
 * reported whenever a reserved bit is set, and then P = 1): a write to a
 * read-only page, a CPL-3 read of a supervisor page and (NXE) a fetch from
 * an XD page each give the RSVD error code, not the protection one. */
static void test_maxphy_rsvd_protection(void)
{
	unsigned n, bits[MAX_RSVD_BITS], nbits;
	uint64_t va = priv_addr(LEAF_4K, PRIV_PROBE), cr0;
	const uint32_t rsvd = PF_ERR_P | PF_ERR_RSVD;
	bool reduced, nx = rdmsr(MSR_EFER) & EFER_NXE;

	if (!width_under_test(&n, &reduced))
		return;
	nbits = reserved_bits(n, bits);
	if (nbits == 0) {
		rt_skip("MAXPHYADDR %u leaves no reserved address bit", n);
		return;
	}
	cr0 = set_wp();
	for (unsigned i = 0; i < nbits; i++) {
		uint64_t bit = 1ULL << bits[i];
		char what[64];

		priv_map(LEAF_4K);
		priv_pt[0] = (uint64_t)priv_page | PTE_P | PTE_US | bit;
		rt_invlpg(va);
		fmt_snprintf(what, sizeof(what), "read-only PTE + bit %u", bits[i]);
		expect_pf_at(what, ACC_WRITE, va, rsvd | PF_ERR_W);

		priv_pt[0] = (uint64_t)priv_page | PTE_P | PTE_RW | bit;
		rt_invlpg(va);
		fmt_snprintf(what, sizeof(what), "supervisor PTE + bit %u", bits[i]);
		expect_pf_at(what, ACC_USER_READ, va, rsvd | PF_ERR_U);

		if (nx) {
			priv_pt[0] = (uint64_t)priv_page | PTE_ALL_USER | PTE_XD | bit;
			rt_invlpg(va);
			fmt_snprintf(what, sizeof(what), "XD PTE + bit %u", bits[i]);
			expect_pf_at(what, ACC_FETCH, va, rsvd | PF_ERR_I);
		}
	}
	priv_unmap();
	write_cr0(cr0);
}

/* A final physical address at or above 2^N: leaves that point there. */
static void test_maxphy_final_high(void)
{
	unsigned n;
	uint64_t high, va4k = priv_addr(LEAF_4K, PRIV_PROBE);
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	if (n >= 52) {
		rt_skip("MAXPHYADDR %u: no address above it", n);
		return;
	}
	high = 1ULL << n;

	priv_map(LEAF_4K);
	priv_pt[0] = high | PTE_ALL_USER;
	rt_invlpg(va4k);
	expect_rsvd_all("PTE to 2^N", va4k);

	priv_pt[0] = (PTE_ADDR_MASK & ~(high - 1)) | PTE_ALL_USER;
	rt_invlpg(va4k);
	expect_rsvd_all("PTE to the top page 2^52 - 4 KiB", va4k);

	priv_map(LEAF_2M);
	priv_pd[0] = high | PTE_ALL_USER | PTE_PS;
	rt_invlpg(PRIV_VA + PRIV_PROBE);
	expect_rsvd_all("2 MiB PDE to 2^N", PRIV_VA + PRIV_PROBE);

	if (has_1g_pages() && n >= 30) {
		priv_map(LEAF_1G);
		priv_pdpt[0] = high | PTE_ALL_USER | PTE_PS;
		rt_invlpg(PRIV_VA + PRIV_PROBE);
		expect_rsvd_all("1 GiB PDPTE to 2^N", PRIV_VA + PRIV_PROBE);
	}
	priv_unmap();
}

/* Reads the qword at priv_page + PRIV_DATA through `leaf`'s alias. */
static void check_alias_read(enum priv_leaf leaf, const char *what)
{
	const uint64_t pattern = 0x0123456789abcdefULL ^ (uint64_t)leaf;
	uint64_t got;

	priv_map(leaf);
	*(volatile uint64_t *)&priv_page[PRIV_DATA] = pattern;
	got = *(volatile uint64_t *)priv_addr(leaf, PRIV_DATA);
	CHECK(got == pattern, "%s alias read %#lx, expected %#lx", what, got,
	      pattern);
}

/* What must not change: memory through a private alias (4 KiB, 2 MiB,
 * 1 GiB leaves; read, write, fetch, CPL 3), not-present faults (error code
 * U|W only, SDM Vol. 3A, 4.7) and protection faults (P|W|U). */
static void test_maxphy_unchanged(void)
{
	uint64_t va = priv_addr(LEAF_4K, PRIV_PROBE);
	uint64_t data = priv_addr(LEAF_4K, PRIV_DATA), cr0;
	volatile uint64_t *direct = (volatile uint64_t *)&priv_page[PRIV_DATA];
	bool nx = rdmsr(MSR_EFER) & EFER_NXE;

	check_alias_read(LEAF_2M, "2 MiB");
	if (has_1g_pages())
		check_alias_read(LEAF_1G, "1 GiB");
	check_alias_read(LEAF_4K, "4 KiB");
	*(volatile uint64_t *)data = 0xfeedfacecafebeefULL;
	CHECK(*direct == 0xfeedfacecafebeefULL, "write through the alias: "
	      "priv_page holds %#lx", *direct);
	expect_no_fault("4 KiB alias", ACC_FETCH, va);
	expect_no_fault("4 KiB alias", ACC_USER_READ, va);
	CHECK(rt_user_call(user_copy_probe, (void *)data, NULL) ==
	      RT_NO_EXCEPTION && direct[1] == 0xfeedfacecafebeefULL,
	      "CPL-3 copy through the alias: priv_page holds %#lx", direct[1]);

	cr0 = set_wp();
	priv_pt[0] = 0;
	rt_invlpg(va);
	expect_pf_at("not-present PTE", ACC_READ, va, 0);
	expect_pf_at("not-present PTE", ACC_WRITE, va, PF_ERR_W);
	expect_pf_at("not-present PTE", ACC_USER_READ, va, PF_ERR_U);
	expect_pf_at("not-present PTE", ACC_FETCH, va, pf_error(0, ACC_FETCH));

	priv_pt[0] = (uint64_t)priv_page | PTE_P | PTE_US;
	rt_invlpg(va);
	expect_pf_at("read-only PTE", ACC_WRITE, va, PF_ERR_P | PF_ERR_W);
	CHECK(rt_user_call(user_write_probe, (void *)va, NULL) == VEC_PF,
	      "read-only PTE: CPL-3 write did not fault");
	expect_no_fault("read-only PTE", ACC_USER_READ, va);

	priv_pt[0] = (uint64_t)priv_page | PTE_P | PTE_RW;
	rt_invlpg(va);
	expect_pf_at("supervisor PTE", ACC_USER_READ, va, PF_ERR_P | PF_ERR_U);
	expect_no_fault("supervisor PTE", ACC_READ, va);

	if (nx) {
		priv_pt[0] = (uint64_t)priv_page | PTE_ALL_USER | PTE_XD;
		rt_invlpg(va);
		expect_pf_at("XD PTE", ACC_FETCH, va, PF_ERR_P | PF_ERR_I);
		expect_no_fault("XD PTE", ACC_READ, va);
	}
	priv_unmap();
	write_cr0(cr0);
}

/* CPUID.80000008H:EAX[7:0] is the guest's MAXPHYADDR (SDM Vol. 2A,
 * CPUID). */
static void test_maxphy_cpuid(void)
{
	unsigned n;
	uint32_t eax;
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	REQUIRE(cpuid(0x80000000, 0).eax >= 0x80000008, "no CPUID leaf "
		"80000008H (max extended leaf %#x)", cpuid(0x80000000, 0).eax);
	eax = cpuid(0x80000008, 0).eax;
	rt_note("CPUID.80000008H:EAX = %#x (physical %u, linear %u bits)", eax,
		eax & 0xff, (eax >> 8) & 0xff);
	if (reduced)
		CHECK((eax & 0xff) == n, "MAXPHYADDR %u, expected %u "
		      "(maxphyaddr=)", eax & 0xff, n);
	else
		CHECK((eax & 0xff) >= 32 && (eax & 0xff) <= 52,
		      "MAXPHYADDR %u is not in 32..52", eax & 0xff);
}

static void set_cr3(void *arg)
{
	write_cr3(*(const uint64_t *)arg);
}

/* SDM Vol. 3A, 4.5 (Table 4-12) and Vol. 2B, MOV to CR: in 64-bit mode a
 * CR3 with a bit set in 63:MAXPHYADDR (bit 63 aside with PCIDE) raises
 * #GP(0). Only with maxphyaddr=: at CPUID's width the bits tried would be
 * valid. The value is otherwise the current, valid CR3. */
static void test_maxphy_cr3_gp(void)
{
	unsigned n, bits[MAX_RSVD_BITS], nbits;
	uint64_t cr3 = read_cr3();
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	if (!reduced) {
		rt_skip("needs maxphyaddr=");
		return;
	}
	nbits = reserved_bits(n, bits);
	for (unsigned i = 0; i < nbits; i++) {
		uint64_t bad = cr3 | (1ULL << bits[i]);
		struct rt_exception e;

		/* If this is wrongly accepted, the next fetch walks from a
		 * physical address the guest does not have: say what ran. */
		rt_note("MOV %#lx (bit %u) to CR3: expecting #GP(0)", bad,
			bits[i]);
		if (!expect_exception(VEC_GP, set_cr3, &bad, &e)) {
			if (e.vector == RT_NO_EXCEPTION)
				write_cr3(cr3);
			rt_fail("MOV %#lx to CR3: %s, expected #GP", bad,
				rt_vector_name(e.vector));
			continue;
		}
		CHECK(e.error_code == 0, "bit %u: #GP error code %#lx, "
		      "expected 0", bits[i], e.error_code);
		CHECK(read_cr3() == cr3, "CR3 %#lx after the #GP, expected "
		      "%#lx", read_cr3(), cr3);
	}
}

/* An MSR that holds a physical address, with bits 63:MAXPHYADDR reserved
 * (IA32_MTRR_PHYSBASEn/PHYSMASKn: SDM Vol. 3A, 12.11.3, Figures 12-8 and
 * 12-9; IA32_APIC_BASE: 11.4.4, Figure 11-5): the value read has no bit at
 * or above the width, so a guest can write back what it read; a write with
 * a reserved address bit set on top of that valid value raises #GP(0) and
 * changes nothing. */
static void check_width_msr(uint32_t msr, unsigned n, const unsigned *bits,
			   unsigned nbits)
{
	struct rt_exception e;
	uint64_t val, valid, again;

	if (rdmsr_safe(msr, &val, &e) != RT_NO_EXCEPTION) {
		rt_fail("RDMSR %#x raised %s", msr, rt_vector_name(e.vector));
		return;
	}
	rt_note("MSR %#x = %#lx", msr, val);
	valid = val & ((1ULL << n) - 1);
	CHECK(val == valid, "MSR %#x reads %#lx: bits at or above %u set", msr,
	      val, n);
	if (!CHECK(wrmsr_safe(msr, valid, &e) == RT_NO_EXCEPTION, "writing "
		   "MSR %#x = %#lx (the value read, within %u bits) raised %s",
		   msr, valid, n, rt_vector_name(e.vector)))
		return;
	for (unsigned i = 0; i < nbits; i++) {
		uint64_t bad = valid | (1ULL << bits[i]);

		if (wrmsr_safe(msr, bad, &e) != VEC_GP) {
			rt_fail("WRMSR %#x = %#lx: %s, expected #GP", msr, bad,
				rt_vector_name(e.vector));
			wrmsr_safe(msr, valid, &e);
			continue;
		}
		CHECK(e.error_code == 0, "WRMSR %#x = %#lx: #GP error code "
		      "%#lx", msr, bad, e.error_code);
		if (rdmsr_safe(msr, &again, &e) == RT_NO_EXCEPTION)
			CHECK(again == valid, "MSR %#x reads %#lx after the #GP, "
			      "expected %#lx", msr, again, valid);
	}
}

static void test_maxphy_mtrr_gp(void)
{
	unsigned n, bits[MAX_RSVD_BITS], nbits;
	struct rt_exception e;
	uint64_t cap;
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	if (!reduced) {
		rt_skip("needs maxphyaddr=");
		return;
	}
	if (!(cpuid(1, 0).edx & CPUID_1_EDX_MTRR)) {
		rt_skip("no MTRRs (CPUID.01H:EDX[12] = 0)");
		return;
	}
	REQUIRE(rdmsr_safe(MSR_MTRRCAP, &cap, &e) == RT_NO_EXCEPTION,
		"RDMSR IA32_MTRRCAP raised %s", rt_vector_name(e.vector));
	if ((cap & MTRRCAP_VCNT) == 0) {
		rt_skip("IA32_MTRRCAP %#lx: no variable ranges", cap);
		return;
	}
	nbits = reserved_bits(n, bits);
	check_width_msr(MSR_MTRR_PHYSBASE0, n, bits, nbits);
	check_width_msr(MSR_MTRR_PHYSMASK0, n, bits, nbits);
}

static void test_maxphy_apic_base_gp(void)
{
	unsigned n, bits[MAX_RSVD_BITS], nbits;
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	if (!reduced) {
		rt_skip("needs maxphyaddr=");
		return;
	}
	nbits = reserved_bits(n, bits);
	check_width_msr(MSR_APIC_BASE, n, bits, nbits);
}

/* Without guest_maxphyaddr, Nestor does not intercept #PF: protection,
 * not-present and (host) reserved-bit faults reach the guest's IDT without
 * an exception VM exit (basic exit reason 0). */
static void test_pf_no_exit_default(void)
{
	uint64_t va = (uint64_t)pf_page, addr = va + 0x40, before, after, cr0;
	unsigned n;
	bool reduced;

	if (!width_under_test(&n, &reduced))
		return;
	if (reduced) {
		rt_skip("maxphyaddr= given");
		return;
	}
	REQUIRE(rt_pte(va), "cannot get a PTE for %#lx", va);
	cr0 = set_wp();
	if (!exit_count(0, &before))
		goto out;
	rt_map_4k(va, va | PTE_P);
	check_pf(write_probe, addr, PF_ERR_P | PF_ERR_W);
	rt_map_4k(va, 0);
	check_pf(read_probe, addr, 0);
	if (n < 52) {
		rt_map_4k(va, va | PTE_P | PTE_RW | (1ULL << n));
		check_pf(read_probe, addr, PF_ERR_P | PF_ERR_RSVD);
	}
	rt_identity_4k(va, PTE_P | PTE_RW);
	if (!exit_count(0, &after))
		goto out;
	CHECK(after == before, "exception VM exits went from %lu to %lu "
	      "across three guest #PFs, expected no change", before, after);
out:
	write_cr0(cr0);
}

/* ------------------------------------------------------------------------
 * HLT woken by the local APIC timer (xAPIC, SDM Vol. 3A, 11.5.4) */

#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_X2APIC (1ULL << 10)
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_SVR_ENABLE (1U << 8)
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_MASKED (1U << 16)
#define APIC_TIMER_ICR 0x380
#define APIC_TIMER_CCR 0x390
#define APIC_TIMER_DCR 0x3e0
#define APIC_DIVIDE_BY_1 0xb
#define TIMER_VECTOR 0x40
#define TIMER_COUNT 100000

static uint64_t apic_mmio;
static volatile unsigned timer_irqs;
static volatile uint64_t timer_vector;

static uint32_t apic_read(unsigned reg)
{
	return *(volatile uint32_t *)(apic_mmio + reg);
}

static void apic_write(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(apic_mmio + reg) = v;
}

static void timer_handler(struct trap_frame *f)
{
	timer_irqs++;
	timer_vector = f->vector;
	apic_write(APIC_EOI, 0);
}

static void test_hlt_apic_timer(void)
{
	uint64_t base, ccr;
	struct rt_exception e;

	REQUIRE(rdmsr_safe(MSR_APIC_BASE, &base, &e) == RT_NO_EXCEPTION,
		"RDMSR IA32_APIC_BASE raised %s", rt_vector_name(e.vector));
	REQUIRE(!(base & APIC_BASE_X2APIC), "APIC in x2APIC mode (%#lx)", base);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	apic_mmio = base & PTE_ADDR_MASK;
	REQUIRE(apic_mmio < RT_IDENTITY_LIMIT, "APIC at %#lx", apic_mmio);
	REQUIRE(rt_identity_4k(apic_mmio, PTE_P | PTE_RW | PTE_PCD | PTE_PWT),
		"cannot map the APIC page uncached");

	timer_irqs = 0;
	timer_vector = 0;
	rt_set_irq_handler(TIMER_VECTOR, timer_handler);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	apic_write(APIC_TIMER_DCR, APIC_DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR); /* one-shot, unmasked */
	rt_note("STI;HLT with the APIC timer armed (vector %#x, count %u)",
		TIMER_VECTOR, TIMER_COUNT);
	apic_write(APIC_TIMER_ICR, TIMER_COUNT);
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	ccr = apic_read(APIC_TIMER_CCR);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	rt_set_irq_handler(TIMER_VECTOR, NULL);

	CHECK(timer_irqs == 1, "%u timer interrupt(s) after HLT, expected 1",
	      timer_irqs);
	CHECK(timer_irqs == 0 || timer_vector == TIMER_VECTOR,
	      "interrupt on vector %#lx, expected %#x", timer_vector,
	      TIMER_VECTOR);
	CHECK(ccr == 0, "timer current count %lu after HLT, expected 0", ccr);
}

/* An NMI sent to ourselves through the xAPIC ICR (physical destination =
 * own APIC ID, delivery mode NMI: SDM Vol. 3A, 11.6.1) must come back
 * through the guest's own IDT vector 2. Under Nestor (NMI exiting + virtual
 * NMIs) it arrives as a VM exit and is re-injected, so the exit count for
 * reason 0 (exception or NMI) grows. */
#define APIC_ID 0x20
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_NMI (4U << 8)
#define APIC_ICR_PENDING (1U << 12)

static volatile unsigned nmis;

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

static void test_nmi_self(void)
{
	uint64_t base, before = 0, after = 0;
	struct rt_exception e;

	REQUIRE(rdmsr_safe(MSR_APIC_BASE, &base, &e) == RT_NO_EXCEPTION,
		"RDMSR IA32_APIC_BASE raised %s", rt_vector_name(e.vector));
	apic_mmio = base & PTE_ADDR_MASK;
	REQUIRE(rt_identity_4k(apic_mmio, PTE_P | PTE_RW | PTE_PCD | PTE_PWT),
		"cannot map the APIC page uncached");
	if (!exit_count(0, &before))
		return;
	nmis = 0;
	rt_set_irq_handler(VEC_NMI, nmi_handler);
	apic_write(APIC_ICR_HIGH, apic_read(APIC_ID) & 0xff000000u);
	apic_write(APIC_ICR_LOW, APIC_ICR_NMI);
	for (unsigned spin = 0; spin < 100000 && !nmis; spin++)
		__asm__ __volatile__("pause");
	rt_set_irq_handler(VEC_NMI, NULL);
	if (!exit_count(0, &after))
		return;
	CHECK(nmis == 1, "%u NMI(s) reached the guest's IDT, expected 1", nmis);
	CHECK(after > before, "no exception-or-NMI VM exit (%lu -> %lu): the NMI did not go through Nestor",
	      before, after);
}

/* ------------------------------------------------------------------------
 * Hypercalls */

static void test_vmcall_version(void)
{
	const uint64_t b = 0x1111111111111111ULL, c = 0x2222222222222222ULL,
		       d = 0x3333333333333333ULL;
	struct rt_hc_regs r = { NESTOR_HC_VERSION, b, c, d };
	const uint64_t want = (NESTOR_VERSION_MAJOR << 16) | NESTOR_VERSION_MINOR;
	struct rt_exception e;

	REQUIRE(rt_vmcall(&r, &e), "VMCALL raised %s (not under Nestor?)",
		rt_vector_name(e.vector));
	CHECK(r.rax == want, "NESTOR_HC_VERSION returned %#lx, expected %#lx",
	      r.rax, want);
	CHECK(r.rbx == b && r.rcx == c && r.rdx == d, "RBX/RCX/RDX changed: "
	      "%#lx %#lx %#lx", r.rbx, r.rcx, r.rdx);
}

static void test_vmcall_print(void)
{
	static const char msg[] = "suite: hello from the guest via NESTOR_HC_PRINT";
	struct rt_exception e;
	int64_t ret;

	REQUIRE(rt_hypercall(NESTOR_HC_PRINT, (uint64_t)msg, sizeof(msg) - 1, 0,
			     &ret, &e),
		"VMCALL raised %s (not under Nestor?)", rt_vector_name(e.vector));
	CHECK(ret == (int64_t)sizeof(msg) - 1, "NESTOR_HC_PRINT returned %ld, "
	      "expected %zu", ret, sizeof(msg) - 1);
}

static void test_vmcall_unknown(void)
{
	struct rt_exception e;
	int64_t ret;

	REQUIRE(rt_hypercall(0x4eff, 0, 0, 0, &ret, &e),
		"VMCALL raised %s (not under Nestor?)", rt_vector_name(e.vector));
	CHECK(ret == NESTOR_HC_ENOSYS, "function 0x4eff returned %ld, expected "
	      "NESTOR_HC_ENOSYS (%ld)", ret, NESTOR_HC_ENOSYS);
}

/* ------------------------------------------------------------------------
 * Memory Nestor hides */

/* The first 16-byte aligned address in [start, end) holding Nestor's
 * sentinel pattern (~NESTOR_SENTINEL_INV0, ~NESTOR_SENTINEL_INV1), or end.
 * The pattern exists only in registers (r8, r10), built here at run time
 * and cleared before returning, so the guest never stores it anywhere. */
static uint64_t find_sentinel(uint64_t start, uint64_t end)
{
	uint64_t p = start;

	__asm__ __volatile__("movabs %[i0], %%r8\n\t"
			     "movabs %[i1], %%r10\n\t"
			     "not %%r8\n\t"
			     "not %%r10\n"
			     "1:\tcmp %[end], %[p]\n\t"
			     "jae 3f\n\t"
			     "cmp (%[p]), %%r8\n\t"
			     "jne 2f\n\t"
			     "cmp 8(%[p]), %%r10\n\t"
			     "je 3f\n"
			     "2:\tadd $16, %[p]\n\t"
			     "jmp 1b\n"
			     "3:\txor %%r8d, %%r8d\n\t"
			     "xor %%r10d, %%r10d"
			     : [p] "+r"(p)
			     : [end] "r"(end), [i0] "i"(NESTOR_SENTINEL_INV0),
			       [i1] "i"(NESTOR_SENTINEL_INV1)
			     : "r8", "r10", "cc", "memory");
	return p;
}

/* Every byte of memory up to the top, Nestor's included (which must read
 * as all ones). */
static void test_memory_scan(void)
{
	uint64_t top = top_of_memory(rt_boot()), hit;

	REQUIRE(top > MIB, "no memory from 1 MiB in the memory map");
	hit = find_sentinel(0, top);
	rt_note("scanned %lu bytes [0, %#lx)", top, top);
	CHECK(hit >= top, "Nestor's sentinel pattern visible at %#lx", hit);
}

/* A write Nestor must drop: one plain `mov %rax, (%rdx)` (48 89 02). */
static void store_qword(uint64_t addr, uint64_t v)
{
	__asm__ __volatile__("mov %%rax, (%%rdx)" ::"a"(v), "d"(addr) : "memory");
}

/* Writes to the first, a middle and the last qword of every reserved
 * entry inside RAM (Nestor's memory) must all be dropped. */
static void test_memory_reserved_readonly(void)
{
	const struct rt_boot_info *b = rt_boot();
	const uint64_t pattern = 0x5a5a5a5a5a5a5a5aULL;
	uint64_t top = top_of_memory(b);
	unsigned tested = 0;

	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];
		uint64_t first = ALIGN_UP(r->base, 8), last, at[3];

		if (r->type != MEM_RESERVED || r->base < MIB ||
		    region_end(r) > top || first + 8 > region_end(r))
			continue;
		last = ALIGN_DOWN(region_end(r) - 8, 8);
		at[0] = first;
		at[1] = ALIGN_DOWN(first + (last - first) / 2, 8);
		at[2] = last;
		tested++;
		for (unsigned k = 0; k < 3; k++) {
			uint64_t orig = *(volatile uint64_t *)at[k], got;

			store_qword(at[k], pattern);
			got = *(volatile uint64_t *)at[k];
			if (got == pattern) /* the write went through: undo it */
				store_qword(at[k], orig);
			rt_note("reserved [%#lx, %#lx): qword at %#lx %#lx, after "
				"writing: %#lx", r->base, region_end(r), at[k],
				orig, got);
			CHECK(got == ~0ULL, "reserved %#lx reads %#lx after a "
			      "write, expected all ones", at[k], got);
		}
	}
	CHECK(tested > 0, "no reserved entry inside [1 MiB, %#lx) to test", top);
}

/* ------------------------------------------------------------------------ */

/* INIT and Start-Up IPIs (SDM Vol. 3A 8.4.4.1, 11.6.1) to APIC ID 1 through
 * the xAPIC ICR must not start that CPU: Nestor refuses them (the guest
 * would otherwise run a CPU outside VMX). The start-up code at 0x8000 (the
 * vector 0x08 page) would write 0x42 to 0x8100 in real mode. With
 * expect_ap_blocked the run has a second CPU (Bochs cpus=2). */
#define SIPI_PAGE 0x8000ULL
#define SIPI_MARK 0x8100ULL
#define ICR_INIT_ASSERT ((5U << 8) | (1U << 14))
#define ICR_STARTUP(vec) ((6U << 8) | (1U << 14) | (vec))

static void settle(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		__asm__ __volatile__("pause");
}

static void send_ipi(uint32_t low, uint32_t dest)
{
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, low);
}

static void test_init_sipi_refused(void)
{
	/* mov byte [0x8100], 0x42; cli; hlt; jmp $-2 (16-bit code) */
	static const uint8_t startup[] = { 0xc6, 0x06, 0x00, 0x81, 0x42,
					   0xfa, 0xf4, 0xeb, 0xfd };
	volatile uint8_t *page = (volatile uint8_t *)SIPI_PAGE;
	volatile uint8_t *mark = (volatile uint8_t *)SIPI_MARK;

	if (!rt_option_present("expect_ap_blocked")) {
		rt_skip("no expect_ap_blocked option");
		return;
	}
	apic_mmio = rdmsr(MSR_APIC_BASE) & ~0xfffULL;
	for (unsigned i = 0; i < sizeof(startup); i++)
		page[i] = startup[i];
	*mark = 0;
	send_ipi(ICR_INIT_ASSERT, 1);
	settle(200000);
	send_ipi(ICR_STARTUP(SIPI_PAGE >> 12), 1);
	settle(200000);
	send_ipi(ICR_STARTUP(SIPI_PAGE >> 12), 1);
	settle(2000000);
	CHECK(*mark == 0, "CPU 1 ran the start-up code (mark %#x): INIT/SIPI reached it",
	      *mark);
}

/* ------------------------------------------------------------------------
 * The operator's MSR filter (Nestor's msr_filter=, issue 5). Run alone with
 * the option msr_filter_only; the scenario tells the guest what its filter
 * does:
 *   deny_read=MSR    RDMSR MSR must raise #GP(0)
 *   deny_write=MSR   WRMSR MSR must raise #GP(0) and leave the value as it
 *                    was (reads of MSR must be allowed)
 *   allow_pass=MSR   RDMSR/WRMSR MSR work and cause no VM exit
 *   x2apic           the x2APIC MSRs work as without a filter (x2APIC mode
 *                    is turned on: run it last) */

static bool option_msr(const char *name, uint32_t *msr)
{
	uint64_t v;
	bool bad = false;

	if (!rt_option_uint(name, &v, &bad))
		return false;
	if (bad || v > 0xffffffffULL) {
		rt_fail("option %s: not an MSR index", name);
		return false;
	}
	*msr = (uint32_t)v;
	return true;
}

static void test_msrf_denied_read(void)
{
	struct rt_exception e;
	uint32_t msr;
	uint64_t v;

	if (!option_msr("deny_read", &msr)) {
		rt_skip("no deny_read= option");
		return;
	}
	CHECK(rdmsr_safe(msr, &v, &e) == VEC_GP && e.error_code == 0,
	      "RDMSR %#x: %s (error code %#lx), expected #GP(0) from the filter",
	      msr, rt_vector_name(e.vector), e.error_code);
}

static void test_msrf_denied_write(void)
{
	struct rt_exception e;
	uint64_t before, after;
	uint32_t msr;

	if (!option_msr("deny_write", &msr)) {
		rt_skip("no deny_write= option");
		return;
	}
	REQUIRE(rdmsr_safe(msr, &before, &e) == RT_NO_EXCEPTION,
		"RDMSR %#x raised %s: the scenario must allow reading it", msr,
		rt_vector_name(e.vector));
	CHECK(wrmsr_safe(msr, before ^ 0x10, &e) == VEC_GP && e.error_code == 0,
	      "WRMSR %#x: %s, expected #GP(0) from the filter", msr,
	      rt_vector_name(e.vector));
	REQUIRE(rdmsr_safe(msr, &after, &e) == RT_NO_EXCEPTION,
		"RDMSR %#x raised %s the second time", msr, rt_vector_name(e.vector));
	CHECK(after == before, "MSR %#x changed from %#lx to %#lx despite the #GP",
	      msr, before, after);
}

static void test_msrf_allowed_no_exit(void)
{
	uint64_t rd0, wr0, rd1, wr1, v;
	struct rt_exception e;
	uint32_t msr;

	if (!option_msr("allow_pass", &msr)) {
		rt_skip("no allow_pass= option");
		return;
	}
	if (!exit_count(EXIT_REASON_RDMSR, &rd0) ||
	    !exit_count(EXIT_REASON_WRMSR, &wr0))
		return;
	REQUIRE(rdmsr_safe(msr, &v, &e) == RT_NO_EXCEPTION,
		"RDMSR %#x raised %s", msr, rt_vector_name(e.vector));
	REQUIRE(wrmsr_safe(msr, v, &e) == RT_NO_EXCEPTION,
		"WRMSR %#x raised %s", msr, rt_vector_name(e.vector));
	if (!exit_count(EXIT_REASON_RDMSR, &rd1) ||
	    !exit_count(EXIT_REASON_WRMSR, &wr1))
		return;
	CHECK(rd1 == rd0 && wr1 == wr0,
	      "allowed MSR %#x caused exits (RDMSR %lu -> %lu, WRMSR %lu -> %lu)",
	      msr, rd0, rd1, wr0, wr1);
}

#define X2APIC_ID 0x802
#define X2APIC_VERSION 0x803
#define X2APIC_TPR 0x808
#define CPUID_1_ECX_X2APIC (1U << 21)

/* SDM Vol. 3A 11.12: x2APIC mode through IA32_APIC_BASE.EXTD, then its
 * registers as MSRs. Nestor never filters 0x800-0x8ff. */
static void test_msrf_x2apic(void)
{
	uint32_t a, b, c, d;
	uint64_t base, id = 0, ver = 0, tpr = 0;
	struct rt_exception e;

	if (!rt_option_present("x2apic")) {
		rt_skip("no x2apic option");
		return;
	}
	__asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			     : "a"(1), "c"(0));
	if (!(c & CPUID_1_ECX_X2APIC)) {
		rt_skip("no x2APIC on this CPU (CPUID.01H:ECX[21] = 0)");
		return;
	}
	REQUIRE(rdmsr_safe(MSR_APIC_BASE, &base, &e) == RT_NO_EXCEPTION,
		"RDMSR IA32_APIC_BASE raised %s", rt_vector_name(e.vector));
	REQUIRE(wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD,
			   &e) == RT_NO_EXCEPTION,
		"turning on x2APIC mode raised %s", rt_vector_name(e.vector));
	CHECK(rdmsr_safe(X2APIC_ID, &id, &e) == RT_NO_EXCEPTION,
	      "RDMSR x2APIC ID raised %s", rt_vector_name(e.vector));
	CHECK(rdmsr_safe(X2APIC_VERSION, &ver, &e) == RT_NO_EXCEPTION &&
	      (ver & 0xff) >= 0x10,
	      "RDMSR x2APIC version: %s, value %#lx", rt_vector_name(e.vector), ver);
	CHECK(wrmsr_safe(X2APIC_TPR, 0x20, &e) == RT_NO_EXCEPTION &&
	      rdmsr_safe(X2APIC_TPR, &tpr, &e) == RT_NO_EXCEPTION && tpr == 0x20,
	      "x2APIC TPR write/read: %s, read %#lx", rt_vector_name(e.vector), tpr);
	wrmsr_safe(X2APIC_TPR, 0, &e);
	rt_note("x2APIC ID %lu, version %#lx", id, ver & 0xff);
}

static const struct rt_test msr_filter_tests[] = {
	{ "msrf_denied_read", test_msrf_denied_read },
	{ "msrf_denied_write", test_msrf_denied_write },
	{ "msrf_allowed_no_exit", test_msrf_allowed_no_exit },
	{ "msrf_x2apic", test_msrf_x2apic },
};

static const struct rt_test tests[] = {
	{ "entry_protocol", test_entry_protocol },
	{ "boot_loader_name", test_boot_loader_name },
	{ "boot_memory_map", test_boot_memory_map },
	{ "image_loaded", test_image_loaded },
	{ "boot_cmdline", test_boot_cmdline },
	{ "modules", test_modules },
	{ "cpuid_vmx", test_cpuid_vmx },
	{ "cpuid_hypervisor_leaf", test_cpuid_hypervisor_leaf },
	{ "msr_vmx_basic", test_msr_vmx_basic },
	{ "msr_feature_control", test_msr_feature_control },
	{ "msr_nonexistent_gp", test_msr_nonexistent_gp },
	{ "msr_passthrough_no_exit", test_msr_passthrough_no_exit },
	{ "msr_intercept_counted", test_msr_intercept_counted },
	{ "serial_scratch", test_serial_scratch },
	{ "cr4_vmxe", test_cr4_vmxe },
	{ "cr0_ne", test_cr0_ne },
	{ "exc_de", test_exc_de },
	{ "exc_ud", test_exc_ud },
	{ "exc_bp", test_exc_bp },
	{ "exc_gp_noncanonical", test_exc_gp_noncanonical },
	{ "exc_pf_not_present", test_exc_pf_not_present },
	{ "exc_pf_reserved_bit", test_exc_pf_reserved_bit },
	{ "maxphy_cpuid", test_maxphy_cpuid },
	{ "maxphy_unchanged", test_maxphy_unchanged },
	{ "maxphy_rsvd_pml4e", test_maxphy_rsvd_pml4e },
	{ "maxphy_rsvd_pdpte", test_maxphy_rsvd_pdpte },
	{ "maxphy_rsvd_pde", test_maxphy_rsvd_pde },
	{ "maxphy_rsvd_pte", test_maxphy_rsvd_pte },
	{ "maxphy_rsvd_2m", test_maxphy_rsvd_2m },
	{ "maxphy_rsvd_1g", test_maxphy_rsvd_1g },
	{ "maxphy_rsvd_protection", test_maxphy_rsvd_protection },
	{ "maxphy_final_high", test_maxphy_final_high },
	{ "maxphy_cr3_gp", test_maxphy_cr3_gp },
	{ "maxphy_mtrr_gp", test_maxphy_mtrr_gp },
	{ "maxphy_apic_base_gp", test_maxphy_apic_base_gp },
	{ "pf_no_exit_default", test_pf_no_exit_default },
	{ "hlt_apic_timer", test_hlt_apic_timer },
	{ "nmi_self", test_nmi_self },
	{ "init_sipi_refused", test_init_sipi_refused },
	{ "vmcall_version", test_vmcall_version },
	{ "vmcall_print", test_vmcall_print },
	{ "vmcall_unknown", test_vmcall_unknown },
	{ "memory_scan", test_memory_scan },
	{ "memory_reserved_readonly", test_memory_reserved_readonly },
};

int guest_main(void)
{
	if (rt_option_present("msr_filter_only"))
		return rt_run_tests(msr_filter_tests,
				    ARRAY_SIZE(msr_filter_tests)) ? 1 : 0;
	return rt_run_tests(tests, ARRAY_SIZE(tests)) ? 1 : 0;
}
