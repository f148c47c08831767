/* The Nestor guest test suite: run as Nestor's guest, it checks from the
 * inside what Nestor promises a guest (CPUID and MSR virtualization, CR
 * shadows, pass-through devices, interrupt and exception delivery, the
 * memory it hides, the hypercalls and the entry protocol). One function per
 * test, listed in `tests` below; each prints PASS or FAIL, then the runtime
 * prints "N passed, N failed" and exits with 0 iff all passed.
 *
 * Options (besides the runtime's exit_status=, exit_via=, triple_fault):
 *   expect_entry=mb2|mb1|elf64   how the guest must have been entered
 *   expect_module=TEXT           module 0 must start with TEXT (without the
 *                                option the guest must have no module)
 *   expect_cmdline_len=N         the command line must be N bytes long */
#include "arch/x86/regs.h"
#include "vmx/vmx_msrs.h"
#include "tests/guests/rt/rt.h"

#include "lib/string.h"

const char guest_name[] = "suite";
const char *const guest_options[] = {
	"expect_entry", "expect_module", "expect_cmdline_len", NULL,
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

struct msr_op {
	uint32_t msr;
	uint64_t val;
};

static void do_rdmsr(void *arg)
{
	struct msr_op *m = arg;

	m->val = rdmsr(m->msr);
}

static void do_wrmsr(void *arg)
{
	struct msr_op *m = arg;

	wrmsr(m->msr, m->val);
}

/* RDMSR that survives #GP: returns the vector raised or RT_NO_EXCEPTION. */
static int rdmsr_safe(uint32_t msr, uint64_t *val, struct rt_exception *e)
{
	struct msr_op m = { .msr = msr };
	int v = rt_catch(do_rdmsr, &m, e);

	*val = m.val;
	return v;
}

static int wrmsr_safe(uint32_t msr, uint64_t val, struct rt_exception *e)
{
	struct msr_op m = { .msr = msr, .val = val };

	return rt_catch(do_wrmsr, &m, e);
}

/* NESTOR_HC_EXIT_COUNT(reason); fails the test if it cannot be had. */
static bool exit_count(uint64_t reason, uint64_t *count)
{
	struct rt_exception e;
	int64_t v;

	if (!rt_hypercall(NESTOR_HC_EXIT_COUNT, reason, 0, 0, &v, &e)) {
		rt_fail("NESTOR_HC_EXIT_COUNT: VMCALL raised %s (not under "
			"Nestor?)", rt_vector_name(e.vector));
		return false;
	}
	if (v < 0) {
		rt_fail("NESTOR_HC_EXIT_COUNT(%lu) returned error %ld", reason, v);
		return false;
	}
	*count = (uint64_t)v;
	return true;
}

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

static void test_boot_memory_map(void)
{
	const struct rt_boot_info *b = rt_boot();
	uint64_t img_start = (uint64_t)_image_start, img_end = (uint64_t)_image_end;
	bool avail_high = false, reserved_low = false, image_covered = false;

	REQUIRE(b->have_mmap && b->mmap_count > 0, "no memory map");
	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];

		if (r->type == MEM_AVAILABLE && r->base >= MIB && r->len > 0)
			avail_high = true;
		if (r->type == MEM_RESERVED && r->base >= MIB &&
		    r->base < 64 * MIB && r->len > 0)
			reserved_low = true;
		if (r->type == MEM_AVAILABLE && r->base <= img_start &&
		    region_end(r) >= img_end)
			image_covered = true;
	}
	CHECK(avail_high, "no available entry at or above 1 MiB");
	CHECK(reserved_low, "no reserved entry in [1 MiB, 64 MiB) (Nestor's "
	      "own memory must be reserved)");
	CHECK(image_covered, "the guest image [%#lx, %#lx) is not inside an "
	      "available entry", img_start, img_end);
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

static void test_cpuid_vmx_hidden(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	CHECK(!(r.ecx & CPUID_1_ECX_VMX), "CPUID.01H:ECX.VMX[bit 5] = 1, "
	      "expected 0 (ECX %#x)", r.ecx);
	CHECK(r.ecx & (1U << 31), "CPUID.01H:ECX[bit 31] (hypervisor present) "
	      "= 0, expected 1 (ECX %#x)", r.ecx);
}

static void test_cpuid_hypervisor_leaf(void)
{
	struct cpuid_regs r = cpuid(NESTOR_CPUID_LEAF, 0);
	char sig[13];

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '.';
	sig[12] = '\0';
	CHECK(r.eax == NESTOR_CPUID_MAX_LEAF, "CPUID.40000000H:EAX = %#x, "
	      "expected %#x", r.eax, NESTOR_CPUID_MAX_LEAF);
	CHECK(memcmp(sig, NESTOR_CPUID_SIGNATURE, 12) == 0, "signature \"%s\", "
	      "expected \"%s\"", sig, NESTOR_CPUID_SIGNATURE);
}

/* ------------------------------------------------------------------------
 * MSRs */

static void test_msr_vmx_basic_gp(void)
{
	struct rt_exception e;
	uint64_t v;

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
	CHECK(!(v & (FEATURE_CONTROL_VMX_INSIDE_SMX |
		     FEATURE_CONTROL_VMX_OUTSIDE_SMX)),
	      "VMX enable bits 1/2 set (%#lx), expected 0", v);
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
		rt_note("MAXPHYADDR %u: no reserved address bit to set", maxphy);
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

static void test_memory_scan(void)
{
	uint64_t top = top_of_ram(rt_boot()), hit;

	REQUIRE(top > 0, "no available memory below 4 GiB in the memory map");
	hit = find_sentinel(0, top);
	rt_note("scanned %lu bytes [0, %#lx)", top, top);
	CHECK(hit >= top, "Nestor's sentinel pattern visible at %#lx", hit);
}

/* A write Nestor must drop: one plain `mov %rax, (%rdx)` (48 89 02). */
static void store_qword(uint64_t addr, uint64_t v)
{
	__asm__ __volatile__("mov %%rax, (%%rdx)" ::"a"(v), "d"(addr) : "memory");
}

static void test_memory_reserved_readonly(void)
{
	const struct rt_boot_info *b = rt_boot();
	const uint64_t pattern = 0x5a5a5a5a5a5a5a5aULL;
	uint64_t top = top_of_ram(b);
	unsigned tested = 0;

	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];
		uint64_t a = ALIGN_UP(r->base, 8), orig, got;

		if (r->type != MEM_RESERVED || r->base < MIB ||
		    region_end(r) > top || a + 8 > region_end(r))
			continue;
		tested++;
		orig = *(volatile uint64_t *)a;
		store_qword(a, pattern);
		got = *(volatile uint64_t *)a;
		if (got == pattern) /* the write went through: undo it */
			store_qword(a, orig);
		rt_note("reserved [%#lx, %#lx): first qword %#lx, after "
			"writing: %#lx", r->base, region_end(r), orig, got);
		CHECK(got == ~0ULL, "reserved %#lx reads %#lx after a write, "
		      "expected all ones", a, got);
	}
	CHECK(tested > 0, "no reserved entry inside [1 MiB, %#lx) to test", top);
}

/* ------------------------------------------------------------------------ */

static const struct rt_test tests[] = {
	{ "entry_protocol", test_entry_protocol },
	{ "boot_loader_name", test_boot_loader_name },
	{ "boot_memory_map", test_boot_memory_map },
	{ "boot_cmdline", test_boot_cmdline },
	{ "modules", test_modules },
	{ "cpuid_vmx_hidden", test_cpuid_vmx_hidden },
	{ "cpuid_hypervisor_leaf", test_cpuid_hypervisor_leaf },
	{ "msr_vmx_basic_gp", test_msr_vmx_basic_gp },
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
	{ "hlt_apic_timer", test_hlt_apic_timer },
	{ "nmi_self", test_nmi_self },
	{ "vmcall_version", test_vmcall_version },
	{ "vmcall_print", test_vmcall_print },
	{ "vmcall_unknown", test_vmcall_unknown },
	{ "memory_scan", test_memory_scan },
	{ "memory_reserved_readonly", test_memory_reserved_readonly },
};

int guest_main(void)
{
	return rt_run_tests(tests, ARRAY_SIZE(tests)) ? 1 : 0;
}
