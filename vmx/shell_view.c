/* The debug shell's views of VMCSes and EPT walks (vmx/shell_view.h),
 * split from vmx/shell_actions.c: `vmcs [01|02|12|shadow] [FIELD...]` and
 * `ept GPA`, at every level. The current VMCS is read here with VMREAD;
 * the others (vmcs01 while L2 runs, vmcs02 while L1 runs, L1's vmcs12 and
 * the shadow VMCS) and L1's EPT12 come from nested/ through the seam
 * (vmx/nested_seam.h, nested/shell_view.c), which switches VMCS and back
 * (SDM Vol. 3C 30.3 VMPTRLD/VMREAD). EPT walks are mm/ept.c's, as the CPU
 * walks (SDM 29.3, 28.2 in older editions), printed entry by entry. */
#include "vmx/shell_view.h"
#include "lib/log.h"
#include "mm/ept.h"
#include "vmx/nested_seam.h"
#include "vmx/shell_format.h"
#include "vmx/shell_parse.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs_layout.h"
#include "vmx/vmx_insn.h"

/* One slot per row of the field table. */
#define ROW(name, enc, width, sh) +1
enum { VIEW_MAX_ROWS = 0 VMCS_FIELDS(ROW) };
#undef ROW

/* Static: longer than the exit stack likes. */
static char line[256];
static uint16_t rows[VIEW_MAX_ROWS];
static uint64_t vals[VIEW_MAX_ROWS];
static enum nested_field st[VIEW_MAX_ROWS];

static void say_line(const char *text)
{
	log_printf(LOG_QUIET, "%s", text);
}

/* ---- vmcs ---- */

static const char *const vmcs_names[] = {
	[SHELL_VMCS_01] = "01", [SHELL_VMCS_02] = "02",
	[SHELL_VMCS_12] = "12", [SHELL_VMCS_SHADOW] = "shadow",
};
static const char *const vmcs_titles[] = {
	[SHELL_VMCS_01] = "vmcs01", [SHELL_VMCS_02] = "vmcs02",
	[SHELL_VMCS_12] = "vmcs12", [SHELL_VMCS_SHADOW] = "the shadow VMCS",
};

static const enum nested_vmcs seam_vmcs[] = {
	[SHELL_VMCS_01] = NESTED_VMCS01, [SHELL_VMCS_02] = NESTED_VMCS02,
	[SHELL_VMCS_12] = NESTED_VMCS12, [SHELL_VMCS_SHADOW] = NESTED_VMCS_SHADOW,
};

static void vmcs_row(unsigned i)
{
	const char *name = vmcs_field_table[rows[i]].name;

	switch (st[i]) {
	case NESTED_FIELD_OK:
		log_printf(LOG_QUIET, "%-40s 0x%016lx\n", name, vals[i]);
		break;
	case NESTED_FIELD_NO_CPU:
		log_printf(LOG_QUIET, "%-40s (the CPU has no such field)\n", name);
		break;
	case NESTED_FIELD_NOT_SHOWN:
		log_printf(LOG_QUIET, "%-40s (L1 was not shown this field)\n", name);
		break;
	case NESTED_FIELD_NOT_SHADOWED:
		log_printf(LOG_QUIET, "%-40s (not in the shadow VMCS: L1's VMREAD of it exits)\n",
			   name);
		break;
	}
}

void shell_vmcs(struct vcpu *v, const struct shell_cmd *c)
{
	enum shell_vmcs_which cur = v->level == VCPU_L2 ? SHELL_VMCS_02
							: SHELL_VMCS_01;
	enum shell_vmcs_which w = c->vmcs == SHELL_VMCS_CURRENT ? cur : c->vmcs;
	unsigned n = c->nfields ? c->nfields : vmcs_field_count;
	struct nested_vmcs_info info = { 0 };

	if (n > VIEW_MAX_ROWS)
		n = VIEW_MAX_ROWS;
	for (unsigned i = 0; i < n; i++)
		rows[i] = c->nfields ? c->field_rows[i] : (uint16_t)i;
	if (w == cur) {
		for (unsigned i = 0; i < n; i++)
			st[i] = vmread(vmcs_field_table[rows[i]].encoding,
				       &vals[i]) == VMX_OK
				? NESTED_FIELD_OK : NESTED_FIELD_NO_CPU;
		log_printf(LOG_QUIET, "%s (L%u runs):\n", vmcs_titles[w],
			   v->level);
	} else {
		nested_vmcs_fields(v, seam_vmcs[w], rows, n, vals, st, &info);
		if (info.why) {
			log_printf(LOG_QUIET, "vmcs %s: %s\n", vmcs_names[w],
				   info.why);
			return;
		}
		log_printf(LOG_QUIET, "%s at 0x%lx (L%u runs; %s%s%s):\n",
			   vmcs_titles[w], info.pa, v->level,
			   w == SHELL_VMCS_12 ? "L1's current VMCS, Nestor's copy"
			   : w == SHELL_VMCS_SHADOW ? "read by VMPTRLD and VMCLEAR"
			   : "not the current VMCS, read by VMPTRLD and back",
			   info.note ? "; " : "", info.note ? info.note : "");
	}
	for (unsigned i = 0; i < n; i++)
		vmcs_row(i);
}

/* ---- ept ---- */

/* One EPT walk, entry by entry: 1 when it translates, 0 when it does not
 * (said: `absent`, when given, for an entry that is not a
 * misconfiguration), -1 when no walk is possible (said). */
static int show_walk(const struct ept *e, uint64_t gpa, const char *absent)
{
	struct ept_walk w;

	if (ept_walk_caps(&e->ops, e->pml4_pa, &e->caps, gpa, &w)) {
		log_printf(LOG_QUIET, "  0x%lx: no walk possible (beyond the physical-address width)\n",
			   gpa);
		return -1;
	}
	for (unsigned i = 0; i < w.levels_walked; i++)
		if (shell_format_ept_entry(line, sizeof(line), EPT_LEVELS - i,
					   w.entry[i]) > 0)
			log_printf(LOG_QUIET, "  %s", line);
	if (w.ok)
		log_printf(LOG_QUIET, "  -> HPA 0x%lx\n", w.hpa);
	else if (!w.misconfig && absent)
		log_printf(LOG_QUIET, "  %s\n", absent);
	else
		log_printf(LOG_QUIET, "  %s%s\n", w.misconfig ? "misconfiguration: " : "",
			   w.why ? w.why : "not present");
	return w.ok;
}

static void ept01(struct vcpu *v, uint64_t gpa)
{
	log_printf(LOG_QUIET, "ept: EPT01 walk of GPA 0x%lx%s\n", gpa,
		   v->level == VCPU_L2 ? " (L1's guest-physical address)" : "");
	show_walk(&v->vm->ept, gpa, NULL);
}

/* While L2 runs: EPT12 (L1's tables in L1's RAM), EPT02 (Nestor's
 * composition of EPT12 and EPT01, built one leaf per EPT violation), and
 * EPT01 of the L1 address. */
static void ept_l2(struct vcpu *v, uint64_t gpa, const struct nested_ept_view *x)
{
	if (x->ept12) {
		log_printf(LOG_QUIET, "ept: EPT12 walk of L2 GPA 0x%lx (L1's tables, EPTP 0x%lx)\n",
			   gpa, x->eptp12);
		for (unsigned i = 0; i < x->nentries; i++)
			if (shell_format_ept_entry(line, sizeof(line),
						   x->top_level - i, x->entry[i]) > 0)
				log_printf(LOG_QUIET, "  @0x%09lx %s",
					   x->entry_gpa[i], line);
		if (x->translated)
			log_printf(LOG_QUIET, "  -> L1 GPA 0x%lx\n", x->l1_gpa);
		else
			log_printf(LOG_QUIET, "  %s: L1's EPT12 does not map it for reading\n",
				   x->why ? x->why : "not present");
	} else {
		log_printf(LOG_QUIET, "ept: L1 runs L2 without EPT: L2 GPA 0x%lx is L1 GPA 0x%lx\n",
			   gpa, gpa);
	}
	if (!x->ept02)
		say_line("ept: vmcs02 runs on EPT01 (no EPT02)\n");
	else {
		log_printf(LOG_QUIET, "ept: EPT02 walk of L2 GPA 0x%lx (Nestor's composed table%s)\n",
			   gpa, x->ept12 ? "" : ", the identity over L1's space");
		/* EPT02 is built one leaf per EPT violation of L2's. */
		show_walk(x->ept02, gpa, "not built yet for this page (built on L2's first access)");
	}
	if (x->translated)
		ept01(v, x->l1_gpa);
}

void shell_ept(struct vcpu *v, uint64_t gpa)
{
	static struct nested_ept_view x;

	if (v->level == VCPU_L2 && nested_ept_view(v, gpa, &x))
		ept_l2(v, gpa, &x);
	else
		ept01(v, gpa);
}
