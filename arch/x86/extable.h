/* Exception fixups: an instruction that may fault (VMXON on a CPU whose
 * firmware left VMX off, an RDMSR of a maybe-missing MSR) is listed in the
 * .ex_table section with the address to resume at. trap_dispatch() resumes
 * there with RAX = EXTABLE_FAULTED | vector instead of reporting a fatal
 * exception. Only instructions whose outputs are all in RAX may use it. */
#ifndef NESTOR_ARCH_X86_EXTABLE_H
#define NESTOR_ARCH_X86_EXTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define EXTABLE_FAULTED 0x100u

struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
};

/* Emit "label insn, label fixup" into .ex_table (assembler text). */
#define EXTABLE_ENTRY(insn_label, fixup_label)                              \
	".pushsection .ex_table, \"a\"\n\t"                                 \
	".balign 8\n\t"                                                     \
	".quad " insn_label ", " fixup_label "\n\t"                         \
	".popsection\n\t"

/* The fixup address for a faulting RIP, or 0. */
uint64_t extable_lookup(uint64_t rip);

#endif
