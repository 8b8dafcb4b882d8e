/*
 * ferhil_status.h - status codes returned by the ferhil firmware kernels (CMSIS-NN style:
 * zero is success, negative values are errors). Independent of the wire protocol's reply
 * statuses (FERHIL_STATUS_* in protocol_defs.h): the generated cnn.c turns a kernel error into
 * CNN_FAIL, which the agent reports as FERHIL_STATUS_CNN_START_FAILED.
 */
#ifndef FERHIL_STATUS_H
#define FERHIL_STATUS_H

/** Result of a ferhil kernel call. */
typedef enum {
    FERHIL_OK = 0,            /* success */
    FERHIL_ARG_ERROR = -1,    /* NULL buffer or an argument out of the supported range */
    FERHIL_NO_IMPL_ERROR = -2 /* a combination the kernels do not implement */
} ferhil_status;

#endif /* FERHIL_STATUS_H */
