"""Zoo resolution, model file round trip and the ``inspect`` / ``golden`` CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ferhil.cli import main
from golden.format import ModelFormatError, QuantModel, load, save
from golden.inference import run
from golden.synthetic import fer_like_model, random_legal_model
from golden.zoo import ZooError, list_zoo, load_model, resolve_model_path, zoo_root


def small_model(seed: int, created: str | None = None) -> QuantModel:
    model = random_legal_model(np.random.default_rng(seed), max_layers=3, max_channels=4)
    if created:
        model.metadata["created"] = created
    return model


@pytest.fixture
def zoo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "zoo"
    monkeypatch.setenv("FERHIL_ZOO", str(root))
    return root


def test_round_trip_and_hash_stability(tmp_path: Path) -> None:
    model = small_model(1)
    path = save(model, tmp_path / "m")
    assert path.name == "m.qmodel.npz"
    loaded = load(path)
    assert loaded.hash() == model.hash()
    assert [layer.meta() for layer in loaded.layers] == [layer.meta() for layer in model.layers]
    x = np.random.default_rng(2).integers(-128, 128, (2, 1, 48, 48)).astype(np.int8)
    np.testing.assert_array_equal(run(loaded, x), run(model, x))
    # metadata and name do not change the hash; a weight does
    loaded.metadata["note"] = "x"
    loaded.name = "renamed"
    assert loaded.hash() == model.hash()
    loaded.layers[0].weights = loaded.layers[0].weights.copy()
    w = loaded.layers[0].weights
    w.flat[0] = 0 if w.flat[0] != 0 else -1
    assert loaded.hash() != model.hash()
    assert len(model.short_hash) == 16


def test_load_rejects_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.qmodel.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError, match="not a ferhil quantized model"):
        load(bad)


def test_zoo_newest_by_created_then_name(zoo: Path) -> None:
    save(small_model(1, "2026-01-01T00:00:00Z"), zoo / "b" / "model.qmodel.npz")
    save(small_model(2, "2026-02-01T00:00:00Z"), zoo / "a" / "model.qmodel.npz")
    save(small_model(3, "2026-02-01T00:00:00Z"), zoo / "c" / "model.qmodel.npz")
    (zoo / "empty").mkdir()
    assert zoo_root() == zoo
    assert [e.name for e in list_zoo()] == ["b", "a", "c"]
    assert resolve_model_path(None) == zoo / "c" / "model.qmodel.npz"
    assert resolve_model_path("a") == zoo / "a" / "model.qmodel.npz"
    assert resolve_model_path(str(zoo / "b")) == zoo / "b" / "model.qmodel.npz"
    assert load_model("b").hash() == small_model(1).hash()
    with pytest.raises(ZooError, match="zoo models: a, b, c"):
        resolve_model_path("nope")


def test_empty_zoo_says_how_to_make_one(zoo: Path) -> None:
    with pytest.raises(ZooError, match="empty; train and export"):
        resolve_model_path(None)
    with pytest.raises(ZooError, match="'x' is neither a file nor a zoo name"):
        resolve_model_path("x")


def test_cli_inspect_table_and_json(zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = fer_like_model(np.random.default_rng(0))
    save(model, zoo / "fer" / "model.qmodel.npz")
    assert main(["inspect"]) == 0
    out = capsys.readouterr().out
    assert "Weight memory: 162,416 bytes out of 442,368 bytes total (37%)" in out
    assert "Bias memory: 407 bytes out of 2,048 bytes total" in out
    assert "simulated" in out and "conv5" in out and "MACs per inference: 29,990,880" in out
    assert main(["inspect", "--model", "fer", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["legal"] and info["hash"] == model.hash()
    assert info["weight_bytes"] == 162_416 and len(info["layers"]) == len(model.layers)
    assert info["simulated"]["simulated"] is True


def test_cli_inspect_reports_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = small_model(4)
    model.layers[0].output_shift = 40
    path = save(model, tmp_path / "bad")
    assert main(["inspect", "--model", str(path)]) == 1
    assert "total shift" in capsys.readouterr().out


def test_cli_unknown_model(zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "--model", "missing"]) == 2
    assert "neither a file nor a zoo name" in capsys.readouterr().err


def test_cli_golden(tmp_path: Path, zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = small_model(5)
    save(model, zoo / "m" / "model.qmodel.npz")
    x = np.random.default_rng(0).integers(-128, 128, (4, 1, 48, 48)).astype(np.int16)
    np.save(tmp_path / "x.npy", x)
    assert (
        main(["golden", "--input", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y.npy")]) == 0
    )
    y = np.load(tmp_path / "y.npy")
    assert y.dtype == np.int64 and y.shape == (4, 7, 1, 1)
    np.testing.assert_array_equal(y.reshape(4, 7), run(model, x))
    np.save(tmp_path / "one.npy", x[0].astype(np.int8))
    assert (
        main(
            [
                "golden",
                "--model",
                "m",
                "--input",
                str(tmp_path / "one.npy"),
                "--out",
                str(tmp_path / "y1.npy"),
            ]
        )
        == 0
    )
    assert np.load(tmp_path / "y1.npy").shape == (1, 7, 1, 1)
    capsys.readouterr()


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((1, 1, 48, 48), np.float32), "float32 values"),
        (np.full((1, 1, 48, 48), 300, np.int16), "values in [300, 300]"),
        (np.zeros((1, 1, 40, 48), np.int8), "does not match the model"),
    ],
)
def test_cli_golden_rejects_bad_input(
    tmp_path: Path, zoo: Path, capsys: pytest.CaptureFixture[str], array: np.ndarray, message: str
) -> None:
    save(small_model(6), zoo / "m" / "model.qmodel.npz")
    np.save(tmp_path / "x.npy", array)
    assert (
        main(["golden", "--input", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y.npy")]) == 2
    )
    assert message in capsys.readouterr().err
    assert not (tmp_path / "y.npy").exists()


def test_load_rejects_missing_arrays(tmp_path: Path) -> None:
    path = save(small_model(7), tmp_path / "m")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files if k != "L0.weights"}
    broken = tmp_path / "broken.qmodel.npz"
    np.savez_compressed(broken, **arrays)
    with pytest.raises(ModelFormatError, match="incomplete or malformed"):
        load(broken)
