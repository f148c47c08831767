/* L1's VMX instructions (nested=on): each one emulated to its "Operation"
 * in SDM Vol. 3C chapter 30, in that order: the #UD/#GP checks
 * (nested/vmx_rules.c), the operands (nested/operand.c, with L1's own
 * faults), then VMsucceed or VMfail (30.2) with the exact RFLAGS and, for
 * VMfailValid, the error number in the current VMCS (30.4).
 *
 * The current VMCS is cached here (struct nested_vcpu.cache) and written
 * back to L1's region at VMCLEAR, at VMPTRLD of another VMCS and at
 * VMXOFF (24.11.1); with VMCS shadowing its hot fields also live in a
 * shadow VMCS (nested/shadow.c). VMLAUNCH/VMRESUME continue in
 * nested/vmentry.c. */
#include "vmx/nested_seam.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/string.h"
#include "nested/l2.h"
#include "nested/nested_vcpu.h"
#include "nested/operand.h"
#include "nested/shadow.h"
#include "nested/vmentry.h"
#include "nested/vmx_rules.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_field_caps.h"

/* One vCPU today (vmx/vcpu.h this_vcpu()). */
static struct nested_vcpu boot_nested;

void nested_vcpu_init(struct vcpu *v)
{
	if (!v->vm->nested)
		return;
	memset(&boot_nested, 0, sizeof(boot_nested));
	boot_nested.current = VMCS_PTR_NONE;
	boot_nested.vmxon_ptr = VMCS_PTR_NONE;
	v->nested = &boot_nested;
	/* A reset leaves VMX operation: no L2 (the teardown before a
	 * restart cleared vmcs02), and vpid02 holds nothing of L1's. */
	l2_of(v)->pending = NESTED_SWITCH_NONE;
	l2_of(v)->vpid12_valid = false;
	/* A reset invalidates every cached translation: EPT02 is built
	 * again for whatever EPTP the new L1 uses (28.3.3; no valid EPTP has
	 * bits 63:52 set, 24.6.11). VMX is off here, so no INVEPT now. */
	l2_of(v)->eptp12 = ~0ull;
	l2_of(v)->apic_special = NO_APIC_SPECIAL;
	l2_of(v)->apic_access02 = NO_APIC_SPECIAL;
	l2_of(v)->all_dirty = true;
	v->l2_events_closed = 0;
}

uint32_t nested_l1_revision(const struct vcpu *v)
{
	return (uint32_t)v->vm->l1_caps.basic & 0x7fffffffu;
}

/* The VMCS region at pa in L1's RAM; a VMCS anywhere else cannot be kept
 * faithfully (24.11.4: VMCS regions are in write-back memory), so L1 is
 * stopped with the reason. */
struct vmcs12_region *nested_region(struct vcpu *v, uint64_t pa)
{
	struct vmcs12_region *r = guest_phys_ptr(v, pa, 4096);

	if (!r)
		guest_unsupported(v, "L1 gave a VMXON region or VMCS pointer that is not in its RAM; Nestor keeps VMCS regions in RAM only");
	return r;
}

void nested_writeback(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;

	if (n->current == VMCS_PTR_NONE)
		return;
	memcpy(nested_region(v, n->current), &n->cache, sizeof(n->cache));
}

void nested_finish(struct vcpu *v, struct vmx_result r)
{
	if (r.kind == VMX_R_FAIL_VALID) {
		v->nested->cache.f.VM_INSTRUCTION_ERROR = r.error;
		shadow_sync_field(v, VMCS_VM_INSTRUCTION_ERROR);
	}
	exit_set(&v->exit, EF_RFLAGS,
		 vmx_result_rflags(exit_get(&v->exit, EF_RFLAGS), r));
	skip_instruction(v);
}

static bool read_u64(struct vcpu *v, uint64_t *val)
{
	*val = 0;
	return l1_operand_read(v, val, 8);
}

static void set_vmx_root(struct vcpu *v, bool on)
{
	v->l1vmx.on = on;
	v->wants.l1_vmx_root = on;
	vcpu_request(v, VCPU_REQ_CONTROLS);
}

static void do_vmxon(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;
	struct vmx_result r;
	uint32_t rev = 0;
	uint64_t ptr;

	if (v->l1vmx.on) { /* 30.3: "VMXON executed in VMX root operation" */
		nested_finish(v, vmx_fail(n->current, 15));
		return;
	}
	if (!read_u64(v, &ptr))
		return;
	if (vmx_phys_ptr_ok(ptr, v->vm->maxphyaddr))
		rev = nested_region(v, ptr)->revision;
	r = vmx_vmxon(ptr, v->vm->maxphyaddr, rev, nested_l1_revision(v));
	if (r.kind == VMX_R_SUCCEED) {
		n->vmxon_ptr = ptr;
		n->current = VMCS_PTR_NONE;
		set_vmx_root(v, true);
		shadow_vmx_on(v);
	}
	nested_finish(v, r);
}

static void do_vmxoff(struct vcpu *v)
{
	nested_writeback(v);
	v->nested->current = VMCS_PTR_NONE;
	v->nested->vmxon_ptr = VMCS_PTR_NONE;
	set_vmx_root(v, false);
	shadow_vmx_off(v);
	nested_finish(v, vmx_succeed());
}

static void do_vmclear(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;
	struct vmx_result r;
	uint64_t ptr;

	if (!read_u64(v, &ptr))
		return;
	r = vmx_vmclear(ptr, v->vm->maxphyaddr, n->vmxon_ptr, n->current);
	if (r.kind == VMX_R_SUCCEED) {
		/* "launch state of VMCS referenced by the operand := clear";
		 * the current one is written back and no longer current. */
		if (ptr == n->current) {
			n->cache.launch = 0;
			nested_writeback(v);
			n->current = VMCS_PTR_NONE;
		} else {
			nested_region(v, ptr)->launch = 0;
		}
	}
	nested_finish(v, r);
}

static void do_vmptrld(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;
	struct vmx_result r;
	uint64_t ptr;

	if (!read_u64(v, &ptr))
		return;
	r = vmx_vmptrld_ptr(ptr, v->vm->maxphyaddr, n->vmxon_ptr, n->current);
	if (r.kind == VMX_R_SUCCEED)
		r = vmx_vmptrld_rev(nested_region(v, ptr)->revision,
				    nested_l1_revision(v), false, n->current);
	if (r.kind == VMX_R_SUCCEED && ptr != n->current) {
		nested_writeback(v);
		memcpy(&n->cache, nested_region(v, ptr), sizeof(n->cache));
		l2_all_dirty(v); /* another vmcs12, or this one reloaded */
		n->current = ptr;
	}
	nested_finish(v, r);
}

static void do_vmptrst(struct vcpu *v)
{
	uint64_t cur = v->nested->current;

	if (l1_operand_write(v, &cur, 8))
		nested_finish(v, vmx_succeed());
}

/* The field a VMREAD/VMWRITE names, or NULL: error 12 (30.3: "register
 * operand does not correspond to any VMCS field" -- for L1, any field of a
 * feature it was not shown, vmx/vmcs_field_caps.c). */
static const struct vmcs_field_info *l1_field(struct vcpu *v, uint32_t *enc)
{
	uint64_t reg = l1_operand_reg2(v);
	const struct vmcs_field_info *f;

	if (!vmx_field_operand_ok(reg, l1_long_mode(v)))
		return NULL;
	*enc = (uint32_t)reg;
	/* 24.11.2: bits 31:15 of an encoding are reserved. */
	if (*enc & VMCS_ENC_RESERVED_HIGH)
		return NULL;
	f = vmcs_field_lookup(*enc);
	if (!f || !vmcs12_row_supported(&v->vm->l1_caps, f))
		return NULL;
	return f;
}

static void do_vmread(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;
	const struct vmcs_field_info *f;
	uint64_t val;
	uint32_t enc;

	if (n->current == VMCS_PTR_NONE) {
		nested_finish(v, vmx_fail(n->current, 0));
		return;
	}
	f = l1_field(v, &enc);
	if (!f) {
		nested_finish(v, vmx_fail(n->current, 12));
		return;
	}
	val = vmcs12_read(&n->cache.f, f, enc);
	if (l1_operand_write(v, &val, l1_long_mode(v) ? 8 : 4))
		nested_finish(v, vmx_succeed());
}

static void do_vmwrite(struct vcpu *v)
{
	struct nested_vcpu *n = v->nested;
	const struct vmcs_field_info *f;
	uint64_t val = 0;
	uint32_t enc;

	if (n->current == VMCS_PTR_NONE) {
		nested_finish(v, vmx_fail(n->current, 0));
		return;
	}
	if (!l1_operand_read(v, &val, l1_long_mode(v) ? 8 : 4))
		return;
	if (!l1_long_mode(v))
		val = (uint32_t)val;
	f = l1_field(v, &enc);
	if (!f) {
		nested_finish(v, vmx_fail(n->current, 12));
		return;
	}
	/* 30.3 VMWRITE: a read-only field, unless IA32_VMX_MISC bit 29
	 * ("VMWRITE to any supported field") was shown (A.6). */
	if (vmcs12_field_read_only(enc) &&
	    !(v->vm->l1_caps.misc & (1ull << 29))) {
		nested_finish(v, vmx_fail(n->current, 13));
		return;
	}
	vmcs12_write(&n->cache.f, f, enc, val);
	l2_field_written(v, f);
	shadow_sync_field(v, enc); /* a read-only one L1 reads there */
	nested_finish(v, vmx_succeed());
}

static void do_invept(struct vcpu *v)
{
	uint64_t caps = v->vm->l1_caps.ept_vpid_cap, type = l1_operand_reg2(v);
	uint64_t desc[2];

	if (!vmx_invept_type_ok(type, caps)) {
		nested_finish(v, vmx_fail(v->nested->current, 28));
		return;
	}
	if (!l1_operand_read(v, desc, 16))
		return;
	if (type == 1 && !vmx_eptp_ok(desc[0], caps, v->vm->maxphyaddr)) {
		nested_finish(v, vmx_fail(v->nested->current, 28));
		return;
	}
	/* 30.3 INVEPT, 28.4.3: EPT02 holds translations derived from
	 * EPT12; single-context takes those of the EPT root (bits 51:12)
	 * the descriptor names (28.4.3.1), all-context all. EPT02 serves one
	 * EPTP12 at a time: it is dropped when its root is named. */
	if (type == 2 || !((desc[0] ^ l2_of(v)->eptp12) & 0x000ffffffffff000ull))
		ept02_drop(v, "L1 executed INVEPT");
	nested_finish(v, vmx_succeed());
}

static void do_invvpid(struct vcpu *v)
{
	uint64_t caps = v->vm->l1_caps.ept_vpid_cap, type = l1_operand_reg2(v);
	uint64_t desc[2];

	if (!vmx_invvpid_type_ok(type, caps)) {
		nested_finish(v, vmx_fail(v->nested->current, 28));
		return;
	}
	if (!l1_operand_read(v, desc, 16))
		return;
	/* "Canonical" for the processor's linear-address width (Vol. 1
	 * 3.3.7.1): 57 bits where CPUID.(7,0):ECX.LA57[16] = 1. L1 sees that
	 * CPUID bit unchanged (vmx/exit_cpuid.c), so the CPU's is L1's. */
	if (!vmx_invvpid_desc_ok(type, desc[0], desc[1],
				 cpuid(7, 0).ecx & (1u << 16))) {
		nested_finish(v, vmx_fail(v->nested->current, 28));
		return;
	}
	/* Exact by type (30.3 INVVPID): an individual address stays one. */
	l2_invvpid(v, type, (uint16_t)desc[0], desc[1]);
	nested_finish(v, vmx_succeed());
}

/* L1's state for the fault checks: what L1 itself sees (23.8, 30.3). */
static void l1_cpu(struct vcpu *v, struct vmx_insn_cpu *c)
{
	const struct vmx_msrs *m = &v->vm->l1_caps;
	uint32_t proc2 = (uint32_t)(m->procbased2 >> 32);

	c->cr0 = guest_visible_cr0(v);
	c->cr4 = guest_visible_cr4(v);
	c->rflags = exit_get(&v->exit, EF_RFLAGS);
	c->efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	c->cs_l = vmcs_read(VMCS_GUEST_CS_AR) & SEG_AR_L;
	c->cpl = guest_cpl();
	c->in_vmx = v->l1vmx.on;
	/* A20M: Nestor itself cannot run with the A20 gate masking address
	 * bit 20, so L1 is never in A20M mode while it runs. */
	c->a20m = false;
	c->feature_control = v->l1vmx.feature_control;
	c->cr0_fixed0 = m->cr0_fixed0;
	c->cr0_fixed1 = m->cr0_fixed1;
	c->cr4_fixed0 = m->cr4_fixed0;
	c->cr4_fixed1 = m->cr4_fixed1;
	/* A.10: INVEPT exists iff bit 20 of IA32_VMX_EPT_VPID_CAP, INVVPID
	 * iff bit 32, with their features shown. */
	c->invept = (proc2 & (1u << 1)) && (m->ept_vpid_cap & (1ull << 20));
	c->invvpid = (proc2 & (1u << 5)) && (m->ept_vpid_cap & (1ull << 32));
}

typedef void (*vmx_insn_fn)(struct vcpu *v);

static void do_vmlaunch(struct vcpu *v)
{
	nested_vmentry(v, true);
}

static void do_vmresume(struct vcpu *v)
{
	nested_vmentry(v, false);
}

static const vmx_insn_fn insn_fns[VMX_INSN_COUNT] = {
	[VMX_INSN_VMXON] = do_vmxon, [VMX_INSN_VMXOFF] = do_vmxoff,
	[VMX_INSN_VMCLEAR] = do_vmclear, [VMX_INSN_VMPTRLD] = do_vmptrld,
	[VMX_INSN_VMPTRST] = do_vmptrst, [VMX_INSN_VMREAD] = do_vmread,
	[VMX_INSN_VMWRITE] = do_vmwrite, [VMX_INSN_VMLAUNCH] = do_vmlaunch,
	[VMX_INSN_VMRESUME] = do_vmresume, [VMX_INSN_INVEPT] = do_invept,
	[VMX_INSN_INVVPID] = do_invvpid,
};

static const bool whole_vmcs12[VMX_INSN_COUNT] = {
	[VMX_INSN_VMXON] = true, [VMX_INSN_VMXOFF] = true,
	[VMX_INSN_VMCLEAR] = true, [VMX_INSN_VMPTRLD] = true,
	[VMX_INSN_VMLAUNCH] = true, [VMX_INSN_VMRESUME] = true,
};

void nested_vmx_instruction(struct vcpu *v)
{
	enum vmx_insn i = vmx_insn_of_exit(EXIT_REASON_BASIC(v->exit.reason));
	struct vmx_insn_cpu c;

	if (i == VMX_INSN_COUNT)
		guest_unsupported(v, "a VMX-instruction exit nested VMX does not know (a bug in vmx/exit_dispatch.c)");
	/* nested_vcpu_init() ran once nested=on was known: without it the
	 * nested state would sit at address 0 (it once did). */
	if (unlikely(!v->nested))
		guest_unsupported(v, "nested VMX state was never set up (a Nestor bug)");
	l1_cpu(v, &c);
	switch (vmx_insn_fault(i, &c)) {
	case VMX_FAULT_UD:
		inject_ud(v);
		return;
	case VMX_FAULT_GP0:
		inject_gp0(v);
		return;
	default:
		/* With a shadow VMCS, the instructions that use the whole
		 * vmcs12 first take in L1's VMWRITEs that did not exit and
		 * afterwards give out whatever they changed; the others touch
		 * single fields only (shadow_sync_field()). */
		if (whole_vmcs12[i]) {
			shadow_to_cache(v);
			insn_fns[i](v);
			/* An entry into L2 changed nothing L1 can VMREAD; the
			 * exit that ends it syncs (nested/l2.c). */
			if (l2_of(v)->pending != NESTED_TO_L2)
				shadow_from_cache(v);
		} else {
			insn_fns[i](v);
		}
	}
}
