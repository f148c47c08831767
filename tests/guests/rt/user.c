/* CPL 3 for the test guests (rt/user.h): the TSS whose RSP0 takes
 * exceptions from ring 3, the U/S bits set for one call on the pages ring 3
 * runs on, and the call itself. The ring switch is rt/isr.asm's
 * rt_user_enter; the way back is rt_trap()'s unwind (rt/traps.c). */
#include "tests/guests/rt/user.h"

#include "tests/guests/rt/rt.h"

#define SEL_DATA 0x10
#define SEL_TSS 0x30 /* rt/entry.asm's rt_gdt_tss */
#define ENTRIES 512
#define KSTACK_SIZE 16384
/* Five pages at most (fn and the trampoline may each straddle a page
 * boundary, plus the stack), four entries each (PML4E, PDPTE, PDE, PTE). */
#define MAX_SAVED 20

/* 64-bit TSS (SDM Vol. 3A, 8.7, Figure 8-11). */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "the 64-bit TSS is 104 bytes");

/* TSS descriptor (SDM Vol. 3A, 8.2.3, Figure 8-4): type 9 = available
 * 64-bit TSS, S = 0, DPL 0, P = 1. */
#define TSS_DESC_ACCESS 0x89ULL

struct user_call {
	void (*fn)(void *);
	void *arg;
};

struct saved_entry {
	uint64_t *entry;
	uint64_t old;
};

extern uint64_t rt_gdt_tss[2];                   /* rt/entry.asm */
extern uint64_t rt_pml4[ENTRIES], rt_pdpt[ENTRIES];
extern uint64_t rt_pd[4 * ENTRIES];
extern const uint8_t rt_user_entry[], rt_user_entry_end[]; /* rt/isr.asm */
void rt_user_enter(void (*fn)(void *), void *arg, uint64_t user_rsp);

static struct tss64 tss __attribute__((aligned(16)));
static uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));
static uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool tss_loaded;
static struct saved_entry saved[MAX_SAVED];
static unsigned nsaved;

static void load_tss(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;

	tss.rsp[0] = (uint64_t)(kstack + sizeof(kstack));
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	rt_gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			(TSS_DESC_ACCESS << 40) | (((limit >> 16) & 0xf) << 48) |
			(((base >> 24) & 0xff) << 56);
	rt_gdt_tss[1] = base >> 32;
	ltr(SEL_TSS);
	tss_loaded = true;
}

static bool set_user(uint64_t *entry)
{
	if (nsaved == MAX_SAVED)
		return false;
	saved[nsaved++] = (struct saved_entry){ entry, *entry };
	*entry |= PTE_US;
	return true;
}

/* U/S = 1 in the PTE of va's page and in every entry above it (SDM Vol.
 * 3A, 4.6.1: user-mode access needs U/S = 1 at every level). */
static bool make_user_page(uint64_t va)
{
	uint64_t *pte = rt_pte(va); /* first: it may split the 2 MiB page */

	return pte && set_user(&rt_pml4[va >> 39]) && set_user(&rt_pdpt[va >> 30]) &&
	       set_user(&rt_pd[va >> 21]) && set_user(pte);
}

static bool make_user_range(uint64_t start, uint64_t len)
{
	uint64_t last = (start + len - 1) & ~(PAGE_SIZE - 1);

	for (uint64_t va = start & ~(PAGE_SIZE - 1); va <= last; va += PAGE_SIZE)
		if (!make_user_page(va))
			return false;
	return true;
}

/* Back to the entries as they were, newest first (an entry saved twice
 * ends with its first, original, value). */
static void restore_entries(void)
{
	while (nsaved > 0) {
		nsaved--;
		*saved[nsaved].entry = saved[nsaved].old;
	}
	write_cr3(read_cr3());
}

/* IRETQ to CPL 3 cleared DS, ES, FS and GS (DPL 0 segments; SDM Vol. 2A,
 * IRET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"): reload them as rt/entry.asm
 * set them. */
static void reload_data_segments(void)
{
	__asm__ __volatile__("mov %w0, %%ds\n\t"
			     "mov %w0, %%es\n\t"
			     "mov %w1, %%fs\n\t"
			     "mov %w1, %%gs"
			     :
			     : "r"(SEL_DATA), "r"(0)
			     : "memory");
}

static void enter_user(void *arg)
{
	const struct user_call *c = arg;

	rt_user_enter(c->fn, c->arg, (uint64_t)(user_stack + sizeof(user_stack)));
}

int rt_user_call(void (*fn)(void *), void *arg, struct rt_exception *info)
{
	struct user_call c = { fn, arg };
	int vector;

	if (!tss_loaded)
		load_tss();
	nsaved = 0;
	if (!make_user_range((uint64_t)fn, RT_USER_FN_MAX) ||
	    !make_user_range((uint64_t)rt_user_entry,
			     (uint64_t)(rt_user_entry_end - rt_user_entry)) ||
	    !make_user_range((uint64_t)user_stack, sizeof(user_stack))) {
		restore_entries();
		if (info)
			*info = (struct rt_exception){ .vector = RT_USER_NO_MAPPING };
		return RT_USER_NO_MAPPING;
	}
	write_cr3(read_cr3()); /* no stale supervisor-only translations */
	vector = rt_catch(enter_user, &c, info);
	restore_entries();
	reload_data_segments();
	return vector;
}
