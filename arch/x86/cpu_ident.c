/* Pure decoding of CPUID identification values; unit tested on the host. */
#include "arch/x86/cpu_ident.h"
#include "lib/string.h"

struct cpu_signature cpu_signature_decode(uint32_t eax)
{
	struct cpu_signature s;
	unsigned base_family = (eax >> 8) & 0xf;
	unsigned base_model = (eax >> 4) & 0xf;

	/* The extended family is added only for base family 0xF; the extended
	 * model is prepended for families 0x6 and 0xF (SDM Vol. 2A, CPUID). */
	s.family = base_family;
	if (base_family == 0xf)
		s.family += (eax >> 20) & 0xff;
	s.model = base_model;
	if (base_family == 0x6 || base_family == 0xf)
		s.model |= ((eax >> 16) & 0xf) << 4;
	s.stepping = eax & 0xf;
	return s;
}

unsigned cpu_maxphyaddr(uint32_t max_ext_leaf, uint32_t eax_80000008,
			uint32_t edx_1)
{
	if (max_ext_leaf >= 0x80000008 && (eax_80000008 & 0xff))
		return eax_80000008 & 0xff;
	return (edx_1 & (1U << 6)) ? 36 : 32;
}

void cpu_vendor_string(uint32_t ebx, uint32_t ecx, uint32_t edx, char out[13])
{
	memcpy(out, &ebx, 4);
	memcpy(out + 4, &edx, 4);
	memcpy(out + 8, &ecx, 4);
	out[12] = '\0';
}
