/* main.c - the ferhil test agent on the MAX78000FTHR (MSDK project).
 * The MSDK startup code runs SystemInit() and the FTHR Board_Init() (console UART, LEDs, PMIC,
 * CNN supply) before main(). */
#include "agent.h"
#include "hal.h"

int main(void)
{
    hal_init();
    for (;;) {
        agent_main();
    }
}
