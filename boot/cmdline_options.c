/* The option registry: every hypervisor command-line option, its value
 * parser and its default. A new feature adds its field to boot/config.h, its
 * default to config_set_defaults() and one row to cmdline_options[].
 *
 * Value parsers get the value bytes (not NUL-terminated) and either update
 * the config and return 0, or return -1 and leave the config untouched. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/cmdline.h"
#include "boot/config.h"
#include "lib/compiler.h"
#include "lib/string.h"
#include "mm/nestor_mem.h"
#include "vmx/console_mux.h"

/* The 16550 UART's baud rate generator divides its 1.8432 MHz clock by 16
 * and then by a 16-bit divisor (PC16550D datasheet, "Programmable Baud
 * Generator"): baud = 115200 / divisor, so only divisors of 115200 are
 * exact. 300 is the slowest rate worth supporting. */
#define UART_BASE_BAUD 115200u
#define UART_MIN_BAUD 300u

/* A UART occupies 8 consecutive I/O ports (PC16550D datasheet, register
 * addresses 0..7), so its base must leave room for base + 7 <= 0xffff. */
#define UART_MAX_PORT 0xfff8u

/* Legacy PC COM port bases (IBM PC/AT BIOS, the BDA's COM table). */
static const struct cmdline_keyword com_ports[] = {
	{ "com1", 0x3f8 },
	{ "com2", 0x2f8 },
	{ "com3", 0x3e8 },
	{ "com4", 0x2e8 },
};

static const struct cmdline_keyword log_levels[] = {
#define X(e, name, value) { name, e },
	LOG_LEVELS(X)
#undef X
};

static const struct cmdline_keyword test_faults[] = {
	{ "none", TEST_FAULT_NONE },
	{ "pf", TEST_FAULT_PF },
	{ "ud", TEST_FAULT_UD },
	{ "de", TEST_FAULT_DE },
	{ "gp", TEST_FAULT_GP },
	{ "panic", TEST_FAULT_PANIC },
	{ "vmx_panic", TEST_FAULT_VMX_PANIC },
};

void config_set_defaults(struct nestor_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->console.port = 0x3f8;
	cfg->console.baud = UART_BASE_BAUD;
	cfg->loglevel = LOG_INFO;
	cfg->test_fault = TEST_FAULT_NONE;
	cfg->nested = true;
	cfg->console_escape = CONSOLE_ESCAPE_DEFAULT;
}

/* com1..com4 or a number in 1..UART_MAX_PORT. */
static int parse_uart_port(const char *val, size_t len, uint16_t *port)
{
	uint64_t n;
	int kw;

	if (cmdline_match_keyword(val, len, com_ports, ARRAY_SIZE(com_ports),
				  &kw) == 0) {
		*port = (uint16_t)kw;
		return 0;
	}
	if (cmdline_parse_uint(val, len, UART_MAX_PORT, &n) != 0 || n == 0)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

/* A rate the UART can produce exactly: UART_MIN_BAUD..UART_BASE_BAUD and a
 * divisor of UART_BASE_BAUD. */
static int parse_baud(const char *val, size_t len, uint32_t *baud)
{
	uint64_t n;

	if (cmdline_parse_uint(val, len, UART_BASE_BAUD, &n) != 0)
		return -1;
	if (n < UART_MIN_BAUD || UART_BASE_BAUD % n != 0)
		return -1;
	*baud = (uint32_t)n;
	return 0;
}

/* console=<port>[,<baud>]; the baud rate defaults to UART_BASE_BAUD. */
static int parse_console(const char *val, size_t len, struct nestor_config *cfg)
{
	size_t port_len = 0;
	uint16_t port;
	uint32_t baud = UART_BASE_BAUD;

	while (port_len < len && val[port_len] != ',')
		port_len++;
	if (parse_uart_port(val, port_len, &port) != 0)
		return -1;
	if (port_len < len &&
	    parse_baud(val + port_len + 1, len - port_len - 1, &baud) != 0)
		return -1;
	cfg->console.port = port;
	cfg->console.baud = baud;
	return 0;
}

/* gdb=<port>[,wait]: the port as for console= (the stub runs at
 * UART_BASE_BAUD). */
static int parse_gdb(const char *val, size_t len, struct nestor_config *cfg)
{
	size_t port_len = 0;
	uint16_t port;
	bool wait = false;

	while (port_len < len && val[port_len] != ',')
		port_len++;
	if (parse_uart_port(val, port_len, &port) != 0)
		return -1;
	if (port_len < len) {
		if (len - port_len - 1 != 4 ||
		    memcmp(val + port_len + 1, "wait", 4) != 0)
			return -1;
		wait = true;
	}
	cfg->gdb.port = port;
	cfg->gdb.wait = wait;
	return 0;
}

/* loglevel=<name> or its number 0..4. */
static int parse_loglevel(const char *val, size_t len, struct nestor_config *cfg)
{
	uint64_t n;
	int kw;

	if (cmdline_match_keyword(val, len, log_levels, ARRAY_SIZE(log_levels),
				  &kw) == 0) {
		cfg->loglevel = (enum log_level)kw;
		return 0;
	}
	if (cmdline_parse_uint(val, len, LOG_DEBUG, &n) != 0)
		return -1;
	cfg->loglevel = (enum log_level)n;
	return 0;
}

static int parse_test_fault(const char *val, size_t len,
			    struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, test_faults,
				  ARRAY_SIZE(test_faults), &kw) != 0)
		return -1;
	cfg->test_fault = (enum test_fault)kw;
	return 0;
}

/* SDM Vol. 3A 4.1.4: MAXPHYADDR is at most 52; Nestor's EPT identity map
 * and guests need at least 4 GiB. The upper bound that matters, the CPU's
 * own width, is only known later (boot/main.c checks it). */
#define GUEST_MAXPHYADDR_MIN 32
#define GUEST_MAXPHYADDR_MAX 52

static int parse_guest_maxphyaddr(const char *val, size_t len,
				  struct nestor_config *cfg)
{
	uint64_t n;

	if (cmdline_parse_uint(val, len, GUEST_MAXPHYADDR_MAX, &n) != 0 ||
	    n < GUEST_MAXPHYADDR_MIN)
		return -1;
	cfg->guest_maxphyaddr = (unsigned)n;
	return 0;
}

/* nestor_mem=: MiB, NESTOR_MEM_MIN_MIB..NESTOR_MEM_MAX_MIB; whether that
 * much free RAM exists is only known later (boot/main.c says so). */
static int parse_nestor_mem(const char *val, size_t len,
			    struct nestor_config *cfg)
{
	uint64_t n;

	if (cmdline_parse_uint(val, len, NESTOR_MEM_MAX_MIB, &n) != 0 ||
	    n < NESTOR_MEM_MIN_MIB)
		return -1;
	cfg->nestor_mem_mib = (unsigned)n;
	return 0;
}

/* msr_filter=: vmx/msr_filter.c parses it; a refused filter is a boot
 * error that names the offending item (explain_msr_filter). */
static int parse_msr_filter(const char *val, size_t len,
			    struct nestor_config *cfg)
{
	struct msr_filter f;

	if (msr_filter_parse(val, len, &f, NULL, 0) != 0)
		return -1;
	cfg->msr_filter = f;
	return 0;
}

static void explain_msr_filter(const char *val, size_t len, char *msg,
			       size_t msglen)
{
	struct msr_filter f;

	msr_filter_parse(val, len, &f, msg, msglen);
}

static const struct cmdline_keyword yes_no[] = {
	{ "0", 0 }, { "1", 1 }, { "no", 0 }, { "yes", 1 },
};

static int parse_test_vmxon_fault(const char *val, size_t len,
				  struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, yes_no, ARRAY_SIZE(yes_no), &kw))
		return -1;
	cfg->test_vmxon_fault = kw;
	return 0;
}

static const struct cmdline_keyword panic_actions[] = {
	{ "halt", 0 }, { "reboot", 1 },
};

static int parse_panic(const char *val, size_t len, struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, panic_actions,
				  ARRAY_SIZE(panic_actions), &kw))
		return -1;
	cfg->panic_reboot = kw;
	return 0;
}

static const struct cmdline_keyword reset_actions[] = {
	{ "poweroff", 0 }, { "restart", 1 },
};

static int parse_on_guest_reset(const char *val, size_t len,
				struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, reset_actions,
				  ARRAY_SIZE(reset_actions), &kw))
		return -1;
	cfg->guest_reset_restart = kw;
	return 0;
}

static const struct cmdline_keyword on_off[] = {
	{ "off", 0 }, { "on", 1 },
};

static int parse_nested(const char *val, size_t len, struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, on_off, ARRAY_SIZE(on_off), &kw))
		return -1;
	cfg->nested = kw;
	return 0;
}

static const struct cmdline_keyword console_shares[] = {
	{ "emulate", 0 }, { "passthrough", 1 },
};

static int parse_console_share(const char *val, size_t len,
			       struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, console_shares,
				  ARRAY_SIZE(console_shares), &kw))
		return -1;
	cfg->console_passthrough = kw;
	return 0;
}

/* console_escape=: a control character, 0x01..0x1f, not CR, LF or BS
 * (the shell's line editor needs those). */
static int parse_console_escape(const char *val, size_t len,
				struct nestor_config *cfg)
{
	uint64_t n;

	if (cmdline_parse_uint(val, len, 0x1f, &n) != 0 || n == 0 ||
	    n == '\r' || n == '\n' || n == '\b')
		return -1;
	cfg->console_escape = (uint8_t)n;
	return 0;
}

/* The points vmx/vmcs_track.c can NMI itself at (enum crash_test_point). */
static const struct cmdline_keyword crash_points[] = {
	{ "none", 0 }, { "vmptrld", 1 }, { "vmclear", 2 }, { "guest", 3 },
	{ "l2", 4 },
};

static int parse_test_crash_nmi(const char *val, size_t len,
				struct nestor_config *cfg)
{
	int kw;

	if (cmdline_match_keyword(val, len, crash_points,
				  ARRAY_SIZE(crash_points), &kw))
		return -1;
	cfg->test_crash_nmi = (unsigned)kw;
	return 0;
}

/* The fields vmx/entry_failure.c knows how to corrupt. */
static const char *const breakable_fields[] = { "rflags", "cs_ar", "cr4",
						"host_cr4" };

static int parse_test_break_guest(const char *val, size_t len,
				  struct nestor_config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(breakable_fields); i++) {
		if (cmdline_value_is(val, len, breakable_fields[i])) {
			memcpy(cfg->test_break_guest, val, len);
			cfg->test_break_guest[len] = '\0';
			return 0;
		}
	}
	return -1;
}

/* test_pool_spare=: 1..4096 pages. */
#define TEST_POOL_SPARE_MAX 4096

static int parse_test_pool_spare(const char *val, size_t len,
				 struct nestor_config *cfg)
{
	uint64_t n;

	if (cmdline_parse_uint(val, len, TEST_POOL_SPARE_MAX, &n) != 0 || n == 0)
		return -1;
	cfg->test_pool_spare = (unsigned)n;
	return 0;
}

const struct cmdline_option cmdline_options[] = {
	{
		.name = "console",
		.parse = parse_console,
		.accepted = "com1..com4 or an I/O port (0x3f8), optionally ,baud (e.g. console=com2,57600)",
		.help = "serial console UART and baud rate (default com1,115200)",
	},
	{
		.name = "loglevel",
		.parse = parse_loglevel,
		.accepted = "quiet, error, warn, info, debug or 0..4",
		.help = "how much Nestor logs on the console (default info)",
	},
	{
		.name = "guest_maxphyaddr",
		.parse = parse_guest_maxphyaddr,
		.accepted = "32..52 and at most this CPU's MAXPHYADDR",
		.help = "the guest's physical-address width (CPUID.80000008H:EAX[7:0]), with a CPU's exact reserved-bit #PF semantics (default: the CPU's)",
	},
	{
		.name = "msr_filter",
		.parse = parse_msr_filter,
		.accepted = "allow|deny[,allow|deny:r|w|rw:FIRST[+COUNT|-LAST]]... (see README)",
		.help = "guest RDMSR/WRMSR filter: a default and up to 16 ranges, first match wins; x2APIC MSRs are never filtered",
		.explain = explain_msr_filter,
	},
	{
		.name = "panic",
		.parse = parse_panic,
		.accepted = "halt or reboot",
		.help = "what a crash does after leaving VMX on every CPU (default halt)",
	},
	{
		.name = "on_guest_reset",
		.parse = parse_on_guest_reset,
		.accepted = "poweroff or restart",
		.help = "on a guest triple fault or reset hypercall: power off with the failure status, or tear the guest down and start it again from a fresh load of its image (default poweroff)",
	},
	{
		.name = "nested",
		.parse = parse_nested,
		.accepted = "on or off",
		.help = "nested VMX: show the guest VMX so it can be a hypervisor itself (on), or hide VMX as a CPU without it would (off) (default on)",
	},
	{
		.name = "nestor_mem",
		.parse = parse_nestor_mem,
		.accepted = "2..3072 (MiB)",
		.help = "the size of Nestor's memory pool at the top of RAM, hidden from the guest (default: 1/8 of RAM, at least 8 and at most 64 MiB)",
	},
	{
		.name = "test_fault",
		.parse = parse_test_fault,
		.accepted = "none, pf, ud, de, gp, panic or vmx_panic",
		.help = "TEST ONLY: make Nestor fault on purpose so tests can check the exception report (default none)",
	},
	{
		.name = "test_vmxon_fault",
		.parse = parse_test_vmxon_fault,
		.accepted = "0, 1, no or yes",
		.help = "TEST ONLY: leave CR4.VMXE clear so VMXON faults, to test that report (default no)",
	},
	{
		.name = "test_break_guest",
		.parse = parse_test_break_guest,
		.accepted = "rflags, cs_ar, cr4 or host_cr4",
		.help = "TEST ONLY: corrupt one VMCS field before the first VM entry, to test the VM-entry failure audit",
	},
	{
		.name = "test_crash_nmi",
		.parse = parse_test_crash_nmi,
		.accepted = "none, vmptrld, vmclear or guest",
		.help = "TEST ONLY: Nestor sends itself an NMI that enters the crash path at that point, then re-enters VMX and relaunches the same VMCS (default none)",
	},
	{
		.name = "test_pool_spare",
		.parse = parse_test_pool_spare,
		.accepted = "1..4096 (pages)",
		.help = "TEST ONLY: leave only that many pages of Nestor's memory free once the guest is launched, to reach the exhausted-pool path (default: all)",
	},
	{
		.name = "gdb",
		.parse = parse_gdb,
		.accepted = "com1..com4 or an I/O port (0x2f8), optionally ,wait (e.g. gdb=com2,wait); not console='s port",
		.help = "GDB remote stub for the guest on that UART at 115200 baud; ,wait stops the guest before its first instruction until GDB continues it (default off)",
	},
	{
		.name = "console_share",
		.parse = parse_console_share,
		.accepted = "emulate or passthrough",
		.help = "with console on com1, the guest's console UART: Nestor emulates it for the guest, sharing the line (emulate), or lets the guest reach it directly (passthrough) (default emulate)",
	},
	{
		.name = "console_escape",
		.parse = parse_console_escape,
		.accepted = "0x01..0x1f except 0x08, 0x0a, 0x0d",
		.help = "escape character on the shared console: then c for Nestor's shell and back, x to power off (default 0x01, Ctrl-A)",
	},
};

const size_t cmdline_option_count = ARRAY_SIZE(cmdline_options);
