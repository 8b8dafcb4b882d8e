"""Threshold evaluation and threshold sources (options, pyproject, defaults)."""

from __future__ import annotations

import pytest

from harness.regression.errors import RegressionError
from harness.regression.limits import RegressionLimits, load_limits
from harness.regression.verdict import evaluate

CLASSES = ("angry", "happy")


def summary(
    acc: float = 0.60,
    per_class: tuple[float, float] = (0.5, 0.7),
    counts: tuple[int, int] = (50, 50),
    matched: int = 100,
    latency: float | None = 1000.0,
    energy: float | None = 30.0,
) -> dict:
    confusion = [[counts[0], 0], [0, counts[1]]]
    return {
        "samples": 100,
        "matched_golden": matched,
        "accuracy": acc,
        "per_class_accuracy": dict(zip(CLASSES, per_class, strict=True)),
        "confusion": confusion,
        "latency_us": {"p50": latency},
        "energy_uj_per_inference": energy,
    }


def verdicts(result) -> dict[str, str]:
    return {c.metric: c.verdict for c in result.checks}


def test_identical_runs_pass() -> None:
    result = evaluate(summary(), summary(), RegressionLimits())
    assert result.passed and set(verdicts(result).values()) == {"pass"}


def test_each_threshold_fails_just_past_its_limit() -> None:
    limits = RegressionLimits(
        max_accuracy_drop_pp=2.0,
        max_class_accuracy_drop_pp=5.0,
        max_golden_mismatches=1,
        max_latency_increase_pct=10.0,
        max_energy_increase_pct=5.0,
    )
    at_limit = summary(acc=0.58, per_class=(0.45, 0.7), matched=99, latency=1100.0, energy=31.5)
    assert evaluate(summary(), at_limit, limits).passed
    past = summary(acc=0.579, per_class=(0.449, 0.7), matched=98, latency=1101.0, energy=31.6)
    result = evaluate(summary(), past, limits)
    # accuracy drops of 2 points on 100 samples are noise (not significant): they pass
    assert [c.metric for c in result.failed] == [
        "golden mismatches",
        "latency p50",
        "energy / inference",
    ]
    table = result.table()
    assert table.splitlines()[0].split() == [
        "metric", "baseline", "new", "delta", "threshold", "verdict", "evidence"
    ]  # fmt: skip
    assert "-2.10 pp" in table and "+10.10%" in table and "FAIL" in table
    assert "(unpaired)" in table


def test_improvements_pass() -> None:
    better = summary(acc=0.8, per_class=(0.9, 0.9), latency=500.0, energy=10.0)
    assert evaluate(summary(), better, RegressionLimits()).passed


def test_small_classes_and_missing_figures_are_not_judged() -> None:
    limits = RegressionLimits(min_class_samples=20)
    new = summary(per_class=(0.0, 0.7), counts=(10, 90), energy=None)
    result = verdicts(evaluate(summary(energy=30.0), new, limits))
    assert result["accuracy[angry]"] == "n/a (n=10 < 20)"
    assert result["energy / inference"] == "n/a"
    assert evaluate(summary(), new, limits).passed


def test_limits_precedence(tmp_path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[tool.ferhil.regression]\nmax_accuracy_drop_pp = 3.5\nmax_golden_mismatches = 4\n"
    )
    limits = load_limits({"max-golden-mismatches": 2}, pyproject)
    assert limits.max_accuracy_drop_pp == 3.5 and limits.max_golden_mismatches == 2
    assert limits.max_latency_increase_pct == RegressionLimits().max_latency_increase_pct
    assert limits.sources["max_golden_mismatches"] == "--max-golden-mismatches"
    assert "pyproject.toml" in limits.sources["max_accuracy_drop_pp"]
    assert limits.sources["max_energy_increase_pct"] == "default"


def test_bad_pyproject_tables_are_errors(tmp_path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ferhil.regression]\nmax_acc_drop = 1\n")
    with pytest.raises(RegressionError, match=r"unknown key.*max_acc_drop"):
        load_limits({}, pyproject)
    pyproject.write_text("[tool.ferhil.regression]\nmax_accuracy_drop_pp = -1\n")
    with pytest.raises(RegressionError, match="must be >= 0"):
        load_limits({}, pyproject)


def test_repository_pyproject_table_is_valid() -> None:
    from fixtures.paths import REPO_ROOT

    limits = load_limits({}, REPO_ROOT / "pyproject.toml")
    assert all("pyproject.toml" in s for s in limits.sources.values())
