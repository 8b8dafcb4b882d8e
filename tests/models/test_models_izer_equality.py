"""Golden inference equals izer's own simulation (``--sample-numpy-filename``) exactly.

Three ADI-trained checkpoints (MNIST, CIFAR-10, KWS20 v3, with ADI's sample inputs) imported by
``models.export.import_ai8x``, and random legal graphs (residual, element-wise, concat, 1-D,
transposed,
multi-output, multi-pass) exported by ``models.export.export_ai8x``. izer runs once per case per
test
session, several processes at a time, in temporary folders; the tests skip when izer is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from firmware.builder.izer import IzerInstall
from firmware.builder.izer_batch import IzerJob, run_izer_batch
from golden.inference import run_outputs
from golden.random_graphs import KINDS, random_graph, random_input
from models.export.export_ai8x import export_ai8x
from models.export.import_ai8x import import_ai8x

pytestmark = pytest.mark.slow

#: name -> (checkpoint, network YAML, ADI sample input, input shape), as gen-demos-max78000.sh.
TRAINED = {
    "mnist": ("ai85-mnist-qat8-q.pth.tar", "mnist-chw-ai85.yaml", "sample_mnist.npy", (1, 28, 28)),
    "cifar10": (
        "ai85-cifar10-qat8-q.pth.tar", "cifar10-nas.yaml", "sample_cifar-10.npy", (3, 32, 32)
    ),
    "kws20_v3": (
        "ai85-kws20_v3-qat8-q.pth.tar", "kws20-v3-hwc.yaml", "sample_kws_20.npy", (128, 128)
    ),
}  # fmt: skip
RANDOM_SEEDS = range(7 * len(KINDS))  # 56 graphs, 7 of each kind
WORKERS = 4


@dataclass(frozen=True)
class Case:
    checkpoint: Path
    network_yaml: Path
    sample: Path
    input_shape: tuple[int, ...] | None = None


@pytest.fixture(scope="session")
def izer_results(
    izer_install: IzerInstall, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Case, np.ndarray | Exception]]:
    """Every case's izer output (or the error izer raised), computed once per session."""
    root = tmp_path_factory.mktemp("izer_equality")
    base = izer_install.root
    cases: dict[str, Case] = {
        name: Case(base / "trained" / ck, base / "networks" / net, base / "tests" / s, shape)
        for name, (ck, net, s, shape) in TRAINED.items()
    }
    for seed in RANDOM_SEEDS:
        model = random_graph(seed)
        paths = export_ai8x(model, root / f"rand{seed}", sample_input=random_input(model, seed))
        cases[f"rand{seed}"] = Case(paths.checkpoint, paths.network_yaml, paths.sample_input)
    jobs = [
        IzerJob(
            (
                "--device", "MAX78000", "--checkpoint-file", str(case.checkpoint),
                "--config-file", str(case.network_yaml), "--test-dir", str(root / name),
                "--prefix", "t", "--sample-input", str(case.sample),
                "--sample-numpy-filename", "out.npy",
            ),
            base,
            root / f"{name}.log",
        )
        for name, case in cases.items()
    ]  # fmt: skip
    errors = run_izer_batch(izer_install, jobs, workers=WORKERS)
    return {
        name: (case, err if err is not None else np.load(root / name / "t" / "out.npy"))
        for (name, case), err in zip(cases.items(), errors, strict=True)
    }


def _check(name: str, izer_results: dict[str, tuple[Case, np.ndarray | Exception]]) -> None:
    case, expected = izer_results[name]
    if isinstance(expected, Exception):
        raise expected
    model = import_ai8x(case.checkpoint, case.network_yaml, input_shape=case.input_shape)
    x = np.load(case.sample).astype(np.int64)
    got = list(run_outputs(model, x[None]).values())[-1][0]
    assert got.size == expected.size, f"{name}: golden {got.shape} vs izer {expected.shape}"
    np.testing.assert_array_equal(got.reshape(expected.shape), expected, err_msg=name)
    assert np.any(expected != 0) or name.startswith("rand"), f"{name}: izer output is all zero"


@pytest.mark.parametrize("name", list(TRAINED))
def test_adi_trained_checkpoint_matches_izer(name: str, izer_results: dict) -> None:
    _check(name, izer_results)


@pytest.mark.parametrize("seed", RANDOM_SEEDS, ids=lambda s: f"{KINDS[s % len(KINDS)]}-{s}")
def test_random_graph_matches_izer(seed: int, izer_results: dict) -> None:
    _check(f"rand{seed}", izer_results)
    model = random_graph(seed)
    back = import_ai8x(
        *(izer_results[f"rand{seed}"][0].checkpoint,), izer_results[f"rand{seed}"][0].network_yaml
    )
    assert back.hash() == model.hash(), "import -> export -> import must keep the model hash"
