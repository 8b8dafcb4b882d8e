"""Regression statistics: exact tests against reference values, and the paired verdict rule."""

from __future__ import annotations

import pytest

from harness.regression.compare import compare_documents, pair_samples
from harness.regression.limits import RegressionLimits
from harness.regression.stats import (
    clopper_pearson,
    fisher_exact,
    mcnemar_exact,
    paired_change,
    unpaired_change,
)
from harness.regression.verdict import evaluate

CLASSES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def test_exact_tests_match_reference_values() -> None:
    # reference values from R: binom.test, fisher.test, binom.test(...)$conf.int
    assert mcnemar_exact(5, 2) == pytest.approx(0.453125)
    assert mcnemar_exact(0, 10) == pytest.approx(0.001953125)
    assert mcnemar_exact(0, 0) == 1.0
    assert fisher_exact(8, 2, 1, 5) == pytest.approx(0.034965, abs=1e-6)
    low, high = clopper_pearson(3, 10, 0.05)
    assert (low, high) == (pytest.approx(0.0667395, abs=1e-6), pytest.approx(0.6524529, abs=1e-6))


def test_paired_interval_contains_the_change_and_shrinks_with_more_pairs() -> None:
    small = paired_change(lost=6, gained=2, n=50, alpha=0.05)
    big = paired_change(lost=60, gained=20, n=500, alpha=0.05)
    for change in (small, big):
        assert change.low <= change.delta <= change.high
    assert small.delta == pytest.approx(big.delta) == pytest.approx(-0.08)
    assert big.high - big.low < small.high - small.low and big.p_value < small.p_value


def _pairs(per_class: dict[int, tuple[int, int, int, int]]) -> list[tuple[int, bool, bool]]:
    """(both right, lost, gained, both wrong) per class -> paired outcomes."""
    out = []
    for label, (both, lost, gained, wrong) in per_class.items():
        out += [(label, True, True)] * both + [(label, True, False)] * lost
        out += [(label, False, True)] * gained + [(label, False, False)] * wrong
    return out


def _summary(pairs, new: bool) -> dict:
    k = 2 if new else 1
    confusion = [[0] * 7 for _ in range(7)]
    for label, *ok in pairs:
        confusion[label][label if ok[k - 1] else (label + 1) % 7] += 1
    per_class = {
        name: sum(p[k] for p in pairs if p[0] == i) / max(1, sum(p[0] == i for p in pairs))
        for i, name in enumerate(CLASSES)
    }
    return {
        "samples": len(pairs),
        "matched_golden": len(pairs),
        "accuracy": sum(p[k] for p in pairs) / len(pairs),
        "per_class_accuracy": per_class,
        "confusion": confusion,
    }


def test_issue_example_neutral_drop_of_3_images_is_noise_not_a_regression() -> None:
    # v3 -> v4 on 300 images: +4.67 points overall, neutral (51 images) loses 3 and gains none
    counts = {i: (25, 2, 5, 10) for i in range(5)} | {5: (23, 2, 4, 10), 6: (30, 3, 0, 18)}
    pairs = _pairs(counts)
    assert len(pairs) == 300
    result = evaluate(_summary(pairs, False), _summary(pairs, True), RegressionLimits(), pairs)
    rows = {c.metric: c for c in result.checks}
    assert rows["accuracy"].delta == "+4.67 pp" and rows["accuracy"].verdict == "pass"
    assert rows["accuracy[neutral]"].delta == "-5.88 pp"
    assert rows["accuracy[neutral]"].verdict == "pass"  # p = 0.25: not significant
    assert "3 lost / 0 gained (paired)" in rows["accuracy[neutral]"].evidence
    assert result.passed and result.paired


def test_significant_drop_beyond_the_minimum_fails_and_small_one_does_not() -> None:
    pairs = _pairs({i: (400, 12, 2, 100) for i in range(7)})  # 84 lost, 14 gained of 3,598
    base, new = _summary(pairs, False), _summary(pairs, True)
    strict = evaluate(base, new, RegressionLimits(max_accuracy_drop_pp=1.0), pairs)
    overall = next(c for c in strict.checks if c.metric == "accuracy")
    assert overall.verdict == "FAIL" and overall.stats is not None
    assert overall.stats.p_value < 1e-10 and overall.stats.high < 0
    lenient = evaluate(base, new, RegressionLimits(max_accuracy_drop_pp=2.5), pairs)
    assert next(c for c in lenient.checks if c.metric == "accuracy").verdict == "pass"


def _doc(dataset: str, outcomes: list[bool]) -> dict:
    samples = [
        {"index": i, "id": f"s{i}", "label": 0, "predicted": 0 if ok else 1, "status": "ok"}
        for i, ok in enumerate(outcomes)
    ]
    acc = sum(outcomes) / len(outcomes)
    summary = {"samples": len(outcomes), "matched_golden": len(outcomes), "accuracy": acc}
    return {"dataset": {"hash": dataset}, "samples": samples, "summary": summary}


def test_other_data_set_is_compared_unpaired_and_says_so() -> None:
    base, new = _doc("aaa", [True] * 80 + [False] * 20), _doc("bbb", [True] * 40 + [False] * 60)
    pairs, note = pair_samples(base, new)
    assert pairs is None and "data sets differ" in note and "unpaired" in note
    verdict = compare_documents(base, new, RegressionLimits())
    assert not verdict.paired and verdict.failed[0].metric == "accuracy"
    assert "(unpaired)" in verdict.failed[0].evidence
    same = compare_documents(base, _doc("aaa", [True] * 40 + [False] * 60), RegressionLimits())
    assert same.paired and "paired: the same 100 samples" in same.note
    assert unpaired_change(80, 100, 40, 100, 0.01).p_value < 1e-6


def test_pairs_follow_the_sample_id_not_the_order() -> None:
    base = _doc("aaa", [True, False, True])
    new = _doc("aaa", [False, False, True])
    new["samples"].reverse()
    pairs, note = pair_samples(base, new)
    assert pairs is not None and note.startswith("paired: the same 3 samples")
    assert sorted(pairs) == sorted([(0, True, False), (0, False, False), (0, True, True)])


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda s: s[2].update(id="s1"), "sample id 's1' occurs twice"),
        (lambda s: s[1].update(label="happy"), "sample 's1' has no integer label"),
        (lambda s: s[0].update(id=None, index=None), "sample 0 has no id or index"),
        (lambda s: s.__setitem__(1, "s1"), "sample 1 is not a record"),
    ],
)
def test_damaged_samples_are_compared_unpaired_with_the_reason(damage, why) -> None:
    base, new = _doc("aaa", [True] * 5), _doc("aaa", [True] * 4 + [False])
    damage(new["samples"])
    pairs, note = pair_samples(base, new)
    assert pairs is None
    assert note == f"the new run's {why}: compared as independent samples (unpaired)"
    verdict = compare_documents(base, new, RegressionLimits())
    assert not verdict.paired
