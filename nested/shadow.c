/* See nested/shadow.h. */
#include "nested/shadow.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/pool.h"
#include "arch/x86/traps.h"
#include "nested/l2.h"
#include "nested/nested_vcpu.h"
#include "nested/vmx_rules.h"
#include "vmx/exits.h"
#include "vmx/nested_seam.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_field_caps.h"
#include "vmx/vmcs_track.h"
#include "vmx/vmx_controls.h"

/* One slot per row of the field table. */
#define ROW(name, enc, width, sh) +1
enum { VMCS_SHADOW_MAX_ROWS = 0 VMCS_FIELDS(ROW) };
#undef ROW

/* One vCPU today. Written here only. */
static struct {
	bool ready;              /* pages allocated */
	struct loaded_vmcs lv;   /* the shadow VMCS */
	uint8_t *read_bitmap, *write_bitmap; /* 24.6.15 */
	/* Rows of vmcs_field_table the shadow VMCS holds (nread) and, of
	 * those, first the ones L1 may also VMWRITE without an exit
	 * (nwrite <= nread): computed once, walked at every sync. */
	uint16_t rows[VMCS_SHADOW_MAX_ROWS];
	unsigned nread, nwrite;
} shadow;

bool shadow_active(const struct vcpu *v)
{
	return v->wants.vmcs_shadowing;
}

/* A field is shadowed when the table says so, L1 was shown it and the CPU
 * has it; a read-only one only where the CPU lets Nestor VMWRITE it into
 * the shadow VMCS (IA32_VMX_MISC bit 29, A.6). */
static bool shadowed(const struct vcpu *v, const struct vmcs_field_info *f,
		     bool for_write)
{
	bool ro = VMCS_ENC_TYPE(f->encoding) == VMCS_T_EXIT_INFO;

	if (f->shadow == VMCS_SHADOW_NO ||
	    (for_write && f->shadow != VMCS_SHADOW_RW))
		return false;
	if (ro && !(v->vm->host_caps.misc & (1ull << 29)))
		return false;
	return vmcs12_field_supported(&v->vm->l1_caps, f->encoding) &&
	       vmcs12_field_supported(&v->vm->host_caps, f->encoding);
}

/* 24.6.15: bit n of a bitmap is for the encoding whose bits 14:0 are n; a
 * 1 makes the access exit. */
static void bitmap_allow(uint8_t *b, uint32_t enc)
{
	b[(enc & 0x7fff) / 8] &= (uint8_t)~(1u << (enc & 7));
}

/* rows[]: the read-and-write rows first, then the read-only ones. */
static void list_rows(const struct vcpu *v)
{
	shadow.nread = shadow.nwrite = 0;
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < vmcs_field_count; i++) {
			const struct vmcs_field_info *f = &vmcs_field_table[i];
			bool w = shadowed(v, f, true);

			if (pass == 0 ? w : (!w && shadowed(v, f, false)))
				shadow.rows[shadow.nread++] = (uint16_t)i;
		}
	for (unsigned i = 0; i < shadow.nread; i++)
		if (shadowed(v, &vmcs_field_table[shadow.rows[i]], true))
			shadow.nwrite = i + 1;
}

static bool setup(struct vcpu *v)
{
	uint64_t pa;

	if (shadow.ready)
		return true;
	if (!v->cfg->vmcs_shadowing)
		return false;
	pa = pool_alloc("the shadow VMCS for L1");
	shadow.read_bitmap = (uint8_t *)pool_alloc("L1's VMREAD bitmap");
	shadow.write_bitmap = (uint8_t *)pool_alloc("L1's VMWRITE bitmap");
	if (!pa || !shadow.read_bitmap || !shadow.write_bitmap) {
		pr_warn("nestor: no memory for VMCS shadowing: every VMREAD/VMWRITE of L1 exits\n");
		return false;
	}
	/* 24.10: bit 31 of the revision dword marks a shadow VMCS. */
	*(uint32_t *)pa = v->cfg->revision | (1u << 31);
	if (loaded_vmcs_init(&shadow.lv, pa) != LOADED_VMCS_OK ||
	    vmclear(pa) != VMX_OK)
		panic("cannot set up the shadow VMCS at 0x%lx", pa);
	memset(shadow.read_bitmap, 0xff, 4096);
	memset(shadow.write_bitmap, 0xff, 4096);
	list_rows(v);
	for (unsigned i = 0; i < shadow.nread; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[shadow.rows[i]];

		for (uint32_t hi = 0; hi <= (f->width == VMCS_W64); hi++) {
			bitmap_allow(shadow.read_bitmap, f->encoding | hi);
			if (i < shadow.nwrite)
				bitmap_allow(shadow.write_bitmap, f->encoding | hi);
		}
	}
	shadow.ready = true;
	return true;
}

void shadow_vmx_on(struct vcpu *v)
{
	if (!setup(v))
		return;
	/* vmcs01 is current on every exit. */
	vmcs_write(VMCS_VMREAD_BITMAP, (uint64_t)shadow.read_bitmap);
	vmcs_write(VMCS_VMWRITE_BITMAP, (uint64_t)shadow.write_bitmap);
	vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ull);
	v->wants.vmcs_shadowing = true;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

void shadow_vmx_off(struct vcpu *v)
{
	if (!shadow_active(v))
		return;
	vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ull);
	v->wants.vmcs_shadowing = false;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

static void load_shadow(void)
{
	if (vmcs_load(&shadow.lv) != VMX_OK)
		panic("VMPTRLD of the shadow VMCS 0x%lx failed", shadow.lv.pa);
}

/* Back to `back` (vmcs01, or vmcs02 for the shell while L2 runs), the
 * shadow VMCS cleared first: its data is then in memory, where the CPU
 * reads a shadow VMCS through the link pointer (24.11.1: a VMCS's data may
 * be cached on the processor while it is active; VMCLEAR writes it back
 * and makes it inactive). */
static void load_back(struct loaded_vmcs *back)
{
	if (vmcs_clear(&shadow.lv) != VMX_OK)
		panic("VMCLEAR of the shadow VMCS 0x%lx failed", shadow.lv.pa);
	if (vmcs_load(back) != VMX_OK)
		panic("VMPTRLD of VMCS 0x%lx failed", back->pa);
}

static void load_vmcs01(struct vcpu *v)
{
	load_back(&v->vmcs01.lv);
}

bool shadow_holds_row(unsigned row)
{
	for (unsigned i = 0; i < shadow.nread; i++)
		if (shadow.rows[i] == row)
			return true;
	return false;
}

uint64_t shadow_pa(void)
{
	return shadow.lv.pa;
}

void shadow_read_rows(struct vcpu *v, const uint16_t *rows, unsigned n,
		      uint64_t *vals, enum nested_field *st)
{
	load_shadow();
	for (unsigned i = 0; i < n; i++) {
		bool held = shadow_holds_row(rows[i]);

		st[i] = held ? NESTED_FIELD_OK : NESTED_FIELD_NOT_SHADOWED;
		vals[i] = held ? vmcs_read(vmcs_field_table[rows[i]].encoding) : 0;
	}
	load_back(&v->cur->lv);
}

void shadow_to_cache(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;

	if (!shadow_active(v) || n->current == VMCS_PTR_NONE)
		return;
	load_shadow();
	for (unsigned i = 0; i < shadow.nwrite; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[shadow.rows[i]];
		uint64_t val = vmcs_read(f->encoding);

		/* What L1 changed without an exit: vmcs02 takes it at the
		 * next entry (nested/l2.c). */
		if (val != vmcs12_get(&n->cache.f, f)) {
			vmcs12_put(&n->cache.f, f, val);
			l2_field_written(v, f);
		}
	}
	load_vmcs01(v);
}

void shadow_sync_field(struct vcpu *v, uint32_t enc)
{
	struct nested_vcpu *n = v->nested;
	const struct vmcs_field_info *f;

	if (!shadow_active(v) || n->current == VMCS_PTR_NONE ||
	    (shadow.read_bitmap[(enc & 0x7fff) / 8] >> (enc & 7)) & 1)
		return;
	f = vmcs_field_lookup(enc);
	if (!f)
		return;
	load_shadow();
	vmcs_write(f->encoding, vmcs12_get(&n->cache.f, f));
	load_vmcs01(v);
}

void shadow_from_cache_rows(struct vcpu *v, const uint64_t *rows)
{
	struct nested_vcpu *n = v->nested;

	if (!shadow_active(v) || n->current == VMCS_PTR_NONE) {
		shadow_from_cache(v);
		return;
	}
	load_shadow();
	for (unsigned i = 0; i < shadow.nread; i++) {
		unsigned row = shadow.rows[i];
		const struct vmcs_field_info *f = &vmcs_field_table[row];

		if ((rows[row / 64] >> (row % 64)) & 1)
			vmcs_write(f->encoding, vmcs12_get(&n->cache.f, f));
	}
	load_vmcs01(v);
}

void shadow_from_cache(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;

	if (!shadow_active(v))
		return;
	if (n->current == VMCS_PTR_NONE) {
		vmcs_write(VMCS_VMCS_LINK_POINTER, ~0ull);
		return;
	}
	load_shadow();
	for (unsigned i = 0; i < shadow.nread; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[shadow.rows[i]];

		vmcs_write(f->encoding, vmcs12_get(&n->cache.f, f));
	}
	load_vmcs01(v);
	vmcs_write(VMCS_VMCS_LINK_POINTER, shadow.lv.pa);
}
