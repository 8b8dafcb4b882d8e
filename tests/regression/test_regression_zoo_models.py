"""Done-when of the regression statistics on real zoo models (golden inference, bit-exact).

* fercnn-v3 -> fercnn-v4 on the same 300 FER2013 images (``run --limit 300``'s stratified
  choice): v4 is 4.67 points better; neutral's small drop is noise, so no regression is reported.
* a deliberately worse v4 (one layer's bias zeroed) is caught with p < 0.01, on FER2013 and,
  always (no data needed), on synthetic block images labelled by v4's own predictions.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fixtures.datasets import CLASSES
from fixtures.paths import fer2013_file
from golden.format import QuantModel
from golden.inference import run
from golden.input_mapping import pixels_to_input
from golden.zoo import ZooError, load_model
from harness.regression.compare import compare_documents
from harness.regression.limits import RegressionLimits
from harness.run.test_set import select_test_set

BROKEN_LAYER = 1  # zeroing this layer's bias costs fercnn-v4 about 14 points on FER2013


def _model(name: str) -> QuantModel:
    try:
        return load_model(name)
    except ZooError as exc:
        pytest.skip(f"zoo model {name} not available: {exc}")


def _predict(model: QuantModel, images: np.ndarray) -> np.ndarray:
    outputs = run(model, pixels_to_input(images, model.input_mapping))
    return np.asarray(outputs).reshape(len(images), -1).argmax(axis=1)


def zero_bias(model: QuantModel, layer: int = BROKEN_LAYER) -> QuantModel:
    """``model`` with one layer's bias set to zero (a deliberately worse model)."""
    old = model.layers[layer]
    assert old.bias is not None
    layers = list(model.layers)
    layers[layer] = dataclasses.replace(old, bias=np.zeros_like(old.bias))
    return dataclasses.replace(model, layers=layers)


def document(labels: np.ndarray, predicted: np.ndarray, dataset_hash: str) -> dict:
    """A results document with the per-sample outcomes and the summary figures they imply."""
    n = len(CLASSES)
    confusion = np.zeros((n, n), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = {
        name: float(confusion[i, i] / confusion[i].sum()) if confusion[i].sum() else None
        for i, name in enumerate(CLASSES)
    }
    samples = [
        {"index": i, "id": f"s{i}", "label": int(y), "predicted": int(p), "status": "ok"}
        for i, (y, p) in enumerate(zip(labels, predicted, strict=True))
    ]
    summary = {
        "samples": len(labels),
        "matched_golden": len(labels),
        "accuracy": float(np.mean(labels == predicted)),
        "per_class_accuracy": per_class,
        "confusion": confusion.tolist(),
    }
    return {"dataset": {"hash": dataset_hash}, "samples": samples, "summary": summary}


def _checks(verdict) -> dict:
    return {c.metric: c for c in verdict.checks}


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.skipif(fer2013_file("publictest") is None, reason="needs FER2013 PublicTest")
def test_v3_to_v4_is_no_regression_and_a_broken_model_is_caught_on_fer2013() -> None:
    v3, v4 = _model("fercnn-v3"), _model("fercnn-v4")
    data = select_test_set(None, 300).dataset
    labels = data.labels
    base = document(labels, _predict(v3, data.images), data.hash)
    new = document(labels, _predict(v4, data.images), data.hash)
    verdict = compare_documents(base, new, RegressionLimits())
    checks = _checks(verdict)
    assert verdict.paired and checks["accuracy"].delta == "+4.67 pp"
    neutral = checks["accuracy[neutral]"]
    assert neutral.delta.startswith("-") and neutral.verdict == "pass", verdict.table()
    assert verdict.passed, verdict.table()

    broken = document(labels, _predict(zero_bias(v4), data.images), data.hash)
    caught = compare_documents(new, broken, RegressionLimits())
    overall = _checks(caught)["accuracy"]
    assert overall.verdict == "FAIL" and overall.stats is not None
    assert overall.stats.p_value < 0.01, caught.table()


def blob_images(n: int, seed: int = 7) -> np.ndarray:
    """``n`` data-independent 48x48 images: random 6x6 grey blocks, 8x8 pixels each.

    Unlike pixel noise (which fercnn-v4 calls "neutral" every time) these spread over several
    classes, so a broken layer shows.
    """
    blocks = np.random.default_rng(seed).integers(0, 256, size=(n, 6, 6))
    return np.kron(blocks, np.ones((8, 8), dtype=np.int64)).astype(np.uint8)


def test_broken_model_is_caught_without_data() -> None:
    v4 = _model("fercnn-v4")
    images = blob_images(150)  # labelled by v4's own predictions: v4 is 100 % "right"
    reference = _predict(v4, images)
    base = document(reference, reference, "blobs-7")
    same = compare_documents(base, document(reference, reference, "blobs-7"), RegressionLimits())
    assert same.passed and _checks(same)["accuracy"].stats.p_value == 1.0
    broken = document(reference, _predict(zero_bias(v4), images), "blobs-7")
    caught = compare_documents(base, broken, RegressionLimits())
    overall = _checks(caught)["accuracy"]
    assert overall.verdict == "FAIL" and overall.stats is not None
    assert overall.stats.p_value < 0.01 and overall.stats.high < 0, caught.table()
