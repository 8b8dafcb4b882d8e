/* loopback.h (TEST): control functions of the in-process loopback HAL. */
#ifndef FERHIL_TEST_LOOPBACK_H
#define FERHIL_TEST_LOOPBACK_H

#include <stdint.h>

void loopback_start(void);
void loopback_feed(const uint8_t *buf, uint32_t len);
uint32_t loopback_take(uint8_t *buf, uint32_t cap);
uint32_t loopback_pending(void);
uint32_t loopback_overflow(void);
uint64_t loopback_cycles(void);
uint32_t loopback_trigger_edges(void);
uint32_t loopback_resets(void);

#endif
