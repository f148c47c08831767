/* Guest loading: glue between GRUB's modules and the pure pieces
 * (boot/mb_header.c, boot/elf.c, boot/guest_layout.c, boot/guest_info.c).
 *
 * Protocols: an image with a multiboot2 header is entered as multiboot2
 * (Multiboot2 spec 3.3: 32-bit protected mode, paging off, EAX = 0x36d76289,
 * EBX = info); with a multiboot1 header as multiboot1 (Multiboot 0.6.96
 * 3.2: EAX = 0x2BADB002); an ELF64 with neither is entered at e_entry in
 * 64-bit mode on page tables Nestor builds (identity map of [0, 4 GiB) with
 * 2 MiB pages and a GDT, in available guest memory like the boot
 * information: the guest builds its own before reusing that memory), with
 * RAX = 0x36d76289 and RBX = a multiboot2 information block. Paging off
 * in VMX non-root operation needs "unrestricted guest" (SDM Vol. 3C,
 * 26.3.1.1), so multiboot guests need it too. */
#include "boot/guest_boot.h"
#include "arch/x86/power.h"
#include "boot/elf.h"
#include "boot/guest_info.h"
#include "boot/guest_layout.h"
#include "boot/linux_guest.h"
#include "boot/mb_header.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define GUEST_MAP_MAX 128
#define STRING_POOL_SIZE 4096
#define RSDP_COPY_MAX 64
#define LONG64_TABLE_PAGES 6 /* PML4, PDPT, 4 page directories */
#define LONG64_EXTRA_SIZE ((LONG64_TABLE_PAGES + 1) * PAGE_SIZE) /* + GDT */
#define FOUR_GIB (4ULL << 30)

static NORETURN void refuse(const char *fmt, const char *detail)
{
	log_printf(LOG_QUIET, "nestor: guest image refused: ");
	log_printf(LOG_QUIET, fmt, detail);
	log_printf(LOG_QUIET, "\n");
	power_off(NESTOR_EXIT_BAD_GUEST);
}

/* Everything taken from GRUB's information is copied into Nestor's memory
 * first: the guest's segments may land on GRUB's information block. */
static char string_pool[STRING_POOL_SIZE];
static size_t string_pool_used;
static uint8_t rsdp_copy[RSDP_COPY_MAX];

/* A reload keeps the same strings in the same order: s may then be dst
 * itself (memmove). */
static const char *keep_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = &string_pool[string_pool_used];

	if (n > STRING_POOL_SIZE - string_pool_used)
		refuse("%s", "module command lines are longer than 4 KiB in total");
	memmove(dst, s, n);
	string_pool_used += n;
	return dst;
}

static void *gpa_ptr(void *ctx, uint64_t gpa, uint64_t len)
{
	return guest_phys_ptr(ctx, gpa, len);
}

/* The guest's RAM for Nestor's accessors: its available memory below the
 * 4 GiB Nestor can address directly. */
static void fill_guest_mem(struct vcpu *v, const struct mem_region *view,
			   unsigned n)
{
	v->vm->mem.nram = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = view[i].base, end = view[i].base + view[i].len;

		if (view[i].type != MEM_AVAILABLE || start >= FOUR_GIB)
			continue;
		if (end > FOUR_GIB)
			end = FOUR_GIB;
		if (v->vm->mem.nram == GUEST_MEM_MAX_REGIONS)
			refuse("%s", "the memory map has too many RAM regions");
		v->vm->mem.ram[v->vm->mem.nram++] = (struct phys_range){ start, end };
	}
}

/* Page tables and GDT for a 64-bit entry (SDM Vol. 3A, 4.5 and 3.4.5).
 * linux_gdt: the selectors Linux's 64-bit boot protocol names (__BOOT_CS
 * 0x10, __BOOT_DS 0x18); otherwise 0x08 and 0x10. */
static void build_long64_tables(struct vcpu *v, uint64_t at,
				struct guest_entry *e, bool linux_gdt)
{
	uint64_t *t = guest_phys_ptr(v, at, LONG64_EXTRA_SIZE);
	uint64_t pml4 = at, pdpt = at + PAGE_SIZE, pd = at + 2 * PAGE_SIZE;
	uint64_t *gdt;

	if (!t)
		refuse("%s", "no guest RAM for the 64-bit entry page tables");
	memset(t, 0, LONG64_EXTRA_SIZE);
	t[0] = pdpt | 3; /* P | RW */
	for (unsigned i = 0; i < 4; i++)
		t[512 + i] = (pd + i * PAGE_SIZE) | 3;
	for (unsigned i = 0; i < 4 * 512; i++)
		t[1024 + i] = ((uint64_t)i << 21) | 0x83; /* P | RW | PS */
	gdt = t + LONG64_TABLE_PAGES * 512;
	gdt[1] = 0x00af9a000000ffffULL; /* 0x08: 64-bit code */
	gdt[2] = 0x00cf92000000ffffULL; /* 0x10: data */
	e->cr3 = pml4;
	e->gdt_base = at + LONG64_TABLE_PAGES * PAGE_SIZE;
	e->gdt_limit = 3 * 8 - 1;
	e->cs_sel = 0x08;
	e->ds_sel = 0x10;
	if (linux_gdt) {
		gdt[2] = 0x00af9a000000ffffULL; /* 0x10: 64-bit code */
		gdt[3] = 0x00cf92000000ffffULL; /* 0x18: data */
		e->gdt_limit = 4 * 8 - 1;
		e->cs_sel = 0x10;
		e->ds_sel = 0x18;
	}
}

/* Copies each module to its planned destination (destinations overlap no
 * source, so any order works) and remembers where they went. */
static uint64_t moved_to[MB2_MAX_MODULES];

static void move_modules(struct vcpu *v, const struct phys_range *srcs,
			 const uint64_t *dest, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t size = srcs[i].end - srcs[i].start;
		void *dst = guest_phys_ptr(v, dest[i], size ? size : 1);

		moved_to[i] = dest[i];
		if (dest[i] == srcs[i].start)
			continue;
		if (!dst)
			refuse("%s", "a module destination is not guest RAM");
		memcpy(dst, (const void *)srcs[i].start, size);
	}
}

/* What a restart (on_guest_reset=restart) needs to load the guest again:
 * where the modules ended up, their command lines (in the string pool), and
 * a checksum of each, because they live in guest RAM and the guest may have
 * written over them. */
static struct {
	struct guest_boot_params params;
	struct mb2_info bi;
	uint64_t sum[MB2_MAX_MODULES];
} reload;

/* FNV-1a, 64 bits: enough to notice a changed image (not an attacker's
 * collision, which would only get the guest its own bytes back). */
static uint64_t checksum(uint64_t start, uint64_t end)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const uint8_t *b = (const uint8_t *)start; b < (const uint8_t *)end; b++)
		h = (h ^ *b) * 0x100000001b3ull;
	return h;
}

static void remember_for_reload(const struct guest_boot_params *p,
				const struct mb2_info *bi,
				const struct phys_range *srcs, const char *cmdline,
				const struct guest_module_desc *mods)
{
	const uint64_t *dest = moved_to;

	if (p->bi == &reload.bi)
		return; /* a reload: nothing moved, same sums */
	reload.params = *p;
	reload.bi = *bi;
	reload.params.bi = &reload.bi;
	reload.bi.rsdp = bi->rsdp && bi->rsdp_len <= RSDP_COPY_MAX ? rsdp_copy : NULL;
	for (unsigned i = 0; i < bi->module_count; i++) {
		uint64_t size = srcs[i].end - srcs[i].start;

		reload.bi.modules[i].start = dest[i];
		reload.bi.modules[i].end = dest[i] + size;
		reload.bi.modules[i].cmdline = i && mods ? mods[i - 1].cmdline
						       : i ? "" : cmdline;
		reload.sum[i] = checksum(dest[i], dest[i] + size);
	}
}

int guest_boot_reload(struct vcpu *v, struct guest_entry *e, char *why,
		      size_t whylen)
{
	if (!reload.params.bi) {
		fmt_snprintf(why, whylen, "no guest was loaded");
		return -1;
	}
	for (unsigned i = 0; i < reload.bi.module_count; i++) {
		const struct mb2_module *m = &reload.bi.modules[i];

		if (checksum(m->start, m->end) != reload.sum[i]) {
			fmt_snprintf(why, whylen,
				     "module %u at [0x%lx-0x%lx) changed while the guest ran (it lives in guest RAM), so there is no fresh image to load",
				     i, m->start, m->end);
			return -1;
		}
	}
	guest_boot_prepare(&reload.params, v, e);
	return 0;
}

/* Module 0 is a Linux bzImage: boot/linux_guest.c, with this file's
 * helpers; module 1 (the initramfs) and any others are moved like
 * multiboot modules. */
static void prepare_linux(const struct guest_boot_params *p, struct vcpu *v,
			  struct guest_entry *e)
{
	const struct mb2_info *bi = p->bi;
	struct linux_guest_in in;
	struct phys_range srcs[MB2_MAX_MODULES];
	const char *cmdline;

	string_pool_used = 0;
	cmdline = keep_string(bi->modules[0].cmdline);
	for (unsigned i = 1; i < bi->module_count; i++)
		keep_string(bi->modules[i].cmdline);
	if (bi->rsdp && bi->rsdp_len <= RSDP_COPY_MAX)
		memmove(rsdp_copy, bi->rsdp, bi->rsdp_len);
	in = (struct linux_guest_in){
		.bi = bi, .map = p->map, .nmap = p->nmap, .hidden = p->hidden,
		.nhidden = p->nhidden, .cmdline = cmdline,
		.rsdp = bi->rsdp && bi->rsdp_len <= RSDP_COPY_MAX ? rsdp_copy : NULL,
		.rsdp_len = bi->rsdp_len, .long64_extra_size = LONG64_EXTRA_SIZE,
		.fill_guest_mem = fill_guest_mem, .move_modules = move_modules,
		.build_long64_tables = build_long64_tables,
	};
	for (unsigned i = 0; i < bi->module_count; i++)
		srcs[i] = (struct phys_range){ bi->modules[i].start, bi->modules[i].end };
	linux_guest_prepare(&in, v, e);
	remember_for_reload(p, bi, srcs, cmdline, NULL);
}

void guest_boot_prepare(const struct guest_boot_params *p, struct vcpu *v,
			struct guest_entry *e)
{
	static struct mem_region view[GUEST_MAP_MAX];
	static struct guest_module_desc mods[MB2_MAX_MODULES];
	static struct elf_image im;
	struct phys_range srcs[MB2_MAX_MODULES], segs[ELF_MAX_SEGMENTS];
	struct guest_layout_in lin;
	struct guest_layout_out lout;
	struct guest_boot_desc desc;
	struct mb_header hdr;
	const struct mb2_info *bi = p->bi;
	const char *err = NULL, *cmdline;
	char msg[GUEST_LAYOUT_ERR_LEN];
	unsigned nview, nmod = bi->module_count;
	const void *img;
	uint64_t len;
	bool mb1;

	memset(e, 0, sizeof(*e));
	if (nmod == 0)
		refuse("%s", "no guest: add 'module2 /path/guest.elf [args]' after the multiboot2 line");
	img = (const void *)bi->modules[0].start;
	len = bi->modules[0].end - bi->modules[0].start;
	if (linux_guest_is_bzimage(img, len)) {
		prepare_linux(p, v, e);
		return;
	}
	if (mb_header_find(img, len, &hdr, msg, sizeof(msg)))
		refuse("%s", msg);
	if (elf_parse(img, len, &im, &err))
		refuse("%s", err);
	mb1 = hdr.kind == MB_KIND_MB1;
	if (hdr.kind == MB_KIND_NONE && !im.is64)
		refuse("%s", "a 32-bit ELF without a multiboot header: Nestor does not know how to start it");
	e->mode = hdr.kind == MB_KIND_NONE ? GUEST_ENTRY_LONG64 : GUEST_ENTRY_PROTECTED32;
	if (e->mode == GUEST_ENTRY_PROTECTED32 && !p->cfg->unrestricted_guest)
		refuse("the %s protocol starts a guest in 32-bit protected mode with paging off, which needs VMX 'unrestricted guest' (secondary control bit 7); this CPU lacks it. Link the guest as a 64-bit ELF without a multiboot header instead",
		       mb1 ? "multiboot1" : "multiboot2");
	e->rip = e->mode == GUEST_ENTRY_LONG64 ? im.entry
		 : hdr.entry_override ? hdr.entry_addr : im.entry_paddr;
	if (e->rip >= FOUR_GIB)
		refuse("%s", "the entry point is above 4 GiB");

	/* Copy what we need out of GRUB's information. */
	string_pool_used = 0;
	cmdline = keep_string(bi->modules[0].cmdline);
	for (unsigned i = 1; i < nmod; i++)
		mods[i - 1] = (struct guest_module_desc){
			0, 0, keep_string(bi->modules[i].cmdline) };
	if (bi->rsdp && bi->rsdp_len <= RSDP_COPY_MAX)
		memmove(rsdp_copy, bi->rsdp, bi->rsdp_len);

	if (guest_memory_view(p->map, p->nmap, p->hidden, p->nhidden, view,
			      GUEST_MAP_MAX, &nview))
		refuse("%s", "the guest's memory map does not fit");
	fill_guest_mem(v, view, nview);

	for (unsigned i = 0; i < nmod; i++)
		srcs[i] = (struct phys_range){ bi->modules[i].start, bi->modules[i].end };
	for (unsigned i = 0; i < im.nseg; i++)
		segs[i] = (struct phys_range){ im.seg[i].paddr,
					       im.seg[i].paddr + im.seg[i].memsz };
	desc = (struct guest_boot_desc){
		.cmdline = cmdline, .loader_name = "Nestor", .mods = mods,
		.nmods = nmod - 1, .map = view, .nmap = nview,
		.rsdp = bi->rsdp && bi->rsdp_len <= RSDP_COPY_MAX ? rsdp_copy : NULL,
		.rsdp_len = bi->rsdp_len, .rsdp_version = bi->rsdp_version,
	};
	lin = (struct guest_layout_in){
		.map = p->map, .nmap = p->nmap, .hidden = p->hidden,
		.nhidden = p->nhidden, .segments = segs, .nseg = im.nseg,
		.modules = srcs, .nmod = nmod,
		.info_size = mb1 ? mb1_info_size(&desc) : mb2_info_size(&desc),
		.extra_size = e->mode == GUEST_ENTRY_LONG64 ? LONG64_EXTRA_SIZE : 0,
		.limit = GUEST_LAYOUT_LIMIT_32,
		.page_align_modules = hdr.modules_page_aligned,
	};
	if (guest_layout_plan(&lin, &lout, msg, sizeof(msg)))
		refuse("%s", msg);

	/* 1. Move modules out of the way (destinations overlap no source). */
	move_modules(v, srcs, lout.module_dest, nmod);
	for (unsigned i = 1; i < nmod; i++) {
		mods[i - 1].start = lout.module_dest[i];
		mods[i - 1].end = lout.module_dest[i] + (srcs[i].end - srcs[i].start);
	}
	remember_for_reload(p, bi, srcs, cmdline, mods);
	/* 2. Load the segments from the (possibly moved) image. */
	if (elf_load(&im, (const void *)lout.module_dest[0], gpa_ptr, v, &err))
		refuse("%s", err);
	/* 3. Page tables for a 64-bit entry. */
	if (e->mode == GUEST_ENTRY_LONG64)
		build_long64_tables(v, lout.extra_addr, e, false);
	/* 4. The boot information. */
	guest_basic_meminfo(view, nview, &desc.mem_lower_kb, &desc.mem_upper_kb);
	{
		size_t need = mb1 ? mb1_info_size(&desc) : mb2_info_size(&desc);
		void *buf = guest_phys_ptr(v, lout.info_addr, lin.info_size);

		if (!buf || need > lin.info_size ||
		    (mb1 ? mb1_info_build(buf, lin.info_size, lout.info_addr, &desc)
			 : mb2_info_build(buf, lin.info_size, &desc)))
			refuse("%s", "building the guest's boot information failed");
	}
	e->rax = mb1 ? MB1_BOOTLOADER_MAGIC : MB2_BOOTLOADER_MAGIC;
	e->rbx = lout.info_addr;
	pr_info("nestor: guest: %s, entry 0x%lx, %u segment(s), %u module(s), info at 0x%lx, command line '%s'\n",
		e->mode == GUEST_ENTRY_LONG64 ? "64-bit ELF entry"
		: mb1 ? "multiboot1" : "multiboot2",
		e->rip, im.nseg, nmod - 1, lout.info_addr, cmdline);
}
