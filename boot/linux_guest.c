/* Loading a Linux bzImage as the guest: glue between GRUB's modules and
 * boot/linux_boot.c (the pure boot-protocol rules).
 *
 * Module 0 is the bzImage, its command line becomes the kernel's; module 1,
 * if any, is the initramfs (Linux/x86 boot protocol, "THE LINUX/x86 BOOT
 * PROTOCOL" and "64-bit BOOT PROTOCOL" in Documentation/arch/x86/boot.rst).
 * The kernel is entered at its 64-bit entry point (load address + 0x200) in
 * long mode on identity page tables for the first 4 GiB, with CS = 0x10 and
 * DS/ES/SS = 0x18 in a GDT Nestor builds, interrupts off, RSI = the zero
 * page. The zero page, the command line and a copy of the ACPI RSDP lie
 * together in one block that guest_layout_plan() places like multiboot
 * information; the e820 map is the guest's memory view (Nestor's memory
 * reserved). */
#include "boot/linux_guest.h"
#include "arch/x86/power.h"
#include "boot/guest_info.h"
#include "boot/guest_layout.h"
#include "boot/linux_boot.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"

#define LINUX_MAP_MAX 128
#define ZERO_PAGE_SIZE 4096u
#define RSDP_MAX 64u
#define FOUR_GIB (4ULL << 30)

static NORETURN void refuse(const char *what)
{
	log_printf(LOG_QUIET, "nestor: Linux guest refused: %s\n", what);
	power_off(NESTOR_EXIT_BAD_GUEST);
}

bool linux_guest_is_bzimage(const void *img, uint64_t len)
{
	const uint8_t *b = img;

	/* boot.rst, "THE REAL-MODE KERNEL HEADER": boot_flag 0xAA55 at
	 * 0x1FE and the "HdrS" magic at 0x202 mark a setup header. */
	return len >= 0x206 && b[0x1fe] == 0x55 && b[0x1ff] == 0xaa &&
	       !memcmp(b + 0x202, "HdrS", 4);
}

static void *must_ptr(struct vcpu *v, uint64_t gpa, uint64_t len,
		      const char *what)
{
	void *p = guest_phys_ptr(v, gpa, len);

	if (!p)
		refuse(what);
	return p;
}

void linux_guest_prepare(const struct linux_guest_in *in, struct vcpu *v,
			 struct guest_entry *e)
{
	static struct mem_region view[LINUX_MAP_MAX];
	static struct linux_image k;
	const struct mb2_info *bi = in->bi;
	const void *img = (const void *)bi->modules[0].start;
	uint64_t len = bi->modules[0].end - bi->modules[0].start;
	const char *cmdline = in->cmdline;
	size_t cmdline_len = strlen(cmdline);
	struct phys_range srcs[MB2_MAX_MODULES], seg;
	struct guest_layout_in lin;
	struct guest_layout_out lout;
	struct linux_boot_desc d;
	char err[LINUX_BOOT_ERR_LEN];
	unsigned nview, nmod = bi->module_count;
	uint64_t load, info_size, limit, cmd_gpa, rsdp_gpa = 0;
	uint8_t *info;

	if (linux_image_parse(img, len, &k, err, sizeof(err)))
		refuse(err);
	if (guest_memory_view(in->map, in->nmap, in->hidden, in->nhidden,
			      view, LINUX_MAP_MAX, &nview))
		refuse("the guest's memory map does not fit");
	in->fill_guest_mem(v, view, nview);
	if (linux_kernel_place(&k, view, nview, &load, err, sizeof(err)))
		refuse(err);
	if (cmdline_len > k.cmdline_size) {
		fmt_snprintf(err, sizeof(err),
			     "the kernel command line is %zu bytes; this kernel takes at most %u",
			     cmdline_len, k.cmdline_size);
		refuse(err);
	}
	seg = (struct phys_range){ load, load + k.init_size };
	for (unsigned i = 0; i < nmod; i++)
		srcs[i] = (struct phys_range){ bi->modules[i].start,
					       bi->modules[i].end };
	/* The initrd must stay below the kernel's limit; everything else
	 * below 4 GiB (the entry page tables map only that much). */
	limit = linux_initrd_limit(&k);
	if (limit > GUEST_LAYOUT_LIMIT_32)
		limit = GUEST_LAYOUT_LIMIT_32;
	info_size = ZERO_PAGE_SIZE + ALIGN_UP(cmdline_len + 1, 16) + RSDP_MAX;
	lin = (struct guest_layout_in){
		.map = in->map, .nmap = in->nmap, .hidden = in->hidden,
		.nhidden = in->nhidden, .segments = &seg, .nseg = 1,
		.modules = srcs, .nmod = nmod, .info_size = info_size,
		.extra_size = in->long64_extra_size, .limit = limit,
		.page_align_modules = true, /* boot.rst: initrd page aligned */
	};
	if (guest_layout_plan(&lin, &lout, err, sizeof(err)))
		refuse(err);
	in->move_modules(v, srcs, lout.module_dest, nmod);
	/* The protected-mode kernel: the file after the setup sectors
	 * ("LOADING THE REST OF THE KERNEL"). */
	memcpy(must_ptr(v, load, k.payload_len, "the kernel's place is not guest RAM"),
	       (const uint8_t *)lout.module_dest[0] + k.payload_off, k.payload_len);
	in->build_long64_tables(v, lout.extra_addr, e, true);

	info = must_ptr(v, lout.info_addr, info_size,
			"no guest RAM for the zero page");
	memset(info, 0, info_size);
	cmd_gpa = lout.info_addr + ZERO_PAGE_SIZE;
	memcpy(info + ZERO_PAGE_SIZE, cmdline, cmdline_len + 1);
	if (in->rsdp && in->rsdp_len <= RSDP_MAX) {
		rsdp_gpa = cmd_gpa + ALIGN_UP(cmdline_len + 1, 16);
		memcpy(info + (rsdp_gpa - lout.info_addr), in->rsdp, in->rsdp_len);
	}
	d = (struct linux_boot_desc){
		.k = &k, .map = view, .nmap = nview, .kernel_addr = load,
		.params_addr = lout.info_addr, .cmdline_addr = cmd_gpa,
		.cmdline_len = cmdline_len,
		.initrd_addr = nmod > 1 ? lout.module_dest[1] : 0,
		.initrd_size = nmod > 1 ? srcs[1].end - srcs[1].start : 0,
		.rsdp_addr = rsdp_gpa,
	};
	if (linux_boot_params_build(info, ZERO_PAGE_SIZE, &d, err, sizeof(err)))
		refuse(err);
	e->mode = GUEST_ENTRY_LONG64;
	e->rip = load + LINUX_ENTRY64_OFFSET;
	e->rsi = lout.info_addr;
	e->rax = e->rbx = 0;
	pr_info("nestor: guest: Linux boot protocol %u.%02u, kernel at 0x%lx (%u bytes to init), initrd %s at 0x%lx (%lu bytes), zero page at 0x%lx, command line '%s'\n",
		k.version >> 8, k.version & 0xff, load, k.init_size,
		nmod > 1 ? "module 1" : "none", d.initrd_addr, d.initrd_size,
		lout.info_addr, cmdline);
}
