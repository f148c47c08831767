/* The table of EPT execute-disable breakpoints (issue 16 items 2 and 4):
 * guest-physical addresses of L1 whose 4 KiB page has X cleared in EPT01
 * (vmx/ept_break.c does the EPT work). Pure: numbering, add, remove and
 * lookups by address and by page, unit-tested in tests/unit.
 *
 * Numbering: one numbering with the hardware breakpoints of the shell,
 * which are 1..4 (DR0-DR3, vmx/guest_debug.c); the EPT ones are
 * EPT_BREAK_FIRST..EPT_BREAK_FIRST + EPT_BREAK_MAX - 1 = 5..8, up to
 * SHELL_BREAK_MAX (vmx/shell_parse.h). */
#ifndef NESTOR_VMX_EPT_BREAK_TABLE_H
#define NESTOR_VMX_EPT_BREAK_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#define EPT_BREAK_MAX 4u
#define EPT_BREAK_FIRST 5u
#define EPT_BREAK_PAGE(gpa) ((gpa) & ~0xfffull)

struct ept_break_table {
	struct {
		bool used;
		uint64_t gpa;
		bool has_gva;     /* GDB's Z0: the address GDB gave */
		uint64_t gva;
	} e[EPT_BREAK_MAX];
};

/* The number of the breakpoint at gpa (an existing one if gpa has one
 * already; *added says whether it is new), or 0 when the table is full. */
unsigned ept_break_add(struct ept_break_table *t, uint64_t gpa, bool *added);

/* Removes breakpoint n; false if n is not one in use. *gpa: its address. */
bool ept_break_del(struct ept_break_table *t, unsigned n, uint64_t *gpa);

/* The address of breakpoint n; false if n is not one in use. */
bool ept_break_get(const struct ept_break_table *t, unsigned n, uint64_t *gpa);

/* The number of the breakpoint exactly at gpa, 0 if none. */
unsigned ept_break_at(const struct ept_break_table *t, uint64_t gpa);

/* How many breakpoints lie on gpa's 4 KiB page. */
unsigned ept_break_on_page(const struct ept_break_table *t, uint64_t gpa);

/* Breakpoint n remembers the guest-virtual address GDB gave for it. */
void ept_break_set_gva(struct ept_break_table *t, unsigned n, uint64_t gva);

/* The number of a breakpoint GDB set at gva, 0 if none. */
unsigned ept_break_by_gva(const struct ept_break_table *t, uint64_t gva);

#endif
