# Test guests (tests/guests/): freestanding x86-64 programs that Nestor runs
# as its guest, linked at 1 MiB (guest.ld) and kept below 2 MiB, except
# the two that test where a guest may live: suite-mb1-4m (linked at 4 MiB,
# like kvm-unit-tests' images) and suite-mb1-big (at 1 MiB, over 5 MiB
# large with a checked blob).
# Included by the top Makefile, which provides CC, NASM, BUILD, KCFLAGS,
# NASMFLAGS and ASM_INCS. Flavours (how the image is entered):
#   mb2   multiboot2 header, 32-bit entry rt_start32
#   mb1   multiboot1 header, 32-bit entry rt_start32
#   elf64 no multiboot header at all, 64-bit entry rt_start64
# Built here: suite-mb2/mb1/elf64.elf, suite-mb1-4m.elf, suite-mb1-big.elf,
# bench.elf (elf64), demo.elf (mb2), shell-target.elf (mb2: the shell
# system test's target, tests/guests/shell_target.c),
# adversarial.elf (elf64: tests/guests/adversarial.c),
# nested.elf (mb2: the L1 test VMM, tests/guests/nested*.c) and
# nested-elf64.elf (the same, elf64, for Nestor without unrestricted guest),
# nested-bench.elf (mb2: the nested benchmark, an L1 VMM timing its L2's
# CPUID round trip, tests/guests/nested_bench.c),
# and suite-elf64-shim.elf (test only: an mb2 image whose 32-bit stub enters
# the elf64 entry in long mode, to exercise rt_start64 without Nestor).

GUEST_DIR := tests/guests
GUEST_OUT := $(BUILD)/guests
GUEST_OBJ := $(GUEST_OUT)/obj

GUEST_ELFS := $(GUEST_OUT)/suite-mb2.elf $(GUEST_OUT)/suite-mb1.elf \
	$(GUEST_OUT)/suite-elf64.elf $(GUEST_OUT)/bench.elf \
	$(GUEST_OUT)/demo.elf $(GUEST_OUT)/suite-mb1-4m.elf \
	$(GUEST_OUT)/suite-mb1-big.elf $(GUEST_OUT)/adversarial.elf \
	$(GUEST_OUT)/nested.elf $(GUEST_OUT)/nested-elf64.elf \
	$(GUEST_OUT)/nested-bench.elf $(GUEST_OUT)/shell-target.elf
GUEST_TEST_ELFS := $(GUEST_OUT)/suite-elf64-shim.elf

GUEST_LDFLAGS = -nostdlib -static -no-pie -Wl,-T,$(GUEST_DIR)/guest.ld \
	-Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack

# The runtime: every guest links all of it, plus the repository's
# freestanding formatter, string functions, multiboot2 parser, memory type
# names, 16550 driver and the VMX capability MSRs' existence rules.
GUEST_RT_C := $(sort $(wildcard $(GUEST_DIR)/rt/*.c)) lib/format.c \
	lib/string.c boot/multiboot2.c mm/mem_region.c arch/x86/serial.c \
	vmx/vmx_msrs_collect.c
GUEST_RT_OBJS := $(GUEST_RT_C:%.c=$(GUEST_OBJ)/%.o) \
	$(GUEST_OBJ)/$(GUEST_DIR)/rt/entry.asm.o \
	$(GUEST_OBJ)/$(GUEST_DIR)/rt/isr.asm.o
GUEST_MB2_HDR := $(GUEST_OBJ)/$(GUEST_DIR)/rt/mb2_header.asm.o
GUEST_MB1_HDR := $(GUEST_OBJ)/$(GUEST_DIR)/rt/mb1_header.asm.o
GUEST_SHIM := $(GUEST_OBJ)/$(GUEST_DIR)/rt/elf64_shim.asm.o

GUEST_SUITE_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/suite.o
GUEST_BENCH_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/bench.o
GUEST_DEMO_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/demo.o
GUEST_SHELLT_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/shell_target.o
GUEST_ADV_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/adversarial.o
GUEST_BLOB_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/big_blob.asm.o
GUEST_NESTED_OBJS := $(GUEST_OBJ)/$(GUEST_DIR)/nested.o \
	$(GUEST_OBJ)/$(GUEST_DIR)/nested_mem.o \
	$(GUEST_OBJ)/$(GUEST_DIR)/nested_entry.o \
	$(GUEST_OBJ)/$(GUEST_DIR)/nested_l2.o \
	$(GUEST_OBJ)/$(GUEST_DIR)/nested_apic.o
GUEST_NBENCH_OBJ := $(GUEST_OBJ)/$(GUEST_DIR)/nested_bench.o

GUEST_ALL_OBJS := $(GUEST_RT_OBJS) $(GUEST_MB2_HDR) $(GUEST_MB1_HDR) \
	$(GUEST_SHIM) $(GUEST_SUITE_OBJ) $(GUEST_BENCH_OBJ) $(GUEST_DEMO_OBJ) \
	$(GUEST_SHELLT_OBJ) \
	$(GUEST_BLOB_OBJ) $(GUEST_ADV_OBJ) $(GUEST_NESTED_OBJS) $(GUEST_NBENCH_OBJ)

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_TEST_ELFS)

# Same as the hypervisor's lib/string.o: no loops turned back into calls.
$(GUEST_OBJ)/lib/string.o: KCFLAGS += -fno-tree-loop-distribute-patterns

$(GUEST_OBJ)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

$(GUEST_OBJ)/%.asm.o: %.asm $(ASM_INCS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(NASM) $(NASMFLAGS) $< -o $@

# guest_link FLAVOUR ENTRY OBJECTS [BASE LIMIT]: link, then check the image
# (load addresses within [BASE, LIMIT), by default [1 MiB, 2 MiB), the
# flavour's header present, the other protocol's header (or, for elf64,
# any) absent).
define guest_link
	@mkdir -p $(@D)
	$(CC) $(GUEST_LDFLAGS) -Wl,-e,$(2) \
		$(if $(4),-Xlinker --defsym=GUEST_BASE=$(4) -Xlinker --defsym=GUEST_LIMIT=$(5)) \
		-o $@ $(3) -lgcc
	@$(GUEST_DIR)/check-guest.sh $@ $(1) $(4) $(5)
endef

GUEST_LINK_DEPS := $(GUEST_DIR)/guest.ld $(GUEST_DIR)/check-guest.sh $(GUEST_RT_OBJS)

$(GUEST_OUT)/suite-mb2.elf: $(GUEST_SUITE_OBJ) $(GUEST_MB2_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb2,rt_start32,$(GUEST_MB2_HDR) $(GUEST_SUITE_OBJ) $(GUEST_RT_OBJS))

$(GUEST_OUT)/suite-mb1.elf: $(GUEST_SUITE_OBJ) $(GUEST_MB1_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb1,rt_start32,$(GUEST_MB1_HDR) $(GUEST_SUITE_OBJ) $(GUEST_RT_OBJS))

# Linked at 4 MiB, where kvm-unit-tests' .flat images live.
$(GUEST_OUT)/suite-mb1-4m.elf: $(GUEST_SUITE_OBJ) $(GUEST_MB1_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb1,rt_start32,$(GUEST_MB1_HDR) $(GUEST_SUITE_OBJ) $(GUEST_RT_OBJS),0x400000,0x500000)

# At 1 MiB with a 5 MiB blob (big_blob.asm) the suite checks: an image
# larger than 4 MiB, across the old home of Nestor (2 MiB).
$(GUEST_OUT)/suite-mb1-big.elf: $(GUEST_SUITE_OBJ) $(GUEST_MB1_HDR) $(GUEST_BLOB_OBJ) $(GUEST_LINK_DEPS)
	$(call guest_link,mb1,rt_start32,$(GUEST_MB1_HDR) $(GUEST_SUITE_OBJ) $(GUEST_BLOB_OBJ) $(GUEST_RT_OBJS),0x100000,0x900000)

$(GUEST_OUT)/suite-elf64.elf: $(GUEST_SUITE_OBJ) $(GUEST_LINK_DEPS)
	$(call guest_link,elf64,rt_start64,$(GUEST_SUITE_OBJ) $(GUEST_RT_OBJS))

$(GUEST_OUT)/bench.elf: $(GUEST_BENCH_OBJ) $(GUEST_LINK_DEPS)
	$(call guest_link,elf64,rt_start64,$(GUEST_BENCH_OBJ) $(GUEST_RT_OBJS))

$(GUEST_OUT)/demo.elf: $(GUEST_DEMO_OBJ) $(GUEST_MB2_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb2,rt_start32,$(GUEST_MB2_HDR) $(GUEST_DEMO_OBJ) $(GUEST_RT_OBJS))

$(GUEST_OUT)/shell-target.elf: $(GUEST_SHELLT_OBJ) $(GUEST_MB2_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb2,rt_start32,$(GUEST_MB2_HDR) $(GUEST_SHELLT_OBJ) $(GUEST_RT_OBJS))

$(GUEST_OUT)/adversarial.elf: $(GUEST_ADV_OBJ) $(GUEST_LINK_DEPS)
	$(call guest_link,elf64,rt_start64,$(GUEST_ADV_OBJ) $(GUEST_RT_OBJS))

# The L1 test VMM (nested.c, nested_mem.c, nested_entry.c, nested_l2.c):
# multiboot2, so
# that GRUB boots it bare on Bochs (Bochs is L0) as well as Nestor does.
$(GUEST_OUT)/nested.elf: $(GUEST_NESTED_OBJS) $(GUEST_MB2_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb2,rt_start32,$(GUEST_MB2_HDR) $(GUEST_NESTED_OBJS) $(GUEST_RT_OBJS))

# The same VMM entered in long mode: Nestor starts a multiboot2 guest in
# 32-bit protected mode with paging off, which needs unrestricted guest, so
# on a CPU without it (corei5_lynnfield_750) Nestor runs this one.
$(GUEST_OUT)/nested-elf64.elf: $(GUEST_NESTED_OBJS) $(GUEST_LINK_DEPS)
	$(call guest_link,elf64,rt_start64,$(GUEST_NESTED_OBJS) $(GUEST_RT_OBJS))

# The nested benchmark (make bench): multiboot2, so that GRUB boots it bare
# on Bochs (Bochs is L0) as well as Nestor does.
$(GUEST_OUT)/nested-bench.elf: $(GUEST_NBENCH_OBJ) $(GUEST_MB2_HDR) $(GUEST_LINK_DEPS)
	$(call guest_link,mb2,rt_start32,$(GUEST_MB2_HDR) $(GUEST_NBENCH_OBJ) $(GUEST_RT_OBJS))

$(GUEST_OUT)/suite-elf64-shim.elf: $(GUEST_SUITE_OBJ) $(GUEST_MB2_HDR) \
		$(GUEST_SHIM) $(GUEST_LINK_DEPS)
	$(call guest_link,mb2,elf64_shim_start,$(GUEST_MB2_HDR) $(GUEST_SHIM) \
		$(GUEST_SUITE_OBJ) $(GUEST_RT_OBJS))

-include $(GUEST_ALL_OBJS:.o=.d)
