/* The operator's guest MSR filter (hypervisor option msr_filter=): parser,
 * validator and the allow/deny decision (pure: unit tested and fuzzed).
 *
 * Syntax, one command-line word (no spaces, no ';': GRUB splits on it):
 *   msr_filter=DEFAULT[,RANGE]...
 *   DEFAULT = allow | deny
 *   RANGE   = ACTION:ACCESS:FIRST[+COUNT | -LAST]
 *   ACTION  = allow | deny        ACCESS = r | w | rw
 *   FIRST, COUNT, LAST: decimal or 0x/0X-hex, no sign, at most 0xffffffff.
 * Without +COUNT or -LAST a range is the one MSR FIRST; FIRST-LAST is
 * inclusive. Example: "allow,deny:w:0x10" denies writes to IA32_TSC.
 *
 * Semantics are KVM's (KVM_X86_SET_MSR_FILTER, Documentation/virt/kvm/
 * api.rst): an access is decided by the first range, in command-line order,
 * that covers the MSR and whose ACCESS includes that kind of access; an
 * access no range covers is decided by DEFAULT. The x2APIC MSRs
 * 0x800-0x8ff (SDM Vol. 3A, 10.12.1.2) are never filtered: always allowed.
 * DEFAULT=deny with no range is refused, as KVM refuses it. */
#ifndef NESTOR_VMX_MSR_FILTER_H
#define NESTOR_VMX_MSR_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSR_FILTER_MAX_RANGES 16

/* The x2APIC MSR range (SDM Vol. 3A, 10.12.1.2, Table 10-6). */
#define MSR_X2APIC_FIRST 0x800u
#define MSR_X2APIC_LAST 0x8ffu

/* Longest text msr_filter_format() can produce, NUL included: "allow" and
 * 16 times ",allow:rw:0xffffffff-0xffffffff" is 502 bytes. */
#define MSR_FILTER_FORMAT_LEN 512

/* Longest piece of the input quoted back in an error message, in bytes. */
#define MSR_FILTER_MAX_QUOTE 40

enum {
	MSR_FILTER_READ = 1,
	MSR_FILTER_WRITE = 2,
};

struct msr_filter_range {
	uint32_t first, last; /* inclusive, first <= last */
	uint8_t access;       /* MSR_FILTER_READ and/or MSR_FILTER_WRITE */
	bool allow;
};

struct msr_filter {
	bool present; /* false: no filter, every access allowed */
	bool default_allow;
	unsigned nranges;
	struct msr_filter_range range[MSR_FILTER_MAX_RANGES];
};

/* Parses the len bytes at s (not NUL-terminated; a NUL byte inside is an
 * error). Returns 0 with *out filled and present, or -1 with *out cleared
 * (present false) and a NUL-terminated message naming the offending item
 * in err (when errlen > 0). */
int msr_filter_parse(const char *s, size_t len, struct msr_filter *out,
		     char *err, size_t errlen);

/* True when the filter lets the guest make this access. f NULL or not
 * present: everything is allowed. x2APIC MSRs: always allowed. */
bool msr_filter_allows(const struct msr_filter *f, uint32_t msr, bool write);

/* True when r covers part of the x2APIC range; then *first and *last
 * (each may be NULL) get that part, so the caller can say which MSRs the
 * range will not filter. */
bool msr_filter_x2apic_overlap(const struct msr_filter_range *r,
			       uint32_t *first, uint32_t *last);

/* Writes the filter in its canonical command-line form (it parses back to
 * the same filter), e.g. "deny,allow:rw:0x0-0x1fff,allow:w:0x10", or "none"
 * when f is NULL or not present. snprintf semantics: returns the full
 * length, buf truncated and NUL-terminated when len > 0. */
int msr_filter_format(const struct msr_filter *f, char *buf, size_t len);

#endif
