/* See nested/operand.h. */
#include "nested/operand.h"
#include "arch/x86/regs.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/guest_walk.h"
#include "nested/vmx_rules.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/guest_access.h"
#include "vmx/insn_info.h"
#include "vmx/vmcs.h"

static const uint32_t seg_base_f[6] = {
	VMCS_GUEST_ES_BASE, VMCS_GUEST_CS_BASE, VMCS_GUEST_SS_BASE,
	VMCS_GUEST_DS_BASE, VMCS_GUEST_FS_BASE, VMCS_GUEST_GS_BASE,
};
static const uint32_t seg_limit_f[6] = {
	VMCS_GUEST_ES_LIMIT, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_SS_LIMIT,
	VMCS_GUEST_DS_LIMIT, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_GS_LIMIT,
};
static const uint32_t seg_ar_f[6] = {
	VMCS_GUEST_ES_AR, VMCS_GUEST_CS_AR, VMCS_GUEST_SS_AR,
	VMCS_GUEST_DS_AR, VMCS_GUEST_FS_AR, VMCS_GUEST_GS_AR,
};

bool l1_long_mode(struct vcpu *v)
{
	(void)v;
	return (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L);
}

uint64_t l1_operand_reg2(struct vcpu *v)
{
	uint32_t info = (uint32_t)exit_get(&v->exit, EF_INSN_INFO);
	uint64_t r = gpr_read(v, (info >> 28) & 0xf);

	return l1_long_mode(v) ? r : (uint32_t)r;
}

/* Sets the accessed flags of the entries a walk used, and the dirty flag
 * of the leaf for a write, as the CPU's own access would (Vol. 3A 4.8):
 * which bits, and the entry size, from gw_ad_bits() (no flag in a PAE
 * PDPTE, whose bit 5 is reserved; 4-byte entries in 32-bit paging). */
static void set_accessed_dirty(struct vcpu *v, const struct gw_state *st,
			       const struct gw_result *r, bool write)
{
	for (unsigned i = 0; i < r->nentries && i < 5; i++) {
		unsigned size;
		uint64_t bits = gw_ad_bits(st, r, i, write, &size);
		void *e;

		if (!bits)
			continue;
		e = guest_phys_ptr(v, r->entry_gpa[i], size);
		if (!e)
			continue;
		if (size == 4)
			__atomic_fetch_or((uint32_t *)e, (uint32_t)bits,
					  __ATOMIC_RELAXED);
		else
			__atomic_fetch_or((uint64_t *)e, bits, __ATOMIC_RELAXED);
	}
}

/* Translates [la, la + size) for the access, page by page, queueing the
 * #PF of the first page that faults. On success ptr[] holds host pointers
 * for up to two pieces. */
static bool translate(struct vcpu *v, uint64_t la, unsigned size, bool write,
		      void *ptr[2], unsigned len[2], unsigned *pieces)
{
	struct gw_state st;
	struct gw_result r[2];
	/* Outside IA-32e mode linear addresses are 32 bits and wrap at 4 GiB
	 * (Vol. 3A 3.4, 4.1): so does the second piece's address, and CR2. */
	uint64_t la_mask = l1_long_mode(v) ? ~0ull : 0xffffffffull;

	guest_paging_state(&st, v);
	*pieces = 0;
	while (size) {
		unsigned n = 4096 - (unsigned)(la & 4095);
		struct gw_result *w = &r[*pieces];

		if (n > size)
			n = size;
		guest_walk(&st, la, write ? GW_WRITE : GW_READ,
			   guest_read_phys_entry, v, w);
		if (w->status == GW_PAGE_FAULT) {
			/* Vol. 3A 4.7: CR2 = the linear address that faulted. */
			event_queue_exception(&v->events, VEC_PF, true,
					      w->pfec, true, la);
			return false;
		}
		if (w->status != GW_OK)
			guest_unsupported(v, "a VMX-instruction memory operand whose translation Nestor cannot complete (paging structures outside RAM)");
		ptr[*pieces] = guest_phys_ptr(v, w->gpa, n);
		if (!ptr[*pieces])
			guest_unsupported(v, "a VMX-instruction memory operand outside the guest's RAM (Nestor reaches only RAM on L1's behalf)");
		len[*pieces] = n;
		(*pieces)++;
		la = (la + n) & la_mask;
		size -= n;
	}
	for (unsigned i = 0; i < *pieces; i++)
		set_accessed_dirty(v, &st, &r[i], write);
	return true;
}

/* The linear address of the memory operand, after the segment checks;
 * false with #GP(0)/#SS(0) queued. */
static bool operand_la(struct vcpu *v, unsigned size, bool write, uint64_t *la)
{
	uint32_t info = (uint32_t)exit_get(&v->exit, EF_INSN_INFO);
	struct insn_operand_ctx ctx;
	struct insn_operand op;
	enum vmx_mem_fault f;
	uint64_t ea;

	ctx.long_mode = l1_long_mode(v);
	for (unsigned i = 0; i < 16; i++)
		ctx.gpr[i] = gpr_read(v, i);
	for (unsigned i = 0; i < 6; i++)
		ctx.seg_base[i] = vmcs_read(seg_base_f[i]);
	if (insn_operand_decode(info, exit_get(&v->exit, EF_QUAL), &ctx, &op))
		guest_unsupported(v, "the CPU reported a reserved VM-exit instruction-information encoding (27.2.5)");
	ea = op.linear;
	if (!ctx.long_mode || op.segment >= 4)
		ea -= ctx.seg_base[op.segment];
	if (!ctx.long_mode)
		ea &= 0xffffffffull;
	f = vmx_mem_operand_fault(op.segment,
				  (uint32_t)vmcs_read(seg_ar_f[op.segment]),
				  (uint32_t)vmcs_read(seg_limit_f[op.segment]),
				  ea, op.linear, size, write, ctx.long_mode,
				  guest_visible_cr4(v) & CR4_LA57);
	if (f != VMX_MEM_OK) {
		event_queue_exception(&v->events, f == VMX_MEM_SS0 ? VEC_SS : VEC_GP,
				      true, 0, false, 0);
		return false;
	}
	*la = op.linear;
	return true;
}

static bool is_reg_operand(struct vcpu *v)
{
	return exit_get(&v->exit, EF_INSN_INFO) & (1u << 10);
}

static unsigned reg_of(struct vcpu *v)
{
	return ((uint32_t)exit_get(&v->exit, EF_INSN_INFO) >> 3) & 0xf;
}

bool l1_operand_read(struct vcpu *v, void *buf, unsigned size)
{
	void *p[2];
	unsigned len[2], n;
	uint64_t la;

	if (is_reg_operand(v)) {
		uint64_t r = gpr_read(v, reg_of(v));

		memcpy(buf, &r, size > 8 ? 8 : size);
		return true;
	}
	if (!operand_la(v, size, false, &la) ||
	    !translate(v, la, size, false, p, len, &n))
		return false;
	memcpy(buf, p[0], len[0]);
	if (n > 1)
		memcpy((uint8_t *)buf + len[0], p[1], len[1]);
	return true;
}

bool l1_operand_write(struct vcpu *v, const void *buf, unsigned size)
{
	void *p[2];
	unsigned len[2], n;
	uint64_t la;

	if (is_reg_operand(v)) {
		uint64_t r = 0;

		/* 32-bit operand outside 64-bit mode: the upper half of the
		 * 64-bit register is cleared, as for any 32-bit destination
		 * (Vol. 1 3.4.1.1). */
		memcpy(&r, buf, size > 8 ? 8 : size);
		gpr_write(v, reg_of(v), r);
		return true;
	}
	if (!operand_la(v, size, true, &la) ||
	    !translate(v, la, size, true, p, len, &n))
		return false;
	memcpy(p[0], buf, len[0]);
	if (n > 1)
		memcpy(p[1], (const uint8_t *)buf + len[0], len[1]);
	return true;
}
