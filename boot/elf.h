/* ELF executable parser and loader for the guest kernel image: checks an
 * ELF32 (EM_386) or ELF64 (EM_X86_64) little-endian ET_EXEC file and lists
 * the PT_LOAD segments to place at their physical addresses (p_paddr).
 *
 * Pure code: no allocation, no global state. Format references are to the
 * System V ABI "gABI" chapters 4 (ELF header) and 5 (program header). */
#ifndef NESTOR_BOOT_ELF_H
#define NESTOR_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

/* p_flags bits (gABI 5 "Segment Flag Bits"). */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* Segments and guest-physical addresses are kept below 2^52, the largest
 * physical address width x86-64 defines (SDM Vol. 1, 3.2.1). */
#define ELF_PHYS_LIMIT (1ULL << 52)

/* One loadable segment: memsz bytes at paddr, of which the first filesz
 * come from the file at offset and the rest are zero. */
struct elf_segment {
	uint64_t paddr, vaddr, filesz, memsz, offset;
	uint32_t flags; /* ELF_PF_* */
};

struct elf_image {
	bool is64;
	uint64_t entry;       /* e_entry as written (a virtual address) */
	uint64_t entry_paddr; /* e_entry translated through the segment that
			       * holds it: entry - vaddr + paddr, as GRUB does */
	unsigned nseg;        /* PT_LOAD segments with memsz > 0, file order */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* Checks the `len` bytes at `img` and fills *out. Returns 0, or -1 with
 * *err (if err is not NULL) set to a static message; *out is zeroed on
 * error. Guarantees on success: every segment's file bytes lie inside the
 * image, filesz <= memsz, paddr + memsz <= ELF_PHYS_LIMIT, segments do not
 * overlap physically, and entry lies in an executable segment. */
int elf_parse(const void *img, size_t len, struct elf_image *out,
	      const char **err);

/* Maps [gpa, gpa + len) of guest memory to a host pointer, or NULL if that
 * whole range is not guest RAM. */
typedef void *(*elf_gpa_to_ptr_fn)(void *ctx, uint64_t gpa, uint64_t len);

/* Copies each segment of `im` (from elf_parse over the same `img`) to its
 * paddr through gpa_to_ptr: filesz bytes from the file, then memsz - filesz
 * zero bytes. Returns 0, or -1 with *err set to a static message. */
int elf_load(const struct elf_image *im, const void *img,
	     elf_gpa_to_ptr_fn gpa_to_ptr, void *ctx, const char **err);

#endif
