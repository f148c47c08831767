/* Basic VM-exit reasons (SDM Vol. 3D, Appendix C), as an X-macro:
 * X(number, NAME, "description"). Everything that needs names or a table
 * indexed by reason is generated from this list. */
#ifndef NESTOR_VMX_EXIT_REASONS_H
#define NESTOR_VMX_EXIT_REASONS_H

#define VMX_EXIT_REASONS(X)                                                 \
	X(0, EXCEPTION_NMI, "exception or NMI")                              \
	X(1, EXTERNAL_INTERRUPT, "external interrupt")                        \
	X(2, TRIPLE_FAULT, "triple fault")                                   \
	X(3, INIT, "INIT signal")                                            \
	X(4, SIPI, "start-up IPI")                                           \
	X(5, IO_SMI, "I/O SMI")                                              \
	X(6, OTHER_SMI, "other SMI")                                         \
	X(7, INTERRUPT_WINDOW, "interrupt window")                            \
	X(8, NMI_WINDOW, "NMI window")                                       \
	X(9, TASK_SWITCH, "task switch")                                     \
	X(10, CPUID, "CPUID")                                                \
	X(11, GETSEC, "GETSEC")                                              \
	X(12, HLT, "HLT")                                                    \
	X(13, INVD, "INVD")                                                  \
	X(14, INVLPG, "INVLPG")                                              \
	X(15, RDPMC, "RDPMC")                                                \
	X(16, RDTSC, "RDTSC")                                                \
	X(17, RSM, "RSM")                                                    \
	X(18, VMCALL, "VMCALL")                                              \
	X(19, VMCLEAR, "VMCLEAR")                                            \
	X(20, VMLAUNCH, "VMLAUNCH")                                          \
	X(21, VMPTRLD, "VMPTRLD")                                            \
	X(22, VMPTRST, "VMPTRST")                                            \
	X(23, VMREAD, "VMREAD")                                              \
	X(24, VMRESUME, "VMRESUME")                                          \
	X(25, VMWRITE, "VMWRITE")                                            \
	X(26, VMXOFF, "VMXOFF")                                              \
	X(27, VMXON, "VMXON")                                                \
	X(28, CR_ACCESS, "control-register access")                          \
	X(29, DR_ACCESS, "MOV DR")                                           \
	X(30, IO_INSTRUCTION, "I/O instruction")                             \
	X(31, RDMSR, "RDMSR")                                                \
	X(32, WRMSR, "WRMSR")                                                \
	X(33, ENTRY_INVALID_GUEST, "VM-entry failure: invalid guest state")  \
	X(34, ENTRY_MSR_LOADING, "VM-entry failure: MSR loading")            \
	X(36, MWAIT, "MWAIT")                                                \
	X(37, MONITOR_TRAP_FLAG, "monitor trap flag")                         \
	X(39, MONITOR, "MONITOR")                                            \
	X(40, PAUSE, "PAUSE")                                                \
	X(41, ENTRY_MACHINE_CHECK, "VM-entry failure: machine-check event")  \
	X(43, TPR_BELOW_THRESHOLD, "TPR below threshold")                     \
	X(44, APIC_ACCESS, "APIC access")                                    \
	X(45, VIRTUALIZED_EOI, "virtualized EOI")                             \
	X(46, GDTR_IDTR_ACCESS, "access to GDTR or IDTR")                     \
	X(47, LDTR_TR_ACCESS, "access to LDTR or TR")                         \
	X(48, EPT_VIOLATION, "EPT violation")                                \
	X(49, EPT_MISCONFIG, "EPT misconfiguration")                          \
	X(50, INVEPT, "INVEPT")                                              \
	X(51, RDTSCP, "RDTSCP")                                              \
	X(52, PREEMPTION_TIMER, "VMX-preemption timer expired")               \
	X(53, INVVPID, "INVVPID")                                            \
	X(54, WBINVD, "WBINVD or WBNOINVD")                                  \
	X(55, XSETBV, "XSETBV")                                              \
	X(56, APIC_WRITE, "APIC write")                                      \
	X(57, RDRAND, "RDRAND")                                              \
	X(58, INVPCID, "INVPCID")                                            \
	X(59, VMFUNC, "VMFUNC")                                              \
	X(60, ENCLS, "ENCLS")                                                \
	X(61, RDSEED, "RDSEED")                                              \
	X(62, PML_FULL, "page-modification log full")                         \
	X(63, XSAVES, "XSAVES")                                              \
	X(64, XRSTORS, "XRSTORS")                                            \
	X(65, PCONFIG, "PCONFIG")                                            \
	X(66, SPP_EVENT, "SPP-related event")                                \
	X(67, UMWAIT, "UMWAIT")                                              \
	X(68, TPAUSE, "TPAUSE")                                              \
	X(69, LOADIWKEY, "LOADIWKEY")                                        \
	X(70, ENCLV, "ENCLV")                                                \
	X(72, ENQCMD_PASID, "ENQCMD PASID translation failure")               \
	X(73, ENQCMDS_PASID, "ENQCMDS PASID translation failure")             \
	X(74, BUS_LOCK, "bus lock")                                          \
	X(75, INSTRUCTION_TIMEOUT, "instruction timeout")

enum vmx_exit_reason {
#define X(n, name, desc) EXIT_REASON_##name = n,
	VMX_EXIT_REASONS(X)
#undef X
	EXIT_REASON_MAX = 76, /* table size: one past the highest number */
};

/* Exit-reason field bits (SDM Vol. 3C, 24.9.1). */
#define EXIT_REASON_BASIC(r) ((r) & 0xffff)
#define EXIT_REASON_ENTRY_FAILURE (1u << 31)

const char *vmx_exit_reason_name(unsigned basic_reason);

#endif
