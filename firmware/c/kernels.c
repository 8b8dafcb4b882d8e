/*
 * kernels.c - portable int8 CNN kernels, bit-exact with the MAX78000 CNN accelerator.
 * See kernels.h for the arithmetic. Only C11 and <stdint.h>; no allocation, no libc.
 */
#include "kernels.h"

#include <stddef.h>

#define S8_MIN (-128)
#define S8_MAX 127

/* Keep the hot row loop out of its caller so the compiler keeps its weights in registers
 * (an optimisation hint only; any C11 compiler may ignore it). */
#if defined(__GNUC__)
#define FERHIL_NOINLINE __attribute__((noinline))
#else
#define FERHIL_NOINLINE
#endif

uint32_t ferhil_weight_row_bytes(uint32_t count, uint8_t bits)
{
    return (count * (uint32_t)bits + 7u) / 8u;
}

static int bits_ok(uint8_t bits)
{
    return bits == 1u || bits == 2u || bits == 4u || bits == 8u;
}

/* Unchecked unpack: callers validated `bits` and the buffers. */
static void unpack_row(const uint8_t *packed, uint8_t bits, uint32_t count, int8_t *out)
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

ferhil_status ferhil_unpack_weights_s8(const uint8_t *packed, uint8_t bits, uint32_t count,
                                       int8_t *out)
{
    if (packed == NULL || out == NULL || !bits_ok(bits)) {
        return FERHIL_ARG_ERROR;
    }
    unpack_row(packed, bits, count, out);
    return FERHIL_OK;
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

int8_t ferhil_requantize(int32_t acc, int8_t round_shift)
{
    if (round_shift > 0) {
        const uint32_t r = (uint32_t)round_shift;
        return clamp_s8(floor_shift((int64_t)acc + ((int64_t)1 << (r - 1u)), r));
    }
    return clamp_s8((int64_t)acc * ((int64_t)1 << (uint32_t)(-round_shift)));
}

int8_t ferhil_relu_s8(int8_t v)
{
    return v < 0 ? (int8_t)0 : v;
}

int8_t ferhil_abs_s8(int8_t v)
{
    return v < 0 ? (v == S8_MIN ? (int8_t)S8_MAX : (int8_t)(-v)) : v;
}

int8_t ferhil_activate_s8(int8_t v, uint8_t activation)
{
    if (activation == FERHIL_ACT_RELU) {
        return ferhil_relu_s8(v);
    }
    if (activation == FERHIL_ACT_ABS) {
        return ferhil_abs_s8(v);
    }
    return v;
}

uint16_t ferhil_pool_out_size(uint16_t size, uint8_t kernel, uint8_t stride)
{
    if (stride == 0u || kernel == 0u || size < kernel) {
        return 0u;
    }
    return (uint16_t)(((uint32_t)size - kernel) / stride + 1u);
}

uint16_t ferhil_conv_out_size(uint16_t size, uint8_t kernel, uint8_t pad)
{
    if (kernel == 0u || (uint32_t)size + 2u * pad < kernel) {
        return 0u;
    }
    return (uint16_t)((uint32_t)size + 2u * pad - kernel + 1u);
}

ferhil_status ferhil_max_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh,
                                 uint8_t kw, uint8_t stride, int8_t *out)
{
    if (in == NULL || out == NULL || stride == 0u || kh == 0u || kw == 0u || kh > h || kw > w) {
        return FERHIL_ARG_ERROR;
    }
    const uint16_t ho = ferhil_pool_out_size(h, kh, stride);
    const uint16_t wo = ferhil_pool_out_size(w, kw, stride);
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
    return FERHIL_OK;
}

ferhil_status ferhil_avg_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh,
                                 uint8_t kw, uint8_t stride, int8_t *out)
{
    if (in == NULL || out == NULL || stride == 0u || kh == 0u || kw == 0u || kh > h || kw > w) {
        return FERHIL_ARG_ERROR;
    }
    const uint16_t ho = ferhil_pool_out_size(h, kh, stride);
    const uint16_t wo = ferhil_pool_out_size(w, kw, stride);
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
    return FERHIL_OK;
}

/* Sum of the taps of one kernel row at output column x, skipping taps in the zero padding. */
static int32_t edge_taps(const int8_t *src, int32_t w, const int8_t *wk, int32_t k, int32_t pad,
                         int32_t x)
{
    int32_t sum = 0;
    for (int32_t kx = 0; kx < k; kx++) {
        const int32_t ix = x + kx - pad;
        if (ix >= 0 && ix < w) {
            sum += (int32_t)wk[kx] * (int32_t)src[ix];
        }
    }
    return sum;
}

/* dst[x] += wk[0]*s[x] + wk[1]*s[x+1] + wk[2]*s[x+2] for x in [0, n): the 3-tap inner loop. */
static FERHIL_NOINLINE void mac_row3(int32_t *restrict dst, const int8_t *restrict s, int32_t n,
                                     const int8_t *wk)
{
    const int32_t w0 = wk[0];
    const int32_t w1 = wk[1];
    const int32_t w2 = wk[2];
    for (int32_t x = 0; x < n; x++) {
        int32_t a = dst[x];
        a += w0 * (int32_t)s[x];
        a += w1 * (int32_t)s[x + 1];
        a += w2 * (int32_t)s[x + 2];
        dst[x] = a;
    }
}

/* Rows [y0, y1) of a "same" 3x3 convolution (pad 1, output width = input width w >= 2) for one
 * kernel row: acc row y gets input row y + dy, with one zero-padded column on each side. */
static FERHIL_NOINLINE void mac_plane3_same(int32_t *restrict acc, const int8_t *restrict plane,
                                            int32_t w, int32_t y0, int32_t y1, int32_t dy,
                                            const int8_t *wk)
{
    const int32_t w0 = wk[0];
    const int32_t w1 = wk[1];
    const int32_t w2 = wk[2];
    const int32_t last = w - 1;
    for (int32_t y = y0; y < y1; y++) {
        const int8_t *restrict s = plane + (y + dy) * w;
        int32_t *restrict dst = acc + y * w;
        dst[0] += w1 * (int32_t)s[0] + w2 * (int32_t)s[1];
        for (int32_t x = 1; x < last; x++) {
            int32_t a = dst[x];
            a += w0 * (int32_t)s[x - 1];
            a += w1 * (int32_t)s[x];
            a += w2 * (int32_t)s[x + 1];
            dst[x] = a;
        }
        dst[last] += w0 * (int32_t)s[last - 1] + w1 * (int32_t)s[last];
    }
}

/* dst[x] += w0 * s[x] for x in [0, n): the 1x1 inner loop. */
static FERHIL_NOINLINE void mac_row1(int32_t *restrict dst, const int8_t *restrict s, int32_t n,
                                     int32_t w0)
{
    for (int32_t x = 0; x < n; x++) {
        dst[x] += w0 * (int32_t)s[x];
    }
}

/* Add one kernel row (weights wk[0..k-1] at kernel row ky) applied to one input plane into the
 * output accumulator plane. Zero padding is handled by clipping: output rows whose input row
 * falls in the padding are skipped, and the columns near the left/right borders (where some
 * taps fall in the padding) take the slower per-tap path. */
static void accumulate_kernel_row(const int8_t *restrict plane, uint16_t h, uint16_t w,
                                  const int8_t *wk, uint8_t k, uint8_t pad, int32_t ky, uint16_t ho,
                                  uint16_t wo, int32_t *restrict acc)
{
    const int32_t dy = ky - (int32_t)pad;
    const int32_t y0 = dy < 0 ? -dy : 0;
    const int32_t y1 = ((int32_t)h - dy) < (int32_t)ho ? ((int32_t)h - dy) : (int32_t)ho;
    /* Interior columns: every tap x + kx - pad lies in [0, w). */
    const int32_t xl = (int32_t)pad < (int32_t)wo ? (int32_t)pad : (int32_t)wo;
    int32_t xr = (int32_t)w - (int32_t)k + (int32_t)pad + 1;
    xr = xr > (int32_t)wo ? (int32_t)wo : xr;
    xr = xr < xl ? xl : xr;
    if (k == 3u && pad == 1u && w == wo && w >= 2u) {
        mac_plane3_same(acc, plane, (int32_t)w, y0, y1, dy, wk);
        return;
    }
    const int32_t w0 = wk[0];
    for (int32_t y = y0; y < y1; y++) {
        const int8_t *restrict src = plane + (y + dy) * (int32_t)w;
        int32_t *restrict dst = acc + y * (int32_t)wo;
        for (int32_t x = 0; x < xl; x++) {
            dst[x] += edge_taps(src, (int32_t)w, wk, (int32_t)k, (int32_t)pad, x);
        }
        if (xr > xl) { /* then xl == pad, so src + xl - pad == src stays inside the row */
            if (k == 3u) {
                mac_row3(dst + xl, src + xl - (int32_t)pad, xr - xl, wk);
            } else {
                mac_row1(dst + xl, src + xl - (int32_t)pad, xr - xl, w0);
            }
        }
        for (int32_t x = xr; x < (int32_t)wo; x++) {
            dst[x] += edge_taps(src, (int32_t)w, wk, (int32_t)k, (int32_t)pad, x);
        }
    }
}

/* Checks shared by the layer kernels: buffers present, output buffer matching p->wide. */
static ferhil_status check_layer(const ferhil_layer_params *p, const int8_t *in, const int8_t *out,
                                 const int32_t *out_wide, const int8_t *wscratch)
{
    if (p == NULL || in == NULL || wscratch == NULL || p->weights == NULL) {
        return FERHIL_ARG_ERROR;
    }
    if ((p->wide ? (const void *)out_wide : (const void *)out) == NULL) {
        return FERHIL_ARG_ERROR;
    }
    if (!bits_ok(p->weight_bits) || p->activation > FERHIL_ACT_ABS) {
        return FERHIL_ARG_ERROR;
    }
    return FERHIL_OK;
}

int32_t ferhil_conv2d_s8_get_buffer_size(const ferhil_layer_params *p)
{
    return p == NULL ? 0 : (int32_t)p->in_c * p->kernel * p->kernel;
}

int32_t ferhil_conv2d_s8_get_acc_size(const ferhil_layer_params *p)
{
    if (p == NULL) {
        return 0;
    }
    return (int32_t)ferhil_conv_out_size(p->in_h, p->kernel, p->pad) *
           (int32_t)ferhil_conv_out_size(p->in_w, p->kernel, p->pad);
}

ferhil_status ferhil_conv2d_s8(const ferhil_layer_params *p, const int8_t *in, int8_t *out,
                               int32_t *out_wide, int8_t *wscratch, int32_t *acc)
{
    const ferhil_status st = check_layer(p, in, out, out_wide, wscratch);
    if (st != FERHIL_OK) {
        return st;
    }
    if (acc == NULL || p->pad > 2u) {
        return FERHIL_ARG_ERROR;
    }
    if (p->kernel != 1u && p->kernel != 3u) {
        return FERHIL_NO_IMPL_ERROR;
    }
    const uint16_t ho = ferhil_conv_out_size(p->in_h, p->kernel, p->pad);
    const uint16_t wo = ferhil_conv_out_size(p->in_w, p->kernel, p->pad);
    const uint32_t plane_out = (uint32_t)ho * wo;
    const uint32_t plane_in = (uint32_t)p->in_h * p->in_w;
    const uint32_t taps = (uint32_t)p->kernel * p->kernel;
    const uint32_t row = (uint32_t)p->in_c * taps;
    const uint32_t row_bytes = ferhil_weight_row_bytes(row, p->weight_bits);
    for (uint32_t o = 0; o < p->out_c; o++) {
        unpack_row(p->weights + o * row_bytes, p->weight_bits, row, wscratch);
        const int32_t base = p->bias != NULL ? 128 * (int32_t)p->bias[o] : 0;
        for (uint32_t i = 0; i < plane_out; i++) {
            acc[i] = base;
        }
        for (uint32_t c = 0; c < p->in_c; c++) {
            const int8_t *plane = in + c * plane_in;
            for (uint32_t ky = 0; ky < p->kernel; ky++) {
                const int8_t *wk = wscratch + c * taps + ky * p->kernel;
                int32_t any = 0;
                for (uint32_t kx = 0; kx < p->kernel; kx++) {
                    any |= wk[kx];
                }
                if (any == 0) {
                    continue; /* all-zero kernel row: common with 1- and 2-bit weights */
                }
                accumulate_kernel_row(plane, p->in_h, p->in_w, wk, p->kernel, p->pad, (int32_t)ky,
                                      ho, wo, acc);
            }
        }
        if (p->wide) {
            for (uint32_t i = 0; i < plane_out; i++) {
                out_wide[o * plane_out + i] = acc[i];
            }
        } else {
            for (uint32_t i = 0; i < plane_out; i++) {
                out[o * plane_out + i] =
                    ferhil_activate_s8(ferhil_requantize(acc[i], p->round_shift), p->activation);
            }
        }
    }
    return FERHIL_OK;
}

int32_t ferhil_fully_connected_s8_get_buffer_size(const ferhil_layer_params *p)
{
    return p == NULL ? 0 : (int32_t)p->in_c;
}

ferhil_status ferhil_fully_connected_s8(const ferhil_layer_params *p, const int8_t *in, int8_t *out,
                                        int32_t *out_wide, int8_t *wscratch)
{
    const ferhil_status st = check_layer(p, in, out, out_wide, wscratch);
    if (st != FERHIL_OK) {
        return st;
    }
    const uint32_t n = p->in_c;
    const uint32_t row_bytes = ferhil_weight_row_bytes(n, p->weight_bits);
    for (uint32_t o = 0; o < p->out_c; o++) {
        unpack_row(p->weights + o * row_bytes, p->weight_bits, n, wscratch);
        int32_t acc = p->bias != NULL ? 128 * (int32_t)p->bias[o] : 0;
        for (uint32_t i = 0; i < n; i++) {
            acc += (int32_t)wscratch[i] * (int32_t)in[i];
        }
        if (p->wide) {
            out_wide[o] = acc;
        } else {
            out[o] = ferhil_activate_s8(ferhil_requantize(acc, p->round_shift), p->activation);
        }
    }
    return FERHIL_OK;
}

int32_t ferhil_conv1d_s8_get_buffer_size(const ferhil_layer_params *p)
{
    return p == NULL ? 0 : (int32_t)p->in_c * p->kernel;
}

ferhil_status ferhil_conv1d_s8(const ferhil_layer_params *p, const int8_t *in, int8_t *out,
                               int32_t *out_wide, int8_t *wscratch)
{
    const ferhil_status st = check_layer(p, in, out, out_wide, wscratch);
    if (st != FERHIL_OK) {
        return st;
    }
    if (p->kernel == 0u || p->kernel > 9u || (int32_t)p->in_h + 2 * p->pad < p->kernel) {
        return FERHIL_ARG_ERROR;
    }
    const int32_t len = (int32_t)p->in_h;
    const int32_t k = (int32_t)p->kernel;
    const int32_t pad = (int32_t)p->pad;
    const int32_t lo = len + 2 * pad - k + 1;
    const uint32_t row = (uint32_t)p->in_c * (uint32_t)k;
    const uint32_t row_bytes = ferhil_weight_row_bytes(row, p->weight_bits);
    for (uint32_t o = 0; o < p->out_c; o++) {
        unpack_row(p->weights + o * row_bytes, p->weight_bits, row, wscratch);
        const int32_t base = p->bias != NULL ? 128 * (int32_t)p->bias[o] : 0;
        for (int32_t t = 0; t < lo; t++) {
            int32_t acc = base;
            for (uint32_t c = 0; c < p->in_c; c++) {
                const int8_t *src = in + c * (uint32_t)len;
                const int8_t *wk = wscratch + c * (uint32_t)k;
                for (int32_t j = 0; j < k; j++) {
                    const int32_t x = t + j - pad;
                    if (x >= 0 && x < len) {
                        acc += (int32_t)wk[j] * (int32_t)src[x];
                    }
                }
            }
            if (p->wide) {
                out_wide[o * (uint32_t)lo + (uint32_t)t] = acc;
            } else {
                out[o * (uint32_t)lo + (uint32_t)t] =
                    ferhil_activate_s8(ferhil_requantize(acc, p->round_shift), p->activation);
            }
        }
    }
    return FERHIL_OK;
}

ferhil_status ferhil_upsample2x_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w,
                                   uint8_t before, uint8_t after, int8_t *out)
{
    if (in == NULL || out == NULL || h == 0u || w == 0u) {
        return FERHIL_ARG_ERROR;
    }
    const uint32_t ho = 2u * h - 1u + before + after;
    const uint32_t wo = 2u * w - 1u + before + after;
    for (uint32_t i = 0; i < (uint32_t)c * ho * wo; i++) {
        out[i] = 0;
    }
    for (uint32_t ch = 0; ch < c; ch++) {
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                out[(ch * ho + before + 2u * y) * wo + before + 2u * x] =
                    in[(ch * h + y) * (uint32_t)w + x];
            }
        }
    }
    return FERHIL_OK;
}

ferhil_status ferhil_eltwise_s8(const int8_t *in, uint32_t count, uint8_t operands, uint8_t kind,
                                int8_t *out)
{
    if (in == NULL || out == NULL || operands == 0u || kind > FERHIL_ELT_OR) {
        return FERHIL_ARG_ERROR;
    }
    for (uint32_t i = 0; i < count; i++) {
        int32_t v = in[i];
        for (uint32_t k = 1; k < operands; k++) {
            const int32_t b = in[k * count + i];
            if (kind == FERHIL_ELT_ADD) {
                v += b;
            } else if (kind == FERHIL_ELT_SUB) {
                v -= b;
            } else if (kind == FERHIL_ELT_XOR) {
                v = (int32_t)((uint32_t)v ^ (uint32_t)b);
            } else {
                v = (int32_t)((uint32_t)v | (uint32_t)b);
            }
        }
        out[i] = clamp_s8(v);
    }
    return FERHIL_OK;
}
