/* Loading a Linux bzImage (+ initramfs) as the guest (boot/linux_guest.c). */
#ifndef NESTOR_BOOT_LINUX_GUEST_H
#define NESTOR_BOOT_LINUX_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "boot/multiboot2.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs_setup.h"

/* What boot/guest_boot.c hands over: GRUB's information, the memory map,
 * Nestor's memory, and its own helpers (shared with the other protocols). */
struct linux_guest_in {
	const struct mb2_info *bi;
	const struct mem_region *map;
	unsigned nmap;
	const struct phys_range *hidden;
	unsigned nhidden;
	const char *cmdline;            /* module 0's, kept in Nestor */
	const void *rsdp;               /* a copy in Nestor, or NULL */
	uint32_t rsdp_len;
	uint64_t long64_extra_size;
	void (*fill_guest_mem)(struct vcpu *v, const struct mem_region *view,
			       unsigned n);
	void (*move_modules)(struct vcpu *v, const struct phys_range *srcs,
			     const uint64_t *dest, unsigned n);
	void (*build_long64_tables)(struct vcpu *v, uint64_t at,
				    struct guest_entry *e, bool linux_gdt);
};

/* Module 0 starts with a Linux setup header (boot_flag and "HdrS"). */
bool linux_guest_is_bzimage(const void *img, uint64_t len);

/* Check, place and load the kernel, move the initramfs, build the zero
 * page, and fill *e for the 64-bit entry. Any problem stops Nestor with a
 * message (status 10), like the other protocols. */
void linux_guest_prepare(const struct linux_guest_in *in, struct vcpu *v,
			 struct guest_entry *e);

#endif
