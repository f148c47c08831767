/* VMX capability MSR fixtures for the Bochs 2.7 CPU models Nestor is tested
 * on (/work/shared/platform.md), shared by the unit tests of vmx/caps.c and
 * vmx/vmcs_field_caps.c.
 *
 * Measured (platform.md): every value of corei7_skylake_x except
 * IA32_VMX_VMFUNC, CR0/CR4 fixed and the TRUE MSRs; for every model, the
 * secondary controls' allowed-1 bits and IA32_VMX_EPT_VPID_CAP.
 *
 * Derived, not measured: the other models' BASIC, pin/proc/exit/entry, MISC,
 * TRUE and fixed MSRs are Skylake's. Bochs builds these MSRs from one
 * feature list per model (cpudb get_vmx_extensions_bitmask()); Lynnfield's
 * and Haswell's lists both name the preemption timer, virtual NMIs, PAT,
 * EFER and PERF_GLOBAL_CTRL load controls that Skylake's values show.
 *
 * Invented: IA32_VMX_VMFUNC = 1 (EPTP switching only) wherever "enable VM
 * functions" can be 1; the CR0/CR4 fixed and TRUE values; "monitor trap
 * flag" (primary bit 27) allowed-1 on icelake/tigerlake only, following
 * platform.md ("MTF commented out except on icelake/tigerlake"). */
#ifndef NESTOR_TESTS_UNIT_VMX_MODELS_H
#define NESTOR_TESTS_UNIT_VMX_MODELS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmx_controls.h"
#include "vmx/vmx_msrs.h"

#define CTLS(a1, a0) (((uint64_t)(a1) << 32) | (uint32_t)(a0))
#define HI32_OF(v) ((uint32_t)((v) >> 32))
#define LO32_OF(v) ((uint32_t)(v))

/* corei7_skylake_x. VMCS_ENUM 0x34 = highest index 0x1a (measured; one
 * above any field the model has, docs/bochs-deviations.md row 4). */
static inline struct vmx_msrs skylake(void)
{
	struct vmx_msrs m = {
		.basic = 0x00d810000000002bull,
		.pinbased = 0x0000007f00000016ull,
		.procbased = 0xf7f9fffe0401e172ull,
		.exit = 0x007fffff00036dffull,
		.entry = 0x0000ffff000011ffull,
		.misc = 0x00000000600401e0ull,
		.cr0_fixed0 = 0x80000021ull,
		.cr0_fixed1 = 0xffffffffull,
		.cr4_fixed0 = 0x2000ull,
		.cr4_fixed1 = 0x3727ffull,
		.vmcs_enum = 0x34,
		.procbased2 = CTLS(0x02177fff, 0),
		.ept_vpid_cap = 0x00000f0106334141ull,
		.vmfunc = 1,
		.true_pinbased = 0x0000007f00000016ull,
		.true_procbased = 0xf7f9fffe04006172ull,
		.true_exit = 0x007fffff00036dfbull,
		.true_entry = 0x0000ffff000011fbull,
		.have_procbased2 = true,
		.have_ept_vpid_cap = true,
		.have_vmfunc = true,
		.have_true_ctls = true,
	};
	return m;
}

/* Another model: its CTLS2 and EPT/VPID cap on Skylake's other values. The
 * existence flags follow A.10/A.11 as vmx_msrs_read() does. */
static inline struct vmx_msrs model(uint32_t ctls2, bool have_cap,
				    uint64_t cap)
{
	struct vmx_msrs m = skylake();

	m.procbased2 = CTLS(ctls2, 0);
	m.have_ept_vpid_cap = have_cap;
	m.ept_vpid_cap = have_cap ? cap : 0;
	m.have_vmfunc = ctls2 & PROC2_ENABLE_VMFUNC;
	m.vmfunc = m.have_vmfunc ? 1 : 0;
	return m;
}

static inline struct vmx_msrs penryn(void)
{
	return model(0x41, false, 0);
}

static inline struct vmx_msrs lynnfield(void)
{
	return model(0x7f, true, 0x00000f0106114141ull);
}

static inline struct vmx_msrs sandy_bridge(void)
{
	return model(0xff, true, 0x00000f0106114141ull);
}

static inline struct vmx_msrs ivy_bridge(void)
{
	return model(0x8ff, true, 0x00000f0106114141ull);
}

static inline struct vmx_msrs haswell(void)
{
	return model(0x47fff, true, 0x00000f0106334141ull);
}

static inline struct vmx_msrs broadwell(void)
{
	return model(0x57fff, true, 0x00000f0106334141ull);
}

static inline struct vmx_msrs with_mtf(struct vmx_msrs m)
{
	m.procbased |= (uint64_t)PROC_MONITOR_TRAP_FLAG << 32;
	m.true_procbased |= (uint64_t)PROC_MONITOR_TRAP_FLAG << 32;
	return m;
}

static inline struct vmx_msrs icelake(void)
{
	return with_mtf(model(0x02977fff, true, 0x00000f0106334141ull));
}

static inline struct vmx_msrs tigerlake(void)
{
	return with_mtf(model(0x02977fff, true, 0x00000f0106b34141ull));
}

struct vmx_model {
	const char *name;
	struct vmx_msrs (*msrs)(void);
};

static const struct vmx_model vmx_models[] = {
	{ "core2_penryn_t9600", penryn },
	{ "corei5_lynnfield_750", lynnfield },
	{ "corei7_sandy_bridge_2600k", sandy_bridge },
	{ "corei7_ivy_bridge_3770k", ivy_bridge },
	{ "corei7_haswell_4770", haswell },
	{ "broadwell_ult", broadwell },
	{ "corei7_skylake_x", skylake },
	{ "corei7_icelake_u", icelake },
	{ "tigerlake", tigerlake },
};

#define VMX_MODEL_COUNT (sizeof(vmx_models) / sizeof(vmx_models[0]))

/* A CPU that allows every control to be 1 (only the A.2 default1 bits
 * forced in the plain MSRs), with every MSR present: every conditional
 * field exists. Not a real CPU. */
static inline struct vmx_msrs everything_cpu(void)
{
	struct vmx_msrs m = skylake();

	m.pinbased = CTLS(0xffffffff, 0x16);
	m.procbased = CTLS(0xffffffff, 0x0401e172);
	m.exit = CTLS(0xffffffff, 0x00036dff);
	m.entry = CTLS(0xffffffff, 0x000011ff);
	m.true_pinbased = CTLS(0xffffffff, 0x16);
	m.true_procbased = CTLS(0xffffffff, 0x04006172);
	m.true_exit = CTLS(0xffffffff, 0x00036dfb);
	m.true_entry = CTLS(0xffffffff, 0x000011fb);
	m.procbased2 = CTLS(0xffffffff, 0);
	m.ept_vpid_cap = 0xffffffffffffffffull;
	m.vmfunc = 1;
	/* MISC: rate 31, all activity states, PT in VMX, SMBASE, 4 CR3
	 * targets, bits 28-30, MSEG revision 1. */
	m.misc = 0x000000017004c1ffull;
	m.basic |= 1ull << 49;		/* dual-monitor treatment */
	return m;
}

#endif
