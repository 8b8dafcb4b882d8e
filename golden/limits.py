"""MAX78000 CNN accelerator limits (device code 85), with their sources.

Citations refer to ``docs/max78000-arithmetic.md`` (the spec) and to ADI's
``analogdevicesinc/ai8x-synthesis`` ("izer") and ``ai8x-training`` repositories.
"""

from __future__ import annotations

#: Layers per network; in-flight pooling does not count (spec §1.1; izer/tornadocnn.py MAX_LAYERS).
MAX_LAYERS = 32
#: Processors: 4 quadrants x 16; 4 processors share one data-memory instance (spec §1.1).
NUM_PROCESSORS = 64
PROCESSORS_PER_QUADRANT = 16
PROCESSORS_PER_DATA_MEMORY = 4
#: Input/output channels per layer; > 64 channels run in several passes (spec §1.1, README:1061).
MAX_CHANNELS = 1024
#: Kernel memory: 64 instances x 768 words x 72 bits (spec §1.1; izer tornadocnn MASK_WIDTH=768).
KERNEL_WORDS_PER_PROCESSOR = 768
KERNEL_WORD_BITS = 72
#: izer's "Weight memory: ... out of 442,368 bytes total" (izer/stats.py: 64 x 768 x 9).
WEIGHT_MEMORY_BYTES = NUM_PROCESSORS * KERNEL_WORDS_PER_PROCESSOR * KERNEL_WORD_BITS // 8
#: Bias memory: 4 quadrants x 512 x 8 bit; izer's "... out of 2,048 bytes total" (spec §1.1).
BIAS_WORDS_PER_QUADRANT = 512
BIAS_MEMORY_BYTES = 4 * BIAS_WORDS_PER_QUADRANT
#: A layer may use bias only with at most this many output channels (spec §1.1, README:1065).
MAX_BIAS_CHANNELS = 512
#: Conv2d: square 1x1 or 3x3 kernels, stride 1, zero padding 0..2 (spec §1.2; izer/izer.py:531).
CONV_KERNEL_SIZES = (1, 3)
MAX_PAD = 2
#: Pooling: kernel 1..16 per side, the same stride 1..16 in both dimensions (spec §1.2).
MAX_POOL_KERNEL = 16
MAX_POOL_STRIDE = 16
#: Linear: in_features and out_features <= 1024 (ai8x.py:1313-1314, spec §1.2).
MAX_LINEAR_FEATURES = 1024
#: Flatten (C x H x W -> features) needs C*H*W <= 16,384 and H*W <= 256, and no pooling in the
#: same layer (spec §1.2; README:1093; izer/izer.py:549).
MAX_FLATTEN_FEATURES = 16384
MAX_FLATTEN_PIXELS = 256
#: Total shift S = output_shift + 8 - weight_bits must lie in [-15, 15] (spec §2.3;
#: izer/backend/max7800x.py:433-441).
MIN_TOTAL_SHIFT = -15
MAX_TOTAL_SHIFT = 15
#: Data memory: 16 instances x 32 KiB (spec §1.1, docs/AHBAddresses.md).
DATA_MEMORY_INSTANCE_BYTES = 32 * 1024
DATA_MEMORY_BYTES = 16 * DATA_MEMORY_INSTANCE_BYTES
#: CHW first-layer input: one channel per instance, so H*W <= 32,768 and C <= 16 (spec §1.1).
CHW_MAX_PIXELS = DATA_MEMORY_INSTANCE_BYTES
CHW_MAX_CHANNELS = 16
#: HWC data packs 4 channels per 32-bit word of an instance: H*W*passes <= 8,192 (spec §1.1).
HWC_MAX_PIXELS = DATA_MEMORY_INSTANCE_BYTES // PROCESSORS_PER_DATA_MEMORY
#: Rows and columns per dimension (izer MAX_ROW_COL = 1024, i.e. at most 1023; spec §1.1).
MAX_ROW_COL = 1023
#: CNN clock in ADI's generated code: PCLK 50 MHz / 1 (spec §3.5, §6).
CNN_CLOCK_HZ = 50_000_000
