/* nestor_main(): from the long-mode entry to the banner and (later) the guest.
 *
 * Order matters: the console comes up on COM1 first so every later error is
 * visible; the command line may then move it. Nothing here trusts the
 * multiboot2 information before boot/multiboot2.c has checked it. */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_ident.h"
#include "arch/x86/crash.h"
#include "arch/x86/descriptors.h"
#include "arch/x86/image.h"
#include "arch/x86/power.h"
#include "arch/x86/serial.h"
#include "arch/x86/traps.h"
#include "boot/cmdline.h"
#include "boot/config.h"
#include "boot/multiboot2.h"
#include "lib/format.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/frame_alloc.h"
#include "mm/mem_region.h"
#include "mm/nestor_mem.h"
#include "mm/pool.h"
#include "boot/guest_boot.h"
#include "vmx/hypercall_abi.h"
#include "vmx/msr_filter.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs_track.h"
#include "vmx/vmx_msrs.h"
#include "vmx/vmx_start.h"
#include "vmx/vmx_options.h"

#ifndef NESTOR_VERSION
#define NESTOR_VERSION "unknown"
#endif

/* Only the first 4 GiB are identity-mapped by boot/entry.asm. */
#define BOOT_MAPPED_LIMIT (4ULL << 30)
#define LOW_MEMORY_LIMIT (1ULL << 20)
/* Sanity bound on the multiboot2 information's total_size. */
#define MB2_INFO_MAX_SIZE (1U << 20)


struct nestor_config config;
static struct mb2_info boot_info;
static struct frame_alloc frames;
/* Where Nestor's image and memory pool (mm/pool.h) are. */
static struct nestor_mem_plan nestor_memory;
static struct vmx_config vmx_cfg;

/* Command-line diagnostics are held until the console the command line asks
 * for is up, then printed there. */
#define MAX_HELD_DIAGS 16
static struct {
	enum cmdline_severity sev;
	char msg[160];
} held_diags[MAX_HELD_DIAGS];
static unsigned held_diag_count, dropped_diag_count;

static void hold_diag(void *ctx, enum cmdline_severity sev, const char *msg)
{
	(void)ctx;
	if (held_diag_count == MAX_HELD_DIAGS) {
		dropped_diag_count++;
		return;
	}
	held_diags[held_diag_count].sev = sev;
	fmt_snprintf(held_diags[held_diag_count].msg,
		     sizeof(held_diags[0].msg), "%s", msg);
	held_diag_count++;
}

static void print_held_diags(void)
{
	static const char *const label[] = {
		[CMDLINE_WARNING] = "warning",
		[CMDLINE_ERROR] = "error",
		[CMDLINE_NOTICE] = "notice",
	};

	for (unsigned i = 0; i < held_diag_count; i++)
		log_printf(held_diags[i].sev == CMDLINE_ERROR ? LOG_QUIET : LOG_WARN,
			   "nestor: command line %s: %s\n",
			   label[held_diags[i].sev], held_diags[i].msg);
	if (dropped_diag_count)
		pr_warn("nestor: command line: %u more message(s) not shown\n",
			dropped_diag_count);
}

static void parse_boot_info(uint64_t info_addr)
{
	const void *info = (const void *)info_addr;
	struct mb2_error err;
	uint32_t total;

	/* The pointer comes from EBX, so it is below 4 GiB and mapped; bound
	 * what the parser may read by total_size and a sanity limit. */
	if (info_addr == 0 || info_addr & 7) {
		log_printf(LOG_QUIET,
			   "nestor: FATAL: multiboot2 information at %#lx is not 8-byte aligned\n",
			   info_addr);
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
	total = *(const uint32_t *)info;
	if (total > MB2_INFO_MAX_SIZE || info_addr + total > BOOT_MAPPED_LIMIT) {
		log_printf(LOG_QUIET,
			   "nestor: FATAL: multiboot2 information size %u at %#lx is implausible\n",
			   total, info_addr);
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
	if (mb2_parse(info, total, &boot_info, &err) != 0) {
		log_printf(LOG_QUIET,
			   "nestor: FATAL: bad multiboot2 information: %s (offset %u, tag type %d)\n",
			   err.msg, err.offset,
			   err.tag_type == MB2_NO_TAG ? -1 : (int)err.tag_type);
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
	for (unsigned i = 0; i < boot_info.warning_count; i++)
		pr_warn("nestor: multiboot2 warning: %s\n", boot_info.warnings[i]);
}

static void apply_command_line(void)
{
	const char *cl = boot_info.cmdline;
	int errors;

	config_set_defaults(&config);
	errors = cmdline_parse(cl, cl ? strlen(cl) : 0, cmdline_options,
			       cmdline_option_count, &config, hold_diag, NULL);
	if (config.console.port != 0x3f8 || config.console.baud != 115200) {
		pr_info("nestor: console moves to port %#x at %u baud\n",
			config.console.port, config.console.baud);
		serial_init(config.console.port, config.console.baud);
	}
	log_set_level(config.loglevel);
	print_held_diags();
	if (config.gdb.port && config.gdb.port == config.console.port) {
		log_printf(LOG_QUIET,
			   "nestor: FATAL: gdb= and console= name the same UART (port %#x): the GDB stub needs a port of its own, e.g. console=com1 gdb=com2\n",
			   config.gdb.port);
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
	if (errors) {
		log_printf(LOG_QUIET,
			   "nestor: FATAL: %d error(s) in the command line '%s'; not starting\n",
			   errors, cl ? cl : "");
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
}

/* msr_filter= (vmx/msr_filter.h) was parsed with the command line; a filter
 * that did not parse stopped the boot there, so the guest never runs
 * unfiltered because of a typo. */
static void print_msr_filter(void)
{
	const struct msr_filter *f = &config.msr_filter;
	char desc[MSR_FILTER_FORMAT_LEN];

	if (!f->present)
		return;
	msr_filter_format(f, desc, sizeof(desc));
	pr_info("nestor: MSR filter: %s (first matching range wins)\n", desc);
	for (unsigned i = 0; i < f->nranges; i++) {
		uint32_t first, last;

		if (msr_filter_x2apic_overlap(&f->range[i], &first, &last))
			pr_warn("nestor: notice: MSR filter range %u covers x2APIC MSRs 0x%x-0x%x: they are not filtered (Nestor handles them)\n",
				  i + 1, first, last);
	}
}

static unsigned host_maxphyaddr(void)
{
	struct cpuid_regs ext = cpuid(0x80000000, 0);

	return cpu_maxphyaddr(ext.eax,
			      ext.eax >= 0x80000008 ? cpuid(0x80000008, 0).eax : 0,
			      cpuid(1, 0).edx);
}

/* guest_maxphyaddr= can only be checked against the CPU's width here; a
 * guest can be given a smaller width, never a larger one (the CPU would
 * not fault on the extra bits). */
static unsigned guest_maxphyaddr(void)
{
	unsigned host = host_maxphyaddr(), n = config.guest_maxphyaddr;

	if (!n)
		return host;
	if (n > host) {
		log_printf(LOG_QUIET,
			   "nestor: guest_maxphyaddr=%u: must be 32..%u (this CPU's MAXPHYADDR is %u); not starting\n",
			   n, host, host);
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
	return n;
}

static void print_cpu(bool *has_vmx)
{
	struct cpuid_regs l0 = cpuid(0, 0), l1 = cpuid(1, 0);
	struct cpuid_regs ext = cpuid(0x80000000, 0);
	uint32_t ext8 = ext.eax >= 0x80000008 ? cpuid(0x80000008, 0).eax : 0;
	struct cpu_signature sig = cpu_signature_decode(l1.eax);
	char vendor[13];

	cpu_vendor_string(l0.ebx, l0.ecx, l0.edx, vendor);
	pr_info("nestor: CPU %s family 0x%x model 0x%x stepping %u\n", vendor,
		sig.family, sig.model, sig.stepping);
	pr_info("nestor: MAXPHYADDR %u bits\n",
		cpu_maxphyaddr(ext.eax, ext8, l1.edx));
	(void)ext8;
	*has_vmx = l1.ecx & CPUID_1_ECX_VMX;
}

static void print_vmx(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	struct vmx_msrs m;

	pr_info("nestor: VMX supported (CPUID.01H:ECX.VMX[bit 5] = 1)\n");
	/* SDM Vol. 3C, 23.7: bit 0 lock, bit 2 VMX outside SMX. */
	pr_info("nestor: IA32_FEATURE_CONTROL 0x%lx (%s, VMX outside SMX %s)\n",
		fc, fc & FEATURE_CONTROL_LOCKED ? "locked" : "unlocked",
		fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? "enabled" : "disabled");
	vmx_msrs_read(&m);
	/* SDM Vol. 3D, A.1: bits 30:0 of IA32_VMX_BASIC are the revision id. */
	pr_info("nestor: VMCS revision id 0x%x\n", (uint32_t)(m.basic & 0x7fffffff));
	vmx_msrs_print(&m);
}

static void print_memory(void)
{
	unsigned n;
	const struct mem_region *map = mb2_memory_map(&boot_info, &n);

	pr_info("nestor: memory map (%s, %u entries):\n",
		boot_info.have_mmap ? "multiboot2" : "EFI", n);
	for (unsigned i = 0; i < n; i++)
		pr_info("  [%016lx-%016lx) %s\n", map[i].base,
			map[i].base + map[i].len, mem_type_name(map[i].type));
	pr_info("nestor: usable RAM %lu MiB\n",
		mem_map_usable_bytes(map, n) >> 20);
}

static void print_boot_info(void)
{
	const struct mb2_info *bi = &boot_info;

	pr_info("nestor: loader: %s\n", bi->loader_name ? bi->loader_name : "?");
	pr_info("nestor: command line: '%s'\n", bi->cmdline ? bi->cmdline : "");
	pr_info("nestor: %u module(s)%s\n", bi->module_count,
		bi->modules_truncated ? " (more ignored)" : "");
	for (unsigned i = 0; i < bi->module_count; i++)
		pr_info("  module %u: [%08lx-%08lx) '%s'\n", i,
			bi->modules[i].start, bi->modules[i].end,
			bi->modules[i].cmdline);
	if (bi->rsdp)
		pr_info("nestor: ACPI RSDP version %d (copy in boot information)\n",
			bi->rsdp_version);
	else
		pr_info("nestor: no ACPI RSDP from the loader\n");
	if (bi->have_fb)
		pr_info("nestor: framebuffer %ux%u bpp %u at %#lx (recorded)\n",
			bi->fb.width, bi->fb.height, bi->fb.bpp, bi->fb.addr);
	/* boot/entry.asm found the load base from where it runs; a multiboot2
	 * loader that moved the image says where it put it (spec 3.6.23). */
	if (!bi->have_load_base)
		pr_warn("nestor: warning: the loader gave no load base address: it did not move Nestor to the top of RAM (the relocatable tag), so Nestor's image at %#lx stays in the guest's way\n",
			image_phys_start());
	else if (bi->load_base != image_phys_start())
		pr_warn("nestor: warning: the loader says it put Nestor at %#x, but Nestor runs at %#lx\n",
			bi->load_base, image_phys_start());
}

/* Free RAM at boot, below 4 GiB (the identity map's reach) and above the
 * first MiB: RAM minus the image, the boot information and the modules. */
static void init_frames(uint64_t info_addr)
{
	struct phys_range reserved[2 + MB2_MAX_MODULES];
	unsigned nres = 0, n;
	const struct mem_region *map = mb2_memory_map(&boot_info, &n);
	enum fa_status st;

	reserved[nres++] = (struct phys_range){ image_phys_start(),
						image_phys_end() };
	reserved[nres++] = (struct phys_range){ info_addr,
						info_addr + boot_info.total_size };
	for (unsigned i = 0; i < boot_info.module_count; i++)
		reserved[nres++] = (struct phys_range){ boot_info.modules[i].start,
							boot_info.modules[i].end };
	st = fa_init(&frames, map, n, reserved, nres, LOW_MEMORY_LIMIT,
		     BOOT_MAPPED_LIMIT);
	if (st != FA_OK) {
		log_printf(LOG_QUIET, "nestor: FATAL: frame allocator: %s\n",
			   fa_strerror(st));
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
}

/* Nestor's memory pool: the highest nestor_mem= MiB of free RAM, next to
 * the image GRUB put at the top (mm/nestor_mem.c), filled with the
 * sentinel pattern the guest memory-scan test looks for
 * (vmx/hypercall_abi.h). */
static void setup_nestor_memory(void)
{
	struct nestor_mem_plan *p = &nestor_memory;
	struct phys_range image = { image_phys_start(), image_phys_end() };
	char err[NESTOR_MEM_ERR_LEN];
	unsigned n, mib = config.nestor_mem_mib;
	const struct mem_region *map = mb2_memory_map(&boot_info, &n);
	uint64_t usable = mem_map_usable_bytes(map, n);

	if (!mib)
		mib = nestor_mem_default_mib(usable);
	if (nestor_mem_plan(&frames, (uint64_t)mib << 20, image, p, err,
			    sizeof(err))) {
		log_printf(LOG_QUIET, "nestor: FATAL: nestor_mem=%u: no room for Nestor's memory pool: %s\n",
			   mib, err);
		power_off(NESTOR_EXIT_BAD_CONFIG);
	}
	if (pool_init(p, mib, ~NESTOR_SENTINEL_INV0, ~NESTOR_SENTINEL_INV1))
		panic("Nestor's memory pool cannot be set up");
	pr_info("nestor: Nestor lives at [%08lx-%08lx): image [%08lx-%08lx) at virtual %016lx, pool %u MiB in %u piece(s)\n",
		p->span.start, p->span.end, image.start, image.end,
		(uint64_t)_image_start, mib, p->npool);
	if (config.nestor_mem_mib)
		pr_info("nestor: nestor_mem=%u (command line)\n", mib);
	else
		pr_info("nestor: nestor_mem=%u (default: 1/8 of %lu MiB of RAM, at least %u, at most %u)\n",
			mib, usable >> 20, NESTOR_MEM_DEFAULT_FLOOR_MIB,
			NESTOR_MEM_DEFAULT_CAP_MIB);
}

static void inject_test_fault(void)
{
	volatile uint64_t *p;
	volatile int zero = 0;

	switch (config.test_fault) {
	case TEST_FAULT_NONE:
	case TEST_FAULT_VMX_PANIC: /* later, in VMX operation (vmx_start.c) */
		return;
	case TEST_FAULT_PF:
		pr_info("nestor: test_fault: reading unmapped memory\n");
		p = (volatile uint64_t *)0x7ff000000000ULL;
		(void)*p;
		break;
	case TEST_FAULT_UD:
		pr_info("nestor: test_fault: executing ud2\n");
		__asm__ __volatile__("ud2");
		break;
	case TEST_FAULT_DE:
		pr_info("nestor: test_fault: dividing by zero\n");
		(void)(10 / zero);
		break;
	case TEST_FAULT_GP:
		pr_info("nestor: test_fault: non-canonical access\n");
		p = (volatile uint64_t *)0x8000000000000000ULL;
		(void)*p;
		break;
	case TEST_FAULT_PANIC:
		panic("test_fault=panic requested on the command line");
	}
	panic("test_fault %d did not fault", config.test_fault);
}

/* Everything in the memory map, and MMIO below 4 GiB, is mapped; nothing at
 * or above 2^maxphyaddr, the guest's width (a guest access there is a
 * reserved-bit #PF: vmx/phys_width_exits.c). */
static uint64_t ept_limit(const struct mem_region *map, unsigned n,
			  unsigned maxphyaddr)
{
	uint64_t top = 4ULL << 30;

	for (unsigned i = 0; i < n; i++)
		if (map[i].base + map[i].len > top)
			top = map[i].base + map[i].len;
	top = ALIGN_UP(top, 1ULL << 30);
	return top < (1ULL << maxphyaddr) ? top : 1ULL << maxphyaddr;
}

/* With a guest width N below the CPU's, the guest is told about no memory
 * at or above 2^N (a CPU of width N could not address it): the map it and
 * the EPT builder get is clipped there. */
static const struct mem_region *clip_map(const struct mem_region *map,
					 unsigned *n, unsigned maxphyaddr)
{
	static struct mem_region clipped[MB2_MAX_MMAP];
	uint64_t top = 1ULL << maxphyaddr;
	unsigned out = 0;

	if (maxphyaddr >= 52)
		return map;
	for (unsigned i = 0; i < *n && out < MB2_MAX_MMAP; i++) {
		struct mem_region r = map[i];

		if (r.base >= top)
			continue;
		if (r.len > top - r.base)
			r.len = top - r.base;
		clipped[out++] = r;
	}
	*n = out;
	return clipped;
}

static NORETURN void run_guest(void)
{
	const struct nestor_mem_plan *nm = &nestor_memory;
	struct vcpu *v = this_vcpu();
	struct guest_entry entry;
	struct guest_boot_params gp;
	unsigned n;
	const struct mem_region *map = mb2_memory_map(&boot_info, &n);

	vmx_options = (struct vmx_options){
		.test_vmxon_fault = config.test_vmxon_fault,
		.test_vmx_panic = config.test_fault == TEST_FAULT_VMX_PANIC,
		.test_break_guest = config.test_break_guest,
		.reload_guest = guest_boot_reload,
		.test_pool_spare = config.test_pool_spare,
		.nested = config.nested,
		.gdb_port = config.gdb.port,
		.gdb_wait = config.gdb.wait,
		/* The guest's console is COM1 (Linux console=ttyS0). */
		.console_emulate = config.console.port == 0x3f8 &&
				   !config.console_passthrough,
		.console_port = config.console.port,
		.console_escape = config.console_escape,
	};
	if (vmx_configure(&vmx_cfg)) {
		log_printf(LOG_QUIET, "nestor: FATAL: Nestor cannot run a guest with this CPU's VMX (reasons above)\n");
		power_off(NESTOR_EXIT_NO_VMX);
	}
	pr_info("nestor: Nestor's memory, hidden from the guest:");
	for (unsigned i = 0; i < nm->nhidden; i++)
		pr_info(" [%08lx-%08lx)", nm->hidden[i].start, nm->hidden[i].end);
	pr_info("\n");
	v->cfg = &vmx_cfg;
	v->vm->host_maxphyaddr = host_maxphyaddr();
	v->vm->maxphyaddr = guest_maxphyaddr();
	v->vm->reduced_width = v->vm->maxphyaddr < v->vm->host_maxphyaddr;
	if (v->vm->reduced_width)
		map = clip_map(map, &n, v->vm->maxphyaddr);
	v->vm->hidden = nm->hidden;
	v->vm->nhidden = nm->nhidden;
	v->vm->msr_filter = config.msr_filter.present ? &config.msr_filter : NULL;
	vmx_cpu_init((enum crash_test_point)config.test_crash_nmi);
	v->restart_on_reset = config.guest_reset_restart;
	gp = (struct guest_boot_params){ &boot_info, map, n, nm->hidden,
					 nm->nhidden, &vmx_cfg };
	guest_boot_prepare(&gp, v, &entry);
	vmx_launch_guest(v, &entry, map, n,
			 ept_limit(map, n, v->vm->maxphyaddr));
}

void nestor_main(uint32_t magic, uint64_t info_addr)
{
	bool has_vmx;

	serial_init(0x3f8, 115200);
	log_set_sink(serial_putc);
	cpu_tables_load(&boot_cpu_tables);

	pr_info("\nNestor %s: a micro-hypervisor for Intel VMX\n", NESTOR_VERSION);
	if (magic != MB2_BOOTLOADER_MAGIC) /* entry.asm checked already */
		panic("bad multiboot2 magic %#x", magic);

	parse_boot_info(info_addr);
	apply_command_line();
	print_msr_filter();
	crash_set_action(config.panic_reboot ? CRASH_REBOOT : CRASH_HALT);
	print_cpu(&has_vmx);
	(void)guest_maxphyaddr(); /* a bad value stops the boot here */
	print_boot_info();
	print_memory();
	init_frames(info_addr);
	setup_nestor_memory();
	inject_test_fault();

	if (!has_vmx) {
		log_printf(LOG_QUIET,
			   "nestor: this CPU has no VMX (CPUID.01H:ECX.VMX[bit 5] = 0); nothing to run\n");
		power_off(NESTOR_EXIT_NO_VMX);
	}
	print_vmx();
	run_guest();
}
