/* The bits of the VM-exit information fields and of the guest's
 * interruptibility state, in one place (pure: also used by the entry
 * checker and the unit tests). */
#ifndef NESTOR_VMX_EXIT_INFO_H
#define NESTOR_VMX_EXIT_INFO_H

/* Interruption information: VM-exit (27.2.2, Table 27-15), IDT-vectoring
 * (27.2.4, Table 27-16) and VM-entry (24.8.3, Table 24-16) share it. */
#define INTR_INFO_VECTOR(x) ((x) & 0xffu)
#define INTR_INFO_TYPE(x) (((x) >> 8) & 7u)
#define INTR_INFO_ERROR_VALID (1u << 11)
#define INTR_INFO_NMI_UNBLOCKED_BY_IRET (1u << 12)
#define INTR_INFO_RSVD 0x7ffff000u /* bits 30:12 on VM entry */
#define INTR_INFO_VALID (1u << 31)

/* Guest interruptibility state (24.4.2, Table 24-3). */
#define INTR_BLOCK_STI (1u << 0)
#define INTR_BLOCK_MOV_SS (1u << 1)
#define INTR_BLOCK_SMI (1u << 2)
#define INTR_BLOCK_NMI (1u << 3)
#define INTR_ENCLAVE (1u << 4)
#define INTR_STATE_RSVD 0xffffffe0u /* bits 31:5 */

/* Pending debug exceptions (24.4.2, Table 24-4) and the #DB exit
 * qualification (27.2.1, Table 27-1): B0-B3, BD, BS, in DR6 positions. */
#define DBG_B0_3 0xfull
#define DBG_BD (1ull << 13)
#define DBG_BS (1ull << 14)

/* EPT-violation exit qualification (27.2.1, Table 27-7). */
#define EPTQ_READ (1u << 0)
#define EPTQ_WRITE (1u << 1)
#define EPTQ_FETCH (1u << 2)
#define EPTQ_LINEAR_VALID (1u << 7)
#define EPTQ_FINAL_ACCESS (1u << 8)

/* I/O exit qualification (27.2.1, Table 27-5). */
#define IOQ_SIZE(q) (((q) & 7) + 1)
#define IOQ_IN (1u << 3)
#define IOQ_STRING (1u << 4)
#define IOQ_PORT(q) ((uint16_t)((q) >> 16))

/* Segment access rights (24.4.1, Table 24-2). */
#define SEG_AR_DPL(ar) (((ar) >> 5) & 3)
#define SEG_AR_L (1u << 13)
#define SEG_AR_UNUSABLE (1u << 16)

#endif
