"""Export the float function of a quantized model to ONNX and check it with onnxruntime.

The exported network is :func:`models.nn.network.from_quant_model` in ``"float"`` mode: the
dequantized weights (``w_int / 2**(q-1) * 2**output_shift``) and biases, the hardware's 8-bit
saturation as clamps (ReLU ``[0, 127/128]``, none ``[-1, 127/128]``, Abs ``[0, 127/128]``), max and
(non-truncating) average pooling, and a raw float output for a wide last layer. Input ``x`` is
``int8 / 128`` as float32 ``(N, C, H, W)``; output ``logits`` is ``(N, classes)``. It is the float
reference of the model, not bit-exact with the accelerator (use :mod:`golden.inference` for that).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from golden.errors import FerhilError
from golden.format import QuantModel
from models.export.sample_input import default_sample_input
from models.nn.network import from_quant_model

#: Largest accepted |onnxruntime - torch| relative to max(1, max|logits|).
TOLERANCE = 1e-4


class OnnxExportError(FerhilError, RuntimeError):
    """The ONNX export failed or does not reproduce the torch model."""


@dataclass(frozen=True)
class OnnxExport:
    """Result of :func:`export_onnx`.

    Attributes:
        path: the ``.onnx`` file (weights embedded).
        max_abs_diff: largest |onnxruntime - torch| over the check batch.
    """

    path: Path
    max_abs_diff: float


def _check_batch(model: QuantModel, n: int = 8) -> torch.Tensor:
    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, size=(n, *model.input_shape))
    x[0] = default_sample_input(model.input_shape)
    return torch.from_numpy(x.astype(np.float32) / 128.0)


def export_onnx(model: QuantModel, path: str | Path) -> OnnxExport:
    """Write ``model``'s float function to ``path`` and verify it with onnxruntime.

    Raises:
        OnnxExportError: when the export fails or onnxruntime disagrees with torch.
    """
    net = from_quant_model(model).set_mode("float").eval()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros((1, *model.input_shape), dtype=torch.float32)
    try:
        quiet = logging.getLogger("torch.onnx")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # e.g. "torchvision is not installed" notices
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                net,
                (example,),
                str(path),
                input_names=["x"],
                output_names=["logits"],
                dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
                external_data=False,
                verbose=False,
            )
    except Exception as exc:  # the exporter raises many unrelated types
        raise OnnxExportError(f"torch.onnx.export failed: {exc}") from exc
    finally:
        quiet.setLevel(level)
    x = _check_batch(model)
    with torch.no_grad():
        expected = net(x).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {"x": x.numpy()})[0]
    diff = float(np.abs(got - expected).max())
    if diff > TOLERANCE * max(1.0, float(np.abs(expected).max())):
        raise OnnxExportError(f"onnxruntime differs from torch by {diff:.3g}; not exported")
    return OnnxExport(path, diff)
