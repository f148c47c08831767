/* The per-CPU list of VMCSes that may be active on a CPU, kept so that a
 * crash (NMI or panic) on that CPU can VMCLEAR every one of them, even when
 * the crash interrupts the code that is adding to or removing from the list.
 *
 * Why: a processor may keep the data of an active VMCS in its own cache and
 * write it back to the VMCS region later (SDM Vol. 3C, 24.1 "Overview" and
 * 24.11.1 "Software Use of Virtual-Machine Control Structures"). Before the
 * memory is reused -- a restarted guest, a crash kernel -- every active VMCS
 * must be VMCLEARed, which writes its data back and makes it inactive
 * (Vol. 3C, 30.3 "VMCLEAR"). VMCLEAR of a VMCS that is already clear is
 * harmless, so the crash path may clear too much, never too little.
 *
 * Pure: no VMX instructions. The caller runs them in this order:
 *   load:   loaded_vmcs_publish(list, v); then VMPTRLD v->pa
 *   launch: VMLAUNCH succeeded -> loaded_vmcs_set_launched(v)
 *   clear:  VMCLEAR v->pa; then loaded_vmcs_unlink(list, v)
 *   free:   loaded_vmcs_fini(v) (only once unlinked); then free the memory
 *   teardown (not a crash): while ((v = loaded_vmcs_first(l))) the "clear"
 *           step on v
 *   crash:  loaded_vmcs_crash_walk(list, fn = VMCLEAR v->pa, ...), and, if
 *           the CPU carries on (guest restart), loaded_vmcs_list_forget(list)
 * With that order there is no instant at which a VMCS is active on the CPU
 * but not on its list.
 *
 * Concurrency model (the reason the code is shaped as it is):
 *  - Only the owning CPU modifies its list, with no lock.
 *  - Only the owning CPU walks it without a lock, and only from NMI/panic
 *    context (loaded_vmcs_crash_walk). NMIs are blocked while the NMI handler
 *    runs (Vol. 3A, 6.7.1 "Handling Multiple NMIs"), so walks do not nest, and
 *    the interrupted list operation does not continue until the walk is over.
 *  - An NMI is taken between two instructions (Vol. 3A, 6.9 "Priority Among
 *    Simultaneous Exceptions and Interrupts"), and a CPU sees its own stores
 *    in program order. So the walker sees the list exactly as it is between
 *    two stores of publish/unlink in the order the compiler emitted them. The
 *    only hazards are the compiler reordering, merging, tearing or inventing
 *    those stores, and the stores' order itself; barrier() and single
 *    volatile pointer stores deal with the first, the order below with the
 *    second.
 * Guarantees to a crash walk at any instant: it terminates (at most
 * LOADED_VMCS_MAX entries); it visits every VMCS that is on the list and may
 * be active; an entry being published may or may not be visited (it is not
 * active yet: VMPTRLD comes after publish); an entry being unlinked may still
 * be visited (it was VMCLEARed already: clearing it again is harmless); it
 * never reaches an entry that is uninitialised or already unlinked (so the
 * caller may free an entry as soon as unlink returns).
 *
 * A walker on ANOTHER CPU would need more and is not supported: the
 * publishing store would need release order (smp_store_release; on x86 a
 * compiler barrier, since stores are not reordered with older stores, Vol.
 * 3A, 8.2.2 "Memory Ordering in P6 and More Recent Processor Families", but
 * a real fence on weakly ordered machines), each pointer load acquire or
 * dependency order, and an unlinked entry could be freed or reused only after
 * every remote walker that might stand on it has finished (a grace period).
 * None is needed here because the owning CPU cannot run while its own NMI
 * handler walks.
 *
 * SDM section numbers here follow the editions up to 2022; later editions
 * renumber some chapters, so every citation also names the section. */
#ifndef NESTOR_VMX_LOADED_VMCS_H
#define NESTOR_VMX_LOADED_VMCS_H

#include <stdbool.h>
#include <stdint.h>

/* Most entries on one CPU's list; also the crash walker's step bound, so a
 * corrupted (e.g. cyclic) list still ends the walk. Nestor keeps a handful
 * per CPU (vmcs01, vmcs02s, shadow VMCSes). */
#define LOADED_VMCS_MAX 64

/* loaded_vmcs.cpu when the VMCS is on no CPU's list. */
#define LOADED_VMCS_NO_CPU (-1)

/* loaded_vmcs.magic: set by init, replaced by DEAD on fini or failed init.
 * Any other value (e.g. a fill pattern) means "never initialised". */
#define LOADED_VMCS_MAGIC 0x4c564d43u /* "CMVL" */
#define LOADED_VMCS_DEAD  0x44656164u /* "daeD" */

struct loaded_vmcs {
	uint64_t pa;               /* VMCS region: 4 KiB aligned physical */
	struct loaded_vmcs *next;  /* next entry on the CPU's list, or NULL */
	int cpu;                   /* CPU whose list holds it, or NO_CPU */
	bool launched;             /* VMLAUNCH done since the last VMCLEAR */
	uint32_t magic;
};

struct loaded_vmcs_list {
	struct loaded_vmcs *head;  /* most recently published first */
	int cpu;                   /* the CPU that owns (and alone edits) it */
};

enum loaded_vmcs_status {
	LOADED_VMCS_OK = 0,
	LOADED_VMCS_ERR_BAD_ARG,     /* NULL pointer or negative CPU number */
	LOADED_VMCS_ERR_BAD_PA,      /* VMCS address 0, unaligned, >= 2^52 */
	LOADED_VMCS_ERR_NOT_INIT,    /* magic is not LOADED_VMCS_MAGIC */
	LOADED_VMCS_ERR_BUSY,        /* already on a list / still on one */
	LOADED_VMCS_ERR_FULL,        /* LOADED_VMCS_MAX entries already */
	LOADED_VMCS_ERR_NOT_ON_LIST, /* not on this list */
	LOADED_VMCS_ERR_WRONG_CPU,   /* on another CPU's list */
	LOADED_VMCS_ERR_CORRUPT,     /* cycle, overlong list or dead entry */
};

const char *loaded_vmcs_strerror(enum loaded_vmcs_status s);

/* Prepares v (any prior contents) for the VMCS region at pa: not on any
 * list, not launched. A pa that VMPTRLD/VMCLEAR would refuse (0, not 4 KiB
 * aligned, beyond 52 bits: Vol. 3C, 30.3 "VMCLEAR"/"VMPTRLD", Vol. 3A, 4.1.4)
 * gives ERR_BAD_PA and leaves v dead, so publish refuses it. Must not be
 * called on an entry that is on a list. */
enum loaded_vmcs_status loaded_vmcs_init(struct loaded_vmcs *v, uint64_t pa);

/* Marks v dead before its memory is freed or reused; refuses (ERR_BUSY) while
 * v is on a list, and a second fini (ERR_NOT_INIT). */
enum loaded_vmcs_status loaded_vmcs_fini(struct loaded_vmcs *v);

/* An empty list owned by cpu (>= 0). */
enum loaded_vmcs_status loaded_vmcs_list_init(struct loaded_vmcs_list *l,
					      int cpu);

/* Puts v at the head of l; call BEFORE VMPTRLD v->pa. v must be initialised
 * and on no list; l must have fewer than LOADED_VMCS_MAX entries. On error
 * nothing is changed. */
enum loaded_vmcs_status loaded_vmcs_publish(struct loaded_vmcs_list *l,
					    struct loaded_vmcs *v);

/* Takes v off l; call AFTER VMCLEAR v->pa. Afterwards v is on no list and
 * not launched, and no walk can reach it. On error nothing is changed. */
enum loaded_vmcs_status loaded_vmcs_unlink(struct loaded_vmcs_list *l,
					   struct loaded_vmcs *v);

/* Records a successful VMLAUNCH of v (which must be on a list). */
enum loaded_vmcs_status loaded_vmcs_set_launched(struct loaded_vmcs *v);

/* The head entry, or NULL: the ordinary teardown loop clears and unlinks it
 * until the list is empty. */
struct loaded_vmcs *loaded_vmcs_first(const struct loaded_vmcs_list *l);

typedef void loaded_vmcs_visit_fn(struct loaded_vmcs *v, void *ctx);

/* The crash walk: calls fn(v, ctx) for each entry, head first, without
 * changing anything. fn must not change the list (it VMCLEARs v->pa). Stops
 * with ERR_CORRUPT (after calling fn on the valid entries before it) at a
 * misaligned or non-live entry or after LOADED_VMCS_MAX entries when the list
 * goes on. *visited (if not NULL) gets the number of fn calls. Safe from NMI
 * context on the owning CPU at any point of publish/unlink/forget. */
enum loaded_vmcs_status loaded_vmcs_crash_walk(const struct loaded_vmcs_list *l,
					       loaded_vmcs_visit_fn *fn,
					       void *ctx, unsigned *visited);

/* After a crash walk has VMCLEARed everything: empties l (one store), then
 * marks each entry unlisted and not launched. ERR_CORRUPT (entries after the
 * bad one left as they were) at a dead or misaligned entry or past
 * LOADED_VMCS_MAX entries; l is empty either way. */
enum loaded_vmcs_status loaded_vmcs_list_forget(struct loaded_vmcs_list *l);

/* Test instrumentation, compiled only into host tests: called after every
 * store that publish, unlink and forget make, with the list and a name for
 * the store, so a test can run the crash walk at each of those instants. */
#ifdef NESTOR_HOST_TEST
extern void (*loaded_vmcs_test_hook)(const struct loaded_vmcs_list *l,
				     const char *store);
#define LOADED_VMCS_STORE_HOOK(l, store)                                  \
	do {                                                              \
		if (loaded_vmcs_test_hook)                                \
			loaded_vmcs_test_hook((l), (store));              \
	} while (0)
#else
#define LOADED_VMCS_STORE_HOOK(l, store) do { } while (0)
#endif

#endif
