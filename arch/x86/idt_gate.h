/* 64-bit IDT interrupt gates (SDM Vol. 3A, 6.14.1, Figure 6-8), built the
 * same way by Nestor (arch/x86/descriptors.c) and by the test guests
 * (tests/guests/rt/traps.c). Pure. */
#ifndef NESTOR_ARCH_X86_IDT_GATE_H
#define NESTOR_ARCH_X86_IDT_GATE_H

#include <stdint.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "a 64-bit IDT gate is 16 bytes");

/* P=1, DPL=0, type 0xE: 64-bit interrupt gate, IF cleared on entry
 * (SDM Vol. 3A, 6.14.1, 6.12.1.3). */
#define GATE_INTERRUPT_PRESENT 0x8e

/* An interrupt gate to `handler` through the 64-bit code segment
 * `selector`, on IST stack `ist` (1-7; 0: the current stack, 6.14.5). */
static inline struct idt_gate idt_interrupt_gate(uint64_t handler,
						 uint16_t selector, uint8_t ist)
{
	return (struct idt_gate){
		.offset_lo = (uint16_t)handler,
		.selector = selector,
		.ist = ist,
		.type_attr = GATE_INTERRUPT_PRESENT,
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_hi = (uint32_t)(handler >> 32),
	};
}

#endif
