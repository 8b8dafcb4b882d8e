/* hal_mps2.c - hal.h for QEMU's mps2-an386 (Cortex-M4 + CMSDK peripherals).
 *
 * UART: CMSDK APB UART0 at 0x40004000 (QEMU -serial). Its 1-byte RX register is flow
 * controlled by QEMU (nothing is dropped while the guest is busy), so HELLO reports
 * FERHIL_RX_BUFFER_FLOW_CONTROLLED.
 * Cycles: SysTick on the processor clock (25 MHz virtual), 24-bit, extended to 32 bits by
 * counting wraps in SysTick_Handler. Under `-icount shift=N` virtual time advances 2^N ns per
 * instruction, so instructions = ticks * 40 / 2^N (hal_clock_kind() = 2, "QEMU instruction
 * count"); hal_core_clock_hz() reports the 25 MHz tick rate. DWT CYCCNT is not modelled by QEMU.
 * Trigger: bit 0 of the MPS2 FPGAIO LED register (0x40028000), i.e. LED0.
 */
#include <stdint.h>

#include "hal.h"
#include "protocol_defs.h"

#define REG32(a) (*(volatile uint32_t *)(a))

#define UART0_DATA REG32(0x40004000u)
#define UART0_STATE REG32(0x40004004u) /* bit0 TX full, bit1 RX full */
#define UART0_CTRL REG32(0x40004008u)  /* bit0 TX enable, bit1 RX enable */
#define UART0_BAUDDIV REG32(0x40004010u)
#define UART_STATE_TX_FULL 0x1u
#define UART_STATE_RX_FULL 0x2u

#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define ICSR_PENDSTSET (1u << 26)
#define SYSTICK_MASK 0x00FFFFFFu

#define FPGAIO_LED REG32(0x40028000u)

#define MPS2_SYSCLK_HZ 25000000u

static volatile uint32_t systick_wraps;

void SysTick_Handler(void);

void SysTick_Handler(void)
{
    systick_wraps++;
}

void hal_init(void)
{
    UART0_BAUDDIV = 16u;
    UART0_CTRL = 0x3u;
    systick_wraps = 0u;
    SYST_RVR = SYSTICK_MASK;
    SYST_CVR = 0u;
    SYST_CSR = 0x7u; /* processor clock, interrupt on wrap, enable */
    FPGAIO_LED = 0u;
}

int hal_uart_getc(void)
{
    while ((UART0_STATE & UART_STATE_RX_FULL) == 0u) {
    }
    return (int)(UART0_DATA & 0xFFu);
}

void hal_uart_write(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        while ((UART0_STATE & UART_STATE_TX_FULL) != 0u) {
        }
        UART0_DATA = buf[i];
    }
}

void hal_uart_flush(void)
{
    while ((UART0_STATE & UART_STATE_TX_FULL) != 0u) {
    }
}

uint32_t hal_uart_rx_capacity(void)
{
    return FERHIL_RX_BUFFER_FLOW_CONTROLLED;
}

uint32_t hal_cycles(void)
{
    __asm volatile("cpsid i" ::: "memory");
    uint32_t wraps = systick_wraps;
    uint32_t value = SYST_CVR & SYSTICK_MASK;
    if ((SCB_ICSR & ICSR_PENDSTSET) != 0u) {
        /* Wrapped, handler not yet run: count the wrap and re-read after the reload. */
        wraps++;
        value = SYST_CVR & SYSTICK_MASK;
    }
    __asm volatile("cpsie i" ::: "memory");
    return (wraps << 24) + (SYSTICK_MASK - value);
}

uint32_t hal_core_clock_hz(void)
{
    return MPS2_SYSCLK_HZ;
}

uint8_t hal_clock_kind(void)
{
    return FERHIL_CLOCK_QEMU_ICOUNT;
}

void hal_trigger(int level)
{
    FPGAIO_LED = level ? 1u : 0u;
}

void hal_sim_advance(uint32_t cycles)
{
    (void)cycles;
}

const char *hal_board_name(void)
{
    return "qemu-mps2-an386";
}

void hal_reset(void)
{
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = 0x05FA0004u; /* VECTKEY | SYSRESETREQ */
    __asm volatile("dsb" ::: "memory");
    for (;;) {
    }
}
