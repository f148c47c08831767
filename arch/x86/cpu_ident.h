/* Decoding CPU identification (pure: works on CPUID register values). */
#ifndef NESTOR_ARCH_X86_CPU_IDENT_H
#define NESTOR_ARCH_X86_CPU_IDENT_H

#include <stdint.h>

struct cpu_signature {
	unsigned family, model, stepping;
};

/* Display family/model/stepping from CPUID.01H:EAX (SDM Vol. 2A, CPUID,
 * "Version Information"). */
struct cpu_signature cpu_signature_decode(uint32_t eax);

/* MAXPHYADDR (SDM Vol. 3A, 4.1.4): CPUID.80000008H:EAX[7:0] when that leaf
 * exists, else 36 with PAE (CPUID.01H:EDX[6]) and 32 without. */
unsigned cpu_maxphyaddr(uint32_t max_ext_leaf, uint32_t eax_80000008,
			uint32_t edx_1);

/* The 12-byte vendor string from CPUID.0 (EBX, EDX, ECX order), NUL-ended. */
void cpu_vendor_string(uint32_t ebx, uint32_t ecx, uint32_t edx, char out[13]);

#endif
