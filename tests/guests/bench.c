/* Benchmark guest: the cost, in TSC ticks, of the operations Nestor
 * intercepts, seen from the guest. Under Bochs with `clock: sync=none` a
 * tick is one emulated instruction, so the figures are instruction counts
 * and repeat exactly.
 *
 * Prints, for CPUID (leaf 0), IN from port 0xf4, RDMSR IA32_FEATURE_CONTROL,
 * VMCALL NESTOR_HC_VERSION and two guest page faults taken and unwound by
 * the guest's own handler (a write to a read-only page, a read of a
 * not-present one: each timed from before the access to the return of
 * rt_catch(), so with "catch-only", rt_catch() of a function that does not
 * fault, as their baseline), 1000 measurements each:
 *   bench: <name> <min> <avg> ticks        (avg = total / 1000)
 * plus "bench: empty ..." (the measurement's own cost) and
 *   bench: boot-to-guest <ticks>
 * = the TSC at the guest's first instruction minus NESTOR_HC_BOOT_TSC (the
 * TSC at Nestor's first). An operation that faults (natively: VMCALL, or an
 * MSR the CPU lacks) is reported as unavailable. Exits 0.
 *
 * Last, with VMX shown (nested=on), the guest enters VMX operation and
 * times L1's VMREAD/VMWRITE of a field Nestor shadows (GUEST_RIP: no exit
 * where the CPU has VMCS shadowing) and of one it does not (IO_BITMAP_A:
 * always an exit, emulated by nested/). */
#include "tests/guests/rt/rt.h"
#include "tests/guests/rt/vmx.h"

const char guest_name[] = "bench";
const char *const guest_options[] = { NULL };

#define ITERATIONS 1000

/* LFENCE before RDTSC: RDTSC waits until everything before it has executed
 * (SDM Vol. 2B, RDTSC: "If software requires RDTSC to be executed only
 * after all previous instructions have executed ... it can execute
 * LFENCE immediately before RDTSC"). */
static inline uint64_t tsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static void op_empty(void)
{
}

static void op_cpuid(void)
{
	uint32_t a = 0, b, c = 0, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static void op_in_exit_port(void)
{
	(void)inb(NESTOR_EXIT_PORT);
}

static void op_rdmsr(void)
{
	(void)rdmsr(MSR_IA32_FEATURE_CONTROL);
}

static void op_vmcall(void)
{
	uint64_t rax = NESTOR_HC_VERSION;

	__asm__ __volatile__("vmcall" : "+a"(rax)::"rbx", "rcx", "rdx", "memory");
}

/* Guest #PF round trips: the page at pf_page is read-only (with CR0.WP =
 * 1, so a supervisor write faults, SDM Vol. 3A, 4.6.1) or not present; the
 * fault goes through the guest's IDT to rt_trap(), which unwinds to
 * rt_catch() (rt/traps.c). */
static uint8_t pf_page[4096] __attribute__((aligned(4096)));

static void write_page(void *arg)
{
	*(volatile uint8_t *)arg = 1;
}

static void read_page(void *arg)
{
	(void)*(volatile uint8_t *)arg;
}

static void no_fault(void *arg)
{
	(void)arg;
}

static void op_catch_only(void)
{
	rt_catch(no_fault, NULL, NULL);
}

static void op_pf_protection(void)
{
	rt_catch(write_page, pf_page, NULL);
}

static void op_pf_not_present(void)
{
	rt_catch(read_page, pf_page, NULL);
}

/* Maps pf_page with `pte_flags` and checks once that `access` raises #PF
 * with error code `err`. */
static bool setup_pf(uint64_t pte_flags, void (*access)(void *), uint64_t err)
{
	uint64_t va = (uint64_t)pf_page;
	struct rt_exception e;

	write_cr0(read_cr0() | CR0_WP);
	if (!rt_map_4k(va, pte_flags ? (va | pte_flags) : 0)) {
		rt_printf("bench: cannot remap %#lx\n", va);
		return false;
	}
	if (rt_catch(access, pf_page, &e) != VEC_PF || e.error_code != err) {
		rt_printf("bench: %s with error code %#lx, expected #PF %#lx\n",
			  rt_vector_name(e.vector), e.error_code, err);
		return false;
	}
	return true;
}

static bool setup_pf_protection(void)
{
	return setup_pf(PTE_P, write_page, PF_ERR_P | PF_ERR_W);
}

static bool setup_pf_not_present(void)
{
	return setup_pf(0, read_page, 0);
}

/* L1's VMX operation for the VMREAD/VMWRITE figures (SDM Vol. 3C 23.7,
 * 23.8: CR4.VMXE, CR0 fixed bits, VMXON; 24.11.3: VMCLEAR, VMPTRLD). */
static bool setup_vmx(void)
{
	struct vmx_msrs m;
	uint32_t rev;
	uint64_t *vmxon, *vmcs;

	if (!rt_vmx_supported())
		return false;
	rt_vmx_read_msrs(&m);
	rev = (uint32_t)(m.basic & VMX_BASIC_REVISION_MASK);
	vmxon = rt_vmx_page(rev);
	vmcs = rt_vmx_page(rev);
	if (!vmxon || !vmcs)
		return false;
	write_cr0((read_cr0() | m.cr0_fixed0) & m.cr0_fixed1);
	write_cr4(read_cr4() | CR4_VMXE);
	return rt_vmxon((uint64_t)vmxon).kind == RT_VMX_SUCCEED &&
	       rt_vmclear((uint64_t)vmcs).kind == RT_VMX_SUCCEED &&
	       rt_vmptrld((uint64_t)vmcs).kind == RT_VMX_SUCCEED;
}

static bool vmx_ready;

static bool setup_vmx_once(void)
{
	if (!vmx_ready)
		vmx_ready = setup_vmx();
	return vmx_ready;
}

static inline void vmread_field(uint64_t field)
{
	uint64_t v;

	__asm__ __volatile__("vmread %1, %0" : "=r"(v) : "r"(field) : "cc", "memory");
}

static inline void vmwrite_field(uint64_t field, uint64_t v)
{
	__asm__ __volatile__("vmwrite %1, %0" :: "r"(field), "r"(v) : "cc", "memory");
}

static void op_vmread_shadowed(void) { vmread_field(VMCS_GUEST_RIP); }
static void op_vmwrite_shadowed(void) { vmwrite_field(VMCS_GUEST_RIP, 0x1000); }
static void op_vmread_emulated(void) { vmread_field(VMCS_IO_BITMAP_A); }
static void op_vmwrite_emulated(void) { vmwrite_field(VMCS_IO_BITMAP_A, 0x2000); }

struct bench {
	const char *name;
	void (*op)(void);
	bool (*setup)(void); /* NULL: none; false: unavailable */
	bool exits;          /* one VM exit per operation */
};

static const struct bench benches[] = {
	{ "empty", op_empty, NULL, false },
	{ "cpuid", op_cpuid, NULL, true },
	{ "in-0xf4", op_in_exit_port, NULL, true },
	{ "rdmsr-0x3a", op_rdmsr, NULL, true },
	{ "vmcall-version", op_vmcall, NULL, true },
	{ "catch-only", op_catch_only, NULL, false },
	{ "pf-protection", op_pf_protection, setup_pf_protection, false },
	{ "pf-not-present", op_pf_not_present, setup_pf_not_present, false },
	{ "vmread-guest-rip", op_vmread_shadowed, setup_vmx_once, false },
	{ "vmwrite-guest-rip", op_vmwrite_shadowed, setup_vmx_once, false },
	{ "vmread-io-bitmap-a", op_vmread_emulated, setup_vmx_once, true },
	{ "vmwrite-io-bitmap-a", op_vmwrite_emulated, setup_vmx_once, true },
};

/* Inlined into measure() by the always_inline op wrappers would be nicer;
 * the indirect call costs the same in every measurement, and "empty"
 * shows how much that is. */
static void measure(void *arg)
{
	const struct bench *b = arg;
	uint64_t min = UINT64_MAX, total = 0;

	for (int i = 0; i < ITERATIONS; i++) {
		uint64_t t0 = tsc_fenced(), d;

		b->op();
		d = tsc_fenced() - t0;
		total += d;
		if (d < min)
			min = d;
	}
	rt_printf("bench: %s %lu %lu ticks\n", b->name, min, total / ITERATIONS);
}

static uint64_t vmcs_accesses(uint64_t kind)
{
	struct rt_exception e;
	int64_t n = -1;

	rt_hypercall(NESTOR_HC_VMCS_ACCESSES, kind, 0, 0, &n, &e);
	return (uint64_t)n;
}

/* VMREADs and VMWRITEs Nestor executes per exit of b: the counts around
 * ITERATIONS operations, less the same counts around none (the cost of
 * asking). */
static void measure_vmcs_accesses(const struct bench *b)
{
	uint64_t r0, w0, r1, w1, base_r, base_w;

	r0 = vmcs_accesses(0);
	w0 = vmcs_accesses(1);
	r1 = vmcs_accesses(0);
	w1 = vmcs_accesses(1);
	base_r = r1 - r0;
	base_w = w1 - w0;
	r0 = vmcs_accesses(0);
	w0 = vmcs_accesses(1);
	for (int i = 0; i < ITERATIONS; i++)
		b->op();
	r1 = vmcs_accesses(0);
	w1 = vmcs_accesses(1);
	if ((int64_t)r0 < 0 || (int64_t)r1 < 0) {
		rt_printf("bench: vmcs-%s unavailable\n", b->name);
		return;
	}
	rt_printf("bench: vmreads-%s %lu\n", b->name,
		  (r1 - r0 - base_r) / ITERATIONS);
	rt_printf("bench: vmwrites-%s %lu\n", b->name,
		  (w1 - w0 - base_w) / ITERATIONS);
}

static void op_probe(void *arg)
{
	((const struct bench *)arg)->op();
}

static void boot_to_guest(void)
{
	struct rt_exception e;
	int64_t boot_tsc;

	if (!rt_hypercall(NESTOR_HC_BOOT_TSC, 0, 0, 0, &boot_tsc, &e)) {
		rt_printf("bench: boot-to-guest unavailable (VMCALL raised %s)\n",
			  rt_vector_name(e.vector));
		return;
	}
	rt_printf("bench: boot-to-guest %lu\n",
		  rt_entry.tsc - (uint64_t)boot_tsc);
}

int guest_main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(benches); i++) {
		const struct bench *b = &benches[i];
		struct rt_exception e;

		if (b->setup && !b->setup()) {
			rt_printf("bench: %s unavailable (setup failed)\n",
				  b->name);
			continue;
		}
		/* One try first, so a faulting operation is reported, not
		 * measured 1000 times. */
		if (rt_catch(op_probe, (void *)b, &e) != RT_NO_EXCEPTION) {
			rt_printf("bench: %s unavailable (%s)\n", b->name,
				  rt_vector_name(e.vector));
			continue;
		}
		measure((void *)b);
		if (b->exits)
			measure_vmcs_accesses(b);
	}
	rt_identity_4k((uint64_t)pf_page, PTE_P | PTE_RW);
	boot_to_guest();
	return 0;
}
