"""SELFTEST on hostsim: the agent's known-answer test passes, and fails when one weight byte of
the image differs from the model its expected output was computed for."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from firmware.builder.board_specs import load_board
from firmware.builder.build import FirmwareArtifact, _compile_gcc
from firmware.host import protocol as p
from firmware.host.client import AgentClient
from firmware.host.messages import SelftestResult


def _selftest(binary: Path) -> SelftestResult:
    proc = subprocess.Popen([str(binary), "--pty"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        pty = proc.stdout.readline().strip()
        with AgentClient(serial.Serial(pty, 115200, timeout=0.05), timeout=10.0) as client:
            client.hello()
            return client.selftest()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_selftest_passes_on_the_built_image(hostsim_client: AgentClient) -> None:
    result = hostsim_client.selftest()
    assert result.result == p.SelftestResult.PASS, result.describe()
    assert result.passed and result.detail == 0
    assert result.cycles > 0


@pytest.fixture(scope="module")
def corrupted_binary(
    hostsim_artifact: FirmwareArtifact, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The same sources with one byte of the first layer's packed weights changed."""
    work = tmp_path_factory.mktemp("corrupt")
    shutil.copytree(hostsim_artifact.path.parent / "src", work / "src")
    weights = work / "src" / "gen" / "weights.h"
    text = weights.read_text()
    start = text.index("cnn_weights_0[")
    first = text.index("0x", text.index("{", start))
    old = text[first : first + 4]
    new = "0x%02x" % (int(old, 16) ^ 0x7F)
    weights.write_text(text[:first] + new + text[first + 4 :])
    spec = load_board("hostsim")
    _compile_gcc(spec, work, hostsim_artifact.firmware_hash, {})
    yield work / spec.output


def test_selftest_fails_when_one_weight_byte_changes(corrupted_binary: Path) -> None:
    result = _selftest(corrupted_binary)
    assert result.result == p.SelftestResult.FAIL, result.describe()
    assert result.detail >= 1
    assert "rebuild" in result.describe()
