"""The 7 class probabilities of a face from the golden int8 model, the float model and a board.

* golden: :func:`golden.inference.run` on the input mapping of the model, probabilities from
  :func:`golden.outputs.class_probabilities` (the same numbers as ``ferhil predict``);
* float: the zoo entry's ``float_weights.npz``
  (:func:`models.training.float_weights.load_float_net`, the
  network ``ferhil eval`` reports as float), softmax of its logits for the same int8 input / 128;
  a model without float weights has none, and :attr:`Scorer.float_missing` says why;
* board: the raw outputs of an attached board (:class:`app.board_session.BoardSession`) through
  the same :func:`golden.outputs.class_probabilities` as the golden outputs.

One face is a tiny job: BLAS and torch run it single-threaded (:func:`single_threaded`), which
on a busy 2-core machine is about ten times faster than letting their thread pools spin.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.board_session import BoardSession
from golden.format import QuantModel
from golden.inference import run as golden_run
from golden.input_mapping import pixels_to_input
from golden.outputs import class_probabilities

Scores = dict[str, dict[str, float]]


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """Limit BLAS (threadpoolctl) and torch's intra-op pool to one thread inside the block."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _named(classes: Sequence[str], probabilities: np.ndarray) -> dict[str, float]:
    return {c: round(float(p), 6) for c, p in zip(classes, probabilities, strict=True)}


def load_float(model: QuantModel, path: Path) -> tuple[Any, str | None]:
    """Return ``(float network or None, why it is missing or None)`` of the model at ``path``."""
    from models.training.float_weights import FLOAT_WEIGHTS_FILE, load_float_net

    config = model.metadata.get("config")
    if not isinstance(config, dict):
        return None, f"model {model.name} records no network config, so it has no float model"
    net = load_float_net(path.parent, config)
    if net is None:
        return None, (
            f"model {model.name} v{model.version} has no float weights ({FLOAT_WEIGHTS_FILE} "
            f"beside {path.name}); only its int8 scores are shown"
        )
    return net, None


class Scorer:
    """Scores faces with every available source.

    Args:
        model: the quantized model.
        path: its ``.qmodel.npz`` file (the float weights sit beside it).
        board: an attached board running ``model``, or ``None``.
    """

    def __init__(self, model: QuantModel, path: Path, board: BoardSession | None = None) -> None:
        self.model = model
        self.classes = list(model.classes)
        self.board = board
        self.float_net, self.float_missing = load_float(model, path)

    def sources(self) -> dict[str, dict[str, Any]]:
        """Which sources answer (``available``) and why one does not (``reason``)."""
        out: dict[str, dict[str, Any]] = {"golden": {"available": True, "reason": None}}
        out["float"] = {"available": self.float_net is not None, "reason": self.float_missing}
        out["board"] = {
            "available": self.board is not None,
            "reason": None if self.board else "no board attached (ferhil serve --board B)",
            "name": self.board.name if self.board else None,
        }
        return out

    def score(self, faces: Sequence[np.ndarray]) -> list[Scores]:
        """Return, per 48x48 uint8 face, ``{source: {class: probability}}``."""
        if not faces:
            return []
        x = pixels_to_input(np.stack(faces), self.model.input_mapping)
        scores: list[Scores] = [{} for _ in faces]
        with single_threaded():
            golden = class_probabilities(self.model, golden_run(self.model, x))
        for s, p in zip(scores, golden, strict=True):
            s["golden"] = _named(self.classes, p)
        if self.float_net is not None:
            with single_threaded():
                floats = self._float(x)
            for s, p in zip(scores, floats, strict=True):
                s["float"] = _named(self.classes, p)
        if self.board is not None:
            raw = np.asarray(self.board.score(list(x)), dtype=np.int64)
            for s, p in zip(scores, class_probabilities(self.model, raw), strict=True):
                s["board"] = _named(self.classes, p)
        return scores

    def _float(self, x: np.ndarray) -> np.ndarray:
        import torch

        from models.training.evaluate import float_outputs

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            logits = torch.from_numpy(float_outputs(self.float_net, x).astype(np.float64))
        finally:
            torch.set_num_threads(threads)
        return torch.softmax(logits, dim=1).numpy()
