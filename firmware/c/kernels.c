/*
 * kernels.c - portable int8 CNN kernels, bit-exact with the MAX78000 CNN accelerator.
 * See kernels.h for the arithmetic. Only C11 and <stdint.h>; no allocation, no libc.
 */
#include "kernels.h"

#include <stddef.h>

#define S8_MIN (-128)
#define S8_MAX 127

uint32_t weight_row_bytes(uint32_t count, uint8_t bits)
{
    return (count * (uint32_t)bits + 7u) / 8u;
}

void unpack_weights_s8(const uint8_t *packed, uint8_t bits, uint32_t count, int8_t *out)
{
    if (bits == 8u) {
        for (uint32_t i = 0; i < count; i++) {
            out[i] = (int8_t)packed[i];
        }
        return;
    }
    const uint32_t mask = (1u << bits) - 1u;
    const uint32_t sign = 1u << (bits - 1u);
    const uint32_t per_byte = 8u / bits;
    for (uint32_t i = 0; i < count; i++) {
        const uint32_t field = ((uint32_t)packed[i / per_byte] >> ((i % per_byte) * bits)) & mask;
        /* Sign-extend: (field ^ sign) - sign maps the top half of the field range to negatives. */
        out[i] = (int8_t)((int32_t)(field ^ sign) - (int32_t)sign);
    }
}

/* floor(v / 2^r) for r in 0..62 without relying on implementation-defined signed shifts. */
static int64_t floor_shift(int64_t v, uint32_t r)
{
    if (v >= 0) {
        return (int64_t)((uint64_t)v >> r);
    }
    /* For v < 0: floor(v / 2^r) = -floor((-v - 1) / 2^r) - 1. */
    const uint64_t m = (uint64_t)(-(v + 1));
    return -(int64_t)(m >> r) - 1;
}

static int8_t clamp_s8(int64_t v)
{
    if (v < S8_MIN) {
        return (int8_t)S8_MIN;
    }
    if (v > S8_MAX) {
        return (int8_t)S8_MAX;
    }
    return (int8_t)v;
}

int8_t requantize(int32_t acc, int8_t round_shift)
{
    if (round_shift > 0) {
        const uint32_t r = (uint32_t)round_shift;
        return clamp_s8(floor_shift((int64_t)acc + ((int64_t)1 << (r - 1u)), r));
    }
    return clamp_s8((int64_t)acc * ((int64_t)1 << (uint32_t)(-round_shift)));
}

int8_t relu_s8(int8_t v)
{
    return v < 0 ? (int8_t)0 : v;
}

int8_t abs_s8(int8_t v)
{
    return v < 0 ? (v == S8_MIN ? (int8_t)S8_MAX : (int8_t)(-v)) : v;
}

int8_t activate_s8(int8_t v, uint8_t activation)
{
    if (activation == KERNEL_ACT_RELU) {
        return relu_s8(v);
    }
    if (activation == KERNEL_ACT_ABS) {
        return abs_s8(v);
    }
    return v;
}

uint16_t pool_out_size(uint16_t size, uint8_t kernel, uint8_t stride)
{
    return (uint16_t)(((uint32_t)size - kernel) / stride + 1u);
}

uint16_t conv_out_size(uint16_t size, uint8_t kernel, uint8_t pad)
{
    return (uint16_t)((uint32_t)size + 2u * pad - kernel + 1u);
}

void max_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh, uint8_t kw,
                 uint8_t stride, int8_t *out)
{
    const uint16_t ho = pool_out_size(h, kh, stride);
    const uint16_t wo = pool_out_size(w, kw, stride);
    uint32_t o = 0;
    for (uint32_t ch = 0; ch < c; ch++) {
        const int8_t *plane = in + ch * (uint32_t)h * w;
        for (uint32_t y = 0; y < ho; y++) {
            for (uint32_t x = 0; x < wo; x++) {
                const int8_t *win = plane + y * stride * (uint32_t)w + x * stride;
                int8_t m = win[0];
                for (uint32_t dy = 0; dy < kh; dy++) {
                    for (uint32_t dx = 0; dx < kw; dx++) {
                        const int8_t v = win[dy * w + dx];
                        m = v > m ? v : m;
                    }
                }
                out[o++] = m;
            }
        }
    }
}

void avg_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh, uint8_t kw,
                 uint8_t stride, int8_t *out)
{
    const uint16_t ho = pool_out_size(h, kh, stride);
    const uint16_t wo = pool_out_size(w, kw, stride);
    const int32_t n = (int32_t)kh * (int32_t)kw;
    uint32_t o = 0;
    for (uint32_t ch = 0; ch < c; ch++) {
        const int8_t *plane = in + ch * (uint32_t)h * w;
        for (uint32_t y = 0; y < ho; y++) {
            for (uint32_t x = 0; x < wo; x++) {
                const int8_t *win = plane + y * stride * (uint32_t)w + x * stride;
                int32_t sum = 0;
                for (uint32_t dy = 0; dy < kh; dy++) {
                    for (uint32_t dx = 0; dx < kw; dx++) {
                        sum += win[dy * w + dx];
                    }
                }
                out[o++] = clamp_s8(sum / n); /* C division truncates toward zero */
            }
        }
    }
}

/* Accumulate one input plane times one weight into the output accumulator plane, handling the
 * zero padding by clipping the output range so that no input read falls outside the plane. */
static void accumulate_tap(const int8_t *plane, uint16_t h, uint16_t w, int32_t wt, int32_t dy,
                           int32_t dx, uint16_t ho, uint16_t wo, int32_t *acc)
{
    /* Output (y, x) reads input (y + dy, x + dx), where dy/dx already include -pad. */
    const int32_t y0 = dy < 0 ? -dy : 0;
    const int32_t y1 = ((int32_t)h - dy) < (int32_t)ho ? ((int32_t)h - dy) : (int32_t)ho;
    const int32_t x0 = dx < 0 ? -dx : 0;
    const int32_t x1 = ((int32_t)w - dx) < (int32_t)wo ? ((int32_t)w - dx) : (int32_t)wo;
    for (int32_t y = y0; y < y1; y++) {
        const int8_t *src = plane + (y + dy) * (int32_t)w + dx;
        int32_t *dst = acc + y * (int32_t)wo;
        for (int32_t x = x0; x < x1; x++) {
            dst[x] += wt * (int32_t)src[x];
        }
    }
}

void conv2d_s8(const layer_params_t *p, const int8_t *in, int8_t *out, int32_t *out_wide,
               int8_t *wscratch, int32_t *acc)
{
    const uint16_t ho = conv_out_size(p->in_h, p->kernel, p->pad);
    const uint16_t wo = conv_out_size(p->in_w, p->kernel, p->pad);
    const uint32_t plane_out = (uint32_t)ho * wo;
    const uint32_t plane_in = (uint32_t)p->in_h * p->in_w;
    const uint32_t taps = (uint32_t)p->kernel * p->kernel;
    const uint32_t row = (uint32_t)p->in_c * taps;
    const uint32_t row_bytes = weight_row_bytes(row, p->weight_bits);
    for (uint32_t o = 0; o < p->out_c; o++) {
        unpack_weights_s8(p->weights + o * row_bytes, p->weight_bits, row, wscratch);
        const int32_t base = p->bias != NULL ? 128 * (int32_t)p->bias[o] : 0;
        for (uint32_t i = 0; i < plane_out; i++) {
            acc[i] = base;
        }
        for (uint32_t c = 0; c < p->in_c; c++) {
            const int8_t *plane = in + c * plane_in;
            for (uint32_t t = 0; t < taps; t++) {
                const int32_t wt = wscratch[c * taps + t];
                if (wt == 0) {
                    continue;
                }
                const int32_t dy = (int32_t)(t / p->kernel) - (int32_t)p->pad;
                const int32_t dx = (int32_t)(t % p->kernel) - (int32_t)p->pad;
                accumulate_tap(plane, p->in_h, p->in_w, wt, dy, dx, ho, wo, acc);
            }
        }
        if (p->wide) {
            for (uint32_t i = 0; i < plane_out; i++) {
                out_wide[o * plane_out + i] = acc[i];
            }
        } else {
            for (uint32_t i = 0; i < plane_out; i++) {
                out[o * plane_out + i] =
                    activate_s8(requantize(acc[i], p->round_shift), p->activation);
            }
        }
    }
}

void fully_connected_s8(const layer_params_t *p, const int8_t *in, int8_t *out,
                        int32_t *out_wide, int8_t *wscratch)
{
    const uint32_t n = p->in_c;
    const uint32_t row_bytes = weight_row_bytes(n, p->weight_bits);
    for (uint32_t o = 0; o < p->out_c; o++) {
        unpack_weights_s8(p->weights + o * row_bytes, p->weight_bits, n, wscratch);
        int32_t acc = p->bias != NULL ? 128 * (int32_t)p->bias[o] : 0;
        for (uint32_t i = 0; i < n; i++) {
            acc += (int32_t)wscratch[i] * (int32_t)in[i];
        }
        if (p->wide) {
            out_wide[o] = acc;
        } else {
            out[o] = activate_s8(requantize(acc, p->round_shift), p->activation);
        }
    }
}
