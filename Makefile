# Nestor build. `make` builds build/nestor.elf and build/nestor.iso;
# `make test` runs unit tests, fuzz smoke runs, the test runner's own tests
# and the system tests and ends with one line "N passed, N failed, N skipped";
# `make run` boots Nestor headless.
# See README.md.

CROSS_COMPILE ?=
CC      := $(CROSS_COMPILE)gcc
NASM    ?= nasm
HOSTCC  ?= gcc
CLANG   ?= clang
PYTHON  ?= python3
BUILD   ?= build

VERSION := 0.1.0
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Freestanding x86-64 (see ../shared/platform.md "Cross toolchain").
KCFLAGS := -std=gnu11 -ffreestanding -fno-pie -fno-pic -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-O2 -g -Wall -Wextra -Werror -I. -MMD -MP \
	-DNESTOR_VERSION='"$(VERSION)-$(GIT_REV)"'
KLDFLAGS := -nostdlib -static -no-pie -Wl,-T,linker.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack
# -I.: %include paths are relative to the repository root, like C's.
NASMFLAGS := -f elf64 -g -Werror -I.
# The NASM include files (arch/x86/*.inc) shared by Nestor and the test
# guests; every assembly object depends on them (NASM's -MD lists no
# includes in 2.16.01).
ASM_INCS := $(wildcard arch/x86/*.inc) vmx/guest_regs_layout.h

# Host builds of the pure code, with sanitizers.
HOSTCFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-DNESTOR_HOST_TEST -Wall -Wextra -Werror -I.
FUZZCFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -DNESTOR_HOST_TEST -I.

HV_C_SRCS := $(sort $(wildcard boot/*.c arch/x86/*.c lib/*.c mm/*.c vmx/*.c nested/*.c))
HV_ASM_SRCS := $(sort $(wildcard boot/*.asm arch/x86/*.asm vmx/*.asm))
HV_OBJS := $(HV_C_SRCS:%.c=$(BUILD)/hv/%.o) $(HV_ASM_SRCS:%.asm=$(BUILD)/hv/%.asm.o)

DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps iso unit fuzz fuzz-build selftest test system bench run clean
all: $(BUILD)/nestor.elf $(BUILD)/nestor.iso

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(@D)
	@scripts/deps.sh
	@touch $@

# --- the hypervisor -------------------------------------------------------
$(BUILD)/hv/lib/string.o: KCFLAGS += -fno-tree-loop-distribute-patterns

# Nestor runs at a fixed virtual address in the top 2 GiB (linker.ld), so
# its code uses the kernel code model (the test guests keep the small one).
$(BUILD)/hv/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -mcmodel=kernel -c $< -o $@

$(BUILD)/hv/%.asm.o: %.asm $(ASM_INCS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(NASM) $(NASMFLAGS) $< -o $@

# A change of flags here must rebuild every object (e.g. the code model).
$(HV_OBJS): Makefile

$(BUILD)/nestor.elf: $(HV_OBJS) linker.ld
	$(CC) $(KLDFLAGS) -o $@ $(HV_OBJS) -lgcc
	@scripts/check-image.sh $@

# Default ISO: Nestor with the demo guest (tests build their own ISOs).
$(BUILD)/nestor.iso: $(BUILD)/nestor.elf $(BUILD)/guests/demo.elf scripts/mkiso.sh
	scripts/mkiso.sh $@ $(BUILD)/nestor.elf "" multiboot2 \
		$(BUILD)/guests/demo.elf "demo" >/dev/null

# --- test, benchmark and demo guests (tests/guests) -------------------------
include tests/guests/guests.mk
all: $(GUEST_ELFS)

# --- unit tests (cmocka, host, ASan/UBSan) ----------------------------------
# Each tests/unit/test_X.c lists the production sources it tests here: the
# same files the hypervisor links, never copies.
UNIT_SRCS_test_format      := lib/format.c
UNIT_SRCS_test_multiboot2  := boot/multiboot2.c mm/mem_region.c lib/format.c
UNIT_SRCS_test_cmdline     := boot/cmdline.c lib/parse.c boot/cmdline_options.c vmx/msr_filter.c lib/format.c
UNIT_SRCS_test_frame_alloc := mm/frame_alloc.c
UNIT_SRCS_test_nestor_mem  := mm/nestor_mem.c mm/frame_alloc.c lib/format.c
UNIT_SRCS_test_cpu_ident   := arch/x86/cpu_ident.c
UNIT_SRCS_test_ept         := mm/ept.c
UNIT_SRCS_test_ept_compose := mm/ept_compose.c mm/ept.c
UNIT_SRCS_test_guest_walk  := mm/guest_walk.c
UNIT_SRCS_test_caps        := vmx/caps.c vmx/vmcs_field_caps.c vmx/vmcs_layout.c lib/format.c
UNIT_SRCS_test_vmcs_field_caps := vmx/vmcs_field_caps.c vmx/caps.c vmx/vmcs_layout.c lib/format.c
UNIT_SRCS_test_entry_checks := vmx/entry_checks.c vmx/vmcs_layout.c lib/format.c
UNIT_SRCS_test_elf         := boot/elf.c
UNIT_SRCS_test_mb_header   := boot/mb_header.c lib/format.c
UNIT_SRCS_test_guest_layout := boot/guest_layout.c lib/format.c
UNIT_SRCS_test_guest_info  := boot/guest_info.c boot/multiboot2.c \
	mm/mem_region.c lib/format.c
UNIT_SRCS_test_msr_policy  := vmx/msr_policy.c vmx/msr_filter.c vmx/mtrr.c lib/parse.c lib/format.c
UNIT_SRCS_test_msr_filter  := vmx/msr_filter.c lib/parse.c lib/format.c
UNIT_SRCS_test_phys_width  := mm/phys_width.c mm/guest_walk.c
UNIT_SRCS_test_apic_icr    := vmx/apic_icr.c
UNIT_SRCS_test_loaded_vmcs := vmx/loaded_vmcs.c
UNIT_SRCS_test_linux_boot  := boot/linux_boot.c lib/format.c
UNIT_SRCS_test_io_bitmap   := vmx/io_bitmap.c
UNIT_SRCS_test_mtrr        := vmx/mtrr.c
UNIT_SRCS_test_l0_controls := vmx/l0_controls.c
UNIT_SRCS_test_events      := vmx/events.c
UNIT_SRCS_test_vmcs_layout := vmx/vmcs_layout.c
UNIT_SRCS_test_vmx_errors  := vmx/vmx_errors.c
UNIT_SRCS_test_exit_trace  := vmx/exit_trace.c vmx/vmx_errors.c lib/format.c
UNIT_SRCS_test_insn_info   := vmx/insn_info.c
UNIT_SRCS_test_mem_region  := mm/mem_region.c
UNIT_SRCS_test_vmx_rules   := nested/vmx_rules.c
UNIT_SRCS_test_vmcs12      := nested/vmcs12.c vmx/vmcs_layout.c
UNIT_SRCS_test_host_state  := nested/host_state.c
UNIT_SRCS_test_l1_msrs     := vmx/l1_msrs.c
UNIT_SRCS_test_reflect     := nested/reflect.c
UNIT_SRCS_test_vmcs02_merge := nested/vmcs02_merge.c
UNIT_SRCS_test_uart16550  := vmx/uart16550.c
UNIT_SRCS_test_uart16550_linux := vmx/uart16550.c
UNIT_SRCS_test_console_mux := vmx/console_mux.c
UNIT_SRCS_test_gdb_packet  := lib/gdb_packet.c lib/parse.c lib/gdb_command.c lib/gdb_query.c lib/gdb_reply.c lib/gdb_x86.c
UNIT_SRCS_test_gdb_regs    := vmx/gdb_regs.c lib/gdb_x86.c lib/gdb_packet.c lib/gdb_reply.c lib/gdb_command.c lib/gdb_query.c lib/parse.c
UNIT_SRCS_test_line_edit   := lib/line_edit.c lib/format.c
UNIT_SRCS_test_shell_parse := vmx/shell_parse.c vmx/shell_format.c vmx/vmcs_layout.c lib/parse.c lib/format.c
UNIT_SRCS_test_ept_break_table := vmx/ept_break_table.c

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(sort $(wildcard tests/unit/test_*.c)))
UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/unit/%)

.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c $$(UNIT_SRCS_%) $$(wildcard tests/unit/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) $< $(UNIT_SRCS_$*) -lcmocka -o $@

# test_elf and test_mb_header also check the real build/nestor.elf; without
# it they would only skip.
unit: $(UNIT_BINS) $(BUILD)/nestor.elf
	@$(PYTHON) tests/run_tests.py --only unit $(UNIT_BINS)

# --- fuzzing (libFuzzer) ----------------------------------------------------
FUZZ_SRCS_fuzz_multiboot2 := boot/multiboot2.c mm/mem_region.c lib/format.c
FUZZ_SRCS_fuzz_cmdline    := boot/cmdline.c lib/parse.c boot/cmdline_options.c vmx/msr_filter.c lib/format.c
FUZZ_SRCS_fuzz_frame_alloc := mm/frame_alloc.c
FUZZ_SRCS_fuzz_msr_filter := vmx/msr_filter.c lib/parse.c lib/format.c
FUZZ_SRCS_fuzz_linux_boot := boot/linux_boot.c lib/format.c
FUZZ_SRCS_fuzz_entry_checks := vmx/entry_checks.c vmx/vmcs_layout.c lib/format.c
FUZZ_SRCS_fuzz_vmx_insn   := nested/vmx_rules.c nested/vmcs12.c vmx/vmcs_field_caps.c vmx/vmcs_layout.c vmx/caps.c vmx/insn_info.c lib/format.c
FUZZ_SRCS_fuzz_reflect    := nested/reflect.c
FUZZ_SRCS_fuzz_ept_compose := mm/ept_compose.c mm/ept.c
FUZZ_SRCS_fuzz_vmcs02_merge := nested/vmcs02_merge.c
FUZZ_SRCS_fuzz_events     := vmx/events.c
FUZZ_SRCS_fuzz_uart16550 := vmx/uart16550.c
FUZZ_SRCS_fuzz_console_mux := vmx/console_mux.c
FUZZ_SRCS_fuzz_gdb_packet := lib/gdb_packet.c lib/parse.c lib/gdb_command.c lib/gdb_query.c lib/gdb_reply.c lib/gdb_x86.c
FUZZ_SRCS_fuzz_shell      := lib/line_edit.c vmx/shell_parse.c vmx/shell_format.c vmx/vmcs_layout.c lib/parse.c lib/format.c

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_TIME ?= 60

$(BUILD)/fuzz/%: tests/fuzz/%.c $$(FUZZ_SRCS_%) $$(wildcard tests/fuzz/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZCFLAGS) $< $(FUZZ_SRCS_$*) -o $@

fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@$(PYTHON) tests/run_tests.py --only fuzz --fuzz-time $(FUZZ_TIME) $(FUZZ_BINS)

# --- the test runner's own tests (tests/selftest) ----------------------------
# Fake binaries that print nothing, hang, skip or crash, and made-up serial
# output: run_tests.py and tests/system/runner.py must report each as such.
selftest:
	@$(PYTHON) tests/run_tests.py --only selftest

# --- everything -------------------------------------------------------------
# Unit tests, a short fuzz run per target, the runner's own tests and the
# system scenarios; the last line is "N passed, N failed, N skipped" for the
# whole run.
FUZZ_SMOKE_TIME ?= 15
test: all $(UNIT_BINS) $(FUZZ_BINS)
	@$(PYTHON) tests/run_tests.py --fuzz-time $(FUZZ_SMOKE_TIME) $(UNIT_BINS) $(FUZZ_BINS)

system: all
	@$(PYTHON) tests/run_tests.py --only system

# Instruction counts per exit kind, measured in Bochs (see tests/bench.py).
bench: all
	@$(PYTHON) tests/bench.py

# Boot Nestor headless with the serial console on this terminal.
# EMU=bochs (default) | qemu | qemu-efi | kvm; BOCHS_CPU=<model>.
EMU ?=
BOCHS_CPU ?= corei7_skylake_x
# `make run` boots a stock Debian Linux (kernel + busybox initramfs, fetched
# and built on first use by scripts/linux-guest.sh, cached in build/linux)
# as Nestor's guest and ends in its shell; `make run GUEST=demo` boots the
# small demo guest instead (build/nestor.iso).
GUEST ?= linux
# lapic=notscdeadline: Bochs' TSC runs far slower than the frequency its
# CPUID announces, so TSC-deadline ticks crawl there; the APIC timer proper
# is calibrated against the PIT and keeps time (not needed on hardware).
LINUX_CMDLINE ?= console=ttyS0,115200 panic=-1 reboot=t nokaslr lapic=notscdeadline nestor_shell
run: all
ifeq ($(GUEST),demo)
	@EMU="$(EMU)" BOCHS_CPU="$(BOCHS_CPU)" scripts/run.sh $(BUILD)/nestor.iso
else
	@scripts/linux-guest.sh $(BUILD)/linux >$(BUILD)/linux-guest.log 2>&1 || \
		{ cat $(BUILD)/linux-guest.log; echo "make run: no Linux guest (see above); try make run GUEST=demo" >&2; exit 1; }
	@scripts/mkiso.sh $(BUILD)/linux.iso $(BUILD)/nestor.elf "" multiboot2 \
		$$(sed -n 's/^kernel: //p' $(BUILD)/linux-guest.log) "$(LINUX_CMDLINE)" \
		$$(sed -n 's/^initramfs: //p' $(BUILD)/linux-guest.log) ""
	@EMU="$(EMU)" BOCHS_CPU="$(BOCHS_CPU)" scripts/run.sh $(BUILD)/linux.iso
endif

clean:
	rm -rf $(BUILD)

-include $(HV_OBJS:.o=.d)
