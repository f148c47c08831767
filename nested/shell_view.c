/* The debug shell's view of nested VMX (vmx/nested_seam.h: the shell in
 * vmx/shell_view.c reaches nested/ only there): the VMCSes that are not
 * the current one, L1's vmcs12 and the shadow VMCS, and L1's EPT12 walk
 * for an L2 address. The guest is stopped at an exit; nothing here
 * changes what L1 or L2 can observe.
 *
 * Reading another VMCS: VMPTRLD makes it current, VMREAD reads it, and
 * VMPTRLD of v->cur makes the exit's VMCS current again (SDM Vol. 3C 30.3
 * VMPTRLD/VMREAD). VMPTRLD does not change a VMCS's launch state (24.11.3:
 * only VMCLEAR and VMLAUNCH do), and only a VMCS already on this CPU's
 * loaded list (vmx/loaded_vmcs.h: loaded before and not cleared since) is
 * read this way, through vmcs_load() so the list and the CPU's current
 * VMCS stay tracked (vmx/vmcs_track.h). The shadow VMCS is read as
 * nested/shadow.c syncs it: VMPTRLD, VMREAD, VMCLEAR (24.10, 24.11.1). */
#include "vmx/nested_seam.h"
#include "arch/x86/traps.h"
#include "mm/ept_compose.h"
#include "nested/l2.h"
#include "nested/nested_vcpu.h"
#include "nested/shadow.h"
#include "nested/vmx_rules.h"
#include "nested/vmcs12.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmcs_track.h"
#include "vmx/vmx_insn.h"

/* Another VMCS on this CPU's loaded list: its fields, then v->cur again;
 * or why not. */
static const char *read_other(struct vcpu *v, struct loaded_vmcs *lv,
			      const char *name, const uint16_t *rows,
			      unsigned n, uint64_t *vals, enum nested_field *st)
{
	if (&v->cur->lv == lv)
		return name[4] == '1' ? "vmcs01 is the current VMCS"
				      : "vmcs02 is the current VMCS";
	/* Never launched, or cleared since: a VMPTRLD would have to publish
	 * it; its state is of no use to look at either. */
	if (lv->cpu == LOADED_VMCS_NO_CPU)
		return name[4] == '1' ? "vmcs01 is not loaded on this CPU"
				      : "vmcs02 is not loaded (cleared since L2 last ran)";
	if (vmcs_load(lv) != VMX_OK)
		panic("VMPTRLD of VMCS 0x%lx for the shell failed", lv->pa);
	for (unsigned i = 0; i < n; i++)
		st[i] = vmread(vmcs_field_table[rows[i]].encoding, &vals[i]) ==
				VMX_OK ? NESTED_FIELD_OK : NESTED_FIELD_NO_CPU;
	if (vmcs_load(&v->cur->lv) != VMX_OK)
		panic("VMPTRLD of VMCS 0x%lx after the shell's read failed",
		      v->cur->lv.pa);
	return NULL;
}

static const char *no_vmcs12(const struct vcpu *v)
{
	if (!v->l1vmx.on)
		return "L1 is not in VMX operation (no VMXON)";
	if (v->nested->current == VMCS_PTR_NONE)
		return "L1 has no current VMCS (no VMPTRLD, or VMCLEAR of it)";
	return NULL;
}

static void vmcs12_rows(struct vcpu *v, const uint16_t *rows, unsigned n,
			uint64_t *vals, enum nested_field *st,
			struct nested_vmcs_info *info)
{
	const struct vmcs12 *f = &v->nested->cache.f;

	info->pa = v->nested->current;
	if (v->level == VCPU_L2)
		info->note = "its guest-state fields are as of L2's last exit to L1 (written again at the next one)";
	else
		/* L1's VMWRITEs that did not exit are in the shadow VMCS
		 * until its next VMX instruction that uses the whole vmcs12:
		 * taken now, as that instruction would (L1 sees no change). */
		shadow_to_cache(v);
	for (unsigned i = 0; i < n; i++) {
		const struct vmcs_field_info *fi = &vmcs_field_table[rows[i]];

		st[i] = vmcs12_field_supported(&v->vm->l1_caps, fi->encoding)
			? NESTED_FIELD_OK : NESTED_FIELD_NOT_SHOWN;
		vals[i] = st[i] == NESTED_FIELD_OK
			? vmcs12_read(f, fi, fi->encoding) : 0;
	}
}

static void shadow_rows(struct vcpu *v, const uint16_t *rows, unsigned n,
			uint64_t *vals, enum nested_field *st,
			struct nested_vmcs_info *info)
{
	info->pa = shadow_pa();
	shadow_read_rows(v, rows, n, vals, st);
}

void nested_vmcs_fields(struct vcpu *v, enum nested_vmcs which,
			const uint16_t *rows, unsigned n, uint64_t *vals,
			enum nested_field *st, struct nested_vmcs_info *info)
{
	struct l2_state *s = l2_of(v);

	*info = (struct nested_vmcs_info){ 0 };
	if (!v->nested) {
		info->why = "nested VMX is off (nested=on turns it on)";
		return;
	}
	switch (which) {
	case NESTED_VMCS01:
		info->pa = v->vmcs01.lv.pa;
		info->why = read_other(v, &v->vmcs01.lv, "vmcs01", rows, n,
				       vals, st);
		return;
	case NESTED_VMCS02:
		if (!s->ready) {
			info->why = "no vmcs02: L2 has not run yet";
			return;
		}
		info->pa = s->vmcs02.lv.pa;
		info->note = "as L2's last exit left it";
		info->why = read_other(v, &s->vmcs02.lv, "vmcs02", rows, n,
				       vals, st);
		return;
	case NESTED_VMCS12:
		info->why = no_vmcs12(v);
		if (!info->why)
			vmcs12_rows(v, rows, n, vals, st, info);
		return;
	case NESTED_VMCS_SHADOW:
		if (!v->cfg->vmcs_shadowing)
			info->why = "this CPU has no VMCS shadowing (or Nestor does not use it)";
		else if (!shadow_active(v) || no_vmcs12(v))
			info->why = no_vmcs12(v) ? no_vmcs12(v)
				: "VMCS shadowing is not on for L1";
		else
			shadow_rows(v, rows, n, vals, st, info);
		return;
	}
	info->why = "no such VMCS";
}

/* An EPT12 read that keeps what it read, for the shell's lines. */
struct recorder {
	struct vcpu *v;
	struct nested_ept_view *out;
};

static int record_read(void *ctx, uint64_t l1_gpa, uint64_t *entry)
{
	struct recorder *r = ctx;
	struct nested_ept_view *o = r->out;

	if (!l2_read_l1(r->v, l1_gpa, entry, 8))
		return -1;
	if (o->nentries < NESTED_EPT12_MAX) {
		o->entry[o->nentries] = *entry;
		o->entry_gpa[o->nentries++] = l1_gpa;
	}
	return 0;
}

bool nested_ept_view(struct vcpu *v, uint64_t l2_gpa,
		     struct nested_ept_view *out)
{
	const struct l2_state *s = l2_of(v);
	struct ept12_caps caps;
	struct ept12_result w;
	struct recorder r = { v, out };

	*out = (struct nested_ept_view){ 0 };
	if (!v->nested || v->level != VCPU_L2)
		return false;
	out->ept02 = s->ept02_used && s->ept02_ready ? &s->ept02 : NULL;
	if (!s->shadow_ept) {
		out->translated = true;
		out->l1_gpa = l2_gpa;
		return true;
	}
	out->ept12 = true;
	out->eptp12 = s->eptp12;
	/* 24.6.11: EPTP bits 5:3 are the walk length minus 1. */
	out->top_level = (unsigned)((s->eptp12 >> 3) & 7) + 1;
	caps = ept12_caps_from_msr(v->vm->l1_caps.ept_vpid_cap, v->vm->maxphyaddr);
	/* As nested_l2_gpa_to_l1(): a read, no A/D flag set (29.3.x/28.2). */
	if (ept12_walk(&caps, s->eptp12, l2_gpa, EPT12_ACC_READ, record_read,
		       &r, &w)) {
		out->why = "no walk (the address is beyond what L1's EPT12 maps)";
		return true;
	}
	out->translated = w.kind == EPT12_TRANSLATED;
	out->why = w.why;
	out->l1_gpa = w.l1_gpa;
	return true;
}
