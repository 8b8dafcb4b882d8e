/* hal.h: the hardware layer the ferhil agent runs on (one implementation per board).
 *
 * Boards: hostsim (firmware/boards/hostsim/hal_hostsim.c), QEMU mps2-an386 and MAX78000FTHR.
 * The agent (agent.c) calls only these functions; each board's main() calls hal_init() and
 * then agent_main(). No function here may allocate memory dynamically.
 */
#ifndef FERHIL_HAL_H
#define FERHIL_HAL_H

#include <stdint.h>

/* Values the agent passes to cnn_enable(); a board may define them on the command line
 * (MAX78000: MXC_S_GCR_PCLKDIV_CNNCLKSEL_PCLK and MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV1). */
#ifndef HAL_CNN_CLOCK_SOURCE
#define HAL_CNN_CLOCK_SOURCE 0u
#endif
#ifndef HAL_CNN_CLOCK_DIVIDER
#define HAL_CNN_CLOCK_DIVIDER 0u
#endif

/* Set up clocks, the UART, the cycle counter and the trigger GPIO. */
void hal_init(void);

/* Block until one byte arrives; return it (0..255), or -1 when the link is closed (the agent
 * then returns from agent_main()). Hardware boards never return -1. */
int hal_uart_getc(void);

/* Queue len bytes for transmission (may buffer); hal_uart_flush() sends what is buffered. */
void hal_uart_write(const uint8_t *buf, uint32_t len);
void hal_uart_flush(void);

/* Reported in HELLO as rx_buffer_bytes: the most bytes the host may send in one burst ahead of
 * the agent's replies without loss, counting every buffer on the way (a lossy USB bridge caps
 * it: at most 4096 behind the MAX78000FTHR's PICO, whatever the UART ring holds). Return
 * FERHIL_RX_BUFFER_FLOW_CONTROLLED (0xFFFFFFFF) when the link has flow control and never drops,
 * 0 for "none: stop-and-wait". agent.c provides a weak default returning 0. */
uint32_t hal_uart_rx_capacity(void);

/* Free-running cycle counter (wraps at 2^32); see hal_clock_kind() for what it counts. */
uint32_t hal_cycles(void);
uint32_t hal_core_clock_hz(void);

/* 0 = hardware cycle counter, 1 = simulated cost model, 2 = QEMU instruction count
 * (-icount/SysTick); the values are FERHIL_CLOCK_* in protocol_defs.h. */
uint8_t hal_clock_kind(void);

/* Drive the power-meter trigger GPIO (level 0 or 1). */
void hal_trigger(int level);

/* Simulated boards advance their virtual cycle counter by `cycles`; a no-op on QEMU and
 * hardware. The portable cnn_start() calls it with CNN_MODEL_CYCLES. */
void hal_sim_advance(uint32_t cycles);

/* Short board name reported in HELLO ("hostsim", "qemu-mps2-an386", "max78000fthr"). */
const char *hal_board_name(void);

/* Reset the board (hardware: system reset). Does not return. */
void hal_reset(void);

#endif /* FERHIL_HAL_H */
