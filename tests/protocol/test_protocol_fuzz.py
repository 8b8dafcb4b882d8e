"""Fuzzing the agent: it never crashes, hangs or sends a malformed frame, whatever it gets."""

from __future__ import annotations

import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from firmware.host import protocol as p
from firmware.host.client import AgentClient
from firmware.host.codec import Frame, FrameDecoder, encode_frame

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SANITIZERS = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all")


def build_fuzzer(out: Path) -> Path:
    sources = [
        REPO / "firmware/c/agent.c",
        REPO / "firmware/c/frame.c",
        HERE / "c/stub/stub_cnn.c",
        HERE / "c/hal_loopback.c",
        HERE / "c/fuzz_agent.c",
    ]
    base = ["gcc", "-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror"]
    base += [f"-I{REPO / 'firmware/c'}", f"-I{HERE / 'c/stub'}", f"-I{HERE / 'c'}"]
    base += [*map(str, sources), "-o", str(out)]
    # with sanitizers when the toolchain has them, plain otherwise
    for flags in (SANITIZERS, ()):
        if subprocess.run([*base[:1], *flags, *base[1:]], capture_output=True).returncode == 0:
            return out
    raise AssertionError("the fuzz driver does not compile")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc not installed")
def test_agent_fuzz_in_process(tmp_path: Path) -> None:
    fuzzer = build_fuzzer(tmp_path / "fuzz_agent")
    for seed in (1, 2):
        proc = subprocess.run(
            [str(fuzzer), "10000", str(seed)], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        stats = dict(kv.split("=") for kv in proc.stdout.split())
        assert int(stats["frames"]) == 10000
        assert int(stats["intact"]) > 3000 and int(stats["mutated"]) > 3000


def mutate(rng: random.Random, wire: bytes) -> bytes:
    b = bytearray(wire)
    choice = rng.randrange(4)
    if choice == 0:
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif choice == 1:
        del b[rng.randrange(1, len(b)) :]
    elif choice == 2:
        b[rng.randrange(len(b)) : rng.randrange(len(b))] = b""
    else:
        b = bytearray(rng.randbytes(rng.randrange(1, 5000))) + b
    return bytes(b)


@pytest.mark.slow
def test_agent_fuzz_over_pty(hostsim: Callable[..., Any]) -> None:
    rng = random.Random(1234)
    types = [*p.MessageType, 0x00, 0x42, 0x83, 0xFF]
    received: list[Frame] = []
    bad: list[object] = []
    stop = threading.Event()

    with hostsim() as sim, sim.open(timeout=0.02) as ser:

        def drain() -> None:
            dec = FrameDecoder()
            while not stop.is_set():
                for ev in dec.feed(ser.read(max(1, ser.in_waiting))):
                    if isinstance(ev, Frame):
                        received.append(ev)
                    else:
                        bad.append(ev)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        sent = 0
        for i in range(2000):
            msg_type = int(rng.choice(types))
            if msg_type == p.MessageType.RESET:
                msg_type = p.MessageType.PING  # resets are covered elsewhere; keep it fast
            size = 2304 if msg_type == p.MessageType.INFER else rng.randrange(0, 600)
            wire = encode_frame(Frame(msg_type, i, rng.randbytes(size)), leading_delimiter=True)
            ser.write(mutate(rng, wire) if rng.random() < 0.7 else wire)
            sent += 1
        time.sleep(0.5)
        stop.set()
        reader.join(timeout=5)
        assert sim.proc.poll() is None, "hostsim died"
        client = AgentClient(ser, timeout=2.0)
        client.link.discard_input()
        assert client.ping(b"still alive") >= 0
        assert client.hello().board_name == "hostsim"
    assert sent == 2000
    assert bad == []  # every byte the agent sent formed a valid frame
    assert all(f.msg_type & p.REPLY_BIT for f in received)
    assert len(received) > 500
