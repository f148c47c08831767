/* Fuzz target for the shadow-EPT composition (mm/ept_compose.c).
 *
 * The input is L1's capabilities, EPTP, an L2 guest-physical address, an
 * access, an EPT01 mapping and the EPT12 entries the walk reads (the k-th
 * read of a walk returns word k, whatever the address, so seeds can spell
 * out a path). Values are XORed onto a baseline (Bochs Skylake caps,
 * MAXPHYADDR 39, a WB 4-level EPTP, a read), so zeros are a sane walk.
 * Then, for any bytes:
 *   - no crash, no sanitizer report;
 *   - every read is 8-byte aligned and below 2^MAXPHYADDR (an entry whose
 *     address is wider is a misconfiguration before it is followed);
 *   - a translation stays within L1's width, its rights are a non-empty
 *     subset of the AND of the entries read and include the access, its
 *     size is one the caps allow, its offset is the gpa's, and the A/D
 *     list names only entries read, only flags still clear, D only on the
 *     leaf and only for a write;
 *   - a violation's qualification has only bits 0-5, names the access and
 *     rights that lack part of it; a misconfiguration has a class;
 *   - walking again gives the same verdict;
 *   - a composed EPT02 leaf lies inside both pages, is aligned, allows the
 *     access with rights within both levels', a valid permission and
 *     memory type, and never appears for memory EPT01 hides.
 * Any mismatch traps.
 *
 * Input layout (little endian), short inputs padded with zeros:
 *   u64 cap_xor        XOR 0x00000f0106334141
 *   u8  maxphy_xor     MAXPHYADDR = 39 ^ (byte & 63)
 *   u64 eptp_xor       XOR 0x1001e (WB, 4 levels, tables at 0x10000)
 *   u64 gpa
 *   u8  access_xor     XOR 1 (read); bits 0-3 used
 *   u8  e01            bits 1:0 EPT01 level - 1 (3: hidden), 4:2 rights
 *                      XOR 7, bit 5 IPAT, 7:6 type (WB, UC, WC, WT)
 *   u8  host           bit 0 no 2 MiB, 1 no 1 GiB, 2 no execute-only,
 *                      3 host MAXPHYADDR 39 (else 46)
 *   u8  fail_mod       reads of gpa with (gpa >> 12) % fail_mod == 1 fail
 *   u64 host_base      where EPT01 puts the L1 page
 *   the rest: up to 8 u64 entry words. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/compiler.h"
#include "mm/ept_compose.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define BASE_CAP 0x00000f0106334141ULL
#define BASE_EPTP 0x1001eULL
#define HEADER_LEN (8 + 1 + 8 + 8 + 1 + 1 + 1 + 1 + 8)
#define MAX_WORDS 8

static struct {
	uint64_t words[MAX_WORDS];
	unsigned reads;
	unsigned fail_mod;
	unsigned maxphyaddr;
	uint64_t read_at[EPT12_MAX_LEVELS];
	/* EPT01 */
	bool hidden;
	unsigned level, perm, memtype;
	bool ipat;
	uint64_t host_base;
	unsigned host_maxphyaddr;
} f;

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static int read_entry(void *ctx, uint64_t gpa, uint64_t *entry)
{
	(void)ctx;
	CHECK(gpa % 8 == 0);
	CHECK(gpa < (1ULL << f.maxphyaddr));
	CHECK(f.reads < EPT12_MAX_LEVELS);
	f.read_at[f.reads] = gpa;
	if (f.fail_mod > 1 && (gpa >> 12) % f.fail_mod == 1)
		return -1;
	*entry = f.words[f.reads++];
	return 0;
}

static uint64_t span(unsigned level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static int lookup01(void *ctx, uint64_t l1_gpa, struct ept01_map *m)
{
	uint64_t s;

	(void)ctx;
	if (f.hidden)
		return -1;
	s = span(f.level);
	/* A linear page: same offset; maybe beyond the host's width, which
	 * compose must refuse. */
	m->hpa = (f.host_base & ~(s - 1)) | (l1_gpa & (s - 1));
	m->level = f.level;
	m->perm = f.perm;
	m->memtype = f.memtype;
	m->ipat = f.ipat;
	return 0;
}

static bool memtype_ok(unsigned mt)
{
	return mt == 0 || mt == 1 || mt == 4 || mt == 5 || mt == 6;
}

static void check_translation(const struct ept12_caps *c,
			      const struct ept12_result *r, unsigned levels)
{
	unsigned and = EPT_RWX;
	uint64_t off;

	CHECK(r->levels_walked >= 1 && r->levels_walked <= levels);
	for (unsigned i = 0; i < r->levels_walked; i++)
		and &= (unsigned)(r->entry[i] & EPT_RWX);
	CHECK(r->perm != 0 && (r->perm & ~and) == 0);
	CHECK((r->access & ~r->perm) == 0);
	CHECK(!(r->perm & EPT_W) || (r->perm & EPT_R));
	CHECK(r->perm != EPT_X || c->exec_only);
	CHECK(r->level >= 1 && r->level <= 3);
	CHECK(r->level == levels - r->levels_walked + 1);
	CHECK(r->level != 3 || c->page_1g);
	CHECK(r->level != 2 || c->page_2m);
	CHECK(r->l1_gpa < (1ULL << c->maxphyaddr));
	off = span(r->level) - 1;
	CHECK((r->l1_gpa & off) == (r->gpa & off));
	CHECK(memtype_ok(r->memtype));
	CHECK(r->n_ad <= r->levels_walked);
	CHECK(r->ad_enabled || r->n_ad == 0);
	/* Updates come in walk order; two levels may read one address (the
	 * harness gives them different words), so match by position. */
	for (unsigned i = 0, k = 0; i < r->n_ad; i++, k++) {
		uint64_t set = r->ad[i].set;
		unsigned leaf = r->levels_walked - 1;

		CHECK(set && !(set & ~(EPT12_ENTRY_A | EPT12_ENTRY_D)));
		/* The dirty flag is the leaf's only (28.2.4), for a write. The
		 * leaf's address may also have been read at a higher level
		 * (the harness's tables may point back into themselves, with
		 * another word per read), so it is matched at the leaf. */
		if (set & EPT12_ENTRY_D) {
			CHECK(i == r->n_ad - 1 && f.read_at[leaf] == r->ad[i].l1_gpa &&
			      (r->entry[leaf] & set) == 0 && (r->access & EPT_W));
			break;
		}
		while (k < r->levels_walked &&
		       (f.read_at[k] != r->ad[i].l1_gpa ||
			(r->entry[k] & set)))
			k++;
		CHECK(k < r->levels_walked);
		CHECK((r->entry[k] & set) == 0);
	}
	CHECK(!r->ad_enabled || !(r->access & EPT_W) || r->dirty);
}

static void check_leaf(const struct ept12_result *w,
		       const struct ept_caps *host, const struct ept02_leaf *l)
{
	uint64_t s;

	if (l->kind == EPT02_L0) {
		CHECK(l->why != NULL);
		CHECK(ept02_leaf_entry(l) == 0);
		return;
	}
	CHECK(l->kind == EPT02_MAP);
	CHECK(!f.hidden);
	CHECK(l->level >= 1 && l->level <= w->level && l->level <= f.level);
	CHECK(l->level != 3 || host->page_1g);
	CHECK(l->level != 2 || host->page_2m);
	s = span(l->level);
	CHECK(l->gpa == (w->gpa & ~(s - 1)));
	CHECK(l->hpa % s == 0 && l->hpa + s - 1 < (1ULL << host->maxphyaddr));
	/* The byte at gpa lands where EPT01 puts the byte at l1_gpa. */
	CHECK((l->hpa | (w->gpa & (s - 1))) ==
	      ((f.host_base & ~(span(f.level) - 1)) |
	       (w->l1_gpa & (span(f.level) - 1))));
	CHECK(l->perm && (l->perm & ~(w->perm & f.perm)) == 0);
	CHECK((w->access & ~l->perm) == 0);
	CHECK(!(l->perm & EPT_W) || (l->perm & EPT_R));
	CHECK(l->perm != EPT_X || host->exec_only);
	CHECK(memtype_ok(l->memtype));
	CHECK((ept02_leaf_entry(l) & 0x000ffffffffff000ULL) == l->hpa);
	CHECK((ept02_leaf_entry(l) & 7) == l->perm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HEADER_LEN] = { 0 };
	const uint8_t *p = hdr;
	struct ept12_caps c;
	struct ept_caps host;
	struct ept12_result r, again;
	struct ept02_leaf leaf;
	uint64_t eptp, gpa;
	unsigned access, e01, hb, levels, nwords;
	int rc;

	memcpy(hdr, data, size < HEADER_LEN ? size : HEADER_LEN);
	memset(&f, 0, sizeof(f));
	c = ept12_caps_from_msr(BASE_CAP ^ get64(p), 39 ^ (p[8] & 63));
	f.maxphyaddr = c.maxphyaddr;
	p += 9;
	eptp = BASE_EPTP ^ get64(p);
	gpa = get64(p + 8);
	access = (1u ^ p[16]) & 15u;
	e01 = p[17];
	hb = p[18];
	f.fail_mod = p[19];
	f.host_base = get64(p + 20);
	nwords = size > HEADER_LEN ? (unsigned)((size - HEADER_LEN) / 8) : 0;
	if (nwords > MAX_WORDS)
		nwords = MAX_WORDS;
	for (unsigned i = 0; i < nwords; i++)
		f.words[i] = get64(data + HEADER_LEN + 8 * i);

	f.hidden = (e01 & 3) == 3;
	f.level = (e01 & 3) + 1;
	f.perm = ((e01 >> 2) & 7) ^ 7;
	f.ipat = e01 & 0x20;
	f.memtype = (const unsigned[]){ 6, 0, 1, 4 }[e01 >> 6];
	host = ept_caps_from_msr(BASE_CAP, (hb & 8) ? 39 : 46);
	host.page_2m = !(hb & 1);
	host.page_1g = !(hb & 2);
	host.exec_only = !(hb & 4);

	rc = ept12_walk(&c, eptp, gpa, access, read_entry, NULL, &r);
	CHECK(rc == (r.kind == EPT12_BAD_INPUT ? -1 : 0));
	CHECK(r.gpa == gpa);
	if (r.kind == EPT12_BAD_INPUT) {
		CHECK(f.reads == 0 && r.why != NULL);
		return 0;
	}
	CHECK(ept12_eptp_valid(&c, eptp, NULL));
	levels = (unsigned)((eptp >> 3) & 7) + 1;
	CHECK(levels == 4 || levels == 5);
	CHECK(gpa < (1ULL << c.maxphyaddr));
	CHECK(r.levels_walked == f.reads);
	CHECK((r.access & ~EPT_RWX) == 0 && r.access != 0);

	switch (r.kind) {
	case EPT12_TRANSLATED:
		check_translation(&c, &r, levels);
		break;
	case EPT12_VIOLATION:
		CHECK((r.exit_qual & ~0x3fULL) == 0);
		CHECK((r.exit_qual & 7) == r.access);
		CHECK((r.access & ~(r.exit_qual >> 3)) != 0);
		CHECK(r.n_ad == 0 && r.why != NULL);
		break;
	case EPT12_MISCONFIG:
		CHECK(r.misconfig != EPT12_MC_NONE && r.why != NULL);
		CHECK(r.stop_level == levels - r.levels_walked + 1);
		CHECK(r.n_ad == 0);
		break;
	case EPT12_READ_FAILED:
		CHECK(r.entry_gpa == f.read_at[f.reads]);
		break;
	default:
		CHECK(0);
	}

	/* The same walk again: the same verdict. */
	f.reads = 0;
	CHECK(ept12_walk(&c, eptp, gpa, access, read_entry, NULL, &again) ==
	      rc);
	CHECK(again.kind == r.kind && again.l1_gpa == r.l1_gpa &&
	      again.exit_qual == r.exit_qual &&
	      again.misconfig == r.misconfig && again.n_ad == r.n_ad &&
	      again.perm == r.perm && again.level == r.level);

	rc = ept02_compose(&r, &host, lookup01, NULL, &leaf);
	CHECK(rc == (r.kind == EPT12_TRANSLATED ? 0 : -1));
	if (rc == 0)
		check_leaf(&r, &host, &leaf);
	return 0;
}
