/* agent.c: the ferhil UART test agent. Reads COBS frames, answers HELLO, PING, INFER,
 * INFER_PART (inputs larger than one frame), BENCH and RESET, reports link errors with ERROR
 * frames and answers retried requests from a small reply cache. INFER and BENCH with the
 * request flag TTA_HFLIP also run the mirrored input (test-time augmentation, golden/tta.py).
 * Static buffers only. See firmware/PROTOCOL.md. */
#include "agent.h"

#include <string.h>

#include "cnn.h"
#include "frame.h"
#include "hal.h"
#include "model_info.h"
#include "protocol_defs.h"

#ifndef FIRMWARE_BUILD_HASH
#define FIRMWARE_BUILD_HASH "unknown"
#endif
#ifndef FIRMWARE_BUILD_ID
#define FIRMWARE_BUILD_ID 0u
#endif

#define AGENT_INPUT_BYTES ((uint32_t)CNN_INPUT_C * (uint32_t)CNN_INPUT_H * (uint32_t)CNN_INPUT_W)
#define AGENT_INFER_REPLY_BYTES (FERHIL_INFER_REPLY_SIZE + 4u * (uint32_t)CNN_NUM_OUTPUTS)
#define AGENT_TTA_REPLY_BYTES (FERHIL_INFER_TTA_REPLY_SIZE + 8u * (uint32_t)CNN_NUM_OUTPUTS)

_Static_assert(AGENT_INFER_REPLY_BYTES <= FERHIL_MAX_PAYLOAD, "outputs must fit one frame");
_Static_assert(FERHIL_HELLO_REPLY_SIZE <= FERHIL_AGENT_REPLY_CACHE_PAYLOAD, "HELLO cacheable");

typedef struct {
    uint8_t valid;
    uint8_t request_type;
    uint16_t seq;
    uint32_t request_crc;
    uint16_t len;
    uint8_t payload[FERHIL_AGENT_REPLY_CACHE_PAYLOAD];
} reply_cache_entry_t;

static uint8_t rx_buf[FERHIL_RX_FRAME_CAPACITY];
static frame_rx_t rx;
static uint8_t tx_raw[FERHIL_MAX_RAW_FRAME];
static uint8_t tx_wire[FERHIL_MAX_WIRE_FRAME];
static int8_t input_buf[AGENT_INPUT_BYTES];
static uint32_t output_buf[CNN_NUM_OUTPUTS];
static uint32_t tta_buf[CNN_NUM_OUTPUTS]; /* mirrored pass, then the combined TTA outputs */
static int input_loaded;
static uint32_t staged_bytes; /* contiguous bytes staged by INFER_PART since the last INFER */
static uint8_t cnn_status;
static reply_cache_entry_t reply_cache[FERHIL_AGENT_REPLY_CACHE_ENTRIES];
static uint32_t reply_cache_next;

#define TX_PAYLOAD (tx_raw + FERHIL_HEADER_SIZE)

/* Weak default: boards that can buffer received bytes while busy override it. */
__attribute__((weak)) uint32_t hal_uart_rx_capacity(void)
{
    return FERHIL_RX_BUFFER_NONE;
}

/* Weak default: the cycles of one cnn_start..cnn_wait window are what hal_cycles() measured.
 * A backend with its own hardware timer (the MAX78000 accelerator: izer's cnn_time, which runs
 * while the core sleeps) overrides it and reports that timer in core-clock cycles. */
__attribute__((weak)) uint32_t hal_inference_cycles(uint32_t measured)
{
    return measured;
}

_Static_assert(CNN_SELFTEST_PASS == FERHIL_SELFTEST_PASS, "selftest codes");
_Static_assert(CNN_SELFTEST_FAIL == FERHIL_SELFTEST_FAIL, "selftest codes");
_Static_assert(CNN_SELFTEST_ERROR == FERHIL_SELFTEST_ERROR, "selftest codes");

static void send_frame(uint8_t type, uint16_t seq, uint16_t len)
{
    size_t n =
        frame_encode(type, 0, seq, TX_PAYLOAD, len, tx_raw, sizeof tx_raw, tx_wire, sizeof tx_wire);
    if (n > 0) {
        hal_uart_write(tx_wire, (uint32_t)n);
    }
}

static void send_error(uint8_t code, uint8_t err_flags, uint8_t request_type, uint16_t seq,
                       uint32_t detail)
{
    uint8_t *p = TX_PAYLOAD;
    memset(p, 0, FERHIL_ERROR_REPLY_SIZE);
    p[FERHIL_ERROR_REPLY_OFF_CODE] = code;
    p[FERHIL_ERROR_REPLY_OFF_ERR_FLAGS] = err_flags;
    p[FERHIL_ERROR_REPLY_OFF_REQUEST_TYPE] = request_type;
    frame_put_u32(p + FERHIL_ERROR_REPLY_OFF_DETAIL, detail);
    send_frame(FERHIL_MSG_ERROR | FERHIL_REPLY_BIT, seq, FERHIL_ERROR_REPLY_SIZE);
}

/* Send the reply whose payload is in TX_PAYLOAD and remember it for retries. */
static void send_reply(const frame_t *req, uint32_t req_crc, uint16_t len)
{
    if (len <= FERHIL_AGENT_REPLY_CACHE_PAYLOAD && req->type != FERHIL_MSG_RESET) {
        reply_cache_entry_t *e = &reply_cache[reply_cache_next];
        reply_cache_next = (reply_cache_next + 1u) % FERHIL_AGENT_REPLY_CACHE_ENTRIES;
        e->valid = 1;
        e->request_type = req->type;
        e->seq = req->seq;
        e->request_crc = req_crc;
        e->len = len;
        memcpy(e->payload, TX_PAYLOAD, len);
    }
    send_frame((uint8_t)(req->type | FERHIL_REPLY_BIT), req->seq, len);
}

static int resend_cached(const frame_t *req, uint32_t req_crc)
{
    for (uint32_t i = 0; i < FERHIL_AGENT_REPLY_CACHE_ENTRIES; i++) {
        const reply_cache_entry_t *e = &reply_cache[i];
        if (e->valid && e->request_type == req->type && e->seq == req->seq &&
            e->request_crc == req_crc) {
            memcpy(TX_PAYLOAD, e->payload, e->len);
            send_frame((uint8_t)(req->type | FERHIL_REPLY_BIT), req->seq, e->len);
            return 1;
        }
    }
    return 0;
}

static void put_text(uint8_t *dst, uint32_t field_len, const char *text)
{
    memset(dst, 0, field_len);
    size_t n = strlen(text);
    memcpy(dst, text, n < field_len ? n : field_len);
}

static uint16_t build_hello(void)
{
    uint8_t *p = TX_PAYLOAD;
    memset(p, 0, FERHIL_HELLO_REPLY_SIZE);
    frame_put_u16(p + FERHIL_HELLO_REPLY_OFF_PROTOCOL_VERSION, FERHIL_PROTOCOL_VERSION);
    p[FERHIL_HELLO_REPLY_OFF_CLOCK_KIND] = hal_clock_kind();
    p[FERHIL_HELLO_REPLY_OFF_INPUT_FORMAT] = FERHIL_INPUT_FORMAT_INT8_CHW;
    frame_put_u32(p + FERHIL_HELLO_REPLY_OFF_MAX_WIRE_FRAME, FERHIL_MAX_WIRE_FRAME);
    frame_put_u32(p + FERHIL_HELLO_REPLY_OFF_MAX_PAYLOAD, FERHIL_MAX_PAYLOAD);
    frame_put_u32(p + FERHIL_HELLO_REPLY_OFF_RX_BUFFER_BYTES, hal_uart_rx_capacity());
    frame_put_u32(p + FERHIL_HELLO_REPLY_OFF_CORE_CLOCK_HZ, hal_core_clock_hz());
    frame_put_u16(p + FERHIL_HELLO_REPLY_OFF_INPUT_C, (uint16_t)CNN_INPUT_C);
    frame_put_u16(p + FERHIL_HELLO_REPLY_OFF_INPUT_H, (uint16_t)CNN_INPUT_H);
    frame_put_u16(p + FERHIL_HELLO_REPLY_OFF_INPUT_W, (uint16_t)CNN_INPUT_W);
    frame_put_u16(p + FERHIL_HELLO_REPLY_OFF_NUM_OUTPUTS, (uint16_t)CNN_NUM_OUTPUTS);
    p[FERHIL_HELLO_REPLY_OFF_OUTPUT_TYPE] =
        CNN_OUTPUT_WIDE ? FERHIL_OUTPUT_TYPE_INT32 : FERHIL_OUTPUT_TYPE_INT8;
    frame_put_u64(p + FERHIL_HELLO_REPLY_OFF_MODEL_ID, (uint64_t)MODEL_ID);
    frame_put_u64(p + FERHIL_HELLO_REPLY_OFF_FIRMWARE_BUILD_ID, (uint64_t)FIRMWARE_BUILD_ID);
    frame_put_u64(p + FERHIL_HELLO_REPLY_OFF_MODEL_CYCLES, (uint64_t)CNN_MODEL_CYCLES);
    frame_put_u64(p + FERHIL_HELLO_REPLY_OFF_MODEL_MACS, (uint64_t)CNN_MODEL_MACS);
    put_text(p + FERHIL_HELLO_REPLY_OFF_FIRMWARE_HASH, FERHIL_HASH_HEX_LEN, FIRMWARE_BUILD_HASH);
    put_text(p + FERHIL_HELLO_REPLY_OFF_MODEL_HASH, FERHIL_HASH_HEX_LEN, MODEL_HASH_HEX);
    put_text(p + FERHIL_HELLO_REPLY_OFF_BOARD_NAME, FERHIL_NAME_FIELD_LEN, hal_board_name());
    put_text(p + FERHIL_HELLO_REPLY_OFF_MODEL_NAME, FERHIL_NAME_FIELD_LEN, MODEL_NAME);
    put_text(p + FERHIL_HELLO_REPLY_OFF_MODEL_VERSION, FERHIL_NAME_FIELD_LEN, MODEL_VERSION);
    return FERHIL_HELLO_REPLY_SIZE;
}

/* One inference on input_buf; *cycles = hal_cycles() around cnn_start..cnn_wait. */
static uint8_t run_inference(uint32_t *cycles)
{
    *cycles = 0;
    if (cnn_status != FERHIL_STATUS_OK) {
        return cnn_status;
    }
    if (cnn_load_input(input_buf, AGENT_INPUT_BYTES) != CNN_OK) {
        return FERHIL_STATUS_CNN_LOAD_INPUT_FAILED;
    }
    uint32_t t0 = hal_cycles();
    if (cnn_start() != CNN_OK) {
        return FERHIL_STATUS_CNN_START_FAILED;
    }
    if (cnn_wait() != CNN_OK) {
        return FERHIL_STATUS_CNN_WAIT_FAILED;
    }
    *cycles = hal_inference_cycles(hal_cycles() - t0);
    return FERHIL_STATUS_OK;
}

/* One inference of input_buf, its outputs unloaded into out. */
static uint8_t infer_unload(uint32_t *cycles, uint32_t *out)
{
    uint8_t status = run_inference(cycles);
    if (status == FERHIL_STATUS_OK && cnn_unload(out) != CNN_OK) {
        status = FERHIL_STATUS_CNN_UNLOAD_FAILED;
    }
    return status;
}

/* Reverse the W axis of input_buf in place, C and H unchanged (golden/tta.py hflip). */
static void flip_input_w(void)
{
    const uint32_t rows = (uint32_t)CNN_INPUT_C * (uint32_t)CNN_INPUT_H;
    for (uint32_t row = 0; row < rows; row++) {
        int8_t *r = input_buf + row * (uint32_t)CNN_INPUT_W;
        for (uint32_t i = 0, j = (uint32_t)CNN_INPUT_W - 1u; i < j; i++, j--) {
            int8_t t = r[i];
            r[i] = r[j];
            r[j] = t;
        }
    }
}

/* The signed value of an output word (int32 two's complement, or a sign-extended int8). */
static int64_t word_value(uint32_t word)
{
    return word >= 0x80000000u ? (int64_t)word - (int64_t)0x100000000 : (int64_t)word;
}

/* floor((a + b) / 2) of two output words, exact in 64 bits (golden/tta.py combine). */
static uint32_t tta_combine(uint32_t a, uint32_t b)
{
    int64_t sum = word_value(a) + word_value(b);
    int64_t mean = (sum - (sum & 1)) / 2; /* sum - (sum & 1) is even: the division is exact */
    return (uint32_t)mean;
}

/* One TTA inference: input_buf's single pass (outputs in output_buf), then its mirror (flipped
 * in place and back, so BENCH re-runs the original); tta_buf gets the combined outputs.
 * *cycles: the single pass; *tta_cycles: both passes (each counted like INFER's cycles). */
static uint8_t run_tta(uint32_t *cycles, uint32_t *tta_cycles)
{
    uint32_t mirrored = 0;
    *tta_cycles = 0;
    uint8_t status = infer_unload(cycles, output_buf);
    if (status != FERHIL_STATUS_OK) {
        return status;
    }
    flip_input_w();
    status = infer_unload(&mirrored, tta_buf);
    flip_input_w();
    if (status != FERHIL_STATUS_OK) {
        return status;
    }
    for (uint32_t i = 0; i < (uint32_t)CNN_NUM_OUTPUTS; i++) {
        tta_buf[i] = tta_combine(output_buf[i], tta_buf[i]);
    }
    *tta_cycles = *cycles + mirrored;
    return FERHIL_STATUS_OK;
}

/* SELFTEST: the image's known-answer test (cnn_selftest) and its accelerator cycles. */
static void handle_selftest(const frame_t *req, uint32_t req_crc)
{
    uint32_t detail = 0, cycles = 0;
    uint8_t result = FERHIL_SELFTEST_ERROR;
    if (cnn_status != FERHIL_STATUS_OK) {
        detail = cnn_status;
    } else {
        uint32_t t0 = hal_cycles();
        result = (uint8_t)cnn_selftest(&detail);
        cycles = hal_inference_cycles(hal_cycles() - t0);
    }
    uint8_t *p = TX_PAYLOAD;
    memset(p, 0, FERHIL_SELFTEST_REPLY_SIZE);
    p[FERHIL_SELFTEST_REPLY_OFF_RESULT] = result;
    p[FERHIL_SELFTEST_REPLY_OFF_STATUS] = cnn_status;
    frame_put_u32(p + FERHIL_SELFTEST_REPLY_OFF_CYCLES, cycles);
    frame_put_u32(p + FERHIL_SELFTEST_REPLY_OFF_DETAIL, detail);
    send_reply(req, req_crc, FERHIL_SELFTEST_REPLY_SIZE);
}

/* INFER_PART: write the part's bytes at its offset of input_buf (offset 0 starts an input). */
static void handle_infer_part(const frame_t *req, uint32_t req_crc)
{
    if (req->len <= FERHIL_INFER_PART_REQUEST_SIZE) {
        send_error(FERHIL_ERR_BAD_ARGUMENT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq,
                   FERHIL_INFER_PART_MAX_DATA);
        return;
    }
    uint32_t offset = frame_get_u32(req->payload + FERHIL_INFER_PART_REQUEST_OFF_OFFSET);
    uint32_t n = (uint32_t)req->len - FERHIL_INFER_PART_REQUEST_SIZE;
    uint32_t have = offset == 0u ? 0u : staged_bytes;
    if (offset > have || offset > AGENT_INPUT_BYTES || n > AGENT_INPUT_BYTES - offset) {
        /* a gap or past the end: detail is where the next part must start */
        send_error(FERHIL_ERR_BAD_ARGUMENT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq, have);
        return;
    }
    memcpy((uint8_t *)input_buf + offset, req->payload + FERHIL_INFER_PART_REQUEST_SIZE, n);
    staged_bytes = offset + n > have ? offset + n : have;
    uint8_t *p = TX_PAYLOAD;
    frame_put_u32(p + FERHIL_INFER_PART_REPLY_OFF_STAGED, staged_bytes);
    send_reply(req, req_crc, FERHIL_INFER_PART_REPLY_SIZE);
}

/* INFER with TTA_HFLIP on the input in input_buf: INFER_TTA_REPLY, single then TTA outputs. */
static void handle_infer_tta(const frame_t *req, uint32_t req_crc)
{
    if (AGENT_TTA_REPLY_BYTES > FERHIL_MAX_PAYLOAD) { /* both output vectors must fit a frame */
        send_error(FERHIL_ERR_BAD_ARGUMENT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq,
                   AGENT_TTA_REPLY_BYTES);
        return;
    }
    uint32_t cycles, tta_cycles;
    uint8_t status = run_tta(&cycles, &tta_cycles);
    uint16_t n_out = status == FERHIL_STATUS_OK ? (uint16_t)CNN_NUM_OUTPUTS : 0u;
    uint8_t *p = TX_PAYLOAD;
    memset(p, 0, FERHIL_INFER_TTA_REPLY_SIZE);
    p[FERHIL_INFER_TTA_REPLY_OFF_STATUS] = status;
    frame_put_u16(p + FERHIL_INFER_TTA_REPLY_OFF_NUM_OUTPUTS, n_out);
    frame_put_u32(p + FERHIL_INFER_TTA_REPLY_OFF_CYCLES, cycles);
    frame_put_u32(p + FERHIL_INFER_TTA_REPLY_OFF_TTA_CYCLES, tta_cycles);
    uint8_t *single = p + FERHIL_INFER_TTA_REPLY_SIZE;
    for (uint16_t i = 0; i < n_out; i++) {
        frame_put_u32(single + 4u * i, output_buf[i]);
        frame_put_u32(single + 4u * ((uint32_t)n_out + i), tta_buf[i]);
    }
    send_reply(req, req_crc, (uint16_t)(FERHIL_INFER_TTA_REPLY_SIZE + 8u * n_out));
}

/* INFER: the whole input in the payload, or none to run the input staged by INFER_PART. */
static void handle_infer(const frame_t *req, uint32_t req_crc)
{
    if (req->len == 0u) {
        if (staged_bytes != AGENT_INPUT_BYTES) {
            send_error(FERHIL_ERR_NO_INPUT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq,
                       staged_bytes);
            return;
        }
    } else if (req->len != AGENT_INPUT_BYTES) {
        send_error(FERHIL_ERR_BAD_INPUT_SIZE, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq,
                   AGENT_INPUT_BYTES);
        return;
    } else {
        memcpy(input_buf, req->payload, AGENT_INPUT_BYTES);
    }
    staged_bytes = 0u;
    input_loaded = 1;
    if (req->flags & FERHIL_REQUEST_FLAG_TTA_HFLIP) {
        handle_infer_tta(req, req_crc);
        return;
    }
    uint32_t cycles;
    uint8_t status = infer_unload(&cycles, output_buf);
    uint16_t n_out = status == FERHIL_STATUS_OK ? (uint16_t)CNN_NUM_OUTPUTS : 0u;
    uint8_t *p = TX_PAYLOAD;
    memset(p, 0, FERHIL_INFER_REPLY_SIZE);
    p[FERHIL_INFER_REPLY_OFF_STATUS] = status;
    frame_put_u16(p + FERHIL_INFER_REPLY_OFF_NUM_OUTPUTS, n_out);
    frame_put_u32(p + FERHIL_INFER_REPLY_OFF_CYCLES, cycles);
    for (uint16_t i = 0; i < n_out; i++) {
        frame_put_u32(p + FERHIL_INFER_REPLY_SIZE + 4u * i, output_buf[i]);
    }
    send_reply(req, req_crc, (uint16_t)(FERHIL_INFER_REPLY_SIZE + 4u * n_out));
}

static void handle_bench(const frame_t *req, uint32_t req_crc)
{
    if (req->len != FERHIL_BENCH_REQUEST_SIZE) {
        send_error(FERHIL_ERR_BAD_ARGUMENT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq,
                   FERHIL_BENCH_REQUEST_SIZE);
        return;
    }
    uint32_t n = frame_get_u32(req->payload + FERHIL_BENCH_REQUEST_OFF_ITERATIONS);
    if (n == 0 || n > FERHIL_BENCH_MAX_ITERATIONS) {
        send_error(FERHIL_ERR_BAD_ARGUMENT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq,
                   FERHIL_BENCH_MAX_ITERATIONS);
        return;
    }
    if (!input_loaded) {
        send_error(FERHIL_ERR_NO_INPUT, FERHIL_ERROR_FLAG_SEQ_VALID, req->type, req->seq, 0);
        return;
    }
    uint64_t total = 0, infer_sum = 0;
    uint32_t done = 0, lo = UINT32_MAX, hi = 0, cycles = 0, single = 0;
    uint8_t status = FERHIL_STATUS_OK;
    const int tta = (req->flags & FERHIL_REQUEST_FLAG_TTA_HFLIP) != 0;
    hal_trigger(1);
    uint32_t last = hal_cycles();
    while (done < n) {
        status = tta ? run_tta(&single, &cycles) : run_inference(&cycles);
        uint32_t now = hal_cycles();
        total += (uint32_t)(now - last);
        last = now;
        if (status != FERHIL_STATUS_OK) {
            break;
        }
        infer_sum += cycles;
        lo = cycles < lo ? cycles : lo;
        hi = cycles > hi ? cycles : hi;
        done++;
    }
    hal_trigger(0);
    uint8_t *p = TX_PAYLOAD;
    memset(p, 0, FERHIL_BENCH_REPLY_SIZE);
    p[FERHIL_BENCH_REPLY_OFF_STATUS] = status;
    frame_put_u32(p + FERHIL_BENCH_REPLY_OFF_ITERATIONS, done);
    frame_put_u64(p + FERHIL_BENCH_REPLY_OFF_TOTAL_CYCLES, total);
    frame_put_u64(p + FERHIL_BENCH_REPLY_OFF_INFER_CYCLES, infer_sum);
    frame_put_u32(p + FERHIL_BENCH_REPLY_OFF_MIN_CYCLES, done ? lo : 0u);
    frame_put_u32(p + FERHIL_BENCH_REPLY_OFF_MAX_CYCLES, hi);
    send_reply(req, req_crc, FERHIL_BENCH_REPLY_SIZE);
}

static void handle_frame(const uint8_t *raw, uint32_t len)
{
    if (len > 0 && (raw[FERHIL_HDR_OFF_TYPE] & FERHIL_REPLY_BIT)) {
        /* bit 7: a reply (our own output looped back, even corrupted): never answered, not
         * even with an ERROR, so a looped-back link cannot start a reply storm */
        return;
    }
    frame_t req;
    int rc = frame_parse(raw, len, &req);
    if (rc == FERHIL_ERR_BAD_CRC) {
        send_error(FERHIL_ERR_BAD_CRC, 0, req.type, req.seq, len);
        return;
    }
    if (rc == FERHIL_ERR_BAD_LENGTH) {
        /* SEQ_VALID only when the header was parsed and its CRC matched */
        uint8_t flags = req.header_valid ? FERHIL_ERROR_FLAG_SEQ_VALID : 0u;
        send_error(FERHIL_ERR_BAD_LENGTH, flags, req.type, req.seq, len);
        return;
    }
    uint32_t req_crc = frame_get_u32(raw + len - FERHIL_CRC_SIZE);
    if (resend_cached(&req, req_crc)) {
        return;
    }
    switch (req.type) {
    case FERHIL_MSG_HELLO:
        send_reply(&req, req_crc, build_hello());
        break;
    case FERHIL_MSG_PING:
        memcpy(TX_PAYLOAD, req.payload, req.len);
        send_reply(&req, req_crc, req.len);
        break;
    case FERHIL_MSG_INFER:
        handle_infer(&req, req_crc);
        break;
    case FERHIL_MSG_INFER_PART:
        handle_infer_part(&req, req_crc);
        break;
    case FERHIL_MSG_BENCH:
        handle_bench(&req, req_crc);
        break;
    case FERHIL_MSG_SELFTEST:
        handle_selftest(&req, req_crc);
        break;
    case FERHIL_MSG_RESET:
        send_reply(&req, req_crc, 0);
        hal_uart_flush();
        hal_reset();
        break;
    default:
        send_error(FERHIL_ERR_UNKNOWN_COMMAND, FERHIL_ERROR_FLAG_SEQ_VALID, req.type, req.seq,
                   req.type);
        break;
    }
}

void agent_init(void)
{
    frame_rx_init(&rx, rx_buf, sizeof rx_buf);
    memset(reply_cache, 0, sizeof reply_cache);
    reply_cache_next = 0;
    input_loaded = 0;
    staged_bytes = 0u;
    cnn_status = FERHIL_STATUS_OK;
    if (cnn_enable(HAL_CNN_CLOCK_SOURCE, HAL_CNN_CLOCK_DIVIDER) != CNN_OK || cnn_init() != CNN_OK ||
        cnn_load_weights() != CNN_OK || cnn_load_bias() != CNN_OK || cnn_configure() != CNN_OK) {
        cnn_status = FERHIL_STATUS_CNN_INIT_FAILED;
    }
}

void agent_feed(uint8_t byte)
{
    frame_rx_event_t ev = frame_rx_push(&rx, byte);
    if (ev == FRAME_RX_OVERSIZE) {
        send_error(FERHIL_ERR_OVERSIZE, 0, 0, 0, FERHIL_RX_FRAME_CAPACITY);
        hal_uart_flush();
        return;
    }
    if (ev != FRAME_RX_FRAME) {
        return;
    }
    hal_sim_advance(FERHIL_SIM_COMMAND_CYCLES);
    int32_t n = cobs_decode(rx.buf, rx.len, rx.buf, rx.cap);
    if (n < 0) {
        send_error(FERHIL_ERR_BAD_FRAMING, 0, 0, 0, (uint32_t)rx.len);
    } else {
        handle_frame(rx.buf, (uint32_t)n);
    }
    frame_rx_reset(&rx);
    hal_uart_flush();
}

void agent_main(void)
{
    agent_init();
    for (;;) {
        int c = hal_uart_getc();
        if (c < 0) {
            hal_uart_flush();
            return;
        }
        agent_feed((uint8_t)c);
    }
}
