/* VMREAD/VMWRITE with error reporting, the VMCS dump and snapshot, all
 * driven by the field table (vmx/vmcs_fields.h). */
#include "vmx/vmcs.h"

struct vmcs_access_counts vmcs_accesses;
#include "arch/x86/traps.h"
#include "lib/log.h"
#include "lib/string.h"
#include "vmx/vmx_errors.h"

static const char *field_name(enum vmcs_field f)
{
	const struct vmcs_field_info *info = vmcs_field_lookup(f);

	return info ? info->name : "?";
}

static uint32_t instruction_error(void)
{
	uint64_t err = 0;

	if (vmread(VMCS_VM_INSTRUCTION_ERROR, &err) != VMX_OK)
		return 0;
	return (uint32_t)err;
}

static NORETURN void access_failed(enum vmcs_field f, bool write, uint64_t v,
				   enum vmx_status st)
{
	uint32_t e = st == VMX_FAIL_VALID ? instruction_error() : 0;

	panic("%s %s (0x%x)%s failed: %s (error %u: %s)",
	      write ? "VMWRITE" : "VMREAD", field_name(f), f,
	      write ? " with a value" : "",
	      st == VMX_FAIL_INVALID ? "no current VMCS" : "VMfailValid", e,
	      vmx_instruction_error_text(e));
	(void)v;
}

void vmcs_read_failed(enum vmcs_field f)
{
	uint64_t v;

	access_failed(f, false, 0, vmread(f, &v));
}

void vmcs_write_failed(enum vmcs_field f, uint64_t v)
{
	access_failed(f, true, v, vmwrite(f, v));
}

void vmcs_dump(void)
{
	unsigned skipped = 0;

	log_printf(LOG_QUIET, "nestor: VMCS dump (fields from vmx/vmcs_fields.h):\n");
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_info *fi = &vmcs_field_table[i];
		uint64_t v;

		if (vmread(fi->encoding, &v) != VMX_OK) {
			skipped++; /* not supported by this CPU */
			continue;
		}
		log_printf(LOG_QUIET, "  %-30s %04x = 0x%lx\n", fi->name,
			   fi->encoding, v);
	}
	if (skipped)
		log_printf(LOG_QUIET, "  (%u fields not supported by this CPU)\n",
			   skipped);
}

void vmcs_snapshot(struct vmcs12 *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < vmcs_field_count; i++) {
		const struct vmcs_field_info *fi = &vmcs_field_table[i];
		uint8_t *p = (uint8_t *)out + fi->offset;
		uint64_t v;

		if (vmread(fi->encoding, &v) != VMX_OK)
			continue;
		switch (fi->width) {
		case VMCS_W16: {
			uint16_t x = (uint16_t)v;
			memcpy(p, &x, sizeof(x));
			break;
		}
		case VMCS_W32: {
			uint32_t x = (uint32_t)v;
			memcpy(p, &x, sizeof(x));
			break;
		}
		default:
			memcpy(p, &v, sizeof(v));
		}
	}
}
