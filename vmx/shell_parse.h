/* The debug shell's command parser (issue 16, item 2): one line of text into
 * a struct shell_cmd, or a refusal whose message names the command and what
 * was wrong. Pure; the actions that carry the commands out are
 * vmx/shell_actions.c, called from vmx/guest_console.c's shell loop.
 *
 * In vmx/ because `vmcs` names fields from the VMCS field table
 * (vmx/vmcs_fields.h via vmx/vmcs_layout.h), and a lower layer may not
 * include vmx/; the byte-at-a-time line editor, which knows no commands,
 * is lib/line_edit.c.
 *
 * Syntax (words separated by spaces or tabs; numbers decimal or 0x hex):
 *   ADDR is p:NUMBER (guest-physical) or v:NUMBER (guest-virtual), the
 *   prefix always written, so `mem` and `break` are never ambiguous.
 *   The commands and their arguments are listed by `help` (shell_help()). */
#ifndef NESTOR_VMX_SHELL_PARSE_H
#define NESTOR_VMX_SHELL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/log.h"

/* Guest-physical addresses are below 2^52 (the architectural MAXPHYADDR
 * limit, SDM Vol. 3A 4.1.4); guest-virtual ones must be canonical for
 * 5-level paging (bits 63:57 copies of bit 56); the actions check the
 * guest's real widths. */
#define SHELL_GPA_MAX ((1ULL << 52) - 1)
#define SHELL_MEM_MAX_LEN 4096u
#define SHELL_TRACE_MAX 64u     /* the exit trace's ring (vmx/exit_trace.h) */
#define SHELL_TRACE_DEFAULT 16u
#define SHELL_BREAK_MAX 8u      /* breakpoints are numbered 1..8 */
#define SHELL_VMCS_MAX_FIELDS 8u
#define SHELL_ERR_LEN 128u      /* room for every message of shell_parse() */

enum shell_cmd_kind {
	SHELL_NONE,     /* an empty line: nothing to do */
	SHELL_REGS,
	SHELL_VMCS,
	SHELL_EPT,
	SHELL_WALK,
	SHELL_MEM,
	SHELL_EXITS,
	SHELL_TRACE,
	SHELL_STEP,
	SHELL_BREAK,
	SHELL_DELETE,
	SHELL_CONT,
	SHELL_NMI,
	SHELL_RESET,
	SHELL_LOGLEVEL,
	SHELL_HELP,
	SHELL_KIND_COUNT
};

enum shell_vmcs_which {
	SHELL_VMCS_CURRENT, /* no argument: vmcs02 while L2 runs, else vmcs01 */
	SHELL_VMCS_01,
	SHELL_VMCS_02,
	SHELL_VMCS_12,
	SHELL_VMCS_SHADOW,
};

struct shell_addr {
	bool virt; /* v: (guest-virtual) rather than p: (guest-physical) */
	uint64_t addr;
};

struct shell_cmd {
	enum shell_cmd_kind kind;
	/* vmcs: which VMCS and the rows of vmcs_field_table to show (none:
	 * all of them). */
	enum shell_vmcs_which vmcs;
	unsigned nfields;
	uint16_t field_rows[SHELL_VMCS_MAX_FIELDS];
	/* ept (physical), walk (virtual), mem and break. */
	struct shell_addr addr;
	uint32_t len;             /* mem: 1..SHELL_MEM_MAX_LEN */
	unsigned n;               /* trace: 1..64; delete: 1..8, 0 = all */
	enum log_level level;     /* loglevel */
	enum shell_cmd_kind topic; /* help: SHELL_NONE = every command */
};

/* Parses the len bytes at line (need not be NUL-terminated; any bytes).
 * Returns 0 with *cmd filled, or -1 with *cmd zeroed (kind SHELL_NONE) and
 * a non-empty NUL-terminated message in err (when errlen > 0). */
int shell_parse(const char *line, size_t len, struct shell_cmd *cmd,
		char *err, size_t errlen);

/* The help text: one line per command ("USAGE  what it does\n"), or only
 * the line of `topic`. snprintf-style: returns the full length. */
int shell_help(enum shell_cmd_kind topic, char *buf, size_t size);

/* The command's name ("mem"), or NULL for SHELL_NONE and out-of-range. */
const char *shell_cmd_name(enum shell_cmd_kind kind);

#endif
