/*
 * kernels.h - portable int8 CNN kernels, bit-exact with the MAX78000 CNN accelerator.
 *
 * Names follow CMSIS-NN with the project prefix (ferhil_conv2d_s8, ferhil_fully_connected_s8,
 * ferhil_max_pool_s8, ...); kernels return a ferhil_status (ferhil_status.h) and each scratch
 * buffer has a size function (ferhil_conv2d_s8_get_buffer_size, ...). Data are CHW
 * int8 arrays; weights are packed rows (one row per output channel, byte aligned) of
 * `weight_bits`-wide two's-complement fields, least significant field first. The arithmetic is
 * docs/max78000-arithmetic.md section 2 (see golden/arithmetic.py):
 *   acc = sum(x * w) + 128 * b            (int32, no intermediate saturation)
 *   r   = 7 - (output_shift + 8 - weight_bits)
 *   y   = clamp((acc + 2^(r-1)) >> r, -128, 127)   for r > 0 (floor shift: round half up)
 *   y   = clamp(acc * 2^-r, -128, 127)             for r <= 0
 *   then ReLU max(y, 0), Abs min(|y|, 127) or nothing; a wide layer returns acc itself.
 * No dynamic allocation: callers pass every buffer.
 */
#ifndef FERHIL_KERNELS_H
#define FERHIL_KERNELS_H

#include <stdint.h>

#include "ferhil_status.h"

#define FERHIL_ACT_NONE 0u
#define FERHIL_ACT_RELU 1u
#define FERHIL_ACT_ABS 2u
#define FERHIL_ELT_ADD 0u
#define FERHIL_ELT_SUB 1u
#define FERHIL_ELT_XOR 2u
#define FERHIL_ELT_OR 3u

/** One conv2d, conv1d or linear layer, as the synthesizer emits it. */
typedef struct {
    uint16_t in_c, in_h, in_w; /* operator input (after pooling); linear: in_c = features */
    uint16_t out_c;            /* output channels / features */
    uint8_t kernel;            /* 1 or 3 (conv2d); 1..9 (conv1d); 1 for linear */
    uint8_t pad;               /* 0..2 zero padding (conv2d, conv1d) */
    uint8_t weight_bits;       /* 8, 4, 2 or 1 */
    int8_t round_shift;        /* r = 7 - total shift */
    uint8_t activation;        /* FERHIL_ACT_* */
    uint8_t wide;              /* 1: 32-bit raw accumulator output */
    const uint8_t *weights;    /* packed rows, see ferhil_weight_row_bytes() */
    const int8_t *bias;        /* hardware bias per output, or NULL */
} ferhil_layer_params;

/** Bytes of one packed weight row holding `count` fields of `bits` bits. */
uint32_t ferhil_weight_row_bytes(uint32_t count, uint8_t bits);

/** Unpack `count` sign-extended `bits`-wide fields from `packed` into `out`.
 *  FERHIL_ARG_ERROR on a NULL buffer or `bits` not in {1, 2, 4, 8}. */
ferhil_status ferhil_unpack_weights_s8(const uint8_t *packed, uint8_t bits, uint32_t count,
                                       int8_t *out);

/** Requantize one accumulator: floor shift by `round_shift` with round half up, then clamp. */
int8_t ferhil_requantize(int32_t acc, int8_t round_shift);

/** ReLU on an int8 value. */
int8_t ferhil_relu_s8(int8_t v);

/** Abs on an int8 value, saturated to 127. */
int8_t ferhil_abs_s8(int8_t v);

/** Apply FERHIL_ACT_* `activation` to an int8 value. */
int8_t ferhil_activate_s8(int8_t v, uint8_t activation);

/** Output side of a pool: (size - kernel) / stride + 1 (0 when the window does not fit). */
uint16_t ferhil_pool_out_size(uint16_t size, uint8_t kernel, uint8_t stride);

/** Output side of a stride-1 convolution: size + 2 pad - kernel + 1 (0 when empty). */
uint16_t ferhil_conv_out_size(uint16_t size, uint8_t kernel, uint8_t pad);

/** Max-pool CHW `in` (c x h x w) with a kh x kw window and `stride`; writes CHW `out`.
 *  `out` may equal `in` (in-place pooling is safe: every output precedes its inputs).
 *  FERHIL_ARG_ERROR on a NULL buffer, a zero stride or a window larger than the plane. */
ferhil_status ferhil_max_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh,
                                 uint8_t kw, uint8_t stride, int8_t *out);

/** Average-pool like ferhil_max_pool_s8; the window sum is divided truncating toward zero. */
ferhil_status ferhil_avg_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh,
                                 uint8_t kw, uint8_t stride, int8_t *out);

/** Bytes of the int8 weight scratch (`wscratch`) ferhil_conv2d_s8 needs: in_c * k * k. */
int32_t ferhil_conv2d_s8_get_buffer_size(const ferhil_layer_params *p);

/** int32 accumulators (`acc`) ferhil_conv2d_s8 needs: one output plane, h' * w'. */
int32_t ferhil_conv2d_s8_get_acc_size(const ferhil_layer_params *p);

/** Stride-1 2D convolution (1x1 or 3x3) with zero padding.
 *  Writes int8 `out` (c x h' x w'), or `out_wide` (int32) when p->wide.
 *  `wscratch` holds ferhil_conv2d_s8_get_buffer_size(p) bytes; `acc` holds
 *  ferhil_conv2d_s8_get_acc_size(p) int32 accumulators. FERHIL_ARG_ERROR on a NULL buffer
 *  or parameters out of range; FERHIL_NO_IMPL_ERROR on a kernel other than 1 or 3. */
ferhil_status ferhil_conv2d_s8(const ferhil_layer_params *p, const int8_t *in, int8_t *out,
                               int32_t *out_wide, int8_t *wscratch, int32_t *acc);

/** Bytes of the int8 weight scratch ferhil_fully_connected_s8 needs: in_c. */
int32_t ferhil_fully_connected_s8_get_buffer_size(const ferhil_layer_params *p);

/** Fully connected layer on in_c flattened (CHW order) int8 features.
 *  Writes int8 `out` or, when p->wide, int32 `out_wide`; `wscratch` holds
 *  ferhil_fully_connected_s8_get_buffer_size(p) bytes. */
ferhil_status ferhil_fully_connected_s8(const ferhil_layer_params *p, const int8_t *in, int8_t *out,
                                        int32_t *out_wide, int8_t *wscratch);

/** Bytes of the int8 weight scratch ferhil_conv1d_s8 needs: in_c * kernel. */
int32_t ferhil_conv1d_s8_get_buffer_size(const ferhil_layer_params *p);

/** 1-D convolution of CL `in` (in_c x in_h, in_w = 1), kernel 1..9, zero padding `pad`.
 *  Writes int8 `out` (out_c x L') or, when p->wide, int32 `out_wide`; `wscratch` holds
 *  ferhil_conv1d_s8_get_buffer_size(p) bytes. */
ferhil_status ferhil_conv1d_s8(const ferhil_layer_params *p, const int8_t *in, int8_t *out,
                               int32_t *out_wide, int8_t *wscratch);

/** Stride-2 zero insertion for a transposed convolution: CHW `in` (c x h x w) becomes
 *  c x (2h-1+before+after) x (2w-1+before+after) with `before`/`after` zero rows/columns. */
ferhil_status ferhil_upsample2x_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w,
                                   uint8_t before, uint8_t after, int8_t *out);

/** Element-wise FERHIL_ELT_* over `operands` consecutive blocks of `count` int8 values in `in`,
 *  left to right, saturated to int8 once at the end (as the accelerator does). */
ferhil_status ferhil_eltwise_s8(const int8_t *in, uint32_t count, uint8_t operands, uint8_t kind,
                                int8_t *out);

#endif /* FERHIL_KERNELS_H */
