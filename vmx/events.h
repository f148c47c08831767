/* The one queue through which Nestor injects events into a guest.
 *
 * An exception keeps its payload (CR2 for #PF, the DR6 bits for #DB) in the
 * queue until the moment of delivery, instead of writing CR2/DR6 early: if
 * the exception turns into a VM exit to an L1 hypervisor instead (nested
 * VMX), the payload goes into the exit qualification and the guest's CR2/DR6
 * stay untouched (SDM Vol. 3C, 27.1 and Table 27-1; see seed 001). */
#ifndef NESTOR_VMX_EVENTS_H
#define NESTOR_VMX_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

/* Interruption types (SDM Vol. 3C, 24.8.3, Table 24-16). */
enum event_type {
	EVENT_EXTERNAL_INTERRUPT = 0,
	EVENT_NMI = 2,
	EVENT_HARDWARE_EXCEPTION = 3,
	EVENT_SOFTWARE_INTERRUPT = 4,
	EVENT_PRIV_SOFTWARE_EXCEPTION = 5,
	EVENT_SOFTWARE_EXCEPTION = 6,
};

enum { VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_UD = 6,
       VEC_DF = 8, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MC = 18 };

struct event {
	uint8_t type;       /* enum event_type */
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
	bool has_payload;   /* CR2 (#PF) or DR6 bits (#DB) */
	uint64_t payload;
	uint32_t insn_len;  /* software interrupts/exceptions */
};

/* One pending event is all the architecture allows per entry (24.8.3);
 * an exception raised while another is pending is combined per SDM Vol. 3A
 * 6.15 Table 6-5 (benign/contributory/page fault -> #DF, #DF -> triple
 * fault). */
struct event_queue {
	bool pending;
	struct event ev;
	bool nmi_pending;   /* NMI waiting for the guest's NMI window */
	bool triple_fault;  /* combining produced a triple fault */
};

/* Queue a hardware exception (with error code / payload as the vector
 * defines). Pure: exercised by host unit tests. */
void event_queue_exception(struct event_queue *q, uint8_t vector,
			   bool has_error_code, uint32_t error_code,
			   bool has_payload, uint64_t payload);
void event_queue_nmi(struct event_queue *q);
/* Queue a software exception (#BP, #OF: type 6) or privileged software
 * exception (ICEBP: type 5) to be reflected with its instruction length,
 * so that RIP moves past it (26.6.1.3). */
void event_queue_software_exception(struct event_queue *q, uint8_t type,
				    uint8_t vector, uint32_t insn_len);
/* Re-queue an event that was being delivered when a VM exit happened
 * (IDT-vectoring information, SDM Vol. 3C, 27.2.4). */
void event_queue_reinject(struct event_queue *q, uint32_t vectoring_info,
			  uint32_t error_code, uint32_t insn_len);

/* VM-entry interruption-information field for ev (24.8.3). */
uint32_t event_intr_info(const struct event *ev);

/* Does this exception vector push an error code? (SDM Vol. 3A, Table 6-1) */
bool exception_has_error_code(uint8_t vector);

#endif
