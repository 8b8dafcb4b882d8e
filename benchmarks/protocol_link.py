"""Agent-protocol link figures on hostsim (SIMULATED board, stub CNN, emulated wire speed).

Usage: ``.venv/bin/python benchmarks/protocol_link.py [--samples N]``

Builds hostsim with the protocol tests' stub CNN (the link is what is measured, not the model)
and prints: INFER round trip and streaming throughput over an unthrottled pty; the per-direction
byte rate at ``--baud 115200`` against the 11,520 B/s wire limit; streaming at 115200 with the
FTHR-like 4 KiB lossy buffer (client respecting it), without loss emulation (pipelined), and
deliberately overrunning it (retries).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import serial

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from firmware.host import protocol as p  # noqa: E402
from firmware.host.client import AgentClient  # noqa: E402
from firmware.host.codec import Frame, encode_frame  # noqa: E402
from firmware.host.messages import InferResult  # noqa: E402

STUB = REPO / "tests" / "protocol" / "c" / "stub"
BOARD = REPO / "firmware" / "boards" / "hostsim"


def build(out: Path) -> Path:
    spec = json.loads((BOARD / "board.json").read_text())
    sources = [REPO / "firmware/c/agent.c", REPO / "firmware/c/frame.c"]
    sources += [BOARD / s for s in spec["sources"]] + [STUB / "stub_cnn.c"]
    argv = ["gcc", *spec["cflags"], f"-I{REPO / 'firmware/c'}", f"-I{STUB}"]
    argv += [*map(str, sources), "-o", str(out), *spec["ldflags"]]
    subprocess.run(argv, check=True)
    return out


@contextmanager
def hostsim(binary: Path, *args: str) -> Iterator[AgentClient]:
    proc = subprocess.Popen([str(binary), "--pty", *args], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ser = serial.Serial(proc.stdout.readline().strip(), 115200, timeout=0.05)
        client = AgentClient(ser, timeout=2.0, attempts=6)
        client.hello()
        yield client
        ser.close()
    finally:
        proc.terminate()
        proc.wait()


def stream(client: AgentClient, xs: list[np.ndarray], window: int, respect: bool = True) -> str:
    start = time.monotonic()
    results = list(client.infer_stream(enumerate(xs), window=window, respect_rx_buffer=respect))
    elapsed = time.monotonic() - start
    ok = sum(isinstance(r, InferResult) and r.ok for r in results)
    attempts = sum(r.attempts for r in results)
    return (
        f"{len(xs) / elapsed:8.1f} inferences/s  ({ok}/{len(xs)} ok, "
        f"{attempts - len(xs)} retransmissions)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20, help="samples per throttled run")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    xs = [rng.integers(-128, 128, (1, 48, 48), dtype=np.int8) for _ in range(500)]
    wire = len(encode_frame(Frame(p.MessageType.INFER, 1, xs[0].tobytes()), leading_delimiter=True))
    print("hostsim = SIMULATED board (stub CNN); wire speed emulated by hostsim --baud")
    print(f"INFER request on the wire: {wire} bytes for a 48x48 int8 input")
    with tempfile.TemporaryDirectory() as tmp:
        binary = build(Path(tmp) / "hostsim")
        with hostsim(binary) as client:
            rtts = [client.infer(i, xs[i]).rtt_s * 1e3 for i in range(200)]
            print(f"unthrottled pty: INFER round trip p50 {statistics.median(rtts):.2f} ms")
            for window in (1, 8):
                print(f"unthrottled pty, window {window}: {stream(client, xs, window)}")
        n = args.samples
        with hostsim(binary, "--baud", "115200") as client:
            payload = bytes(range(1, 256)) * 8
            ping_wire = len(
                encode_frame(Frame(p.MessageType.PING, 1, payload), leading_delimiter=True)
            )
            rtt = min(client.ping(payload) for _ in range(3))
            print(
                f"115200 baud: {2 * ping_wire / rtt:8.0f} B/s per direction "
                "(wire limit 11520 B/s at 10 bits/byte)"
            )
            print(f"115200 baud, flow-controlled, window 1: {stream(client, xs[:n], 1)}")
            print(f"115200 baud, flow-controlled, window 4: {stream(client, xs[:n], 4)}")
        with hostsim(binary, "--baud", "115200", "--rx-buffer", "4096") as client:
            print(f"115200 baud, 4 KiB lossy buffer, respected: {stream(client, xs[:n], 4)}")
            lossy = stream(client, xs[:n], 3, respect=False)
            print(f"115200 baud, 4 KiB lossy buffer, overrun (window 3): {lossy}")
        print(f"theoretical at 115200: {11520 / wire:.2f} inferences/s (request bytes only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
