#!/usr/bin/env python3
"""mkinitramfs.py: writes the Linux test guest's initramfs, a gzip-compressed
cpio archive in the "newc" format, in pure Python (no root, no cpio binary).

The archive holds busybox (static) as /bin/busybox with a symlink per applet
the init script uses, the init script as /init, the directories the kernel
and /init need, /dev/console as a character device (5, 1) so that the
kernel can open a console for /init before devtmpfs is mounted, and
/bin/nestor-exit, a 166-byte static x86-64 ELF written here byte by byte
(the kernel has no /dev/port, busybox no port I/O): it asks for port 0xf4
with ioperm(2) and writes status 0 there, Nestor's guest-exit port.

Format (Linux Documentation/driver-api/early-userspace/buffer-format.rst):
each member is a 110-byte ASCII header "070701" followed by 13 fields of 8
hex digits (ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
rdevmajor, rdevminor, namesize including the NUL, check = 0), the NUL-
terminated name padded to a multiple of 4 bytes (counting the header), then
the data padded to a multiple of 4; the archive ends with "TRAILER!!!".
Owners are root, times are 0 and the gzip header carries no time or name,
so the same inputs always give the same bytes.

More files may be added with `--add DEST=SRC` (repeatable, after the
members above, in the order given; missing parent directories are made):
the KVM initramfs adds /bin/kvmtest and the kernel modules this way. DEST
under bin/ is executable (0755), anything else 0644. A SRC ending in .xz
whose DEST does not is decompressed here (Python's lzma), e.g. a kernel
module shipped as .ko.xz, since busybox insmod takes the plain ELF.

Usage: mkinitramfs.py --busybox BUSYBOX --init INIT [--add DEST=SRC]... -o OUT.gz
"""
import argparse
import gzip
import lzma
import os
import stat
import struct
import sys

# Applets linked to /bin/busybox; /init runs `busybox --install -s` as well,
# so an interactive shell has every applet.
APPLETS = ["sh", "mount", "cat", "dmesg", "grep", "poweroff", "uname", "head",
           "nproc", "sleep", "echo", "wc", "ls", "sed", "tr", "setsid", "cttyhack"]
DIRS = ["bin", "dev", "proc", "sys", "tmp"]
CONSOLE_MAJOR, CONSOLE_MINOR = 5, 1   # Documentation/admin-guide/devices.txt


class Newc:
    """Accumulates newc members in memory."""

    def __init__(self):
        self.parts = []
        self.ino = 1

    def _member(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name_b), 0]
        for v in fields:
            if not 0 <= v <= 0xFFFFFFFF:
                raise ValueError(f"{name}: field value {v} does not fit newc's 32 bits")
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.parts.append(header + name_b + _pad(len(header) + len(name_b)))
        self.parts.append(data + _pad(len(data)))

    def directory(self, name):
        self._member(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, perm):
        self._member(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self._member(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, perm=0o600):
        self._member(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def finish(self):
        self.ino = 0
        self._member("TRAILER!!!", 0, nlink=1)
        return b"".join(self.parts)


# /bin/nestor-exit's code (x86-64, Linux syscall ABI: AMD64 psABI A.2.1):
#   ioperm(0xf4, 1, 1); if it worked: outb 0 to port 0xf4, exit(0);
#   else exit(1). Under Nestor the OUT is the guest's exit and never returns.
NESTOR_EXIT_CODE = bytes([
    0xbf, 0xf4, 0x00, 0x00, 0x00,   # mov edi, 0xf4      from
    0xbe, 0x01, 0x00, 0x00, 0x00,   # mov esi, 1         num
    0xba, 0x01, 0x00, 0x00, 0x00,   # mov edx, 1         turn_on
    0xb8, 0xad, 0x00, 0x00, 0x00,   # mov eax, 173       __NR_ioperm
    0x0f, 0x05,                     # syscall
    0x85, 0xc0,                     # test eax, eax
    0x75, 0x08,                     # jnz fail
    0x31, 0xc0,                     # xor eax, eax       status 0
    0xe6, 0xf4,                     # out 0xf4, al
    0x31, 0xff,                     # xor edi, edi
    0xeb, 0x05,                     # jmp exit
    0xbf, 0x01, 0x00, 0x00, 0x00,   # fail: mov edi, 1
    0xb8, 0x3c, 0x00, 0x00, 0x00,   # exit: mov eax, 60  __NR_exit
    0x0f, 0x05,                     # syscall
])


def tiny_elf(code, vaddr=0x400000):
    """A static ELF64 executable: the header, one PT_LOAD program header
    covering the whole file (R+X), then `code`, entered at its first byte
    (System V gABI, ELF header and program header tables)."""
    ehsize, phsize = 64, 56
    entry = vaddr + ehsize + phsize
    size = ehsize + phsize + len(code)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)   # 64-bit, LSB, v1, SysV
    eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, ehsize, 0, 0,
                             ehsize, phsize, 1, 64, 0, 0)  # ET_EXEC, EM_X86_64
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0, vaddr, vaddr, size, size, 0x1000)  # PT_LOAD, R|X
    return eh + ph + code


def _pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def _read(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        sys.exit(f"mkinitramfs: cannot read {what} {path}: {e.strerror}")


def build(busybox, init, extra=()):
    if busybox[:4] != b"\x7fELF":
        sys.exit("mkinitramfs: busybox is not an ELF file")
    if not init.startswith(b"#!"):
        sys.exit("mkinitramfs: init does not start with #!")
    a = Newc()
    for d in DIRS:
        a.directory(d)
    a.chardev("dev/console", CONSOLE_MAJOR, CONSOLE_MINOR)
    a.file("bin/busybox", busybox, 0o755)
    for applet in APPLETS:
        a.symlink(f"bin/{applet}", "busybox")
    a.file("bin/nestor-exit", tiny_elf(NESTOR_EXIT_CODE), 0o755)
    a.file("init", init, 0o755)
    made = set(DIRS)
    for dest, data in extra:
        parts = dest.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made:
                a.directory(d)
                made.add(d)
        a.file(dest, data, 0o755 if dest.startswith("bin/") else 0o644)
    return a.finish()


def extra_file(spec):
    """DEST=SRC -> (DEST, the bytes to store)."""
    dest, sep, src = spec.partition("=")
    dest = dest.strip("/")
    if not sep or not dest or not src or ".." in dest.split("/"):
        sys.exit(f"mkinitramfs: --add {spec!r}: expected DEST=SRC")
    data = _read(src, "file")
    if src.endswith(".xz") and not dest.endswith(".xz"):
        try:
            data = lzma.decompress(data)
        except lzma.LZMAError as e:
            sys.exit(f"mkinitramfs: cannot decompress {src}: {e}")
    return dest, data


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--add", action="append", default=[], metavar="DEST=SRC")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    extra = [extra_file(spec) for spec in args.add]
    cpio = build(_read(args.busybox, "busybox"), _read(args.init, "init script"), extra)
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as raw:
        # mtime=0 and no file name in the gzip header: reproducible output.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(cpio)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
