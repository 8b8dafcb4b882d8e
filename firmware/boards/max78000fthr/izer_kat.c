/* izer_kat.c - izer's known-answer test, taken from its generated demo main.c (../adi/main.c)
 * for the accelerator backend (FERHIL_ADI_BACKEND=1); empty otherwise.
 *
 * ADI's generated application defines `volatile uint32_t cnn_time;` (set by CNN_ISR from the
 * --timer 0 hardware timer, in microseconds), load_input() (izer's sample input written into CNN
 * data memory in izer's layout) and check_output() (izer's expected output compared with CNN
 * data memory). This file compiles that main.c with its main() and fail() renamed (the linker
 * drops them) and printf silenced (UART0 carries the ferhil protocol), so cnn_time, the data
 * layout and the expected values all stay izer's own. cnn_adi_adapter.c runs the test. */
#ifdef FERHIL_ADI_BACKEND
#include <stdio.h>

#define cnn_unload adi_cnn_unload /* as in cnn_adi_backend.c */
#include "mxc.h"                  /* ADI's cnn.h expects the MSDK types first, as in its cnn.c */
#include "../adi/cnn.h"

#define printf(...) ((void)0)
#define main ferhil_izer_demo_main
#define fail ferhil_izer_demo_fail
#include "../adi/main.c"
#else
typedef int izer_kat_unused; /* ISO C forbids an empty translation unit */
#endif
