// SPDX-License-Identifier: MIT
/*
 * kvmtest: a tiny VMM on Linux's KVM API, run by the KVM initramfs's /init
 * (tests/linux/init-kvm). It runs two small guests and checks every exit
 * that reaches it:
 *
 *  real mode (no in-kernel irqchip): OUT of a byte, IN of a byte the VMM
 *    supplies and echoed back, OUT of a word through DX, an MMIO write of a
 *    byte and of a dword and an MMIO read the VMM answers (echoed back),
 *    then HLT, which exits to userspace (KVM_EXIT_HLT).
 *  long mode (in-kernel irqchip: LAPIC, IOAPIC, PIC): page tables, GDT and
 *    IDT built here, CPUID from KVM_GET_SUPPORTED_CPUID set with
 *    KVM_SET_CPUID2; the guest reports CPUID leaf 0 (checked against the
 *    table set), IA32_APIC_BASE (handled inside KVM), RDMSR and WRMSR of an
 *    MSR KVM does not know (KVM_CAP_X86_USER_SPACE_MSR: KVM_EXIT_X86_RDMSR
 *    and _WRMSR, the VMM answers), then programs the local APIC timer
 *    (one-shot, vector 0x40), STI, HLT: KVM's LAPIC timer wakes the vCPU and
 *    injects the interrupt; the handler reports its vector, EOIs, and the
 *    guest reports the tick count and that it is done.
 *
 * Any other exit, a value that differs, a guest exception (each IDT vector
 * but 0x40 reports itself on port 0xef) or no exit within GUEST_TIMEOUT
 * seconds fails the run. Output: "kvmtest: " lines, the last one
 *   kvmtest: verdict PASS (N exits checked)
 * or
 *   kvmtest: verdict FAIL: <what>
 * Exit status 0 on PASS, 1 on FAIL.
 *
 * Built static by scripts/linux-guest.sh (gcc -static -Os -s) with the
 * build machine's <linux/kvm.h>; the ioctls are in Linux's
 * Documentation/virt/kvm/api.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_TIMEOUT 60   /* seconds for any one KVM_RUN */

static unsigned checked;   /* exits checked so far */
static const char *phase = "setup";

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kvmtest: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static void __attribute__((noreturn)) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("kvmtest: verdict FAIL: %s: ", phase);
	vprintf(fmt, ap);
	printf(" (after %u exits checked)\n", checked);
	fflush(stdout);
	va_end(ap);
	exit(1);
}

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r = ioctl(fd, req, arg);

	if (r < 0)
		fail("%s: %s", what, strerror(errno));
	return r;
}

/* ---- the guests' code, assembled with the program ---------------------- */

/* Ports and values the guests and the VMM agree on. */
#define P_OUT8      0xe0
#define P_IN8       0xe1
#define P_ECHO8     0xe2
#define P_OUT16     0x1e0
#define P_MMIOECHO  0xe3
#define MMIO_BASE   0xd0000u     /* real mode: DS = 0xd000, outside any slot */
#define V_OUT8      0x42
#define V_IN8       0xa5
#define V_OUT16     0x1234
#define V_MMIO8     0x77
#define V_MMIO32    0xcafef00du
#define V_MMIORD    0x3c

#define P_VENDOR    0xe0
#define P_MAXLEAF   0xe1
#define P_APICBASE  0xe2
#define P_MSRECHO   0xe3
#define P_VECTOR    0xe5
#define P_TICKS     0xe6
#define P_DONE      0xe7
#define P_EXC       0xef
#define TEST_MSR    0x4e455354u  /* "NEST": no MSR KVM knows */
#define V_RDMSR     0x0123456789abcdefull
#define V_WRMSR     0x1122334455667788ull
#define TIMER_VEC   0x40
#define TIMER_COUNT 100000       /* LAPIC timer ticks, divide by 1 */

extern const unsigned char rm_code[], rm_code_end[];
extern const unsigned char lm_code[], lm_handler[], lm_code_end[];

__asm__(
	".pushsection .rodata\n"
	".code16\n"
	".globl rm_code, rm_code_end\n"
	"rm_code:\n"
	"	mov $0x42, %al\n"
	"	out %al, $0xe0\n"          /* OUT 1 byte */
	"	in $0xe1, %al\n"           /* IN 1 byte: the VMM answers 0xa5 */
	"	out %al, $0xe2\n"          /* ... echoed */
	"	mov $0x1234, %ax\n"
	"	mov $0x1e0, %dx\n"
	"	out %ax, %dx\n"            /* OUT 2 bytes through DX */
	"	mov $0xd000, %ax\n"
	"	mov %ax, %ds\n"
	"	movb $0x77, 0x10\n"        /* MMIO write, 1 byte at 0xd0010 */
	"	movl $0xcafef00d, 0x20\n"  /* MMIO write, 4 bytes at 0xd0020 */
	"	mov 0x30, %al\n"           /* MMIO read at 0xd0030: the VMM answers 0x3c */
	"	out %al, $0xe3\n"          /* ... echoed */
	"	hlt\n"
	"rm_code_end:\n"
	".code64\n"
	".globl lm_code, lm_handler, lm_code_end\n"
	"lm_code:\n"
	"	xor %eax, %eax\n"
	"	cpuid\n"
	"	mov %eax, %r8d\n"
	"	mov %edx, %r9d\n"
	"	mov $0xe0, %dx\n"
	"	mov %ebx, %eax\n"
	"	out %eax, %dx\n"           /* e.g. "Genu" */
	"	mov %r9d, %eax\n"
	"	out %eax, %dx\n"           /* "ineI" */
	"	mov %ecx, %eax\n"
	"	out %eax, %dx\n"           /* "ntel" */
	"	mov $0xe1, %dx\n"
	"	mov %r8d, %eax\n"
	"	out %eax, %dx\n"
	"	mov $0x1b, %ecx\n"         /* IA32_APIC_BASE: handled inside KVM */
	"	rdmsr\n"
	"	mov $0xe2, %dx\n"
	"	out %eax, %dx\n"
	"	mov $0x4e455354, %ecx\n"   /* unknown MSR: KVM_EXIT_X86_RDMSR */
	"	rdmsr\n"
	"	mov %edx, %ebx\n"
	"	mov $0xe3, %dx\n"
	"	out %eax, %dx\n"
	"	mov %ebx, %eax\n"
	"	out %eax, %dx\n"
	"	mov $0x4e455354, %ecx\n"   /* ... and KVM_EXIT_X86_WRMSR */
	"	mov $0x55667788, %eax\n"
	"	mov $0x11223344, %edx\n"
	"	wrmsr\n"
	"	mov $0xfee00000, %ebx\n"   /* the xAPIC page */
	"	movl $0x1ff, 0xf0(%rbx)\n"   /* SVR: enabled, spurious vector 0xff */
	"	movl $0xb, 0x3e0(%rbx)\n"    /* divide by 1 */
	"	movl $0x40, 0x320(%rbx)\n"   /* LVT timer: one-shot, vector 0x40 */
	"	movl $100000, 0x380(%rbx)\n" /* initial count: the timer starts */
	"1:	cli\n"
	"	cmpl $0, ticks(%rip)\n"
	"	jne 2f\n"
	"	sti\n"
	"	hlt\n"                     /* in the STI shadow: no lost wake-up */
	"	jmp 1b\n"
	"2:	mov ticks(%rip), %eax\n"
	"	mov $0xe6, %dx\n"
	"	out %eax, %dx\n"
	"	mov $0xe7, %dx\n"
	"	out %eax, %dx\n"           /* done: the VMM stops here */
	"3:	hlt\n"
	"	jmp 3b\n"
	"lm_handler:\n"                /* vector 0x40 */
	"	push %rax\n"
	"	push %rdx\n"
	"	mov $0x40, %eax\n"
	"	mov $0xe5, %dx\n"
	"	out %eax, %dx\n"
	"	incl ticks(%rip)\n"
	"	mov $0xfee000b0, %eax\n"
	"	movl $0, (%rax)\n"         /* EOI */
	"	pop %rdx\n"
	"	pop %rax\n"
	"	iretq\n"
	"	.balign 4\n"
	"ticks:	.long 0\n"
	"lm_code_end:\n"
	".popsection\n");

/* ---- a VM --------------------------------------------------------------- */

struct vm {
	int vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	unsigned char *mem;
	size_t mem_size;
};

static int kvm_fd;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void vm_create(struct vm *v, size_t mem_size, int irqchip)
{
	struct kvm_userspace_memory_region region;
	int mmap_size;

	v->vm = xioctl(kvm_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	/* For a CPU without unrestricted guest (real mode through vm86): three
	 * pages KVM needs, outside the guest's RAM. */
	xioctl(v->vm, KVM_SET_TSS_ADDR, (void *)0xfffbd000ul, "KVM_SET_TSS_ADDR");
	if (irqchip)
		xioctl(v->vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
	v->mem_size = mem_size;
	v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->mem == MAP_FAILED)
		fail("mmap of %zu bytes of guest memory: %s", mem_size, strerror(errno));
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)v->mem,
	};
	xioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region, "KVM_SET_USER_MEMORY_REGION");
	v->vcpu = xioctl(v->vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	mmap_size = xioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	if ((size_t)mmap_size < sizeof(struct kvm_run))
		fail("KVM_GET_VCPU_MMAP_SIZE %d < sizeof(struct kvm_run) %zu",
		     mmap_size, sizeof(struct kvm_run));
	v->run_size = mmap_size;
	v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		fail("mmap of kvm_run: %s", strerror(errno));
}

/* Everything that holds the VM goes (the kvm_run mapping holds the vCPU,
 * the vCPU the VM), so that KVM destroys it before the next one. */
static void vm_destroy(struct vm *v)
{
	munmap(v->run, v->run_size);
	munmap(v->mem, v->mem_size);
	close(v->vcpu);
	close(v->vm);
}

static const char *exit_name(unsigned r)
{
	switch (r) {
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_X86_RDMSR: return "X86_RDMSR";
	case KVM_EXIT_X86_WRMSR: return "X86_WRMSR";
	default: return "other";
	}
}

/* Runs the vCPU to its next exit to userspace; returns the exit reason.
 * Exits that always mean failure are reported here with what KVM said. */
static unsigned vm_run(struct vm *v)
{
	struct kvm_run *run = v->run;
	struct kvm_regs regs;

	timed_out = 0;
	alarm(GUEST_TIMEOUT);
	if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
		int e = errno;

		alarm(0);
		if (e == EINTR && timed_out)
			fail("no exit within %d s", GUEST_TIMEOUT);
		fail("KVM_RUN: %s", strerror(e));
	}
	alarm(0);
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		fail("KVM_EXIT_FAIL_ENTRY, hardware entry failure reason 0x%llx",
		     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		fail("KVM_EXIT_INTERNAL_ERROR, suberror %u, %u data words, first 0x%llx",
		     run->internal.suberror, run->internal.ndata,
		     (unsigned long long)(run->internal.ndata ? run->internal.data[0] : 0));
	case KVM_EXIT_SHUTDOWN:
		ioctl(v->vcpu, KVM_GET_REGS, &regs);
		fail("KVM_EXIT_SHUTDOWN (triple fault) at RIP 0x%llx", (unsigned long long)regs.rip);
	case KVM_EXIT_IO:
		if (run->io.port == P_EXC && run->io.direction == KVM_EXIT_IO_OUT &&
		    run->io.size == 4)
			fail("guest exception, vector %u",
			     *(uint32_t *)((char *)run + run->io.data_offset));
		break;
	}
	return run->exit_reason;
}

static void expect_reason(struct vm *v, unsigned want, unsigned got)
{
	struct kvm_regs regs;

	if (got == want)
		return;
	regs.rip = 0;
	ioctl(v->vcpu, KVM_GET_REGS, &regs);
	if (got == KVM_EXIT_IO)
		fail("expected exit %s, got IO %s port 0x%x size %u at RIP 0x%llx",
		     exit_name(want), v->run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		     v->run->io.port, v->run->io.size, (unsigned long long)regs.rip);
	if (got == KVM_EXIT_MMIO)
		fail("expected exit %s, got MMIO at 0x%llx at RIP 0x%llx", exit_name(want),
		     (unsigned long long)v->run->mmio.phys_addr, (unsigned long long)regs.rip);
	fail("expected exit %s, got %s (%u) at RIP 0x%llx", exit_name(want),
	     exit_name(got), got, (unsigned long long)regs.rip);
}

/* Next exit must be an I/O exit with this direction, port and size, one
 * item; OUT: its data must be `value`; IN: the guest gets `value`. */
static void expect_io(struct vm *v, int dir, unsigned port, unsigned size, uint32_t value)
{
	struct kvm_run *run = v->run;
	unsigned char *data;
	uint32_t got = 0;

	expect_reason(v, KVM_EXIT_IO, vm_run(v));
	if (run->io.direction != dir || run->io.port != port || run->io.size != size ||
	    run->io.count != 1)
		fail("expected I/O %s port 0x%x size %u count 1, got %s port 0x%x size %u count %u",
		     dir == KVM_EXIT_IO_OUT ? "out" : "in", port, size,
		     run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		     run->io.port, run->io.size, run->io.count);
	data = (unsigned char *)run + run->io.data_offset;
	if (dir == KVM_EXIT_IO_OUT) {
		memcpy(&got, data, size);
		if (got != value)
			fail("I/O out port 0x%x: data 0x%x, expected 0x%x", port, got, value);
		say("%s: exit IO out port 0x%x size %u data 0x%x ok", phase, port, size, got);
	} else {
		memcpy(data, &value, size);
		say("%s: exit IO in port 0x%x size %u, answered 0x%x", phase, port, size, value);
	}
	checked++;
}

static void expect_mmio(struct vm *v, uint64_t addr, unsigned len, int is_write, uint64_t value)
{
	struct kvm_run *run = v->run;
	uint64_t got = 0;

	expect_reason(v, KVM_EXIT_MMIO, vm_run(v));
	if (run->mmio.phys_addr != addr || run->mmio.len != len || run->mmio.is_write != is_write)
		fail("expected MMIO %s 0x%llx len %u, got %s 0x%llx len %u",
		     is_write ? "write" : "read", (unsigned long long)addr, len,
		     run->mmio.is_write ? "write" : "read",
		     (unsigned long long)run->mmio.phys_addr, run->mmio.len);
	if (is_write) {
		memcpy(&got, run->mmio.data, len);
		if (got != value)
			fail("MMIO write 0x%llx: data 0x%llx, expected 0x%llx",
			     (unsigned long long)addr, (unsigned long long)got,
			     (unsigned long long)value);
		say("%s: exit MMIO write 0x%llx len %u data 0x%llx ok", phase,
		    (unsigned long long)addr, len, (unsigned long long)got);
	} else {
		memcpy(run->mmio.data, &value, len);
		say("%s: exit MMIO read 0x%llx len %u, answered 0x%llx", phase,
		    (unsigned long long)addr, len, (unsigned long long)value);
	}
	checked++;
}

/* ---- the real-mode guest ------------------------------------------------ */

#define RM_MEM   0x10000   /* 64 KiB of RAM at 0; MMIO_BASE lies beyond */
#define RM_ENTRY 0x1000

static void real_mode_guest(void)
{
	struct vm v;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	phase = "real mode";
	vm_create(&v, RM_MEM, 0);
	memcpy(v.mem + RM_ENTRY, rm_code, rm_code_end - rm_code);
	xioctl(v.vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	sregs.ds.selector = 0;
	sregs.ds.base = 0;
	xioctl(v.vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = RM_ENTRY;
	regs.rflags = 2;
	xioctl(v.vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");

	expect_io(&v, KVM_EXIT_IO_OUT, P_OUT8, 1, V_OUT8);
	expect_io(&v, KVM_EXIT_IO_IN, P_IN8, 1, V_IN8);
	expect_io(&v, KVM_EXIT_IO_OUT, P_ECHO8, 1, V_IN8);
	expect_io(&v, KVM_EXIT_IO_OUT, P_OUT16, 2, V_OUT16);
	expect_mmio(&v, MMIO_BASE + 0x10, 1, 1, V_MMIO8);
	expect_mmio(&v, MMIO_BASE + 0x20, 4, 1, V_MMIO32);
	expect_mmio(&v, MMIO_BASE + 0x30, 1, 0, V_MMIORD);
	expect_io(&v, KVM_EXIT_IO_OUT, P_MMIOECHO, 1, V_MMIORD);
	expect_reason(&v, KVM_EXIT_HLT, vm_run(&v));
	checked++;
	xioctl(v.vcpu, KVM_GET_REGS, &regs, "KVM_GET_REGS");
	if (regs.rip != (uint64_t)(RM_ENTRY + (rm_code_end - rm_code)))
		fail("HLT exit at RIP 0x%llx, expected 0x%lx", (unsigned long long)regs.rip,
		     (unsigned long)(RM_ENTRY + (rm_code_end - rm_code)));
	say("%s: exit HLT at RIP 0x%llx ok", phase, (unsigned long long)regs.rip);
	vm_destroy(&v);
}

/* ---- the long-mode guest ------------------------------------------------ */

#define LM_MEM    0x200000   /* 2 MiB of RAM at 0 */
#define LM_GDT    0x500
#define LM_IDT    0x1000
#define LM_PML4   0x2000     /* PML4, PDPT, PD (RAM), PD (the APIC's GiB) */
#define LM_CODE   0x8000
#define LM_STUBS  0x9000     /* 16 bytes per vector */
#define LM_STACK  0x1ff000
#define APIC_BASE 0xfee00000u

static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

/* Leaf 0 of the CPUID table set with KVM_SET_CPUID2, as the guest must see it. */
static struct kvm_cpuid_entry2 leaf0;

static void set_cpuid(struct vm *v)
{
	struct kvm_cpuid2 *c;
	unsigned n = 64, i;

	for (;;) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			fail("out of memory");
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		if (errno != E2BIG || n > 4096)
			fail("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		n *= 2;
	}
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0 && c->entries[i].index == 0)
			leaf0 = c->entries[i];
	if (!leaf0.eax)
		fail("KVM_GET_SUPPORTED_CPUID has no leaf 0");
	xioctl(v->vcpu, KVM_SET_CPUID2, c, "KVM_SET_CPUID2");
	say("long mode: KVM_SET_CPUID2 with %u entries from KVM_GET_SUPPORTED_CPUID", c->nent);
	free(c);
}

static void long_mode_guest(void)
{
	struct vm v;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_enable_cap cap;
	struct kvm_run *run;
	unsigned char *m;
	uint64_t handler;
	char vendor[13];
	uint32_t w;
	unsigned i;

	phase = "long mode";
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0)
		fail("no KVM_CAP_X86_USER_SPACE_MSR");
	vm_create(&v, LM_MEM, 1);
	run = v.run;
	m = v.mem;
	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_X86_USER_SPACE_MSR;
	cap.args[0] = KVM_MSR_EXIT_REASON_UNKNOWN;
	xioctl(v.vm, KVM_ENABLE_CAP, &cap, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)");
	set_cpuid(&v);

	/* GDT: null, 64-bit code (0x08), data (0x10). */
	put64(m + LM_GDT + 8, 0x00af9a000000ffffull);
	put64(m + LM_GDT + 16, 0x00cf92000000ffffull);
	/* Identity paging: the first 2 MiB (RAM) and the 2 MiB with the xAPIC
	 * page (uncached), 2 MiB pages. */
	put64(m + LM_PML4, (LM_PML4 + 0x1000) | 3);
	put64(m + LM_PML4 + 0x1000, (LM_PML4 + 0x2000) | 3);
	put64(m + LM_PML4 + 0x1000 + 3 * 8, (LM_PML4 + 0x3000) | 3);
	put64(m + LM_PML4 + 0x2000, 0 | 0x83);
	put64(m + LM_PML4 + 0x3000 + ((APIC_BASE >> 21) & 511) * 8,
	      (APIC_BASE & ~0x1fffffu) | 0x83 | 0x10);   /* P, W, PS, PCD */
	/* The code, and a stub per vector that reports it on port 0xef. */
	memcpy(m + LM_CODE, lm_code, lm_code_end - lm_code);
	handler = LM_CODE + (lm_handler - lm_code);
	for (i = 0; i < 256; i++) {
		unsigned char *s = m + LM_STUBS + 16 * i;
		uint64_t target = i == TIMER_VEC ? handler : LM_STUBS + 16 * i;
		unsigned char *g = m + LM_IDT + 16 * i;
		const unsigned char stub[] = {
			0xb8, i, 0, 0, 0,        /* mov eax, i */
			0xba, P_EXC, 0, 0, 0,    /* mov edx, 0xef */
			0xef,                    /* out dx, eax */
			0xf4,                    /* hlt */
			0xeb, 0xfd,              /* jmp hlt */
		};

		memcpy(s, stub, sizeof(stub));
		/* 64-bit interrupt gate, selector 0x08, present, DPL 0 */
		w = (target & 0xffff) | (0x08 << 16);
		memcpy(g, &w, 4);
		w = (target & 0xffff0000) | 0x8e00;
		memcpy(g + 4, &w, 4);
		w = target >> 32;
		memcpy(g + 8, &w, 4);
	}

	xioctl(v.vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	seg(&sregs.cs, 0x08, 11, 1);
	seg(&sregs.ds, 0x10, 3, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = LM_GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.idt.base = LM_IDT;
	sregs.idt.limit = 256 * 16 - 1;
	sregs.cr3 = LM_PML4;
	sregs.cr4 = 1u << 5;                          /* PAE */
	sregs.cr0 = 0x80050033;                       /* PG, AM, WP, NE, ET, MP, PE */
	sregs.efer = (1u << 8) | (1u << 10);          /* LME, LMA */
	xioctl(v.vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = LM_CODE;
	regs.rsp = LM_STACK;
	regs.rflags = 2;
	xioctl(v.vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");

	/* CPUID leaf 0, as set. */
	expect_io(&v, KVM_EXIT_IO_OUT, P_VENDOR, 4, leaf0.ebx);
	expect_io(&v, KVM_EXIT_IO_OUT, P_VENDOR, 4, leaf0.edx);
	expect_io(&v, KVM_EXIT_IO_OUT, P_VENDOR, 4, leaf0.ecx);
	expect_io(&v, KVM_EXIT_IO_OUT, P_MAXLEAF, 4, leaf0.eax);
	memcpy(vendor, &leaf0.ebx, 4);
	memcpy(vendor + 4, &leaf0.edx, 4);
	memcpy(vendor + 8, &leaf0.ecx, 4);
	vendor[12] = 0;
	say("long mode: CPUID.0 in the guest: \"%s\", max leaf 0x%x, as set", vendor, leaf0.eax);
	/* IA32_APIC_BASE from KVM's LAPIC: the default base, BSP, enabled. */
	expect_io(&v, KVM_EXIT_IO_OUT, P_APICBASE, 4, APIC_BASE | 0x900);
	/* RDMSR of an unknown MSR comes to us. */
	expect_reason(&v, KVM_EXIT_X86_RDMSR, vm_run(&v));
	if (run->msr.index != TEST_MSR || run->msr.reason != KVM_MSR_EXIT_REASON_UNKNOWN)
		fail("RDMSR exit: MSR 0x%x reason %u, expected 0x%x reason %u",
		     run->msr.index, run->msr.reason, TEST_MSR, KVM_MSR_EXIT_REASON_UNKNOWN);
	run->msr.error = 0;
	run->msr.data = V_RDMSR;
	checked++;
	say("long mode: exit X86_RDMSR MSR 0x%x (unknown to KVM), answered 0x%llx",
	    TEST_MSR, (unsigned long long)V_RDMSR);
	expect_io(&v, KVM_EXIT_IO_OUT, P_MSRECHO, 4, (uint32_t)V_RDMSR);
	expect_io(&v, KVM_EXIT_IO_OUT, P_MSRECHO, 4, (uint32_t)(V_RDMSR >> 32));
	expect_reason(&v, KVM_EXIT_X86_WRMSR, vm_run(&v));
	if (run->msr.index != TEST_MSR || run->msr.reason != KVM_MSR_EXIT_REASON_UNKNOWN ||
	    run->msr.data != V_WRMSR)
		fail("WRMSR exit: MSR 0x%x reason %u data 0x%llx, expected 0x%x reason %u data 0x%llx",
		     run->msr.index, run->msr.reason, (unsigned long long)run->msr.data,
		     TEST_MSR, KVM_MSR_EXIT_REASON_UNKNOWN, (unsigned long long)V_WRMSR);
	run->msr.error = 0;
	checked++;
	say("long mode: exit X86_WRMSR MSR 0x%x data 0x%llx ok", TEST_MSR,
	    (unsigned long long)V_WRMSR);
	/* The LAPIC timer fires while the guest halts (inside KVM). */
	expect_io(&v, KVM_EXIT_IO_OUT, P_VECTOR, 4, TIMER_VEC);
	say("long mode: LAPIC timer interrupt, vector 0x%x, delivered by KVM", TIMER_VEC);
	expect_io(&v, KVM_EXIT_IO_OUT, P_TICKS, 4, 1);
	expect_io(&v, KVM_EXIT_IO_OUT, P_DONE, 4, 1);
	vm_destroy(&v);
}

int main(void)
{
	struct sigaction sa;
	int api;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;          /* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		fail("open /dev/kvm: %s", strerror(errno));
	api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	say("/dev/kvm api %d", api);
	if (api != KVM_API_VERSION)
		fail("KVM_GET_API_VERSION %d, expected %d", api, KVM_API_VERSION);
	real_mode_guest();
	long_mode_guest();
	printf("kvmtest: verdict PASS (%u exits checked)\n", checked);
	return 0;
}
