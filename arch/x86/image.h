/* Where Nestor's own image is. It is linked at a fixed virtual address in
 * the top 2 GiB (linker.ld) and runs there wherever GRUB loaded it;
 * boot/entry.asm records the physical load base and maps the one to the
 * other (docs/architecture.md, "Where Nestor lives"). Everything else
 * Nestor touches (its memory pool, the boot information, guest memory) is
 * reached through the identity map of the first 4 GiB. */
#ifndef NESTOR_ARCH_X86_IMAGE_H
#define NESTOR_ARCH_X86_IMAGE_H

#include <stdint.h>

extern uint8_t _image_start[], _image_end[]; /* linker.ld: virtual */
extern uint64_t nestor_phys_base;            /* boot/entry.asm */

static inline uint64_t image_phys_start(void)
{
	return nestor_phys_base;
}

static inline uint64_t image_phys_end(void)
{
	return nestor_phys_base + (uint64_t)(_image_end - _image_start);
}

/* The physical address of anything inside the image. */
static inline uint64_t image_virt_to_phys(const void *p)
{
	return nestor_phys_base + (uint64_t)((const uint8_t *)p - _image_start);
}

#endif
