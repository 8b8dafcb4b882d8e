/* Test probe of single kernel primitives.
 * Usage: kernel_probe ACCS.bin OUT.bin
 * ACCS.bin: int32 little-endian accumulators. OUT.bin receives, for round_shift r = -8..22,
 * ferhil_requantize(acc, r) for every acc (int8), then ferhil_activate_s8(v, a) for a in {NONE,
 * RELU, ABS} and v = -128..127 (int8). */
#include <stdint.h>
#include <stdio.h>

#include "kernels.h"

int main(int argc, char **argv)
{
    static int32_t accs[1u << 16];
    if (argc != 3) {
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    FILE *out = fopen(argv[2], "wb");
    if (in == NULL || out == NULL) {
        return 2;
    }
    const size_t n = fread(accs, sizeof accs[0], sizeof accs / sizeof accs[0], in);
    for (int r = -8; r <= 22; r++) {
        for (size_t i = 0; i < n; i++) {
            const int8_t v = ferhil_requantize(accs[i], (int8_t)r);
            fwrite(&v, 1, 1, out);
        }
    }
    const uint8_t acts[3] = {FERHIL_ACT_NONE, FERHIL_ACT_RELU, FERHIL_ACT_ABS};
    for (int a = 0; a < 3; a++) {
        for (int v = -128; v <= 127; v++) {
            const int8_t y = ferhil_activate_s8((int8_t)v, acts[a]);
            fwrite(&y, 1, 1, out);
        }
    }
    fclose(in);
    fclose(out);
    return 0;
}
