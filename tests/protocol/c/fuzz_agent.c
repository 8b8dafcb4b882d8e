/* fuzz_agent.c (TEST): throws random and mutated frames at the agent in-process (through the
 * loopback HAL) and checks that it never crashes, that every byte it sends is a well-formed
 * reply frame, that every intact request gets exactly one answer, and that it still answers
 * PING at the end. Build with -fsanitize=address,undefined. Usage: fuzz_agent [N] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "loopback.h"
#include "protocol_defs.h"

#define INPUT_BYTES 2304u /* the stub model's 1x48x48 input */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint8_t raw[FERHIL_MAX_RAW_FRAME];
static uint8_t wire[FERHIL_MAX_WIRE_FRAME * 3];
static uint8_t payload[FERHIL_MAX_PAYLOAD];
static uint8_t out[1u << 20];

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

typedef struct {
    uint32_t frames;   /* reply frames seen */
    uint32_t answered; /* frames answering the intact request (reply or seq-valid error) */
    uint32_t errors;   /* ERROR frames */
    int ok_reply;      /* a non-error reply to the intact request arrived */
} scan_t;

/* Parse all output; every frame must be valid and a reply. Returns 0 when malformed. */
static int scan_output(uint8_t req_type, uint16_t seq, scan_t *s, uint8_t *ping_echo,
                       uint32_t *ping_len)
{
    memset(s, 0, sizeof *s);
    uint32_t n = loopback_take(out, sizeof out);
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (out[i] != 0) {
            continue;
        }
        uint32_t len = i - start;
        if (len == 0) {
            fprintf(stderr, "empty frame in agent output\n");
            return 0;
        }
        int32_t d = cobs_decode(out + start, len, out + start, len);
        frame_t f;
        if (d < 0 || frame_parse(out + start, (size_t)d, &f) != FRAME_OK) {
            fprintf(stderr, "malformed frame in agent output\n");
            return 0;
        }
        if (!(f.type & FERHIL_REPLY_BIT)) {
            fprintf(stderr, "agent sent a non-reply type 0x%02X\n", f.type);
            return 0;
        }
        s->frames++;
        int is_error = f.type == (FERHIL_MSG_ERROR | FERHIL_REPLY_BIT);
        s->errors += (uint32_t)is_error;
        if (f.seq == seq) {
            if (f.type == (req_type | FERHIL_REPLY_BIT)) {
                s->answered++;
                s->ok_reply = 1;
                if (ping_echo && f.len <= *ping_len) {
                    memcpy(ping_echo, f.payload, f.len);
                    *ping_len = f.len;
                }
            } else if (is_error && (f.payload[FERHIL_ERROR_REPLY_OFF_ERR_FLAGS] &
                                    FERHIL_ERROR_FLAG_SEQ_VALID)) {
                s->answered++;
            }
        }
        start = i + 1;
    }
    if (start != n) {
        fprintf(stderr, "agent output does not end with a delimiter\n");
        return 0;
    }
    return 1;
}

static uint16_t random_request(uint8_t *type)
{
    uint32_t kind = rnd() % 16;
    uint16_t len = 0;
    if (kind < 2) {
        *type = FERHIL_MSG_HELLO;
    } else if (kind < 5) {
        *type = FERHIL_MSG_PING;
        len = (uint16_t)(rnd() % 8 == 0 ? rnd() % (FERHIL_MAX_PAYLOAD + 1u) : rnd() % 300u);
    } else if (kind < 10) {
        *type = FERHIL_MSG_INFER;
        len = (uint16_t)(rnd() % 5 == 0 ? rnd() % (FERHIL_MAX_PAYLOAD + 1u) : INPUT_BYTES);
    } else if (kind < 13) {
        *type = FERHIL_MSG_BENCH;
        len = rnd() % 6 == 0 ? (uint16_t)(rnd() % 9u) : 4u;
    } else if (kind < 14) {
        *type = FERHIL_MSG_RESET;
    } else {
        *type = (uint8_t)rnd(); /* unknown, or a reply type the agent must ignore */
        len = (uint16_t)(rnd() % 64u);
    }
    for (uint16_t i = 0; i < len; i++) {
        payload[i] = (uint8_t)rnd();
    }
    if (*type == FERHIL_MSG_BENCH && len == 4u) {
        frame_put_u32(payload, rnd() % 4 == 0 ? rnd() : rnd() % 5u);
    }
    return len;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000u;
    if (argc > 2) {
        rng_state = strtoull(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ull + 1u;
    }
    uint32_t mutated = 0, intact = 0, replies = 0, errors = 0;
    loopback_start();
    for (uint32_t i = 0; i < n; i++) {
        uint8_t type = 0;
        uint16_t seq = (uint16_t)rnd();
        uint16_t len = random_request(&type);
        wire[0] = 0;
        size_t w = 1u + frame_encode(type, 0, seq, payload, len, raw, sizeof raw, wire + 1,
                                     FERHIL_MAX_WIRE_FRAME);
        uint32_t mutation = rnd() % 4u;
        if (mutation == 1) { /* bit flips anywhere */
            for (uint32_t k = 1 + rnd() % 3u; k > 0; k--) {
                wire[rnd() % w] ^= (uint8_t)(1u << (rnd() % 8u));
            }
        } else if (mutation == 2) { /* truncation */
            w = 1u + rnd() % (w - 1u);
        } else if (mutation == 3) { /* garbage first (may hold delimiters or be oversize) */
            uint32_t g = rnd() % 6000u;
            for (uint32_t k = 0; k < g; k++) {
                uint8_t b = (uint8_t)rnd();
                loopback_feed(&b, 1);
            }
        }
        int is_intact = mutation == 0 || mutation == 3;
        loopback_feed(wire, (uint32_t)w);
        mutated += (uint32_t)!is_intact;
        intact += (uint32_t)is_intact;
        scan_t s;
        if (!scan_output(type, seq, &s, NULL, NULL)) {
            fprintf(stderr, "iteration %u (type 0x%02X, mutation %u)\n", i, type, mutation);
            return 1;
        }
        replies += s.frames;
        errors += s.errors;
        int must_answer = is_intact && !(type & FERHIL_REPLY_BIT);
        if (must_answer && s.answered != 1) {
            fprintf(stderr, "iteration %u: intact request type 0x%02X seq %u got %u answers\n", i,
                    type, seq, s.answered);
            return 1;
        }
        if (is_intact && (type & FERHIL_REPLY_BIT) && s.answered != 0) {
            fprintf(stderr, "iteration %u: agent answered a reply frame\n", i);
            return 1;
        }
    }
    /* Still alive: PING must echo. */
    const char *alive = "still alive";
    size_t w = frame_encode(FERHIL_MSG_PING, 0, 4242, (const uint8_t *)alive,
                            (uint16_t)strlen(alive), raw, sizeof raw, wire, sizeof wire);
    uint8_t zero = 0;
    loopback_feed(&zero, 1);
    loopback_feed(wire, (uint32_t)w);
    scan_t s;
    uint8_t echo[64];
    uint32_t echo_len = sizeof echo;
    if (!scan_output(FERHIL_MSG_PING, 4242, &s, echo, &echo_len) || !s.ok_reply ||
        echo_len != strlen(alive) || memcmp(echo, alive, echo_len) != 0) {
        fprintf(stderr, "final PING not answered\n");
        return 1;
    }
    if (loopback_overflow() != 0) {
        fprintf(stderr, "loopback output overflowed\n");
        return 1;
    }
    printf("frames=%u intact=%u mutated=%u replies=%u errors=%u resets=%u cycles=%llu\n", n, intact,
           mutated, replies, errors, loopback_resets(), (unsigned long long)loopback_cycles());
    return 0;
}
