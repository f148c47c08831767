/* Loading the guest: from GRUB's module 0 to a guest ready to enter. */
#ifndef NESTOR_BOOT_GUEST_BOOT_H
#define NESTOR_BOOT_GUEST_BOOT_H

#include "boot/multiboot2.h"
#include "vmx/caps.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs_setup.h"

struct guest_boot_params {
	const struct mb2_info *bi;            /* what GRUB gave Nestor */
	const struct mem_region *map;         /* host memory map */
	unsigned nmap;
	const struct phys_range *hidden;      /* Nestor's own memory */
	unsigned nhidden;
	const struct vmx_config *cfg;
};

/* Check and load module 0 as the guest (multiboot2 ELF, multiboot1 ELF or
 * 64-bit ELF entry), move the other modules out of its way, build its boot
 * information and fill v->mem and *e. Any problem with the image is
 * reported and stops Nestor: it never starts a guest it could not load. */
void guest_boot_prepare(const struct guest_boot_params *p, struct vcpu *v,
			struct guest_entry *e);

#endif
