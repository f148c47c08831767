/* The nested suite's memory operands: VMX instructions in several
 * addressing forms (SDM Vol. 2A, 2.2.1: SIB with disp32, RIP-relative,
 * the 0x67 address-size prefix, FS/GS overrides with a base), and the
 * faults of their memory accesses (SDM Vol. 3C, 30.3, each instruction's
 * "64-Bit Mode Exceptions"): #PF with CR2 and the error code, #GP(0) for a
 * non-canonical address, #SS(0) when it is SS-based. VMCS A is current. */
#include "tests/guests/nested.h"

#include "arch/x86/regs.h"

#define NONCANONICAL 0x8000000000000000ULL

uint64_t *nested_mem_page;
/* The RIP-relative operand of test_mem_vmptrld_rip_relative. */
uint64_t nested_riprel_ptr;

#define PRE "pushq %[fin]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpopq %[f]"

/* VMPTRST to [base + index*8 + 0x100] (SIB, disp32). */
static void f_vmptrst_sib(void *arg, uint64_t fin, uint64_t *fout)
{
	uint64_t base = (uint64_t)arg - 0x100 - 4 * 8, idx = 4, f;

	__asm__ __volatile__(PRE "vmptrst 0x100(%[b],%[i],8)" POST
			     : [f] "=&r"(f)
			     : [fin] "r"(fin), [b] "r"(base), [i] "r"(idx)
			     : "cc", "memory");
	*fout = f;
}

void test_mem_vmptrst_sib(void)
{
	uint64_t out[2] = { 0, 0 };
	struct rt_vmx_result r = rt_vmx_run(f_vmptrst_sib, out);

	nested_expect(&r, W_OK);
	CHECK(out[0] == pa(nested_vmcs_a), "stored %#lx, expected VMCS A", out[0]);
}

static void f_vmptrld_riprel(void *arg, uint64_t fin, uint64_t *fout)
{
	uint64_t f;

	(void)arg;
	__asm__ __volatile__(PRE "vmptrld nested_riprel_ptr(%%rip)" POST
			     : [f] "=&r"(f)
			     : [fin] "r"(fin)
			     : "cc", "memory");
	*fout = f;
}

void test_mem_vmptrld_rip_relative(void)
{
	struct rt_vmx_result r;

	nested_riprel_ptr = pa(nested_vmcs_b);
	expect(rt_vmclear(pa(nested_vmcs_b)), W_OK);
	r = rt_vmx_run(f_vmptrld_riprel, NULL);
	nested_expect(&r, W_OK);
	r = rt_vmptrst();
	CHECK(r.value == pa(nested_vmcs_b), "VMCS B is not current after the load");
	expect(rt_vmptrld(pa(nested_vmcs_a)), W_OK);
}

/* VMCLEAR [eax] with the address-size prefix: a 32-bit effective address
 * (SDM Vol. 1, 3.3.7). The upper half of RAX is garbage on purpose. */
static void f_vmclear_addr32(void *arg, uint64_t fin, uint64_t *fout)
{
	uint64_t addr = (uint64_t)arg | 0xdead000000000000ULL, f;

	__asm__ __volatile__(PRE "vmclear (%k[a])" POST
			     : [f] "=&r"(f)
			     : [fin] "r"(fin), [a] "r"(addr)
			     : "cc", "memory");
	*fout = f;
}

void test_mem_vmclear_addr32(void)
{
	uint64_t ptr = pa(nested_vmcs_b);
	struct rt_vmx_result r;

	expect(rt_vmptrld(pa(nested_vmcs_b)), W_OK);
	r = rt_vmx_run(f_vmclear_addr32, &ptr);
	nested_expect(&r, W_OK);
	/* VMCLEAR of the current VMCS leaves none current (30.3). */
	r = rt_vmptrst();
	CHECK(r.value == ~0ULL, "a VMCS is still current after VMCLEAR");
	expect(rt_vmptrld(pa(nested_vmcs_a)), W_OK);
}

/* VMREAD to FS:[0x40 + 0] with FS.base = buf - 0x40. */
static void f_vmread_fs(void *arg, uint64_t fin, uint64_t *fout)
{
	uint64_t field = VMCS_GUEST_RSP, zero = 0, f;

	(void)arg;
	__asm__ __volatile__(PRE "vmread %[fl], %%fs:0x40(%[z])" POST
			     : [f] "=&r"(f)
			     : [fin] "r"(fin), [fl] "r"(field), [z] "r"(zero)
			     : "cc", "memory");
	*fout = f;
}

void test_mem_vmread_fs_base(void)
{
	uint64_t buf = 0;
	struct rt_vmx_result r;

	rt_vmcs_write(VMCS_GUEST_RSP, 0x5566778899ULL);
	wrmsr(MSR_FS_BASE, (uint64_t)&buf - 0x40);
	r = rt_vmx_run(f_vmread_fs, NULL);
	wrmsr(MSR_FS_BASE, 0);
	nested_expect(&r, W_OK);
	CHECK(buf == 0x5566778899ULL, "FS-relative VMREAD stored %#lx", buf);
}

static void f_vmwrite_gs(void *arg, uint64_t fin, uint64_t *fout)
{
	uint64_t field = VMCS_GUEST_RSP, zero = 0, f;

	(void)arg;
	__asm__ __volatile__(PRE "vmwrite %%gs:0x40(%[z]), %[fl]" POST
			     : [f] "=&r"(f)
			     : [fin] "r"(fin), [fl] "r"(field), [z] "r"(zero)
			     : "cc", "memory");
	*fout = f;
}

void test_mem_vmwrite_gs_base(void)
{
	uint64_t buf = 0x1122334455ULL;
	struct rt_vmx_result r;

	wrmsr(MSR_GS_BASE, (uint64_t)&buf - 0x40);
	r = rt_vmx_run(f_vmwrite_gs, NULL);
	wrmsr(MSR_GS_BASE, 0);
	nested_expect(&r, W_OK);
	CHECK(rt_vmcs_read(VMCS_GUEST_RSP) == 0x1122334455ULL,
	      "GS-relative VMWRITE did not write the field");
}

/* The page fault of an operand: vector 14, the error code, CR2 = the
 * operand's address (SDM Vol. 3A, 4.7). */
static void expect_pf(struct rt_vmx_result r, uint64_t ec, uint64_t addr)
{
	nested_expect(&r, W_EXC(VEC_PF, ec));
	if (r.kind == RT_VMX_EXCEPTION && r.exc.vector == VEC_PF)
		CHECK(r.exc.cr2 == addr, "CR2 %#lx, expected the operand's address %#lx",
		      r.exc.cr2, addr);
}

void test_mem_vmptrld_not_present_pf(void)
{
	uint64_t *op = nested_mem_page + 3;
	struct rt_vmx_result r;

	REQUIRE(rt_map_4k(pa(nested_mem_page), 0), "cannot unmap the page");
	r = rt_vmptrld_m(op);
	rt_identity_4k(pa(nested_mem_page), PTE_P | PTE_RW);
	expect_pf(r, 0, pa(op));
}

void test_mem_vmwrite_not_present_pf(void)
{
	uint64_t *op = nested_mem_page + 5;
	struct rt_vmx_result r;

	REQUIRE(rt_map_4k(pa(nested_mem_page), 0), "cannot unmap the page");
	r = rt_vmwrite_m(VMCS_GUEST_RSP, op);
	rt_identity_4k(pa(nested_mem_page), PTE_P | PTE_RW);
	expect_pf(r, 0, pa(op));
}

/* A supervisor write to a read-only page faults when CR0.WP = 1 (4.6). */
void test_mem_vmptrst_read_only_pf(void)
{
	uint64_t *op = nested_mem_page + 7, cr0 = read_cr0();
	struct rt_vmx_result r;

	write_cr0(cr0 | CR0_WP);
	REQUIRE(rt_identity_4k(pa(nested_mem_page), PTE_P), "cannot remap the page");
	r = rt_vmptrst_m(op);
	rt_identity_4k(pa(nested_mem_page), PTE_P | PTE_RW);
	write_cr0(cr0);
	expect_pf(r, PF_ERR_P | PF_ERR_W, pa(op));
}

void test_mem_vmread_read_only_pf(void)
{
	uint64_t *op = nested_mem_page + 9, cr0 = read_cr0();
	struct rt_vmx_result r;

	write_cr0(cr0 | CR0_WP);
	REQUIRE(rt_identity_4k(pa(nested_mem_page), PTE_P), "cannot remap the page");
	r = rt_vmread_m(VMCS_GUEST_RSP, op);
	rt_identity_4k(pa(nested_mem_page), PTE_P | PTE_RW);
	write_cr0(cr0);
	expect_pf(r, PF_ERR_P | PF_ERR_W, pa(op));
}

void test_mem_vmclear_noncanonical_gp(void)
{
	expect(rt_vmclear_m((const uint64_t *)NONCANONICAL), W_EXC(VEC_GP, 0));
}

/* An RBP base makes SS the default segment (SDM Vol. 1, 3.7.4.1): a
 * non-canonical SS-based address is #SS(0). RBP is restored by the try
 * context when the instruction faults. */
static void f_vmptrld_rbp(void *arg, uint64_t fin, uint64_t *fout)
{
	uint64_t f;

	__asm__ __volatile__("mov %%rbp, %%r11\n\t"
			     "mov %[a], %%rbp\n\t"
			     PRE "vmptrld (%%rbp)" POST "\n\t"
			     "mov %%r11, %%rbp"
			     : [f] "=&a"(f)
			     : [fin] "r"(fin), [a] "r"(arg)
			     : "cc", "memory", "r11");
	*fout = f;
}

void test_mem_vmptrld_ss_noncanonical_ss(void)
{
	expect(rt_vmx_run(f_vmptrld_rbp, (void *)NONCANONICAL), W_EXC(VEC_SS, 0));
}

/* 30.3 VMXON in VMX root operation fails with error 15 without reading
 * its operand: a non-canonical one does not fault. */
void test_mem_vmxon_in_root_noncanonical(void)
{
	expect(rt_vmxon_m((const uint64_t *)NONCANONICAL),
	       W_VALID(VMXERR_VMXON_IN_ROOT));
}
