/* The test guests' VMX instructions (rt/vmx.h). Each instruction runs in
 * one asm block that loads RFLAGS (POPFQ), executes it and saves RFLAGS
 * (PUSHFQ), inside rt_catch() so that #UD, #GP, #SS and #PF come back as
 * outcomes. Operands are passed in registers only: the pushes inside the
 * block move RSP, so no operand may be RSP-relative. */
#include "tests/guests/rt/vmx.h"

#include "arch/x86/regs.h"
#include "lib/format.h"
#include "lib/string.h"
#include "tests/guests/rt/rt.h"

#define POOL_PAGES 16

uint64_t rt_vmx_flags_in = RT_RFLAGS_FIXED1;

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned pool_used;

enum op_kind {
	OP_VMXON, OP_VMCLEAR, OP_VMPTRLD, OP_VMPTRST, OP_VMXOFF,
	OP_VMREAD, OP_VMWRITE, OP_VMREAD_M, OP_VMWRITE_M,
	OP_INVEPT, OP_INVVPID, OP_ENTER, OP_RUN_L2, OP_CUSTOM,
};

struct op {
	enum op_kind kind;
	uint64_t a, b;      /* field / type / value / enter mode */
	const void *m;      /* memory operand */
	uint64_t flags_out;
	uint64_t value;     /* VMREAD result */
	uint64_t exited;    /* OP_ENTER: 1 when a VM exit landed */
	rt_vmx_insn_fn fn;  /* OP_CUSTOM */
	void *arg;
	struct rt_l2_regs *regs; /* OP_RUN_L2 */
};

/* uint64_t rt_vmx_enter(uint64_t mode, uint64_t flags_in, uint64_t *flags_out)
 * mode 0: VMLAUNCH, 1: VMRESUME, 2: MOV SS then VMLAUNCH. Writes HOST_RSP
 * (this frame) and HOST_RIP (the landing pad) first. Returns 0 with the
 * RFLAGS the instruction left in *flags_out when it fell through
 * (VMfail), 1 when a VM exit came back through the landing pad, which
 * finds its saved registers at HOST_RSP (27.5.3: RSP and RIP come from
 * the host-state area). */
__asm__(".text\n"
	".globl rt_vmx_enter\n"
	"rt_vmx_enter:\n\t"
	"push %rbx\n\tpush %rbp\n\tpush %r12\n\t"
	"push %r13\n\tpush %r14\n\tpush %r15\n\t"
	"push %rdx\n\t"
	"mov $0x6c14, %eax\n\t" /* VMCS_HOST_RSP */
	"vmwrite %rsp, %rax\n\t"
	"lea rt_vmx_landing(%rip), %rcx\n\t"
	"mov $0x6c16, %eax\n\t" /* VMCS_HOST_RIP */
	"vmwrite %rcx, %rax\n\t"
	"mov %ss, %ecx\n\t"
	"cmp $1, %rdi\n\t"
	"je 1f\n\t"
	"cmp $2, %rdi\n\t"
	"je 2f\n\t"
	"push %rsi\n\tpopfq\n\t"
	"vmlaunch\n\t"
	"jmp 3f\n"
	"1:\tpush %rsi\n\tpopfq\n\t"
	"vmresume\n\t"
	"jmp 3f\n"
	"2:\tpush %rsi\n\tpopfq\n\t"
	"mov %ecx, %ss\n\t"
	"vmlaunch\n"
	"3:\tpushfq\n\tpop %rax\n\t"
	"pop %rdx\n\t"
	"mov %rax, (%rdx)\n\t"
	"xor %eax, %eax\n\t"
	"jmp 4f\n"
	".globl rt_vmx_landing\n"
	"rt_vmx_landing:\n\t"
	"pop %rdx\n\t"
	"mov $1, %eax\n"
	"4:\tpop %r15\n\tpop %r14\n\tpop %r13\n\t"
	"pop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
	"ret\n");

uint64_t rt_vmx_enter(uint64_t mode, uint64_t flags_in, uint64_t *flags_out);

/* Loads L2's general-purpose registers from the struct rt_l2_regs at RAX
 * (its layout), RFLAGS from the top of the stack (POPFQ), RAX last. */
#define LOAD_L2_REGS \
	"mov 0x08(%rax), %rbx\n\t" \
	"mov 0x10(%rax), %rcx\n\t" \
	"mov 0x18(%rax), %rdx\n\t" \
	"mov 0x20(%rax), %rsi\n\t" \
	"mov 0x28(%rax), %rdi\n\t" \
	"mov 0x30(%rax), %rbp\n\t" \
	"mov 0x38(%rax), %r8\n\t" \
	"mov 0x40(%rax), %r9\n\t" \
	"mov 0x48(%rax), %r10\n\t" \
	"mov 0x50(%rax), %r11\n\t" \
	"mov 0x58(%rax), %r12\n\t" \
	"mov 0x60(%rax), %r13\n\t" \
	"mov 0x68(%rax), %r14\n\t" \
	"mov 0x70(%rax), %r15\n\t" \
	"popfq\n\t" \
	"mov (%rax), %rax\n\t"

/* uint64_t rt_vmx_enter_l2(uint64_t mode, uint64_t flags_in,
 *                          uint64_t *flags_out, struct rt_l2_regs *regs)
 * mode 0: VMLAUNCH, 1: VMRESUME. As rt_vmx_enter, but the VM entry is
 * meant to succeed: L2's general-purpose registers (all but RSP, which
 * like RIP and RFLAGS comes from the guest-state area, 26.3.2.3) are
 * loaded from *regs right before the instruction, and the landing pad
 * stores them back there. A VM exit leaves them as L2 had them (27.5:
 * only RSP, RIP and RFLAGS of the GPR state come from the host-state
 * area); the pad then restores this VMM's callee-saved registers from
 * the frame at HOST_RSP. Frame at HOST_RSP: regs, flags_out, then the
 * six callee-saved registers. A VMfail falls through with L2's values in
 * the caller-saved registers, which the C caller does not expect kept. */
__asm__(".text\n"
	".globl rt_vmx_enter_l2\n"
	"rt_vmx_enter_l2:\n\t"
	"push %rbx\n\tpush %rbp\n\tpush %r12\n\t"
	"push %r13\n\tpush %r14\n\tpush %r15\n\t"
	"push %rdx\n\t"        /* flags_out */
	"push %rcx\n\t"        /* regs: the frame at HOST_RSP */
	"mov $0x6c14, %eax\n\t" /* VMCS_HOST_RSP */
	"vmwrite %rsp, %rax\n\t"
	"lea rt_vmx_landing_l2(%rip), %rcx\n\t"
	"mov $0x6c16, %eax\n\t" /* VMCS_HOST_RIP */
	"vmwrite %rcx, %rax\n\t"
	"push %rsi\n\t"        /* flags_in, for the POPFQ */
	"mov 8(%rsp), %rax\n\t"
	"test %rdi, %rdi\n\t"
	"jnz 1f\n\t"
	LOAD_L2_REGS
	"vmlaunch\n\t"
	"jmp 2f\n"
	"1:\t"
	LOAD_L2_REGS
	"vmresume\n"
	"2:\tpushfq\n\tpop %rax\n\t" /* VMfail: fell through */
	"pop %rcx\n\t"
	"pop %rdx\n\t"
	"mov %rax, (%rdx)\n\t"
	"xor %eax, %eax\n\t"
	"jmp 3f\n"
	".globl rt_vmx_landing_l2\n"
	"rt_vmx_landing_l2:\n\t"
	"push %rax\n\t"
	"mov 8(%rsp), %rax\n\t"
	"mov %rbx, 0x08(%rax)\n\t"
	"mov %rcx, 0x10(%rax)\n\t"
	"mov %rdx, 0x18(%rax)\n\t"
	"mov %rsi, 0x20(%rax)\n\t"
	"mov %rdi, 0x28(%rax)\n\t"
	"mov %rbp, 0x30(%rax)\n\t"
	"mov %r8, 0x38(%rax)\n\t"
	"mov %r9, 0x40(%rax)\n\t"
	"mov %r10, 0x48(%rax)\n\t"
	"mov %r11, 0x50(%rax)\n\t"
	"mov %r12, 0x58(%rax)\n\t"
	"mov %r13, 0x60(%rax)\n\t"
	"mov %r14, 0x68(%rax)\n\t"
	"mov %r15, 0x70(%rax)\n\t"
	"pop %rbx\n\t"
	"mov %rbx, (%rax)\n\t"
	"pop %rcx\n\t"
	"pop %rdx\n\t"
	"mov $1, %eax\n"
	"3:\tpop %r15\n\tpop %r14\n\tpop %r13\n\t"
	"pop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
	"ret\n");

uint64_t rt_vmx_enter_l2(uint64_t mode, uint64_t flags_in, uint64_t *flags_out,
			 struct rt_l2_regs *regs);

#define PRE "pushq %[fin]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpopq %[fout]"

static void do_op(void *arg)
{
	struct op *o = arg;
	uint64_t fin = rt_vmx_flags_in, fout = 0, v = 0;

	switch (o->kind) {
	case OP_VMXON:
		__asm__ __volatile__(PRE "vmxon (%[m])" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_VMCLEAR:
		__asm__ __volatile__(PRE "vmclear (%[m])" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_VMPTRLD:
		__asm__ __volatile__(PRE "vmptrld (%[m])" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_VMPTRST:
		__asm__ __volatile__(PRE "vmptrst (%[m])" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_VMXOFF:
		__asm__ __volatile__(PRE "vmxoff" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin)
				     : "cc", "memory");
		break;
	case OP_VMREAD:
		__asm__ __volatile__(PRE "vmread %[f], %[v]" POST
				     : [fout] "=&r"(fout), [v] "=&r"(v)
				     : [fin] "r"(fin), [f] "r"(o->a)
				     : "cc", "memory");
		o->value = v;
		break;
	case OP_VMWRITE:
		__asm__ __volatile__(PRE "vmwrite %[v], %[f]" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [f] "r"(o->a), [v] "r"(o->b)
				     : "cc", "memory");
		break;
	case OP_VMREAD_M:
		__asm__ __volatile__(PRE "vmread %[f], (%[m])" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [f] "r"(o->a), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_VMWRITE_M:
		__asm__ __volatile__(PRE "vmwrite (%[m]), %[f]" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [f] "r"(o->a), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_INVEPT:
		__asm__ __volatile__(PRE "invept (%[m]), %[t]" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [t] "r"(o->a), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_INVVPID:
		__asm__ __volatile__(PRE "invvpid (%[m]), %[t]" POST
				     : [fout] "=&r"(fout)
				     : [fin] "r"(fin), [t] "r"(o->a), [m] "r"(o->m)
				     : "cc", "memory");
		break;
	case OP_ENTER:
		o->exited = rt_vmx_enter(o->a, fin, &fout);
		break;
	case OP_RUN_L2:
		o->exited = rt_vmx_enter_l2(o->a, fin, &fout, o->regs);
		break;
	case OP_CUSTOM:
		o->fn(o->arg, fin, &fout);
		break;
	}
	o->flags_out = fout;
}

/* VMREAD without a try context or flag preset, for the error field and
 * the exit information: returns false on VMfail. */
static bool raw_vmread(uint64_t field, uint64_t *v)
{
	uint64_t fl;

	__asm__ __volatile__("vmread %[f], %[v]\n\tpushfq\n\tpopq %[fl]"
			     : [v] "=&r"(*v), [fl] "=&r"(fl)
			     : [f] "r"(field)
			     : "cc", "memory");
	return !(fl & (RT_RFLAGS_CF | RT_RFLAGS_ZF));
}

static struct rt_vmx_result run(struct op *o)
{
	struct rt_vmx_result r = { .kind = RT_VMX_SUCCEED };
	struct descriptor_table_ptr gdtr, idtr;
	uint64_t v;

	__asm__ __volatile__("sgdt %0\n\tsidt %1" : "=m"(gdtr), "=m"(idtr));
	if (rt_catch(do_op, o, &r.exc) != RT_NO_EXCEPTION) {
		r.kind = RT_VMX_EXCEPTION;
		return r;
	}
	r.rflags = o->flags_out;
	r.value = o->value;
	if ((o->kind == OP_ENTER || o->kind == OP_RUN_L2) && o->exited) {
		/* A VM exit set GDTR and IDTR limits to 0xffff (27.5.2): back
		 * to the runtime's tables. */
		lgdt(&gdtr);
		lidt(&idtr);
		r.kind = RT_VMX_EXIT;
		r.exit_reason = raw_vmread(VMCS_EXIT_REASON, &v) ? (uint32_t)v : 0;
		r.exit_qual = raw_vmread(VMCS_EXIT_QUALIFICATION, &v) ? v : ~0ULL;
		return r;
	}
	if (r.rflags & RT_RFLAGS_CF) {
		r.kind = RT_VMX_FAIL_INVALID;
	} else if (r.rflags & RT_RFLAGS_ZF) {
		r.kind = RT_VMX_FAIL_VALID;
		r.error = raw_vmread(VMCS_VM_INSTRUCTION_ERROR, &v) ? (uint32_t)v : ~0U;
	}
	return r;
}

static struct rt_vmx_result mem_op(enum op_kind k, const void *m)
{
	struct op o = { .kind = k, .m = m };

	return run(&o);
}

struct rt_vmx_result rt_vmxon_m(const uint64_t *op) { return mem_op(OP_VMXON, op); }
struct rt_vmx_result rt_vmclear_m(const uint64_t *op) { return mem_op(OP_VMCLEAR, op); }
struct rt_vmx_result rt_vmptrld_m(const uint64_t *op) { return mem_op(OP_VMPTRLD, op); }
struct rt_vmx_result rt_vmptrst_m(uint64_t *op) { return mem_op(OP_VMPTRST, op); }

struct rt_vmx_result rt_vmxon(uint64_t pa) { return rt_vmxon_m(&pa); }
struct rt_vmx_result rt_vmclear(uint64_t pa) { return rt_vmclear_m(&pa); }
struct rt_vmx_result rt_vmptrld(uint64_t pa) { return rt_vmptrld_m(&pa); }

struct rt_vmx_result rt_vmptrst(void)
{
	uint64_t p = 0x5a5a5a5a5a5a5a5aULL;
	struct rt_vmx_result r = rt_vmptrst_m(&p);

	r.value = p;
	return r;
}

struct rt_vmx_result rt_vmxoff(void)
{
	struct op o = { .kind = OP_VMXOFF };

	return run(&o);
}

struct rt_vmx_result rt_vmread(uint64_t field)
{
	struct op o = { .kind = OP_VMREAD, .a = field };

	return run(&o);
}

struct rt_vmx_result rt_vmwrite(uint64_t field, uint64_t value)
{
	struct op o = { .kind = OP_VMWRITE, .a = field, .b = value };

	return run(&o);
}

struct rt_vmx_result rt_vmread_m(uint64_t field, uint64_t *dst)
{
	struct op o = { .kind = OP_VMREAD_M, .a = field, .m = dst };

	return run(&o);
}

struct rt_vmx_result rt_vmwrite_m(uint64_t field, const uint64_t *src)
{
	struct op o = { .kind = OP_VMWRITE_M, .a = field, .m = src };

	return run(&o);
}

struct rt_vmx_result rt_invept(uint64_t type, const void *desc)
{
	struct op o = { .kind = OP_INVEPT, .a = type, .m = desc };

	return run(&o);
}

struct rt_vmx_result rt_invvpid(uint64_t type, const void *desc)
{
	struct op o = { .kind = OP_INVVPID, .a = type, .m = desc };

	return run(&o);
}

static struct rt_vmx_result enter(uint64_t mode)
{
	struct op o = { .kind = OP_ENTER, .a = mode };

	return run(&o);
}

struct rt_vmx_result rt_vmlaunch(void) { return enter(0); }
struct rt_vmx_result rt_vmresume(void) { return enter(1); }
struct rt_vmx_result rt_vmlaunch_movss(void) { return enter(2); }

struct rt_vmx_result rt_vmx_run_l2(bool launch, struct rt_l2_regs *regs)
{
	struct op o = { .kind = OP_RUN_L2, .a = launch ? 0 : 1, .regs = regs };

	return run(&o);
}

struct rt_vmx_result rt_vmx_run(rt_vmx_insn_fn fn, void *arg)
{
	struct op o = { .kind = OP_CUSTOM, .fn = fn, .arg = arg };

	return run(&o);
}

struct rt_vmx_result rt_vmx_user(void (*fn)(void *))
{
	struct rt_vmx_result r = { .kind = RT_VMX_SUCCEED };

	if (rt_user_call(fn, NULL, &r.exc) != RT_NO_EXCEPTION)
		r.kind = RT_VMX_EXCEPTION;
	return r;
}

uint64_t rt_vmcs_read(enum vmcs_field f)
{
	uint64_t v = 0;

	if (!raw_vmread(f, &v))
		rt_fail("VMREAD of field %#x failed", (unsigned)f);
	return v;
}

void rt_vmcs_write(enum vmcs_field f, uint64_t v)
{
	uint64_t fl, field = f;

	__asm__ __volatile__("vmwrite %[v], %[f]\n\tpushfq\n\tpopq %[fl]"
			     : [fl] "=&r"(fl)
			     : [f] "r"(field), [v] "r"(v)
			     : "cc", "memory");
	if (fl & (RT_RFLAGS_CF | RT_RFLAGS_ZF))
		rt_fail("VMWRITE of field %#x failed", (unsigned)f);
}

/* The runtime's GDT (rt/entry.asm) and its descriptors' access rights as
 * VMCS fields (24.4.1, Table 24-2). */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x30          /* loaded by rt/user.c */
#define AR_CODE64 0xa09bULL   /* execute/read accessed, L, G */
#define AR_DATA 0xc093ULL     /* read/write accessed, D/B, G */
#define AR_UNUSABLE 0x10000ULL
#define AR_TSS64_BUSY 0x8bULL

void rt_vmx_self_capture(struct rt_vmx_self *s)
{
	const uint64_t *gdt;

	s->cr0 = read_cr0();
	s->cr3 = read_cr3();
	s->cr4 = read_cr4();
	s->efer = rdmsr(MSR_EFER);
	s->pat = rdmsr(MSR_IA32_PAT);
	__asm__ __volatile__("sgdt %0\n\tsidt %1" : "=m"(s->gdtr), "=m"(s->idtr));
	/* The TSS base from its descriptor (8.2.3). */
	gdt = (const uint64_t *)s->gdtr.base;
	s->tr_base = ((gdt[SEL_TSS / 8] >> 16) & 0xffffff) |
		     (((gdt[SEL_TSS / 8] >> 56) & 0xff) << 24) |
		     (gdt[SEL_TSS / 8 + 1] << 32);
}

void rt_vmx_self_write(const struct rt_vmx_self *s, uint64_t rip, uint64_t rsp,
		       void (*w)(enum vmcs_field f, uint64_t v))
{
	/* Host: this VMM (26.2.2, 26.2.3). */
	w(VMCS_HOST_CR0, s->cr0);
	w(VMCS_HOST_CR3, s->cr3);
	w(VMCS_HOST_CR4, s->cr4);
	w(VMCS_HOST_CS_SELECTOR, SEL_CODE64);
	w(VMCS_HOST_SS_SELECTOR, SEL_DATA);
	w(VMCS_HOST_DS_SELECTOR, SEL_DATA);
	w(VMCS_HOST_ES_SELECTOR, SEL_DATA);
	w(VMCS_HOST_FS_SELECTOR, 0);
	w(VMCS_HOST_GS_SELECTOR, 0);
	w(VMCS_HOST_TR_SELECTOR, SEL_TSS);
	w(VMCS_HOST_FS_BASE, 0);
	w(VMCS_HOST_GS_BASE, 0);
	w(VMCS_HOST_TR_BASE, s->tr_base);
	w(VMCS_HOST_GDTR_BASE, s->gdtr.base);
	w(VMCS_HOST_IDTR_BASE, s->idtr.base);
	w(VMCS_HOST_IA32_SYSENTER_CS, 0);
	w(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	w(VMCS_HOST_IA32_SYSENTER_EIP, 0);

	/* Guest: the same machine state, in 64-bit mode (26.3.1). */
	w(VMCS_GUEST_CR0, s->cr0);
	w(VMCS_GUEST_CR3, s->cr3);
	w(VMCS_GUEST_CR4, s->cr4);
	w(VMCS_GUEST_DR7, 0x400);
	w(VMCS_GUEST_IA32_DEBUGCTL, 0);
	w(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	w(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
	w(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
	w(VMCS_GUEST_RSP, rsp);
	w(VMCS_GUEST_RIP, rip);
	w(VMCS_GUEST_RFLAGS, RT_RFLAGS_FIXED1);
	w(VMCS_GUEST_CS_SELECTOR, SEL_CODE64);
	w(VMCS_GUEST_CS_BASE, 0);
	w(VMCS_GUEST_CS_LIMIT, 0xffffffff);
	w(VMCS_GUEST_CS_AR, AR_CODE64);
	w(VMCS_GUEST_SS_SELECTOR, SEL_DATA);
	w(VMCS_GUEST_SS_BASE, 0);
	w(VMCS_GUEST_SS_LIMIT, 0xffffffff);
	w(VMCS_GUEST_SS_AR, AR_DATA);
	w(VMCS_GUEST_DS_SELECTOR, SEL_DATA);
	w(VMCS_GUEST_DS_BASE, 0);
	w(VMCS_GUEST_DS_LIMIT, 0xffffffff);
	w(VMCS_GUEST_DS_AR, AR_DATA);
	w(VMCS_GUEST_ES_SELECTOR, SEL_DATA);
	w(VMCS_GUEST_ES_BASE, 0);
	w(VMCS_GUEST_ES_LIMIT, 0xffffffff);
	w(VMCS_GUEST_ES_AR, AR_DATA);
	w(VMCS_GUEST_FS_SELECTOR, 0);
	w(VMCS_GUEST_FS_BASE, 0);
	w(VMCS_GUEST_FS_LIMIT, 0);
	w(VMCS_GUEST_FS_AR, AR_UNUSABLE);
	w(VMCS_GUEST_GS_SELECTOR, 0);
	w(VMCS_GUEST_GS_BASE, 0);
	w(VMCS_GUEST_GS_LIMIT, 0);
	w(VMCS_GUEST_GS_AR, AR_UNUSABLE);
	w(VMCS_GUEST_LDTR_SELECTOR, 0);
	w(VMCS_GUEST_LDTR_BASE, 0);
	w(VMCS_GUEST_LDTR_LIMIT, 0);
	w(VMCS_GUEST_LDTR_AR, AR_UNUSABLE);
	w(VMCS_GUEST_TR_SELECTOR, SEL_TSS);
	w(VMCS_GUEST_TR_BASE, s->tr_base);
	w(VMCS_GUEST_TR_LIMIT, 0x67);
	w(VMCS_GUEST_TR_AR, AR_TSS64_BUSY);
	w(VMCS_GUEST_GDTR_BASE, s->gdtr.base);
	w(VMCS_GUEST_GDTR_LIMIT, s->gdtr.limit);
	w(VMCS_GUEST_IDTR_BASE, s->idtr.base);
	w(VMCS_GUEST_IDTR_LIMIT, s->idtr.limit);
	w(VMCS_GUEST_ACTIVITY_STATE, 0);
	w(VMCS_GUEST_INTERRUPTIBILITY, 0);
	w(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	w(VMCS_VMCS_LINK_POINTER, ~0ULL);
}

void rt_vmx_describe(const struct rt_vmx_result *r, char *buf, size_t len)
{
	switch (r->kind) {
	case RT_VMX_SUCCEED:
		fmt_snprintf(buf, len, "VMsucceed");
		break;
	case RT_VMX_FAIL_INVALID:
		fmt_snprintf(buf, len, "VMfailInvalid");
		break;
	case RT_VMX_FAIL_VALID:
		fmt_snprintf(buf, len, "VMfailValid %u", r->error);
		break;
	case RT_VMX_EXCEPTION:
		fmt_snprintf(buf, len, "%s(%#lx)", rt_vector_name(r->exc.vector),
			     r->exc.error_code);
		break;
	case RT_VMX_EXIT:
		fmt_snprintf(buf, len, "exit %#x qual %#lx", r->exit_reason,
			     r->exit_qual);
		break;
	}
	if (r->kind == RT_VMX_SUCCEED || r->kind == RT_VMX_FAIL_INVALID ||
	    r->kind == RT_VMX_FAIL_VALID) {
		size_t n = strlen(buf);

		fmt_snprintf(buf + n, len - n, " rflags=%#lx", r->rflags);
	}
}

static uint64_t rd(uint32_t msr)
{
	return rdmsr(msr);
}

/* Which MSRs exist: Nestor's own pure rules (vmx/vmx_msrs_collect.c). The
 * TRUE_ views stand in for the plain ones where there are none (A.2), so
 * the tests read the TRUE_ members alone. */
void rt_vmx_read_msrs(struct vmx_msrs *m)
{
	vmx_msrs_collect(m, rd);
	if (!m->have_true_ctls) {
		m->true_pinbased = m->pinbased;
		m->true_procbased = m->procbased;
		m->true_exit = m->exit;
		m->true_entry = m->entry;
	}
}

uint32_t rt_vmx_ctl(uint64_t cap, uint32_t want)
{
	return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

bool rt_vmx_ctl_allows(uint64_t cap, uint32_t bits)
{
	return ((uint32_t)(cap >> 32) & bits) == bits;
}

bool rt_vmx_ctl_may_clear(uint64_t cap, uint32_t bits)
{
	return ((uint32_t)cap & bits) == 0;
}

bool rt_vmx_supported(void)
{
	return (cpuid(1, 0).ecx & CPUID_1_ECX_VMX) != 0;
}

void *rt_vmx_page(uint32_t revision)
{
	uint8_t *p;

	if (pool_used == POOL_PAGES)
		return NULL;
	p = pool[pool_used++];
	memset(p, 0, PAGE_SIZE);
	memcpy(p, &revision, sizeof(revision));
	return p;
}
