/* GDT, TSS and IDT setup (SDM Vol. 3A, 3.4.5, 6.14, 8.2.3). */
#include "arch/x86/descriptors.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt_gate.h"
#include "lib/string.h"

#define NUM_EXCEPTION_VECTORS 32
#define NUM_VECTORS 256

extern const uint64_t isr_table[NUM_EXCEPTION_VECTORS]; /* arch/x86/isr.asm */
extern uint8_t boot_stack_bottom[], boot_stack_top[];   /* boot/entry.asm */

struct cpu_tables boot_cpu_tables;
static struct idt_gate idt[NUM_VECTORS] __attribute__((aligned(16)));

static uint8_t ist_for_vector(unsigned v)
{
	switch (v) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DF;
	case 18:
		return IST_MC;
	default:
		return 0;
	}
}

static void idt_build(void)
{
	for (unsigned v = 0; v < NUM_EXCEPTION_VECTORS; v++)
		idt[v] = idt_interrupt_gate(isr_table[v], SEL_CODE,
					    ist_for_vector(v));
}

/* Available 64-bit TSS descriptor, 16 bytes (SDM Vol. 3A, 8.2.3). */
static void gdt_set_tss(uint64_t *slot, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		  (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

void cpu_tables_load(struct cpu_tables *t)
{
	struct descriptor_table_ptr gdtr, idtr;

	memset(&t->tss, 0, sizeof(t->tss));
	for (unsigned i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = (uint64_t)&t->ist_stacks[i][IST_STACK_SIZE];
	t->tss.iomap_base = sizeof(t->tss); /* no I/O permission bitmap */

	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	t->gdt[2] = 0x00cf92000000ffffULL; /* data */
	gdt_set_tss(&t->gdt[3], &t->tss);

	if (t == &boot_cpu_tables)
		idt_build();

	gdtr.limit = sizeof(t->gdt) - 1;
	gdtr.base = (uint64_t)t->gdt;
	lgdt(&gdtr);
	/* Reload CS with a far return, then the data segments. */
	__asm__ __volatile__("pushq %0\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movw %w1, %%ds\n\t"
			     "movw %w1, %%es\n\t"
			     "movw %w1, %%ss\n\t"
			     :
			     : "i"(SEL_CODE), "r"(SEL_DATA)
			     : "rax", "memory");
	ltr(SEL_TSS);

	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)idt;
	lidt(&idtr);
}

bool stack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	uint64_t b = (uint64_t)boot_stack_bottom, t = (uint64_t)boot_stack_top;

	if (addr >= b && addr < t) {
		*lo = b;
		*hi = t;
		return true;
	}
	for (unsigned i = 0; i < IST_COUNT; i++) {
		b = (uint64_t)boot_cpu_tables.ist_stacks[i];
		t = b + IST_STACK_SIZE;
		if (addr >= b && addr < t) {
			*lo = b;
			*hi = t;
			return true;
		}
	}
	return false;
}
