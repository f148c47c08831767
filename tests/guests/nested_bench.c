/* Nested benchmark guest (issue 14 item 10): an L1 VMM that runs a 64-bit
 * L2 whose CPUID exits to L1's handler, and the cost of that round trip,
 * seen from L2, in TSC ticks. Under Bochs with `clock: sync=none` a tick
 * is one emulated instruction, so the figures are instruction counts.
 *
 * It runs alike bare on Bochs (GRUB boots it: Bochs is L0, and the round
 * trip is the CPU's VM exit, L1's handler and VMRESUME) and as Nestor's
 * guest (Nestor is L0: each L2 exit first reaches Nestor, which reflects
 * it to L1, and L1's VMRESUME exits to Nestor too); `make bench`
 * (tests/bench.py) puts the two side by side.
 *
 * L1, the way a lean hypervisor would be:
 *  - vmcs12: a 64-bit L2 that is this VMM's own state (its page tables,
 *    GDT, IDT, TSS; rt_vmx_self_write(), as the nested suite's baseline),
 *    with the controls at what must be 1 only: no RDTSC exiting, no TSC
 *    offsetting, no EPT, no MSR or I/O bitmaps;
 *  - its exit handler (nbench_exit below, assembly): VMREAD of the exit
 *    reason; for CPUID leaf 0, VMREAD of the instruction length and
 *    GUEST_RIP, VMWRITE of GUEST_RIP, the answer from a table (leaf 0 as
 *    L1 read it once at start: a hypervisor answers CPUID from its own
 *    table, and a CPUID of L1's own would be one more exit to Nestor) and
 *    VMRESUME. Any other exit ends the run (L2 ends with VMCALL).
 *
 * L2 times each operation with LFENCE;RDTSC before and after, as
 * tests/guests/bench.c does, ITERATIONS times, and leaves the minimum and
 * the total in memory L1 reads after the run: "l2-empty" is the
 * measurement alone, "l2-cpuid" the same with CPUID (leaf 0) in between.
 *
 * Under Nestor (CPUID leaf 0x40000000 says "NestorNestor") L1 also asks
 * Nestor, around each run, for its exit counts per reason
 * (NESTOR_HC_EXIT_COUNT) and its VMREAD/VMWRITE counts
 * (NESTOR_HC_VMCS_ACCESSES); the CPUID run less the empty run, which is
 * the same but for the CPUIDs, is what ITERATIONS round trips cost Nestor.
 *
 * Prints (prefix "nested-bench: "):
 *   l0 bare|nestor
 *   l2-empty <min> <avg> ticks
 *   l2-cpuid <min> <avg> ticks
 * and under Nestor, for ITERATIONS round trips:
 *   l0-exits <N> per <ITERATIONS>
 *   l0-exit-reason <nr> <N> per <ITERATIONS>     (one per reason that differs)
 *   l0-vmreads <N> per <ITERATIONS>
 *   l0-vmwrites <N> per <ITERATIONS>
 * Exits 0 when everything ran, 1 otherwise (with the reason). */
#include "tests/guests/rt/rt.h"
#include "tests/guests/rt/vmx.h"

#include "arch/x86/regs.h"
#include "lib/string.h"
#include "vmx/exit_reasons.h"

const char guest_name[] = "nested-bench";
const char *const guest_options[] = { NULL };

#define ITERATIONS 1000
#define WARMUP 10

/* ------------------------------------------------------------------------
 * L2 */

/* What L1 tells L2 before a run, and what L2 leaves for L1 after it. */
static struct {
	uint64_t n;
	uint64_t cpuid;    /* 1: time CPUID, 0: the measurement alone */
	uint64_t min, total;
} l2_run;

static uint8_t l2_stack[4 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* The two timed sequences differ by the CPUID alone. */
static inline uint64_t l2_time(bool with_cpuid)
{
	uint32_t lo0, hi0, lo1, hi1;

	if (with_cpuid)
		__asm__ __volatile__("lfence\n\trdtsc\n\t"
				     "mov %%eax, %0\n\tmov %%edx, %1\n\t"
				     "xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\t"
				     "cpuid\n\t"
				     "lfence\n\trdtsc"
				     : "=&r"(lo0), "=&r"(hi0), "=a"(lo1), "=d"(hi1)
				     :: "rbx", "rcx", "memory");
	else
		__asm__ __volatile__("lfence\n\trdtsc\n\t"
				     "mov %%eax, %0\n\tmov %%edx, %1\n\t"
				     "xor %%eax, %%eax\n\txor %%ecx, %%ecx\n\t"
				     "lfence\n\trdtsc"
				     : "=&r"(lo0), "=&r"(hi0), "=a"(lo1), "=d"(hi1)
				     :: "rbx", "rcx", "memory");
	return (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
}

/* L2's entry point (GUEST_RIP). It never returns: its VMCALL ends the run
 * (25.1.2: VMCALL in VMX non-root operation always exits). */
static NORETURN __attribute__((used)) void l2_main(void)
{
	uint64_t min = UINT64_MAX, total = 0;
	bool with_cpuid = l2_run.cpuid != 0;

	for (uint64_t i = 0; i < l2_run.n; i++) {
		uint64_t d = l2_time(with_cpuid);

		total += d;
		if (d < min)
			min = d;
	}
	l2_run.min = min;
	l2_run.total = total;
	for (;;)
		__asm__ __volatile__("vmcall" ::: "memory");
}

/* ------------------------------------------------------------------------
 * L1's VM-exit handler and launcher */

/* CPUID leaf 0 as L1 read it at start: EAX, EBX, ECX, EDX. */
uint32_t nbench_leaf0[4];

/* uint64_t nbench_launch(void)
 * VMLAUNCH of the current VMCS with HOST_RSP = this frame and HOST_RIP =
 * nbench_exit. CPUID exits are handled there and L2 resumed; the first
 * other exit returns here with its exit reason (the whole field). Returns
 * NBENCH_LAUNCH_FAILED if VMLAUNCH fell through (VMfail) and
 * NBENCH_RESUME_FAILED if a VMRESUME did.
 *
 * The handler keeps every L2 register but RAX, RBX, RCX and RDX (CPUID's
 * outputs); it uses RSI, RDI and R8 and puts them back. Field encodings
 * (Appendix B): EXIT_REASON 0x4402, EXIT_INSTRUCTION_LEN 0x440c,
 * GUEST_RIP 0x681e, HOST_RSP 0x6c14, HOST_RIP 0x6c16. */
#define NBENCH_LAUNCH_FAILED 0x100000000ull
#define NBENCH_RESUME_FAILED 0x200000000ull
uint64_t nbench_launch(void);
__asm__(".text\n"
	".globl nbench_launch\n"
	"nbench_launch:\n\t"
	"push %rbx\n\tpush %rbp\n\tpush %r12\n\t"
	"push %r13\n\tpush %r14\n\tpush %r15\n\t"
	"mov $0x6c14, %eax\n\t"
	"vmwrite %rsp, %rax\n\t"
	"lea nbench_exit(%rip), %rcx\n\t"
	"mov $0x6c16, %eax\n\t"
	"vmwrite %rcx, %rax\n\t"
	"vmlaunch\n\t"
	"mov $1, %eax\n\t"
	"shl $32, %rax\n\t"
	"jmp 9f\n"
	"nbench_exit:\n\t"
	"push %rsi\n\tpush %rdi\n\tpush %r8\n\t"
	"mov $0x4402, %esi\n\t"
	"vmread %rsi, %rdi\n\t"
	"cmp $10, %edi\n\t"          /* CPUID */
	"jne 8f\n\t"
	"test %eax, %eax\n\t"        /* leaf 0 only */
	"jnz 8f\n\t"
	"mov $0x440c, %esi\n\t"
	"vmread %rsi, %r8\n\t"
	"mov $0x681e, %esi\n\t"
	"vmread %rsi, %rdi\n\t"
	"add %r8, %rdi\n\t"
	"vmwrite %rdi, %rsi\n\t"
	"mov nbench_leaf0(%rip), %eax\n\t"
	"mov nbench_leaf0+4(%rip), %ebx\n\t"
	"mov nbench_leaf0+8(%rip), %ecx\n\t"
	"mov nbench_leaf0+12(%rip), %edx\n\t"
	"pop %r8\n\tpop %rdi\n\tpop %rsi\n\t"
	"vmresume\n\t"
	"mov $2, %eax\n\t"
	"shl $32, %rax\n\t"
	"jmp 9f\n"
	"8:\tmov %edi, %eax\n\t"
	"add $24, %rsp\n"
	"9:\tpop %r15\n\tpop %r14\n\tpop %r13\n\t"
	"pop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
	"ret\n");

/* ------------------------------------------------------------------------
 * L1: VMX operation and the vmcs12 */

static struct vmx_msrs caps;
static uint64_t *vmxon_region, *vmcs;
static bool vmwrite_failed;

static struct rt_vmx_self host;

static void user_noop(void *a)
{
	(void)a;
}

/* 23.7, 23.8: the CR0/CR4 fixed bits, CR4.VMXE, VMXON. */
static bool vmx_on(void)
{
	uint32_t rev;
	struct rt_vmx_result r;

	rt_vmx_read_msrs(&caps);
	rev = (uint32_t)(caps.basic & VMX_BASIC_REVISION_MASK);
	vmxon_region = rt_vmx_page(rev);
	vmcs = rt_vmx_page(rev);
	if (!vmxon_region || !vmcs)
		return false;
	/* A TSS in TR: the host state needs a TR selector (26.2.3). */
	rt_user_call(user_noop, NULL, NULL);
	write_cr0((read_cr0() | caps.cr0_fixed0) & caps.cr0_fixed1);
	write_cr4(((read_cr4() | caps.cr4_fixed0) & caps.cr4_fixed1) | CR4_VMXE);
	rt_vmx_self_capture(&host);
	r = rt_vmxon((uint64_t)vmxon_region);
	if (r.kind != RT_VMX_SUCCEED) {
		rt_printf("nested-bench: VMXON failed (kind %d)\n", (int)r.kind);
		return false;
	}
	return true;
}

static void w(enum vmcs_field f, uint64_t v)
{
	uint64_t fl, field = f;

	__asm__ __volatile__("vmwrite %[v], %[f]\n\tpushfq\n\tpopq %[fl]"
			     : [fl] "=&r"(fl)
			     : [f] "r"(field), [v] "r"(v)
			     : "cc", "memory");
	if (fl & (RT_RFLAGS_CF | RT_RFLAGS_ZF)) {
		rt_printf("nested-bench: VMWRITE of field %#x failed\n", (unsigned)f);
		vmwrite_failed = true;
	}
}

/* A fresh current VMCS for L2 at l2_main: the host and guest state of the
 * nested suite's baseline (rt_vmx_self_write(), as nested_entry.c), with
 * the controls above and no MSR-load sentinel. */
static bool vmcs_fresh(void)
{
	const struct vmx_msrs *c = &caps;

	if (rt_vmclear((uint64_t)vmcs).kind != RT_VMX_SUCCEED ||
	    rt_vmptrld((uint64_t)vmcs).kind != RT_VMX_SUCCEED) {
		rt_printf("nested-bench: VMCLEAR/VMPTRLD failed\n");
		return false;
	}
	vmwrite_failed = false;
	/* Controls: what must be 1, a 64-bit host and an IA-32e guest; so
	 * no RDTSC exiting and no TSC offsetting (L2's TSC is the CPU's). */
	w(VMCS_PIN_BASED_CONTROLS, rt_vmx_ctl(c->true_pinbased, 0));
	w(VMCS_PROC_BASED_CONTROLS, rt_vmx_ctl(c->true_procbased, 0) &
		~(PROC_RDTSC_EXITING | PROC_TSC_OFFSETTING));
	w(VMCS_EXIT_CONTROLS, rt_vmx_ctl(c->true_exit, EXIT_HOST_ADDR_SPACE_SIZE));
	w(VMCS_ENTRY_CONTROLS, rt_vmx_ctl(c->true_entry, ENTRY_IA32E_MODE_GUEST));
	w(VMCS_EXCEPTION_BITMAP, 0);
	w(VMCS_CR3_TARGET_COUNT, 0);
	w(VMCS_EXIT_MSR_STORE_COUNT, 0);
	w(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	w(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	w(VMCS_ENTRY_INTR_INFO, 0);
	w(VMCS_CR0_GUEST_HOST_MASK, 0);
	w(VMCS_CR4_GUEST_HOST_MASK, 0);

	/* 16 bytes below the top, less the return address a call pushes:
	 * the ABI's alignment at a function's first instruction. */
	rt_vmx_self_write(&host, (uint64_t)l2_main,
			  (uint64_t)l2_stack + sizeof(l2_stack) - 8, w);
	return !vmwrite_failed;
}

/* ------------------------------------------------------------------------
 * Nestor's counters (under Nestor only) */

struct l0_counts {
	uint64_t exits[EXIT_REASON_MAX];
	uint64_t vmreads, vmwrites;
};

static bool under_nestor;
static struct l0_counts before, after, empty_run, cpuid_run;

static uint64_t hc(uint64_t fn, uint64_t a)
{
	int64_t ret = -1;

	rt_hypercall(fn, a, 0, 0, &ret, NULL);
	return ret < 0 ? 0 : (uint64_t)ret;
}

static void l0_snapshot(struct l0_counts *c)
{
	if (!under_nestor)
		return;
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
		c->exits[r] = hc(NESTOR_HC_EXIT_COUNT, r);
	c->vmreads = hc(NESTOR_HC_VMCS_ACCESSES, 0);
	c->vmwrites = hc(NESTOR_HC_VMCS_ACCESSES, 1);
}

static void l0_delta(struct l0_counts *d)
{
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
		d->exits[r] = after.exits[r] - before.exits[r];
	d->vmreads = after.vmreads - before.vmreads;
	d->vmwrites = after.vmwrites - before.vmwrites;
}

/* ------------------------------------------------------------------------ */

/* One run of L2: n timed operations, CPUID in each or not. The counts
 * around it go into *d. */
static bool run_l2(bool with_cpuid, uint64_t n, struct l0_counts *d)
{
	uint64_t reason;

	if (!vmcs_fresh())
		return false;
	l2_run.n = n;
	l2_run.cpuid = with_cpuid;
	l2_run.min = l2_run.total = 0;
	l0_snapshot(&before);
	reason = nbench_launch();
	l0_snapshot(&after);
	/* 27.5.2: a VM exit leaves GDTR and IDTR limits at 0xffff. */
	lgdt(&host.gdtr);
	lidt(&host.idtr);
	if (reason == NBENCH_LAUNCH_FAILED || reason == NBENCH_RESUME_FAILED) {
		uint64_t err = 0;

		__asm__ __volatile__("vmread %1, %0" : "=r"(err)
				     : "r"((uint64_t)VMCS_VM_INSTRUCTION_ERROR) : "cc");
		rt_printf("nested-bench: %s failed, VM-instruction error %lu\n",
			  reason == NBENCH_LAUNCH_FAILED ? "VMLAUNCH" : "VMRESUME",
			  err);
		return false;
	}
	if (reason != EXIT_REASON_VMCALL) {
		rt_printf("nested-bench: L2's run ended with exit reason %#lx, not VMCALL\n",
			  reason);
		return false;
	}
	if (d)
		l0_delta(d);
	return true;
}

static bool nestor_signature(void)
{
	char sig[13];

	rt_hv_signature(sig);
	return !strcmp(sig, NESTOR_CPUID_SIGNATURE);
}

static void print_per_round_trip(void)
{
	uint64_t total = 0;

	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		uint64_t n = cpuid_run.exits[r] - empty_run.exits[r];

		total += n;
		if (n)
			rt_printf("nested-bench: l0-exit-reason %u %lu per %u\n",
				  r, n, ITERATIONS);
	}
	rt_printf("nested-bench: l0-exits %lu per %u\n", total, ITERATIONS);
	rt_printf("nested-bench: l0-vmreads %lu per %u\n",
		  cpuid_run.vmreads - empty_run.vmreads, ITERATIONS);
	rt_printf("nested-bench: l0-vmwrites %lu per %u\n",
		  cpuid_run.vmwrites - empty_run.vmwrites, ITERATIONS);
}

int guest_main(void)
{
	struct cpuid_regs leaf0;

	if (!rt_vmx_supported()) {
		rt_printf("nested-bench: no VMX (CPUID.1:ECX.VMX = 0)\n");
		return 1;
	}
	under_nestor = nestor_signature();
	rt_printf("nested-bench: l0 %s\n", under_nestor ? "nestor" : "bare");
	leaf0 = cpuid(0, 0);
	nbench_leaf0[0] = leaf0.eax;
	nbench_leaf0[1] = leaf0.ebx;
	nbench_leaf0[2] = leaf0.ecx;
	nbench_leaf0[3] = leaf0.edx;
	if (!vmx_on())
		return 1;
	/* A first run, so that the measured ones find everything an L0
	 * allocates at the first entry already there. */
	if (!run_l2(true, WARMUP, NULL))
		return 1;
	if (!run_l2(false, ITERATIONS, &empty_run))
		return 1;
	rt_printf("nested-bench: l2-empty %lu %lu ticks\n", l2_run.min,
		  l2_run.total / ITERATIONS);
	if (!run_l2(true, ITERATIONS, &cpuid_run))
		return 1;
	rt_printf("nested-bench: l2-cpuid %lu %lu ticks\n", l2_run.min,
		  l2_run.total / ITERATIONS);
	if (under_nestor)
		print_per_round_trip();
	return 0;
}
