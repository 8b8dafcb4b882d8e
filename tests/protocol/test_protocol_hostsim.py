"""The agent over a REAL pseudo-terminal: hostsim built with the stub CNN."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from firmware.host import protocol as p
from firmware.host.agent_errors import AgentReplyError, ProtocolError
from firmware.host.client import AgentClient
from firmware.host.codec import Frame, FrameDecoder, build_raw_frame, cobs_encode, encode_frame
from firmware.host.messages import InferFailure, InferResult, parse_error_reply
from golden.tta import combine

pytestmark = pytest.mark.skipif(
    not Path("/dev/ptmx").exists(), reason="hostsim needs Linux pseudo-terminals"
)

ERROR_TYPE = p.MessageType.ERROR | p.REPLY_BIT


def random_input(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-128, 128, (1, 48, 48), dtype=np.int8)


def exchange(ser: Any, wire: bytes, want: int = 1, timeout: float = 2.0) -> list[Frame]:
    """Write raw bytes, collect ``want`` reply frames."""
    ser.write(wire)
    dec = FrameDecoder()
    frames: list[Frame] = []
    deadline = time.monotonic() + timeout
    while len(frames) < want and time.monotonic() < deadline:
        frames += [f for f in dec.feed(ser.read(max(1, ser.in_waiting))) if isinstance(f, Frame)]
    return frames


def test_hello_reports_identity(hostsim: Callable[..., Any]) -> None:
    with hostsim("--clock-hz", "100e6") as sim, sim.open() as ser:
        info = AgentClient(ser).hello()
    assert info.protocol_version == p.PROTOCOL_VERSION
    assert info.board_name == "hostsim"
    assert info.clock_kind == p.ClockKind.SIMULATED and info.simulated
    assert info.core_clock_hz == 100_000_000
    assert info.firmware_hash == "ab" * 32 and info.firmware_build_id == 0xABABABABABABABAB
    assert info.model_hash == "5eb" * 21 + "5" and info.model_id == int("5eb5eb5eb5eb5eb5", 16)
    assert info.input_shape == (1, 48, 48) and info.input_format == "int8_chw"
    assert info.num_outputs == 7 and info.output_type == "int32"
    assert info.rx_buffer_bytes == p.RX_BUFFER_FLOW_CONTROLLED
    assert info.max_wire_frame == p.MAX_WIRE_FRAME and info.max_payload == p.MAX_PAYLOAD
    assert info.as_dict()["clock_kind"] == "simulated"


def test_ping_echoes_any_size(hostsim: Callable[..., Any]) -> None:
    with hostsim() as sim, sim.open() as ser:
        client = AgentClient(ser)
        for size in (0, 1, 255, 2304, p.MAX_PAYLOAD):
            payload = bytes((i * 7 + 3) % 256 for i in range(size))
            assert client.ping(payload) >= 0.0


def test_infer_matches_stub_model(
    hostsim: Callable[..., Any], stub_outputs: Callable[[np.ndarray], np.ndarray]
) -> None:
    with hostsim() as sim, sim.open() as ser:
        client = AgentClient(ser)
        info = client.hello()
        for seed in range(5):
            x = random_input(seed)
            result = client.infer(1000 + seed, x)
            assert result.ok and result.seq == 1000 + seed
            np.testing.assert_array_equal(result.outputs, stub_outputs(x))
            assert result.outputs.dtype == np.int64
            assert result.cycles == info.model_cycles  # deterministic simulated cycles
        # (48, 48) is accepted for a 1-channel model; the wrong shape is refused on the host
        assert client.infer(1, random_input(9)[0]).ok
        with pytest.raises(ProtocolError, match="does not match"):
            client.infer(2, np.zeros((3, 48, 48), np.int8))
        with pytest.raises(ProtocolError, match="int8"):
            client.infer(3, np.full((1, 48, 48), 200, np.int16))


def test_tta_infer_is_the_golden_combination(
    hostsim: Callable[..., Any], stub_outputs: Callable[[np.ndarray], np.ndarray]
) -> None:
    with hostsim() as sim, sim.open() as ser:
        client = AgentClient(ser)
        info = client.hello()
        for seed in range(4):
            x = random_input(seed)
            result = client.infer(seed, x, tta=True)
            assert result.ok and result.tta_outputs is not None
            np.testing.assert_array_equal(result.outputs, stub_outputs(x))  # headline: 1 pass
            mirrored = stub_outputs(np.ascontiguousarray(x[..., ::-1]))
            np.testing.assert_array_equal(result.tta_outputs, combine(stub_outputs(x), mirrored))
            assert result.cycles == info.model_cycles
            assert result.tta_cycles == 2 * info.model_cycles
        plain = client.infer(9, random_input(0))
        assert plain.tta_outputs is None and plain.tta_cycles is None
        bench = client.bench(5, tta=True)  # each iteration: both passes
        assert bench.iterations == 5 and bench.infer_cycles == 10 * info.model_cycles
        assert bench.min_cycles == bench.max_cycles == 2 * info.model_cycles
        streamed = list(client.infer_stream(((k, random_input(k)) for k in range(3)), tta=True))
        for k, reply in enumerate(streamed):
            assert isinstance(reply, InferResult) and reply.tta_outputs is not None
            x = random_input(k)
            want = combine(stub_outputs(x), stub_outputs(np.ascontiguousarray(x[..., ::-1])))
            np.testing.assert_array_equal(reply.tta_outputs, want)


def test_bench_and_gpio_log(hostsim: Callable[..., Any], tmp_path: Path) -> None:
    log = tmp_path / "gpio.log"
    with hostsim("--gpio-log", str(log)) as sim, sim.open() as ser:
        client = AgentClient(ser)
        info = client.hello()
        with pytest.raises(AgentReplyError) as err:
            client.bench(3)
        assert err.value.code == p.ErrorCode.NO_INPUT
        client.infer(0, random_input(1))
        bench = client.bench(25)
        assert bench.status == 0 and bench.iterations == 25
        assert bench.infer_cycles == 25 * info.model_cycles
        assert bench.min_cycles == bench.max_cycles == info.model_cycles
        assert bench.total_cycles >= bench.infer_cycles
        assert bench.mean_cycles == info.model_cycles
        with pytest.raises(ProtocolError, match="bench"):
            client.bench(0)
    lines = [line.split() for line in log.read_text().splitlines()]
    assert [(ln[2], ln[3]) for ln in lines] == [("0", "1"), ("0", "0")]
    t_rise, c_rise = int(lines[0][0]), int(lines[0][1])
    t_fall, c_fall = int(lines[1][0]), int(lines[1][1])
    assert t_fall >= t_rise
    assert c_fall - c_rise == bench.total_cycles


def test_reset_clears_state(hostsim: Callable[..., Any]) -> None:
    with hostsim() as sim, sim.open() as ser:
        client = AgentClient(ser)
        client.hello()
        client.infer(0, random_input(2))
        assert client.bench(1).iterations == 1
        info = client.reset()
        assert info.board_name == "hostsim"
        with pytest.raises(AgentReplyError) as err:
            client.bench(1)  # the input is gone after the reset
        assert err.value.code == p.ErrorCode.NO_INPUT


def test_error_replies(hostsim: Callable[..., Any]) -> None:
    with hostsim() as sim, sim.open(timeout=0.05) as ser:
        # bad CRC
        raw = bytearray(build_raw_frame(Frame(p.MessageType.PING, 300, b"abc")))
        raw[-1] ^= 0xFF
        [reply] = exchange(ser, b"\0" + cobs_encode(bytes(raw)) + b"\0")
        err = parse_error_reply(reply.seq, reply.payload)
        assert reply.msg_type == ERROR_TYPE and err.code == p.ErrorCode.BAD_CRC
        assert reply.seq == 300 and not err.seq_valid
        # bad length: consistent CRC, lying length field
        body = bytearray(build_raw_frame(Frame(p.MessageType.PING, 301, b"abcdef"))[:-4])
        body[4] = 99
        from firmware.host.codec import crc32

        lying = bytes(body) + crc32(bytes(body)).to_bytes(4, "little")
        [reply] = exchange(ser, b"\0" + cobs_encode(lying) + b"\0")
        err = parse_error_reply(reply.seq, reply.payload)
        assert err.code == p.ErrorCode.BAD_LENGTH and err.seq_valid and reply.seq == 301
        # too short to hold a header
        [reply] = exchange(ser, b"\0\x03\x01\x02\0")
        assert parse_error_reply(reply.seq, reply.payload).code == p.ErrorCode.BAD_LENGTH
        # unknown command
        [reply] = exchange(ser, encode_frame(Frame(0x42, 302, b""), leading_delimiter=True))
        err = parse_error_reply(reply.seq, reply.payload)
        assert err.code == p.ErrorCode.UNKNOWN_COMMAND and err.seq_valid and reply.seq == 302
        assert err.request_type == 0x42
        # wrong input size
        wire = encode_frame(Frame(p.MessageType.INFER, 303, bytes(100)), leading_delimiter=True)
        [reply] = exchange(ser, wire)
        err = parse_error_reply(reply.seq, reply.payload)
        assert err.code == p.ErrorCode.BAD_INPUT_SIZE and err.detail == 48 * 48
        assert "rebuild" in str(err)
        # invalid COBS
        [reply] = exchange(ser, b"\0\x09\x01\0")
        assert parse_error_reply(reply.seq, reply.payload).code == p.ErrorCode.BAD_FRAMING
        # oversize: more than the RX capacity without a delimiter
        [reply] = exchange(ser, b"\0" + b"\x01" * (p.RX_FRAME_CAPACITY + 10) + b"\0")
        assert parse_error_reply(reply.seq, reply.payload).code == p.ErrorCode.OVERSIZE
        # replies are never answered (no loopback storms); PING still works afterwards
        assert exchange(ser, encode_frame(Frame(0x82, 5, b"x")), timeout=0.3) == []
        [reply] = exchange(ser, encode_frame(Frame(p.MessageType.PING, 304, b"hi")))
        assert reply == Frame(p.MessageType.PING | p.REPLY_BIT, 304, b"hi")


def test_duplicate_requests_are_idempotent(hostsim: Callable[..., Any], tmp_path: Path) -> None:
    log = tmp_path / "gpio.log"
    with hostsim("--gpio-log", str(log)) as sim, sim.open() as ser:
        infer = encode_frame(
            Frame(p.MessageType.INFER, 7, random_input(3).tobytes()), leading_delimiter=True
        )
        first, second = exchange(ser, infer + infer, want=2)
        assert first == second and first.msg_type == p.MessageType.INFER | p.REPLY_BIT
        bench = encode_frame(Frame(p.MessageType.BENCH, 8, (4).to_bytes(4, "little")))
        replies = exchange(ser, bench + bench + bench, want=3)
        assert len(replies) == 3 and replies[0] == replies[1] == replies[2]
    # the retried BENCH was answered from the cache: the trigger rose only once
    assert len(log.read_text().splitlines()) == 2


def test_resync_after_garbage(hostsim: Callable[..., Any]) -> None:
    rng = np.random.default_rng(5)
    with hostsim() as sim, sim.open() as ser:
        client = AgentClient(ser)
        for _ in range(5):
            ser.write(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
            assert client.ping(b"after garbage") >= 0
        assert client.link.framing_errors == 0  # the agent never sends garbage back


def test_pipelined_stream_in_order(
    hostsim: Callable[..., Any], stub_outputs: Callable[[np.ndarray], np.ndarray]
) -> None:
    inputs = [random_input(100 + i) for i in range(60)]
    with hostsim() as sim, sim.open() as ser:
        client = AgentClient(ser)
        results = list(client.infer_stream(((i * 10, x) for i, x in enumerate(inputs)), window=6))
    assert "rx dropped 0 bytes" in sim.stderr  # the default link is lossless
    assert [r.seq for r in results] == [i * 10 for i in range(60)]
    for r, x in zip(results, inputs, strict=True):
        assert isinstance(r, InferResult) and r.ok and r.attempts == 1
        np.testing.assert_array_equal(r.outputs, stub_outputs(x))


def test_reconnect_after_host_closes(hostsim: Callable[..., Any]) -> None:
    with hostsim() as sim:
        for _ in range(3):
            with sim.open() as ser:
                client = AgentClient(ser)
                client.link.discard_input()
                assert client.hello().board_name == "hostsim"
        assert sim.proc.poll() is None  # still running until SIGTERM


def test_bad_option_exits_with_usage(hostsim_binary: Path) -> None:
    proc = subprocess.run(
        [str(hostsim_binary), "--baud", "fast"], capture_output=True, text=True, timeout=10
    )
    assert proc.returncode == 2 and "usage" in proc.stderr


def test_throttled_baud_rate(hostsim: Callable[..., Any]) -> None:
    payload = bytes(range(1, 256)) * 8  # 2040 bytes, no zeros: COBS adds 9
    with hostsim("--baud", "115200") as sim, sim.open() as ser:
        client = AgentClient(ser)
        client.hello()
        wire = len(encode_frame(Frame(p.MessageType.PING, 1, payload), leading_delimiter=True))
        rtt = min(client.ping(payload) for _ in range(2))
    rate = 2 * wire / rtt  # bytes per second each way (request, then the echo)
    # 115200 baud at 10 bits per byte is 11520 B/s; the throttle must not exceed it
    assert 6000 < rate < 11520 * 1.02


@pytest.mark.slow
def test_dropped_bytes_recover(hostsim: Callable[..., Any]) -> None:
    inputs = [random_input(200 + i) for i in range(8)]
    items = list(enumerate(inputs))
    with hostsim("--baud", "230400", "--rx-buffer", "4096") as sim, sim.open() as ser:
        client = AgentClient(ser, timeout=1.0, attempts=8)
        assert client.hello().rx_buffer_bytes == 4096
        # respecting the advertised buffer: one 2.3 KB request in flight, no loss
        safe = list(client.infer_stream(items, window=3))
        assert all(isinstance(r, InferResult) and r.attempts == 1 for r in safe)
        # overrunning it: the emulated bridge drops bytes, the agent resyncs, retries recover
        lossy = list(client.infer_stream(items, window=3, respect_rx_buffer=False))
    assert [r.seq for r in lossy] == list(range(8))
    assert all(not isinstance(r, InferFailure) for r in lossy), lossy
    assert sum(r.attempts for r in lossy) > len(lossy)  # requests had to be sent again
    dropped = re.search(r"rx dropped (\d+) bytes", sim.stderr)
    assert dropped is not None and int(dropped.group(1)) > 0  # the bridge really dropped bytes
    for a, b in zip(safe, lossy, strict=True):
        assert isinstance(a, InferResult) and isinstance(b, InferResult)
        np.testing.assert_array_equal(a.outputs, b.outputs)


def test_realtime_sleeps_for_simulated_time(hostsim: Callable[..., Any], tmp_path: Path) -> None:
    log = tmp_path / "gpio.log"
    args = ("--realtime", "--clock-hz", "50e6", "--gpio-log", str(log))
    with hostsim(*args) as sim, sim.open() as ser:
        client = AgentClient(ser)
        info = client.hello()
        client.infer(0, random_input(4))
        bench = client.bench(100, timeout=10.0)
    expected_s = bench.total_cycles / info.core_clock_hz
    assert bench.total_cycles == 100 * info.model_cycles
    rise, fall = (int(line.split()[0]) for line in log.read_text().splitlines())
    assert expected_s * 0.95 <= (fall - rise) / 1e9 < expected_s + 1.0
