/* startup_mps2.c - reset handler, vector table and main() of the ferhil QEMU board.
 * Reset: enable the FPU (CPACR CP10/CP11; without it the first FP instruction faults), copy
 * .data from flash, clear .bss, then main(): hal_init() and agent_main(). */
#include <stdint.h>

#include "agent.h"
#include "hal.h"

#define REG32(a) (*(volatile uint32_t *)(a))
#define SCB_CPACR REG32(0xE000ED88u)
#define SCB_CFSR REG32(0xE000ED28u)

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss, _scnn, _ecnn;

void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void); /* hal_mps2.c */
int main(void);

int main(void)
{
    hal_init();
    for (;;) {
        agent_main();
    }
}

void Reset_Handler(void)
{
#ifdef __ARM_FP
    SCB_CPACR |= (0xFu << 20);
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    const uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0u;
    }
    for (uint32_t *dst = &_scnn; dst < &_ecnn;) { /* CNN data memory, like .bss */
        *dst++ = 0u;
    }
    (void)main();
    for (;;) {
    }
}

/* Any fault: report CFSR on the UART as text, then stop. The host sees a timeout. */
void Fault_Handler(void)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t msg[] = "\r\nFAULT cfsr=00000000\r\n";
    const uint32_t cfsr = SCB_CFSR;
    for (uint32_t i = 0; i < 8u; i++) {
        msg[13u + i] = (uint8_t)hex[(cfsr >> (28u - 4u * i)) & 0xFu];
    }
    hal_uart_write(msg, (uint32_t)(sizeof msg - 1u));
    hal_uart_flush();
    for (;;) {
    }
}

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used)) static const vector_t vectors[16] = {
    (vector_t)(uintptr_t)&_estack, /* initial SP */
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0,
    0,
    0,
    0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMon */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};
