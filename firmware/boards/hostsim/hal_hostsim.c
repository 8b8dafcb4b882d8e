/* hal_hostsim.c: the hostsim board, a SIMULATED MAX78000 that runs the agent on the host.
 *
 * The agent talks over a pseudo-terminal: the slave path is the first line on stdout. Cycle
 * counts come from a deterministic cost model (clock kind 1 = simulated): the virtual counter
 * advances only through hal_sim_advance() (the CNN's CNN_MODEL_CYCLES per inference and
 * FERHIL_SIM_COMMAND_CYCLES per received frame). Options: see usage() and BUILD.md.
 *
 * RX path: a reader thread moves bytes from the pty master into a ring. Without --rx-buffer the
 * ring is lossless (the reader blocks, and the host's writes block in turn); with --rx-buffer N
 * it holds N bytes and drops what does not fit, like the MAX78000FTHR's 4 KiB USB bridge.
 * With --baud B every byte is delivered no earlier than its wire time (10 bits per byte), in
 * both directions. hostsim keeps the slave open itself, so the host may close and reopen the
 * pty; it runs until SIGTERM/SIGINT (or until the pty fails) and then prints how many bytes the
 * emulated link dropped on stderr. Fault injection: --die-after N exits (code 3) and
 * --hang-after N stops answering for good when frame N+1 reaches the agent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "hal.h"
#include "protocol_defs.h"

#define HOSTSIM_MAX_RING (256u * 1024u)
#define HOSTSIM_LOSSLESS_RING (64u * 1024u)
#define HOSTSIM_TX_BUFFER 8192u
#define HOSTSIM_WRITE_STALL_MS 1000
#define HOSTSIM_TRIGGER_PIN 0

static struct {
    int mfd, sfd;
    uint32_t baud, clock_hz, rx_buffer;
    int realtime;
    FILE *gpio_log;
    uint64_t vcycles;
    int trigger_level;
    uint8_t ring[HOSTSIM_MAX_RING];
    int64_t due_ns[HOSTSIM_MAX_RING]; /* wire delivery time of each ring byte */
    size_t head, count, cap;
    int64_t rx_wire_ns, tx_wire_ns;
    uint64_t dropped_rx, dropped_tx;
    int closed;
    pthread_mutex_t lock;
    pthread_cond_t data, space;
    uint8_t tx[HOSTSIM_TX_BUFFER];
    size_t tx_len;
    uint64_t frames_seen; /* non-empty frames delivered to the agent */
    uint64_t die_after;   /* --die-after N: exit when frame N+1 arrives (0 = never) */
    uint64_t hang_after;  /* --hang-after N: stop answering from frame N+1 (0 = never) */
    int prev_nonzero;
} sim; /* zero-initialised (.bss); main() sets the defaults */

#define HOSTSIM_DEFAULT_CLOCK_HZ 50000000u

static sigjmp_buf reset_jump;

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_until_ns(int64_t when)
{
    struct timespec t = {.tv_sec = when / 1000000000, .tv_nsec = when % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
    }
}

static int64_t byte_time_ns(void)
{
    return sim.baud ? 10000000000LL / sim.baud : 0;
}

static void *reader_thread(void *arg)
{
    (void)arg;
    uint8_t chunk[4096];
    for (;;) {
        ssize_t n = read(sim.mfd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        pthread_mutex_lock(&sim.lock);
        if (n <= 0) {
            sim.closed = 1;
            pthread_cond_broadcast(&sim.data);
            pthread_mutex_unlock(&sim.lock);
            return NULL;
        }
        int64_t arrival = now_ns();
        for (ssize_t i = 0; i < n; i++) {
            while (sim.count == sim.cap && sim.rx_buffer == 0) {
                pthread_cond_wait(&sim.space, &sim.lock); /* lossless: back-pressure */
            }
            if (sim.count == sim.cap) {
                sim.dropped_rx++; /* lossy: the bridge buffer is full */
                continue;
            }
            int64_t due = sim.rx_wire_ns > arrival ? sim.rx_wire_ns : arrival;
            due += byte_time_ns();
            sim.rx_wire_ns = due;
            size_t slot = (sim.head + sim.count) % sim.cap;
            sim.ring[slot] = chunk[i];
            sim.due_ns[slot] = due;
            sim.count++;
        }
        pthread_cond_broadcast(&sim.data);
        pthread_mutex_unlock(&sim.lock);
    }
}

static void write_master(const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        struct pollfd p = {.fd = sim.mfd, .events = POLLOUT};
        int r = poll(&p, 1, HOSTSIM_WRITE_STALL_MS);
        if (r == 0) {
            sim.dropped_tx += len - off; /* nobody reads: a UART without a listener */
            return;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        ssize_t n = write(sim.mfd, buf + off, len - off);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            sim.dropped_tx += len - off;
            return;
        }
        off += (size_t)n;
    }
}

void hal_uart_flush(void)
{
    int64_t bt = byte_time_ns();
    size_t step = bt ? (size_t)(sim.baud / 10000u) + 1u : sim.tx_len; /* ~1 ms of wire time */
    for (size_t off = 0; off < sim.tx_len; off += step) {
        size_t n = sim.tx_len - off < step ? sim.tx_len - off : step;
        if (bt) {
            int64_t start = now_ns();
            if (sim.tx_wire_ns > start) {
                start = sim.tx_wire_ns;
            }
            sim.tx_wire_ns = start + (int64_t)n * bt;
            sleep_until_ns(sim.tx_wire_ns);
        }
        write_master(sim.tx + off, n);
    }
    sim.tx_len = 0;
}

void hal_uart_write(const uint8_t *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (sim.tx_len == sizeof sim.tx) {
            hal_uart_flush();
        }
        sim.tx[sim.tx_len++] = buf[i];
    }
}

int hal_uart_getc(void)
{
    pthread_mutex_lock(&sim.lock);
    while (sim.count == 0 && !sim.closed) {
        if (sim.tx_len) {
            pthread_mutex_unlock(&sim.lock);
            hal_uart_flush();
            pthread_mutex_lock(&sim.lock);
            continue;
        }
        pthread_cond_wait(&sim.data, &sim.lock);
    }
    if (sim.count == 0) {
        pthread_mutex_unlock(&sim.lock);
        return -1;
    }
    uint8_t byte = sim.ring[sim.head];
    int64_t due = sim.due_ns[sim.head];
    sim.head = (sim.head + 1u) % sim.cap;
    sim.count--;
    pthread_cond_signal(&sim.space);
    pthread_mutex_unlock(&sim.lock);
    if (sim.baud && due > now_ns() + 500000) {
        sleep_until_ns(due); /* the byte is still on the wire */
    }
    if (byte == 0 && sim.prev_nonzero) {
        sim.frames_seen++;
        if (sim.die_after && sim.frames_seen > sim.die_after) {
            fprintf(stderr, "hostsim: --die-after %llu: dying (fault injection)\n",
                    (unsigned long long)sim.die_after);
            _exit(3);
        }
        if (sim.hang_after && sim.frames_seen > sim.hang_after) {
            fprintf(stderr, "hostsim: --hang-after %llu: hanging (fault injection)\n",
                    (unsigned long long)sim.hang_after);
            for (;;) {
                pause(); /* alive, never answers again; the RX ring fills and writes block */
            }
        }
    }
    sim.prev_nonzero = byte != 0;
    return byte;
}

uint32_t hal_uart_rx_capacity(void)
{
    return sim.rx_buffer ? sim.rx_buffer : FERHIL_RX_BUFFER_FLOW_CONTROLLED;
}

uint32_t hal_cycles(void)
{
    return (uint32_t)sim.vcycles;
}
uint32_t hal_core_clock_hz(void)
{
    return sim.clock_hz;
}
uint8_t hal_clock_kind(void)
{
    return FERHIL_CLOCK_SIMULATED;
}
const char *hal_board_name(void)
{
    return "hostsim";
}

void hal_sim_advance(uint32_t cycles)
{
    sim.vcycles += cycles;
    if (sim.realtime) {
        sleep_until_ns(now_ns() + (int64_t)((double)cycles * 1e9 / (double)sim.clock_hz));
    }
}

void hal_trigger(int level)
{
    level = level ? 1 : 0;
    if (level == sim.trigger_level) {
        return;
    }
    sim.trigger_level = level;
    if (sim.gpio_log) {
        fprintf(sim.gpio_log, "%lld %llu %d %d\n", (long long)now_ns(),
                (unsigned long long)sim.vcycles, HOSTSIM_TRIGGER_PIN, level);
        fflush(sim.gpio_log);
    }
}

void hal_reset(void)
{
    hal_uart_flush();
    hal_trigger(0);
    sim.vcycles = 0;
    siglongjmp(reset_jump, 1);
}

void hal_init(void)
{
    sim.vcycles = 0;
    sim.trigger_level = 0;
}

/* Append the decimal digits of v to buf at *pos (async-signal-safe). */
static void append_u64(char *buf, size_t *pos, uint64_t v)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v);
    while (n) {
        buf[(*pos)++] = digits[--n];
    }
}

static void append_text(char *buf, size_t *pos, const char *text)
{
    while (*text) {
        buf[(*pos)++] = *text++;
    }
}

/* SIGTERM/SIGINT: report what the emulated link dropped, then exit. */
static void on_terminate(int signo)
{
    char line[160];
    size_t n = 0;
    append_text(line, &n, "hostsim: terminated, rx dropped ");
    append_u64(line, &n, sim.dropped_rx);
    append_text(line, &n, " bytes, tx dropped ");
    append_u64(line, &n, sim.dropped_tx);
    append_text(line, &n, " bytes\n");
    ssize_t ignored = write(STDERR_FILENO, line, n);
    (void)ignored;
    _exit(signo == SIGTERM ? 0 : 130);
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--pty] [--baud N] [--gpio-log PATH] [--clock-hz F] [--rx-buffer N]"
            " [--realtime] [--die-after N] [--hang-after N]\n"
            "SIMULATED MAX78000 board: prints the pty slave path on the first stdout line.\n",
            prog);
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--pty") == 0) {
            continue;
        } else if (strcmp(a, "--realtime") == 0) {
            sim.realtime = 1;
            continue;
        } else if (v == NULL) {
            return -1;
        } else if (strcmp(a, "--baud") == 0) {
            unsigned long b = strtoul(v, &end, 10);
            if (*end || b == 0 || b > 100000000ul) {
                return -1;
            }
            sim.baud = (uint32_t)b;
        } else if (strcmp(a, "--clock-hz") == 0) {
            double f = strtod(v, &end);
            if (*end || f < 1.0 || f > 4.0e9) {
                return -1;
            }
            sim.clock_hz = (uint32_t)f;
        } else if (strcmp(a, "--rx-buffer") == 0) {
            unsigned long n = strtoul(v, &end, 10);
            if (*end || n == 0 || n > HOSTSIM_MAX_RING) {
                return -1;
            }
            sim.rx_buffer = (uint32_t)n;
        } else if (strcmp(a, "--die-after") == 0 || strcmp(a, "--hang-after") == 0) {
            unsigned long long n = strtoull(v, &end, 10);
            if (*end || *v == '-' || n == 0) {
                return -1;
            }
            if (a[2] == 'd') {
                sim.die_after = n;
            } else {
                sim.hang_after = n;
            }
        } else if (strcmp(a, "--gpio-log") == 0) {
            sim.gpio_log = fopen(v, "w");
            if (sim.gpio_log == NULL) {
                perror(v);
                return -1;
            }
        } else {
            return -1;
        }
        i++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    sim.clock_hz = HOSTSIM_DEFAULT_CLOCK_HZ;
    if (parse_args(argc, argv) != 0) {
        usage(argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_terminate);
    signal(SIGINT, on_terminate);
    sim.cap = sim.rx_buffer ? sim.rx_buffer : HOSTSIM_LOSSLESS_RING;
    pthread_mutex_init(&sim.lock, NULL);
    pthread_cond_init(&sim.data, NULL);
    pthread_cond_init(&sim.space, NULL);
    if (openpty(&sim.mfd, &sim.sfd, NULL, NULL, NULL) < 0) {
        perror("openpty");
        return 1;
    }
    struct termios tio;
    tcgetattr(sim.sfd, &tio);
    cfmakeraw(&tio); /* raw before the host connects: no echo, no CR/LF mapping */
    tcsetattr(sim.sfd, TCSANOW, &tio);
    printf("%s\n", ttyname(sim.sfd));
    fflush(stdout);
    fprintf(stderr,
            "hostsim: SIMULATED board, clock %u Hz (simulated cycles), baud %s%u, rx buffer %s\n",
            sim.clock_hz, sim.baud ? "" : "unthrottled/", sim.baud,
            sim.rx_buffer ? "lossy" : "lossless");
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_thread, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    sigsetjmp(reset_jump, 0); /* hal_reset() returns here: the agent restarts, pty stays open */
    hal_init();
    agent_main();
    hal_uart_flush();
    fprintf(stderr, "hostsim: link closed (rx dropped %llu, tx dropped %llu)\n",
            (unsigned long long)sim.dropped_rx, (unsigned long long)sim.dropped_tx);
    return 0;
}
