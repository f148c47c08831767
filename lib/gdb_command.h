/* GDB remote protocol: a received packet decoded into a tagged struct
 * (pure). GDB manual, "Remote Protocol: Packets" and "General Query
 * Packets". Decoding is total: every input gives a command, "unsupported"
 * (the stub answers an empty packet, which GDB reads as "not supported"),
 * or an error code (the stub answers "Exx", gdb_error_code()). Hex data
 * (G, P, M) is checked here and left in the packet: the pointers in the
 * command point into the decoded buffer and live as long as it does. The
 * codec of the GDB stub of issue 16; vmx/gdb_stub.c uses it. */
#ifndef NESTOR_LIB_GDB_COMMAND_H
#define NESTOR_LIB_GDB_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gdb_error {
	GDB_OK = 0,
	GDB_ERR_SYNTAX,		/* missing or stray field, wrong separator */
	GDB_ERR_HEX,		/* a non-hex digit, or odd hex data */
	GDB_ERR_NUMBER,		/* a number above its field's range */
	GDB_ERR_LENGTH,		/* a length beyond the buffer, or data of
				   another length than announced */
};

/* The "Exx" code for an error (the enum value: 01..04; the stub's own
 * errors use other codes), and a name for logs. */
unsigned gdb_error_code(enum gdb_error e);
const char *gdb_error_name(enum gdb_error e);

enum gdb_cmd_kind {
	GDB_CMD_UNSUPPORTED,	/* anything else: answer "" */
	GDB_CMD_HALT_REASON,	/* ? */
	GDB_CMD_READ_REGS,	/* g */
	GDB_CMD_WRITE_REGS,	/* G XX... */
	GDB_CMD_READ_REG,	/* p n */
	GDB_CMD_WRITE_REG,	/* P n=r */
	GDB_CMD_READ_MEM,	/* m addr,length */
	GDB_CMD_WRITE_MEM,	/* M addr,length:XX... */
	GDB_CMD_CONTINUE,	/* c [addr] */
	GDB_CMD_STEP,		/* s [addr] */
	GDB_CMD_VCONT_QUERY,	/* vCont? */
	GDB_CMD_VCONT,		/* vCont;action[:tid]... */
	GDB_CMD_INSERT_BREAK,	/* Z0/Z1,addr,kind */
	GDB_CMD_REMOVE_BREAK,	/* z0/z1,addr,kind */
	GDB_CMD_KILL,		/* k */
	GDB_CMD_DETACH,		/* D */
	GDB_CMD_SUPPORTED,	/* qSupported[:features] */
	GDB_CMD_XFER_FEATURES,	/* qXfer:features:read:annex:offset,length */
	GDB_CMD_ATTACHED,	/* qAttached */
	GDB_CMD_CURRENT_THREAD,	/* qC */
	GDB_CMD_THREAD_INFO_FIRST, /* qfThreadInfo */
	GDB_CMD_THREAD_INFO_NEXT,  /* qsThreadInfo */
	GDB_CMD_SET_THREAD,	/* H g|c tid */
	GDB_CMD_MONITOR,	/* qRcmd,hex */
};

/* Thread ids ("Packets", thread-id syntax without multiprocess): a
 * positive hex id, 0 for any thread, -1 for all threads. */
#define GDB_TID_ANY 0
#define GDB_TID_ALL (-1)

/* Bytes per register the decoder accepts in P (x87 registers are 10). */
#define GDB_REG_MAX_BYTES 16
/* vCont actions in one packet. */
#define GDB_VCONT_MAX 4
/* A monitor command's text, decoded from qRcmd's hex. */
#define GDB_MONITOR_MAX 128

enum gdb_break_type { GDB_BREAK_SW = 0, GDB_BREAK_HW = 1 };

/* qSupported features GDB announced that the stub may care about. */
#define GDB_FEAT_SWBREAK (1u << 0)	/* swbreak+ */
#define GDB_FEAT_HWBREAK (1u << 1)	/* hwbreak+ */
#define GDB_FEAT_MULTIPROCESS (1u << 2)	/* multiprocess+ */
#define GDB_FEAT_VCONT (1u << 3)	/* vContSupported+ */
#define GDB_FEAT_XML_I386 (1u << 4)	/* xmlRegisters=...i386... */

struct gdb_vcont_action {
	char action;		/* 'c', 's', 'C' or 'S' */
	uint8_t signal;		/* C and S only */
	int64_t tid;		/* GDB_TID_ALL when none is given */
};

enum gdb_monitor_kind {
	GDB_MONITOR_UNKNOWN,	/* the stub says so in its output */
	GDB_MONITOR_HELP,	/* "help" */
	GDB_MONITOR_LEVEL,	/* "level 1" / "level 2": which guest GDB sees */
};

struct gdb_command {
	enum gdb_cmd_kind kind;
	union {
		struct {		/* G */
			const uint8_t *hex;
			size_t hex_len;
		} regs;
		struct {		/* p, P */
			uint32_t regno;
			const uint8_t *hex;	/* P only */
			size_t hex_len;
		} reg;
		struct {		/* m, M */
			uint64_t addr;
			uint64_t len;
			const uint8_t *hex;	/* M only, 2 * len digits */
		} mem;
		struct {		/* c, s */
			bool has_addr;
			uint64_t addr;
		} resume;
		struct {		/* vCont */
			unsigned count;
			struct gdb_vcont_action action[GDB_VCONT_MAX];
		} vcont;
		struct {		/* Z, z */
			enum gdb_break_type type;
			uint64_t addr;
			uint32_t kind;
		} brk;
		struct {		/* qSupported */
			uint32_t features;	/* GDB_FEAT_* */
		} supported;
		struct {		/* qXfer:features:read */
			const uint8_t *annex;
			size_t annex_len;
			uint64_t offset;
			uint64_t len;
		} xfer;
		struct {		/* H */
			char op;		/* 'g' or 'c' */
			int64_t tid;
		} thread;
		struct {		/* qRcmd */
			char text[GDB_MONITOR_MAX];
			size_t len;
			enum gdb_monitor_kind kind;
			unsigned level;		/* GDB_MONITOR_LEVEL */
		} monitor;
	} u;
};

/* Decodes a packet's payload (as gdb_rx delivers it). Always sets
 * cmd->kind; returns GDB_OK, or an error with cmd->kind saying which
 * command was malformed. Never reads outside data[0..len). */
enum gdb_error gdb_decode(const uint8_t *data, size_t len,
			  struct gdb_command *cmd);

#endif
