"""``float_weights.npz``: float16 where every value fits, else float32; read back as float32."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from models.training.float_weights import compact_array, read_float_weights, save_float_weights


def test_weights_in_range_are_stored_as_float16() -> None:
    values = np.linspace(-3.0, 3.0, 101, dtype=np.float32)
    stored = compact_array(values)
    assert stored.dtype == np.float16
    np.testing.assert_allclose(stored.astype(np.float32), values, rtol=1e-3, atol=1e-6)


def test_an_array_with_a_value_past_float16_range_stays_float32() -> None:
    values = np.array([0.5, 1.0e5, -2.0], dtype=np.float32)
    stored = compact_array(values)
    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, values)


def test_non_finite_values_are_kept_as_they_are() -> None:
    values = np.array([np.inf, 1.0, np.nan], dtype=np.float32)
    stored = compact_array(values)
    assert stored.dtype == np.float16
    assert np.isinf(stored[0]) and np.isnan(stored[2])


def test_round_trip_is_float32_half_the_size_and_skips_integer_buffers(tmp_path: Path) -> None:
    gen = torch.Generator().manual_seed(3)
    state = {
        "conv.weight": torch.randn(64, 32, 3, 3, generator=gen) * 0.1,
        "bn.running_var": torch.rand(64, generator=gen) * 4.0 + 0.1,
        "bn.num_batches_tracked": torch.tensor(17),
        "huge.scale": torch.tensor([1.0e6, 2.0]),
    }
    path = save_float_weights(state, tmp_path / "float_weights.npz")
    back = read_float_weights(path)
    assert set(back) == {"conv.weight", "bn.running_var", "huge.scale"}
    assert all(v.dtype == np.float32 for v in back.values())
    conv = state["conv.weight"].numpy()
    np.testing.assert_allclose(back["conv.weight"], conv, rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(back["huge.scale"], state["huge.scale"].numpy())
    with np.load(path, allow_pickle=False) as data:
        assert data["conv.weight"].dtype == np.float16
        assert data["huge.scale"].dtype == np.float32
    wide = tmp_path / "wide.npz"
    np.savez_compressed(wide, **{k: v.numpy() for k, v in state.items() if v.is_floating_point()})
    assert path.stat().st_size < 0.6 * wide.stat().st_size
