"""models.training.metrics against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np

from models.training.metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    top_confusions,
)


def test_confusion_and_accuracy_by_hand() -> None:
    y = np.array([0, 0, 1, 1, 1, 2])
    p = np.array([0, 1, 1, 1, 0, 1])
    c = confusion_matrix(y, p, 3)
    assert c.tolist() == [[1, 1, 0], [1, 2, 0], [0, 1, 0]]
    assert accuracy(y, p) == 3 / 6


def test_report_by_hand() -> None:
    y = np.array([0, 0, 1, 1, 1, 2])
    p = np.array([0, 1, 1, 1, 0, 1])
    r = classification_report(y, p, ["a", "b", "c"])
    # precision: a 1/2, b 2/4, c never predicted -> undefined (0 in the macro average)
    assert r["per_class_precision"] == {"a": 0.5, "b": 0.5, "c": None}
    # recall: a 1/2, b 2/3, c 0/1
    assert r["per_class_accuracy"]["a"] == 0.5
    assert math.isclose(r["per_class_accuracy"]["b"], 2 / 3)
    assert r["per_class_accuracy"]["c"] == 0.0
    # F1 = 2TP / (2TP + FP + FN): a 2/4, b 4/7, c 0/1
    assert math.isclose(r["per_class_f1"]["b"], 4 / 7)
    assert math.isclose(r["macro_precision"], (0.5 + 0.5 + 0) / 3)
    assert math.isclose(r["macro_recall"], (0.5 + 2 / 3 + 0) / 3)
    assert math.isclose(r["macro_f1"], (0.5 + 4 / 7 + 0) / 3)
    assert r["samples"] == 6


def test_absent_class_is_left_out_of_macro() -> None:
    r = classification_report(np.array([0, 1]), np.array([0, 1]), ["a", "b", "c"])
    assert r["macro_f1"] == 1.0 and r["per_class_accuracy"]["c"] is None


def test_top_confusions() -> None:
    c = np.array([[5, 3, 0], [1, 4, 0], [0, 0, 2]])
    assert top_confusions(c, ["a", "b", "c"], 2) == ["a -> b: 3 (37.5%)", "b -> a: 1 (20.0%)"]
