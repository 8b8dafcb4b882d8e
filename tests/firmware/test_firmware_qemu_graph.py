"""QEMU (Cortex-M4, mps2-an386) runs every graph operator exactly like golden inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import serial
from firmware_testlib import have

from firmware.boards.qemu_mps2_an386 import launch
from firmware.builder.build import build_firmware
from firmware.host.client import AgentClient
from golden.inference import run
from golden.random_graphs import KINDS, random_graph, random_input


@pytest.mark.skipif(
    not (have("qemu-system-arm") and have("arm-none-eabi-gcc")),
    reason="needs qemu-system-arm and arm-none-eabi-gcc (apt-get install qemu-system-arm "
    "gcc-arm-none-eabi libnewlib-arm-none-eabi)",
)
@pytest.mark.qemu
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(len(KINDS)), ids=lambda s: KINDS[s])
def test_graph_model_on_qemu_matches_golden(seed: int, fw_cache: Path) -> None:
    model = random_graph(seed)
    artifact = build_firmware("qemu_mps2_an386", model, cache_dir=fw_cache)
    x = np.stack([random_input(model, seed + k) for k in range(3)])
    expected = run(model, x)
    proc = launch.start_qemu(artifact.path, icount_shift=3)
    client = AgentClient(serial.serial_for_url(proc.url, timeout=0.05), timeout=20.0)
    try:
        assert client.hello().model_hash == model.hash()
        for i in range(len(x)):
            result = client.infer(i, x[i])
            assert result.ok, result
            np.testing.assert_array_equal(result.outputs, expected[i], err_msg=f"input {i}")
    finally:
        client.close()
        proc.close()
