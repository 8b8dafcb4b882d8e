"""``ferhil eval``: integer (golden) and float accuracy of a model on a labelled data set.

The headline is the single-pass integer accuracy (:func:`golden.inference.run`, bit-exact with
the accelerator). The float accuracy comes from the zoo entry's ``float_weights.npz`` (the best
float-phase weights) when present, else it is reported as ``None`` (n/a). With ``tta`` a
horizontal-flip test-time augmentation is reported separately: in integers by the device's rule
(:func:`golden.tta.combine`, ``floor((a + b) / 2)`` of the outputs of the image and its
mirror, exactly what ``ferhil run --tta hflip`` checks on the board), in float as the mean of the
two softmax outputs. It never replaces the single-pass numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from fixtures.datasets import Dataset, DatasetError
from golden import format as qformat
from golden.format import QuantModel
from golden.inference import run as golden_run
from golden.input_mapping import pixels_to_input
from golden.tta import combine, hflip
from golden.zoo import resolve_model_path
from models.training.float_weights import load_float_net
from models.training.metrics import classification_report, top_confusions
from models.training.train_data import resolve_data


def int_outputs(model: QuantModel, x_int8: np.ndarray, batch: int = 1024) -> np.ndarray:
    """Return the golden outputs ``(N, classes)`` int64 of int8-valued ``(N, 1, H, W)`` input."""
    parts = [golden_run(model, x_int8[i : i + batch]) for i in range(0, len(x_int8), batch)]
    return np.concatenate(parts) if parts else np.zeros((0, model.num_outputs), np.int64)


@torch.no_grad()
def float_outputs(net: torch.nn.Module, x_int8: np.ndarray, batch: int = 512) -> np.ndarray:
    """Return float logits of a float-mode network for int8-valued input (scaled by 1/128)."""
    net.eval()
    out = []
    for i in range(0, len(x_int8), batch):
        xb = torch.from_numpy(x_int8[i : i + batch].astype(np.float32) / 128.0)
        out.append(net(xb).numpy())
    return np.concatenate(out) if out else np.zeros((0, 7), np.float32)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def evaluate_arrays(
    model: QuantModel,
    data: Dataset,
    *,
    float_net: torch.nn.Module | None = None,
    tta: bool = False,
) -> dict[str, Any]:
    """Evaluate ``model`` (and optionally its float network) on ``data``; return the report."""
    classes = list(model.classes)
    x = pixels_to_input(data.images, model.input_mapping)
    labels = data.labels
    out_i = int_outputs(model, x)
    report: dict[str, Any] = {
        "model": {"name": model.name, "version": model.version, "hash": model.hash()},
        "dataset": {"name": data.name, "hash": data.hash, "samples": len(data)},
        "accuracy_int8": None,
        "int8": classification_report(labels, out_i.argmax(axis=1), classes),
        "accuracy_float": None,
        "float": None,
        "tta": None,
    }
    report["accuracy_int8"] = report["int8"]["accuracy"]
    report["top_confusions_int8"] = top_confusions(
        np.array(report["int8"]["confusion"]), classes, 5
    )
    out_f = None
    if float_net is not None:
        out_f = float_outputs(float_net, x)
        report["float"] = classification_report(labels, out_f.argmax(axis=1), classes)
        report["accuracy_float"] = report["float"]["accuracy"]
    if tta:
        flipped = hflip(x)
        tta_i = combine(out_i, int_outputs(model, flipped))
        tta_report: dict[str, Any] = {
            "kind": "hflip (floor((a + b) / 2) of the outputs of image and mirror, golden/tta.py)",
            "accuracy_int8": float(np.mean(tta_i.argmax(axis=1) == labels)),
            "accuracy_float": None,
        }
        if float_net is not None and out_f is not None:
            probs = _softmax(out_f) + _softmax(float_outputs(float_net, flipped))
            tta_report["accuracy_float"] = float(np.mean(probs.argmax(axis=1) == labels))
        report["tta"] = tta_report
    return report


def evaluate_model(
    ref: str | None, data_spec: str, *, tta: bool = False, limit: int | None = None
) -> dict[str, Any]:
    """Resolve a model reference and a data set and evaluate (see :func:`evaluate_arrays`).

    Raises:
        ZooError / ModelFormatError / DatasetError: for an unknown model or unreadable data.
    """
    if limit is not None and limit < 1:
        raise DatasetError(f"--limit {limit}: give a number of samples >= 1 (or no --limit)")
    path = resolve_model_path(ref)
    model = qformat.load(path)
    data = resolve_data(data_spec)
    if len(data) == 0:
        raise DatasetError(f"data set {data.name!r} has no samples; nothing to evaluate")
    if limit is not None:
        data = data.spread(limit, name=f"{data.name} ({limit} spread evenly, as run --limit)")
    config = model.metadata.get("config")
    float_net = load_float_net(path.parent, config) if isinstance(config, dict) else None
    report = evaluate_arrays(model, data, float_net=float_net, tta=tta)
    report["model"]["path"] = str(path)
    return report


def _pct(v: Any) -> str:
    return "n/a" if v is None else f"{100 * v:.2f} %"


def format_report(report: dict[str, Any]) -> str:
    """Return a human-readable summary of an evaluation report."""
    m, d, i8 = report["model"], report["dataset"], report["int8"]
    lines = [
        f"model   {m['name']} v{m['version']} ({m['hash'][:16]})",
        f"data    {d['name']} ({d['samples']} samples, sha256 {d['hash'][:16]})",
        f"int8 accuracy (golden, single pass)  {_pct(report['accuracy_int8'])}",
        f"float accuracy                       {_pct(report['accuracy_float'])}",
        f"int8 macro precision / recall / F1   {_pct(i8['macro_precision'])} / "
        f"{_pct(i8['macro_recall'])} / {_pct(i8['macro_f1'])}",
        "per-class int8 accuracy: "
        + ", ".join(f"{c} {_pct(v)}" for c, v in i8["per_class_accuracy"].items()),
        "most frequent confusions: " + "; ".join(report["top_confusions_int8"]),
    ]
    if report["tta"]:
        t = report["tta"]
        lines.append(
            f"TTA ({t['kind']}): int8 {_pct(t['accuracy_int8'])}, float {_pct(t['accuracy_float'])}"
        )
    return "\n".join(lines)
