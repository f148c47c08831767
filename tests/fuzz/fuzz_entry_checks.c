/* Fuzz target for the VM-entry checker (vmx/entry_checks.c).
 *
 * The input is a vmcs12 image, a capability set (struct vmx_msrs), env
 * knobs and guest memory (which holds the VM-entry MSR-load area, VTPR,
 * the link pointer's revision and PDPTEs). Image, capabilities and masks
 * are XORed onto a valid baseline (a 64-bit guest under a 64-bit host on
 * Bochs' corei7_skylake_x capabilities), so an all-zero input is a VMCS
 * that passes and a few set bits reach any check; short inputs are padded
 * with zeros. Then:
 *   - no crash, no sanitizer report, for any bytes;
 *   - the verdict on the image equals the verdict on a copy rebuilt field
 *     by field, through vmcs_field_table, in an input-derived order, into
 *     a buffer pre-filled with a different pattern (the verdict must not
 *     depend on field order or on bytes outside the fields);
 *   - the auditor agrees with the verdict (no finding <=> PASS; its first
 *     finding is the verdict's), and every finding is well-formed and
 *     formats to one line;
 *   - the qualification fits the outcome (26.7).
 * Any mismatch traps.
 *
 * Input layout (little endian), every part optional:
 *   u64 caps_xor[18]      basic .. true_entry, in struct vmx_msrs order
 *   u8  cap_flags_xor     bits 0-3: have_procbased2, _ept_vpid_cap,
 *                         _vmfunc, _true_ctls
 *   u8  maxphy_xor        XOR 40
 *   u8  env_flags_xor     bit 0 host_lma (default 1), 1 la57, 2 in_smm,
 *                         3 sgx, 4 rtm, 5 have_current_vmcs,
 *                         6 nmi_requires_no_sti_blocking, 7 no reader
 *   u8  msr_mode          0: msr_load_ok NULL, 1: always OK, 2: hashed
 *                         OK/BAD/UNKNOWN per (index, value), 3: UNKNOWN
 *   u64 procbased3, debugctl_rsvd_xor, perf_rsvd_xor, current_vmcs,
 *       order_seed
 *   u16 mem_len, mem_len bytes of memory
 *   the rest: XOR onto the baseline vmcs12 image (byte for byte). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/compiler.h"
#include "vmx/entry_checks.h"
#include "vmx/vmx_controls.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define N_CAPS 18
#define HEADER_LEN (N_CAPS * 8 + 4 + 5 * 8)

struct mem {
	const uint8_t *bytes;
	size_t len;
};

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Guest memory: byte pa+k is mem[(pa + k) % len] (all zero if len is 0).
 * Reads fail above 2^52 and where the first byte is FFH: a pure function
 * of (pa, len), so the verdict cannot depend on call order. */
static bool read_mem(void *ctx, uint64_t pa, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (pa >> 52)
		return false;
	if (m->len == 0) {
		memset(buf, 0, len);
		return true;
	}
	if (m->bytes[pa % m->len] == 0xff)
		return false;
	for (size_t k = 0; k < len; k++)
		((uint8_t *)buf)[k] = m->bytes[(pa + k) % m->len];
	return true;
}

static enum entry_msr_load msr_ok(void *ctx, uint32_t index, uint64_t value)
{
	unsigned mode = *(const uint8_t *)ctx & 3;
	uint64_t h;

	if (mode == 1)
		return ENTRY_MSR_LOAD_OK;
	if (mode == 3)
		return ENTRY_MSR_LOAD_UNKNOWN;
	h = (index * 0x9e3779b97f4a7c15ull) ^ (value * 0xc2b2ae3d27d4eb4full);
	h ^= h >> 29;
	return (enum entry_msr_load)(h % 3);
}

/* The baseline: valid on the baseline capabilities (see above). */
static void baseline_caps(struct vmx_msrs *c)
{
	memset(c, 0, sizeof(*c));
	c->basic = 0x00d810000000002bull;
	c->pinbased = c->true_pinbased = 0x0000007f00000016ull;
	c->procbased = 0xf7f9fffe0401e172ull;
	c->true_procbased = 0xf7f9fffe04006172ull;
	c->procbased2 = 0x02177fff00000000ull;
	c->exit = 0x007fffff00036dffull;
	c->true_exit = 0x007fffff00036dfbull;
	c->entry = 0x0000ffff000011ffull;
	c->true_entry = 0x0000ffff000011fbull;
	c->misc = 0x00000000600401e0ull;
	c->cr0_fixed0 = 0x80000021ull;
	c->cr0_fixed1 = 0xffffffffull;
	c->cr4_fixed0 = 0x2000ull;
	c->cr4_fixed1 = 0x3727ffull;
	c->ept_vpid_cap = 0x00000f0106334141ull;
	c->vmfunc = 1;
	c->have_procbased2 = c->have_ept_vpid_cap = c->have_vmfunc = c->have_true_ctls = true;
}

#define GUEST_SEG(v, R, sel, base, limit, ar) \
	((v)->GUEST_##R##_SELECTOR = (sel), (v)->GUEST_##R##_BASE = (base), \
	 (v)->GUEST_##R##_LIMIT = (limit), (v)->GUEST_##R##_AR = (ar))

static void baseline_vmcs(struct vmcs12 *v)
{
	memset(v, 0, sizeof(*v));
	v->PIN_BASED_CONTROLS = 0x16u | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING |
				PIN_VIRTUAL_NMIS;
	v->PROC_BASED_CONTROLS = 0x04006172u | PROC_HLT_EXITING | PROC_USE_IO_BITMAPS |
				 PROC_USE_MSR_BITMAPS | PROC_TPR_SHADOW | PROC_SECONDARY_CONTROLS;
	v->SECONDARY_PROC_CONTROLS = PROC2_ENABLE_EPT | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_VPID |
				     PROC2_UNRESTRICTED_GUEST;
	v->EXIT_CONTROLS = 0x36dfbu | EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTERRUPT_ON_EXIT |
			   EXIT_LOAD_PAT | EXIT_LOAD_EFER;
	v->ENTRY_CONTROLS = 0x11fbu | ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_IA32E_MODE_GUEST |
			    ENTRY_LOAD_PAT | ENTRY_LOAD_EFER;
	v->VPID = 1;
	v->IO_BITMAP_A = 0x10000;
	v->IO_BITMAP_B = 0x11000;
	v->MSR_BITMAP = 0x12000;
	v->VIRTUAL_APIC_PAGE_ADDR = 0x13000;
	v->EPT_POINTER = 0x14000ull | 6 | (3 << 3);
	v->VMCS_LINK_POINTER = ~0ull;
	v->ENTRY_MSR_LOAD_ADDR = 0x15000;
	v->HOST_CR0 = 0x80050033;
	v->HOST_CR3 = 0x1000000;
	v->HOST_CR4 = 0x2620;
	v->HOST_CS_SELECTOR = 0x08;
	v->HOST_SS_SELECTOR = 0x10;
	v->HOST_TR_SELECTOR = 0x28;
	v->HOST_TR_BASE = 0xffffffff80020000ull;
	v->HOST_IA32_PAT = 0x0007040600070406ull;
	v->HOST_IA32_EFER = 0xd01;
	v->HOST_RIP = 0xffffffff80001000ull;
	v->GUEST_CR0 = 0x80050033;
	v->GUEST_CR3 = 0x2000000;
	v->GUEST_CR4 = 0x2620;
	v->GUEST_DR7 = 0x400;
	v->GUEST_RIP = 0xffffffff81000000ull;
	v->GUEST_RFLAGS = 0x202;
	GUEST_SEG(v, CS, 0x10, 0, 0xffffffff, 0xa09b);
	GUEST_SEG(v, SS, 0x18, 0, 0xffffffff, 0xc093);
	GUEST_SEG(v, DS, 0x18, 0, 0xffffffff, 0xc093);
	GUEST_SEG(v, ES, 0x18, 0, 0xffffffff, 0xc093);
	GUEST_SEG(v, FS, 0, 0, 0, 0x10000);
	GUEST_SEG(v, GS, 0, 0, 0, 0x10000);
	GUEST_SEG(v, TR, 0x40, 0xfffffe0000003000ull, 0x67, 0x8b);
	GUEST_SEG(v, LDTR, 0, 0, 0, 0x10000);
	v->GUEST_GDTR_LIMIT = 0x7f;
	v->GUEST_IDTR_LIMIT = 0xfff;
	v->GUEST_IA32_PAT = 0x0007040600070406ull;
	v->GUEST_IA32_EFER = 0xd01;
}

static unsigned field_size(uint8_t width)
{
	return width == VMCS_W16 ? 2 : width == VMCS_W32 ? 4 : 8;
}

/* The image rebuilt field by field in a random order (xorshift from
 * `seed`), over a buffer full of another pattern. */
static void rebuild(const struct vmcs12 *src, struct vmcs12 *dst, uint64_t seed)
{
	static uint16_t order[1024];
	unsigned n = vmcs_field_count, i, j;
	uint64_t s = seed | 1;

	CHECK(n <= ARRAY_SIZE(order));
	for (i = 0; i < n; i++)
		order[i] = (uint16_t)i;
	for (i = n; i > 1; i--) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		j = (unsigned)(s % i);
		uint16_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	memset(dst, 0x5a, sizeof(*dst));
	for (i = 0; i < n; i++) {
		const struct vmcs_field_info *f = &vmcs_field_table[order[i]];
		unsigned size = field_size(f->width);

		CHECK(f->offset + size <= sizeof(*dst));
		memcpy((uint8_t *)dst + f->offset, (const uint8_t *)src + f->offset, size);
	}
}

static bool same_finding(const struct entry_finding *a, const struct entry_finding *b)
{
	if (a->section != b->section || a->rule != b->rule || a->cls != b->cls ||
	    a->exit_qual != b->exit_qual || a->nfields != b->nfields)
		return false;
	for (unsigned i = 0; i < a->nfields && i < ENTRY_FINDING_MAX_FIELDS; i++)
		if (a->field[i] != b->field[i] || a->value[i] != b->value[i])
			return false;
	return true;
}

static unsigned lines;

static void count_line(void *ctx, const char *text)
{
	(void)ctx;
	CHECK(text && text[0] == 'S');
	lines++;
}

static void check_verdict(const struct entry_verdict *vd, const struct vmcs12 *v,
			  const struct entry_check_env *env)
{
	static struct entry_finding out[8];
	unsigned n = vmx_entry_check(v, env, out, ARRAY_SIZE(out));

	CHECK((n == 0) == (vd->outcome == ENTRY_PASS));
	switch (vd->outcome) {
	case ENTRY_PASS:
		return;
	case ENTRY_FAIL_CONTROLS:
	case ENTRY_FAIL_HOST:
		CHECK(vd->qual == 0);
		break;
	case ENTRY_FAIL_GUEST:
		CHECK(vd->qual == 0 || vd->qual == 2 || vd->qual == 3 || vd->qual == 4);
		break;
	case ENTRY_FAIL_MSR_LOAD:
		CHECK(vd->qual >= 1 && vd->qual <= v->ENTRY_MSR_LOAD_COUNT);
		break;
	case ENTRY_UNDECIDED:
		CHECK(vd->qual <= v->ENTRY_MSR_LOAD_COUNT);
		break;
	default:
		CHECK(0);
	}
	CHECK(same_finding(&vd->first, &out[0]));
	for (unsigned i = 0; i < n && i < ARRAY_SIZE(out); i++) {
		CHECK(out[i].section && out[i].rule);
		CHECK(out[i].nfields >= 1 && out[i].nfields <= ENTRY_FINDING_MAX_FIELDS);
		CHECK(out[i].cls <= ENTRY_CHECK_UNDECIDED);
		lines = 0;
		entry_finding_format(&out[i], count_line, NULL);
		CHECK(lines == 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcs12 image, copy;
	static uint8_t hdr[HEADER_LEN];
	struct vmx_msrs caps;
	struct entry_check_env env;
	struct entry_verdict v1, v2;
	struct mem mem = { 0 };
	uint64_t *cap_words[N_CAPS];
	uint8_t flags, msr_mode;
	size_t pos, i, n;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	pos = sizeof(hdr);

	baseline_caps(&caps);
	cap_words[0] = &caps.basic, cap_words[1] = &caps.pinbased;
	cap_words[2] = &caps.procbased, cap_words[3] = &caps.exit;
	cap_words[4] = &caps.entry, cap_words[5] = &caps.misc;
	cap_words[6] = &caps.cr0_fixed0, cap_words[7] = &caps.cr0_fixed1;
	cap_words[8] = &caps.cr4_fixed0, cap_words[9] = &caps.cr4_fixed1;
	cap_words[10] = &caps.vmcs_enum, cap_words[11] = &caps.procbased2;
	cap_words[12] = &caps.ept_vpid_cap, cap_words[13] = &caps.vmfunc;
	cap_words[14] = &caps.true_pinbased, cap_words[15] = &caps.true_procbased;
	cap_words[16] = &caps.true_exit, cap_words[17] = &caps.true_entry;
	for (i = 0; i < N_CAPS; i++)
		*cap_words[i] ^= get64(hdr + 8 * i);
	flags = hdr[N_CAPS * 8];
	caps.have_procbased2 ^= flags & 1;
	caps.have_ept_vpid_cap ^= (flags >> 1) & 1;
	caps.have_vmfunc ^= (flags >> 2) & 1;
	caps.have_true_ctls ^= (flags >> 3) & 1;

	memset(&env, 0, sizeof(env));
	env.caps = &caps;
	env.maxphyaddr = 40u ^ hdr[N_CAPS * 8 + 1];
	flags = hdr[N_CAPS * 8 + 2] ^ 1;
	env.host_lma = flags & 1;
	env.la57 = flags & 2;
	env.in_smm = flags & 4;
	env.sgx = flags & 8;
	env.rtm = flags & 16;
	env.have_current_vmcs = flags & 32;
	env.nmi_requires_no_sti_blocking = flags & 64;
	msr_mode = hdr[N_CAPS * 8 + 3];
	env.procbased3 = get64(hdr + N_CAPS * 8 + 4);
	env.debugctl_rsvd = debugctl_rsvd(true) ^ get64(hdr + N_CAPS * 8 + 12);
	env.perf_global_ctrl_rsvd = perf_global_ctrl_rsvd(4, 3) ^ get64(hdr + N_CAPS * 8 + 20);
	env.current_vmcs = get64(hdr + N_CAPS * 8 + 28);
	if (!(flags & 128)) {
		env.read_phys = read_mem;
		env.read_ctx = &mem;
	}
	if (msr_mode & 3) {
		env.msr_load_ok = msr_ok;
		env.msr_ctx = &msr_mode;
	}

	if (pos + 2 <= size) {
		mem.len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
		pos += 2;
		if (mem.len > size - pos)
			mem.len = size - pos;
		mem.bytes = data + pos;
		pos += mem.len;
	}

	baseline_vmcs(&image);
	n = size > pos ? size - pos : 0;
	if (n > sizeof(image))
		n = sizeof(image);
	for (i = 0; i < n; i++)
		((uint8_t *)&image)[i] ^= data[pos + i];

	vmx_entry_verdict(&image, &env, &v1);
	check_verdict(&v1, &image, &env);
	rebuild(&image, &copy, get64(hdr + N_CAPS * 8 + 36));
	vmx_entry_verdict(&copy, &env, &v2);
	CHECK(v1.outcome == v2.outcome && v1.qual == v2.qual);
	CHECK(same_finding(&v1.first, &v2.first));
	return 0;
}
