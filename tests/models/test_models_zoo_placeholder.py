"""The placeholder zoo model fercnn-v1: present, legal, small, exportable, accuracy as recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fixtures.paths import fer2013_file
from golden.inference import run
from golden.input_mapping import pixels_to_input
from golden.legality import check_model
from golden.zoo import load_model
from models.export.export_ai8x import export_ai8x
from models.export.import_ai8x import import_ai8x
from models.nn.network import from_quant_model

ZOO = Path(__file__).resolve().parents[2] / "models" / "zoo" / "fercnn-v1"


def test_placeholder_is_legal_small_and_labelled() -> None:
    model = load_model(str(ZOO / "model.qmodel.npz"))
    check_model(model)
    assert (ZOO / "model.qmodel.npz").stat().st_size < 2 * 1024 * 1024
    assert model.input_shape == (1, 48, 48) and len(model.classes) == 7
    assert model.metadata.get("placeholder") is True
    assert "PLACEHOLDER" in (ZOO / "CARD.md").read_text()
    assert (ZOO / "config.yaml").is_file()


def test_placeholder_round_trips_through_ai8x_and_simulate(tmp_path: Path) -> None:
    model = load_model(str(ZOO / "model.qmodel.npz"))
    paths = export_ai8x(model, tmp_path)
    assert import_ai8x(paths.checkpoint, paths.network_yaml).hash() == model.hash()
    x = np.random.default_rng(0).integers(-128, 128, (4, 1, 48, 48)).astype(np.int8)
    np.testing.assert_array_equal(from_quant_model(model).simulate(x), run(model, x))


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.skipif(fer2013_file("publictest") is None, reason="FER2013 PublicTest not present")
def test_placeholder_accuracy_matches_card() -> None:
    model = load_model(str(ZOO / "model.qmodel.npz"))
    path = fer2013_file("publictest")
    assert path is not None
    with np.load(path) as data:
        x, y = pixels_to_input(data["images"]), data["labels"]
    acc = float((run(model, x).argmax(axis=1) == y).mean())
    assert round(acc, 4) == model.metadata["publictest_int8_accuracy"]
    assert f"{acc:.4f}" in (ZOO / "CARD.md").read_text()
    assert acc > 1 / 7 + 0.1  # clearly better than chance
