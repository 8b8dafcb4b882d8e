/* stub_cnn.c (TEST STUB): a stand-in CNN for the protocol tests.
 * Output k = sum_i x[i] * (((i + k) % 7) - 3) as int32; cnn_start() advances the simulated
 * cycle counter by CNN_MODEL_CYCLES like the generated portable cnn_start(). An input that
 * starts with the bytes "FAIL" makes cnn_wait() fail (to test the status path). */
#include <string.h>

#include "cnn.h"
#include "hal.h"
#include "model_info.h"

#define STUB_INPUT_BYTES (CNN_INPUT_C * CNN_INPUT_H * CNN_INPUT_W)

volatile uint32_t cnn_time;
static int8_t stub_input[STUB_INPUT_BYTES];
static int32_t stub_output[CNN_NUM_OUTPUTS];

int cnn_enable(uint32_t clock_source, uint32_t clock_divider)
{
    (void)clock_source;
    (void)clock_divider;
    return CNN_OK;
}
int cnn_init(void)
{
    return CNN_OK;
}
int cnn_load_weights(void)
{
    return CNN_OK;
}
int cnn_load_bias(void)
{
    return CNN_OK;
}
int cnn_configure(void)
{
    return CNN_OK;
}

int cnn_load_input(const int8_t *input, uint32_t len)
{
    if (len != STUB_INPUT_BYTES) {
        return CNN_FAIL;
    }
    memcpy(stub_input, input, len);
    return CNN_OK;
}

int cnn_start(void)
{
    cnn_time = 0;
    for (int k = 0; k < CNN_NUM_OUTPUTS; k++) {
        int32_t acc = 0;
        for (int i = 0; i < STUB_INPUT_BYTES; i++) {
            acc += (int32_t)stub_input[i] * (((i + k) % 7) - 3);
        }
        stub_output[k] = acc;
    }
    hal_sim_advance(CNN_MODEL_CYCLES);
    cnn_time = 1;
    return CNN_OK;
}

int cnn_wait(void)
{
    if (memcmp(stub_input, "FAIL", 4) == 0) {
        return CNN_FAIL;
    }
    return cnn_time != 0 ? CNN_OK : CNN_FAIL;
}

int cnn_unload(uint32_t *out_buf)
{
    for (int k = 0; k < CNN_NUM_OUTPUTS; k++) {
        out_buf[k] = (uint32_t)stub_output[k];
    }
    return CNN_OK;
}

int cnn_stop(void)
{
    return CNN_OK;
}

/* The stub has no known answer: the self-test always passes. */
int cnn_selftest(uint32_t *detail)
{
    *detail = 0u;
    return CNN_SELFTEST_PASS;
}
int cnn_disable(void)
{
    return CNN_OK;
}
