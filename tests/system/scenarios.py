"""System-test scenarios (see runner.py for the fields).

Each feature adds its scenarios here. Expectations are regular expressions
matched against COM1's output; a scenario passes only if every `expect`
matches and no `reject` (nor, unless allow_fatal, a Nestor fault) does."""
from runner import Scenario

DUMMY = ("tests/system/files/dummy-module.txt", "dummy-module alpha=1 beta")

# What every banner must show, on any CPU.
BANNER = [
    r"^Nestor \d+\.\d+\.\d+-\S+: a micro-hypervisor for Intel VMX$",
    r"^nestor: CPU (GenuineIntel|AuthenticAMD) family 0x[0-9a-f]+ model 0x[0-9a-f]+ stepping \d+$",
    r"^nestor: MAXPHYADDR \d+ bits$",
    r"^nestor: loader: GRUB",
    r"^nestor: 1 module\(s\)$",
    r"^  module 0: \[[0-9a-f]{8}-[0-9a-f]{8}\) 'dummy-module alpha=1 beta'$",
    r"^nestor: memory map \((multiboot2|EFI), \d+ entries\):$",
    r"^  \[0000000000100000-[0-9a-f]{16}\) available$",
    r"^nestor: usable RAM (2[0-5]\d) MiB$",
    r"^nestor: Nestor image \[00200000-[0-9a-f]{8}\), \d+ KiB free for Nestor in \d+ region\(s\)$",
]

NO_VMX = [
    r"^nestor: this CPU has no VMX \(CPUID\.01H:ECX\.VMX\[bit 5\] = 0\); nothing to run$",
    r"^nestor: power off \(status 2\)$",
]

# Bochs models (values from ../shared/platform.md).
BOCHS_VMX = [
    r"^nestor: VMX supported \(CPUID\.01H:ECX\.VMX\[bit 5\] = 1\)$",
    r"^nestor: IA32_FEATURE_CONTROL 0x5 \(locked, VMX outside SMX enabled\)$",
    r"^nestor: VMCS revision id 0x[0-9a-f]+$",
    r"^nestor: power off \(status 0\)$",
]

SCENARIOS = [
    # --- Foundation: boot paths and the banner ---
    Scenario("boot-qemu-bios", emulator="qemu", modules=[DUMMY], timeout=60,
             expect=BANNER + NO_VMX + [r"^nestor: ACPI RSDP version [12] "]),
    Scenario("boot-qemu-efi", emulator="qemu-efi", modules=[DUMMY], timeout=120,
             expect=BANNER + NO_VMX + [r"^nestor: ACPI RSDP version 2 "]),
    Scenario("boot-bochs-skylake", cpu="corei7_skylake_x", modules=[DUMMY],
             expect=BANNER + BOCHS_VMX + [
                 r"^nestor: CPU GenuineIntel family 0x6 model 0x55 stepping 4$",
                 r"^nestor: MAXPHYADDR 40 bits$",
                 r"^nestor: VMCS revision id 0x2b$",
                 r"^  IA32_VMX_BASIC +0x00d810000000002b$",
                 r"^  IA32_VMX_PROCBASED_CTLS2 +0x02177fff00000000$",
                 r"^  IA32_VMX_EPT_VPID_CAP +0x00000f0106334141$",
             ]),
    Scenario("boot-bochs-penryn", cpu="core2_penryn_t9600", modules=[DUMMY],
             expect=BANNER + BOCHS_VMX + [
                 r"^  IA32_VMX_PROCBASED_CTLS2 +0x0000004100000000$",
                 r"^  IA32_VMX_EPT_VPID_CAP +\(not supported\)$",
             ]),

    # --- Foundation: refusals and diagnostics ---
    Scenario("cmdline-malformed", emulator="qemu", modules=[DUMMY], timeout=60,
             cmdline="console=com9 loglevel=loud frobnicate=1",
             expect=[
                 r"^nestor: command line error: bad value 'com9' for option 'console' \(accepted: .*\)$",
                 r"^nestor: command line error: bad value 'loud' for option 'loglevel' \(accepted: .*\)$",
                 r"^nestor: command line warning: unknown option 'frobnicate' ignored$",
                 r"^nestor: FATAL: 2 error\(s\) in the command line 'console=com9 loglevel=loud frobnicate=1'; not starting$",
                 r"^nestor: power off \(status 3\)$",
             ],
             reject=[r"usable RAM"]),
    Scenario("cmdline-unknown-option-warns", emulator="qemu", modules=[DUMMY], timeout=60,
             cmdline="frobnicate=1 loglevel=debug",
             expect=[r"^nestor: command line warning: unknown option 'frobnicate' ignored$"]
             + NO_VMX),
    Scenario("loader-not-multiboot2", emulator="qemu", loader="multiboot", timeout=60,
             expect=[
                 r"^nestor: FATAL: not started by a multiboot2 loader \(EAX=0x2badb002, expected 0x36d76289\)\.$",
                 r"^nestor: boot Nestor with GRUB's 'multiboot2' command\.$",
             ],
             reject=[r"^Nestor \d"]),
    Scenario("cpu-without-long-mode", cpu="p4_willamette", modules=[DUMMY],
             expect=[r"^nestor: FATAL: this CPU has no long mode \(64-bit\); Nestor needs an x86-64 CPU with VMX\.$"],
             reject=[r"^Nestor \d"]),
    Scenario("fault-report-pf", emulator="qemu", modules=[DUMMY], timeout=60,
             cmdline="test_fault=pf", allow_fatal=True,
             expect=[
                 r"^nestor: FATAL EXCEPTION #PF page fault \(vector 14\) in Nestor, error code 0x0$",
                 r"^nestor: page-fault address CR2=00007ff000000000$",
                 r"^RIP=[0-9a-f]{16} CS=0008 RFLAGS=[0-9a-f]{16} RSP=[0-9a-f]{16} SS=0010$",
                 r"^RAX=[0-9a-f]{16} RBX=",
                 r"^CR0=[0-9a-f]{16} CR2=00007ff000000000 CR3=",
                 r"^backtrace \(addr2line -e build/nestor\.elf ADDR\):$",
                 r"^  #1  0000000000[0-9a-f]{6}$",
                 r"^nestor: power off \(status 5\)$",
             ]),
    Scenario("fault-report-ud", cpu="corei7_skylake_x", modules=[DUMMY],
             cmdline="test_fault=ud", allow_fatal=True,
             expect=[
                 r"^nestor: FATAL EXCEPTION #UD invalid opcode \(vector 6\) in Nestor, error code 0x0$",
                 r"^backtrace",
                 r"^nestor: power off \(status 5\)$",
             ]),
    Scenario("panic-report", emulator="qemu", modules=[DUMMY], timeout=60,
             cmdline="test_fault=panic", allow_fatal=True,
             expect=[
                 r"^nestor: PANIC: test_fault=panic requested on the command line$",
                 r"^RIP=[0-9a-f]{16} ",
                 r"^backtrace",
                 r"^nestor: power off \(status 4\)$",
             ]),
]
