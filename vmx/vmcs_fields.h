/* THE table of VMCS fields (SDM Vol. 3D, Appendix B; encodings per Vol. 3C
 * 24.11.2). Everything else about fields -- the encoding enum, names for the
 * dump and the auditor, widths, the vmcs12 layout used by nested VMX and the
 * shadow-VMCS bitmaps -- is generated from this one list.
 *
 * X(NAME, encoding, width, shadow)
 *   width:  U16, U32, U64, NAT (natural width)
 *   shadow: NO  - never shadowed (every L1 access exits)
 *           RO  - L1 may VMREAD it without an exit
 *           RW  - L1 may VMREAD and VMWRITE it without an exit
 * The "high" halves of 64-bit fields (encoding | 1) are not listed. */
#ifndef NESTOR_VMX_VMCS_FIELDS_H
#define NESTOR_VMX_VMCS_FIELDS_H

#define VMCS_FIELDS(X)                                                     \
	/* 16-bit control fields (B.1.1) */                                 \
	X(VPID, 0x0000, U16, NO)                                            \
	X(POSTED_INTR_NOTIFY_VECTOR, 0x0002, U16, NO)                       \
	X(EPTP_INDEX, 0x0004, U16, NO)                                      \
	/* 16-bit guest-state fields (B.1.2) */                             \
	X(GUEST_ES_SELECTOR, 0x0800, U16, RW)                               \
	X(GUEST_CS_SELECTOR, 0x0802, U16, RW)                               \
	X(GUEST_SS_SELECTOR, 0x0804, U16, RW)                               \
	X(GUEST_DS_SELECTOR, 0x0806, U16, RW)                               \
	X(GUEST_FS_SELECTOR, 0x0808, U16, RW)                               \
	X(GUEST_GS_SELECTOR, 0x080a, U16, RW)                               \
	X(GUEST_LDTR_SELECTOR, 0x080c, U16, RW)                             \
	X(GUEST_TR_SELECTOR, 0x080e, U16, RW)                               \
	X(GUEST_INTR_STATUS, 0x0810, U16, RW)                               \
	X(GUEST_PML_INDEX, 0x0812, U16, NO)                                 \
	/* 16-bit host-state fields (B.1.3) */                              \
	X(HOST_ES_SELECTOR, 0x0c00, U16, NO)                                \
	X(HOST_CS_SELECTOR, 0x0c02, U16, NO)                                \
	X(HOST_SS_SELECTOR, 0x0c04, U16, NO)                                \
	X(HOST_DS_SELECTOR, 0x0c06, U16, NO)                                \
	X(HOST_FS_SELECTOR, 0x0c08, U16, NO)                                \
	X(HOST_GS_SELECTOR, 0x0c0a, U16, NO)                                \
	X(HOST_TR_SELECTOR, 0x0c0c, U16, NO)                                \
	/* 64-bit control fields (B.2.1) */                                 \
	X(IO_BITMAP_A, 0x2000, U64, NO)                                     \
	X(IO_BITMAP_B, 0x2002, U64, NO)                                     \
	X(MSR_BITMAP, 0x2004, U64, NO)                                      \
	X(EXIT_MSR_STORE_ADDR, 0x2006, U64, NO)                             \
	X(EXIT_MSR_LOAD_ADDR, 0x2008, U64, NO)                              \
	X(ENTRY_MSR_LOAD_ADDR, 0x200a, U64, NO)                             \
	X(EXECUTIVE_VMCS_POINTER, 0x200c, U64, NO)                          \
	X(PML_ADDRESS, 0x200e, U64, NO)                                     \
	X(TSC_OFFSET, 0x2010, U64, RW)                                      \
	X(VIRTUAL_APIC_PAGE_ADDR, 0x2012, U64, NO)                          \
	X(APIC_ACCESS_ADDR, 0x2014, U64, NO)                                \
	X(POSTED_INTR_DESC_ADDR, 0x2016, U64, NO)                           \
	X(VM_FUNCTION_CONTROLS, 0x2018, U64, NO)                            \
	X(EPT_POINTER, 0x201a, U64, NO)                                     \
	X(EOI_EXIT_BITMAP0, 0x201c, U64, NO)                                \
	X(EOI_EXIT_BITMAP1, 0x201e, U64, NO)                                \
	X(EOI_EXIT_BITMAP2, 0x2020, U64, NO)                                \
	X(EOI_EXIT_BITMAP3, 0x2022, U64, NO)                                \
	X(EPTP_LIST_ADDR, 0x2024, U64, NO)                                  \
	X(VMREAD_BITMAP, 0x2026, U64, NO)                                   \
	X(VMWRITE_BITMAP, 0x2028, U64, NO)                                  \
	X(VE_INFO_ADDR, 0x202a, U64, NO)                                    \
	X(XSS_EXIT_BITMAP, 0x202c, U64, NO)                                 \
	X(ENCLS_EXITING_BITMAP, 0x202e, U64, NO)                            \
	X(TSC_MULTIPLIER, 0x2032, U64, NO)                                  \
	X(TERTIARY_PROC_CONTROLS, 0x2034, U64, NO)                          \
	/* 64-bit read-only data field (B.2.2) */                           \
	X(GUEST_PHYSICAL_ADDRESS, 0x2400, U64, RO)                          \
	/* 64-bit guest-state fields (B.2.3) */                             \
	X(VMCS_LINK_POINTER, 0x2800, U64, NO)                               \
	X(GUEST_IA32_DEBUGCTL, 0x2802, U64, NO)                             \
	X(GUEST_IA32_PAT, 0x2804, U64, NO)                                  \
	X(GUEST_IA32_EFER, 0x2806, U64, NO)                                 \
	X(GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808, U64, NO)                     \
	X(GUEST_PDPTE0, 0x280a, U64, NO)                                    \
	X(GUEST_PDPTE1, 0x280c, U64, NO)                                    \
	X(GUEST_PDPTE2, 0x280e, U64, NO)                                    \
	X(GUEST_PDPTE3, 0x2810, U64, NO)                                    \
	X(GUEST_IA32_BNDCFGS, 0x2812, U64, NO)                              \
	X(GUEST_IA32_RTIT_CTL, 0x2814, U64, NO)                             \
	/* 64-bit host-state fields (B.2.4) */                              \
	X(HOST_IA32_PAT, 0x2c00, U64, NO)                                   \
	X(HOST_IA32_EFER, 0x2c02, U64, NO)                                  \
	X(HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04, U64, NO)                      \
	/* 32-bit control fields (B.3.1) */                                 \
	X(PIN_BASED_CONTROLS, 0x4000, U32, NO)                              \
	X(PROC_BASED_CONTROLS, 0x4002, U32, RW)                             \
	X(EXCEPTION_BITMAP, 0x4004, U32, RW)                                \
	X(PAGE_FAULT_ERROR_CODE_MASK, 0x4006, U32, NO)                      \
	X(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008, U32, NO)                     \
	X(CR3_TARGET_COUNT, 0x400a, U32, NO)                                \
	X(EXIT_CONTROLS, 0x400c, U32, NO)                                   \
	X(EXIT_MSR_STORE_COUNT, 0x400e, U32, NO)                            \
	X(EXIT_MSR_LOAD_COUNT, 0x4010, U32, NO)                             \
	X(ENTRY_CONTROLS, 0x4012, U32, RW)                                  \
	X(ENTRY_MSR_LOAD_COUNT, 0x4014, U32, NO)                            \
	X(ENTRY_INTR_INFO, 0x4016, U32, RW)                                 \
	X(ENTRY_EXCEPTION_ERROR_CODE, 0x4018, U32, RW)                      \
	X(ENTRY_INSTRUCTION_LEN, 0x401a, U32, RW)                           \
	X(TPR_THRESHOLD, 0x401c, U32, RW)                                   \
	X(SECONDARY_PROC_CONTROLS, 0x401e, U32, NO)                         \
	X(PLE_GAP, 0x4020, U32, NO)                                         \
	X(PLE_WINDOW, 0x4022, U32, NO)                                      \
	/* 32-bit read-only data fields (B.3.2) */                          \
	X(VM_INSTRUCTION_ERROR, 0x4400, U32, RO)                            \
	X(EXIT_REASON, 0x4402, U32, RO)                                     \
	X(EXIT_INTR_INFO, 0x4404, U32, RO)                                  \
	X(EXIT_INTR_ERROR_CODE, 0x4406, U32, RO)                            \
	X(IDT_VECTORING_INFO, 0x4408, U32, RO)                              \
	X(IDT_VECTORING_ERROR_CODE, 0x440a, U32, RO)                        \
	X(EXIT_INSTRUCTION_LEN, 0x440c, U32, RO)                            \
	X(EXIT_INSTRUCTION_INFO, 0x440e, U32, RO)                           \
	/* 32-bit guest-state fields (B.3.3) */                             \
	X(GUEST_ES_LIMIT, 0x4800, U32, RW)                                  \
	X(GUEST_CS_LIMIT, 0x4802, U32, RW)                                  \
	X(GUEST_SS_LIMIT, 0x4804, U32, RW)                                  \
	X(GUEST_DS_LIMIT, 0x4806, U32, RW)                                  \
	X(GUEST_FS_LIMIT, 0x4808, U32, RW)                                  \
	X(GUEST_GS_LIMIT, 0x480a, U32, RW)                                  \
	X(GUEST_LDTR_LIMIT, 0x480c, U32, RW)                                \
	X(GUEST_TR_LIMIT, 0x480e, U32, RW)                                  \
	X(GUEST_GDTR_LIMIT, 0x4810, U32, RW)                                \
	X(GUEST_IDTR_LIMIT, 0x4812, U32, RW)                                \
	X(GUEST_ES_AR, 0x4814, U32, RW)                                     \
	X(GUEST_CS_AR, 0x4816, U32, RW)                                     \
	X(GUEST_SS_AR, 0x4818, U32, RW)                                     \
	X(GUEST_DS_AR, 0x481a, U32, RW)                                     \
	X(GUEST_FS_AR, 0x481c, U32, RW)                                     \
	X(GUEST_GS_AR, 0x481e, U32, RW)                                     \
	X(GUEST_LDTR_AR, 0x4820, U32, RW)                                   \
	X(GUEST_TR_AR, 0x4822, U32, RW)                                     \
	X(GUEST_INTERRUPTIBILITY, 0x4824, U32, RW)                          \
	X(GUEST_ACTIVITY_STATE, 0x4826, U32, RW)                            \
	X(GUEST_SMBASE, 0x4828, U32, NO)                                    \
	X(GUEST_IA32_SYSENTER_CS, 0x482a, U32, NO)                          \
	X(PREEMPTION_TIMER_VALUE, 0x482e, U32, RW)                          \
	/* 32-bit host-state field (B.3.4) */                               \
	X(HOST_IA32_SYSENTER_CS, 0x4c00, U32, NO)                           \
	/* Natural-width control fields (B.4.1) */                          \
	X(CR0_GUEST_HOST_MASK, 0x6000, NAT, NO)                             \
	X(CR4_GUEST_HOST_MASK, 0x6002, NAT, NO)                             \
	X(CR0_READ_SHADOW, 0x6004, NAT, RW)                                 \
	X(CR4_READ_SHADOW, 0x6006, NAT, RW)                                 \
	X(CR3_TARGET_VALUE0, 0x6008, NAT, NO)                               \
	X(CR3_TARGET_VALUE1, 0x600a, NAT, NO)                               \
	X(CR3_TARGET_VALUE2, 0x600c, NAT, NO)                               \
	X(CR3_TARGET_VALUE3, 0x600e, NAT, NO)                               \
	/* Natural-width read-only data fields (B.4.2) */                   \
	X(EXIT_QUALIFICATION, 0x6400, NAT, RO)                              \
	X(IO_RCX, 0x6402, NAT, NO)                                          \
	X(IO_RSI, 0x6404, NAT, NO)                                          \
	X(IO_RDI, 0x6406, NAT, NO)                                          \
	X(IO_RIP, 0x6408, NAT, NO)                                          \
	X(GUEST_LINEAR_ADDRESS, 0x640a, NAT, RO)                            \
	/* Natural-width guest-state fields (B.4.3) */                      \
	X(GUEST_CR0, 0x6800, NAT, RW)                                       \
	X(GUEST_CR3, 0x6802, NAT, RW)                                       \
	X(GUEST_CR4, 0x6804, NAT, RW)                                       \
	X(GUEST_ES_BASE, 0x6806, NAT, RW)                                   \
	X(GUEST_CS_BASE, 0x6808, NAT, RW)                                   \
	X(GUEST_SS_BASE, 0x680a, NAT, RW)                                   \
	X(GUEST_DS_BASE, 0x680c, NAT, RW)                                   \
	X(GUEST_FS_BASE, 0x680e, NAT, RW)                                   \
	X(GUEST_GS_BASE, 0x6810, NAT, RW)                                   \
	X(GUEST_LDTR_BASE, 0x6812, NAT, RW)                                 \
	X(GUEST_TR_BASE, 0x6814, NAT, RW)                                   \
	X(GUEST_GDTR_BASE, 0x6816, NAT, RW)                                 \
	X(GUEST_IDTR_BASE, 0x6818, NAT, RW)                                 \
	X(GUEST_DR7, 0x681a, NAT, NO)                                       \
	X(GUEST_RSP, 0x681c, NAT, RW)                                       \
	X(GUEST_RIP, 0x681e, NAT, RW)                                       \
	X(GUEST_RFLAGS, 0x6820, NAT, RW)                                    \
	X(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822, NAT, RW)                    \
	X(GUEST_IA32_SYSENTER_ESP, 0x6824, NAT, NO)                         \
	X(GUEST_IA32_SYSENTER_EIP, 0x6826, NAT, NO)                         \
	/* Natural-width host-state fields (B.4.4) */                       \
	X(HOST_CR0, 0x6c00, NAT, NO)                                        \
	X(HOST_CR3, 0x6c02, NAT, NO)                                        \
	X(HOST_CR4, 0x6c04, NAT, NO)                                        \
	X(HOST_FS_BASE, 0x6c06, NAT, NO)                                    \
	X(HOST_GS_BASE, 0x6c08, NAT, NO)                                    \
	X(HOST_TR_BASE, 0x6c0a, NAT, NO)                                    \
	X(HOST_GDTR_BASE, 0x6c0c, NAT, NO)                                  \
	X(HOST_IDTR_BASE, 0x6c0e, NAT, NO)                                  \
	X(HOST_IA32_SYSENTER_ESP, 0x6c10, NAT, NO)                          \
	X(HOST_IA32_SYSENTER_EIP, 0x6c12, NAT, NO)                          \
	X(HOST_RSP, 0x6c14, NAT, NO)                                        \
	X(HOST_RIP, 0x6c16, NAT, NO)

#endif
