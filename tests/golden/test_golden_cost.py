from __future__ import annotations

import numpy as np

from golden.cost import estimate_cost, estimate_cycles, estimate_latency_us, estimate_layers
from golden.format import Pool
from golden.resources import LayerShape
from golden.synthetic import fer_like_model

MP = Pool("max", (2, 2), 2)


def cifar10_nas() -> list[LayerShape]:
    """ADI's ai85nascifarnet (ai8x-training models/ai85net-nas-cifar.py), 3x32x32 input."""
    spec = [
        (3, 64, 3, 1, None),
        (64, 32, 1, 0, None),
        (32, 64, 3, 1, None),
        (64, 32, 3, 1, MP),
        (32, 64, 1, 0, None),
        (64, 128, 3, 1, MP),
        (128, 128, 1, 0, None),
        (128, 64, 3, 1, MP),
        (64, 128, 3, 1, None),
        (128, 128, 1, 0, MP),
    ]
    layers = [
        LayerShape(f"conv{i}", "conv2d", a, b, k, p, pool)
        for i, (a, b, k, p, pool) in enumerate(spec)
    ]
    return [*layers, LayerShape("fc", "linear", 512, 10, flatten=True, wide=True)]


def test_cifar10_anchor() -> None:
    # performance-anchors.md: 36,180,992 MACs, 301,760 weight bytes, 1,712 us at 50 MHz
    cost = estimate_layers(cifar10_nas(), (3, 32, 32))
    assert cost.resources.total_macs == 36_180_992
    assert cost.resources.weight_bytes == 301_760
    assert abs(cost.latency_us - 1712) < 1
    assert 420 < cost.macs_per_cycle < 426
    assert cost.to_json()["simulated"] is True


def test_monotone_and_deterministic() -> None:
    small = [
        LayerShape("c", "conv2d", 1, 8, 3, 1),
        LayerShape("fc", "linear", 8 * 48 * 48 // 16, 7, flatten=True),
    ]
    small[0] = LayerShape("c", "conv2d", 1, 8, 3, 1, Pool("max", (4, 4), 4))
    big = [
        LayerShape("c", "conv2d", 1, 64, 3, 1, Pool("max", (4, 4), 4)),
        LayerShape("fc", "linear", 64 * 144, 7, flatten=True),
    ]
    a = estimate_layers(small, (1, 48, 48))
    b = estimate_layers(big, (1, 48, 48))
    assert b.total_cycles > a.total_cycles > 0
    assert estimate_layers(small, (1, 48, 48)) == a
    # more than 64 input channels: two passes cost more than one
    one = estimate_layers([LayerShape("c", "conv2d", 64, 16, 3, 1)], (64, 8, 8))
    two = estimate_layers([LayerShape("c", "conv2d", 128, 16, 3, 1)], (128, 8, 8))
    assert two.total_cycles > one.total_cycles


def test_model_helpers_agree() -> None:
    model = fer_like_model(np.random.default_rng(0))
    cost = estimate_cost(model)
    assert estimate_cycles(model) == cost.total_cycles
    assert estimate_latency_us(model) == cost.total_cycles / 50e6 * 1e6
    assert estimate_latency_us(model, clock_hz=100e6) == cost.latency_us / 2
    assert len(cost.layer_cycles) == len(model.layers)
    assert cost.resources.total_macs == sum(r.macs for r in cost.resources.layers)
