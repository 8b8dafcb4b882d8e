"""Every image's device outputs equal the golden (bit-exact reference) outputs.

Neither test passes with nothing to judge: an empty test set or a run in which the board
answered no image fails with the reason.
"""

import pytest


def test_every_sample_answered(ferhil_run, record_property):
    failed = [r for r in ferhil_run.records if r.status != "ok"]
    record_property("samples", len(ferhil_run.records))
    record_property("failed", len(failed))
    if not ferhil_run.records:
        pytest.fail("nothing to judge: the test set is empty (check --dataset and --limit)")
    assert len(ferhil_run.records) == ferhil_run.planned  # all images, or an xdist worker's part
    assert not failed, f"{len(failed)} samples failed: " + "; ".join(
        f"{r.id} ({r.error})" for r in failed[:10]
    )


def test_device_outputs_match_golden(ferhil_run, ferhil_golden_tolerance, record_property):
    ok = [r for r in ferhil_run.records if r.status == "ok"]
    bad = [r for r in ok if not r.match]
    record_property("matched_golden", len(ok) - len(bad))
    record_property("mismatched", len(bad))
    if not ok:
        reasons = sorted({str(r.error) for r in ferhil_run.records})[:3]
        pytest.fail(
            f"nothing to judge: the board answered 0 of {len(ferhil_run.records)} samples "
            f"({'; '.join(reasons) or 'empty test set'})"
        )
    if bad:
        worst = max(bad, key=lambda r: r.max_abs_diff if r.max_abs_diff is not None else -1)
        ids = ", ".join(r.id for r in bad[:20]) + (" ..." if len(bad) > 20 else "")
        raise AssertionError(
            f"{len(bad)} of {len(ok)} samples differ from golden (tolerance "
            f"{ferhil_golden_tolerance}); sample ids: {ids}; largest difference "
            f"{worst.max_abs_diff} at sample {worst.id}: device {worst.outputs} vs golden "
            f"{worst.golden_outputs}"
        )
