"""Faces of the flipped samples reach ``comparison.html`` from the recorded data set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from regression_testkit import results

from ferhil.cli import main
from harness.regression.flip_images import changed_sample_images
from harness.run.test_set import generated_dataset
from reports.comparison.thumbnails import image_data_uri


def _on_generated_set(doc: dict[str, Any], right: Any) -> dict[str, Any]:
    """Samples ``gen-i`` of the generated set; sample i is right when ``right(i)``."""
    doc["dataset"] = dict(doc["dataset"], generated=True, path=None)
    for i, sample in enumerate(doc["samples"]):
        label = i % 7
        sample.update(id=f"gen-{i:04d}", index=i, label=label, status="ok", error=None)
        sample["predicted"] = label if right(i) else (label + 1) % 7
    return doc


def _pair() -> tuple[dict[str, Any], dict[str, Any]]:
    base = _on_generated_set(results("r1", version="1", n=24), lambda i: i % 2 == 0)
    new = _on_generated_set(
        results("r2", version="2", n=24, started="2026-11-21T10:00:00+00:00"),
        lambda i: i % 4 in (0, 1),
    )
    return base, new


def test_only_changed_samples_get_their_faces() -> None:
    base, new = _pair()
    images = changed_sample_images(base, new)
    assert sorted(images) == [i for i in range(24) if i % 4 in (1, 2)]
    data = generated_dataset()
    assert all(np.array_equal(images[i], data.images[i]) for i in images)
    new["dataset"] = dict(new["dataset"], generated=False, path="/nonexistent/set.npz")
    assert changed_sample_images(base, new) == {}  # gone data set: a page without images


def test_ferhil_history_comparison_shows_both_flip_lists_with_faces(tmp_path: Path) -> None:
    base, new = _pair()
    for name, doc in (("a", base), ("b", new)):
        (tmp_path / "in" / name).mkdir(parents=True)
        (tmp_path / "in" / name / "results.json").write_text(json.dumps(doc))
    out = tmp_path / "pages"
    argv = ["history", "--db", str(tmp_path / "h.sqlite"), "--out", str(out)]
    assert main([*argv, "--import", str(tmp_path / "in")]) in (0, 1)
    html = (out / "comparison.html").read_text()
    lost = html[html.index('id="flipped-lost"') : html.index('id="flipped-gained"')]
    gained = html[html.index('id="flipped-gained"') : html.index('<section id="changed">')]
    data = generated_dataset()
    for i in range(24):
        uri = image_data_uri(data.images[i])
        assert (uri in lost) == (i % 4 == 2), i  # right -> wrong
        assert (uri in gained) == (i % 4 == 1), i  # wrong -> right
