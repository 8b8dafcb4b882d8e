/* cnn_adi_backend.c - compiles ADI's ai8xize-generated cnn.c (../adi) for the accelerator
 * backend (FERHIL_ADI_BACKEND=1); empty otherwise. ADI's cnn_unload() is renamed
 * adi_cnn_unload() so cnn_adi_adapter.c can present the ferhil output contract. ADI's cnn.c
 * includes its own cnn.h and weights.h from ../adi (the including file's folder comes first). */
#ifdef FERHIL_ADI_BACKEND
#define cnn_unload adi_cnn_unload
#include "../adi/cnn.c"
#else
typedef int cnn_adi_backend_unused; /* ISO C forbids an empty translation unit */
#endif
