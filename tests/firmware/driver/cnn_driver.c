/* Host test driver: runs the generated cnn_* API on inputs read from a file.
 * Usage: cnn_driver INPUTS.bin OUTPUTS.bin
 * INPUTS.bin holds N * CNN_INPUT_LEN int8 values (CHW); OUTPUTS.bin receives N * CNN_NUM_OUTPUTS
 * little-endian 32-bit words from cnn_unload(). */
#include <stdint.h>
#include <stdio.h>

#include "cnn.h"
#include "hal.h"

static uint32_t sim_cycles;

uint32_t hal_cycles(void)
{
    return sim_cycles;
}
uint32_t hal_core_clock_hz(void)
{
    return 100000000u;
}
void hal_sim_advance(uint32_t cycles)
{
    sim_cycles += cycles;
}

int main(int argc, char **argv)
{
    static int8_t input[CNN_INPUT_LEN];
    static uint32_t output[CNN_NUM_OUTPUTS];
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUTS.bin OUTPUTS.bin\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    FILE *out = fopen(argv[2], "wb");
    if (in == NULL || out == NULL) {
        perror("open");
        return 2;
    }
    if (cnn_enable(0u, 0u) != CNN_OK || cnn_init() != CNN_OK || cnn_load_weights() != CNN_OK ||
        cnn_load_bias() != CNN_OK || cnn_configure() != CNN_OK) {
        return 3;
    }
    while (fread(input, 1, sizeof input, in) == sizeof input) {
        if (cnn_load_input(input, CNN_INPUT_LEN) != CNN_OK || cnn_start() != CNN_OK ||
            cnn_wait() != CNN_OK || cnn_unload(output) != CNN_OK) {
            return 4;
        }
        for (uint32_t i = 0; i < CNN_NUM_OUTPUTS; i++) {
            const uint8_t b[4] = {(uint8_t)output[i], (uint8_t)(output[i] >> 8),
                                  (uint8_t)(output[i] >> 16), (uint8_t)(output[i] >> 24)};
            fwrite(b, 1, 4, out);
        }
    }
    fclose(in);
    fclose(out);
    return cnn_time > 0u ? 0 : 5;
}
