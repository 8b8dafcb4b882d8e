"""The hostsim firmware answers exactly like golden inference over its pseudo-terminal."""

from __future__ import annotations

import numpy as np
import pytest

from firmware.builder.build import FirmwareArtifact
from firmware.host.client import AgentClient
from firmware.host.messages import InferResult
from golden.format import QuantModel
from golden.inference import run


def test_hello_reports_the_build(
    hostsim_client: AgentClient, hostsim_artifact: FirmwareArtifact, fer_model: QuantModel
) -> None:
    info = hostsim_client.hello()
    assert info.firmware_hash == hostsim_artifact.firmware_hash
    assert info.firmware_build_id == int(hostsim_artifact.firmware_hash[:16], 16)
    assert info.model_hash == fer_model.hash()
    assert info.model_id == int(fer_model.short_hash, 16)
    assert info.input_shape == tuple(fer_model.input_shape)
    assert info.num_outputs == fer_model.num_outputs
    assert info.output_type == ("int32" if fer_model.wide_output else "int8")
    assert info.board_name == "hostsim" and info.simulated


def test_a_few_inferences_match_golden(
    hostsim_client: AgentClient, fer_model: QuantModel, fer_inputs: np.ndarray
) -> None:
    x = fer_inputs[:8]
    expected = run(fer_model, x)
    for i in range(len(x)):
        result = hostsim_client.infer(i, x[i])
        assert result.ok
        np.testing.assert_array_equal(result.outputs, expected[i])
        assert result.cycles > 0


@pytest.mark.slow
def test_500_inputs_match_golden_exactly(
    hostsim_client: AgentClient, fer_model: QuantModel, fer_inputs: np.ndarray
) -> None:
    expected = run(fer_model, fer_inputs)
    results = list(hostsim_client.infer_stream(enumerate(fer_inputs), window=8))
    assert len(results) == len(fer_inputs) == 500
    failed = [r for r in results if not isinstance(r, InferResult) or not r.ok]
    assert not failed, f"{len(failed)} failed, first: {failed[0]}"
    got = np.stack([r.outputs for r in results if isinstance(r, InferResult)])
    assert [r.seq for r in results] == list(range(len(fer_inputs)))
    mismatched = np.flatnonzero((got != expected).any(axis=1))
    assert mismatched.size == 0, (
        f"{mismatched.size} inputs differ from golden, e.g. {mismatched[:5]}"
    )
