#!/usr/bin/env python3
"""System-test runner: boots Nestor in an emulator per scenario and decides
pass/fail from the serial output alone (never from the emulator's exit code).

Each scenario (tests/system/scenarios.py) names the emulator (bochs, qemu,
qemu-efi), the Bochs CPU model, Nestor's command line, the GRUB loader
command, guest/dummy modules, regular expressions the serial output must
contain (`expect`) and must not contain (`reject`), and a timeout. The runner
builds one ISO per scenario with its own grub.cfg, boots it headless, captures
COM1 to a file, and runs two scenarios at a time.

Lines Nestor prints for its own bugs (DEFAULT_REJECT) fail every scenario,
except a line that one of the scenario's `expect` patterns matches: a
scenario that provokes a panic on purpose expects exactly that line, and
any other such line still fails it.

A scenario that runs a guest test program (tests/guests: "PASS name",
"FAIL name: why" or "SKIP name: why" per test, then "N passed, N failed,
N skipped") names its tests in `guest_tests` and the ones allowed to skip
on its CPU model and options in `may_skip`: every other test must print
PASS, the closing line must agree with the lines, and at least `min_passed`
(default: all but the allowed skips) must pass. A run in which everything
skipped, or a test skipped where the model has the feature, fails.

A scenario may name a `prepare` command (run in the repository root before
its ISO is built, e.g. to fetch and cache a guest): exit status 0 goes on,
SKIP_STATUS (77, as in automake) reports the scenario as SKIP, counted as
skipped, never as passed (its inputs cannot be had here, e.g. no network);
anything else, or still running after PREPARE_TIMEOUT seconds, fails it.

A scenario may boot a guest ELF bare, without Nestor (`kernel`: GRUB's
multiboot2 line names that ELF and `cmdline` is its own). A scenario with
an `oracle` (the same guest booted bare on the same CPU model) runs both,
judges each on its own, and then compares the two serial logs line by line
(compare_logs): the L1 test VMM's outcome lines, verdicts and closing line
must be identical, Nestor's own lines and the banner aside, except the
outcome lines of the tests that docs/bochs-deviations.md lists as Bochs 2.7
deviations (tests/system/bochs_deviations.py). The CPU is the oracle.

A scenario may drive GDB (`gdb`: commands for `gdb -batch -nx`, with
`gdb_elf` its symbol file): Bochs gets COM2 as a socket server, the runner
connects to it at once (Bochs waits for that before it starts), waits for
`gdb_ready` on COM1 (Nestor's stub is listening), then starts GDB on a
local port of its own and relays bytes between the two. GDB's output
(gdb.out) must match every `gdb_expect` pattern; `{port}` in a command is
GDB's port.

A scenario may be `disabled` (the text says why, e.g. the Nestor feature it
waits for): it is reported as SKIP with that reason and counted as
skipped, never run, unless the environment variable ENABLE_VAR
(NESTOR_ENABLE) holds a regular expression that matches its name, e.g.
`NESTOR_ENABLE=linux-kvm-l1 make system`.

Counts: each scenario is one pass, failure or skip; the guest tests that a
passing scenario was allowed to skip, and did, are added to the skips.

Usage: tests/system/runner.py [--jobs N] [--list] [NAME-REGEX ...]
"""
import argparse
import concurrent.futures
import dataclasses
import difflib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bochs_config  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
NESTOR_ELF = os.path.join(BUILD, "nestor.elf")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# Names of disabled scenarios to run anyway: a regular expression.
ENABLE_VAR = "NESTOR_ENABLE"
# A prepare command exits with this status when the scenario cannot run here.
SKIP_STATUS = 77
PREPARE_TIMEOUT = 600
ISO_TIMEOUT = 300      # grub-mkrescue takes a few seconds

# Every line Nestor prints for its own bugs, or for a stop nobody asked for
# (the prefixes in boot/, arch/, vmx/, mm/): a scenario fails on any of them
# that none of its `expect` patterns matches.
DEFAULT_REJECT = [
    r"nestor: FATAL",              # "FATAL:" (boot/) and "FATAL EXCEPTION" (arch/x86/traps.c)
    r"nestor: PANIC:",             # panic() (arch/x86/traps.c)
    r"nestor: BUG:",               # vmx/exit_ept.c
    r"nestor: VM entry failed",    # vmx/entry_failure.c: Nestor's VMCS was wrong
    r"nestor: VMXON failed",       # vmx/vmx_enable.c
    r"nestor: loaded-VMCS list:",  # vmx/vmcs_track.c: the crash walk broke off
    r"nestor: cannot continue the guest: .*\ba bug in\b",  # vmx/exit_*.c
]

# The guest test programs' lines (tests/guests/rt/testing.c).
GUEST_VERDICT = re.compile(r"^(PASS|FAIL|SKIP) (\w+)(?:: (.*))?$", re.M)
GUEST_CLOSING = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)


@dataclasses.dataclass
class Scenario:
    name: str
    emulator: str = "bochs"            # bochs | qemu | qemu-efi
    cpu: str = "corei7_skylake_x"      # Bochs CPU model
    cmdline: str = ""                  # Nestor's command line
    loader: str = "multiboot2"         # GRUB command: multiboot2 | multiboot
    modules: list = dataclasses.field(default_factory=list)   # [(path, args)]
    expect: list = dataclasses.field(default_factory=list)    # regexes, all must match
    reject: list = dataclasses.field(default_factory=list)    # regexes, none may match
    allow_fatal: bool = False          # drop DEFAULT_REJECT (expected lines never need it)
    timeout: int = 90                  # seconds of wall time
    megs: int = 256
    cpus: int = 1
    bochs_extra: str = ""              # extra bochsrc lines
    prepare: list = None               # argv run first; SKIP_STATUS = skip
    guest_tests: list = None           # names of the guest's tests, all must report
    may_skip: list = dataclasses.field(default_factory=list)  # of guest_tests
    min_passed: int = None             # default: len(guest_tests) - len(may_skip)
    kernel: str = None                 # boot this ELF instead of Nestor (bare: no
                                       # Nestor; cmdline is then the ELF's own)
    shown_less: list = dataclasses.field(default_factory=list)  # with oracle: tests
    # whose outcome depends on a capability the L0 hides from its guest
    oracle: "Scenario" = None          # run this one too (the same guest bare) and
                                       # compare the test VMM's lines (compare_logs)
    disabled: str = None               # why it does not run by default (SKIP;
                                       # ENABLE_VAR runs it)
    gdb: list = None                   # GDB commands (see the top), over COM2
    gdb_elf: str = None                # GDB's symbol file
    gdb_ready: str = r"^nestor: GDB stub on port"  # COM1 line: GDB may start
    gdb_expect: list = dataclasses.field(default_factory=list)  # in gdb.out
    serial_script: list = None         # Bochs only: [(regex, bytes or f(match))]: COM1 is a
    # socket (SerialFeeder): when the output so far matches regex, bytes are
    # typed into COM1, one step after the other. A step not reached is a failure.


@dataclasses.dataclass
class Result:
    scenario: Scenario
    passed: bool
    reasons: list
    serial_path: str
    log_path: str
    seconds: float
    skipped: bool = False
    guest_passed: list = dataclasses.field(default_factory=list)
    guest_skipped: list = dataclasses.field(default_factory=list)  # (name, why)


def _path(p):
    return p if os.path.isabs(p) else os.path.join(ROOT, p)


def build_iso(sc, workdir):
    iso = os.path.join(workdir, "nestor.iso")
    kernel = _path(sc.kernel) if sc.kernel else NESTOR_ELF
    cmd = [os.path.join(ROOT, "scripts", "mkiso.sh"), iso, kernel, sc.cmdline, sc.loader]
    for path, args in sc.modules:
        cmd += [_path(path), args]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=ISO_TIMEOUT)
    return iso


class SerialFeeder:
    """COM1 of a Bochs run as a TCP socket (Bochs' mode=socket-client
    connects to it): every byte Bochs sends is appended to serial.out as the
    file mode would, and sc.serial_script's bytes are typed in when the
    output so far matches each step's regex (a byte every 20 ms, as a fast
    typist). Bochs 2.7 has no file input for a serial port."""

    def __init__(self, script, serial_path):
        self.script = list(script)
        self.serial_path = serial_path
        self.srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(1)
        self.port = self.srv.getsockname()[1]
        self.steps_done = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            conn, _ = self.srv.accept()
        except OSError:
            return
        text = b""
        with conn, open(self.serial_path, "wb") as out:
            conn.settimeout(0.2)
            while True:
                try:
                    data = conn.recv(4096)
                    if not data:
                        return
                    out.write(data)
                    out.flush()
                    text += data
                except socket.timeout:
                    pass
                except OSError:
                    return
                if self.steps_done < len(self.script):
                    pat, keys = self.script[self.steps_done]
                    plain = text.decode("utf-8", "replace").replace("\r", "")
                    m = re.search(pat, plain, re.MULTILINE)
                    if m:
                        self.steps_done += 1
                        if callable(keys):  # built from what matched
                            keys = keys(m)
                        for b in keys:
                            conn.sendall(bytes([b]))
                            time.sleep(0.02)

    def close(self):
        self.srv.close()
        self.thread.join(timeout=5)

    def verdict(self):
        if self.steps_done == len(self.script):
            return []
        return [f"serial script stopped at step {self.steps_done + 1}: waiting for "
                f"/{self.script[self.steps_done][0]}/"]


def bochs_command(sc, workdir, iso, serial, extra="", feeder=None):
    rc = os.path.join(workdir, "bochsrc")
    bochs_config.write_bochsrc(rc, iso=iso, cpu=sc.cpu, cpus=sc.cpus, megs=sc.megs,
                               serial_dev=f"127.0.0.1:{feeder.port}" if feeder else serial,
                               serial_mode="socket-client" if feeder else "file",
                               log=os.path.join(workdir, "bochs.log"),
                               extra=sc.bochs_extra + extra)
    cmds = os.path.join(workdir, "bochs.cmds")
    with open(cmds, "w") as f:
        f.write(bochs_config.DEBUGGER_COMMANDS)
    return ["bochs", "-q", "-f", rc, "-rc", cmds]


def qemu_command(sc, workdir, iso, serial):
    cmd = ["qemu-system-x86_64", "-M", "q35", "-cpu", "max", "-m", str(sc.megs),
           "-smp", str(sc.cpus), "-display", "none", "-monitor", "none",
           "-serial", f"file:{serial}", "-no-reboot", "-cdrom", iso,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    if sc.emulator == "qemu-efi":
        vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_copy)
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}"]
    return cmd


def guest_verdict(sc, text):
    """Checks a guest test program's lines against sc.guest_tests and
    sc.may_skip; returns (reasons, passed names, [(skipped name, why)])."""
    reasons, seen = [], {}
    for verdict, name, why in GUEST_VERDICT.findall(text):
        if name in seen:
            reasons.append(f"guest test {name} reported twice")
        seen[name] = (verdict, why)
    passed = [n for n, (v, _) in seen.items() if v == "PASS"]
    skipped = [(n, why) for n, (v, why) in seen.items() if v == "SKIP"]
    closing = GUEST_CLOSING.findall(text)
    if len(closing) != 1:
        reasons.append("expected the guest's closing line 'N passed, N failed, "
                       f"N skipped' once, seen {len(closing)} time(s)")
    else:
        said = tuple(int(n) for n in closing[0])
        counted = (len(passed), sum(v == "FAIL" for v, _ in seen.values()), len(skipped))
        if said != counted:
            reasons.append(f"the guest's closing line says {said[0]} passed, "
                           f"{said[1]} failed, {said[2]} skipped, but its lines "
                           f"show {counted[0]}, {counted[1]}, {counted[2]}")
    for name in sc.guest_tests:
        verdict, why = seen.get(name, (None, None))
        if verdict is None:
            reasons.append(f"guest test {name} did not report")
        elif verdict == "FAIL":
            reasons.append(f"guest test {name} failed: {why}")
        elif verdict == "SKIP" and name not in sc.may_skip:
            reasons.append(f"guest test {name} skipped, which it must not here "
                           f"({sc.cpu}): {why}")
    for name in seen:
        if name not in sc.guest_tests:
            reasons.append(f"guest test {name} is not one this scenario knows")
    want = (sc.min_passed if sc.min_passed is not None
            else len(sc.guest_tests) - len(set(sc.may_skip)))
    if len(passed) < want:
        reasons.append(f"{len(passed)} guest test(s) passed, expected at least {want}")
    return reasons, passed, skipped


# The lines of the L1 test VMM (tests/guests/nested.c) that two runs must
# share: its outcome lines, the verdicts and the closing line. Nestor's own
# lines ("nestor: ...") and the runtime's banner never match.
VMM_OUTCOME = re.compile(r"^nested: (\w+): ")


def vmm_lines(text, deviations=(), shown_less=()):
    """The test VMM's lines of `text`, less the outcome lines of the tests
    named in `deviations` (where bare Bochs and an SDM-conforming L0 must
    differ), and less every line of the tests in `shown_less` (their
    outcome depends on a capability the L0 does not show its guest, by
    design) with, then, the closing count line."""
    keep = []
    for line in text.splitlines():
        m = VMM_OUTCOME.match(line)
        v = GUEST_VERDICT.match(line)
        if m:
            if m.group(1) not in deviations and m.group(1) not in shown_less:
                keep.append(line)
        elif v:
            if v.group(2) not in shown_less:
                keep.append(line)
        elif GUEST_CLOSING.match(line) and not shown_less:
            keep.append(line)
    return keep


def compare_logs(bare_text, l0_text, deviations=(), limit=10, shown_less=()):
    """Why the two serial logs differ (empty: identical in the test VMM's
    lines but the listed deviations' outcomes and the tests of capabilities
    the L0 hides): the CPU is the oracle."""
    a = vmm_lines(bare_text, deviations, shown_less)
    b = vmm_lines(l0_text, deviations, shown_less)
    if a == b:
        return []
    reasons = [f"the test VMM's lines differ bare and under Nestor "
               f"({len(a)} vs {len(b)} lines; first differences):"]
    diff = [d for d in difflib.unified_diff(a, b, "bare", "nestor", lineterm="", n=0)
            if not d.startswith(("---", "+++", "@@"))]
    reasons += [f"  {d}" for d in diff[:limit]]
    if len(diff) > limit:
        reasons.append(f"  ... and {len(diff) - limit} more")
    return reasons


def judge(sc, text, timed_out):
    """Why the serial output `text` fails scenario sc (empty: it passes)."""
    reasons = []
    for pat in sc.expect:
        if not re.search(pat, text, re.MULTILINE):
            reasons.append(f"expected line not seen: /{pat}/")
    for pat in sc.reject:
        m = re.search(pat, text, re.MULTILINE)
        if m:
            reasons.append(f"forbidden line seen: /{pat}/ ({m.group(0)!r})")
    if not sc.allow_fatal:
        for line in text.splitlines():
            for pat in DEFAULT_REJECT:
                if re.search(pat, line) and \
                        not any(re.search(e, line) for e in sc.expect):
                    reasons.append(f"Nestor reported a bug or unplanned stop: {line!r}")
                    break
    if sc.guest_tests is not None:
        reasons += guest_verdict(sc, text)[0]
    if timed_out:
        reasons.append(f"emulator still running after {sc.timeout} s (killed)")
    return reasons


def judge_gdb(sc, gdb_out, why):
    """Why GDB's session fails sc (empty: it passes)."""
    reasons = [f"GDB: {why}"] if why else []
    text = ""
    if os.path.exists(gdb_out):
        with open(gdb_out, errors="replace") as f:
            text = f.read()
    for pat in sc.gdb_expect:
        if not re.search(pat, text, re.MULTILINE):
            reasons.append(f"expected GDB output not seen: /{pat}/ (see {gdb_out})")
    return reasons


def emulator_died(returncode, serial_text):
    """Why the emulator's end was not a normal one, or None. Bochs exits with
    status 1 through its shutdown port and QEMU with the isa-debug-exit
    status, so only a signal, or an exit before anything reached the serial
    port, says that the emulator itself failed."""
    if returncode is not None and returncode < 0:
        return f"the emulator died by signal {-returncode} (see its output below)"
    if not serial_text:
        return (f"the emulator exited with status {returncode} before any "
                "serial output (see its output below)")
    return None


# Bochs' headless display (rfb) listens on the first free port of
# 5900-5949 and gives up at once, before the first instruction, when it
# finds none (seen once in a CI run). Nothing of the scenario ran then, so
# the run is made again, at most EMULATOR_START_RETRIES times.
RFB_NO_PORT = "RFB could not bind any port"
EMULATOR_START_RETRIES = 2


def emulator_never_started(log_path, serial_text):
    """True when the emulator gave up before running anything: no serial
    output, and its own output says it found no port for its display."""
    if serial_text:
        return False
    try:
        with open(log_path, errors="replace") as f:
            return RFB_NO_PORT in f.read()
    except OSError:
        return False


def emulator_tail(log_path, n=15):
    try:
        with open(log_path, errors="replace") as f:
            lines = [line.rstrip() for line in f if line.strip()]
    except OSError:
        return [f"(no emulator output: {log_path} missing)"]
    return [f"--- last {min(n, len(lines))} lines of the emulator's output ---"] + \
        [f"| {line}" for line in lines[-n:]]


def prepare(sc, workdir):
    """Runs sc.prepare; returns None to go on, else (skipped, reason)."""
    log_path = os.path.join(workdir, "prepare.log")
    cmd = [_path(sc.prepare[0])] + list(sc.prepare[1:])
    with open(log_path, "w") as log:
        log.write(" ".join(cmd) + "\n")
        log.flush()
        try:
            rc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, timeout=PREPARE_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            # A hang is a failure; only SKIP_STATUS says "cannot run here".
            return False, f"prepare command still running after {PREPARE_TIMEOUT} s (killed; log {log_path})"
        except OSError as e:
            return False, f"prepare command {cmd[0]} could not run: {e.strerror}"
    if rc == 0:
        return None
    with open(log_path, errors="replace") as f:
        last = ([line.strip() for line in f if line.strip()] or [""])[-1]
    if rc == SKIP_STATUS:
        return True, f"{last} (log {log_path})"
    return False, f"prepare command failed with status {rc}: {last} (log {log_path})"


def disabled_reason(sc, environ=os.environ):
    """Why sc is skipped without running, or None to run it."""
    if not sc.disabled:
        return None
    pattern = environ.get(ENABLE_VAR, "")
    if pattern and re.search(pattern, sc.name):
        return None
    return (f"disabled: {sc.disabled} (to run it: {ENABLE_VAR}='{sc.name}', "
            "a regular expression matched against scenario names)")


def run_scenario(sc):
    why = disabled_reason(sc)
    if why:
        workdir = os.path.join(BUILD, "system", sc.name)
        return Result(sc, False, [why], os.path.join(workdir, "serial.out"),
                      os.path.join(workdir, "emulator.log"), 0.0, skipped=True)
    if sc.oracle is None:
        return run_one(sc)
    # The comparison: the oracle (bare) first, then this run; both must pass
    # on their own, and their test-VMM lines must agree.
    import bochs_deviations
    bare = run_one(sc.oracle)
    res = run_one(sc)
    if not bare.passed:
        res.reasons.insert(0, f"the bare run {sc.oracle.name} failed: "
                           + "; ".join(bare.reasons[:3]))
    texts = []
    for r in (bare, res):
        try:
            with open(r.serial_path, "rb") as f:
                texts.append(f.read().decode("utf-8", "replace").replace("\r", ""))
        except OSError:
            texts.append("")
    res.reasons += compare_logs(texts[0], texts[1], bochs_deviations.nested_tests(),
                                shown_less=sc.shown_less)
    res.passed = not res.reasons
    res.seconds += bare.seconds
    return res


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _relay(src, dst):
    try:
        while True:
            data = src.recv(4096)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def gdb_session(sc, workdir, bochs_port, serial, proc, deadline, out):
    """Connects to Bochs' COM2, waits for sc.gdb_ready on COM1, runs GDB
    through a relay; GDB's output goes to `out`. Returns a reason string
    when it could not run GDB, else None."""
    com2 = None
    while com2 is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            com2 = socket.create_connection(("127.0.0.1", bochs_port), timeout=1)
        except OSError:
            time.sleep(0.2)
    if com2 is None:
        return "could not connect to Bochs' COM2 socket"
    com2.settimeout(None)
    ready = re.compile(sc.gdb_ready, re.M)
    while time.monotonic() < deadline and proc.poll() is None:
        text = ""
        if os.path.exists(serial):
            with open(serial, "rb") as f:
                text = f.read().decode("utf-8", "replace").replace("\r", "")
        if ready.search(text):
            break
        time.sleep(0.2)
    else:
        com2.close()
        return f"COM1 never showed /{sc.gdb_ready}/"
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    port = lst.getsockname()[1]
    cmd = ["gdb", "-batch", "-nx"] + ([_path(sc.gdb_elf)] if sc.gdb_elf else [])
    for c in sc.gdb:
        cmd += ["-ex", c.format(port=port)]
    with open(out, "w") as f:
        f.write(" ".join(cmd) + "\n")
        f.flush()
        gdb = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=f,
                               stderr=subprocess.STDOUT, start_new_session=True)
        lst.settimeout(max(1, deadline - time.monotonic()))
        try:
            conn, _ = lst.accept()
        except OSError:
            conn = None
        lst.close()
        if conn is not None:
            threading.Thread(target=_relay, args=(conn, com2), daemon=True).start()
            threading.Thread(target=_relay, args=(com2, conn), daemon=True).start()
        try:
            gdb.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(gdb.pid, 9)
            gdb.wait()
            return "GDB still running at the scenario's timeout (killed)"
    return None if conn is not None else "GDB never connected"


def run_one(sc):
    """One run of sc, made again where the emulator never started
    (emulator_never_started()); the retries are said on stderr."""
    for attempt in range(EMULATOR_START_RETRIES + 1):
        res = _run_one(sc)
        if res.passed or res.skipped or attempt == EMULATOR_START_RETRIES:
            return res
        text = ""
        if os.path.exists(res.serial_path):
            with open(res.serial_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        if not emulator_never_started(res.log_path, text):
            return res
        print(f"runner: {sc.name}: the emulator found no port for its display "
              f"({RFB_NO_PORT}); running it again", file=sys.stderr)
        time.sleep(2)
    return res


def _run_one(sc):
    workdir = os.path.join(BUILD, "system", sc.name)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    serial = os.path.join(workdir, "serial.out")
    log_path = os.path.join(workdir, "emulator.log")
    start = time.monotonic()
    if sc.prepare:
        stop = prepare(sc, workdir)
        if stop:
            skipped, reason = stop
            return Result(sc, False, [reason], serial, log_path,
                          time.monotonic() - start, skipped=skipped)
    try:
        iso = build_iso(sc, workdir)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        return Result(sc, False, [f"building the ISO failed: {e}"], serial, log_path, 0.0)
    gdb_port = free_port() if sc.gdb else None
    feeder = None
    if sc.emulator == "bochs":
        if sc.serial_script:
            feeder = SerialFeeder(sc.serial_script, serial)
        cmd = bochs_command(sc, workdir, iso, serial, extra=(
            f"com2: enabled=1, mode=socket-server, dev=127.0.0.1:{gdb_port}\n"
            if sc.gdb else ""), feeder=feeder)
    elif sc.emulator in ("qemu", "qemu-efi"):
        cmd = qemu_command(sc, workdir, iso, serial)
    else:
        return Result(sc, False, [f"unknown emulator {sc.emulator}"], serial, log_path, 0.0)
    timed_out = False
    with open(log_path, "w") as log:
        log.write(" ".join(cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        gdb_out = os.path.join(workdir, "gdb.out")
        gdb_why = (gdb_session(sc, workdir, gdb_port, serial, proc,
                               start + sc.timeout, gdb_out) if sc.gdb else None)
        try:
            proc.wait(timeout=max(1, start + sc.timeout - time.monotonic())
                      if sc.gdb else sc.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, 9)
            proc.wait()
    if feeder:
        feeder.close()
    text = ""
    if os.path.exists(serial):
        with open(serial, "rb") as f:
            text = f.read().decode("utf-8", "replace").replace("\r", "")
    reasons = judge(sc, text, timed_out)
    if sc.gdb:
        reasons += judge_gdb(sc, gdb_out, gdb_why)
    if feeder:
        reasons += feeder.verdict()
    if not timed_out:
        died = emulator_died(proc.returncode, text)
        if died:
            reasons.insert(0, died)
            reasons += emulator_tail(log_path)
    res = Result(sc, not reasons, reasons, serial, log_path, time.monotonic() - start)
    if sc.guest_tests is not None:
        _, res.guest_passed, res.guest_skipped = guest_verdict(sc, text)
    return res


def report(res, out=sys.stdout):
    status = "SKIP" if res.skipped else "PASS" if res.passed else "FAIL"
    guest = ""
    if res.scenario.guest_tests is not None and res.passed:
        guest = (f"; guest tests: {len(res.guest_passed)} passed, "
                 f"{len(res.guest_skipped)} skipped")
    out.write(f"[{status}] system/{res.scenario.name} ({res.scenario.emulator}"
              f"{'/' + res.scenario.cpu if res.scenario.emulator == 'bochs' else ''}, "
              f"{res.seconds:.1f} s{guest})\n")
    if res.skipped:
        out.write(f"    skipped: {res.reasons[0]}\n")
        return
    if res.passed:
        for name, why in res.guest_skipped:
            out.write(f"    skipped (allowed here): {name}: {why}\n")
        return
    for r in res.reasons:
        out.write(f"    {r}\n")
    lines = []
    if os.path.exists(res.serial_path):
        with open(res.serial_path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").replace("\r", "").splitlines()
    out.write(f"    --- last 40 serial lines of {res.serial_path} ---\n")
    for line in lines[-40:]:
        out.write(f"    | {line}\n")
    out.write(f"    emulator log: {res.log_path}\n")


def load_scenarios():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios  # noqa: E402
    return scenarios.SCENARIOS


def run_all(patterns=(), jobs=2, out=sys.stdout, scenarios=None):
    """Runs the matching scenarios (of `scenarios`, default all of
    scenarios.py); returns (passed, failed, skipped): a skipped scenario
    counts once, and so does every guest test a passing scenario was
    allowed to skip and did."""
    selected = [s for s in (load_scenarios() if scenarios is None else scenarios)
                if not patterns or any(re.search(p, s.name) for p in patterns)]
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for res in pool.map(run_scenario, selected):
            report(res, out)
            out.flush()
            if res.skipped:
                skipped += 1
            elif res.passed:
                passed += 1
                skipped += len(res.guest_skipped)
            else:
                failed += 1
    return passed, failed, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("patterns", nargs="*")
    args = ap.parse_args()
    if args.list:
        for s in load_scenarios():
            print(f"{s.name:32} {s.emulator:9} {s.cpu if s.emulator == 'bochs' else ''}"
                  f"{'  (disabled)' if disabled_reason(s) else ''}".rstrip())
        return 0
    if not os.path.exists(NESTOR_ELF):
        print(f"runner: {NESTOR_ELF} missing; run make first", file=sys.stderr)
        return 2
    p, f, k = run_all(args.patterns, args.jobs)
    print(f"{p} passed, {f} failed, {k} skipped")
    return 1 if f else 0


if __name__ == "__main__":
    sys.exit(main())
