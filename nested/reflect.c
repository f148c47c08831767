/* Exit reflection: does L1 want an exit taken while L2 runs? One table
 * indexed by basic exit reason, SDM Vol. 3C 25.1-25.5 per row. See
 * nested/reflect.h for the verdicts' meaning. Pure. */
#include "nested/reflect.h"

#include "vmx/exit_info.h"
#include "vmx/exit_reasons.h"
#include "vmx/vmx_controls.h"

#define TO_L1(w) ((struct reflect_decision){ REFLECT_TO_L1, (w) })
#define IN_L0(w) ((struct reflect_decision){ HANDLE_IN_L0, (w) })
#define UNDECIDED(w) ((struct reflect_decision){ CANNOT_DECIDE, (w) })

#define CR0_PE 1ull
#define CR0_TS (1ull << 3)
#define VECTOR_PF 14u
/* Tertiary processor-based controls (24.6.2, Table 24-8): bit 0. */
#define PROC3_LOADIWKEY_EXITING 1ull

/* The controls as the CPU applies them: the secondary (tertiary) controls
 * act as all 0 unless "activate secondary (tertiary) controls" is 1
 * (24.6.2). */
struct ctls {
	uint32_t pin, proc, proc2;
	uint64_t proc3;
};

static struct ctls effective(const struct vmcs12 *v)
{
	struct ctls c = { v->PIN_BASED_CONTROLS, v->PROC_BASED_CONTROLS, 0, 0 };

	if (c.proc & PROC_SECONDARY_CONTROLS)
		c.proc2 = v->SECONDARY_PROC_CONTROLS;
	if (c.proc & PROC_TERTIARY_CONTROLS)
		c.proc3 = v->TERTIARY_PROC_CONTROLS;
	return c;
}

enum word { W_PIN, W_PROC, W_PROC2, W_PROC3 };

static bool has(const struct ctls *c, enum word w, uint64_t bit)
{
	switch (w) {
	case W_PIN:
		return c->pin & bit;
	case W_PROC:
		return c->proc & bit;
	case W_PROC2:
		return c->proc2 & bit;
	case W_PROC3:
		return c->proc3 & bit;
	}
	return false;
}

/* One bit of one of L1's bitmaps; -1 when it cannot be read. */
static int bitmap_bit(const struct reflect_ops *ops, enum reflect_bitmap bm,
		      uint64_t page, unsigned bit)
{
	uint8_t byte;

	if (!ops || !ops->read_bitmap ||
	    !ops->read_bitmap(ops->ctx, bm, page, bit / 8, &byte))
		return -1;
	return (byte >> (bit % 8)) & 1;
}

/* A register operand as the instruction reads it: 32 bits outside 64-bit
 * mode. */
static uint64_t operand(const struct reflect_exit *e, unsigned reg)
{
	uint64_t v = e->gpr[reg & 15];

	return e->long_mode ? v : (uint32_t)v;
}

/* ---- exceptions and NMIs (25.2) ----------------------------------------- */

bool reflect_exception_wanted(const struct vmcs12 *v12, unsigned vector,
			      uint32_t pfec)
{
	bool bit;

	if (vector > 31)
		return false;
	bit = (v12->EXCEPTION_BITMAP >> vector) & 1;
	if (vector != VECTOR_PF)
		return bit;
	/* 25.2: a #PF exits iff the bitmap bit equals the outcome of
	 * (PFEC & PFEC_MASK) == PFEC_MATCH: with the bit set, only matching
	 * error codes exit; with it clear, only non-matching ones. */
	return bit == ((pfec & v12->PAGE_FAULT_ERROR_CODE_MASK) ==
		       v12->PAGE_FAULT_ERROR_CODE_MATCH);
}

static struct reflect_decision exception_nmi(const struct vmcs12 *v12,
					     const struct ctls *c,
					     const struct reflect_exit *e,
					     const struct reflect_ops *ops)
{
	uint32_t info = e->intr_info;
	unsigned vector = INTR_INFO_VECTOR(info);

	(void)ops;
	if (!(info & INTR_INFO_VALID))
		return UNDECIDED("exception exit without valid interruption information (27.2.2)");
	switch (INTR_INFO_TYPE(info)) {
	case 2: /* NMI: the "NMI exiting" control, not the bitmap (25.2) */
		if (vector != 2)
			return UNDECIDED("NMI exit with a vector other than 2 (27.2.2)");
		return (c->pin & PIN_NMI_EXITING)
			       ? TO_L1("NMI exiting set in vmcs12 (25.2)")
			       : IN_L0("NMI exiting clear in vmcs12 (25.2)");
	case 3: /* hardware exception */
	case 5: /* privileged software exception (INT1) */
	case 6: /* software exception (INT3, INTO) */
		if (vector > 31)
			return UNDECIDED("exception exit with a vector above 31 (27.2.2)");
		if (vector == VECTOR_PF)
			return reflect_exception_wanted(v12, vector, e->intr_error)
				       ? TO_L1("#PF: bitmap bit and PFEC mask/match ask for it (25.2)")
				       : IN_L0("#PF: bitmap bit and PFEC mask/match do not (25.2)");
		return reflect_exception_wanted(v12, vector, 0)
			       ? TO_L1("exception bitmap bit set in vmcs12 (25.2)")
			       : IN_L0("exception bitmap bit clear in vmcs12 (25.2)");
	default: /* external interrupts (0) and INT n (4) do not exit here */
		return UNDECIDED("exception exit with an interruption type no CPU reports (27.2.2)");
	}
}

/* ---- control-register accesses (25.1.3, qualification 27.2.1 Table 27-3) */

#define CRQ_NUM(q) ((unsigned)(q) & 15)
#define CRQ_TYPE(q) (((unsigned)(q) >> 4) & 3)
#define CRQ_GPR(q) (((unsigned)(q) >> 8) & 15)
#define CRQ_LMSW_SRC(q) (((uint64_t)(q) >> 16) & 0xffff)
enum { CR_MOV_TO = 0, CR_MOV_FROM = 1, CR_CLTS = 2, CR_LMSW = 3 };

/* MOV to CR0/CR4 exits unless the source matches the read shadow in
 * every bit set in the guest/host mask (25.1.3). */
static bool masked_differs(uint64_t src, uint64_t mask, uint64_t shadow)
{
	return ((src ^ shadow) & mask) != 0;
}

static struct reflect_decision mov_to_cr3(const struct vmcs12 *v12,
					  const struct ctls *c, uint64_t src)
{
	const uint64_t target[4] = { v12->CR3_TARGET_VALUE0,
				     v12->CR3_TARGET_VALUE1,
				     v12->CR3_TARGET_VALUE2,
				     v12->CR3_TARGET_VALUE3 };
	uint32_t n = v12->CR3_TARGET_COUNT;

	if (!(c->proc & PROC_CR3_LOAD_EXITING))
		return IN_L0("MOV to CR3: CR3-load exiting clear in vmcs12 (25.1.3)");
	/* 26.2.1.1: a count above 4 fails VM entry; it cannot be running. */
	if (n > 4)
		return UNDECIDED("MOV to CR3: CR3-target count above 4 (26.2.1.1)");
	/* Only the first n target values count; n = 0: always exits. */
	for (uint32_t i = 0; i < n; i++)
		if (target[i] == src)
			return IN_L0("MOV to CR3: source equals a CR3-target value (25.1.3)");
	return TO_L1("MOV to CR3: CR3-load exiting, no CR3-target value matches (25.1.3)");
}

static struct reflect_decision cr_access(const struct vmcs12 *v12,
					 const struct ctls *c,
					 const struct reflect_exit *e,
					 const struct reflect_ops *ops)
{
	uint64_t q = e->qual, m0 = v12->CR0_GUEST_HOST_MASK;
	uint64_t s0 = v12->CR0_READ_SHADOW, src;
	unsigned cr = CRQ_NUM(q);

	(void)ops;
	switch (CRQ_TYPE(q)) {
	case CR_MOV_TO:
		src = operand(e, CRQ_GPR(q));
		if (cr == 0)
			return masked_differs(src, m0, s0)
				       ? TO_L1("MOV to CR0 changes a masked bit from the read shadow (25.1.3)")
				       : IN_L0("MOV to CR0 keeps every masked bit as the read shadow (25.1.3)");
		if (cr == 4)
			return masked_differs(src, v12->CR4_GUEST_HOST_MASK,
					      v12->CR4_READ_SHADOW)
				       ? TO_L1("MOV to CR4 changes a masked bit from the read shadow (25.1.3)")
				       : IN_L0("MOV to CR4 keeps every masked bit as the read shadow (25.1.3)");
		if (cr == 3)
			return mov_to_cr3(v12, c, src);
		if (cr == 8)
			return (c->proc & PROC_CR8_LOAD_EXITING)
				       ? TO_L1("MOV to CR8: CR8-load exiting set in vmcs12 (25.1.3)")
				       : IN_L0("MOV to CR8: CR8-load exiting clear in vmcs12 (25.1.3)");
		break;
	case CR_MOV_FROM:
		/* MOV from CR0/CR4 reads the shadows and never exits. */
		if (cr == 3)
			return (c->proc & PROC_CR3_STORE_EXITING)
				       ? TO_L1("MOV from CR3: CR3-store exiting set in vmcs12 (25.1.3)")
				       : IN_L0("MOV from CR3: CR3-store exiting clear in vmcs12 (25.1.3)");
		if (cr == 8)
			return (c->proc & PROC_CR8_STORE_EXITING)
				       ? TO_L1("MOV from CR8: CR8-store exiting set in vmcs12 (25.1.3)")
				       : IN_L0("MOV from CR8: CR8-store exiting clear in vmcs12 (25.1.3)");
		break;
	case CR_CLTS:
		/* Exits iff CR0.TS is set in both the mask and the shadow. */
		return (m0 & s0 & CR0_TS)
			       ? TO_L1("CLTS: TS set in CR0 mask and read shadow (25.1.3)")
			       : IN_L0("CLTS: TS not set in both CR0 mask and read shadow (25.1.3)");
	case CR_LMSW:
		/* LMSW loads CR0 bits 3:0 and never clears PE: it exits if PE
		 * is set in the mask and the source and clear in the shadow,
		 * or a masked bit among 3:1 differs from the shadow. */
		src = CRQ_LMSW_SRC(q);
		if ((m0 & src & CR0_PE) && !(s0 & CR0_PE))
			return TO_L1("LMSW sets a masked PE the read shadow has clear (25.1.3)");
		if ((src ^ s0) & m0 & 0xe)
			return TO_L1("LMSW changes a masked bit of CR0 3:1 from the read shadow (25.1.3)");
		return IN_L0("LMSW leaves every masked bit as the read shadow (25.1.3)");
	}
	return UNDECIDED("control-register exit no CPU reports (27.2.1 Table 27-3)");
}

/* ---- I/O instructions (25.1.3, 24.6.4) ------------------------------------ */

struct reflect_decision reflect_io(const struct vmcs12 *v12, uint16_t port,
				   unsigned size, const struct reflect_ops *ops)
{
	struct ctls c = effective(v12);

	if (size != 1 && size != 2 && size != 4)
		return UNDECIDED("I/O access size other than 1, 2 or 4 (27.2.1 Table 27-5)");
	if (!(c.proc & PROC_USE_IO_BITMAPS))
		return (c.proc & PROC_UNCONDITIONAL_IO_EXITING)
			       ? TO_L1("I/O: unconditional I/O exiting, no I/O bitmaps (25.1.3)")
			       : IN_L0("I/O: neither I/O bitmaps nor unconditional I/O exiting (25.1.3)");
	/* With the bitmaps, "unconditional I/O exiting" is ignored. An access
	 * that wraps past FFFFH always exits; otherwise any of its ports'
	 * bits (A for 0000-7FFF, B for 8000-FFFF) makes it exit. */
	if ((uint32_t)port + size - 1 > 0xffff)
		return TO_L1("I/O: the access wraps around the port space (25.1.3)");
	for (unsigned i = 0; i < size; i++) {
		unsigned p = port + i;
		int bit = p < 0x8000
			? bitmap_bit(ops, REFLECT_BM_IO_A, v12->IO_BITMAP_A, p)
			: bitmap_bit(ops, REFLECT_BM_IO_B, v12->IO_BITMAP_B,
				     p - 0x8000);

		if (bit < 0)
			return UNDECIDED("I/O: L1's I/O bitmap cannot be read");
		if (bit)
			return TO_L1("I/O: a port's bit is set in L1's I/O bitmap (25.1.3)");
	}
	return IN_L0("I/O: every port's bit is clear in L1's I/O bitmaps (25.1.3)");
}


static struct reflect_decision io_insn(const struct vmcs12 *v12,
				       const struct ctls *c,
				       const struct reflect_exit *e,
				       const struct reflect_ops *ops)
{
	(void)c;
	/* Table 27-5: bits 2:0 the size less one (0, 1, 3), 31:16 the port. */
	return reflect_io(v12, IOQ_PORT(e->qual), IOQ_SIZE(e->qual), ops);
}

/* ---- RDMSR/WRMSR (25.1.3, 24.6.9) ------------------------------------------ */

struct reflect_decision reflect_msr(const struct vmcs12 *v12, uint32_t msr,
				    bool write, const struct reflect_ops *ops)
{
	struct ctls c = effective(v12);
	/* 24.6.9: read low at byte 0, read high at 1024, write low at 2048,
	 * write high at 3072; each 1024 bytes, one bit per MSR. */
	unsigned base = write ? 2048 * 8 : 0;
	int bit;

	if (!(c.proc & PROC_USE_MSR_BITMAPS))
		return TO_L1("MSR: use MSR bitmaps clear in vmcs12: every access exits (25.1.3)");
	if (msr <= 0x1fff)
		bit = bitmap_bit(ops, REFLECT_BM_MSR, v12->MSR_BITMAP, base + msr);
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		bit = bitmap_bit(ops, REFLECT_BM_MSR, v12->MSR_BITMAP,
				 base + 1024 * 8 + (msr & 0x1fff));
	else
		return TO_L1("MSR: outside both bitmap ranges: always exits (25.1.3)");
	if (bit < 0)
		return UNDECIDED("MSR: L1's MSR bitmap cannot be read");
	return bit ? TO_L1("MSR: the MSR's bit is set in L1's MSR bitmap (25.1.3)")
		   : IN_L0("MSR: the MSR's bit is clear in L1's MSR bitmap (25.1.3)");
}

static struct reflect_decision rdmsr(const struct vmcs12 *v12,
				     const struct ctls *c,
				     const struct reflect_exit *e,
				     const struct reflect_ops *ops)
{
	(void)c;
	return reflect_msr(v12, (uint32_t)e->gpr[1], false, ops); /* ECX */
}

static struct reflect_decision wrmsr(const struct vmcs12 *v12,
				     const struct ctls *c,
				     const struct reflect_exit *e,
				     const struct reflect_ops *ops)
{
	(void)c;
	return reflect_msr(v12, (uint32_t)e->gpr[1], true, ops);
}

/* ---- VMREAD/VMWRITE (25.1.3 with VMCS shadowing, 24.6.15) ----------------- */

static struct reflect_decision vmread_vmwrite(const struct vmcs12 *v12,
					      const struct ctls *c,
					      const struct reflect_exit *e,
					      const struct reflect_ops *ops)
{
	bool rd = EXIT_REASON_BASIC(e->reason) == EXIT_REASON_VMREAD;
	/* Table 27-14: bits 31:28 name the register holding the field
	 * encoding (the register source operand of the rule). */
	uint64_t field = operand(e, e->insn_info >> 28);
	int bit;

	if (!(c->proc2 & PROC2_VMCS_SHADOWING))
		return TO_L1("VMREAD/VMWRITE: VMCS shadowing clear in vmcs12 (25.1.3)");
	if (field >> 15)
		return TO_L1("VMREAD/VMWRITE: field operand bits above 14 set (25.1.3)");
	bit = rd ? bitmap_bit(ops, REFLECT_BM_VMREAD, v12->VMREAD_BITMAP,
			      (unsigned)field)
		 : bitmap_bit(ops, REFLECT_BM_VMWRITE, v12->VMWRITE_BITMAP,
			      (unsigned)field);
	if (bit < 0)
		return UNDECIDED("VMREAD/VMWRITE: L1's VMREAD/VMWRITE bitmap cannot be read");
	return bit ? TO_L1("VMREAD/VMWRITE: the field's bit is set in L1's bitmap (25.1.3)")
		   : IN_L0("VMREAD/VMWRITE: bit clear: L0 emulates the access to L1's shadow VMCS (25.1.3, 24.10)");
}

/* ---- PAUSE (25.1.3) ---------------------------------------------------------- */

static struct reflect_decision pause_insn(const struct vmcs12 *v12,
					  const struct ctls *c,
					  const struct reflect_exit *e,
					  const struct reflect_ops *ops)
{
	(void)v12;
	(void)ops;
	if (c->proc & PROC_PAUSE_EXITING)
		return TO_L1("PAUSE: PAUSE exiting set in vmcs12 (25.1.3)");
	/* PAUSE-loop exiting applies at CPL 0 only. The loop is detected
	 * with vmcs02's PLE_Gap/PLE_Window, which the vmcs02 merge must take
	 * from vmcs12 when L1 uses it (an approximation of L1's detector). */
	if ((c->proc2 & PROC2_PAUSE_LOOP_EXITING) && e->cpl == 0)
		return TO_L1("PAUSE: PAUSE-loop exiting set in vmcs12 at CPL 0 (25.1.3)");
	return IN_L0("PAUSE: neither PAUSE exiting nor PAUSE-loop exiting (at CPL 0) in vmcs12 (25.1.3)");
}

/* ---- XSAVES/XRSTORS, ENCLS (25.1.3) ------------------------------------------ */

static struct reflect_decision xsaves_xrstors(const struct vmcs12 *v12,
					      const struct ctls *c,
					      const struct reflect_exit *e,
					      const struct reflect_ops *ops)
{
	uint64_t edx_eax = (e->gpr[2] << 32) | (uint32_t)e->gpr[0];

	(void)ops;
	if (!(c->proc2 & PROC2_ENABLE_XSAVES))
		return IN_L0("XSAVES/XRSTORS: enable XSAVES/XRSTORS clear in vmcs12: #UD in L2 (25.1.3)");
	/* Exits iff EDX:EAX AND IA32_XSS AND the XSS-exiting bitmap != 0. */
	return (edx_eax & e->xss & v12->XSS_EXIT_BITMAP)
		       ? TO_L1("XSAVES/XRSTORS: EDX:EAX, IA32_XSS and the XSS-exiting bitmap share a bit (25.1.3)")
		       : IN_L0("XSAVES/XRSTORS: EDX:EAX, IA32_XSS and the XSS-exiting bitmap share no bit (25.1.3)");
}

static struct reflect_decision encls(const struct vmcs12 *v12,
				     const struct ctls *c,
				     const struct reflect_exit *e,
				     const struct reflect_ops *ops)
{
	uint32_t leaf = (uint32_t)e->gpr[0];

	(void)ops;
	if (!(c->proc2 & PROC2_ENCLS_EXITING))
		return IN_L0("ENCLS: enable ENCLS exiting clear in vmcs12 (25.1.3)");
	/* Bit EAX of the ENCLS-exiting bitmap; bit 63 for EAX >= 63. */
	return ((v12->ENCLS_EXITING_BITMAP >> (leaf < 63 ? leaf : 63)) & 1)
		       ? TO_L1("ENCLS: the leaf's bit is set in the ENCLS-exiting bitmap (25.1.3)")
		       : IN_L0("ENCLS: the leaf's bit is clear in the ENCLS-exiting bitmap (25.1.3)");
}

/* ---- VMFUNC (25.5.6) ---------------------------------------------------------- */

static struct reflect_decision vmfunc(const struct vmcs12 *v12,
				      const struct ctls *c,
				      const struct reflect_exit *e,
				      const struct reflect_ops *ops)
{
	uint32_t fn = (uint32_t)e->gpr[0];

	(void)ops;
	if (!(c->proc2 & PROC2_ENABLE_VMFUNC))
		return IN_L0("VMFUNC: enable VM functions clear in vmcs12: #UD in L2 (25.5.6)");
	/* EAX above 63 is #UD; a function whose VM-function control is
	 * clear is a VM exit (25.5.6.1; VMFUNC in 30.3). */
	if (fn > 63)
		return IN_L0("VMFUNC: EAX above 63: #UD in L2 (25.5.6)");
	if (!((v12->VM_FUNCTION_CONTROLS >> fn) & 1))
		return TO_L1("VMFUNC: the function is not enabled in vmcs12 (25.5.6)");
	return IN_L0("VMFUNC: an enabled function: L0 performs it for L1 (25.5.6; its own failures exit to L1: part 3)");
}

/* ---- EPT (28.2.3) -------------------------------------------------------------- */

static struct reflect_decision ept_fault(const struct vmcs12 *v12,
					 const struct ctls *c,
					 const struct reflect_exit *e,
					 const struct reflect_ops *ops)
{
	(void)v12;
	/* Without L1's EPT, L2's guest-physical space is L1's and EPT02 =
	 * EPT01: every EPT fault is L0's. */
	if (!(c->proc2 & PROC2_ENABLE_EPT))
		return IN_L0("EPT: L1 does not use EPT for L2: EPT02 = EPT01 (28.2.3)");
	switch (ops && ops->ept_fault_owner ? ops->ept_fault_owner(ops->ctx, e)
					     : REFLECT_EPT_UNKNOWN) {
	case REFLECT_EPT_L1:
		return TO_L1("EPT: the fault is in L1's EPT12 (28.2.3)");
	case REFLECT_EPT_L0:
		return IN_L0("EPT: EPT12 allows the access: L0's EPT02/EPT01 (28.2.3)");
	default:
		return UNDECIDED("EPT: the owner of the fault is not known");
	}
}

/* ---- VMX-preemption timer (25.5.1) ------------------------------------------------ */

static struct reflect_decision preemption_timer(const struct vmcs12 *v12,
						const struct ctls *c,
						const struct reflect_exit *e,
						const struct reflect_ops *ops)
{
	(void)v12;
	(void)ops;
	if (!(c->pin & PIN_PREEMPTION_TIMER))
		return IN_L0("preemption timer: not activated in vmcs12: L0's own (25.5.1)");
	return e->l1_timer_expired
		       ? TO_L1("preemption timer: L1's timer counted down to zero (25.5.1)")
		       : IN_L0("preemption timer: L1's timer has not expired: L0's own deadline (25.5.1)");
}

/* ---- features L1 may enable that L0 does not model yet ------------------------------ */

static struct reflect_decision apic_virt(const struct vmcs12 *v12,
					 const struct ctls *c,
					 const struct reflect_exit *e,
					 const struct reflect_ops *ops)
{
	/* vmcs02 has exactly the vmcs12's APIC virtualization (L0 uses none
	 * for L1), so each of these exits is L1's condition, and one the
	 * vmcs12 cannot cause is a bug to stop on: APIC access
	 * (29.4: "virtualize APIC accesses"), virtualized EOI (29.1.3: an
	 * EOI-exit bitmap bit, with virtual-interrupt delivery) and APIC
	 * write (29.4.3.3, 29.5: APIC-register virtualization or virtual-
	 * interrupt delivery, x2APIC mode included). */
	uint32_t need;

	(void)v12;
	(void)ops;
	switch (EXIT_REASON_BASIC(e->reason)) {
	case EXIT_REASON_APIC_ACCESS:
		need = PROC2_VIRTUALIZE_APIC_ACCESSES;
		break;
	case EXIT_REASON_VIRTUALIZED_EOI:
		need = PROC2_VIRTUAL_INTERRUPT_DELIVERY;
		break;
	default:
		need = PROC2_APIC_REGISTER_VIRT | PROC2_VIRTUAL_INTERRUPT_DELIVERY;
	}
	if (c->proc2 & need)
		return TO_L1("APIC virtualization the vmcs12 enables (29.1.3, 29.4)");
	return UNDECIDED("an APIC-virtualization exit the vmcs12 cannot cause: vmcs02 has only L1's APIC virtualization, a Nestor bug (29.4)");
}

static struct reflect_decision pml_full(const struct vmcs12 *v12,
					const struct ctls *c,
					const struct reflect_exit *e,
					const struct reflect_ops *ops)
{
	(void)v12;
	(void)e;
	(void)ops;
	if ((c->proc2 & PROC2_ENABLE_PML) && (c->proc2 & PROC2_ENABLE_EPT))
		return UNDECIDED("page-modification logging for L2 is part 3 (28.2.6)");
	return IN_L0("PML not enabled in vmcs12: L0's own log (28.2.6)");
}

/* PCONFIG and ENCLV exit by bitmaps vmcs12 does not hold. */
static struct reflect_decision pconfig_enclv(const struct vmcs12 *v12,
					     const struct ctls *c,
					     const struct reflect_exit *e,
					     const struct reflect_ops *ops)
{
	bool pconfig = EXIT_REASON_BASIC(e->reason) == EXIT_REASON_PCONFIG;

	(void)v12;
	(void)ops;
	if (c->proc2 & (pconfig ? PROC2_ENABLE_PCONFIG : PROC2_ENCLV_EXITING))
		return UNDECIDED("PCONFIG/ENCLV: the exiting bitmap is not modelled in vmcs12 (25.1.3)");
	return pconfig ? IN_L0("PCONFIG: enable PCONFIG clear in vmcs12: #UD in L2 (25.1.3)")
		       : IN_L0("ENCLV: enable ENCLV exiting clear in vmcs12 (25.1.3)");
}

/* ---- the table ------------------------------------------------------------------- */

typedef struct reflect_decision (*rule_fn)(const struct vmcs12 *,
					   const struct ctls *,
					   const struct reflect_exit *,
					   const struct reflect_ops *);

enum rule_kind {
	RK_UNKNOWN = 0,  /* no row: a reason Nestor does not know */
	RK_ALWAYS,       /* L1 always wants it */
	RK_CONTROL,      /* an exiting control in vmcs12; optionally an
			  * enable control without which the instruction is
			  * #UD in L2 */
	RK_FN,           /* a rule function */
	RK_UNMODELLED,   /* cannot occur or not modelled: CANNOT_DECIDE */
	RK_L0,           /* only L0 can want it */
};

struct rule {
	uint8_t kind, word, en_word;
	uint32_t bit, en_bit;
	rule_fn fn;
	const char *yes, *no, *ud;
};

#define ALWAYS(why) { .kind = RK_ALWAYS, .yes = (why) }
#define CTL(w, b, name, sec)                                              \
	{ .kind = RK_CONTROL, .word = (w), .bit = (b),                    \
	  .yes = name " set in vmcs12 (" sec ")",                         \
	  .no = name " clear in vmcs12 (" sec ")" }
#define CTL_EN(w, b, ew, eb, name, ename, sec)                            \
	{ .kind = RK_CONTROL, .word = (w), .bit = (b), .en_word = (ew),   \
	  .en_bit = (eb), .yes = name " and " ename " set in vmcs12 (" sec ")", \
	  .no = name " clear in vmcs12 (" sec ")",                        \
	  .ud = ename " clear in vmcs12: #UD in L2 (" sec ")" }
#define FN(f) { .kind = RK_FN, .fn = (f) }
#define UNMODELLED(why) { .kind = RK_UNMODELLED, .yes = (why) }
#define L0_ONLY(why) { .kind = RK_L0, .yes = (why) }

static const struct rule rules[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = FN(exception_nmi),
	[EXIT_REASON_EXTERNAL_INTERRUPT] =
		CTL(W_PIN, PIN_EXTERNAL_INTERRUPT_EXITING,
		    "external interrupt: external-interrupt exiting", "25.2"),
	[EXIT_REASON_TRIPLE_FAULT] = ALWAYS("triple fault: always exits (25.2)"),
	/* INIT always exits; a SIPI exits only in the wait-for-SIPI state,
	 * which only L1 can have given L2 (25.2). Whether a signal is L1's
	 * at all (Nestor refuses INIT IPIs) is the caller's, as for L1. */
	[EXIT_REASON_INIT] = ALWAYS("INIT: always exits (25.2)"),
	[EXIT_REASON_SIPI] = ALWAYS("SIPI: exits in wait-for-SIPI (25.2)"),
	[EXIT_REASON_IO_SMI] = UNMODELLED("SMI: only with dual-monitor treatment, never set up (34.15)"),
	[EXIT_REASON_OTHER_SMI] = UNMODELLED("SMI: only with dual-monitor treatment, never set up (34.15)"),
	[EXIT_REASON_INTERRUPT_WINDOW] =
		CTL(W_PROC, PROC_INTERRUPT_WINDOW_EXITING,
		    "interrupt-window exiting", "25.2"),
	[EXIT_REASON_NMI_WINDOW] =
		CTL(W_PROC, PROC_NMI_WINDOW_EXITING, "NMI-window exiting", "25.2"),
	[EXIT_REASON_TASK_SWITCH] = ALWAYS("task switch: always exits (25.4.2)"),
	[EXIT_REASON_CPUID] = ALWAYS("CPUID: always exits (25.1.2)"),
	[EXIT_REASON_GETSEC] = ALWAYS("GETSEC: always exits (25.1.2)"),
	[EXIT_REASON_HLT] = CTL(W_PROC, PROC_HLT_EXITING, "HLT exiting", "25.1.3"),
	[EXIT_REASON_INVD] = ALWAYS("INVD: always exits (25.1.2)"),
	[EXIT_REASON_INVLPG] =
		CTL(W_PROC, PROC_INVLPG_EXITING, "INVLPG exiting", "25.1.3"),
	[EXIT_REASON_RDPMC] =
		CTL(W_PROC, PROC_RDPMC_EXITING, "RDPMC exiting", "25.1.3"),
	[EXIT_REASON_RDTSC] =
		CTL(W_PROC, PROC_RDTSC_EXITING, "RDTSC exiting", "25.1.3"),
	[EXIT_REASON_RSM] = UNMODELLED("RSM: exits only in SMM with dual-monitor treatment (25.1.3)"),
	[EXIT_REASON_VMCALL] = ALWAYS("VMCALL: always exits (25.1.2)"),
	[EXIT_REASON_VMCLEAR] = ALWAYS("VMCLEAR: always exits (25.1.2)"),
	[EXIT_REASON_VMLAUNCH] = ALWAYS("VMLAUNCH: always exits (25.1.2)"),
	[EXIT_REASON_VMPTRLD] = ALWAYS("VMPTRLD: always exits (25.1.2)"),
	[EXIT_REASON_VMPTRST] = ALWAYS("VMPTRST: always exits (25.1.2)"),
	[EXIT_REASON_VMREAD] = FN(vmread_vmwrite),
	[EXIT_REASON_VMRESUME] = ALWAYS("VMRESUME: always exits (25.1.2)"),
	[EXIT_REASON_VMWRITE] = FN(vmread_vmwrite),
	[EXIT_REASON_VMXOFF] = ALWAYS("VMXOFF: always exits (25.1.2)"),
	[EXIT_REASON_VMXON] = ALWAYS("VMXON: always exits (25.1.2)"),
	[EXIT_REASON_CR_ACCESS] = FN(cr_access),
	[EXIT_REASON_DR_ACCESS] =
		CTL(W_PROC, PROC_MOV_DR_EXITING, "MOV DR: MOV-DR exiting", "25.1.3"),
	[EXIT_REASON_IO_INSTRUCTION] = FN(io_insn),
	[EXIT_REASON_RDMSR] = FN(rdmsr),
	[EXIT_REASON_WRMSR] = FN(wrmsr),
	/* vmcs02's own entry failures: Nestor's entry checks (part 1) must
	 * have given L1 its failure first; the CPU disagreeing is a bug. */
	[EXIT_REASON_ENTRY_INVALID_GUEST] = UNMODELLED("vmcs02 entry failed: invalid guest state (26.3)"),
	[EXIT_REASON_ENTRY_MSR_LOADING] = UNMODELLED("vmcs02 entry failed: MSR loading (26.4)"),
	[EXIT_REASON_MWAIT] =
		CTL(W_PROC, PROC_MWAIT_EXITING, "MWAIT exiting", "25.1.3"),
	[EXIT_REASON_MONITOR_TRAP_FLAG] =
		CTL(W_PROC, PROC_MONITOR_TRAP_FLAG, "monitor trap flag", "25.5.2"),
	[EXIT_REASON_MONITOR] =
		CTL(W_PROC, PROC_MONITOR_EXITING, "MONITOR exiting", "25.1.3"),
	[EXIT_REASON_PAUSE] = FN(pause_insn),
	[EXIT_REASON_ENTRY_MACHINE_CHECK] = L0_ONLY("machine check during vmcs02 entry: the machine's (26.8)"),
	/* With L1's TPR shadow, vmcs02 uses L1's virtual-APIC page and TPR
	 * threshold, so the exit is L1's condition (29.1.2). */
	[EXIT_REASON_TPR_BELOW_THRESHOLD] =
		CTL(W_PROC, PROC_TPR_SHADOW, "TPR below threshold: use TPR shadow", "29.1.2"),
	[EXIT_REASON_APIC_ACCESS] = FN(apic_virt),
	[EXIT_REASON_VIRTUALIZED_EOI] = FN(apic_virt),
	[EXIT_REASON_GDTR_IDTR_ACCESS] =
		CTL(W_PROC2, PROC2_DESCRIPTOR_TABLE_EXITING,
		    "LGDT/LIDT/SGDT/SIDT: descriptor-table exiting", "25.1.3"),
	[EXIT_REASON_LDTR_TR_ACCESS] =
		CTL(W_PROC2, PROC2_DESCRIPTOR_TABLE_EXITING,
		    "LLDT/LTR/SLDT/STR: descriptor-table exiting", "25.1.3"),
	[EXIT_REASON_EPT_VIOLATION] = FN(ept_fault),
	[EXIT_REASON_EPT_MISCONFIG] = FN(ept_fault),
	[EXIT_REASON_INVEPT] = ALWAYS("INVEPT: always exits (25.1.2)"),
	[EXIT_REASON_RDTSCP] =
		CTL_EN(W_PROC, PROC_RDTSC_EXITING, W_PROC2, PROC2_ENABLE_RDTSCP,
		       "RDTSCP: RDTSC exiting", "enable RDTSCP", "25.1.3"),
	[EXIT_REASON_PREEMPTION_TIMER] = FN(preemption_timer),
	[EXIT_REASON_INVVPID] = ALWAYS("INVVPID: always exits (25.1.2)"),
	[EXIT_REASON_WBINVD] =
		CTL(W_PROC2, PROC2_WBINVD_EXITING, "WBINVD exiting", "25.1.3"),
	[EXIT_REASON_XSETBV] = ALWAYS("XSETBV: always exits (25.1.2)"),
	[EXIT_REASON_APIC_WRITE] = FN(apic_virt),
	[EXIT_REASON_RDRAND] =
		CTL(W_PROC2, PROC2_RDRAND_EXITING, "RDRAND exiting", "25.1.3"),
	[EXIT_REASON_INVPCID] =
		CTL_EN(W_PROC, PROC_INVLPG_EXITING, W_PROC2, PROC2_ENABLE_INVPCID,
		       "INVPCID: INVLPG exiting", "enable INVPCID", "25.1.3"),
	[EXIT_REASON_VMFUNC] = FN(vmfunc),
	[EXIT_REASON_ENCLS] = FN(encls),
	[EXIT_REASON_RDSEED] =
		CTL(W_PROC2, PROC2_RDSEED_EXITING, "RDSEED exiting", "25.1.3"),
	[EXIT_REASON_PML_FULL] = FN(pml_full),
	[EXIT_REASON_XSAVES] = FN(xsaves_xrstors),
	[EXIT_REASON_XRSTORS] = FN(xsaves_xrstors),
	[EXIT_REASON_PCONFIG] = FN(pconfig_enclv),
	[EXIT_REASON_SPP_EVENT] = UNMODELLED("SPP event: sub-page permissions are not modelled (28.2.4)"),
	[EXIT_REASON_UMWAIT] =
		CTL_EN(W_PROC, PROC_RDTSC_EXITING, W_PROC2, PROC2_USER_WAIT_PAUSE,
		       "UMWAIT: RDTSC exiting", "enable user wait and pause", "25.1.3"),
	[EXIT_REASON_TPAUSE] =
		CTL_EN(W_PROC, PROC_RDTSC_EXITING, W_PROC2, PROC2_USER_WAIT_PAUSE,
		       "TPAUSE: RDTSC exiting", "enable user wait and pause", "25.1.3"),
	[EXIT_REASON_LOADIWKEY] =
		CTL(W_PROC3, PROC3_LOADIWKEY_EXITING, "LOADIWKEY exiting", "25.1.3"),
	[EXIT_REASON_ENCLV] = FN(pconfig_enclv),
	[EXIT_REASON_ENQCMD_PASID] = UNMODELLED("ENQCMD PASID translation is not modelled (25.1.3)"),
	[EXIT_REASON_ENQCMDS_PASID] = UNMODELLED("ENQCMDS PASID translation is not modelled (25.1.3)"),
	[EXIT_REASON_BUS_LOCK] = UNMODELLED("bus-lock detection is not modelled (25.2)"),
	[EXIT_REASON_INSTRUCTION_TIMEOUT] = UNMODELLED("instruction timeout is not modelled (25.2)"),
};

struct reflect_decision nested_reflect_exit(const struct vmcs12 *v12,
					    const struct reflect_exit *e,
					    const struct reflect_ops *ops)
{
	unsigned basic = EXIT_REASON_BASIC(e->reason);
	struct ctls c = effective(v12);
	const struct rule *r;

	/* Bit 31: a VM-entry failure of vmcs02 (24.9.1); the machine check
	 * during entry (41) is the machine's, the rest are Nestor's bugs. */
	if ((e->reason & EXIT_REASON_ENTRY_FAILURE) &&
	    basic != EXIT_REASON_ENTRY_MACHINE_CHECK &&
	    basic != EXIT_REASON_ENTRY_INVALID_GUEST &&
	    basic != EXIT_REASON_ENTRY_MSR_LOADING)
		return UNDECIDED("VM-entry failure with a reason no CPU reports (24.9.1)");
	if (basic >= EXIT_REASON_MAX)
		return UNDECIDED("an exit reason Nestor does not know (Appendix C)");
	r = &rules[basic];
	switch (r->kind) {
	case RK_ALWAYS:
		return TO_L1(r->yes);
	case RK_CONTROL:
		if (r->en_bit && !has(&c, r->en_word, r->en_bit))
			return IN_L0(r->ud);
		return has(&c, r->word, r->bit) ? TO_L1(r->yes) : IN_L0(r->no);
	case RK_FN:
		return r->fn(v12, &c, e, ops);
	case RK_UNMODELLED:
		return UNDECIDED(r->yes);
	case RK_L0:
		return IN_L0(r->yes);
	default:
		return UNDECIDED("an exit reason Nestor does not know (Appendix C)");
	}
}

const char *reflect_verdict_name(enum reflect_verdict v)
{
	switch (v) {
	case REFLECT_TO_L1:
		return "reflect to L1";
	case HANDLE_IN_L0:
		return "handle in L0";
	case CANNOT_DECIDE:
		return "cannot decide";
	}
	return "?";
}
