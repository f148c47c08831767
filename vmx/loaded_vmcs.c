/* The per-CPU list of possibly-active VMCSes, edited so that a crash walk
 * from NMI context on the owning CPU is correct between any two stores.
 * vmx/loaded_vmcs.h explains the concurrency model and the guarantees; each
 * store and barrier below says which guarantee it keeps. Pure: no VMX
 * instructions. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/compiler.h"
#include "vmx/loaded_vmcs.h"

#ifdef NESTOR_HOST_TEST
void (*loaded_vmcs_test_hook)(const struct loaded_vmcs_list *l,
			      const char *store);
#endif

/* Exactly one load/store of x, neither torn, merged, repeated nor dropped by
 * the compiler (volatile access). Used for every field the crash walker
 * reads. A naturally aligned 8-byte pointer store is one MOV, so an NMI sees
 * it either before or after, never half done; the same alignment also makes
 * it atomic for other CPUs (Vol. 3A, 8.1.1 "Guaranteed Atomic Operations":
 * a quadword aligned on a 64-bit boundary). */
#define LV_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define LV_WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))

/* VMCLEAR/VMPTRLD fail on an operand that is not 4 KiB aligned or sets bits
 * beyond the physical-address width (Vol. 3C, 30.3 "VMCLEAR", "VMPTRLD");
 * that width is at most 52 (Vol. 3A, 4.1.4 "Enumeration of Paging Features
 * by CPUID"). 0 is never a VMCS here: Nestor's frame allocator never hands
 * it out, and a zeroed entry must not look usable. */
#define LV_PHYS_LIMIT (1ULL << 52)

const char *loaded_vmcs_strerror(enum loaded_vmcs_status s)
{
	switch (s) {
	case LOADED_VMCS_OK:
		return "success";
	case LOADED_VMCS_ERR_BAD_ARG:
		return "bad argument (NULL pointer or negative CPU number)";
	case LOADED_VMCS_ERR_BAD_PA:
		return "VMCS address is 0, not 4 KiB aligned or beyond 52 bits";
	case LOADED_VMCS_ERR_NOT_INIT:
		return "VMCS tracking entry is not initialised (or was freed)";
	case LOADED_VMCS_ERR_BUSY:
		return "VMCS is already on a CPU's loaded list";
	case LOADED_VMCS_ERR_FULL:
		return "too many VMCSes loaded on this CPU";
	case LOADED_VMCS_ERR_NOT_ON_LIST:
		return "VMCS is not on this CPU's loaded list";
	case LOADED_VMCS_ERR_WRONG_CPU:
		return "VMCS is on another CPU's loaded list";
	case LOADED_VMCS_ERR_CORRUPT:
		return "VMCS list is corrupt (cycle, too long, dead entry)";
	}
	return "unknown loaded-VMCS error";
}

static bool pa_ok(uint64_t pa)
{
	return pa != 0 && (pa & (PAGE_SIZE - 1)) == 0 && pa < LV_PHYS_LIMIT;
}

/* Can the walker read this entry? A misaligned pointer or a wrong magic
 * means the list is corrupt (or an entry was freed while listed). */
static bool entry_live(const struct loaded_vmcs *v)
{
	if ((uintptr_t)v % _Alignof(struct loaded_vmcs) != 0)
		return false;
	return LV_READ_ONCE(v->magic) == LOADED_VMCS_MAGIC;
}

enum loaded_vmcs_status loaded_vmcs_init(struct loaded_vmcs *v, uint64_t pa)
{
	if (!v)
		return LOADED_VMCS_ERR_BAD_ARG;
	v->next = NULL;
	v->cpu = LOADED_VMCS_NO_CPU;
	v->launched = false;
	if (!pa_ok(pa)) {
		v->pa = 0;
		v->magic = LOADED_VMCS_DEAD;
		return LOADED_VMCS_ERR_BAD_PA;
	}
	v->pa = pa;
	v->magic = LOADED_VMCS_MAGIC;
	return LOADED_VMCS_OK;
}

enum loaded_vmcs_status loaded_vmcs_fini(struct loaded_vmcs *v)
{
	if (!v)
		return LOADED_VMCS_ERR_BAD_ARG;
	if (v->magic != LOADED_VMCS_MAGIC)
		return LOADED_VMCS_ERR_NOT_INIT;
	if (v->cpu != LOADED_VMCS_NO_CPU)
		return LOADED_VMCS_ERR_BUSY;
	v->magic = LOADED_VMCS_DEAD;
	v->pa = 0;
	v->next = NULL;
	return LOADED_VMCS_OK;
}

enum loaded_vmcs_status loaded_vmcs_list_init(struct loaded_vmcs_list *l,
					      int cpu)
{
	if (!l || cpu < 0)
		return LOADED_VMCS_ERR_BAD_ARG;
	l->cpu = cpu;
	LV_WRITE_ONCE(l->head, NULL);
	return LOADED_VMCS_OK;
}

/* Finds the link that points at v: &l->head or &predecessor->next. Returns
 * NOT_ON_LIST at the end of the list, CORRUPT past the bound or at a dead
 * entry. Only reads. */
static enum loaded_vmcs_status find_link(struct loaded_vmcs_list *l,
					 const struct loaded_vmcs *v,
					 struct loaded_vmcs ***link,
					 unsigned *count)
{
	struct loaded_vmcs **pp = &l->head;
	struct loaded_vmcs *p;
	unsigned n = 0;

	while ((p = LV_READ_ONCE(*pp)) != NULL) {
		if (n == LOADED_VMCS_MAX || !entry_live(p))
			return LOADED_VMCS_ERR_CORRUPT;
		if (p == v) {
			*link = pp;
			return LOADED_VMCS_OK;
		}
		n++;
		pp = &p->next;
	}
	*count = n;
	return LOADED_VMCS_ERR_NOT_ON_LIST;
}

/* Store order, with what a crash walk sees after each store:
 *   1. v->next = head   v unreachable: walk unchanged
 *   2. v->cpu = cpu     v unreachable: walk unchanged
 *   barrier
 *   3. head = v         v reachable, complete: walk sees v, then all the
 *                       old entries through v->next
 * Store 3 is the only one that changes what a walk sees, and it is a single
 * pointer store. */
enum loaded_vmcs_status loaded_vmcs_publish(struct loaded_vmcs_list *l,
					    struct loaded_vmcs *v)
{
	struct loaded_vmcs **link;
	enum loaded_vmcs_status st;
	unsigned count = 0;

	if (!l || !v)
		return LOADED_VMCS_ERR_BAD_ARG;
	if (v->magic != LOADED_VMCS_MAGIC)
		return LOADED_VMCS_ERR_NOT_INIT;
	if (v->cpu != LOADED_VMCS_NO_CPU)
		return LOADED_VMCS_ERR_BUSY;
	st = find_link(l, v, &link, &count);
	if (st == LOADED_VMCS_OK)
		return LOADED_VMCS_ERR_BUSY; /* listed but cpu says not: bug */
	if (st != LOADED_VMCS_ERR_NOT_ON_LIST)
		return st;
	if (count >= LOADED_VMCS_MAX)
		return LOADED_VMCS_ERR_FULL;

	LV_WRITE_ONCE(v->next, LV_READ_ONCE(l->head));
	LOADED_VMCS_STORE_HOOK(l, "publish: v->next = head");
	LV_WRITE_ONCE(v->cpu, l->cpu);
	LOADED_VMCS_STORE_HOOK(l, "publish: v->cpu = cpu");
	/* Publish barrier: everything that makes v complete is in memory
	 * before the store that makes v reachable. The volatile stores above
	 * keep their order with the head store anyway, but plain stores do
	 * not: v->pa and v->magic written by loaded_vmcs_init, or anything the
	 * caller stored into v, could be sunk below the head store once
	 * inlined (e.g. with LTO), and a walk would then VMCLEAR a stale pa.
	 * A compiler barrier is enough: the NMI runs on this CPU, which sees
	 * its own stores in program order (no fence; see the header for what
	 * a walker on another CPU would need). */
	barrier();
	LV_WRITE_ONCE(l->head, v);
	LOADED_VMCS_STORE_HOOK(l, "publish: head = v");
	return LOADED_VMCS_OK;
}

/* Store order, with what a crash walk sees after each store:
 *   1. *link = v->next  v unreachable; everything after v still reachable
 *                       (through v's predecessor, whose next now skips v)
 *   barrier
 *   2. v->next = NULL   v unreachable: walk unchanged
 *   3. v->cpu = NO_CPU  v unreachable: walk unchanged
 *   4. launched = false v unreachable: walk unchanged
 * Before store 1 a walk sees v (already VMCLEARed by the caller: clearing it
 * again is harmless) and continues through its intact next. */
enum loaded_vmcs_status loaded_vmcs_unlink(struct loaded_vmcs_list *l,
					   struct loaded_vmcs *v)
{
	struct loaded_vmcs **link;
	enum loaded_vmcs_status st;
	unsigned count = 0;

	if (!l || !v)
		return LOADED_VMCS_ERR_BAD_ARG;
	if (v->magic != LOADED_VMCS_MAGIC)
		return LOADED_VMCS_ERR_NOT_INIT;
	if (v->cpu == LOADED_VMCS_NO_CPU)
		return LOADED_VMCS_ERR_NOT_ON_LIST;
	if (v->cpu != l->cpu)
		return LOADED_VMCS_ERR_WRONG_CPU;
	st = find_link(l, v, &link, &count);
	if (st != LOADED_VMCS_OK)
		return st;

	LV_WRITE_ONCE(*link, LV_READ_ONCE(v->next));
	LOADED_VMCS_STORE_HOOK(l, "unlink: link = v->next");
	/* Unlink barrier: v is off the list before anything else touches it.
	 * The volatile stores below keep their order with the unlinking store
	 * (were "v->next = NULL" first, a walk would stop at v and miss every
	 * active VMCS after it), but the plain launched store and whatever the
	 * caller does to v next (fini, free, reuse; once inlined, e.g. with
	 * LTO) could otherwise be hoisted above it, while a walk can still
	 * reach v. (A reader of v->cpu on another CPU, e.g. a migration that
	 * waits for NO_CPU before publishing v elsewhere, would need release
	 * order here -- smp_wmb() -- paired with a read barrier after its
	 * check.) */
	barrier();
	LV_WRITE_ONCE(v->next, NULL);
	LOADED_VMCS_STORE_HOOK(l, "unlink: v->next = NULL");
	LV_WRITE_ONCE(v->cpu, LOADED_VMCS_NO_CPU);
	LOADED_VMCS_STORE_HOOK(l, "unlink: v->cpu = NO_CPU");
	v->launched = false;
	LOADED_VMCS_STORE_HOOK(l, "unlink: v->launched = false");
	return LOADED_VMCS_OK;
}

enum loaded_vmcs_status loaded_vmcs_set_launched(struct loaded_vmcs *v)
{
	if (!v)
		return LOADED_VMCS_ERR_BAD_ARG;
	if (v->magic != LOADED_VMCS_MAGIC)
		return LOADED_VMCS_ERR_NOT_INIT;
	if (v->cpu == LOADED_VMCS_NO_CPU)
		return LOADED_VMCS_ERR_NOT_ON_LIST;
	v->launched = true;
	return LOADED_VMCS_OK;
}

struct loaded_vmcs *loaded_vmcs_first(const struct loaded_vmcs_list *l)
{
	return l ? LV_READ_ONCE(l->head) : NULL;
}

/* Reads each link exactly once (LV_READ_ONCE), so the pointer it checks is
 * the pointer it follows, and never writes. No barrier is needed: the list
 * cannot change under a walk on the owning CPU (see the header). fn runs
 * before v->next is read, so a bad entry is never passed on to fn and the
 * walk never reads past it. */
enum loaded_vmcs_status loaded_vmcs_crash_walk(const struct loaded_vmcs_list *l,
					       loaded_vmcs_visit_fn *fn,
					       void *ctx, unsigned *visited)
{
	enum loaded_vmcs_status st = LOADED_VMCS_OK;
	struct loaded_vmcs *v;
	unsigned n = 0;

	if (visited)
		*visited = 0;
	if (!l || !fn)
		return LOADED_VMCS_ERR_BAD_ARG;
	for (v = LV_READ_ONCE(l->head); v; v = LV_READ_ONCE(v->next)) {
		if (n == LOADED_VMCS_MAX || !entry_live(v)) {
			st = LOADED_VMCS_ERR_CORRUPT;
			break;
		}
		fn(v, ctx);
		n++;
	}
	if (visited)
		*visited = n;
	return st;
}

/* The head store detaches the whole chain at once: from then on no walk
 * sees any entry. The entries are then reset one by one. */
enum loaded_vmcs_status loaded_vmcs_list_forget(struct loaded_vmcs_list *l)
{
	struct loaded_vmcs *v, *next;
	unsigned n;

	if (!l)
		return LOADED_VMCS_ERR_BAD_ARG;
	v = LV_READ_ONCE(l->head);
	LV_WRITE_ONCE(l->head, NULL);
	LOADED_VMCS_STORE_HOOK(l, "forget: head = NULL");
	/* Forget barrier: the chain is detached before its entries change
	 * (same reason as the unlink barrier). */
	barrier();
	for (n = 0; v; v = next, n++) {
		if (n == LOADED_VMCS_MAX || !entry_live(v))
			return LOADED_VMCS_ERR_CORRUPT;
		next = LV_READ_ONCE(v->next);
		LV_WRITE_ONCE(v->next, NULL);
		LOADED_VMCS_STORE_HOOK(l, "forget: v->next = NULL");
		LV_WRITE_ONCE(v->cpu, LOADED_VMCS_NO_CPU);
		LOADED_VMCS_STORE_HOOK(l, "forget: v->cpu = NO_CPU");
		v->launched = false;
		LOADED_VMCS_STORE_HOOK(l, "forget: v->launched = false");
	}
	return LOADED_VMCS_OK;
}
