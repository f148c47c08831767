/* Architectural register bits and MSR indices, constants only (usable by
 * pure code and host tests). One place for them: CR0 and CR4 (SDM Vol. 3A,
 * 2.5), EFER (Vol. 3A, 2.2.1), RFLAGS (Vol. 1, 3.4.3), MSRs (Vol. 4,
 * Table 2-2). VMX capability MSRs are in vmx/vmx_msrs.h. */
#ifndef NESTOR_ARCH_X86_REGS_H
#define NESTOR_ARCH_X86_REGS_H

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)

#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_LA57 (1ULL << 12)
#define CR4_VMXE (1ULL << 13)
#define CR4_SMXE (1ULL << 14)
#define CR4_PCIDE (1ULL << 17)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_SMEP (1ULL << 20)
#define CR4_PKE (1ULL << 22)
#define CR4_CET (1ULL << 23)

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

/* The arithmetic flags (Vol. 1 3.4.3.1); VMX instructions report their
 * outcome in CF and ZF and clear the others (Vol. 3C 30.2). */
#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_PF (1ULL << 2)
#define RFLAGS_AF (1ULL << 4)
#define RFLAGS_ZF (1ULL << 6)
#define RFLAGS_SF (1ULL << 7)
#define RFLAGS_OF (1ULL << 11)
#define RFLAGS_FIXED1 (1ULL << 1)
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_VM (1ULL << 17)

#define MSR_IA32_APIC_BASE 0x1b
/* IA32_APIC_BASE (SDM Vol. 3A 11.4.4, 11.12.1): EXTD = x2APIC mode, EN =
 * APIC globally enabled, bits 51:12 the xAPIC page. */
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ull
#define MSR_IA32_FEATURE_CONTROL 0x3a
/* IA32_FEATURE_CONTROL bits (SDM Vol. 3C, 23.7). */
#define FEATURE_CONTROL_LOCKED (1ULL << 0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX (1ULL << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ULL << 2)
#define MSR_IA32_BIOS_UPDT_TRIG 0x79
#define MSR_IA32_SMM_MONITOR_CTL 0x9b
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_XSS 0xda0

/* Local APIC registers (SDM Vol. 3A 11.4.1 Table 11-1: xAPIC MMIO offsets;
 * 11.12.1.2 Table 11-6: x2APIC MSRs). */
#define XAPIC_ID 0x20
#define XAPIC_LDR 0xd0
#define XAPIC_DFR 0xe0
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define MSR_X2APIC_ID 0x802
#define MSR_X2APIC_LDR 0x80d
#define MSR_X2APIC_ICR 0x830
#define XSS_PT (1ULL << 8) /* IA32_XSS bit 8: Intel PT state (SDM Vol. 1 13.5.6) */
#define MSR_IA32_DEBUGCTL 0x1d9
#define MSR_IA32_PAT 0x277
#define MSR_IA32_PERF_GLOBAL_CTRL 0x38f
#define MSR_IA32_BNDCFGS 0xd90
#define MSR_IA32_PEBS_ENABLE 0x3f1
#define MSR_IA32_DS_AREA 0x600
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

#endif
