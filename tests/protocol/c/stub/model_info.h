/* model_info.h (TEST STUB): identity of the stub model used by the protocol tests. */
#ifndef FERHIL_STUB_MODEL_INFO_H
#define FERHIL_STUB_MODEL_INFO_H

#define MODEL_HASH_HEX "5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb5"
#define MODEL_ID 0x5eb5eb5eb5eb5eb5ull
#define MODEL_NAME "stub-checksum"
#define MODEL_VERSION "0.0-test"
#ifndef CNN_INPUT_C /* -DCNN_INPUT_C=4 -DCNN_INPUT_H=64 -DCNN_INPUT_W=64: a 16 KiB input */
#define CNN_INPUT_C 1
#define CNN_INPUT_H 48
#define CNN_INPUT_W 48
#endif
#define CNN_NUM_OUTPUTS 7
#define CNN_OUTPUT_WIDE 1
#define CNN_MODEL_CYCLES 123456u
#define CNN_MODEL_MACS 654321u

#endif
