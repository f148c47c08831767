/* Unit tests for where Nestor's memory pool goes (mm/nestor_mem.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "lib/compiler.h"
#include "mm/nestor_mem.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define AV(b, l) { .base = (b), .len = (l), .type = MEM_AVAILABLE }
#define RS(b, l) { .base = (b), .len = (l), .type = MEM_RESERVED }
#define TY(b, l, t) { .base = (b), .len = (l), .type = (t) }

static struct frame_alloc free_ram;
static struct nestor_mem_plan plan;
static char err[NESTOR_MEM_ERR_LEN];

/* Bochs' e820 map with 256 MiB: ACPI tables in the last 64 KiB of RAM. */
static const struct mem_region bochs_map[] = {
	AV(0, 0x9f000),
	RS(0x9f000, 0x1000),
	RS(0xe8000, 0x18000),
	AV(0x100000, 0xfff0000 - 0x100000),
	TY(0xfff0000, 0x10000, MEM_ACPI_RECLAIMABLE),
	RS(0xfffc0000, 0x40000),
};

/* OVMF's map with 256 MiB (as GRUB reports it after ExitBootServices):
 * firmware regions in the top 20 MiB. */
static const struct mem_region ovmf_map[] = {
	AV(0, 0xa0000),
	AV(0x100000, 0x806000 - 0x100000),
	TY(0x806000, 0x2000, MEM_ACPI_NVS),
	AV(0x808000, 0x8000),
	TY(0x810000, 0xf0000, MEM_ACPI_NVS),
	AV(0x900000, 0xeaa0000 - 0x900000),
	RS(0xeaa0000, 0x102000),
	AV(0xeba2000, 0xf4ec000 - 0xeba2000),
	RS(0xf4ec000, 0x280000),
	TY(0xf76c000, 0x12000, MEM_ACPI_RECLAIMABLE),
	TY(0xf77e000, 0x80000, MEM_ACPI_NVS),
	AV(0xf7fe000, 0xfef4000 - 0xf7fe000),
	RS(0xfef4000, 0x84000),
	TY(0xff78000, 0x88000, MEM_ACPI_NVS),
	RS(0xb0000000, 0x10000000),
	RS(0xffc00000, 0x400000),
};

/* free_ram as boot/main.c builds it: usable RAM in [1 MiB, 4 GiB) without
 * the image and whatever else is reserved. */
static void build(const struct mem_region *map, unsigned n,
		  const struct phys_range *res, unsigned nres)
{
	assert_int_equal(fa_init(&free_ram, map, n, res, nres, MiB, 4 * GiB),
			 FA_OK);
}

static uint64_t pool_sum(void)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < plan.npool; i++) {
		assert_true(plan.pool[i].start < plan.pool[i].end);
		assert_int_equal(plan.pool[i].start % 4096, 0);
		assert_int_equal(plan.pool[i].end % 4096, 0);
		if (i)
			assert_true(plan.pool[i - 1].end <= plan.pool[i].start);
		sum += plan.pool[i].end - plan.pool[i].start;
	}
	return sum;
}

static void test_default_size(void **state)
{
	(void)state;
	assert_int_equal(nestor_mem_default_mib(0), NESTOR_MEM_DEFAULT_FLOOR_MIB);
	assert_int_equal(nestor_mem_default_mib(32 * MiB), 8);
	assert_int_equal(nestor_mem_default_mib(256 * MiB), 32);
	assert_int_equal(nestor_mem_default_mib(249 * MiB), 31);
	assert_int_equal(nestor_mem_default_mib(512 * MiB), 64);
	assert_int_equal(nestor_mem_default_mib(16 * GiB), NESTOR_MEM_DEFAULT_CAP_MIB);
}

/* GRUB put the image at the highest 2 MiB boundary it could: the pool is
 * the RAM above it up to the ACPI tables and the RAM right below it, and
 * everything hidden is one range at the top of RAM. */
static void test_bochs_top(void **state)
{
	struct phys_range image = { 0xfc00000, 0xfc54000 };

	(void)state;
	build(bochs_map, ARRAY_SIZE(bochs_map), &image, 1);
	assert_int_equal(nestor_mem_plan(&free_ram, 32 * MiB, image, &plan,
					 err, sizeof(err)), 0);
	assert_int_equal(pool_sum(), 32 * MiB);
	assert_int_equal(plan.pool_bytes, 32 * MiB);
	assert_int_equal(plan.npool, 2);
	assert_int_equal(plan.pool[1].start, 0xfc54000);
	assert_int_equal(plan.pool[1].end, 0xfff0000);
	assert_int_equal(plan.pool[0].end, 0xfc00000);
	assert_int_equal(plan.nhidden, 1);
	assert_int_equal(plan.hidden[0].end, 0xfff0000);
	assert_int_equal(plan.hidden[0].start, 0xfff0000 - 32 * MiB - 0x54000);
	assert_int_equal(plan.span.start, plan.hidden[0].start);
	assert_int_equal(plan.span.end, plan.hidden[0].end);
}

/* OVMF: the pool skips the firmware regions; they stay out of the hidden
 * ranges (the guest needs its ACPI tables). */
static void test_ovmf_pieces(void **state)
{
	struct phys_range image = { 0xfe00000, 0xfe54000 };

	(void)state;
	build(ovmf_map, ARRAY_SIZE(ovmf_map), &image, 1);
	assert_int_equal(nestor_mem_plan(&free_ram, 31 * MiB, image, &plan,
					 err, sizeof(err)), 0);
	assert_int_equal(pool_sum(), 31 * MiB);
	assert_int_equal(plan.npool, 4);
	assert_int_equal(plan.pool[3].start, 0xfe54000);
	assert_int_equal(plan.pool[3].end, 0xfef4000);
	assert_int_equal(plan.pool[2].start, 0xf7fe000);
	assert_int_equal(plan.pool[2].end, 0xfe00000);
	assert_int_equal(plan.pool[1].start, 0xeba2000);
	assert_int_equal(plan.pool[1].end, 0xf4ec000);
	assert_int_equal(plan.pool[0].end, 0xeaa0000);
	/* Image and the piece below it merge; the rest stay apart. */
	assert_int_equal(plan.nhidden, 3);
	assert_int_equal(plan.hidden[2].start, 0xf7fe000);
	assert_int_equal(plan.hidden[2].end, 0xfef4000);
	for (unsigned i = 0; i < plan.nhidden; i++)
		for (unsigned j = 0; j < ARRAY_SIZE(ovmf_map); j++)
			if (ovmf_map[j].type != MEM_AVAILABLE)
				assert_false(plan.hidden[i].start < ovmf_map[j].base + ovmf_map[j].len &&
					     ovmf_map[j].base < plan.hidden[i].end);
}

/* A module GRUB left near the top stays the guest's: the pool goes around
 * it. */
static void test_module_inside(void **state)
{
	struct phys_range res[2] = { { 0xfc00000, 0xfc54000 },
				     { 0xf000000, 0xf100000 } };

	(void)state;
	build(bochs_map, ARRAY_SIZE(bochs_map), res, 2);
	assert_int_equal(nestor_mem_plan(&free_ram, 16 * MiB, res[0], &plan,
					 err, sizeof(err)), 0);
	assert_int_equal(pool_sum(), 16 * MiB);
	assert_int_equal(plan.npool, 3);
	assert_int_equal(plan.pool[1].start, 0xf100000);
	assert_int_equal(plan.pool[0].end, 0xf000000);
	assert_int_equal(plan.nhidden, 2);
}

/* An image low in memory (a loader that did not relocate it): the pool is
 * still the top of RAM, the image a hidden range of its own. */
static void test_image_low(void **state)
{
	struct phys_range image = { 0x200000, 0x254000 };

	(void)state;
	build(bochs_map, ARRAY_SIZE(bochs_map), &image, 1);
	assert_int_equal(nestor_mem_plan(&free_ram, 2 * MiB, image, &plan,
					 err, sizeof(err)), 0);
	assert_int_equal(plan.npool, 1);
	assert_int_equal(plan.pool[0].start, 0xfff0000 - 2 * MiB);
	assert_int_equal(plan.nhidden, 2);
	assert_int_equal(plan.hidden[0].start, 0x200000);
	assert_int_equal(plan.span.start, 0x200000);
	assert_int_equal(plan.span.end, 0xfff0000);
}

static void test_not_enough(void **state)
{
	struct phys_range image = { 0xfc00000, 0xfc54000 };

	(void)state;
	build(bochs_map, ARRAY_SIZE(bochs_map), &image, 1);
	assert_int_equal(nestor_mem_plan(&free_ram, 1 * GiB, image, &plan,
					 err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1024 MiB asked, only 254 MiB of free RAM below 4 GiB"));
	assert_int_equal(plan.npool, 0);
	assert_int_equal(plan.nhidden, 0);
}

static void test_bad_args(void **state)
{
	struct phys_range image = { 0xfc00000, 0xfc54000 };
	struct phys_range empty = { 0xfc00000, 0xfc00000 };

	(void)state;
	build(bochs_map, ARRAY_SIZE(bochs_map), &image, 1);
	assert_int_equal(nestor_mem_plan(&free_ram, 0, image, &plan, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "multiple of 4 KiB"));
	assert_int_equal(nestor_mem_plan(&free_ram, 4097, image, &plan, err,
					 sizeof(err)), -1);
	assert_int_equal(nestor_mem_plan(&free_ram, MiB, empty, &plan, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "image range is empty"));
	assert_int_equal(nestor_mem_plan(NULL, MiB, image, &plan, err,
					 sizeof(err)), -1);
	assert_int_equal(nestor_mem_plan(&free_ram, MiB, image, NULL, err,
					 sizeof(err)), -1);
	assert_int_equal(nestor_mem_plan(&free_ram, MiB, image, &plan, NULL, 0), 0);
}

/* The caller forgot to reserve the image: refused, not hidden twice. */
static void test_image_in_free_ram(void **state)
{
	struct phys_range image = { 0xfc00000, 0xfc54000 };

	(void)state;
	build(bochs_map, ARRAY_SIZE(bochs_map), NULL, 0);
	assert_int_equal(nestor_mem_plan(&free_ram, 8 * MiB, image, &plan, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "overlaps Nestor's image"));
}

/* More pieces than the plan holds: 20 free MiBs separated by reserved
 * pages at the top, a pool that needs all of them. */
static void test_too_fragmented(void **state)
{
	struct mem_region map[41];
	unsigned n = 0;
	struct phys_range image = { 0x100000, 0x200000 };

	(void)state;
	map[n++] = (struct mem_region)AV(0x100000, 0x100000);
	for (unsigned i = 0; i < 20; i++) {
		uint64_t base = 0x1000000 + i * 2 * MiB;

		map[n++] = (struct mem_region)AV(base, MiB);
		map[n++] = (struct mem_region)RS(base + MiB, MiB);
	}
	build(map, n, &image, 1);
	assert_int_equal(nestor_mem_plan(&free_ram, 20 * MiB, image, &plan,
					 err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 16 pieces"));
	assert_int_equal(nestor_mem_plan(&free_ram, 16 * MiB, image, &plan,
					 err, sizeof(err)), 0);
	assert_int_equal(plan.npool, 16);
	assert_int_equal(plan.nhidden, 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_size),
		cmocka_unit_test(test_bochs_top),
		cmocka_unit_test(test_ovmf_pieces),
		cmocka_unit_test(test_module_inside),
		cmocka_unit_test(test_image_low),
		cmocka_unit_test(test_not_enough),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_image_in_free_ram),
		cmocka_unit_test(test_too_fragmented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
