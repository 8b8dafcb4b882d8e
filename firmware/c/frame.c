/* frame.c: COBS byte stuffing, CRC-32 and the frame layer (see frame.h). */
#include "frame.h"

#include <string.h>

/* CRC-32 of each 4-bit value (reflected polynomial 0xEDB88320). */
static const uint32_t crc32_nibble_table[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t crc32_update(uint32_t crc, const uint8_t *buf, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0Fu];
        crc = (crc >> 4) ^ crc32_nibble_table[crc & 0x0Fu];
    }
    return ~crc;
}

size_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t code_index = 0;
    size_t o = 1;
    uint8_t code = 1;
    if (cap == 0) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (o >= cap) {
            return 0;
        }
        if (in[i] == 0) {
            out[code_index] = code;
            code_index = o++;
            code = 1;
        } else {
            out[o++] = in[i];
            code++;
            if (code == 0xFFu) {
                if (o >= cap) {
                    return 0;
                }
                out[code_index] = code;
                code_index = o++;
                code = 1;
            }
        }
    }
    out[code_index] = code;
    return o;
}

int32_t cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t i = 0;
    size_t o = 0;
    while (i < len) {
        uint8_t code = in[i++];
        if (code == 0) {
            return -1;
        }
        size_t n = (size_t)code - 1u;
        if (n > len - i || n > cap - o || memchr(in + i, 0, n) != NULL) {
            return -1;
        }
        memmove(out + o, in + i, n); /* o < i: safe in place */
        o += n;
        i += n;
        if (code != 0xFFu && i < len) {
            if (o >= cap) {
                return -1;
            }
            out[o++] = 0;
        }
    }
    return (int32_t)o;
}

int frame_parse(const uint8_t *raw, size_t len, frame_t *out)
{
    memset(out, 0, sizeof *out);
    if (len < FERHIL_FRAME_OVERHEAD) {
        return FERHIL_ERR_BAD_LENGTH; /* no header: nothing in *out is known */
    }
    out->type = raw[FERHIL_HDR_OFF_TYPE];
    out->flags = raw[FERHIL_HDR_OFF_FLAGS];
    out->seq = frame_get_u16(raw + FERHIL_HDR_OFF_SEQ);
    out->len = frame_get_u16(raw + FERHIL_HDR_OFF_LEN);
    out->payload = raw + FERHIL_HEADER_SIZE;
    size_t body = len - FERHIL_CRC_SIZE;
    if (crc32_update(0, raw, body) != frame_get_u32(raw + body)) {
        return FERHIL_ERR_BAD_CRC;
    }
    out->header_valid = 1; /* the CRC covers the header: type, seq and len are the sender's */
    if (len > FERHIL_MAX_RAW_FRAME || (size_t)out->len != len - FERHIL_FRAME_OVERHEAD) {
        return FERHIL_ERR_BAD_LENGTH;
    }
    return FRAME_OK;
}

size_t frame_build(uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *payload, uint16_t len,
                   uint8_t *raw, size_t cap)
{
    size_t total = (size_t)len + FERHIL_FRAME_OVERHEAD;
    if (len > FERHIL_MAX_PAYLOAD || total > cap) {
        return 0;
    }
    if (len > 0 && payload != raw + FERHIL_HEADER_SIZE) {
        memmove(raw + FERHIL_HEADER_SIZE, payload, len);
    }
    raw[FERHIL_HDR_OFF_TYPE] = type;
    raw[FERHIL_HDR_OFF_FLAGS] = flags;
    frame_put_u16(raw + FERHIL_HDR_OFF_SEQ, seq);
    frame_put_u16(raw + FERHIL_HDR_OFF_LEN, len);
    frame_put_u32(raw + FERHIL_HEADER_SIZE + len, crc32_update(0, raw, FERHIL_HEADER_SIZE + len));
    return total;
}

size_t frame_encode(uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *payload, uint16_t len,
                    uint8_t *scratch, size_t scratch_cap, uint8_t *wire, size_t wire_cap)
{
    size_t raw_len = frame_build(type, flags, seq, payload, len, scratch, scratch_cap);
    if (raw_len == 0 || wire_cap == 0) {
        return 0;
    }
    size_t n = cobs_encode(scratch, raw_len, wire, wire_cap - 1u);
    if (n == 0) {
        return 0;
    }
    wire[n] = FERHIL_FRAME_DELIMITER;
    return n + 1u;
}

void frame_rx_init(frame_rx_t *rx, uint8_t *buf, size_t cap)
{
    rx->buf = buf;
    rx->cap = cap;
    frame_rx_reset(rx);
}

void frame_rx_reset(frame_rx_t *rx)
{
    rx->len = 0;
    rx->overflow = 0;
}

frame_rx_event_t frame_rx_push(frame_rx_t *rx, uint8_t byte)
{
    if (byte == FERHIL_FRAME_DELIMITER) {
        if (rx->overflow) {
            frame_rx_reset(rx);
            return FRAME_RX_OVERSIZE;
        }
        return rx->len == 0 ? FRAME_RX_NONE : FRAME_RX_FRAME;
    }
    if (rx->overflow) {
        return FRAME_RX_NONE;
    }
    if (rx->len < rx->cap) {
        rx->buf[rx->len++] = byte;
    } else {
        rx->overflow = 1;
        rx->len = 0;
    }
    return FRAME_RX_NONE;
}

void frame_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void frame_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

void frame_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

uint16_t frame_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t frame_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
