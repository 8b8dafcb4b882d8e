"""ai8x/izer export: checkpoint keys and bias rule, YAML processor rules, and the round trip."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from golden.format import Pool, QuantLayer, QuantModel
from golden.inference import run
from golden.quantize import stored_bias_to_hardware
from golden.synthetic import random_legal_model
from models.export.ai8x_layout import Ai8xExportError, processor_mask, processors_per_pass
from models.export.export_ai8x import export_ai8x
from models.export.import_ai8x import Ai8xImportError, import_ai8x

KEYS = (
    "op.weight",
    "output_shift",
    "weight_bits",
    "bias_bits",
    "quantize_activation",
    "adjust_output_shift",
    "shift_quantile",
)


@pytest.mark.parametrize(
    ("channels", "expected"),
    [(1, 1), (16, 16), (64, 64), (65, 36), (100, 52), (128, 64), (130, 44), (200, 52), (1024, 64)],
)
def test_processors_per_pass_follows_izer(channels: int, expected: int) -> None:
    # izer: passes = ceil(C/64); per pass ceil(C/passes), rounded up to a multiple of 4 if C > 64.
    passes = -(-channels // 64)
    assert processors_per_pass(channels) == expected
    assert expected * passes >= channels
    assert bin(processor_mask(channels)).count("1") == expected
    assert processor_mask(channels) & 1  # quadrant 0, processor 0 is used


def test_export_writes_izer_files(tmp_path: Path) -> None:
    model = izer_model(3, wide_output=True)
    paths = export_ai8x(model, tmp_path)
    ckpt = torch.load(paths.checkpoint, map_location="cpu", weights_only=True)
    cfg = yaml.safe_load(paths.network_yaml.read_text())
    assert ckpt["arch"] == cfg["arch"] and isinstance(ckpt["epoch"], int)
    state = ckpt["state_dict"]
    for layer, spec in zip(model.layers, cfg["layers"], strict=True):
        for key in KEYS:
            assert f"{layer.name}.{key}" in state
        assert spec["quantization"] == layer.weight_bits
        np.testing.assert_array_equal(state[f"{layer.name}.op.weight"].numpy(), layer.weights)
        if layer.bias is not None:
            stored = state[f"{layer.name}.op.bias"].numpy()
            np.testing.assert_array_equal(stored, layer.bias * 2.0 ** (layer.weight_bits - 1))
            np.testing.assert_array_equal(
                stored_bias_to_hardware(stored, layer.weight_bits), layer.bias
            )
        assert bin(spec["processors"]).count("1") == processors_per_pass(
            layer.in_channels if not layer.flatten else spec_channels(model, layer)
        )
        assert ("kernel_size" in spec) == (layer.op == "conv2d")
    assert cfg["layers"][0]["data_format"] == "HWC"
    assert cfg["layers"][-1]["output_width"] == 32
    offsets = [spec["out_offset"] for spec in cfg["layers"]]
    assert all(a != b for a, b in itertools.pairwise(offsets))
    sample = np.load(paths.sample_input)
    assert sample.dtype == np.int64 and sample.shape == model.input_shape
    assert sample.min() >= -128 and sample.max() <= 127


def izer_pads(model: QuantModel) -> bool:
    """izer refuses pad >= kernel size; golden.synthetic may draw 1x1 convolutions that pad."""
    return all(q.op == "linear" or q.pad < q.kernel_size for q in model.layers)


def izer_model(seed: int, wide_output: bool | None = None) -> QuantModel:
    model = random_legal_model(np.random.default_rng(seed), wide_output=wide_output)
    while not izer_pads(model):
        seed += 1000
        model = random_legal_model(np.random.default_rng(seed), wide_output=wide_output)
    return model


def spec_channels(model: QuantModel, layer: QuantLayer) -> int:
    i = model.layers.index(layer)
    return model.layers[i - 1].out_channels if i else model.input_shape[0]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
@given(seed=st.integers(0, 2**32 - 1))
def test_export_import_round_trip_is_identical(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    model = random_legal_model(rng, input_shape=(1, 12, 12), max_channels=12)
    assume(izer_pads(model))
    out = tmp_path / str(seed)
    paths = export_ai8x(model, out)
    back = import_ai8x(paths.checkpoint, paths.network_yaml)
    assert back.hash() == model.hash()
    x = rng.integers(-128, 128, (4, 1, 12, 12)).astype(np.int8)
    np.testing.assert_array_equal(run(back, x), run(model, x))


def test_import_applies_izer_floor_bias_rule(tmp_path: Path) -> None:
    layer = QuantLayer(
        "fc",
        "linear",
        np.ones((7, 4), np.int8),
        np.arange(-3, 4).astype(np.int8),
        8,
        -1,
        flatten=False,
        wide=True,
    )
    model = QuantModel("m", "1", (4, 1, 1), tuple("abcdefg"), "pixel_minus_128", [layer])
    paths = export_ai8x(model, tmp_path, sample_input=np.zeros((4, 1, 1), np.int8))
    ckpt = torch.load(paths.checkpoint, map_location="cpu", weights_only=True)
    ckpt["state_dict"]["fc.op.bias"] += 100.0  # not a multiple of 128 any more: floor applies
    torch.save(ckpt, paths.checkpoint)
    back = import_ai8x(paths.checkpoint, paths.network_yaml)
    assert back.layers[0].bias is not None
    np.testing.assert_array_equal(
        back.layers[0].bias, np.floor((np.arange(-3, 4) * 128 + 100) / 128)
    )


def test_import_refuses_mismatched_layers(tmp_path: Path) -> None:
    model = izer_model(1)
    paths = export_ai8x(model, tmp_path)
    cfg = yaml.safe_load(paths.network_yaml.read_text())
    cfg["layers"] = cfg["layers"] + [dict(cfg["layers"][-1])]
    paths.network_yaml.write_text(yaml.safe_dump(cfg))
    with pytest.raises(Ai8xImportError, match=r"YAML has .* layers with weights"):
        import_ai8x(paths.checkpoint, paths.network_yaml)


def test_layout_refuses_data_that_does_not_fit(tmp_path: Path) -> None:
    big = QuantLayer("c1", "conv2d", np.ones((64, 1, 3, 3), np.int8), None, 8, 0, pad=1)
    fc = QuantLayer(
        "fc", "linear", np.ones((2, 64 * 16), np.int8), None, 8, 0, flatten=True, pool=None
    )
    pool = QuantLayer(
        "p", "conv2d", np.ones((64, 64, 1, 1), np.int8), None, 8, 0, pool=Pool("max", (16, 16), 16)
    )
    model = QuantModel("m", "1", (1, 72, 72), ("a", "b"), "pixel_minus_128", [big, pool, fc])
    with pytest.raises(Ai8xExportError, match="c1"):
        export_ai8x(model, tmp_path)


# Keys izer/yamlcfg.py accepts (read from analogdevicesinc/ai8x-synthesis; unknown keys are errors).
IZER_TOP_KEYS = {"bias", "dataset", "layers", "output_map", "arch", "weights", "snoop"}
IZER_LAYER_KEYS = {
    "max_pool",
    "avg_pool",
    "convolution",
    "conv_groups",
    "dilation",
    "groups",
    "in_channels",
    "in_dim",
    "in_sequences",
    "in_skip",
    "in_channel_skip",
    "in_offset",
    "kernel_size",
    "pool_stride",
    "out_channels",
    "out_offset",
    "activate",
    "activation",
    "data_format",
    "eltwise",
    "flatten",
    "op",
    "operands",
    "operation",
    "operator",
    "output_processors",
    "output_width",
    "output_shift",
    "pool_first",
    "processors",
    "pad",
    "quantization",
    "next_sequence",
    "snoop_sequence",
    "simulated_sequence",
    "sequence",
    "streaming",
    "stride",
    "write_gap",
    "bypass",
    "bias_group",
    "calcx4",
    "readahead",
    "pool_dilation",
    "output_pad",
    "tcalc",
}


@pytest.mark.parametrize("seed", range(6))
def test_yaml_uses_only_keys_izer_accepts(seed: int, tmp_path: Path) -> None:
    model = izer_model(seed)
    cfg = yaml.safe_load(export_ai8x(model, tmp_path).network_yaml.read_text())
    assert set(cfg) <= IZER_TOP_KEYS and {"arch", "dataset", "layers"} <= set(cfg)
    for spec in cfg["layers"]:
        assert set(spec) <= IZER_LAYER_KEYS
        assert isinstance(spec["processors"], int) and 1 <= spec["processors"] < 2**64
        assert spec["activate"] in ("ReLU", "Abs", "None")
        assert 0 <= spec["out_offset"] < 0x8000


def test_export_refuses_padded_1x1_convolution(tmp_path: Path) -> None:
    conv = QuantLayer("c1", "conv2d", np.ones((2, 1, 1, 1), np.int8), None, 8, 0, pad=1)
    fc = QuantLayer("fc", "linear", np.ones((2, 2 * 36), np.int8), None, 8, 0, flatten=True)
    model = QuantModel("m", "1", (1, 4, 4), ("a", "b"), "pixel_minus_128", [conv, fc])
    with pytest.raises(Ai8xExportError, match="pad 1 >= kernel size 1"):
        export_ai8x(model, tmp_path)
