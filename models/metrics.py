"""Classification metrics in numpy: accuracy, confusion matrix, macro precision/recall/F1.

Shared by ``ferhil eval`` and the harness. Rows of a confusion matrix are true classes, columns
predicted classes. A class with no true samples has recall ``nan`` (and is left out of the macro
recall and F1 averages); a class never predicted has precision ``nan`` (left out likewise).
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
    p = per_class_precision(confusion)
    r = per_class_recall(confusion)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p) & ~np.isnan(r)
    den = p + r
    out[ok] = np.where(den[ok] > 0, 2 * p[ok] * r[ok] / np.where(den[ok] > 0, den[ok], 1), 0.0)
    return out


def _nanmean(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if finite.size else float("nan")


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

    def clean(v: float) -> float | None:
        return None if np.isnan(v) else float(v)

    return {
        "samples": int(np.asarray(labels).size),
        "accuracy": clean(accuracy(labels, predicted)),
        "macro_precision": clean(_nanmean(prec)),
        "macro_recall": clean(_nanmean(rec)),
        "macro_f1": clean(_nanmean(f1)),
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
