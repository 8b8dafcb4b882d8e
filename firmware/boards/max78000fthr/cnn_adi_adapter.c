/* cnn_adi_adapter.c - the ferhil additions to ADI's generated CNN API (FERHIL_ADI_BACKEND=1):
 *
 * cnn_load_input(): writes the CHW int8 input into CNN data memory at 0x50400000 (+
 *   ADI_INPUT_OFFSET, the YAML in_offset of layer 0) in the layout ai8xize expects
 *   (spec max78000-arithmetic.md section 1.4):
 *   - HWC (default), up to 4 channels: one 32-bit word per pixel, byte k = channel k;
 *   - CHW (ADI_INPUT_CHW=1), one channel: 4 consecutive pixels per word, little-endian.
 * cnn_wait(): sleeps until ADI's CNN_ISR sets cnn_time.
 * cnn_unload(): wide outputs are copied as they are; 8-bit outputs (ADI packs them as a CHW byte
 *   array) are sign-extended to one word per value.
 * cnn_selftest(): izer's known-answer test: its load_input() and check_output() from its
 *   generated main.c (compiled by izer_kat.c), so data layout and expected values are izer's.
 * hal_inference_cycles(): the inference time from izer's --timer 0 hardware timer (cnn_time,
 *   microseconds, set in CNN_ISR; it runs while the core sleeps in cnn_wait), in core cycles.
 * The accelerator memory layout is ADI's; this adapter has not been run on hardware here. */
#ifdef FERHIL_ADI_BACKEND
#include <stdint.h>

#include "mxc_device.h"

#include "cnn.h" /* ferhil's generated API (../gen) */

#ifndef ADI_INPUT_OFFSET
#define ADI_INPUT_OFFSET 0x0u
#endif
#ifndef ADI_INPUT_CHW
#define ADI_INPUT_CHW 0
#endif
#define CNN_DATA_BASE 0x50400000u

int adi_cnn_unload(uint32_t *out_buf);
void load_input(void);  /* izer's, in its main.c (izer_kat.c) */
int check_output(void); /* izer's, in its main.c (izer_kat.c) */

#if ADI_INPUT_CHW
#if CNN_INPUT_C != 1u
#error "ADI_INPUT_CHW=1 supports one input channel only"
#endif
#elif CNN_INPUT_C > 4u
#error "HWC input with more than 4 channels spans several processors; not supported here"
#endif

int cnn_load_input(const int8_t *input, uint32_t len)
{
    volatile uint32_t *dst = (volatile uint32_t *)(CNN_DATA_BASE + ADI_INPUT_OFFSET);
    if (input == 0 || len != CNN_INPUT_LEN) {
        return CNN_FAIL;
    }
#if ADI_INPUT_CHW
    for (uint32_t i = 0; i < len; i += 4u) {
        uint32_t word = 0u;
        for (uint32_t k = 0; k < 4u && i + k < len; k++) {
            word |= (uint32_t)(uint8_t)input[i + k] << (8u * k);
        }
        dst[i / 4u] = word;
    }
#else
    const uint32_t hw = CNN_INPUT_H * CNN_INPUT_W;
    for (uint32_t p = 0; p < hw; p++) {
        uint32_t word = 0u;
        for (uint32_t c = 0; c < CNN_INPUT_C; c++) {
            word |= (uint32_t)(uint8_t)input[c * hw + p] << (8u * c);
        }
        dst[p] = word;
    }
#endif
    return CNN_OK;
}

int cnn_wait(void)
{
    while (cnn_time == 0u) {
        __WFI();
    }
    return CNN_OK;
}

int cnn_selftest(uint32_t *detail)
{
    *detail = 0u;
    load_input();
    if (cnn_start() != CNN_OK || cnn_wait() != CNN_OK) {
        *detail = 2u;
        return CNN_SELFTEST_ERROR;
    }
    if (check_output() != CNN_OK) {
        *detail = 1u; /* izer's check stops at the first mismatching word */
        return CNN_SELFTEST_FAIL;
    }
    return CNN_SELFTEST_PASS;
}

uint32_t hal_inference_cycles(uint32_t measured)
{
    (void)measured; /* DWT may stop while the core sleeps: use the timer */
    return cnn_time * (SystemCoreClock / 1000000u);
}

int cnn_unload(uint32_t *out_buf)
{
#if CNN_OUTPUT_WIDE
    return adi_cnn_unload(out_buf);
#else
    static uint32_t packed[(CNN_NUM_OUTPUTS + 3u) / 4u];
    if (adi_cnn_unload(packed) != CNN_OK) {
        return CNN_FAIL;
    }
    const uint8_t *bytes = (const uint8_t *)packed;
    for (uint32_t i = 0; i < CNN_NUM_OUTPUTS; i++) {
        out_buf[i] = (uint32_t)(int32_t)(int8_t)bytes[i];
    }
    return CNN_OK;
#endif
}
#else
typedef int cnn_adi_adapter_unused; /* ISO C forbids an empty translation unit */
#endif
