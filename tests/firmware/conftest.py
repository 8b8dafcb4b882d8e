"""Shared fixtures of the firmware tests: one build cache, the FER model, inputs, a host driver."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import serial
from firmware_testlib import C_DIR, DRIVER_DIR, STRICT_CFLAGS, DriverRunner, have

from firmware.builder.build import FirmwareArtifact, build_firmware
from firmware.builder.synth import synthesize
from firmware.host.client import AgentClient
from fixtures.paths import fer2013_dir
from golden.format import QuantModel
from golden.input_mapping import pixels_to_input
from golden.synthetic import fer_like_model
from golden.zoo import ZooError, load_model


@pytest.fixture(scope="session")
def fw_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One firmware build cache for the whole session."""
    return tmp_path_factory.mktemp("fwcache")


@pytest.fixture(scope="session")
def fer_model() -> QuantModel:
    """The newest zoo model, or a FER-sized synthetic model while the zoo is empty."""
    try:
        return load_model(None)
    except ZooError:
        return fer_like_model(np.random.default_rng(20261128))


@pytest.fixture(scope="session")
def fer_inputs(fer_model: QuantModel) -> np.ndarray:
    """500 int8 inputs: FER2013 PublicTest images (when present) plus random tensors."""
    rng = np.random.default_rng(7)
    n_total = 500
    parts = []
    root = fer2013_dir()
    if root is not None and tuple(fer_model.input_shape) == (1, 48, 48):
        images = np.load(root / "publictest.npz")["images"][: n_total // 2]
        parts.append(pixels_to_input(images))
    n_random = n_total - sum(len(p) for p in parts)
    parts.append(rng.integers(-128, 128, size=(n_random, *fer_model.input_shape), dtype=np.int8))
    return np.concatenate(parts).astype(np.int8)


@pytest.fixture(scope="session")
def hostsim_artifact(fer_model: QuantModel, fw_cache: Path) -> FirmwareArtifact:
    if not have("gcc"):
        pytest.skip("gcc is not installed (apt-get install gcc)")
    return build_firmware("hostsim", fer_model, cache_dir=fw_cache)


@pytest.fixture(scope="session")
def hostsim_client(hostsim_artifact: FirmwareArtifact) -> Iterator[AgentClient]:
    """An AgentClient on a running hostsim board over its pseudo-terminal."""
    proc = subprocess.Popen(
        [str(hostsim_artifact.path), "--pty"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    pty = proc.stdout.readline().strip()
    client = AgentClient(serial.Serial(pty, 115200, timeout=0.05), timeout=5.0)
    try:
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.fixture(scope="session")
def cnn_driver(tmp_path_factory: pytest.TempPathFactory) -> DriverRunner:
    """Return run(model, x) -> outputs of the generated C (host gcc, tests/firmware/driver)."""
    if not have("gcc"):
        pytest.skip("gcc is not installed (apt-get install gcc)")
    root = tmp_path_factory.mktemp("driver")
    counter = iter(range(1_000_000))

    def run(model: QuantModel, x: np.ndarray) -> np.ndarray:
        work = root / f"m{next(counter)}"
        synthesize(model, model_cycles=1000).write(work)
        exe = work / "cnn_driver"
        subprocess.run(
            [
                "gcc",
                *STRICT_CFLAGS,
                f"-I{work}",
                f"-I{C_DIR}",
                str(DRIVER_DIR / "cnn_driver.c"),
                str(work / "cnn.c"),
                str(C_DIR / "kernels.c"),
                "-o",
                str(exe),
            ],
            check=True,
        )
        xs = np.asarray(x, dtype=np.int8).reshape(-1, *model.input_shape)
        (work / "in.bin").write_bytes(xs.tobytes())
        subprocess.run([str(exe), str(work / "in.bin"), str(work / "out.bin")], check=True)
        raw = np.frombuffer((work / "out.bin").read_bytes(), "<i4")
        return raw.reshape(len(xs), -1).astype(np.int64)

    return run
