/* See nested/host_state.h. Section numbers: Intel SDM Vol. 3C. */
#include "nested/host_state.h"
#include "arch/x86/regs.h"
#include "lib/string.h"
#include "vmx/vmx_controls.h"

/* 27.5.1: the CR0 bits a VM exit does not load: 63:32, 28:19, 17, 15:6,
 * ET (4), NW (29) and CD (30). (The bits fixed in VMX operation already
 * hold in the host field: 26.2.2.) */
#define CR0_KEEP (0xffffffff00000000ull | 0x1ff80000ull | (1ull << 17) | \
		  0xffc0ull | (1ull << 4) | (1ull << 29) | (1ull << 30))

/* 27.5.2 access rights: type, S (4), DPL (6:5), P (7), L (13), D/B (14),
 * G (15), unusable (16). */
#define AR_S (1u << 4)
#define AR_P (1u << 7)
#define AR_L (1u << 13)
#define AR_DB (1u << 14)
#define AR_G (1u << 15)
#define AR_UNUSABLE (1u << 16)

static void data_seg(struct l1_seg *s, uint16_t sel, uint64_t base)
{
	s->sel = sel;
	s->base = base;
	s->limit = 0xffffffffu;
	/* 27.5.2: a null selector leaves the register unusable; otherwise
	 * type 3 (read/write, accessed), S, DPL 0, P, D/B, G. */
	s->ar = sel ? 3u | AR_S | AR_P | AR_DB | AR_G : AR_UNUSABLE;
}

void nested_host_state(const struct vmcs12 *f, uint64_t old_cr0,
		       uint64_t old_efer, struct l1_host_state *o)
{
	uint32_t exit = f->EXIT_CONTROLS;
	bool ia32e = exit & EXIT_HOST_ADDR_SPACE_SIZE;

	memset(o, 0, sizeof(*o));
	/* 27.5.1 */
	o->cr0 = (f->HOST_CR0 & ~CR0_KEEP) | (old_cr0 & CR0_KEEP);
	o->cr3 = f->HOST_CR3;
	o->cr4 = f->HOST_CR4;
	if (ia32e)
		o->cr4 |= CR4_PAE;
	else
		o->cr4 &= ~CR4_PCIDE;
	o->dr7 = 0x400;
	o->debugctl = 0;
	o->sysenter_cs = f->HOST_IA32_SYSENTER_CS;
	/* 27.5.1: on a processor with Intel 64 the full fields are loaded,
	 * whatever the host address-space size (only a processor without
	 * Intel 64 has 32-bit fields); 26.2.3 made them canonical. */
	o->sysenter_esp = f->HOST_IA32_SYSENTER_ESP;
	o->sysenter_eip = f->HOST_IA32_SYSENTER_EIP;
	if (exit & EXIT_LOAD_EFER)
		o->efer = f->HOST_IA32_EFER;
	else
		o->efer = ia32e ? old_efer | EFER_LMA | EFER_LME
				: old_efer & ~(EFER_LMA | EFER_LME);
	o->load_pat = exit & EXIT_LOAD_PAT;
	o->pat = f->HOST_IA32_PAT;
	o->load_perf_global_ctrl = exit & EXIT_LOAD_PERF_GLOBAL_CTRL;
	o->perf_global_ctrl = f->HOST_IA32_PERF_GLOBAL_CTRL;
	o->clear_bndcfgs = exit & EXIT_CLEAR_BNDCFGS;

	/* 27.5.2 */
	o->seg[HS_CS].sel = f->HOST_CS_SELECTOR;
	o->seg[HS_CS].limit = 0xffffffffu;
	o->seg[HS_CS].ar = 11u | AR_S | AR_P | AR_G |
			   (ia32e ? AR_L : AR_DB);
	data_seg(&o->seg[HS_ES], f->HOST_ES_SELECTOR, 0);
	data_seg(&o->seg[HS_SS], f->HOST_SS_SELECTOR, 0);
	data_seg(&o->seg[HS_DS], f->HOST_DS_SELECTOR, 0);
	data_seg(&o->seg[HS_FS], f->HOST_FS_SELECTOR, f->HOST_FS_BASE);
	data_seg(&o->seg[HS_GS], f->HOST_GS_SELECTOR, f->HOST_GS_BASE);
	o->seg[HS_LDTR].ar = AR_UNUSABLE;
	o->seg[HS_TR].sel = f->HOST_TR_SELECTOR;
	o->seg[HS_TR].base = f->HOST_TR_BASE;
	o->seg[HS_TR].limit = 0x67;
	o->seg[HS_TR].ar = 11u | AR_P; /* busy TSS, S = 0, G = 0 */
	o->gdtr_base = f->HOST_GDTR_BASE;
	o->idtr_base = f->HOST_IDTR_BASE;
	o->gdtr_limit = o->idtr_limit = 0xffff;

	/* 27.5.3 */
	o->rip = f->HOST_RIP;
	o->rsp = f->HOST_RSP;
	o->rflags = RFLAGS_FIXED1;
	if (!ia32e) {
		o->rip &= 0xffffffffull;
		o->rsp &= 0xffffffffull;
	}
}
