"""The generated C of graph models (every operator) equals golden inference exactly."""

from __future__ import annotations

import numpy as np
import pytest
from firmware_testlib import DriverRunner

from golden.inference import run
from golden.random_graphs import KINDS, random_graph, random_input


@pytest.mark.parametrize(
    "seed", range(2 * len(KINDS)), ids=lambda s: f"{KINDS[s % len(KINDS)]}-{s}"
)
def test_generated_c_of_random_graphs_matches_golden(seed: int, cnn_driver: DriverRunner) -> None:
    model = random_graph(seed)
    x = np.stack([random_input(model, seed + k) for k in range(4)])
    np.testing.assert_array_equal(cnn_driver(model, x), run(model, x))
