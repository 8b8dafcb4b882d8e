"""Fixtures of the protocol tests: a hostsim built with a stub CNN, run over a real pty."""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import serial

REPO = Path(__file__).resolve().parents[2]
C_DIR = REPO / "firmware" / "c"
BOARD_DIR = REPO / "firmware" / "boards" / "hostsim"
STUB_DIR = Path(__file__).resolve().parent / "c" / "stub"
TEST_C_DIR = Path(__file__).resolve().parent / "c"


def compile_c(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"compile failed: {' '.join(argv)}\n{proc.stderr}")


def hostsim_command(output: Path, extra_cflags: tuple[str, ...] = ()) -> list[str]:
    """gcc command for hostsim + the stub CNN, with the flags of the hostsim board.json."""
    spec = json.loads((BOARD_DIR / "board.json").read_text())
    sources = [C_DIR / "agent.c", C_DIR / "frame.c"]
    sources += [BOARD_DIR / s for s in spec["sources"]]
    sources.append(STUB_DIR / "stub_cnn.c")
    return [
        "gcc",
        *spec["cflags"],
        *extra_cflags,
        '-DFIRMWARE_BUILD_HASH="' + "ab" * 32 + '"',
        "-DFIRMWARE_BUILD_ID=0xababababababababull",
        f"-I{C_DIR}",
        f"-I{STUB_DIR}",
        *map(str, sources),
        "-o",
        str(output),
        *spec["ldflags"],
    ]


@pytest.fixture(scope="session")
def hostsim_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("host gcc not installed")
    out = tmp_path_factory.mktemp("hostsim") / "hostsim"
    compile_c(hostsim_command(out))
    return out


def _stub_outputs(x: np.ndarray) -> np.ndarray:
    """What the stub CNN computes: out[k] = sum_i x[i] * (((i + k) % 7) - 3)."""
    flat = x.reshape(-1).astype(np.int64)
    idx = np.arange(flat.size)
    return np.array([int((flat * (((idx + k) % 7) - 3)).sum()) for k in range(7)], np.int64)


@pytest.fixture
def stub_outputs() -> Callable[[np.ndarray], np.ndarray]:
    return _stub_outputs


class Hostsim:
    """A running hostsim process and the pty path it printed."""

    def __init__(self, proc: subprocess.Popen[str], path: str) -> None:
        self.proc = proc
        self.path = path
        self.stderr = ""  # filled in when the process has been terminated

    def open(self, timeout: float = 0.05) -> serial.Serial:
        return serial.Serial(self.path, 115200, timeout=timeout)


@contextmanager
def run_hostsim(binary: Path, *args: str) -> Iterator[Hostsim]:
    proc = subprocess.Popen(
        [str(binary), "--pty", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("/dev/"), f"hostsim printed {line!r}"
        sim = Hostsim(proc, line)
        yield sim
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        if "sim" in locals():
            sim.stderr = err


@pytest.fixture
def hostsim(hostsim_binary: Path) -> Iterator[Callable[..., object]]:
    """Factory: ``with hostsim("--baud", "115200") as sim: ...``."""
    yield lambda *args: run_hostsim(hostsim_binary, *args)


BIG_INPUT_SHAPE = (4, 64, 64)
"""The stub CNN's input in ``big_hostsim``: 16 KiB, the size of KWS20 v3's 128x128 input."""


@pytest.fixture(scope="session")
def big_hostsim_binary(tmp_path_factory: pytest.TempPathFactory, hostsim_binary: Path) -> Path:
    """hostsim + stub CNN built for a :data:`BIG_INPUT_SHAPE` input (larger than one frame)."""
    out = tmp_path_factory.mktemp("bighostsim") / "hostsim"
    flags = tuple(f"-DCNN_INPUT_{k}={v}" for k, v in zip("CHW", BIG_INPUT_SHAPE, strict=True))
    compile_c(hostsim_command(out, flags))
    return out


@pytest.fixture
def big_hostsim(big_hostsim_binary: Path) -> Iterator[serial.Serial]:
    """A running big-input hostsim, opened over its pseudo-terminal."""
    with run_hostsim(big_hostsim_binary) as sim, sim.open() as ser:
        yield ser


@pytest.fixture(scope="session")
def agent_lib(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    """The agent + frame layer + stub CNN + loopback HAL as a shared library (ctypes)."""
    if shutil.which("gcc") is None:
        pytest.skip("host gcc not installed")
    out = tmp_path_factory.mktemp("agentlib") / "libagent_loopback.so"
    sources = [
        C_DIR / "agent.c",
        C_DIR / "frame.c",
        STUB_DIR / "stub_cnn.c",
        TEST_C_DIR / "hal_loopback.c",
    ]
    compile_c(
        [
            "gcc",
            "-std=c11",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-shared",
            "-fPIC",
            f"-I{C_DIR}",
            f"-I{STUB_DIR}",
            f"-I{TEST_C_DIR}",
            *map(str, sources),
            "-o",
            str(out),
        ]
    )
    lib = ctypes.CDLL(str(out))
    size_t, u8p = ctypes.c_size_t, ctypes.c_char_p
    lib.crc32_update.restype = ctypes.c_uint32
    lib.crc32_update.argtypes = [ctypes.c_uint32, u8p, size_t]
    lib.cobs_encode.restype = size_t
    lib.cobs_encode.argtypes = [u8p, size_t, ctypes.c_void_p, size_t]
    lib.cobs_decode.restype = ctypes.c_int32
    lib.cobs_decode.argtypes = [u8p, size_t, ctypes.c_void_p, size_t]
    lib.frame_encode.restype = size_t
    lib.frame_encode.argtypes = [
        ctypes.c_uint8,
        ctypes.c_uint8,
        ctypes.c_uint16,
        u8p,
        ctypes.c_uint16,
        ctypes.c_void_p,
        size_t,
        ctypes.c_void_p,
        size_t,
    ]
    lib.loopback_feed.argtypes = [u8p, ctypes.c_uint32]
    lib.loopback_take.restype = ctypes.c_uint32
    lib.loopback_take.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.loopback_cycles.restype = ctypes.c_uint64
    lib.loopback_trigger_edges.restype = ctypes.c_uint32
    lib.loopback_resets.restype = ctypes.c_uint32
    return lib
