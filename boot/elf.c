/* ELF executable parser and segment loader for the guest kernel image.
 *
 * Reads the ELF header and program header table (System V gABI, chapters
 * "ELF Header" and "Program Header"; x86-64 psABI for EM_X86_64), checks
 * every offset and size against the image before reading, and records the
 * PT_LOAD segments. All multi-byte fields are read with memcpy (little-endian
 * host and file), so no read is misaligned. */
#include "boot/elf.h"
#include "lib/bytes.h"
#include "lib/compiler.h"
#include "lib/string.h"

/* e_ident (gABI "ELF Identification"). */
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62

/* gABI "Program Header": p_type values. */
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
/* gABI "Extended numbering": e_phnum == PN_XNUM means the real count is in
 * section header 0; not supported here. */
#define PN_XNUM 0xffff

#define EHDR32_SIZE 52u
#define EHDR64_SIZE 64u
#define PHDR32_SIZE 32u
#define PHDR64_SIZE 56u

/* The ELF header fields Nestor uses, class-independent. */
struct ehdr {
	bool is64;
	uint16_t type, machine, phentsize, phnum;
	uint32_t version;
	uint64_t entry, phoff;
};

/* One program header, class-independent. */
struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static int fail(const char **err, const char *msg)
{
	if (err)
		*err = msg;
	return -1;
}

/* gABI "ELF Identification": magic, class, data encoding, version. The
 * image holds at least EI_NIDENT bytes. */
static int check_ident(const uint8_t *p, size_t len, struct ehdr *eh,
		       const char **err)
{
	size_t hdr_size;

	if (memcmp(p, "\177ELF", 4) != 0)
		return fail(err, "not an ELF file (bad magic)");
	if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64)
		return fail(err, "ELF class is neither ELF32 nor ELF64");
	eh->is64 = p[EI_CLASS] == ELFCLASS64;
	hdr_size = eh->is64 ? EHDR64_SIZE : EHDR32_SIZE;
	if (len < hdr_size)
		return fail(err, "image is smaller than its ELF header");
	if (p[EI_DATA] != ELFDATA2LSB)
		return fail(err, "ELF data encoding is not little-endian");
	if (p[EI_VERSION] != EV_CURRENT)
		return fail(err, "ELF identification version (EI_VERSION) is not 1");
	return 0;
}

/* gABI "ELF Header": field offsets for ELFCLASS32 / ELFCLASS64. */
static void read_ehdr(const uint8_t *p, struct ehdr *eh)
{
	eh->type = rd16(p + 16);
	eh->machine = rd16(p + 18);
	eh->version = rd32(p + 20);
	if (eh->is64) {
		eh->entry = rd64(p + 24);
		eh->phoff = rd64(p + 32);
		eh->phentsize = rd16(p + 54);
		eh->phnum = rd16(p + 56);
	} else {
		eh->entry = rd32(p + 24);
		eh->phoff = rd32(p + 28);
		eh->phentsize = rd16(p + 42);
		eh->phnum = rd16(p + 44);
	}
}

/* The header fields Nestor depends on, then the program header table's
 * place: [phoff, phoff + phnum * phentsize) inside the image. */
static int check_ehdr(const struct ehdr *eh, size_t len, const char **err)
{
	uint64_t table;

	if (eh->version != EV_CURRENT)
		return fail(err, "ELF header e_version is not 1");
	if (!eh->is64 && eh->machine != EM_386)
		return fail(err, "ELF32 image is not for i386 (e_machine is not EM_386)");
	if (eh->is64 && eh->machine != EM_X86_64)
		return fail(err, "ELF64 image is not for x86-64 (e_machine is not EM_X86_64)");
	if (eh->type != ET_EXEC)
		return fail(err, "ELF type is not ET_EXEC (a static executable)");
	if (eh->phnum == 0)
		return fail(err, "ELF has no program headers");
	if (eh->phnum == PN_XNUM)
		return fail(err, "ELF uses extended program header numbering (PN_XNUM); not supported");
	if (eh->phentsize != (eh->is64 ? PHDR64_SIZE : PHDR32_SIZE))
		return fail(err, "ELF e_phentsize does not match the class's program header size");
	table = (uint64_t)eh->phnum * eh->phentsize; /* < 2^32: no overflow */
	if (eh->phoff > len || table > len - eh->phoff)
		return fail(err, "ELF program header table lies outside the image");
	return 0;
}

/* gABI "Program Header": Elf32_Phdr / Elf64_Phdr layouts. */
static void read_phdr(const uint8_t *p, bool is64, struct phdr *ph)
{
	ph->type = rd32(p);
	if (is64) {
		ph->flags = rd32(p + 4);
		ph->offset = rd64(p + 8);
		ph->vaddr = rd64(p + 16);
		ph->paddr = rd64(p + 24);
		ph->filesz = rd64(p + 32);
		ph->memsz = rd64(p + 40);
	} else {
		ph->offset = rd32(p + 4);
		ph->vaddr = rd32(p + 8);
		ph->paddr = rd32(p + 12);
		ph->filesz = rd32(p + 16);
		ph->memsz = rd32(p + 20);
		ph->flags = rd32(p + 24);
	}
}

static bool seg_overlap(const struct elf_segment *a,
			const struct elf_segment *b)
{
	return a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz;
}

/* Checks one PT_LOAD with memsz > 0 and appends it to out->seg. */
static int add_load(const struct phdr *ph, size_t len, struct elf_image *out,
		    const char **err)
{
	struct elf_segment s = {
		.paddr = ph->paddr, .vaddr = ph->vaddr, .filesz = ph->filesz,
		.memsz = ph->memsz, .offset = ph->offset, .flags = ph->flags,
	};
	unsigned i;

	if (ph->offset > len || ph->filesz > len - ph->offset)
		return fail(err, "ELF segment's file bytes (p_offset + p_filesz) lie outside the image");
	if (ph->paddr >= ELF_PHYS_LIMIT || ph->memsz > ELF_PHYS_LIMIT - ph->paddr)
		return fail(err, "ELF segment's p_paddr + p_memsz is above 2^52");
	if (out->nseg >= ELF_MAX_SEGMENTS)
		return fail(err, "ELF has more than 16 loadable segments");
	for (i = 0; i < out->nseg; i++)
		if (seg_overlap(&out->seg[i], &s))
			return fail(err, "two ELF PT_LOAD segments overlap in physical memory");
	out->seg[out->nseg++] = s;
	return 0;
}

/* gABI "Segment Types": PT_LOAD is loaded; PT_INTERP and PT_DYNAMIC mean a
 * dynamically linked program, which needs a run-time linker; every other
 * type is information Nestor does not need. */
static int parse_phdr(const struct phdr *ph, size_t len,
		      struct elf_image *out, const char **err)
{
	if (ph->type == PT_INTERP || ph->type == PT_DYNAMIC)
		return fail(err, "dynamic executables are not supported (PT_INTERP or PT_DYNAMIC present)");
	if (ph->type != PT_LOAD)
		return 0;
	/* gABI: "p_filesz may not be larger than p_memsz". */
	if (ph->filesz > ph->memsz)
		return fail(err, "ELF segment's p_filesz is larger than its p_memsz");
	if (ph->memsz == 0)
		return 0;
	return add_load(ph, len, out, err);
}

/* e_entry is a virtual address; like GRUB, find the executable segment
 * whose [vaddr, vaddr + memsz) holds it and translate it to physical. */
static int find_entry(struct elf_image *out, const char **err)
{
	unsigned i;

	for (i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];

		if (!(s->flags & ELF_PF_X) || out->entry < s->vaddr ||
		    out->entry - s->vaddr >= s->memsz)
			continue;
		out->entry_paddr = out->entry - s->vaddr + s->paddr;
		return 0;
	}
	return fail(err, "ELF entry point is not inside an executable PT_LOAD segment");
}

static int parse(const uint8_t *p, size_t len, struct elf_image *out,
		 const char **err)
{
	struct ehdr eh = { 0 };
	unsigned i;

	if (len < EI_NIDENT)
		return fail(err, "image is smaller than an ELF identification (16 bytes)");
	if (check_ident(p, len, &eh, err))
		return -1;
	read_ehdr(p, &eh);
	if (check_ehdr(&eh, len, err))
		return -1;
	out->is64 = eh.is64;
	out->entry = eh.entry;
	for (i = 0; i < eh.phnum; i++) {
		struct phdr ph;

		read_phdr(p + eh.phoff + (size_t)i * eh.phentsize, eh.is64, &ph);
		if (parse_phdr(&ph, len, out, err))
			return -1;
	}
	if (out->nseg == 0)
		return fail(err, "ELF has no loadable segment (PT_LOAD with p_memsz > 0)");
	return find_entry(out, err);
}

int elf_parse(const void *img, size_t len, struct elf_image *out,
	      const char **err)
{
	if (err)
		*err = NULL;
	if (!out)
		return fail(err, "ELF parse: output pointer is NULL");
	memset(out, 0, sizeof(*out));
	if (!img)
		return fail(err, "ELF parse: image pointer is NULL");
	if (parse(img, len, out, err)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

int elf_load(const struct elf_image *im, const void *img,
	     elf_gpa_to_ptr_fn gpa_to_ptr, void *ctx, const char **err)
{
	const uint8_t *src = img;
	unsigned i;

	if (err)
		*err = NULL;
	if (!im || !img || !gpa_to_ptr)
		return fail(err, "ELF load: NULL argument");
	if (im->nseg > ELF_MAX_SEGMENTS)
		return fail(err, "ELF load: segment count is above ELF_MAX_SEGMENTS");
	for (i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];
		uint8_t *dst;

		if (s->filesz > s->memsz || s->memsz > SIZE_MAX)
			return fail(err, "ELF load: segment sizes are inconsistent");
		dst = gpa_to_ptr(ctx, s->paddr, s->memsz);
		if (!dst)
			return fail(err, "ELF segment's physical range is not guest RAM");
		/* memmove: the accessor may hand back memory that overlaps the
		 * image if the caller did not move it out of the way. */
		memmove(dst, src + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}
