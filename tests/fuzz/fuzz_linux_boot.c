/* libFuzzer target for the Linux boot protocol loader (boot/linux_boot.c):
 * arbitrary bytes as a bzImage. An accepted image must keep every promise
 * of linux_image_parse; it is then placed on one of a few small guest maps
 * and its boot_params built into a guarded buffer, and the zero page is
 * checked field by field (nothing written outside its 4096 bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/linux_boot.h"
#include "lib/bytes.h"
#include "lib/compiler.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define MiB (1024ULL * 1024)
#define GUARD 64

struct map {
	const struct mem_region *r;
	unsigned n;
};

static const struct mem_region map_small[] = {
	{ 0, 0x9f000, MEM_AVAILABLE },
	{ 0x9f000, 0x1000, MEM_RESERVED },
	{ 0x100000, 63 * MiB, MEM_AVAILABLE },
};

static const struct mem_region map_nestor[] = {
	{ 0, 0x9f000, MEM_AVAILABLE },
	{ 0x100000, 15 * MiB, MEM_AVAILABLE },
	{ 16 * MiB, 2 * MiB, MEM_RESERVED },	/* Nestor */
	{ 18 * MiB, 238 * MiB, MEM_AVAILABLE },
	{ 256 * MiB, 64 * 1024, MEM_ACPI_RECLAIMABLE },
	{ 0xfec00000, 0x1000, 7 },		/* odd type: e820 2 */
};

static const struct mem_region map_high[] = {
	{ 0, 0x9f000, MEM_AVAILABLE },
	{ 0x100000, 0xbff00000, MEM_AVAILABLE },
	{ 0x100000000ULL, 0x100000000ULL, MEM_AVAILABLE },
};

static const struct map maps[] = {
	{ map_small, ARRAY_SIZE(map_small) },
	{ map_nestor, ARRAY_SIZE(map_nestor) },
	{ map_high, ARRAY_SIZE(map_high) },
};

static uint8_t zbuf[GUARD + LINUX_ZERO_PAGE_SIZE + GUARD];

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check_image(const uint8_t *data, size_t size,
			const struct linux_image *k)
{
	uint8_t sects = data[LINUX_HDR_SETUP_SECTS];
	size_t hl = k->hdr_end - LINUX_HDR_START;

	CHECK(k->version >= LINUX_MIN_VERSION);
	CHECK(k->version == rd16(data + LINUX_HDR_VERSION));
	CHECK(rd16(data + LINUX_HDR_BOOT_FLAG) == LINUX_BOOT_FLAG);
	CHECK(memcmp(data + LINUX_HDR_MAGIC, "HdrS", 4) == 0);
	CHECK(k->loadflags & LINUX_LOADED_HIGH);
	CHECK(k->xloadflags & LINUX_XLF_KERNEL_64);
	CHECK(k->setup_sects == (sects ? sects : 4));
	CHECK(k->payload_off == ((uint64_t)k->setup_sects + 1) * 512);
	CHECK(k->payload_off < size && k->payload_len > 0);
	CHECK(k->payload_off + k->payload_len == size);
	CHECK(k->syssize > 0 && (uint64_t)k->syssize * 16 <= k->payload_len);
	CHECK(k->init_size >= k->payload_len);
	CHECK(k->pref_address < LINUX_PHYS_LIMIT);
	CHECK(k->hdr_end >= LINUX_HDR_MIN_END && k->hdr_end <= LINUX_HDR_MAX_END);
	CHECK(k->hdr_end == 0x202u + data[0x201] && data[0x200] == 0xEB);
	CHECK(k->hdr_end <= size);
	CHECK(memcmp(k->hdr, data + LINUX_HDR_START, hl) == 0);
	CHECK(all_zero(k->hdr + hl, sizeof(k->hdr) - hl));
	if (k->relocatable) {
		CHECK(k->kernel_alignment >= LINUX_ALIGN_MIN &&
		      k->kernel_alignment <= LINUX_ALIGN_MAX);
		CHECK((k->kernel_alignment & (k->kernel_alignment - 1)) == 0);
	}
}

/* [s, e) lies inside one available entry (the maps above are sorted and
 * do not overlap). */
static int in_one_ram_entry(const struct map *m, uint64_t s, uint64_t e)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].type == MEM_AVAILABLE && s >= m->r[i].base &&
		    e <= m->r[i].base + m->r[i].len)
			return 1;
	return 0;
}

static void check_place(const struct linux_image *k, const struct map *m,
			uint64_t a)
{
	uint64_t end = a + k->init_size;

	CHECK(a >= LINUX_LOAD_MIN && end <= LINUX_LOAD_LIMIT);
	CHECK(in_one_ram_entry(m, a, end));
	if (k->relocatable) {
		CHECK((a & (k->kernel_alignment - 1)) == 0);
		CHECK(a >= k->pref_address);
	} else {
		CHECK(a == (k->pref_address ? k->pref_address : LINUX_LOAD_MIN));
	}
}

static unsigned nonempty(const struct map *m)
{
	unsigned c = 0;

	for (unsigned i = 0; i < m->n; i++)
		c += m->r[i].len != 0;
	return c;
}

static void check_zero_page(const uint8_t *data, const struct linux_image *k,
			    const struct linux_boot_desc *d, const struct map *m)
{
	const uint8_t *zp = zbuf + GUARD;

	for (size_t i = 0; i < GUARD; i++)
		CHECK(zbuf[i] == 0xA5 && zp[LINUX_ZERO_PAGE_SIZE + i] == 0xA5);
	CHECK(all_zero(zp, LINUX_BP_ACPI_RSDP_ADDR));
	CHECK(rd64(zp + LINUX_BP_ACPI_RSDP_ADDR) == d->rsdp_addr);
	CHECK(all_zero(zp + 0x078, LINUX_BP_EXT_RAMDISK_IMAGE - 0x078));
	CHECK(all_zero(zp + 0x0CC, LINUX_BP_E820_ENTRIES - 0x0CC));
	CHECK(zp[LINUX_BP_E820_ENTRIES] == nonempty(m));
	CHECK(all_zero(zp + 0x1E9, LINUX_HDR_START - 0x1E9));
	/* Unmodified header bytes come from the image. */
	CHECK(memcmp(zp + 0x1F1, data + 0x1F1, 0x210 - 0x1F1) == 0);
	CHECK(zp[0x210] == LINUX_LOADER_UNDEFINED && zp[0x211] == LINUX_LOADED_HIGH);
	CHECK(rd32(zp + 0x214) == d->kernel_addr);
	CHECK(rd32(zp + LINUX_HDR_CMD_LINE_PTR) == (uint32_t)d->cmdline_addr);
	CHECK(rd32(zp + LINUX_BP_EXT_CMD_LINE_PTR) == d->cmdline_addr >> 32);
	CHECK(rd32(zp + LINUX_HDR_RAMDISK_IMAGE) ==
	      (d->initrd_size ? (uint32_t)d->initrd_addr : 0));
	CHECK(memcmp(zp + 0x22C, data + 0x22C, 0x23C - 0x22C) == 0);
	CHECK(memcmp(zp + 0x258, data + 0x258, k->hdr_end - 0x258) == 0);
	CHECK(all_zero(zp + k->hdr_end, LINUX_BP_E820_TABLE - k->hdr_end));
	for (unsigned i = 0, j = 0; i < m->n; i++) {
		const uint8_t *e = zp + LINUX_BP_E820_TABLE + j * LINUX_E820_ENTRY_SIZE;

		if (!m->r[i].len)
			continue;
		CHECK(rd64(e) == m->r[i].base && rd64(e + 8) == m->r[i].len);
		CHECK(rd32(e + 16) >= MEM_AVAILABLE && rd32(e + 16) <= MEM_BAD);
		j++;
	}
	CHECK(all_zero(zp + LINUX_BP_E820_TABLE + nonempty(m) * LINUX_E820_ENTRY_SIZE,
		       LINUX_ZERO_PAGE_SIZE - LINUX_BP_E820_TABLE -
		       nonempty(m) * LINUX_E820_ENTRY_SIZE));
}

static void try_boot_params(const uint8_t *data, size_t size,
			    const struct linux_image *k, const struct map *m,
			    uint64_t kaddr)
{
	struct linux_boot_desc d = {
		.k = k, .map = m->r, .nmap = m->n, .kernel_addr = kaddr,
		.params_addr = 0x7000, .cmdline_addr = 0x8000,
		.cmdline_len = k->cmdline_size < 200 ? k->cmdline_size : 200,
		.rsdp_addr = 0xF0000 + (size & 0xFF0),
	};
	char err[LINUX_BOOT_ERR_LEN];

	/* An initrd just above the kernel, or none, by the input's size. */
	if (size & 1) {
		d.initrd_addr = ALIGN_UP(kaddr + k->init_size, 4096);
		d.initrd_size = 0x1000 + (size & 0xF0);
	}
	memset(zbuf, 0xA5, sizeof(zbuf));
	memset(err, 'x', sizeof(err));
	if (linux_boot_params_build(zbuf + GUARD, LINUX_ZERO_PAGE_SIZE, &d,
				    err, sizeof(err))) {
		CHECK(memchr(err, 0, sizeof(err)) != NULL);
		for (size_t i = 0; i < GUARD; i++)
			CHECK(zbuf[i] == 0xA5 &&
			      zbuf[GUARD + LINUX_ZERO_PAGE_SIZE + i] == 0xA5);
		return;
	}
	check_zero_page(data, k, &d, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct linux_image k;
	const struct map *m = &maps[size % ARRAY_SIZE(maps)];
	char err[LINUX_BOOT_ERR_LEN];
	uint64_t a = 1;

	memset(err, 'x', sizeof(err));
	if (linux_image_parse(data, size, &k, err, sizeof(err))) {
		CHECK(memchr(err, 0, sizeof(err)) != NULL);
		CHECK(all_zero((const uint8_t *)&k, sizeof(k)));
		return 0;
	}
	check_image(data, size, &k);
	(void)linux_image_crc_ok(data, size, &k);
	if (linux_kernel_place(&k, m->r, m->n, &a, err, sizeof(err)) == 0)
		check_place(&k, m, a);
	else
		CHECK(a == 0 && memchr(err, 0, sizeof(err)) != NULL);
	try_boot_params(data, size, &k, m, a ? a : k.pref_address);
	return 0;
}
