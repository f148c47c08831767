/* The table of EPT breakpoints (vmx/ept_break_table.h). Pure. */
#include "vmx/ept_break_table.h"

static bool valid(unsigned n)
{
	return n >= EPT_BREAK_FIRST && n < EPT_BREAK_FIRST + EPT_BREAK_MAX;
}

unsigned ept_break_add(struct ept_break_table *t, uint64_t gpa, bool *added)
{
	unsigned n = ept_break_at(t, gpa);

	*added = false;
	if (n)
		return n;
	for (unsigned i = 0; i < EPT_BREAK_MAX; i++) {
		if (t->e[i].used)
			continue;
		t->e[i].used = true;
		t->e[i].gpa = gpa;
		t->e[i].has_gva = false;
		t->e[i].gva = 0;
		*added = true;
		return EPT_BREAK_FIRST + i;
	}
	return 0;
}

bool ept_break_get(const struct ept_break_table *t, unsigned n, uint64_t *gpa)
{
	if (!valid(n) || !t->e[n - EPT_BREAK_FIRST].used)
		return false;
	*gpa = t->e[n - EPT_BREAK_FIRST].gpa;
	return true;
}

bool ept_break_del(struct ept_break_table *t, unsigned n, uint64_t *gpa)
{
	if (!ept_break_get(t, n, gpa))
		return false;
	t->e[n - EPT_BREAK_FIRST].used = false;
	return true;
}

unsigned ept_break_at(const struct ept_break_table *t, uint64_t gpa)
{
	for (unsigned i = 0; i < EPT_BREAK_MAX; i++)
		if (t->e[i].used && t->e[i].gpa == gpa)
			return EPT_BREAK_FIRST + i;
	return 0;
}

unsigned ept_break_on_page(const struct ept_break_table *t, uint64_t gpa)
{
	unsigned count = 0;

	for (unsigned i = 0; i < EPT_BREAK_MAX; i++)
		if (t->e[i].used &&
		    EPT_BREAK_PAGE(t->e[i].gpa) == EPT_BREAK_PAGE(gpa))
			count++;
	return count;
}

void ept_break_set_gva(struct ept_break_table *t, unsigned n, uint64_t gva)
{
	if (!valid(n) || !t->e[n - EPT_BREAK_FIRST].used)
		return;
	t->e[n - EPT_BREAK_FIRST].has_gva = true;
	t->e[n - EPT_BREAK_FIRST].gva = gva;
}

unsigned ept_break_by_gva(const struct ept_break_table *t, uint64_t gva)
{
	for (unsigned i = 0; i < EPT_BREAK_MAX; i++)
		if (t->e[i].used && t->e[i].has_gva && t->e[i].gva == gva)
			return EPT_BREAK_FIRST + i;
	return 0;
}
