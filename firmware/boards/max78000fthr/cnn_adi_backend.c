/* cnn_adi_backend.c - compiles ADI's ai8xize-generated cnn.c (../adi) for the accelerator
 * backend (FERHIL_ADI_BACKEND=1); empty otherwise. ADI's cnn_unload() is renamed
 * adi_cnn_unload() so cnn_adi_adapter.c can present the ferhil output contract. ADI's cnn.c
 * includes its own cnn.h and weights.h from ../adi (the including file's folder comes first).
 *
 * ADI's cnn.h defines CNN_START/CNN_COMPLETE (and SYS_START/SYS_COMPLETE) as LED_On/LED_Off:
 * the demo lights LED1 around every inference. On ferhil's test agent the LED current would be
 * measured as inference energy (and LED1 is the power-meter trigger pin), so its cnn.h is read
 * first and the four macros are replaced with nothing before its cnn.c is compiled. */
#ifdef FERHIL_ADI_BACKEND
#include "mxc.h" /* ADI's cnn.h expects the MSDK types first, as in its cnn.c */
#include "../adi/cnn.h"
#undef CNN_START
#undef CNN_COMPLETE
#undef SYS_START
#undef SYS_COMPLETE
#define CNN_START ((void)0)
#define CNN_COMPLETE ((void)0)
#define SYS_START ((void)0)
#define SYS_COMPLETE ((void)0)
#define cnn_unload adi_cnn_unload
#include "../adi/cnn.c"
#else
typedef int cnn_adi_backend_unused; /* ISO C forbids an empty translation unit */
#endif
