"""Classification metrics in numpy: accuracy, confusion matrix, macro precision/recall/F1.

Shared by ``ferhil eval`` and the harness. Rows of a confusion matrix are true classes, columns
predicted classes. Per class: recall (= per-class accuracy) is ``nan`` without true samples,
precision is ``nan`` when the class is never predicted, F1 ``= 2TP / (2TP + FP + FN)`` is ``nan``
only when the class neither occurs nor is predicted. Macro averages run over the classes that
occur in the labels or the predictions, counting an undefined value as 0 (scikit-learn's
``zero_division=0`` convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Return the ``(num_classes, num_classes)`` int64 count matrix, rows = true labels."""
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels {labels.shape} and predictions {predicted.shape} differ")
    if labels.size and (
        min(labels.min(), predicted.min()) < 0 or max(labels.max(), predicted.max()) >= num_classes
    ):
        raise ValueError(f"labels and predictions must lie in 0..{num_classes - 1}")
    flat = labels * num_classes + predicted
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Return the fraction of equal entries (``nan`` for no samples)."""
    labels = np.asarray(labels)
    if labels.size == 0:
        return float("nan")
    return float(np.mean(labels == np.asarray(predicted)))


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def per_class_recall(confusion: np.ndarray) -> np.ndarray:
    """Return the per-class accuracy (recall) ``diag / row sum``; ``nan`` for empty rows."""
    c = np.asarray(confusion, dtype=np.float64)
    return _safe_div(np.diag(c), c.sum(axis=1))


def per_class_precision(confusion: np.ndarray) -> np.ndarray:
    """Return ``diag / column sum`` per class; ``nan`` for classes never predicted."""
    c = np.asarray(confusion, dtype=np.float64)
    return _safe_div(np.diag(c), c.sum(axis=0))


def per_class_f1(confusion: np.ndarray) -> np.ndarray:
    """Return the per-class F1 (``nan`` where precision or recall is undefined)."""
    c = np.asarray(confusion, dtype=np.float64)
    tp = np.diag(c)
    den = c.sum(axis=0) + c.sum(axis=1)  # 2TP + FP + FN
    return _safe_div(2 * tp, den)


def _macro(values: np.ndarray, active: np.ndarray) -> float:
    if not active.any():
        return float("nan")
    return float(np.nan_to_num(values[active], nan=0.0).mean())


def classification_report(
    labels: np.ndarray, predicted: np.ndarray, classes: Sequence[str]
) -> dict[str, Any]:
    """Return every metric as a JSON-ready dict.

    Keys: ``samples``, ``accuracy``, ``macro_precision``, ``macro_recall``, ``macro_f1``,
    ``per_class_accuracy`` ({class: recall}), ``per_class_precision``, ``per_class_f1``,
    ``confusion`` (list of lists, rows = true class). Undefined values are ``None``.
    """
    k = len(classes)
    conf = confusion_matrix(labels, predicted, k)
    prec, rec, f1 = per_class_precision(conf), per_class_recall(conf), per_class_f1(conf)
    active = (conf.sum(axis=0) + conf.sum(axis=1)) > 0

    def clean(v: float) -> float | None:
        return None if np.isnan(v) else float(v)

    return {
        "samples": int(np.asarray(labels).size),
        "accuracy": clean(accuracy(labels, predicted)),
        "macro_precision": clean(_macro(prec, active)),
        "macro_recall": clean(_macro(rec, active)),
        "macro_f1": clean(_macro(f1, active)),
        "per_class_accuracy": {c: clean(v) for c, v in zip(classes, rec, strict=True)},
        "per_class_precision": {c: clean(v) for c, v in zip(classes, prec, strict=True)},
        "per_class_f1": {c: clean(v) for c, v in zip(classes, f1, strict=True)},
        "confusion": conf.tolist(),
    }


def top_confusions(confusion: np.ndarray, classes: Sequence[str], n: int = 5) -> list[str]:
    """Return the ``n`` largest off-diagonal cells as ``"true -> predicted: count (share)"``."""
    c = np.asarray(confusion, dtype=np.int64)
    off = c.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(off, axis=None)[::-1][:n]
    rows = c.sum(axis=1)
    out = []
    for flat in order:
        i, j = divmod(int(flat), c.shape[1])
        if off[i, j] == 0:
            break
        out.append(f"{classes[i]} -> {classes[j]}: {off[i, j]} ({off[i, j] / max(rows[i], 1):.1%})")
    return out
