/* Filling a fresh VMCS: controls, host state and the guest's initial state. */
#ifndef NESTOR_VMX_VMCS_SETUP_H
#define NESTOR_VMX_VMCS_SETUP_H

#include <stdint.h>
#include "vmx/vcpu.h"

/* How the guest starts (boot/guest_load.c decides). */
enum guest_entry_mode {
	GUEST_ENTRY_PROTECTED32, /* multiboot1/2: 32-bit, paging off */
	GUEST_ENTRY_LONG64,      /* 64-bit ELF: long mode, Nestor's tables */
};

struct guest_entry {
	enum guest_entry_mode mode;
	uint64_t rip, rax, rbx, rsi;
	uint64_t cr3;            /* LONG64: guest page tables */
	uint64_t gdt_base;       /* LONG64: GDT Nestor built in guest memory */
	uint16_t gdt_limit;
	/* LONG64: code and data selectors in that GDT (0 = 0x08 and 0x10;
	 * Linux's 64-bit boot protocol wants 0x10 and 0x18). */
	uint16_t cs_sel, ds_sel;
};


void vmcs_setup_controls(struct vcpu *v, const struct vmx_host_pages *hp);
void vmcs_setup_host_state(const struct vmx_config *c,
			    const struct vmx_host_pages *hp);
void vmcs_setup_guest_state(struct vcpu *v, const struct guest_entry *e);

#endif
