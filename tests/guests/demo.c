/* Demo guest for `make run`: prints what a guest of Nestor sees (CPU,
 * hypervisor signature, command line, loader, memory map, modules, and
 * Nestor's version through a hypercall) and exits 0. */
#include "tests/guests/rt/rt.h"

#include "lib/string.h"
#include "mm/mem_region.h"

const char guest_name[] = "demo";
const char *const guest_options[] = { NULL };

#define MODULE_PREVIEW 40

static void print_regs_text(const char *label, const uint32_t *words, int n)
{
	char s[49];

	memcpy(s, words, (size_t)n * 4);
	s[n * 4] = '\0';
	for (int i = 0; i < n * 4; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			s[i] = s[i] ? '.' : ' ';
	rt_printf("demo: %s \"%s\"\n", label, s);
}

static void print_cpu(void)
{
	struct cpuid_regs r = cpuid(0, 0), f;
	uint32_t vendor[3] = { r.ebx, r.edx, r.ecx };

	print_regs_text("CPU vendor", vendor, 3);
	if (cpuid(0x80000000, 0).eax >= 0x80000004) {
		uint32_t brand[12];

		for (uint32_t i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002 + i, 0);

			brand[i * 4 + 0] = b.eax;
			brand[i * 4 + 1] = b.ebx;
			brand[i * 4 + 2] = b.ecx;
			brand[i * 4 + 3] = b.edx;
		}
		print_regs_text("CPU brand", brand, 12);
	}
	f = cpuid(1, 0);
	rt_printf("demo: CPUID.01H: EAX %#x ECX %#x EDX %#x (VMX %s, hypervisor "
		  "bit %s)\n", f.eax, f.ecx, f.edx,
		  f.ecx & CPUID_1_ECX_VMX ? "visible" : "hidden",
		  f.ecx & (1U << 31) ? "set" : "clear");
	if (f.ecx & (1U << 31)) {
		struct cpuid_regs h = cpuid(NESTOR_CPUID_LEAF, 0);
		uint32_t sig[3] = { h.ebx, h.ecx, h.edx };

		print_regs_text("hypervisor signature", sig, 3);
		rt_printf("demo: hypervisor max leaf %#x\n", h.eax);
	}
}

static void print_version(void)
{
	struct rt_exception e;
	int64_t v;

	if (rt_hypercall(NESTOR_HC_VERSION, 0, 0, 0, &v, &e))
		rt_printf("demo: NESTOR_HC_VERSION: %ld.%ld\n", (v >> 16) & 0xffff,
			  v & 0xffff);
	else
		rt_printf("demo: no hypercalls here (VMCALL raised %s)\n",
			  rt_vector_name(e.vector));
}

static void print_boot_info(void)
{
	const struct rt_boot_info *b = rt_boot();

	rt_printf("demo: boot protocol %s, loader \"%s\"\n",
		  rt_protocol_name(b->protocol),
		  b->loader_name ? b->loader_name : "(none)");
	rt_printf("demo: command line \"%s\"\n", b->cmdline ? b->cmdline : "");
	if (b->have_meminfo)
		rt_printf("demo: mem_lower %u KiB, mem_upper %u KiB\n",
			  b->mem_lower_kb, b->mem_upper_kb);
	rt_printf("demo: memory map, %u entries:\n", b->mmap_count);
	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mem_region *r = &b->mmap[i];

		rt_printf("  [%016lx-%016lx) %s\n", r->base, r->base + r->len,
			  mem_type_name(r->type));
	}
	rt_printf("demo: %u module(s)\n", b->module_count);
	for (unsigned i = 0; i < b->module_count; i++) {
		const struct rt_module *m = &b->modules[i];
		uint64_t len = m->end > m->start ? m->end - m->start : 0;
		char preview[MODULE_PREVIEW + 1];
		size_t n = len < MODULE_PREVIEW ? (size_t)len : MODULE_PREVIEW;

		memcpy(preview, (const void *)m->start, n);
		for (size_t j = 0; j < n; j++)
			if (preview[j] < 0x20 || preview[j] > 0x7e)
				preview[j] = '.';
		preview[n] = '\0';
		rt_printf("  module %u: [%08lx-%08lx) '%s' starts \"%s\"\n", i,
			  m->start, m->end, m->cmdline, preview);
	}
}

int guest_main(void)
{
	print_cpu();
	print_version();
	print_boot_info();
	rt_printf("demo: done\n");
	return 0;
}
