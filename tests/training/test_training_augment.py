"""models.training.augment: determinism, range, and that each op does what it says."""

from __future__ import annotations

import numpy as np
import torch

from models.training.augment import INPUT_MAX, INPUT_MIN, AugmentConfig, augment_batch, mix_batch
from models.training.train_data import class_weights, epoch_order, stratified_split


def _batch(n: int = 8) -> torch.Tensor:
    return torch.rand(n, 1, 48, 48, generator=torch.Generator().manual_seed(5)) * 2 - 1


def test_same_seed_same_batch_different_seed_differs() -> None:
    x, cfg = _batch(), AugmentConfig()
    a = augment_batch(x, cfg, torch.Generator().manual_seed(1))
    b = augment_batch(x, cfg, torch.Generator().manual_seed(1))
    c = augment_batch(x, cfg, torch.Generator().manual_seed(2))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert a.min() >= INPUT_MIN and a.max() <= INPUT_MAX


def test_all_off_is_identity() -> None:
    off = AugmentConfig(0, 0, 0, 0, 0, 0, 0, 0)
    x = _batch().clamp(INPUT_MIN, INPUT_MAX)
    assert torch.allclose(augment_batch(x, off, torch.Generator().manual_seed(0)), x, atol=1e-6)


def test_flip_only_mirrors() -> None:
    flip = AugmentConfig(
        hflip=1.0, rotate_deg=0, scale=0, shift=0, brightness=0, contrast=0, erase_p=0
    )
    x = _batch().clamp(INPUT_MIN, INPUT_MAX)
    y = augment_batch(x, flip, torch.Generator().manual_seed(0))
    assert torch.allclose(y, x.flip(-1), atol=1e-5)


def test_mixup_keeps_target_mass() -> None:
    cfg = AugmentConfig(mixup_alpha=0.4, cutmix_p=0.5)
    x = _batch()
    y = torch.nn.functional.one_hot(torch.arange(8) % 7, 7).float()
    for seed in range(4):
        xm, ym = mix_batch(x, y, cfg, torch.Generator().manual_seed(seed))
        assert xm.shape == x.shape
        assert torch.allclose(ym.sum(1), torch.ones(8))


def test_stratified_split_keeps_shares_and_is_seeded() -> None:
    labels = np.repeat(np.arange(7), [100, 10, 50, 200, 80, 60, 90])
    tr, va = stratified_split(labels, 0.1, seed=3)
    assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == len(labels)
    assert np.bincount(labels[va]).tolist() == [10, 1, 5, 20, 8, 6, 9]
    _tr2, va2 = stratified_split(labels, 0.1, seed=3)
    assert np.array_equal(va, va2)


def test_class_weights_and_oversampling() -> None:
    labels = np.repeat([0, 1], [900, 100])
    w = class_weights(labels, power=1.0, num_classes=2)
    assert np.isclose(w[0] * 900, w[1] * 100)  # fully balanced: equal total weight
    assert np.isclose((w[labels]).mean(), 1.0)
    order = epoch_order(labels, "oversample", 1.0, seed=1, epoch=0)
    share = np.mean(labels[order] == 1)
    assert 0.45 < share < 0.55
    plain = epoch_order(labels, "none", 1.0, seed=1, epoch=0)
    assert sorted(plain.tolist()) == list(range(1000))
    assert np.array_equal(order, epoch_order(labels, "oversample", 1.0, seed=1, epoch=0))
