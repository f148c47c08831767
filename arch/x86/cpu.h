/* Inline wrappers for the privileged and CPU-identification instructions
 * Nestor uses outside VMX. Everything that touches the CPU directly goes
 * through here (VMX instructions live behind vmx/). */
#ifndef NESTOR_ARCH_X86_CPU_H
#define NESTOR_ARCH_X86_CPU_H

#include <stdint.h>
#include "arch/x86/extable.h"
#include "arch/x86/regs.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)val),
			     "d"((uint32_t)(val >> 32))
			     : "memory");
}

/* WRMSR of a value that came from a guest, with an exception fixup
 * (arch/x86/extable.h): returns 0, or EXTABLE_FAULTED | vector when the CPU
 * refused it (#GP for a reserved bit). Nestor never faults on a guest's
 * value. */
static inline uint64_t wrmsr_checked(uint32_t msr, uint64_t val)
{
	uint64_t rax = (uint32_t)val;

	__asm__ __volatile__("1: wrmsr\n\t"
			     "xor %%eax, %%eax\n\t"
			     "2:\n\t" EXTABLE_ENTRY("1b", "2b")
			     : "+a"(rax)
			     : "c"(msr), "d"((uint32_t)(val >> 32))
			     : "memory");
	return rax;
}

/* RDMSR of an index a guest chose, with an exception fixup: returns 0 and
 * *val, or nonzero (EXTABLE_FAULTED | vector: #GP, no such MSR). The fixup
 * skips the instruction that clears `failed`, so a fault is told apart
 * from any value. */
static inline uint64_t rdmsr_checked(uint32_t msr, uint64_t *val)
{
	uint64_t rax = 0, rdx = 0, failed = 1;

	__asm__ __volatile__("1: rdmsr\n\t"
			     "xor %%esi, %%esi\n\t"
			     "2:\n\t" EXTABLE_ENTRY("1b", "2b")
			     : "+a"(rax), "+d"(rdx), "+S"(failed)
			     : "c"(msr)
			     : "memory");
	if (failed)
		return rax | EXTABLE_FAULTED;
	*val = (rdx << 32) | (uint32_t)rax;
	return 0;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                               \
	static inline uint64_t read_cr##n(void)                              \
	{                                                                    \
		uint64_t v;                                                  \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));         \
		return v;                                                    \
	}                                                                    \
	static inline void write_cr##n(uint64_t v)                           \
	{                                                                    \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory");  \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

/* DR0-DR3 (SDM Vol. 3A 17.2.1). Nestor never uses them itself: while a
 * guest runs they hold the guest's (or the GDB stub's) breakpoints. */
static inline void write_dr(unsigned n, uint64_t v)
{
	switch (n) {
	case 0: __asm__ __volatile__("mov %0, %%db0" ::"r"(v)); break;
	case 1: __asm__ __volatile__("mov %0, %%db1" ::"r"(v)); break;
	case 2: __asm__ __volatile__("mov %0, %%db2" ::"r"(v)); break;
	case 3: __asm__ __volatile__("mov %0, %%db3" ::"r"(v)); break;
	default: break;
	}
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline void cli(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void sti(void) { __asm__ __volatile__("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ __volatile__("hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }

struct descriptor_table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline void lgdt(const struct descriptor_table_ptr *p)
{
	__asm__ __volatile__("lgdt %0" ::"m"(*p) : "memory");
}

static inline void lidt(const struct descriptor_table_ptr *p)
{
	__asm__ __volatile__("lidt %0" ::"m"(*p) : "memory");
}

static inline void ltr(uint16_t sel)
{
	__asm__ __volatile__("ltr %0" ::"r"(sel) : "memory");
}

/* XSETBV with an exception fixup (arch/x86/extable.h): returns 0, or
 * EXTABLE_FAULTED | vector when the CPU refused the value. */
static inline uint64_t xsetbv_checked(uint32_t xcr, uint64_t val)
{
	uint64_t rax = (uint32_t)val;

	__asm__ __volatile__("1: xsetbv\n\t"
			     "xor %%eax, %%eax\n\t"
			     "2:\n\t" EXTABLE_ENTRY("1b", "2b")
			     : "+a"(rax)
			     : "c"(xcr), "d"((uint32_t)(val >> 32))
			     : "memory");
	return rax;
}



/* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C, 23.6). */
#define CPUID_1_ECX_VMX (1U << 5)
#define CPUID_1_EDX_MTRR (1U << 12)

#endif
