/*
 * kernels.h - portable int8 CNN kernels, bit-exact with the MAX78000 CNN accelerator.
 *
 * Names follow CMSIS-NN (conv2d_s8, fully_connected_s8, max_pool_s8, requantize). Data are CHW
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

#define KERNEL_ACT_NONE 0u
#define KERNEL_ACT_RELU 1u
#define KERNEL_ACT_ABS 2u
#define KERNEL_ELT_ADD 0u
#define KERNEL_ELT_SUB 1u
#define KERNEL_ELT_XOR 2u
#define KERNEL_ELT_OR 3u

/** One conv2d or linear layer, as the synthesizer emits it. */
typedef struct {
    uint16_t in_c, in_h, in_w; /* operator input (after pooling); linear: in_c = features */
    uint16_t out_c;            /* output channels / features */
    uint8_t kernel;            /* 1 or 3 (conv2d); 1 for linear */
    uint8_t pad;               /* 0..2 zero padding (conv2d) */
    uint8_t weight_bits;       /* 8, 4, 2 or 1 */
    int8_t round_shift;        /* r = 7 - total shift */
    uint8_t activation;        /* KERNEL_ACT_* */
    uint8_t wide;              /* 1: 32-bit raw accumulator output */
    const uint8_t *weights;    /* packed rows, see weight_row_bytes() */
    const int8_t *bias;        /* hardware bias per output, or NULL */
} layer_params_t;

/** Bytes of one packed weight row holding `count` fields of `bits` bits. */
uint32_t weight_row_bytes(uint32_t count, uint8_t bits);

/** Unpack `count` sign-extended `bits`-wide fields from `packed` into `out`. */
void unpack_weights_s8(const uint8_t *packed, uint8_t bits, uint32_t count, int8_t *out);

/** Requantize one accumulator: floor shift by `round_shift` with round half up, then clamp. */
int8_t requantize(int32_t acc, int8_t round_shift);

/** ReLU on an int8 value. */
int8_t relu_s8(int8_t v);

/** Abs on an int8 value, saturated to 127. */
int8_t abs_s8(int8_t v);

/** Apply KERNEL_ACT_* `activation` to an int8 value. */
int8_t activate_s8(int8_t v, uint8_t activation);

/** Max-pool CHW `in` (c x h x w) with a kh x kw window and `stride`; writes CHW `out`.
 *  `out` may equal `in` (in-place pooling is safe: every output precedes its inputs). */
void max_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh, uint8_t kw,
                 uint8_t stride, int8_t *out);

/** Average-pool like max_pool_s8; the window sum is divided truncating toward zero. */
void avg_pool_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t kh, uint8_t kw,
                 uint8_t stride, int8_t *out);

/** Output side of a pool: (size - kernel) / stride + 1. */
uint16_t pool_out_size(uint16_t size, uint8_t kernel, uint8_t stride);

/** Output side of a stride-1 convolution: size + 2 pad - kernel + 1. */
uint16_t conv_out_size(uint16_t size, uint8_t kernel, uint8_t pad);

/** Stride-1 2D convolution (1x1 or 3x3) with zero padding.
 *  Writes int8 `out` (c x h' x w'), or `out_wide` (int32) when p->wide.
 *  `wscratch` holds in_c*k*k int8 weights; `acc` holds h'*w' int32 accumulators. */
void conv2d_s8(const layer_params_t *p, const int8_t *in, int8_t *out, int32_t *out_wide,
               int8_t *wscratch, int32_t *acc);

/** Fully connected layer on in_c flattened (CHW order) int8 features.
 *  Writes int8 `out` or, when p->wide, int32 `out_wide`; `wscratch` holds in_c int8 weights. */
void fully_connected_s8(const layer_params_t *p, const int8_t *in, int8_t *out,
                        int32_t *out_wide, int8_t *wscratch);

/** 1-D convolution of CL `in` (in_c x in_h, in_w = 1), kernel 1..9, zero padding `pad`.
 *  Writes int8 `out` (out_c x L') or, when p->wide, int32 `out_wide`; `wscratch` holds
 *  in_c*kernel int8 weights. */
void conv1d_s8(const layer_params_t *p, const int8_t *in, int8_t *out, int32_t *out_wide,
               int8_t *wscratch);

/** Stride-2 zero insertion for a transposed convolution: CHW `in` (c x h x w) becomes
 *  c x (2h-1+before+after) x (2w-1+before+after) with `before`/`after` zero rows/columns. */
void upsample2x_s8(const int8_t *in, uint16_t c, uint16_t h, uint16_t w, uint8_t before,
                   uint8_t after, int8_t *out);

/** Element-wise KERNEL_ELT_* over `operands` consecutive blocks of `count` int8 values in `in`,
 *  left to right, saturated to int8 once at the end (as the accelerator does). */
void eltwise_s8(const int8_t *in, uint32_t count, uint8_t operands, uint8_t kind, int8_t *out);

#endif /* FERHIL_KERNELS_H */
