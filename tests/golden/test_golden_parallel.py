from __future__ import annotations

import numpy as np
import pytest

import golden.inference as inference
from golden.inference import run
from golden.parallel import map_chunks, worker_count
from golden.synthetic import random_legal_model


def test_worker_count_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERHIL_GOLDEN_THREADS", "3")
    assert worker_count() == 3
    monkeypatch.setenv("FERHIL_GOLDEN_THREADS", "zero")
    assert worker_count() >= 1


@pytest.mark.parametrize("threads", ["1", "4"])
def test_map_chunks_keeps_order(threads: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FERHIL_GOLDEN_THREADS", threads)
    assert map_chunks(lambda i: i * i, range(20)) == [i * i for i in range(20)]
    assert map_chunks(lambda i: i, []) == []


def test_threaded_run_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(9)
    model = random_legal_model(rng, input_shape=(1, 24, 24), max_layers=5)
    x = rng.integers(-128, 128, (37, 1, 24, 24)).astype(np.int8)
    monkeypatch.setattr(inference, "CHUNK_BYTES", 1)  # one image per chunk
    monkeypatch.setenv("FERHIL_GOLDEN_THREADS", "1")
    serial = run(model, x)
    monkeypatch.setenv("FERHIL_GOLDEN_THREADS", "4")
    np.testing.assert_array_equal(run(model, x), serial)
    assert serial.shape == (37, 7)
