"""``--limit`` is one rule everywhere: samples spread evenly, so every class is represented."""

import numpy as np

from fixtures.datasets import Dataset
from harness.run.test_set import limited
from models.training import evaluate


def _sorted_by_class(per_class: int = 10) -> Dataset:
    labels = np.repeat(np.arange(7), per_class)
    images = np.arange(len(labels) * 48 * 48, dtype=np.int64).reshape(-1, 48, 48) % 251
    return Dataset(images.astype(np.uint8), labels, [f"s{i}" for i in range(len(labels))], "t")


def test_spread_keeps_the_class_mix_and_matches_the_hil_run() -> None:
    data = _sorted_by_class()
    picked = data.spread(14)
    assert np.bincount(picked.labels, minlength=7).tolist() == [2] * 7
    assert picked.ids == limited(data, 14).ids  # run --limit and eval --limit: same images
    assert data.spread(None) is data and data.spread(1000) is data


def test_eval_limit_uses_the_spread(monkeypatch, tmp_path) -> None:
    data = _sorted_by_class()
    seen = {}
    monkeypatch.setattr(evaluate, "resolve_model_path", lambda ref: tmp_path / "m.qmodel.npz")
    monkeypatch.setattr(evaluate.qformat, "load", lambda path: type("M", (), {"metadata": {}})())
    monkeypatch.setattr(evaluate, "resolve_data", lambda spec: data)

    def fake_eval(model, d, **kwargs):
        seen["labels"] = d.labels
        return {"model": {}}

    monkeypatch.setattr(evaluate, "evaluate_arrays", fake_eval)
    evaluate.evaluate_model(None, "x", limit=21)
    assert np.bincount(seen["labels"], minlength=7).tolist() == [3] * 7
