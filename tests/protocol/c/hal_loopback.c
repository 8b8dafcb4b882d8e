/* hal_loopback.c (TEST): an in-process HAL for the agent. Bytes are fed with loopback_feed()
 * and the agent's output is collected for loopback_take(); used through ctypes by the client
 * tests and linked into the fuzz driver. Simulated cycles like hostsim. hal_reset() restarts
 * the agent state and returns (a real board would not return). */
#include <string.h>

#include "agent.h"
#include "hal.h"
#include "loopback.h"
#include "protocol_defs.h"

#define LOOPBACK_OUT_CAP (1u << 20)

static uint8_t out_buf[LOOPBACK_OUT_CAP];
static uint32_t out_len;
static uint32_t out_overflow;
static uint64_t vcycles;
static int trigger_level;
static uint32_t trigger_edges;
static uint32_t resets;

void hal_init(void)
{
    vcycles = 0;
    trigger_level = 0;
}
int hal_uart_getc(void)
{
    return -1;
}
void hal_uart_write(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (out_len < LOOPBACK_OUT_CAP) {
            out_buf[out_len++] = buf[i];
        } else {
            out_overflow++;
        }
    }
}
void hal_uart_flush(void)
{
}
uint32_t hal_uart_rx_capacity(void)
{
    return FERHIL_RX_BUFFER_FLOW_CONTROLLED;
}
uint32_t hal_cycles(void)
{
    return (uint32_t)vcycles;
}
uint32_t hal_core_clock_hz(void)
{
    return 50000000u;
}
uint8_t hal_clock_kind(void)
{
    return FERHIL_CLOCK_SIMULATED;
}
void hal_trigger(int level)
{
    level = level ? 1 : 0;
    if (level != trigger_level) {
        trigger_level = level;
        trigger_edges++;
    }
}
void hal_sim_advance(uint32_t cycles)
{
    vcycles += cycles;
}
const char *hal_board_name(void)
{
    return "loopback";
}
void hal_reset(void)
{
    resets++;
    hal_init();
    agent_init();
}

void loopback_start(void)
{
    out_len = 0;
    out_overflow = 0;
    trigger_edges = 0;
    resets = 0;
    hal_init();
    agent_init();
}
void loopback_feed(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        agent_feed(buf[i]);
    }
}
uint32_t loopback_take(uint8_t *buf, uint32_t cap)
{
    uint32_t n = out_len < cap ? out_len : cap;
    memcpy(buf, out_buf, n);
    memmove(out_buf, out_buf + n, out_len - n);
    out_len -= n;
    return n;
}
uint32_t loopback_pending(void)
{
    return out_len;
}
uint32_t loopback_overflow(void)
{
    return out_overflow;
}
uint64_t loopback_cycles(void)
{
    return vcycles;
}
uint32_t loopback_trigger_edges(void)
{
    return trigger_edges;
}
uint32_t loopback_resets(void)
{
    return resets;
}
