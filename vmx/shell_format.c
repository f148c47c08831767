/* The debug shell's output formats (see vmx/shell_format.h). */
#include <stdbool.h>

#include "lib/compiler.h"
#include "lib/format.h"
#include "lib/string.h"
#include "vmx/shell_format.h"

#define BIT(n) (1ULL << (n))
#define ADDR_BITS_51_12 0x000ffffffffff000ULL

int shell_hexdump(char *buf, size_t size, uint64_t addr, const uint8_t *data,
		  size_t len)
{
	struct fmt_buf b = fmt_buf_start(buf, size);

	for (size_t at = 0; at < len; at += SHELL_HEXDUMP_PER_LINE) {
		size_t n = len - at < SHELL_HEXDUMP_PER_LINE ?
				   len - at : SHELL_HEXDUMP_PER_LINE;

		fmt_append(&b, "%016llx  ", (unsigned long long)(addr + at));
		for (size_t i = 0; i < SHELL_HEXDUMP_PER_LINE; i++) {
			if (i < n)
				fmt_append(&b, "%02x ", data[at + i]);
			else
				fmt_append(&b, "   ");
			if (i == 7)
				fmt_append(&b, " ");
		}
		fmt_append(&b, " |");
		for (size_t i = 0; i < n; i++) {
			uint8_t c = data[at + i];

			fmt_append(&b, "%c", c >= 0x20 && c <= 0x7e ? c : '.');
		}
		fmt_append(&b, "%*s|\n", (int)(SHELL_HEXDUMP_PER_LINE - n), "");
	}
	return fmt_buf_result(&b);
}

/* "NAME" when the bit is set, as many '-' as NAME has letters otherwise,
 * so the columns of consecutive entries line up. */
static void flag(struct fmt_buf *b, uint64_t entry, unsigned bit,
		 const char *name)
{
	static const char dashes[] = "-----";

	if (entry & BIT(bit))
		fmt_append(b, " %s", name);
	else
		fmt_append(b, " %.*s", (int)strlen(name), dashes);
}

/* Bits 51:12 of a table entry, 51:21 or 51:30 of a large leaf. */
static uint64_t frame(unsigned level, bool large, uint64_t entry)
{
	uint64_t low = !large ? 0 : level == 2 ? BIT(21) - 1 : BIT(30) - 1;

	return entry & ADDR_BITS_51_12 & ~low;
}

static const char *const pte_names[] = { "?", "PTE", "PDE", "PDPTE", "PML4E",
					 "PML5E" };

int shell_format_pte(char *buf, size_t size, unsigned level, uint64_t entry)
{
	struct fmt_buf b = fmt_buf_start(buf, size);
	bool large = (level == 2 || level == 3) && (entry & BIT(7));

	fmt_append(&b, "%-5s 0x%016llx ",
		   pte_names[level < ARRAY_SIZE(pte_names) ? level : 0],
		   (unsigned long long)entry);
	if (!(entry & BIT(0))) {
		fmt_append(&b, " not present\n");
		return fmt_buf_result(&b);
	}
	flag(&b, entry, 0, "P");
	flag(&b, entry, 1, "RW");
	flag(&b, entry, 2, "US");
	flag(&b, entry, 3, "PWT");
	flag(&b, entry, 4, "PCD");
	flag(&b, entry, 5, "A");
	flag(&b, entry, 6, "D");
	flag(&b, entry, 7, level == 1 ? "PAT" : "PS");
	flag(&b, entry, 8, "G");
	flag(&b, entry, 63, "XD");
	fmt_append(&b, " -> 0x%016llx\n",
		   (unsigned long long)frame(level, large, entry));
	return fmt_buf_result(&b);
}

static const char *const ept_mt_names[8] = { "UC", "WC", "r2", "r3",
					     "WT", "WP", "WB", "r7" };

int shell_format_ept_entry(char *buf, size_t size, unsigned level,
			   uint64_t entry)
{
	struct fmt_buf b = fmt_buf_start(buf, size);
	bool large = (level == 2 || level == 3) && (entry & BIT(7));
	bool leaf = level == 1 || large;

	fmt_append(&b, "EPT %-5s 0x%016llx ",
		   pte_names[level < ARRAY_SIZE(pte_names) - 1 ? level : 0],
		   (unsigned long long)entry);
	if (!(entry & 7)) {
		fmt_append(&b, " not present\n");
		return fmt_buf_result(&b);
	}
	flag(&b, entry, 0, "R");
	flag(&b, entry, 1, "W");
	flag(&b, entry, 2, "X");
	if (leaf)
		fmt_append(&b, " mt=%s", ept_mt_names[(entry >> 3) & 7]);
	else
		fmt_append(&b, " mt=--");
	flag(&b, entry, 6, leaf ? "IPAT" : "----");
	flag(&b, entry, 7, "large");
	flag(&b, entry, 8, "A");
	flag(&b, entry, 9, leaf ? "D" : "-");
	fmt_append(&b, " -> 0x%016llx\n",
		   (unsigned long long)frame(level, large, entry));
	return fmt_buf_result(&b);
}

static const char *const gpr_names[16] = {
	"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
	"R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15",
};

static const char *const seg_names[SHELL_SEG_COUNT] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR",
};

int shell_format_regs(char *buf, size_t size, const struct shell_regs *r)
{
	struct fmt_buf b = fmt_buf_start(buf, size);

	fmt_append(&b, "L%u registers\n", r->level);
	for (unsigned i = 0; i < 16; i++)
		fmt_append(&b, "%-3s=%016llx%s", gpr_names[i],
			   (unsigned long long)r->gpr[i], i % 4 == 3 ? "\n" : " ");
	fmt_append(&b, "RIP=%016llx RFLAGS=%016llx\n",
		   (unsigned long long)r->rip, (unsigned long long)r->rflags);
	fmt_append(&b, "CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx\n",
		   (unsigned long long)r->cr0, (unsigned long long)r->cr2,
		   (unsigned long long)r->cr3, (unsigned long long)r->cr4);
	fmt_append(&b, "EFER=%016llx\n", (unsigned long long)r->efer);
	for (unsigned i = 0; i < SHELL_SEG_COUNT; i++) {
		const struct shell_seg *s = &r->seg[i];

		fmt_append(&b, "%-4s sel=%04x base=%016llx limit=%08x ar=%05x\n",
			   seg_names[i], s->selector,
			   (unsigned long long)s->base, s->limit, s->ar);
	}
	return fmt_buf_result(&b);
}
