/* Lookup in the exception-fixup table built by the linker (linker.ld). */
#include "arch/x86/extable.h"

extern const struct extable_entry __extable_start[], __extable_end[];

uint64_t extable_lookup(uint64_t rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}
