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
 * information and fill v->vm->mem and *e. Any problem with the image is
 * reported and stops Nestor: it never starts a guest it could not load. */
void guest_boot_prepare(const struct guest_boot_params *p, struct vcpu *v,
			struct guest_entry *e);

/* on_guest_reset=restart: load the same guest again from the modules where
 * the first guest_boot_prepare() left them (same command lines, boot
 * information rebuilt, segments reloaded). Returns 0, or -1 with the reason
 * in why when a module changed since (checksums) and no fresh image exists.
 * Anything else that goes wrong stops Nestor like the first load. */
int guest_boot_reload(struct vcpu *v, struct guest_entry *e, char *why,
		      size_t whylen);

#endif
