"""Generic test sets (``--dataset`` npz with int8 ``inputs`` and ``labels``) and run inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from harness_testkit import small_model

from fixtures.datasets import DatasetError
from fixtures.tensor_dataset import is_tensor_archive, load_tensor_dataset
from golden.input_mapping import pixels_to_input
from golden.random_graphs import KINDS, random_graph
from harness.errors import ConfigError
from harness.run.run_inputs import run_classes, run_inputs
from harness.run.test_set import generated_dataset, select_test_set


def _save(path: Path, inputs: np.ndarray, labels: np.ndarray, **extra: np.ndarray) -> Path:
    np.savez(path, inputs=inputs, labels=labels, **extra)
    return path


def test_generic_set_loads_with_ids_hash_and_limit(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    xs = rng.integers(-128, 128, (10, 2, 16), dtype=np.int64)  # int64 holding int8 values
    path = _save(
        tmp_path / "kws.npz", xs, np.arange(10) % 3, ids=np.array([f"s{i}" for i in range(10)])
    )
    assert is_tensor_archive(path)
    ts = select_test_set(path, limit=4)
    ds = ts.dataset
    assert not ts.generated and ts.samples_total == 10 and ts.note == "kws"
    assert ds.inputs.dtype == np.int8 and ds.inputs.shape == (4, 2, 16)
    assert ds.ids == ["s0", "s3", "s6", "s9"]
    np.testing.assert_array_equal(ds.inputs, xs[[0, 3, 6, 9]])
    other = load_tensor_dataset(_save(tmp_path / "b.npz", xs + (xs < 127), np.arange(10) % 3))
    assert other.hash != load_tensor_dataset(path).hash, "the hash follows the inputs"


def test_fer_archives_are_not_generic_sets(tmp_path: Path) -> None:
    ds = generated_dataset(3)
    np.savez(tmp_path / "fer.npz", images=ds.images, labels=ds.labels)
    assert not is_tensor_archive(tmp_path / "fer.npz")
    assert select_test_set(tmp_path / "fer.npz").dataset.hash == ds.hash


@pytest.mark.parametrize(
    ("inputs", "labels", "message"),
    [
        (np.full((2, 1, 4), 128), [0, 1], "-128..127"),
        (np.full((2, 1, 4), 0.5), [0, 1], "whole numbers"),
        (np.zeros((2, 4)), [0, 1], r"\(N, C, H, W\) or \(N, C, L\)"),
        (np.zeros((3, 1, 4)), [0, 1], r"\(N, C, H, W\) or \(N, C, L\)"),
        (np.zeros((2, 1, 4)), [0, -1], ">= 0"),
        (np.zeros((2, 1, 4)), [0.5, 1], "whole class indices"),
    ],
)
def test_bad_generic_sets_are_refused_clearly(
    tmp_path: Path, inputs: np.ndarray, labels: list[float], message: str
) -> None:
    path = _save(tmp_path / "bad.npz", inputs, np.asarray(labels))
    with pytest.raises(DatasetError, match=message):
        select_test_set(path)


def test_generic_set_without_labels_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "x.npz", inputs=np.zeros((2, 1, 4), np.int8))
    with pytest.raises(DatasetError, match="'inputs' and 'labels'"):
        load_tensor_dataset(tmp_path / "x.npz")


def test_run_inputs_feed_tensors_and_check_the_model_shape(tmp_path: Path) -> None:
    model = random_graph(KINDS.index("conv1d"))
    assert len(model.input_shape) == 2
    rng = np.random.default_rng(1)
    xs = rng.integers(-128, 128, (5, *model.input_shape))
    ds = select_test_set(_save(tmp_path / "a.npz", xs, np.arange(5) % 2)).dataset
    assert not model.classes  # generic sets name the outputs of a model without class names
    n_classes = len(run_classes(model, ds))
    assert n_classes == model.num_outputs and run_classes(model) == []
    got = run_inputs(ds, model)
    assert got.shape == (5, *model.input_shape)
    np.testing.assert_array_equal(got, xs)
    wrong = np.zeros((5, model.input_shape[0] + 1, model.input_shape[1]), np.int8)
    bad = select_test_set(_save(tmp_path / "w.npz", wrong, np.zeros(5, np.int64))).dataset
    with pytest.raises(ConfigError, match="model's input shape"):
        run_inputs(bad, model)
    too_big = select_test_set(_save(tmp_path / "l.npz", xs, np.full(5, n_classes))).dataset
    with pytest.raises(ConfigError, match=f"labels must be 0..{n_classes - 1}"):
        run_inputs(too_big, model)


def test_fer_sets_still_map_pixels() -> None:
    model = small_model()
    ds = generated_dataset(4)
    np.testing.assert_array_equal(
        run_inputs(ds, model), pixels_to_input(ds.images, model.input_mapping)
    )
    assert run_classes(model, ds) == list(model.classes)
