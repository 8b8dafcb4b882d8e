"""ONNX export of the dequantized float model, checked against torch and the integer model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from golden.format import QuantModel
from golden.inference import run
from golden.synthetic import random_legal_model
from models.export.export_onnx import TOLERANCE, export_onnx
from models.nn.network import from_quant_model


def _izer_legal_model(seed: int) -> QuantModel:
    """A synthetic model without 1x1 convolutions that pad (izer refuses pad >= kernel)."""
    while True:
        rng = np.random.default_rng(seed)
        model = random_legal_model(rng, input_shape=(1, 16, 16), wide_output=True)
        if all(q.op == "linear" or q.pad < q.kernel_size for q in model.layers):
            return model
        seed += 1


@pytest.mark.slow
def test_onnx_export_matches_torch_float_model(tmp_path: Path) -> None:
    model = _izer_legal_model(11)
    result = export_onnx(model, tmp_path / "model.onnx")
    assert result.path.is_file() and list(tmp_path.iterdir()) == [result.path]  # no .data file
    assert result.max_abs_diff <= TOLERANCE
    x = np.random.default_rng(2).integers(-128, 128, (5, 1, 16, 16))
    session = ort.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": (x / 128.0).astype(np.float32)})[0]
    net = from_quant_model(model).set_mode("float").eval()
    with torch.no_grad():
        expected = net(torch.from_numpy(x / 128.0).float()).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4 * max(1.0, np.abs(expected).max()))
    assert got.shape == (5, 7)
    # The float model approximates the integer one: wide logits = acc * 2**(s - 6 - q).
    last = model.layers[-1]
    acc = run(model, x.astype(np.int8)) * 2.0 ** (last.output_shift - 6 - last.weight_bits)
    assert np.corrcoef(acc.ravel(), got.ravel())[0, 1] > 0.9
