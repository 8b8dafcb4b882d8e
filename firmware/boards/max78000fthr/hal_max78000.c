/* hal_max78000.c - hal.h on the MAX78000FTHR with ADI's MSDK peripheral drivers.
 *
 * Clock: the 100 MHz IPO, instruction cache on. A 2 s delay at boot keeps SWD reachable after
 * a reset (ADI's advice: low-power code right after reset can lock out the debugger).
 * UART: UART0 (the FTHR routes it to the MAX32625PICO USB virtual COM port) at HAL_UART_BAUD,
 * clocked from PCLK. Received bytes go through an interrupt-driven ring buffer of
 * HAL_RX_RING_BYTES so the host can pipeline requests while an inference runs;
 * hal_uart_rx_capacity() reports it capped at the USB bridge's 4096 bytes.
 * Cycles: the Cortex-M4 DWT cycle counter (CYCCNT) at SystemCoreClock (hal_clock_kind() = 0)
 * for the portable backend. The accelerator backend reports izer's TMR0 stopwatch (cnn_time,
 * set in CNN_ISR; it keeps counting while the core sleeps in cnn_wait, DWT may not) as core
 * cycles (hal_clock_kind() = FERHIL_CLOCK_HARDWARE_TIMER_US).
 * Trigger: GPIO P<HAL_TRIGGER_PORT>.<HAL_TRIGGER_PIN> (default P2.0 = LED1), see project.mk.
 */
#include <stdint.h>

#include "gpio.h"
#include "icc.h"
#include "mxc_delay.h"
#include "mxc_device.h"
#include "mxc_sys.h"
#include "nvic_table.h"
#include "uart.h"

#include "hal.h"
#include "protocol_defs.h"

#ifndef HAL_UART_BAUD
#define HAL_UART_BAUD 115200
#endif
#ifndef HAL_TRIGGER_PORT
#define HAL_TRIGGER_PORT 2
#endif
#ifndef HAL_TRIGGER_PIN
#define HAL_TRIGGER_PIN 0
#endif
#ifndef HAL_TRIGGER_ACTIVE_LOW
#define HAL_TRIGGER_ACTIVE_LOW 1
#endif
#ifndef HAL_RX_RING_BYTES
#define HAL_RX_RING_BYTES 8192u /* power of two */
#endif

#define HAL_UART MXC_UART0
#define HAL_TRIGGER_MASK (1u << HAL_TRIGGER_PIN)

static volatile uint8_t rx_ring[HAL_RX_RING_BYTES];
static volatile uint32_t rx_head; /* written by the ISR */
static volatile uint32_t rx_tail; /* written by hal_uart_getc() */
static volatile uint32_t rx_overflows;

static mxc_gpio_regs_t *trigger_port(void)
{
    return MXC_GPIO_GET_GPIO(HAL_TRIGGER_PORT);
}

static void uart_rx_isr(void)
{
    const unsigned int flags = MXC_UART_GetFlags(HAL_UART);
    MXC_UART_ClearFlags(HAL_UART, flags);
    while (MXC_UART_GetRXFIFOAvailable(HAL_UART) > 0u) {
        const int c = MXC_UART_ReadCharacterRaw(HAL_UART);
        if (c < 0) {
            break;
        }
        const uint32_t next = (rx_head + 1u) & (HAL_RX_RING_BYTES - 1u);
        if (next == rx_tail) {
            rx_overflows++; /* host sent more than hal_uart_rx_capacity() allows */
            continue;
        }
        rx_ring[rx_head] = (uint8_t)c;
        rx_head = next;
    }
}

void hal_init(void)
{
    MXC_ICC_Enable(MXC_ICC0);
    MXC_SYS_Clock_Select(MXC_SYS_CLOCK_IPO);
    SystemCoreClockUpdate();
    MXC_Delay(MXC_DELAY_SEC(2));

    rx_head = rx_tail = rx_overflows = 0u;
    MXC_UART_Init(HAL_UART, HAL_UART_BAUD, MXC_UART_APB_CLK);
    MXC_UART_SetRXThreshold(HAL_UART, 1u);
    MXC_UART_ClearFlags(HAL_UART, MXC_UART_GetFlags(HAL_UART));
    MXC_UART_EnableInt(HAL_UART, MXC_F_UART_INT_EN_RX_THD);
    MXC_NVIC_SetVector(UART0_IRQn, uart_rx_isr);
    NVIC_EnableIRQ(UART0_IRQn);

    CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
    DWT->CYCCNT = 0u;
    DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;

    mxc_gpio_cfg_t trig = {0};
    trig.port = trigger_port();
    trig.mask = HAL_TRIGGER_MASK;
    trig.func = MXC_GPIO_FUNC_OUT;
    trig.pad = MXC_GPIO_PAD_NONE;
    trig.vssel = MXC_GPIO_VSSEL_VDDIOH;
    MXC_GPIO_Config(&trig);
    hal_trigger(0);
}

int hal_uart_getc(void)
{
    while (rx_tail == rx_head) {
        __WFI(); /* the UART interrupt wakes us */
    }
    const uint8_t c = rx_ring[rx_tail];
    rx_tail = (rx_tail + 1u) & (HAL_RX_RING_BYTES - 1u);
    return (int)c;
}

void hal_uart_write(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        while (MXC_UART_WriteCharacterRaw(HAL_UART, buf[i]) == E_OVERFLOW) {
        }
    }
}

void hal_uart_flush(void)
{
    while (MXC_UART_GetTXFIFOAvailable(HAL_UART) < MXC_UART_FIFO_DEPTH) {
    }
}

/* Most bytes the host may send ahead of the agent's replies: the ring, but never more than
 * the MAX32625PICO USB bridge forwards without loss (PROTOCOL.md: at most 4096). */
#define HAL_BRIDGE_WINDOW_BYTES 4096u
uint32_t hal_uart_rx_capacity(void)
{
    const uint32_t ring = HAL_RX_RING_BYTES - 1u;
    return ring < HAL_BRIDGE_WINDOW_BYTES ? ring : HAL_BRIDGE_WINDOW_BYTES;
}

uint32_t hal_cycles(void)
{
    return DWT->CYCCNT;
}

uint32_t hal_core_clock_hz(void)
{
    return SystemCoreClock;
}

uint8_t hal_clock_kind(void)
{
#ifdef FERHIL_ADI_BACKEND
    return FERHIL_CLOCK_HARDWARE_TIMER_US; /* izer's --timer 0 (cnn_adi_adapter.c) */
#else
    return FERHIL_CLOCK_HARDWARE;
#endif
}

void hal_trigger(int level)
{
    const int high = HAL_TRIGGER_ACTIVE_LOW ? !level : level;
    if (high) {
        MXC_GPIO_OutSet(trigger_port(), HAL_TRIGGER_MASK);
    } else {
        MXC_GPIO_OutClr(trigger_port(), HAL_TRIGGER_MASK);
    }
}

void hal_sim_advance(uint32_t cycles)
{
    (void)cycles;
}

const char *hal_board_name(void)
{
    return "max78000fthr";
}

void hal_reset(void)
{
    NVIC_SystemReset();
}
