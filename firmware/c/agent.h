/* agent.h: the ferhil UART test agent (command loop). See firmware/PROTOCOL.md.
 *
 * Each board's main() calls hal_init() and then agent_main(). All state is in static buffers;
 * agent_init() clears it (a simulated reset calls agent_main() again).
 */
#ifndef FERHIL_AGENT_H
#define FERHIL_AGENT_H

#include <stdint.h>

/* Run the command loop until hal_uart_getc() returns -1 (link closed). */
void agent_main(void);

/* Clear all agent state and initialise the CNN (cnn_enable .. cnn_configure). */
void agent_init(void);

/* Process one received byte; complete frames are answered through hal_uart_write(). Any byte
 * sequence is accepted: garbage is answered with ERROR frames or skipped, never a hang. */
void agent_feed(uint8_t byte);

#endif /* FERHIL_AGENT_H */
