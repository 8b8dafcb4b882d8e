"""Every image's device outputs equal the golden (bit-exact reference) outputs."""


def test_every_sample_answered(ferhil_run, record_property):
    failed = [r for r in ferhil_run.records if r.status != "ok"]
    record_property("samples", len(ferhil_run.records))
    record_property("failed", len(failed))
    assert len(ferhil_run.records) == ferhil_run.planned  # all images, or an xdist worker's part
    assert not failed, f"{len(failed)} samples failed: " + "; ".join(
        f"{r.id} ({r.error})" for r in failed[:10]
    )


def test_device_outputs_match_golden(ferhil_run, ferhil_golden_tolerance, record_property):
    ok = [r for r in ferhil_run.records if r.status == "ok"]
    bad = [r for r in ok if not r.match]
    record_property("matched_golden", len(ok) - len(bad))
    record_property("mismatched", len(bad))
    if bad:
        worst = max(bad, key=lambda r: r.max_abs_diff if r.max_abs_diff is not None else -1)
        ids = ", ".join(r.id for r in bad[:20]) + (" ..." if len(bad) > 20 else "")
        raise AssertionError(
            f"{len(bad)} of {len(ok)} samples differ from golden (tolerance "
            f"{ferhil_golden_tolerance}); sample ids: {ids}; largest difference "
            f"{worst.max_abs_diff} at sample {worst.id}: device {worst.outputs} vs golden "
            f"{worst.golden_outputs}"
        )
