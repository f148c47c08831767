/* Unit tests for vmx/shell_parse.c and vmx/shell_format.c: every command of
 * the debug shell, every refusal and its message, numbers and addresses at
 * their limits, the help text, and the formatters' exact output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/shell_format.h"
#include "vmx/shell_parse.h"
#include "vmx/vmcs_layout.h"

/* Parses s from an exactly-sized heap copy (no NUL after it). */
static int parse(const char *s, struct shell_cmd *cmd, char *err,
		 size_t errlen)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, len);
	rc = shell_parse(copy, len, cmd, err, errlen);
	free(copy);
	return rc;
}

static struct shell_cmd ok(const char *s, enum shell_cmd_kind kind)
{
	struct shell_cmd cmd;
	char err[SHELL_ERR_LEN];

	if (parse(s, &cmd, err, sizeof(err)))
		fail_msg("\"%s\" refused: %s", s, err);
	assert_int_equal(err[0], '\0');
	assert_int_equal(cmd.kind, kind);
	return cmd;
}

/* s must be refused with exactly the message msg. */
static void bad(const char *s, const char *msg)
{
	struct shell_cmd cmd;
	char err[SHELL_ERR_LEN];

	memset(&cmd, 0xa5, sizeof(cmd));
	if (parse(s, &cmd, err, sizeof(err)) == 0)
		fail_msg("\"%s\" accepted", s);
	assert_string_equal(err, msg);
	assert_int_equal(cmd.kind, SHELL_NONE);
}

static void test_no_argument_commands(void **state)
{
	static const struct {
		const char *name;
		enum shell_cmd_kind kind;
	} plain[] = {
		{ "regs", SHELL_REGS }, { "exits", SHELL_EXITS },
		{ "step", SHELL_STEP }, { "cont", SHELL_CONT },
		{ "nmi", SHELL_NMI },   { "reset", SHELL_RESET },
	};
	char line[64], msg[SHELL_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		ok(plain[i].name, plain[i].kind);
		snprintf(line, sizeof(line), " \t%s  ", plain[i].name);
		ok(line, plain[i].kind);
		assert_string_equal(shell_cmd_name(plain[i].kind), plain[i].name);
		snprintf(line, sizeof(line), "%s now", plain[i].name);
		snprintf(msg, sizeof(msg), "%s: unexpected argument 'now' (usage: %s)",
			 plain[i].name, plain[i].name);
		bad(line, msg);
	}
	assert_null(shell_cmd_name(SHELL_NONE));
	assert_null(shell_cmd_name(SHELL_KIND_COUNT));
}

static void test_empty_and_unknown(void **state)
{
	char err[8];
	struct shell_cmd cmd;

	(void)state;
	ok("", SHELL_NONE);
	ok("  \t ", SHELL_NONE);
	bad("foo", "unknown command 'foo' (help lists them)");
	bad("REGS", "unknown command 'REGS' (help lists them)");
	bad("regs\x01", "unknown command 'regs?' (help lists them)");
	bad("abcdefghijklmnopqrstuvwxyz0123",
	    "unknown command 'abcdefghijklmnopqrstuvwx...' (help lists them)");
	/* A short error buffer still gets a terminated message. */
	assert_int_equal(parse("foo", &cmd, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown");
	assert_int_equal(parse("foo", &cmd, NULL, 0), -1);
	assert_int_equal(parse("mem", &cmd, err, 3), -1);
	assert_string_equal(err, "me");
	assert_int_equal(shell_parse(NULL, 0, &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.kind, SHELL_NONE);
}

static void test_vmcs(void **state)
{
	struct shell_cmd c;

	(void)state;
	c = ok("vmcs", SHELL_VMCS);
	assert_int_equal(c.vmcs, SHELL_VMCS_CURRENT);
	assert_int_equal(c.nfields, 0);
	assert_int_equal(ok("vmcs 01", SHELL_VMCS).vmcs, SHELL_VMCS_01);
	assert_int_equal(ok("vmcs 02", SHELL_VMCS).vmcs, SHELL_VMCS_02);
	assert_int_equal(ok("vmcs 12", SHELL_VMCS).vmcs, SHELL_VMCS_12);
	assert_int_equal(ok("vmcs shadow", SHELL_VMCS).vmcs, SHELL_VMCS_SHADOW);
	c = ok("vmcs 12 GUEST_RIP guest_rsp VPID", SHELL_VMCS);
	assert_int_equal(c.vmcs, SHELL_VMCS_12);
	assert_int_equal(c.nfields, 3);
	assert_int_equal(vmcs_field_table[c.field_rows[0]].encoding, VMCS_GUEST_RIP);
	assert_int_equal(vmcs_field_table[c.field_rows[1]].encoding, VMCS_GUEST_RSP);
	assert_int_equal(vmcs_field_table[c.field_rows[2]].encoding, VMCS_VPID);
	c = ok("vmcs EPT_POINTER", SHELL_VMCS);
	assert_int_equal(c.vmcs, SHELL_VMCS_CURRENT);
	assert_int_equal(vmcs_field_table[c.field_rows[0]].encoding, VMCS_EPT_POINTER);
	/* Every name of the table is found, and finds its own row. */
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		char line[80];

		snprintf(line, sizeof(line), "vmcs %s", vmcs_field_table[i].name);
		assert_int_equal(ok(line, SHELL_VMCS).field_rows[0], i);
	}
	c = ok("vmcs 02 VPID VPID VPID VPID VPID VPID VPID VPID", SHELL_VMCS);
	assert_int_equal(c.nfields, 8);
	c = ok("vmcs VPID VPID VPID VPID VPID VPID VPID VPID", SHELL_VMCS);
	assert_int_equal(c.nfields, 8);
	bad("vmcs VPID VPID VPID VPID VPID VPID VPID VPID VPID",
	    "vmcs: more than 8 fields");
	bad("vmcs 01 VPID VPID VPID VPID VPID VPID VPID VPID VPID",
	    "vmcs: unexpected argument 'VPID' (usage: vmcs [01|02|12|shadow] [FIELD...])");
	bad("vmcs FOO",
	    "vmcs: no field named 'FOO' (the names of vmx/vmcs_fields.h, e.g. GUEST_RIP)");
	bad("vmcs 03",
	    "vmcs: no field named '03' (the names of vmx/vmcs_fields.h, e.g. GUEST_RIP)");
	bad("vmcs GUEST_RIP 01",
	    "vmcs: no field named '01' (the names of vmx/vmcs_fields.h, e.g. GUEST_RIP)");
	bad("vmcs GUEST_RI",
	    "vmcs: no field named 'GUEST_RI' (the names of vmx/vmcs_fields.h, e.g. GUEST_RIP)");
}

static void test_ept_and_walk(void **state)
{
	struct shell_cmd c;

	(void)state;
	c = ok("ept 0x1000", SHELL_EPT);
	assert_false(c.addr.virt);
	assert_int_equal(c.addr.addr, 0x1000);
	assert_int_equal(ok("ept p:4096", SHELL_EPT).addr.addr, 4096);
	assert_int_equal(ok("ept 0xfffffffffffff", SHELL_EPT).addr.addr,
			 SHELL_GPA_MAX);
	bad("ept 0x10000000000000",
	    "ept: address 0x10000000000000 is above 0xfffffffffffff");
	bad("ept v:0x1000", "ept: takes a guest-physical address, not v:");
	bad("ept", "ept: missing argument (usage: ept GPA)");
	bad("ept 1 2", "ept: unexpected argument '2' (usage: ept GPA)");
	bad("ept 0x", "ept: address '0x' is not a number (decimal or 0x hex, below 2^64)");
	bad("ept p:", "ept: address '' is not a number (decimal or 0x hex, below 2^64)");
	bad("ept -1", "ept: address '-1' is not a number (decimal or 0x hex, below 2^64)");
	c = ok("walk 0xffffffff81000000", SHELL_WALK);
	assert_true(c.addr.virt);
	assert_int_equal(c.addr.addr, 0xffffffff81000000ULL);
	assert_int_equal(ok("walk v:0x00ffffffffffffff", SHELL_WALK).addr.addr,
			 0x00ffffffffffffffULL);
	assert_int_equal(ok("walk 0xff00000000000000", SHELL_WALK).addr.addr,
			 0xff00000000000000ULL);
	assert_int_equal(ok("walk 18446744073709551615", SHELL_WALK).addr.addr,
			 UINT64_MAX);
	bad("walk 0x0100000000000000",
	    "walk: address 0x0100000000000000 is not canonical (bits 63:56 must be all 0 or all 1)");
	bad("walk 18446744073709551616",
	    "walk: address '18446744073709551616' is not a number (decimal or 0x hex, below 2^64)");
	bad("walk p:0", "walk: takes a guest-virtual address, not p:");
	bad("walk", "walk: missing argument (usage: walk GVA)");
}

static void test_mem_and_break(void **state)
{
	struct shell_cmd c;

	(void)state;
	c = ok("mem p:0x1000 16", SHELL_MEM);
	assert_false(c.addr.virt);
	assert_int_equal(c.addr.addr, 0x1000);
	assert_int_equal(c.len, 16);
	c = ok("mem v:0xffffffff81000000 4096", SHELL_MEM);
	assert_true(c.addr.virt);
	assert_int_equal(c.len, 4096);
	assert_int_equal(ok("mem p:0xfffffffffff00 0x100", SHELL_MEM).len, 256);
	assert_int_equal(ok("mem v:0xfffffffffffffff0 16", SHELL_MEM).len, 16);
	bad("mem p:0x1000 0x2000", "mem: length 0x2000 is above 4096");
	bad("mem p:0x1000 4097", "mem: length 4097 is above 4096");
	bad("mem p:0x1000 0", "mem: length 0 is below 1");
	bad("mem p:0x1000 ten",
	    "mem: length 'ten' is not a number (decimal or 0x hex, below 2^64)");
	bad("mem 0x1000 16",
	    "mem: address '0x1000' needs p: (guest-physical) or v: (guest-virtual) before it");
	bad("mem x:0 16",
	    "mem: address 'x:0' needs p: (guest-physical) or v: (guest-virtual) before it");
	bad("mem p:0xfffffffffff00 0x101",
	    "mem: 0x101 bytes at p:0xfffffffffff00 run past 0xfffffffffffff");
	bad("mem v:0xfffffffffffffff0 17",
	    "mem: 17 bytes at v:0xfffffffffffffff0 run past 0xffffffffffffffff");
	bad("mem v:0x8000000000000000 1",
	    "mem: address 0x8000000000000000 is not canonical (bits 63:56 must be all 0 or all 1)");
	bad("mem p:0x1000", "mem: missing argument (usage: mem p:GPA|v:GVA LEN)");
	bad("mem p:0 1 2", "mem: unexpected argument '2' (usage: mem p:GPA|v:GVA LEN)");
	c = ok("break v:0x401000", SHELL_BREAK);
	assert_true(c.addr.virt);
	assert_int_equal(c.addr.addr, 0x401000);
	c = ok("break p:0x200000", SHELL_BREAK);
	assert_false(c.addr.virt);
	bad("break 0x401000",
	    "break: address '0x401000' needs p: (guest-physical) or v: (guest-virtual) before it");
	bad("break", "break: missing argument (usage: break p:GPA|v:GVA)");
}

static void test_counts(void **state)
{
	(void)state;
	assert_int_equal(ok("trace", SHELL_TRACE).n, 16);
	assert_int_equal(ok("trace 1", SHELL_TRACE).n, 1);
	assert_int_equal(ok("trace 64", SHELL_TRACE).n, 64);
	assert_int_equal(ok("trace 0x40", SHELL_TRACE).n, 64);
	bad("trace 65", "trace: count 65 is above 64");
	bad("trace 0", "trace: count 0 is below 1");
	bad("trace 99999999999999999999",
	    "trace: count '99999999999999999999' is not a number (decimal or 0x hex, below 2^64)");
	bad("trace 5 6", "trace: unexpected argument '6' (usage: trace [N])");
	assert_int_equal(ok("delete", SHELL_DELETE).n, 0);
	assert_int_equal(ok("delete 1", SHELL_DELETE).n, 1);
	assert_int_equal(ok("delete 8", SHELL_DELETE).n, 8);
	bad("delete 9", "delete: breakpoint 9 is above 8");
	bad("delete 0", "delete: breakpoint 0 is below 1");
}

static void test_loglevel(void **state)
{
	static const char *const names[] = { "quiet", "error", "warn", "info",
					     "debug" };
	char line[32];

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "loglevel %s", names[i]);
		assert_int_equal(ok(line, SHELL_LOGLEVEL).level, i);
		snprintf(line, sizeof(line), "loglevel %u", i);
		assert_int_equal(ok(line, SHELL_LOGLEVEL).level, i);
	}
	bad("loglevel 5",
	    "loglevel: '5' is not a level (quiet, error, warn, info, debug or 0..4)");
	bad("loglevel DEBUG",
	    "loglevel: 'DEBUG' is not a level (quiet, error, warn, info, debug or 0..4)");
	bad("loglevel", "loglevel: missing argument (usage: loglevel NAME|0..4)");
}

static void test_help(void **state)
{
	char buf[4096], small[16];
	int n;

	(void)state;
	assert_int_equal(ok("help", SHELL_HELP).topic, SHELL_NONE);
	assert_int_equal(ok("help mem", SHELL_HELP).topic, SHELL_MEM);
	bad("help foo", "help: no command named 'foo'");
	bad("help mem regs", "help: unexpected argument 'regs' (usage: help [CMD])");
	/* One line per command, each starting with its name. */
	n = shell_help(SHELL_NONE, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	for (int k = SHELL_REGS; k < SHELL_KIND_COUNT; k++) {
		char one[256];
		const char *name = shell_cmd_name((enum shell_cmd_kind)k);

		assert_non_null(name);
		assert_true(shell_help((enum shell_cmd_kind)k, one, sizeof(one)) > 0);
		assert_int_equal(strncmp(one, name, strlen(name)), 0);
		assert_non_null(strstr(buf, one));
		assert_ptr_equal(strchr(one, '\n'), one + strlen(one) - 1);
	}
	shell_help(SHELL_MEM, buf, sizeof(buf));
	assert_string_equal(buf,
			    "mem p:GPA|v:GVA LEN                "
			    "hexdump of LEN (1..4096) bytes of guest memory, physical (p:) or virtual (v:)\n");
	/* Truncation: the full length, a terminated prefix. */
	assert_int_equal(shell_help(SHELL_MEM, small, sizeof(small)),
			 (int)strlen(buf));
	assert_string_equal(small, "mem p:GPA|v:GVA");
	assert_int_equal(shell_help(SHELL_MEM, NULL, 0), (int)strlen(buf));
}

static void test_hexdump(void **state)
{
	uint8_t data[20];
	char buf[512];
	int n;

	(void)state;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0x3e + i);
	n = shell_hexdump(buf, sizeof(buf), 0xffff8000, data, sizeof(data));
	assert_string_equal(buf,
		"00000000ffff8000  3e 3f 40 41 42 43 44 45  46 47 48 49 4a 4b 4c 4d  |>?@ABCDEFGHIJKLM|\n"
		"00000000ffff8010  4e 4f 50 51                                       |NOPQ            |\n");
	assert_int_equal(n, 2 * SHELL_HEXDUMP_LINE_LEN);
	data[0] = 0;
	data[1] = 0x7f;
	data[2] = 0x80;
	shell_hexdump(buf, sizeof(buf), 0, data, 3);
	assert_string_equal(buf,
		"0000000000000000  00 7f 80                                          |...             |\n");
	assert_int_equal(shell_hexdump(buf, sizeof(buf), 0, data, 0), 0);
	assert_string_equal(buf, "");
	assert_int_equal(shell_hexdump(buf, 10, 0, data, 16),
			 SHELL_HEXDUMP_LINE_LEN);
	assert_string_equal(buf, "000000000");
}

typedef int (*entry_fmt)(char *buf, size_t size, unsigned level,
			 uint64_t entry);

struct entry_case {
	unsigned level;
	uint64_t entry;
	const char *text;
};

static void check_entries(entry_fmt fmt, const struct entry_case *c, size_t n)
{
	char buf[160];

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fmt(buf, sizeof(buf), c[i].level, c[i].entry),
				 (int)strlen(c[i].text));
		assert_string_equal(buf, c[i].text);
	}
}

static void test_pte(void **state)
{
	static const struct entry_case cases[] = {
		{ 4, 0x0000000000123067ULL,
		  "PML4E 0x0000000000123067  P RW US --- --- A D -- - -- -> 0x0000000000123000\n" },
		{ 2, 0x80000000002001e3ULL,
		  "PDE   0x80000000002001e3  P RW -- --- --- A D PS G XD -> 0x0000000000200000\n" },
		{ 3, 0x00000000c0000099ULL,
		  "PDPTE 0x00000000c0000099  P -- -- PWT PCD - - PS - -- -> 0x00000000c0000000\n" },
		{ 1, 0x7ff0000000abc181ULL,
		  "PTE   0x7ff0000000abc181  P -- -- --- --- - - PAT G -- -> 0x0000000000abc000\n" },
		{ 5, 0xfffffffffffff000ULL, "PML5E 0xfffffffffffff000  not present\n" },
		{ 9, 1,
		  "?     0x0000000000000001  P -- -- --- --- - - -- - -- -> 0x0000000000000000\n" },
	};

	(void)state;
	check_entries(shell_format_pte, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_ept_entry(void **state)
{
	static const struct entry_case cases[] = {
		{ 4, 0x0000000000123107ULL,
		  "EPT PML4E 0x0000000000123107  R W X mt=-- ---- ----- A - -> 0x0000000000123000\n" },
		{ 2, 0x00000000002003f7ULL,
		  "EPT PDE   0x00000000002003f7  R W X mt=WB IPAT large A D -> 0x0000000000200000\n" },
		{ 1, 0x0000000000abc001ULL,
		  "EPT PTE   0x0000000000abc001  R - - mt=UC ---- ----- - - -> 0x0000000000abc000\n" },
		{ 3, 0x00000000400000bcULL,
		  "EPT PDPTE 0x00000000400000bc  - - X mt=r7 ---- large - - -> 0x0000000040000000\n" },
		{ 1, 0x0000000000abc030ULL, "EPT PTE   0x0000000000abc030  not present\n" },
		{ 5, 4,
		  "EPT ?     0x0000000000000004  - - X mt=-- ---- ----- - - -> 0x0000000000000000\n" },
	};

	(void)state;
	check_entries(shell_format_ept_entry, cases,
		      sizeof(cases) / sizeof(cases[0]));
}

static void test_regs(void **state)
{
	struct shell_regs r;
	char buf[2048];
	int n;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.level = 2;
	for (unsigned i = 0; i < 16; i++)
		r.gpr[i] = 0x1111111111111111ULL * (i & 0xf);
	r.rip = 0xffffffff81000000ULL;
	r.rflags = 0x202;
	r.cr0 = 0x80050033;
	r.cr3 = 0x1000;
	r.cr4 = 0x3606f0;
	r.efer = 0xd01;
	r.seg[SHELL_SEG_CS] = (struct shell_seg){ 0x10, 0, 0xffffffff, 0xa09b };
	r.seg[SHELL_SEG_TR] = (struct shell_seg){ 0x40, 0xfffffe0000003000ULL, 0x4087, 0x8b };
	r.seg[SHELL_SEG_LDTR].ar = 0x10000;
	n = shell_format_regs(buf, sizeof(buf), &r);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"L2 registers\n"
		"RAX=0000000000000000 RCX=1111111111111111 RDX=2222222222222222 RBX=3333333333333333\n"
		"RSP=4444444444444444 RBP=5555555555555555 RSI=6666666666666666 RDI=7777777777777777\n"
		"R8 =8888888888888888 R9 =9999999999999999 R10=aaaaaaaaaaaaaaaa R11=bbbbbbbbbbbbbbbb\n"
		"R12=cccccccccccccccc R13=dddddddddddddddd R14=eeeeeeeeeeeeeeee R15=ffffffffffffffff\n"
		"RIP=ffffffff81000000 RFLAGS=0000000000000202\n"
		"CR0=0000000080050033 CR2=0000000000000000 CR3=0000000000001000 CR4=00000000003606f0\n"
		"EFER=0000000000000d01\n"
		"ES   sel=0000 base=0000000000000000 limit=00000000 ar=00000\n"
		"CS   sel=0010 base=0000000000000000 limit=ffffffff ar=0a09b\n"
		"SS   sel=0000 base=0000000000000000 limit=00000000 ar=00000\n"
		"DS   sel=0000 base=0000000000000000 limit=00000000 ar=00000\n"
		"FS   sel=0000 base=0000000000000000 limit=00000000 ar=00000\n"
		"GS   sel=0000 base=0000000000000000 limit=00000000 ar=00000\n"
		"LDTR sel=0000 base=0000000000000000 limit=00000000 ar=10000\n"
		"TR   sel=0040 base=fffffe0000003000 limit=00004087 ar=0008b\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_argument_commands),
		cmocka_unit_test(test_empty_and_unknown),
		cmocka_unit_test(test_vmcs),
		cmocka_unit_test(test_ept_and_walk),
		cmocka_unit_test(test_mem_and_break),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_loglevel),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_hexdump),
		cmocka_unit_test(test_pte),
		cmocka_unit_test(test_ept_entry),
		cmocka_unit_test(test_regs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
