/* frame.h: ferhil frame layer: COBS byte stuffing, CRC-32 and frame encode/decode.
 *
 * Raw frame: type:u8 flags:u8 seq:u16 len:u16 payload[len] crc32:u32 (little-endian), COBS
 * encoded and terminated by 0x00 on the wire. CRC-32 is the zlib/IEEE CRC (reflected poly
 * 0xEDB88320, init and final XOR 0xFFFFFFFF) over header and payload. See firmware/PROTOCOL.md.
 */
#ifndef FERHIL_FRAME_H
#define FERHIL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "protocol_defs.h"

/* CRC-32 (zlib): crc32_update(0, buf, len) == zlib.crc32(buf). Chainable. */
uint32_t crc32_update(uint32_t crc, const uint8_t *buf, size_t len);

/* COBS-encode len bytes into out (no delimiter). Returns the encoded length, or 0 when cap
 * is too small. out must not overlap in. */
size_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* Decode len COBS bytes (no delimiter). out may equal in (in-place decoding is safe).
 * Returns the decoded length, or -1 when the input is not valid COBS or exceeds cap. */
int32_t cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

typedef struct {
    uint8_t type;
    uint8_t flags;
    uint16_t seq;
    uint16_t len;
    const uint8_t *payload; /* points into the buffer given to frame_parse() */
    uint8_t header_valid;   /* 1 when the header was parsed and its CRC matched */
} frame_t;

/* Result of frame_parse(): FRAME_OK or a FERHIL_ERR_* code. */
#define FRAME_OK 0

/* Parse a decoded (raw) frame of len bytes. On FERHIL_ERR_BAD_CRC the header fields in *out
 * are filled in but untrusted (header_valid 0). FERHIL_ERR_BAD_LENGTH with header_valid 1: the
 * CRC matched but the frame is longer than FERHIL_MAX_RAW_FRAME or disagrees with its len
 * field (seq is trustworthy); with header_valid 0: shorter than a header (*out all zero).
 * Returns FRAME_OK, FERHIL_ERR_BAD_LENGTH or FERHIL_ERR_BAD_CRC. */
int frame_parse(const uint8_t *raw, size_t len, frame_t *out);

/* Build the raw frame (header + payload + CRC) into raw; returns its length or 0 if cap or
 * FERHIL_MAX_PAYLOAD is exceeded. payload may point into raw + FERHIL_HEADER_SIZE. */
size_t frame_build(uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *payload, uint16_t len,
                   uint8_t *raw, size_t cap);

/* Build, COBS-encode and terminate a frame: writes the wire bytes (ending in 0x00) into wire.
 * scratch (>= FERHIL_MAX_RAW_FRAME bytes) holds the raw frame. Returns the wire length or 0. */
size_t frame_encode(uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *payload, uint16_t len,
                    uint8_t *scratch, size_t scratch_cap, uint8_t *wire, size_t wire_cap);

/* Streaming receiver: accumulates COBS bytes until a delimiter. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow; /* bytes were discarded since the last delimiter */
} frame_rx_t;

typedef enum {
    FRAME_RX_NONE = 0,     /* byte stored, no frame yet (or an empty frame was skipped) */
    FRAME_RX_FRAME = 1,    /* a complete encoded frame of rx->len bytes is in rx->buf */
    FRAME_RX_OVERSIZE = 2, /* a frame longer than cap ended; its bytes were dropped */
} frame_rx_event_t;

void frame_rx_init(frame_rx_t *rx, uint8_t *buf, size_t cap);
/* Feed one byte. After FRAME_RX_FRAME the caller consumes rx->buf[0..len) and then calls
 * frame_rx_reset(). */
frame_rx_event_t frame_rx_push(frame_rx_t *rx, uint8_t byte);
void frame_rx_reset(frame_rx_t *rx);

/* Little-endian helpers. */
void frame_put_u16(uint8_t *p, uint16_t v);
void frame_put_u32(uint8_t *p, uint32_t v);
void frame_put_u64(uint8_t *p, uint64_t v);
uint16_t frame_get_u16(const uint8_t *p);
uint32_t frame_get_u32(const uint8_t *p);

#endif /* FERHIL_FRAME_H */
