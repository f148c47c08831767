/* VM-instruction error numbers (SDM Vol. 3C, 31.4, Table 31-1). */
#ifndef NESTOR_VMX_VMX_ERRORS_H
#define NESTOR_VMX_VMX_ERRORS_H

#include <stdint.h>

#define VMXERR_ENTRY_INVALID_CONTROLS 7
#define VMXERR_ENTRY_INVALID_HOST_STATE 8
#define VMXERR_UNSUPPORTED_FIELD 12

/* The SDM's text for error number n ("unknown error" otherwise). */
const char *vmx_instruction_error_text(uint32_t n);

#endif
