/* Shadow EPT for L2 (issue 14 item 2): EPT02 = EPT12 o EPT01, built one
 * leaf at a time on the EPT violations of vmcs02.
 *
 * The walk of L1's EPT12 and the composition with EPT01 are pure
 * (mm/ept_compose.c); this file is the glue: L1's tables read from its
 * RAM, EPT01 looked up, the leaf installed in EPT02 (mm/ept.c), and the
 * EPT violation or misconfiguration given to L1 where its EPT12 says so,
 * with the qualification and addresses a CPU would report (27.2.1, Table
 * 27-7; 28.2.3).
 *
 * Caching (28.3.3, 28.4.3): EPT02 holds what EPT12 said when an entry was
 * first used; L1 must INVEPT after changing EPT12, and Nestor drops EPT02
 * then (nested/vmx_ops.c), and whenever vmcs12's EPTP changes. When the
 * pool runs low the whole EPT02 is dropped and built again. */
#include "lib/log.h"
#include "lib/string.h"
#include "mm/ept_compose.h"
#include "mm/pool.h"
#include "nested/l2.h"
#include "nested/nested_vcpu.h"
#include "vmx/ept_break.h"
#include "vmx/exit_info.h"
#include "vmx/exits.h"
#include "vmx/nested_seam.h"
#include "vmx/tlb.h"
#include "vmx/vmcs.h"

#define QUAL_GLA_VALID (1ull << 7)   /* Table 27-7 bit 7 */
#define QUAL_TRANSLATION (1ull << 8) /* bit 8: the access was the final one */
#define QUAL_NMI_UNBLOCK (1ull << 12)
#define EPT02_POOL_RESERVE (64ull * 4096)

static int ept12_read(void *ctx, uint64_t l1_gpa, uint64_t *entry)
{
	return l2_read_l1(ctx, l1_gpa, entry, 8) ? 0 : -1;
}

/* What EPT02 composes with at an L1 guest-physical address: what EPT01
 * maps there for L1 itself, except L1's APIC-access page when it is not
 * L1's RAM (nested/l2_apic.c), which is Nestor's own page, and which no
 * larger leaf may cover. */
static int ept01_lookup(void *ctx, uint64_t l1_gpa, struct ept01_map *m)
{
	struct vcpu *v = ctx;
	const struct l2_state *s = l2_of(v);
	struct ept_walk w;

	if (s->apic_special != NO_APIC_SPECIAL &&
	    (l1_gpa & ~0xfffull) == s->apic_special) {
		m->hpa = s->apic_page | (l1_gpa & 0xfff);
		m->level = 1;
		m->perm = EPT_R | EPT_W | EPT_X;
		m->memtype = EPT_MT_WB;
		m->ipat = false;
		return 0;
	}
	if (in_nestor_memory(v->vm, l1_gpa) ||
	    ept_walk_caps(&v->vm->ept.ops, v->vm->ept.pml4_pa,
			  &v->vm->ept.caps, l1_gpa, &w) || !w.ok)
		return -1;
	m->hpa = w.hpa;
	m->level = w.page_level;
	/* X off for L1's EPT breakpoints is not L2's (vmx/ept_break.c). */
	m->perm = w.perm | ept_break_l2_exec(l1_gpa);
	m->memtype = w.memtype;
	m->ipat = w.ignore_pat;
	/* The largest leaf around l1_gpa that leaves A out (l1_gpa's own
	 * page is not A: that was the case above). */
	if (s->apic_special != NO_APIC_SPECIAL)
		m->level = ept_level_avoiding(l1_gpa, m->level, s->apic_special);
	return 0;
}

static unsigned ept02_width(const struct l2_state *s)
{
	return s->ept02.caps.maxphyaddr < 48 ? s->ept02.caps.maxphyaddr : 48;
}

void ept02_drop(struct vcpu *v, const char *why)
{
	struct l2_state *s = l2_of(v);

	if (!s->ept02_ready)
		return;
	if (ept_unmap(&s->ept02, 0, 1ull << ept02_width(s)))
		guest_unsupported(v, "dropping EPT02 failed");
	flush_eptp(v, s->eptp02);
	s->ept02_drops++;
	pr_debug("nestor: EPT02 dropped: %s\n", why);
}

uint64_t ept02_for(struct vcpu *v, uint64_t eptp12)
{
	struct l2_state *s = l2_of(v);

	if (!s->ept02_ready) {
		struct ept_mem_ops ops = pool_ept_ops("an EPT02 (shadow EPT) page");

		if (ept_init(&s->ept02, &ops, &v->vm->ept.caps))
			guest_unsupported(v, "no memory for EPT02 (nestor_mem= is too small for nested VMX)");
		s->ept02_ready = true;
		s->eptp02 = ept_eptp(&s->ept02, false);
		s->eptp12 = eptp12;
	}
	/* 28.4.3: a new EPTP12 names other EPT12 tables. */
	if (eptp12 != s->eptp12) {
		ept02_drop(v, "L1 entered with another EPTP");
		s->eptp12 = eptp12;
	}
	return s->eptp02;
}

/* 28.2.4: the accessed/dirty flags the CPU would set in EPT12, with a
 * locked OR as the CPU does. */
static void set_ad_flags(struct vcpu *v, const struct ept12_result *w)
{
	for (unsigned i = 0; i < w->n_ad; i++) {
		uint64_t *e = guest_phys_ptr(v, w->ad[i].l1_gpa, 8);

		if (!e)
			guest_unsupported(v, "L1's EPT12 entry left its RAM during the walk");
		__atomic_fetch_or(e, w->ad[i].set, __ATOMIC_SEQ_CST);
	}
}

static void give_l1(struct vcpu *v, uint32_t reason, uint64_t qual,
		    uint64_t gpa)
{
	struct l2_exit_info x = { 0 };

	x.reason = reason;
	x.qual = qual;
	x.gpa = gpa;
	x.gla = exit_get(&v->exit, EF_GLA);
	x.idt_info = (uint32_t)exit_get(&v->exit, EF_IDT_INFO);
	x.idt_error = (uint32_t)exit_get(&v->exit, EF_IDT_ERROR);
	x.insn_len = (uint32_t)exit_get(&v->exit, EF_INSN_LEN);
	l2_reflect(v, &x);
}

/* Nestor's memory, reached through L1's EPT: L2 sees what L1 sees there,
 * the one all-ones page, for reads (docs/architecture.md, "What the guest
 * sees"). A write would need the write step for L2: leaf.kind stays L0. */
static void hidden_leaf(struct vcpu *v, const struct ept12_result *w,
			struct ept02_leaf *leaf)
{
	if (!in_nestor_memory(v->vm, w->l1_gpa) || !v->vm->hidden_page_pa ||
	    (w->access & EPT12_ACC_WRITE) || !(w->perm & EPT_R))
		return;
	leaf->kind = EPT02_MAP;
	leaf->gpa = w->gpa & ~0xfffull;
	leaf->hpa = v->vm->hidden_page_pa;
	leaf->level = 1;
	leaf->perm = EPT_R;
	leaf->memtype = EPT_MT_WB;
	leaf->ipat = false;
}

static bool install(struct vcpu *v, struct l2_state *s,
		    const struct ept02_leaf *leaf)
{
	uint64_t size = 4096ull << (9 * (leaf->level - 1));

	if (ept_map_ipat(&s->ept02, leaf->gpa, leaf->hpa, size, leaf->perm,
			 leaf->memtype, leaf->ipat))
		return false;
	/* An entry may have been there with fewer rights: 28.3.3.4. */
	flush_eptp(v, s->eptp02);
	s->ept02_fills++;
	return true;
}

/* L1 without EPT (EPT02_IDENTITY): L2's guest-physical addresses are L1's,
 * with every right; EPT01 alone decides, as when vmcs02 runs on EPT01. */
static void identity_walk(uint64_t gpa, unsigned access,
			  struct ept12_result *w)
{
	memset(w, 0, sizeof(*w));
	w->kind = EPT12_TRANSLATED;
	w->gpa = gpa;
	w->access = access & 7;
	w->l1_gpa = gpa;
	w->level = 3;
	w->perm = EPT_R | EPT_W | EPT_X;
	w->memtype = EPT_MT_WB;
	w->dirty = true;
}

void ept02_violation(struct vcpu *v)
{
	struct l2_state *s = l2_of(v);
	uint64_t qual = exit_get(&v->exit, EF_QUAL);
	uint64_t gpa = exit_get(&v->exit, EF_GPA);
	struct ept12_caps caps = ept12_caps_from_msr(v->vm->l1_caps.ept_vpid_cap,
						     v->vm->maxphyaddr);
	unsigned access = qual & 7;
	struct ept12_result w;
	struct ept02_leaf leaf;

	/* Table 27-7 bits 7 and 8: a guest paging-structure access. */
	if ((qual & QUAL_GLA_VALID) && !(qual & QUAL_TRANSLATION))
		access |= EPT12_ACC_PAGING;
	if (s->eptp12 == EPT02_IDENTITY)
		identity_walk(gpa, access, &w);
	else if (!access || ept12_walk(&caps, s->eptp12, gpa, access, ept12_read, v, &w))
		guest_unsupported(v, "an EPT violation of L2 that Nestor cannot walk in L1's EPT");
	switch (w.kind) {
	case EPT12_MISCONFIG:
		/* 27.2.1: the qualification is 0 for a misconfiguration. */
		give_l1(v, EXIT_REASON_EPT_MISCONFIG, 0, gpa);
		return;
	case EPT12_VIOLATION:
		give_l1(v, EXIT_REASON_EPT_VIOLATION,
			w.exit_qual | (qual & (QUAL_GLA_VALID | QUAL_TRANSLATION |
					       QUAL_NMI_UNBLOCK)), gpa);
		return;
	case EPT12_TRANSLATED:
		break;
	default:
		log_printf(LOG_QUIET, "nestor: L1's EPT12 for L2 address 0x%lx: %s (entry at 0x%lx)\n",
			   gpa, w.why ? w.why : "?", w.entry_gpa);
		guest_unsupported(v, "L1's EPT12 tables are not in its RAM");
	}
	set_ad_flags(v, &w);
	if (ept02_compose(&w, &v->vm->ept.caps, ept01_lookup, v, &leaf) ||
	    leaf.kind != EPT02_MAP)
		hidden_leaf(v, &w, &leaf);
	if (leaf.kind != EPT02_MAP) {
		log_printf(LOG_QUIET, "nestor: L2 address 0x%lx is L1 address 0x%lx: %s\n",
			   gpa, w.l1_gpa, leaf.why ? leaf.why : "?");
		guest_unsupported(v, s->eptp12 == EPT02_IDENTITY
			? "L2 writes, or reaches, memory that is not L1's RAM (MMIO, Nestor's memory or the xAPIC page) while L1 runs it without EPT and with an APIC-access page outside its RAM: not emulated"
			: "L2 reaches, through L1's EPT, memory that is not L1's RAM (MMIO, Nestor's memory or the xAPIC page): not emulated for L2 yet");
	}
	/* The identity EPT02 keeps EPT01's memory type (no EPT12 type to
	 * combine with, 28.2.6). */
	if (s->eptp12 == EPT02_IDENTITY && (w.l1_gpa & ~0xfffull) != s->apic_special) {
		struct ept01_map m;

		if (!ept01_lookup(v, w.l1_gpa, &m)) {
			leaf.memtype = m.memtype;
			leaf.ipat = m.ipat;
		}
	}
	/* Keep the pool for EPT01's run-time needs (the write step's sink,
	 * the MAXPHYADDR probe, page splits): start EPT02 again first. */
	if (pool_free_bytes() < EPT02_POOL_RESERVE)
		ept02_drop(v, "the pool is low");
	if (!install(v, s, &leaf)) {
		/* Bounded memory: start EPT02 again rather than fail. */
		ept02_drop(v, "the pool ran low");
		if (!install(v, s, &leaf))
			guest_unsupported(v, "no memory for one EPT02 leaf even after dropping EPT02");
	}
	/* L1 did not see this exit: an interrupted event goes back in. */
	requeue_interrupted_event(v);
}

bool nested_l2_gpa_to_l1(struct vcpu *v, uint64_t l2_gpa, uint64_t *l1_gpa)
{
	const struct l2_state *s = l2_of(v);
	struct ept12_caps caps = ept12_caps_from_msr(v->vm->l1_caps.ept_vpid_cap,
						     v->vm->maxphyaddr);
	struct ept12_result w;

	if (!s->shadow_ept) {
		*l1_gpa = l2_gpa;
		return true;
	}
	if (ept12_walk(&caps, s->eptp12, l2_gpa, EPT12_ACC_READ, ept12_read,
		       v, &w) || w.kind != EPT12_TRANSLATED)
		return false;
	*l1_gpa = w.l1_gpa;
	return true;
}

void nested_l1_resume_point(struct vcpu *v, uint64_t *rip, uint64_t *rsp,
			    uint64_t *cr3)
{
	const struct vmcs12 *f = &v->nested->cache.f;

	*rip = f->HOST_RIP;
	*rsp = f->HOST_RSP;
	*cr3 = f->HOST_CR3;
}
