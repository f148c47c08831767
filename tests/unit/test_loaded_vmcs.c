/* Unit tests for vmx/loaded_vmcs.c: the per-CPU list of loaded VMCSes that a
 * crash (NMI) walk VMCLEARs.
 *
 * The core is a replay of an NMI at every instant of a list edit:
 * loaded_vmcs.c calls LOADED_VMCS_STORE_HOOK after each of its stores, and
 * the hook here runs the real crash walk and checks it against a model of the
 * "hardware": which VMCSes are active on the CPU (a fake VMPTRLD after
 * publish makes one active, a fake VMCLEAR before unlink makes it inactive).
 * At every hook the walk must end with success, visit only live entries that
 * are listed or being edited (never a freed, dead or uninitialised one, with
 * the CPU and address they were given), visit every active VMCS, and see the
 * list either as before or as after the edit, nothing in between. Entries
 * are malloc'ed, filled with 0xA5 before init and freed after unlink, so ASan
 * catches any walk that touches freed memory.
 *
 * Edits are replayed exhaustively: every sequence of add / delete-and-keep /
 * delete-and-free over 4 VMCSes up to 8 operations long, every deletion
 * order of 5 entries, every position. Broken orders of the same stores (in
 * this file, calling the same hook) must be caught, proving the checker can
 * fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "vmx/loaded_vmcs.h"

#define NOBJ 6
#define FILL 0xA5
#define LIST_CPU 3 /* not 0, so a zeroed cpu field is caught */

/* Violation kinds the hook's checker reports. */
enum {
	V_WALK = 1u << 0,       /* walk did not end with LOADED_VMCS_OK */
	V_MISSED = 1u << 1,     /* an active VMCS was not visited */
	V_UNKNOWN = 1u << 2,    /* visited a freed / foreign entry */
	V_MAGIC = 1u << 3,      /* visited entry not live */
	V_CPU = 1u << 4,        /* visited entry's cpu is not the list's */
	V_PA = 1u << 5,         /* visited entry's pa is not its own */
	V_DUP = 1u << 6,        /* visited an entry twice */
	V_STRAY = 1u << 7,      /* visited an entry neither listed nor edited */
	V_NOT_ATOMIC = 1u << 8, /* list seen neither as before nor as after */
};

struct obj {
	struct loaded_vmcs *v;
	uint64_t pa;
	bool allocated; /* v points to memory the test owns */
	bool listed;    /* model: on the list (edit finished) */
	bool active;    /* model "hardware": VMPTRLDed and not VMCLEARed */
};

static struct harness {
	struct loaded_vmcs_list list;
	struct obj objs[NOBJ];
	int order[NOBJ];        /* model list, head first */
	unsigned norder;
	int before[NOBJ + 1];   /* the list before / after the edit running */
	unsigned nbefore;
	int after[NOBJ + 1];
	unsigned nafter;
	int cur;                /* object being edited, or -1 */
	bool strict;            /* ops fail the test on any violation */
	unsigned hooks;
	unsigned violations;
	unsigned kinds;
	char first[256];
	char last_store[64];
} h;

static uint64_t obj_pa(int i)
{
	return 0x100000ull + (uint64_t)i * PAGE_SIZE;
}

static int obj_index(const struct loaded_vmcs *v)
{
	for (int i = 0; i < NOBJ; i++)
		if (h.objs[i].allocated && h.objs[i].v == v)
			return i;
	return -1;
}

static void violation(unsigned kind, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void violation(unsigned kind, const char *fmt, ...)
{
	va_list ap;
	int n;

	h.kinds |= kind;
	if (h.violations++)
		return;
	n = snprintf(h.first, sizeof(h.first), "at store '%s': ",
		     h.last_store);
	if (n < 0 || (size_t)n >= sizeof(h.first))
		return;
	va_start(ap, fmt);
	vsnprintf(h.first + n, sizeof(h.first) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ---- the crash-walk checker (runs at every store) ----------------------- */

struct walk_rec {
	int seq[LOADED_VMCS_MAX];
	unsigned n;
	bool seen[NOBJ];
};

static void check_visit(struct loaded_vmcs *v, void *ctx)
{
	struct walk_rec *r = ctx;
	int i = obj_index(v);

	if (r->n >= LOADED_VMCS_MAX) {
		violation(V_WALK, "more than %d visits", LOADED_VMCS_MAX);
		return;
	}
	r->seq[r->n++] = i;
	if (i < 0) {
		violation(V_UNKNOWN, "visited %p: freed or not the test's",
			  (void *)v);
		return;
	}
	if (v->magic != LOADED_VMCS_MAGIC)
		violation(V_MAGIC, "visited vmcs %d with magic %#x", i,
			  v->magic);
	if (v->cpu != LIST_CPU)
		violation(V_CPU, "visited vmcs %d with cpu %d", i, v->cpu);
	if (v->pa != h.objs[i].pa)
		violation(V_PA, "visited vmcs %d with pa %#llx", i,
			  (unsigned long long)v->pa);
	if (r->seen[i])
		violation(V_DUP, "visited vmcs %d twice", i);
	r->seen[i] = true;
	if (!h.objs[i].listed && h.cur != i)
		violation(V_STRAY, "visited vmcs %d, not listed", i);
}

static bool seq_equal(const struct walk_rec *r, const int *seq, unsigned n)
{
	if (r->n != n)
		return false;
	for (unsigned k = 0; k < n; k++)
		if (r->seq[k] != seq[k])
			return false;
	return true;
}

static void check_hook(const struct loaded_vmcs_list *l, const char *store)
{
	struct walk_rec r;
	enum loaded_vmcs_status st;
	unsigned visited = 12345;

	h.hooks++;
	snprintf(h.last_store, sizeof(h.last_store), "%s", store);
	memset(&r, 0, sizeof(r));
	st = loaded_vmcs_crash_walk(l, check_visit, &r, &visited);
	if (st != LOADED_VMCS_OK)
		violation(V_WALK, "walk returned %s",
			  loaded_vmcs_strerror(st));
	if (visited != r.n)
		violation(V_WALK, "walk says %u visits, visitor saw %u",
			  visited, r.n);
	for (int i = 0; i < NOBJ; i++)
		if (h.objs[i].active && !r.seen[i])
			violation(V_MISSED, "active vmcs %d not visited", i);
	if (!seq_equal(&r, h.before, h.nbefore) &&
	    !seq_equal(&r, h.after, h.nafter))
		violation(V_NOT_ATOMIC, "list seen half edited (%u entries)",
			  r.n);
}

static void expect_clean(void)
{
	if (h.violations)
		fail_msg("%u violation(s), first %s", h.violations, h.first);
}

/* ---- harness: the model and the operations ------------------------------ */

static void hook_on(void)
{
	loaded_vmcs_test_hook = check_hook;
}

static void hook_off(void)
{
	loaded_vmcs_test_hook = NULL;
}

static void free_obj(int i)
{
	struct obj *o = &h.objs[i];

	if (o->allocated)
		free(o->v);
	o->v = NULL;
	o->allocated = false;
}

/* Drops everything the test allocated and starts from an empty list. */
static void harness_reset(void)
{
	hook_off();
	for (int i = 0; i < NOBJ; i++)
		free_obj(i);
	memset(&h, 0, sizeof(h));
	h.cur = -1;
	h.strict = true;
	for (int i = 0; i < NOBJ; i++)
		h.objs[i].pa = obj_pa(i);
	assert_int_equal(loaded_vmcs_list_init(&h.list, LIST_CPU),
			 LOADED_VMCS_OK);
	hook_on();
}

static int setup(void **state)
{
	(void)state;
	harness_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hook_off();
	for (int i = 0; i < NOBJ; i++)
		free_obj(i);
	return 0;
}

/* A fresh entry as the real caller gets it: uninitialised memory (0xA5),
 * then loaded_vmcs_init. */
static void obj_new(int i)
{
	struct obj *o = &h.objs[i];

	o->v = malloc(sizeof(*o->v));
	assert_non_null(o->v);
	memset(o->v, FILL, sizeof(*o->v));
	o->allocated = true;
	assert_int_equal(loaded_vmcs_init(o->v, o->pa), LOADED_VMCS_OK);
}

static void model_set_edit(int i, bool adding)
{
	unsigned k;

	memcpy(h.before, h.order, sizeof(h.order));
	h.nbefore = h.norder;
	h.nafter = 0;
	if (adding)
		h.after[h.nafter++] = i;
	for (k = 0; k < h.norder; k++)
		if (h.order[k] != i)
			h.after[h.nafter++] = h.order[k];
	h.cur = i;
}

static void model_commit(void)
{
	memcpy(h.order, h.after, sizeof(h.order));
	h.norder = h.nafter;
	memcpy(h.before, h.after, sizeof(h.order));
	h.nbefore = h.nafter;
	h.cur = -1;
}

static void record(struct loaded_vmcs *v, void *ctx)
{
	struct walk_rec *r = ctx;

	if (r->n < LOADED_VMCS_MAX)
		r->seq[r->n++] = obj_index(v);
}

/* The list matches the model exactly, and every entry's fields too. */
static void check_list_matches_model(void)
{
	struct walk_rec r;
	unsigned visited;

	memset(&r, 0, sizeof(r));
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, record, &r, &visited),
			 LOADED_VMCS_OK);
	assert_int_equal(visited, h.norder);
	assert_true(seq_equal(&r, h.order, h.norder));
	for (int i = 0; i < NOBJ; i++) {
		struct obj *o = &h.objs[i];

		if (!o->allocated)
			continue;
		assert_int_equal(o->v->magic, LOADED_VMCS_MAGIC);
		assert_int_equal(o->v->pa, o->pa);
		assert_int_equal(o->v->cpu,
				 o->listed ? LIST_CPU : LOADED_VMCS_NO_CPU);
		assert_int_equal(o->v->launched, o->listed);
		if (!o->listed)
			assert_null(o->v->next);
	}
	assert_ptr_equal(loaded_vmcs_first(&h.list),
			 h.norder ? h.objs[h.order[0]].v : NULL);
}

/* Load: publish, then (fake) VMPTRLD and VMLAUNCH. */
static void do_add(int i)
{
	struct obj *o = &h.objs[i];
	unsigned hooks0 = h.hooks;

	if (!o->allocated)
		obj_new(i);
	model_set_edit(i, true);
	assert_int_equal(loaded_vmcs_publish(&h.list, o->v), LOADED_VMCS_OK);
	if (loaded_vmcs_test_hook)
		assert_int_equal(h.hooks, hooks0 + 3);
	o->listed = true;
	model_commit();
	o->active = true;                       /* VMPTRLD */
	assert_int_equal(loaded_vmcs_set_launched(o->v), LOADED_VMCS_OK);
	check_list_matches_model();
	if (h.strict)
		expect_clean();
}

/* Clear: (fake) VMCLEAR, then unlink, then maybe fini and free. */
static void do_del(int i, bool free_it)
{
	struct obj *o = &h.objs[i];
	unsigned hooks0 = h.hooks;

	o->active = false;                      /* VMCLEAR */
	model_set_edit(i, false);
	assert_int_equal(loaded_vmcs_unlink(&h.list, o->v), LOADED_VMCS_OK);
	if (loaded_vmcs_test_hook)
		assert_int_equal(h.hooks, hooks0 + 4);
	o->listed = false;
	model_commit();
	assert_null(o->v->next);
	assert_int_equal(o->v->cpu, LOADED_VMCS_NO_CPU);
	assert_false(o->v->launched);
	if (free_it) {
		assert_int_equal(loaded_vmcs_fini(o->v), LOADED_VMCS_OK);
		assert_int_equal(o->v->magic, LOADED_VMCS_DEAD);
		free_obj(i);
	}
	check_list_matches_model();
	if (h.strict)
		expect_clean();
}

static void build(unsigned n)
{
	for (unsigned k = n; k-- > 0;)
		do_add((int)k);          /* list is 0, 1, ..., n-1 */
}

/* ---- exact traces of one edit ------------------------------------------- */

struct trace {
	char store[8][40];
	int seq[8][NOBJ + 1];
	unsigned len[8];
	unsigned n;
};

static struct trace tr;

static void trace_hook(const struct loaded_vmcs_list *l, const char *store)
{
	struct walk_rec r;

	check_hook(l, store);
	if (tr.n >= 8)
		return;
	memset(&r, 0, sizeof(r));
	loaded_vmcs_crash_walk(l, record, &r, NULL);
	snprintf(tr.store[tr.n], sizeof(tr.store[0]), "%s", store);
	for (unsigned k = 0; k < r.n && k <= NOBJ; k++)
		tr.seq[tr.n][k] = r.seq[k];
	tr.len[tr.n++] = r.n;
}

static void expect_trace(unsigned k, const char *store, const int *seq,
			 unsigned n)
{
	assert_true(k < tr.n);
	assert_string_equal(tr.store[k], store);
	assert_int_equal(tr.len[k], n);
	for (unsigned j = 0; j < n; j++)
		assert_int_equal(tr.seq[k][j], seq[j]);
}

/* What a crash sees at each store: the new entry appears only at the head
 * store, complete; a deleted one disappears at the unlinking store and the
 * rest of the list never does. */
static void test_exact_walk_at_each_store(void **state)
{
	static const int old3[] = { 0, 1, 2 };
	static const int new4[] = { 3, 0, 1, 2 };
	static const int del1[] = { 3, 0, 2 };

	(void)state;
	build(3);
	memset(&tr, 0, sizeof(tr));
	loaded_vmcs_test_hook = trace_hook;
	do_add(3);
	assert_int_equal(tr.n, 3);
	expect_trace(0, "publish: v->next = head", old3, 3);
	expect_trace(1, "publish: v->cpu = cpu", old3, 3);
	expect_trace(2, "publish: head = v", new4, 4);

	memset(&tr, 0, sizeof(tr));
	do_del(1, true);
	assert_int_equal(tr.n, 4);
	expect_trace(0, "unlink: link = v->next", del1, 3);
	expect_trace(1, "unlink: v->next = NULL", del1, 3);
	expect_trace(2, "unlink: v->cpu = NO_CPU", del1, 3);
	expect_trace(3, "unlink: v->launched = false", del1, 3);
	expect_clean();
}

/* ---- scenarios ---------------------------------------------------------- */

/* Add onto lists of 0..5 entries. */
static void test_add_at_every_size(void **state)
{
	(void)state;
	for (unsigned n = 0; n <= 5; n++) {
		harness_reset();
		build(n);
		do_add(5);
		assert_int_equal(h.norder, n + 1);
		assert_int_equal(h.order[0], 5);
		expect_clean();
	}
}

/* Delete the head, each middle entry, the tail and the only entry of lists
 * of 1..5, each freed right away (ASan watches later walks). */
static void test_delete_every_position(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 5; n++) {
		for (unsigned pos = 0; pos < n; pos++) {
			harness_reset();
			build(n);
			do_del((int)pos, true);
			assert_int_equal(h.norder, n - 1);
			/* and put it back: it goes to the head */
			do_add((int)pos);
			assert_int_equal(h.order[0], (int)pos);
			expect_clean();
		}
	}
}

static unsigned permutations_run;

static void permute_delete(int *perm, unsigned k, unsigned n)
{
	if (k == n) {
		harness_reset();
		build(n);
		for (unsigned j = 0; j < n; j++)
			do_del(perm[j], j % 2 == 0);
		assert_int_equal(h.norder, 0);
		assert_null(loaded_vmcs_first(&h.list));
		expect_clean();
		permutations_run++;
		return;
	}
	for (unsigned j = k; j < n; j++) {
		int t = perm[k];

		perm[k] = perm[j];
		perm[j] = t;
		permute_delete(perm, k + 1, n);
		perm[j] = perm[k];
		perm[k] = t;
	}
}

/* Every order of deleting 4 and 5 entries. */
static void test_delete_all_permutations(void **state)
{
	int perm[5] = { 0, 1, 2, 3, 4 };

	(void)state;
	permutations_run = 0;
	permute_delete(perm, 0, 4);
	assert_int_equal(permutations_run, 24);
	permutations_run = 0;
	permute_delete(perm, 0, 5);
	assert_int_equal(permutations_run, 120);
}

/* ---- exhaustive interleavings ------------------------------------------- */

enum op_kind { OP_ADD, OP_DEL_KEEP, OP_DEL_FREE };

struct op {
	enum op_kind kind;
	int obj;
};

#define SEQ_MAX_OBJS 5
#define SEQ_MAX_LEN 8

static void apply(struct op o)
{
	if (o.kind == OP_ADD)
		do_add(o.obj);
	else
		do_del(o.obj, o.kind == OP_DEL_FREE);
}

/* State after ops[0..n), rebuilt without hooks (already checked once). */
static void rebuild(const struct op *ops, unsigned n)
{
	harness_reset();
	hook_off();
	for (unsigned k = 0; k < n; k++)
		apply(ops[k]);
	hook_on();
}

/* Visits every sequence of valid operations up to max long; the state on
 * entry is the one after ops[0..depth). Each (prefix, op) runs with the
 * hook once. */
static void dfs(struct op *ops, unsigned depth, unsigned max, int nobj,
		unsigned long *nodes)
{
	struct op cand[SEQ_MAX_OBJS * 2];
	unsigned nc = 0;

	if (depth == max)
		return;
	for (int i = 0; i < nobj; i++) {
		if (h.objs[i].listed) {
			cand[nc++] = (struct op){ OP_DEL_KEEP, i };
			cand[nc++] = (struct op){ OP_DEL_FREE, i };
		} else {
			cand[nc++] = (struct op){ OP_ADD, i };
		}
	}
	for (unsigned c = 0; c < nc; c++) {
		if (c)
			rebuild(ops, depth);
		ops[depth] = cand[c];
		apply(cand[c]);
		++*nodes;
		dfs(ops, depth + 1, max, nobj, nodes);
	}
}

/* Number of sequences of length 1..d from a state with k of n listed,
 * counted independently of the DFS. */
static unsigned long count_sequences(unsigned k, unsigned n, unsigned d)
{
	unsigned long total = 0;

	if (d == 0)
		return 0;
	if (k < n)
		total += (n - k) * (1 + count_sequences(k + 1, n, d - 1));
	if (k > 0)
		total += 2ul * k * (1 + count_sequences(k - 1, n, d - 1));
	return total;
}

static void run_interleavings(int nobj, unsigned len)
{
	struct op ops[SEQ_MAX_LEN];
	unsigned long nodes = 0;

	assert_true(nobj <= SEQ_MAX_OBJS && len <= SEQ_MAX_LEN);
	harness_reset();
	dfs(ops, 0, len, nobj, &nodes);
	assert_int_equal(nodes, count_sequences(0, (unsigned)nobj, len));
	expect_clean();
}

/* All 678840 (prefix, operation) pairs over 4 VMCSes up to 8 operations,
 * and over 5 VMCSes (lists of 5) up to 6. */
static void test_interleavings_exhaustive(void **state)
{
	(void)state;
	assert_int_equal(count_sequences(0, 4, 2), 4 + 4 * 5);
	assert_int_equal(count_sequences(0, 4, 8), 678840);
	run_interleavings(4, 8);
	run_interleavings(5, 6);
}

/* ---- crash, then forget ------------------------------------------------- */

static void fake_vmclear(struct loaded_vmcs *v, void *ctx)
{
	int i = obj_index(v);
	unsigned *n = ctx;

	assert_true(i >= 0);
	h.objs[i].active = false;
	(*n)++;
}

static void test_crash_walk_then_forget(void **state)
{
	unsigned cleared = 0, visited = 0, hooks0;

	(void)state;
	build(4);
	do_del(2, false);
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, fake_vmclear,
						&cleared, &visited),
			 LOADED_VMCS_OK);
	assert_int_equal(cleared, 3);
	assert_int_equal(visited, 3);
	for (int i = 0; i < NOBJ; i++)
		assert_false(h.objs[i].active);
	check_list_matches_model();     /* the walk changed nothing */

	memcpy(h.before, h.order, sizeof(h.order));
	h.nbefore = h.norder;
	h.nafter = 0;
	hooks0 = h.hooks;
	assert_int_equal(loaded_vmcs_list_forget(&h.list), LOADED_VMCS_OK);
	assert_int_equal(h.hooks, hooks0 + 1 + 3 * 3);
	expect_clean();
	for (int i = 0; i < 4; i++)
		h.objs[i].listed = false;
	model_commit();
	check_list_matches_model();
	/* guest restart: everything can be loaded again */
	do_add(2);
	do_add(0);
	do_del(2, true);
	expect_clean();
}

/* ---- negative controls: wrong orders must be caught --------------------- */

/* Publish that makes v reachable before v->next is set. */
static void broken_publish_head_first(struct loaded_vmcs_list *l,
				      struct loaded_vmcs *v)
{
	struct loaded_vmcs *old = l->head;

	v->cpu = l->cpu;
	LOADED_VMCS_STORE_HOOK(l, "broken publish: v->cpu");
	l->head = v;
	LOADED_VMCS_STORE_HOOK(l, "broken publish: head = v");
	v->next = old;
	LOADED_VMCS_STORE_HOOK(l, "broken publish: v->next");
}

/* Publish that sets v->cpu only after v is reachable. */
static void broken_publish_cpu_last(struct loaded_vmcs_list *l,
				    struct loaded_vmcs *v)
{
	v->next = l->head;
	LOADED_VMCS_STORE_HOOK(l, "broken publish: v->next");
	l->head = v;
	LOADED_VMCS_STORE_HOOK(l, "broken publish: head = v");
	v->cpu = l->cpu;
	LOADED_VMCS_STORE_HOOK(l, "broken publish: v->cpu");
}

/* Unlink that clears v->next while v is still reachable. */
static void broken_unlink_clear_next_first(struct loaded_vmcs_list *l,
					   struct loaded_vmcs *v)
{
	struct loaded_vmcs **pp = &l->head;
	struct loaded_vmcs *next = v->next;

	while (*pp != v)
		pp = &(*pp)->next;
	v->next = NULL;
	LOADED_VMCS_STORE_HOOK(l, "broken unlink: v->next = NULL");
	*pp = next;
	LOADED_VMCS_STORE_HOOK(l, "broken unlink: link");
	v->cpu = LOADED_VMCS_NO_CPU;
	v->launched = false;
	LOADED_VMCS_STORE_HOOK(l, "broken unlink: cpu");
}

static void test_checker_catches_head_first_publish(void **state)
{
	struct obj *o = &h.objs[3];

	(void)state;
	build(3);
	h.strict = false;
	obj_new(3);
	model_set_edit(3, true);
	broken_publish_head_first(&h.list, o->v);
	assert_true(h.violations > 0);
	/* the walk stopped at the new entry: the old, active ones were lost */
	assert_true(h.kinds & V_MISSED);
	assert_true(h.kinds & V_NOT_ATOMIC);
	assert_false(h.kinds & (V_UNKNOWN | V_MAGIC | V_CPU | V_PA));
	assert_non_null(strstr(h.first, "broken publish: head = v"));
	assert_non_null(strstr(h.first, "not visited"));
}

static void test_checker_catches_cpu_last_publish(void **state)
{
	(void)state;
	build(2);
	h.strict = false;
	obj_new(2);
	model_set_edit(2, true);
	broken_publish_cpu_last(&h.list, h.objs[2].v);
	assert_int_equal(h.kinds, V_CPU);
	assert_int_equal(h.violations, 1);
	assert_non_null(strstr(h.first, "vmcs 2 with cpu -1"));
}

static void test_checker_catches_next_cleared_first(void **state)
{
	(void)state;
	build(4);
	h.strict = false;
	h.objs[1].active = false;       /* VMCLEAR first, as it should be */
	model_set_edit(1, false);
	broken_unlink_clear_next_first(&h.list, h.objs[1].v);
	/* 2 and 3 (after 1) were unreachable while still active */
	assert_true(h.kinds & V_MISSED);
	assert_non_null(strstr(h.first, "broken unlink: v->next = NULL"));
	assert_non_null(strstr(h.first, "active vmcs 2 not visited"));
}

/* The real unlink, but the caller unlinks before VMCLEAR. */
static void test_checker_catches_unlink_before_vmclear(void **state)
{
	(void)state;
	build(3);
	h.strict = false;
	model_set_edit(1, false);
	assert_int_equal(loaded_vmcs_unlink(&h.list, h.objs[1].v),
			 LOADED_VMCS_OK);
	assert_int_equal(h.kinds, V_MISSED);
	assert_int_equal(h.violations, 4);   /* at each of the 4 stores */
	assert_non_null(strstr(h.first, "unlink: link = v->next"));
	h.objs[1].active = false;
	h.objs[1].listed = false;
	model_commit();
}

/* An entry that dies while listed, or a freed one still reachable. */
static void test_checker_catches_dead_and_freed_entries(void **state)
{
	uint32_t magic;

	(void)state;
	build(3);
	h.strict = false;
	/* the real fini refuses a listed entry */
	assert_int_equal(loaded_vmcs_fini(h.objs[1].v), LOADED_VMCS_ERR_BUSY);
	assert_int_equal(h.objs[1].v->magic, LOADED_VMCS_MAGIC);
	/* forced: dead entry in the middle */
	magic = h.objs[1].v->magic;
	h.objs[1].v->magic = LOADED_VMCS_DEAD;
	check_hook(&h.list, "dead entry");
	assert_true(h.kinds & V_WALK);
	assert_true(h.kinds & V_MISSED);           /* 1 and 2 */
	assert_non_null(strstr(h.first, "walk returned"));
	assert_non_null(strstr(h.first, "list is corrupt"));
	h.objs[1].v->magic = magic;

	/* forced: entry 2 "freed" (the test forgets it; memory kept) */
	h.violations = 0;
	h.kinds = 0;
	h.objs[2].allocated = false;
	h.objs[2].active = false;
	check_hook(&h.list, "freed entry");
	assert_int_equal(h.kinds, V_UNKNOWN | V_NOT_ATOMIC);
	assert_non_null(strstr(h.first, "freed or not the test's"));
	h.objs[2].allocated = true;
	h.objs[2].active = true;

	/* forced: uninitialised entry linked in by hand at the head */
	h.violations = 0;
	h.kinds = 0;
	obj_new(4);
	memset(h.objs[4].v, FILL, sizeof(*h.objs[4].v));
	h.objs[4].v->next = h.list.head;
	h.list.head = h.objs[4].v;
	check_hook(&h.list, "uninitialised entry");
	assert_true(h.kinds & V_WALK);
	assert_true(h.kinds & V_MISSED);   /* the walk stops there */
	h.list.head = h.objs[4].v->next;
	assert_int_equal(loaded_vmcs_init(h.objs[4].v, h.objs[4].pa),
			 LOADED_VMCS_OK);
}

/* ---- corrupted lists: the walk always ends ------------------------------ */

static void count_visit(struct loaded_vmcs *v, void *ctx)
{
	(void)v;
	++*(unsigned *)ctx;
}

static void test_cyclic_list_terminates(void **state)
{
	struct loaded_vmcs *a, *b, *c, *x;
	unsigned calls = 0, visited = 0;

	(void)state;
	hook_off();
	build(3);
	obj_new(3);
	a = h.objs[0].v;
	b = h.objs[1].v;
	c = h.objs[2].v;
	x = h.objs[3].v;
	c->next = a;                            /* 0 -> 1 -> 2 -> 0 ... */
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, count_visit, &calls,
						&visited),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_int_equal(calls, LOADED_VMCS_MAX);
	assert_int_equal(visited, LOADED_VMCS_MAX);
	/* publish and unlink refuse to edit it */
	assert_int_equal(loaded_vmcs_publish(&h.list, x),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_ptr_equal(h.list.head, a);
	assert_int_equal(x->cpu, LOADED_VMCS_NO_CPU);
	x->cpu = LIST_CPU;                      /* claims to be listed */
	assert_int_equal(loaded_vmcs_unlink(&h.list, x),
			 LOADED_VMCS_ERR_CORRUPT);
	x->cpu = LOADED_VMCS_NO_CPU;
	assert_ptr_equal(c->next, a);
	/* forget ends too, and breaks the cycle */
	assert_int_equal(loaded_vmcs_list_forget(&h.list), LOADED_VMCS_OK);
	assert_null(h.list.head);
	assert_null(a->next);
	assert_null(b->next);
	assert_null(c->next);
	assert_int_equal(c->cpu, LOADED_VMCS_NO_CPU);

	/* a self loop */
	a->next = a;
	a->cpu = LIST_CPU;
	h.list.head = a;
	calls = 0;
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, count_visit, &calls,
						&visited),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_int_equal(calls, LOADED_VMCS_MAX);
	assert_int_equal(visited, LOADED_VMCS_MAX);
	assert_int_equal(loaded_vmcs_list_forget(&h.list), LOADED_VMCS_OK);
	assert_null(a->next);
	for (int i = 0; i < 3; i++)
		h.objs[i].listed = false;
}

static void test_dead_or_misaligned_entry_stops_walk(void **state)
{
	unsigned calls = 0, visited = 99;
	struct loaded_vmcs *mis;

	(void)state;
	hook_off();
	build(4);
	h.objs[2].v->magic = LOADED_VMCS_DEAD;
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, count_visit, &calls,
						&visited),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_int_equal(calls, 2);
	assert_int_equal(visited, 2);
	/* forget resets up to the dead entry, empties the list anyway */
	assert_int_equal(loaded_vmcs_list_forget(&h.list),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_null(h.list.head);
	assert_int_equal(h.objs[0].v->cpu, LOADED_VMCS_NO_CPU);
	assert_int_equal(h.objs[1].v->cpu, LOADED_VMCS_NO_CPU);
	assert_int_equal(h.objs[3].v->cpu, LIST_CPU);   /* left as it was */

	/* misaligned link: not even read */
	mis = (struct loaded_vmcs *)((char *)h.objs[0].v + 1);
	h.list.head = mis;
	calls = 0;
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, count_visit, &calls,
						&visited),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_int_equal(calls, 0);
	assert_int_equal(visited, 0);
	h.list.head = NULL;
	for (int i = 0; i < 4; i++)
		h.objs[i].listed = false;
}

/* LOADED_VMCS_MAX entries are fine, one more is refused; a longer list
 * (linked by hand) is reported corrupt after exactly MAX visits. */
static void test_capacity_bound(void **state)
{
	struct loaded_vmcs *e = calloc(LOADED_VMCS_MAX + 1, sizeof(*e));
	unsigned calls = 0, visited = 0;

	(void)state;
	hook_off();
	assert_non_null(e);
	for (unsigned k = 0; k <= LOADED_VMCS_MAX; k++)
		assert_int_equal(loaded_vmcs_init(&e[k], (k + 1) * PAGE_SIZE),
				 LOADED_VMCS_OK);
	for (unsigned k = 0; k < LOADED_VMCS_MAX; k++)
		assert_int_equal(loaded_vmcs_publish(&h.list, &e[k]),
				 LOADED_VMCS_OK);
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, count_visit, &calls,
						&visited),
			 LOADED_VMCS_OK);
	assert_int_equal(visited, LOADED_VMCS_MAX);
	assert_int_equal(calls, LOADED_VMCS_MAX);
	assert_int_equal(loaded_vmcs_publish(&h.list, &e[LOADED_VMCS_MAX]),
			 LOADED_VMCS_ERR_FULL);
	assert_ptr_equal(h.list.head, &e[LOADED_VMCS_MAX - 1]);
	assert_int_equal(e[LOADED_VMCS_MAX].cpu, LOADED_VMCS_NO_CPU);
	assert_null(e[LOADED_VMCS_MAX].next);
	/* the tail can still be unlinked (walks MAX - 1 links to find it) */
	assert_int_equal(loaded_vmcs_unlink(&h.list, &e[0]), LOADED_VMCS_OK);
	assert_int_equal(loaded_vmcs_publish(&h.list, &e[0]), LOADED_VMCS_OK);
	/* by hand: MAX + 1 entries */
	e[LOADED_VMCS_MAX].next = h.list.head;
	e[LOADED_VMCS_MAX].cpu = LIST_CPU;
	h.list.head = &e[LOADED_VMCS_MAX];
	calls = 0;
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, count_visit, &calls,
						&visited),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_int_equal(visited, LOADED_VMCS_MAX);
	assert_int_equal(calls, LOADED_VMCS_MAX);
	/* the last entry is beyond reach of unlink */
	assert_int_equal(loaded_vmcs_unlink(&h.list, &e[1]),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_int_equal(loaded_vmcs_list_forget(&h.list),
			 LOADED_VMCS_ERR_CORRUPT);
	assert_null(h.list.head);
	free(e);
}

/* ---- API contract and bad arguments ------------------------------------- */

static void test_init_and_fini(void **state)
{
	struct loaded_vmcs v;
	static const uint64_t bad[] = { 0, 1, 0x1001, 0x100800,
					1ull << 52, (1ull << 52) + PAGE_SIZE,
					~0ull, ~0ull & ~(PAGE_SIZE - 1) };

	(void)state;
	assert_int_equal(loaded_vmcs_init(NULL, PAGE_SIZE),
			 LOADED_VMCS_ERR_BAD_ARG);
	for (unsigned k = 0; k < ARRAY_SIZE(bad); k++) {
		memset(&v, FILL, sizeof(v));
		assert_int_equal(loaded_vmcs_init(&v, bad[k]),
				 LOADED_VMCS_ERR_BAD_PA);
		assert_int_equal(v.magic, LOADED_VMCS_DEAD);
		assert_int_equal(v.cpu, LOADED_VMCS_NO_CPU);
		assert_null(v.next);
		assert_int_equal(loaded_vmcs_publish(&h.list, &v),
				 LOADED_VMCS_ERR_NOT_INIT);
	}
	memset(&v, FILL, sizeof(v));
	assert_int_equal(loaded_vmcs_init(&v, (1ull << 52) - PAGE_SIZE),
			 LOADED_VMCS_OK);
	assert_int_equal(v.pa, (1ull << 52) - PAGE_SIZE);
	assert_int_equal(v.magic, LOADED_VMCS_MAGIC);
	assert_int_equal(v.cpu, LOADED_VMCS_NO_CPU);
	assert_false(v.launched);
	assert_null(v.next);
	assert_int_equal(loaded_vmcs_fini(&v), LOADED_VMCS_OK);
	assert_int_equal(v.magic, LOADED_VMCS_DEAD);
	assert_int_equal(v.pa, 0);
	assert_int_equal(loaded_vmcs_fini(&v), LOADED_VMCS_ERR_NOT_INIT);
	assert_int_equal(loaded_vmcs_fini(NULL), LOADED_VMCS_ERR_BAD_ARG);
	memset(&v, FILL, sizeof(v));
	assert_int_equal(loaded_vmcs_fini(&v), LOADED_VMCS_ERR_NOT_INIT);
	assert_int_equal(loaded_vmcs_set_launched(&v),
			 LOADED_VMCS_ERR_NOT_INIT);
	assert_int_equal(loaded_vmcs_unlink(&h.list, &v),
			 LOADED_VMCS_ERR_NOT_INIT);
}

static void test_misuse_is_refused(void **state)
{
	struct loaded_vmcs_list other;
	struct loaded_vmcs *v;
	unsigned hooks0;

	(void)state;
	assert_int_equal(loaded_vmcs_list_init(NULL, 0),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_list_init(&other, -1),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_list_init(&other, 0), LOADED_VMCS_OK);
	assert_null(loaded_vmcs_first(&other));
	assert_null(loaded_vmcs_first(NULL));
	build(2);
	v = h.objs[0].v;
	hooks0 = h.hooks;

	assert_int_equal(loaded_vmcs_publish(NULL, v), LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_publish(&h.list, NULL),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_publish(&h.list, v), LOADED_VMCS_ERR_BUSY);
	assert_int_equal(loaded_vmcs_publish(&other, v), LOADED_VMCS_ERR_BUSY);
	assert_int_equal(loaded_vmcs_unlink(NULL, v), LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_unlink(&h.list, NULL),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_unlink(&other, v),
			 LOADED_VMCS_ERR_WRONG_CPU);
	assert_int_equal(loaded_vmcs_fini(v), LOADED_VMCS_ERR_BUSY);
	assert_int_equal(loaded_vmcs_set_launched(NULL),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_crash_walk(NULL, count_visit, NULL, NULL),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_crash_walk(&h.list, NULL, NULL, NULL),
			 LOADED_VMCS_ERR_BAD_ARG);
	assert_int_equal(loaded_vmcs_list_forget(NULL),
			 LOADED_VMCS_ERR_BAD_ARG);

	/* listed but its cpu field says not: publish still refuses */
	v->cpu = LOADED_VMCS_NO_CPU;
	assert_int_equal(loaded_vmcs_publish(&h.list, v), LOADED_VMCS_ERR_BUSY);
	v->cpu = LIST_CPU;
	/* not listed but claims this CPU: unlink finds nothing */
	obj_new(2);
	h.objs[2].v->cpu = LIST_CPU;
	assert_int_equal(loaded_vmcs_unlink(&h.list, h.objs[2].v),
			 LOADED_VMCS_ERR_NOT_ON_LIST);
	h.objs[2].v->cpu = LOADED_VMCS_NO_CPU;
	assert_int_equal(loaded_vmcs_unlink(&h.list, h.objs[2].v),
			 LOADED_VMCS_ERR_NOT_ON_LIST);
	assert_int_equal(loaded_vmcs_set_launched(h.objs[2].v),
			 LOADED_VMCS_ERR_NOT_ON_LIST);

	/* nothing above stored anything */
	assert_int_equal(h.hooks, hooks0);
	check_list_matches_model();
	expect_clean();
}

static void test_strerror(void **state)
{
	const char *seen[LOADED_VMCS_ERR_CORRUPT + 1];

	(void)state;
	for (int s = LOADED_VMCS_OK; s <= LOADED_VMCS_ERR_CORRUPT; s++) {
		seen[s] = loaded_vmcs_strerror((enum loaded_vmcs_status)s);
		assert_non_null(seen[s]);
		assert_null(strstr(seen[s], "unknown"));
		for (int t = 0; t < s; t++)
			assert_string_not_equal(seen[s], seen[t]);
	}
	assert_string_equal(loaded_vmcs_strerror(LOADED_VMCS_OK), "success");
	assert_string_equal(
		loaded_vmcs_strerror((enum loaded_vmcs_status)999),
		"unknown loaded-VMCS error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_exact_walk_at_each_store),
		T(test_add_at_every_size),
		T(test_delete_every_position),
		T(test_delete_all_permutations),
		T(test_interleavings_exhaustive),
		T(test_crash_walk_then_forget),
		T(test_checker_catches_head_first_publish),
		T(test_checker_catches_cpu_last_publish),
		T(test_checker_catches_next_cleared_first),
		T(test_checker_catches_unlink_before_vmclear),
		T(test_checker_catches_dead_and_freed_entries),
		T(test_cyclic_list_terminates),
		T(test_dead_or_misaligned_entry_stops_walk),
		T(test_capacity_bound),
		T(test_init_and_fini),
		T(test_misuse_is_refused),
		T(test_strerror),
#undef T
	};

	return cmocka_run_group_tests_name("loaded_vmcs", tests, NULL, NULL);
}
