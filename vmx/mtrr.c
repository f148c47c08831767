/* The guest's MTRRs (see vmx/mtrr.h). Rules: SDM Vol. 3A 11.11.1-11.11.3
 * and Vol. 4 Table 2-2. */
#include "vmx/mtrr.h"
#include <stddef.h>

/* Memory types an MTRR may hold (11.11.2, Table 11-8): UC 0, WC 1 (only
 * with MTRRCAP.WC), WT 4, WP 5, WB 6; 2, 3 and 7-0xff are reserved. */
static bool valid_type(const struct mtrr_state *m, uint64_t t)
{
	return t == 0 || t == 4 || t == 5 || t == 6 ||
	       (t == 1 && (m->cap & MTRRCAP_WC));
}

/* Bits at and above maxphyaddr (clamped to 52, the architectural limit). */
static uint64_t high_bits(unsigned maxphyaddr)
{
	if (maxphyaddr > 52)
		maxphyaddr = 52;
	return ~((1ull << maxphyaddr) - 1);
}

static int fixed_index(uint32_t msr)
{
	if (msr == MSR_MTRR_FIX64K_00000)
		return 0;
	if (msr == MSR_MTRR_FIX16K_80000)
		return 1;
	if (msr == MSR_MTRR_FIX16K_A0000)
		return 2;
	if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_F8000)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
	return -1;
}

static uint32_t fixed_msr(unsigned i)
{
	static const uint32_t first[3] = { MSR_MTRR_FIX64K_00000,
					   MSR_MTRR_FIX16K_80000,
					   MSR_MTRR_FIX16K_A0000 };

	return i < 3 ? first[i] : MSR_MTRR_FIX4K_C0000 + (i - 3);
}

bool mtrr_msr(uint32_t msr)
{
	return msr == MSR_MTRRCAP || msr == MSR_MTRR_DEF_TYPE ||
	       (msr >= MSR_MTRR_PHYSBASE0 && msr <= MSR_MTRR_VAR_LAST) ||
	       fixed_index(msr) >= 0;
}

/* Where msr lives in m, or NULL if this CPU does not have it. */
static uint64_t *reg(struct mtrr_state *m, uint32_t msr)
{
	int fi = fixed_index(msr);

	if (!m->present)
		return NULL;
	if (msr == MSR_MTRR_DEF_TYPE)
		return &m->def_type;
	if (fi >= 0)
		return (m->cap & MTRRCAP_FIX) ? &m->fixed[fi] : NULL;
	if (msr >= MSR_MTRR_PHYSBASE0 && msr <= MSR_MTRR_VAR_LAST &&
	    (msr - MSR_MTRR_PHYSBASE0) / 2 < (m->cap & MTRRCAP_VCNT))
		return &m->var[msr - MSR_MTRR_PHYSBASE0];
	return NULL;
}

bool mtrr_init(struct mtrr_state *m, bool present, mtrr_rdmsr_fn rd,
	       unsigned maxphyaddr)
{
	uint64_t cap;

	*m = (struct mtrr_state){ .present = present };
	if (!present)
		return true;
	if (!rd(MSR_MTRRCAP, &cap))
		return false;
	if ((cap & MTRRCAP_VCNT) > MTRR_MAX_VAR)
		cap = (cap & ~MTRRCAP_VCNT) | MTRR_MAX_VAR;
	m->cap = cap;
	if (!rd(MSR_MTRR_DEF_TYPE, &m->def_type))
		return false;
	for (unsigned i = 0; (cap & MTRRCAP_FIX) && i < MTRR_NFIXED; i++)
		if (!rd(fixed_msr(i), &m->fixed[i]))
			return false;
	for (unsigned i = 0; i < 2 * (cap & MTRRCAP_VCNT); i++) {
		if (!rd(MSR_MTRR_PHYSBASE0 + i, &m->var[i]))
			return false;
		m->var[i] &= ~high_bits(maxphyaddr);
	}
	return true;
}

bool mtrr_read(const struct mtrr_state *m, uint32_t msr, uint64_t *val)
{
	const uint64_t *r;

	if (msr == MSR_MTRRCAP) {
		*val = m->cap;
		return m->present;
	}
	r = reg((struct mtrr_state *)m, msr);
	if (!r)
		return false;
	*val = *r;
	return true;
}

bool mtrr_write(struct mtrr_state *m, uint32_t msr, uint64_t val,
		unsigned maxphyaddr)
{
	uint64_t *r = reg(m, msr);

	if (!r) /* absent, or IA32_MTRRCAP (read-only) */
		return false;
	if (msr == MSR_MTRR_DEF_TYPE) {
		/* Figure 11-6: type 7:0, FE 10, E 11; the rest reserved. */
		if ((val & ~0xcffull) || !valid_type(m, val & 0xff))
			return false;
	} else if (fixed_index(msr) >= 0) {
		/* 11.11.2.2: eight 1-byte type fields. */
		for (unsigned b = 0; b < 8; b++)
			if (!valid_type(m, (val >> (8 * b)) & 0xff))
				return false;
	} else if (!((msr - MSR_MTRR_PHYSBASE0) & 1)) {
		/* PHYSBASE (Figure 11-7): type 7:0, 11:8 reserved, base
		 * up to MAXPHYADDR - 1, the bits above reserved. */
		if ((val & (0xf00ull | high_bits(maxphyaddr))) ||
		    !valid_type(m, val & 0xff))
			return false;
	} else {
		/* PHYSMASK: 10:0 reserved, V = bit 11, mask up to
		 * MAXPHYADDR - 1, the bits above reserved. */
		if (val & (0x7ffull | high_bits(maxphyaddr)))
			return false;
	}
	*r = val;
	return true;
}
