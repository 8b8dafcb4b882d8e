"""Golden inference equals izer for izer's own test configurations (``tests/*.yaml``).

Every ``arch: test`` configuration whose sample weights and input are in izer's ``tests/`` folder
and that ferhil can express is run through izer with ``--device MAX78000`` (``--fifo`` when it
streams, as izer requires) once per session; golden must equal izer's output exactly. A
configuration izer itself refuses for the MAX78000 is skipped with izer's error (it targets
another device or needs other options). What is left out before izer runs, and why, is counted
by :func:`test_every_test_configuration_is_accounted_for`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from firmware.builder.izer import IzerInstall, shared_izer_dir
from firmware.builder.izer_batch import IzerJob, run_izer_batch
from golden.errors import FerhilError
from golden.inference import run_outputs
from models.export.izer_testcfg import find_files, import_test_config

pytestmark = pytest.mark.slow
TESTS = (shared_izer_dir() or Path("/nonexistent")) / "tests"


def _classify() -> tuple[dict[str, object], Counter[str]]:
    """Return the expressible configurations (name -> model and files) and why others are out."""
    usable: dict[str, object] = {}
    left_out: Counter[str] = Counter()
    for path in sorted(TESTS.glob("*.yaml")):
        cfg, files = find_files(path)
        if files is None:
            arch = cfg.get("arch") if isinstance(cfg, dict) else None
            left_out["needs a checkpoint" if arch != "test" else "no weights/sample file"] += 1
            continue
        try:
            usable[path.name] = (import_test_config(files, cfg), files, cfg)
        except FerhilError as exc:
            left_out[str(exc).split(": ", 1)[-1].split(" (")[0][:60]] += 1
    return usable, left_out


USABLE, LEFT_OUT = _classify() if TESTS.is_dir() else ({}, Counter())


@pytest.fixture(scope="session")
def izer_testconfig_results(
    izer_install: IzerInstall, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """izer's output (or error) for every usable test configuration, run once per session."""
    root = tmp_path_factory.mktemp("izer_testconfigs")
    jobs = []
    for name, (_model, files, cfg) in USABLE.items():  # type: ignore[misc]
        fifo = any(isinstance(ll, dict) and ll.get("streaming") for ll in cfg["layers"])
        args = ["--device", "MAX78000", "--config-file", str(files.network_yaml)]
        args += ["--test-dir", str(root / name), "--prefix", "t"]
        args += ["--sample-numpy-filename", "out.npy"] + ["--fifo"] * fifo
        jobs.append(IzerJob(tuple(args), izer_install.root, root / f"{name}.log"))
    errors = run_izer_batch(izer_install, jobs, workers=4)
    return {
        name: err if err is not None else np.load(root / name / "t" / "out.npy")
        for name, err in zip(USABLE, errors, strict=True)
    }


def test_every_test_configuration_is_accounted_for() -> None:
    if not TESTS.is_dir():
        pytest.skip("the shared ai8x-synthesis copy is absent")
    total = len(list(TESTS.glob("*.yaml")))
    assert len(USABLE) + sum(LEFT_OUT.values()) == total
    assert len(USABLE) >= 150, f"only {len(USABLE)} usable configurations: {LEFT_OUT}"


@pytest.mark.parametrize("name", list(USABLE))
def test_izer_test_configuration_matches_golden(
    name: str, izer_testconfig_results: dict[str, object]
) -> None:
    expected = izer_testconfig_results[name]
    if isinstance(expected, Exception):
        reason = [ln for ln in str(expected).splitlines() if "ERROR" in ln] or [str(expected)]
        pytest.skip(f"izer refuses it for the MAX78000: {reason[-1].strip()[:160]}")
    model, files, _cfg = USABLE[name]  # type: ignore[misc]
    x = np.load(files.sample)
    got = list(run_outputs(model, x[None]).values())[-1][0]
    assert isinstance(expected, np.ndarray) and got.size == expected.size
    np.testing.assert_array_equal(got.reshape(expected.shape), expected)
