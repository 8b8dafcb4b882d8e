import math

import pytest
from harness_testkit import small_model

from golden.cost import estimate_latency_us
from harness.suite.thresholds import accuracy_threshold, latency_budget_us


def test_accuracy_threshold_order():
    m = small_model(int8_accuracy=0.60)
    assert accuracy_threshold(m, {"accuracy-threshold": 0.3}, 100).value == 0.3
    m.metadata["accuracy_threshold"] = 0.5
    assert accuracy_threshold(m, {}, 100).value == 0.5
    del m.metadata["accuracy_threshold"]
    full = accuracy_threshold(m, {}, 3589)  # 3*se = 0.0245 > 0.02
    assert full.value == pytest.approx(0.60 - 3 * math.sqrt(0.24 / 3589))
    few = accuracy_threshold(m, {}, 50)  # wider with fewer samples
    assert few.value == pytest.approx(0.60 - 3 * math.sqrt(0.24 / 50)) and few.value < full.value
    assert accuracy_threshold(small_model(), {}, 100) is None


def test_latency_budget_order():
    m = small_model(latency_budget_us=900.0)
    assert latency_budget_us(m, {"latency-budget-us": 5.0}, 1, 5e7).value == 5.0
    assert latency_budget_us(m, {}, 1, 5e7).value == 900.0
    m = small_model()
    budget = latency_budget_us(m, {}, 1, 5e7)
    assert budget.value == pytest.approx(2 * estimate_latency_us(m, clock_hz=5e7))
    assert latency_budget_us(m, {}, 2, 25e6) is None  # QEMU instruction counts
