"""The QEMU mps2-an386 firmware answers exactly like golden inference over its TCP UART."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import serial
from firmware_testlib import have

from firmware.builder.build import FirmwareArtifact, build_firmware
from firmware.host.client import AgentClient
from golden.format import QuantModel
from golden.inference import run
from golden.tta import run_tta

launch = importlib.import_module("firmware.boards.qemu_mps2_an386.launch")

needs_qemu = pytest.mark.skipif(
    not (have("qemu-system-arm") and have("arm-none-eabi-gcc")),
    reason="needs qemu-system-arm and arm-none-eabi-gcc (apt-get install qemu-system-arm "
    "gcc-arm-none-eabi libnewlib-arm-none-eabi)",
)
ICOUNT_SHIFT = 3


@pytest.fixture(scope="module")
def qemu_artifact(fer_model: QuantModel, fw_cache: Path) -> FirmwareArtifact:
    return build_firmware("qemu_mps2_an386", fer_model, cache_dir=fw_cache)


@pytest.fixture(scope="module")
def qemu(qemu_artifact: FirmwareArtifact) -> Iterator[tuple[AgentClient, object]]:
    proc = launch.start_qemu(qemu_artifact.path, icount_shift=ICOUNT_SHIFT)
    client = AgentClient(serial.serial_for_url(proc.url, timeout=0.05), timeout=20.0)
    try:
        yield client, proc
    finally:
        client.close()
        proc.close()


def test_start_qemu_rejects_a_missing_elf(tmp_path: Path) -> None:
    with pytest.raises(launch.QemuError, match="no firmware ELF"):
        launch.start_qemu(tmp_path / "missing.elf")


def test_ticks_to_instructions() -> None:
    proc = launch.QemuProcess(Path("x.elf"), 1, 3, None, None)
    assert proc.ticks_to_instructions(8) == 40.0  # 8 ticks x 40 ns / 2**3 ns per instruction


@needs_qemu
@pytest.mark.qemu
@pytest.mark.slow
def test_20_inputs_match_golden_exactly(
    qemu: tuple[AgentClient, object],
    qemu_artifact: FirmwareArtifact,
    fer_model: QuantModel,
    fer_inputs: np.ndarray,
) -> None:
    client, proc = qemu
    info = client.hello()
    assert info.board_name == "qemu-mps2-an386"
    assert info.firmware_hash == qemu_artifact.firmware_hash
    assert info.model_hash == fer_model.hash()
    x = np.concatenate([fer_inputs[:10], fer_inputs[-10:]])
    expected = run(fer_model, x)
    cycles = []
    for i in range(len(x)):
        result = client.infer(i, x[i])
        assert result.ok
        np.testing.assert_array_equal(result.outputs, expected[i], err_msg=f"input {i}")
        cycles.append(result.cycles)
    # -icount makes the count deterministic up to a tick (toolchain-notes §3) and the few
    # instructions of a SysTick wrap interrupt that may or may not fall inside the inference.
    again = client.infer(0, x[0])
    assert abs(again.cycles - cycles[0]) <= max(4, cycles[0] // 1_000_000)
    assert proc.ticks_to_instructions(cycles[0]) > 1000  # type: ignore[attr-defined]


@needs_qemu
@pytest.mark.qemu
@pytest.mark.slow
def test_tta_hflip_matches_golden_tta(
    qemu: tuple[AgentClient, object], fer_model: QuantModel, fer_inputs: np.ndarray
) -> None:
    client, _proc = qemu
    client.hello()
    x = fer_inputs[:3]
    expected = run(fer_model, x)
    expected_tta = run_tta(fer_model, x, single=expected)
    for i in range(len(x)):
        result = client.infer(i, x[i], tta=True)
        assert result.ok and result.tta_outputs is not None and result.tta_cycles is not None
        np.testing.assert_array_equal(result.outputs, expected[i])  # the single pass, unchanged
        np.testing.assert_array_equal(result.tta_outputs, expected_tta[i], err_msg=f"input {i}")
        assert 1.8 * result.cycles <= result.tta_cycles <= 2.2 * result.cycles


@needs_qemu
@pytest.mark.qemu
@pytest.mark.slow
def test_instruction_count_is_independent_of_icount_shift(
    qemu_artifact: FirmwareArtifact, fer_inputs: np.ndarray
) -> None:
    # shift 7 wraps the 24-bit SysTick many times per inference (the wrap counter must work);
    # shift 0 does not. Both must count the same instructions, up to shift 0's 40-instruction
    # resolution and the few instructions each extra SysTick interrupt adds.
    counts = []
    for shift in (0, 7):
        proc = launch.start_qemu(qemu_artifact.path, icount_shift=shift)
        try:
            with AgentClient(serial.serial_for_url(proc.url, timeout=0.05), timeout=20.0) as c:
                c.hello()
                counts.append(proc.ticks_to_instructions(c.infer(0, fer_inputs[0]).cycles))
        finally:
            proc.close()
    assert counts[0] > 0
    wraps = counts[1] * (1 << 7) / 40 / (1 << 24)
    assert abs(counts[0] - counts[1]) <= 80 + 10 * wraps, counts
