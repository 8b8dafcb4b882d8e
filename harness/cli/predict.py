"""``ferhil predict``: emotion scores of image files, from the golden model or from a board.

The golden path imports numpy, Pillow and :mod:`golden` only (never torch), so it answers in
well under two seconds (``benchmarks/predict_latency.py``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from firmware.host.messages import InferFailure
from harness.cli.image_input import load_face


@dataclass(frozen=True)
class Prediction:
    """Scores of one image.

    Attributes:
        path: the image file.
        scores: the model's raw outputs, one per class.
        predicted: index of the highest score.
        source: ``golden`` or the board name.
        probabilities: softmax of the dequantized outputs (see :mod:`golden.outputs`).
    """

    path: str
    scores: list[int]
    predicted: int
    source: str
    probabilities: list[float]


def predict_golden(paths: Sequence[str | Path], model: Any) -> list[Prediction]:
    """Score ``paths`` with the golden (bit-exact integer) model."""
    from golden.inference import run
    from golden.input_mapping import pixels_to_input

    faces = np.stack([load_face(p) for p in paths])
    outputs = run(model, pixels_to_input(faces, model.input_mapping))
    return [_prediction(p, out, "golden", model) for p, out in zip(paths, outputs, strict=True)]


def predict_board(
    paths: Sequence[str | Path], model: Any, board: str, options: dict[str, Any] | None = None
) -> list[Prediction]:
    """Score ``paths`` on ``board`` (built, launched or flashed as in a HIL run)."""
    from golden.input_mapping import pixels_to_input
    from harness.run.hil_inputs import RunInputs
    from harness.run.hil_run import HilRun
    from harness.suite.config import FerhilConfig
    from harness.suite.option_table import load_option_providers

    load_option_providers()
    with tempfile.TemporaryDirectory(prefix="ferhil-predict-") as scratch:
        config = FerhilConfig.defaults(
            board=board, progress=False, report_dir=Path(scratch), **(options or {})
        )
        run = HilRun(config, load_model=lambda ref: model, prepared=RunInputs.of_model(model))
        try:
            device = run.start()
            faces = np.stack([load_face(p) for p in paths])
            inputs = pixels_to_input(faces, model.input_mapping)
            results = list(device.client.infer_stream(enumerate(inputs), window=4))
        finally:
            run.close()
    predictions = []
    for path, result in zip(paths, results, strict=True):
        if isinstance(result, InferFailure) or not result.ok:
            from harness.errors import HarnessError

            why = result.error if isinstance(result, InferFailure) else f"status {result.status}"
            raise HarnessError(f"board {board} did not score {path}: {why}")
        predictions.append(_prediction(path, result.outputs, board, model))
    return predictions


def _prediction(path: str | Path, outputs: Any, source: str, model: Any) -> Prediction:
    from golden.outputs import class_probabilities

    scores = [int(v) for v in np.asarray(outputs).ravel()]
    probs = [float(p) for p in class_probabilities(model, np.asarray(scores))[0]]
    return Prediction(str(path), scores, int(np.argmax(scores)), source, probs)


def format_table(predictions: Sequence[Prediction], classes: Sequence[str]) -> str:
    """Return a text table: one row per image, one column per class, the winner marked ``*``."""
    name_w = max([len("image")] + [len(Path(p.path).name) for p in predictions])
    col_w = max(9, *(len(c) + 1 for c in classes))
    head = f"{'image':<{name_w}}  " + "".join(f"{c:>{col_w}}" for c in classes)
    lines = [head + "  prediction", "-" * (len(head) + 12)]
    for p in predictions:
        cells = "".join(
            f"{(f'{100 * v:.1f}%' + ('*' if i == p.predicted else ' ')):>{col_w}}"
            for i, v in enumerate(p.probabilities)
        )
        raw = "".join(f"{s:>{col_w - 1}} " for s in p.scores)
        lines.append(f"{Path(p.path).name:<{name_w}}  {cells}  {classes[p.predicted]}")
        lines.append(f"{'  raw':<{name_w}}  {raw}")
    source = predictions[0].source if predictions else ""
    lines.append(
        f"scores: softmax of the model outputs, raw integer outputs below ({source}); * = highest"
    )
    return "\n".join(lines)
