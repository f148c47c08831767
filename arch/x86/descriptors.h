/* Per-CPU descriptor tables: GDT, TSS with IST stacks, and the shared IDT. */
#ifndef NESTOR_ARCH_X86_DESCRIPTORS_H
#define NESTOR_ARCH_X86_DESCRIPTORS_H

#include <stdbool.h>
#include <stdint.h>

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

/* IST slots (SDM Vol. 3A, 6.14.5): NMI, #DF and #MC each get a known-good
 * stack, so they work even when the fault was caused by a bad RSP. */
enum ist_slot { IST_NMI = 1, IST_DF = 2, IST_MC = 3, IST_COUNT = 3 };
#define IST_STACK_SIZE 8192

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

struct cpu_tables {
	uint64_t gdt[5]; /* null, code, data, TSS (16 bytes) */
	struct tss64 tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
};

/* Load GDT, TSS and IDT on the calling CPU. */
void cpu_tables_load(struct cpu_tables *t);
/* The boot CPU's tables. */
extern struct cpu_tables boot_cpu_tables;

/* Is [addr, addr + len) inside one of Nestor's stacks? Gives its bounds. */
bool stack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi);

#endif
