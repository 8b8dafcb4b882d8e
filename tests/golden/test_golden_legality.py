from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from golden.errors import FerhilError
from golden.format import Pool
from golden.legality import LegalityError, check_layers, check_model, find_violations
from golden.resources import LayerShape, kernel_words
from golden.synthetic import fer_like_model, random_legal_model

INPUT = (1, 48, 48)


def legal_stack() -> list[LayerShape]:
    return [
        LayerShape("conv1", "conv2d", 1, 16, 3, 1, None, has_bias=True, output_shift=-1),
        LayerShape("conv2", "conv2d", 16, 32, 3, 1, Pool("max", (4, 4), 4), output_shift=-2),
        # conv2 output is 32x12x12 = 4608 features on 144 pixels
        LayerShape("fc", "linear", 32 * 12 * 12, 7, flatten=True, wide=True),
    ]


def violations_of(stack: list[LayerShape], input_shape: tuple[int, int, int] = INPUT) -> list[str]:
    return find_violations(stack, input_shape)[1]


def test_legal_stack_passes() -> None:
    report = check_layers(legal_stack(), INPUT)
    assert report.output_shape == (7, 1, 1)
    assert report.weight_bytes == 144 + 4608 + 4608 * 7
    assert report.bias_bytes == 16
    assert report.total_macs == 16 * 9 * 2304 + 32 * 16 * 9 * 144 + 4608 * 7


def test_legal_models_pass() -> None:
    check_model(fer_like_model(np.random.default_rng(0)))
    for seed in range(20):
        check_model(random_legal_model(np.random.default_rng(seed)))


def one_violation(stack: list[LayerShape], pattern: str, layer: str) -> None:
    v = violations_of(stack)
    assert any(pattern in s and f"'{layer}'" in s for s in v), v


@pytest.mark.parametrize(
    ("index", "changes", "layer", "pattern"),
    [
        (1, {"kernel_size": 5, "in_channels": 16}, "conv2", "5x5 kernels are not supported"),
        (0, {"pad": 3}, "conv1", "padding 3"),
        (0, {"kernel_size": 1, "pad": 1}, "conv1", "pad < kernel size"),
        (1, {"pool": Pool("max", (17, 17), 4)}, "conv2", "pool kernel 17x17"),
        (1, {"pool": Pool("max", (2, 2), 17)}, "conv2", "pool stride 17"),
        (0, {"has_bias": True, "out_channels": 600}, "conv1", "bias is supported only"),
        (0, {"wide": True}, "conv1", "only the last layer"),
        (0, {"output_shift": 16}, "conv1", "total shift 16"),
        (0, {"output_shift": -16}, "conv1", "outside [-15, 15]"),
        (1, {"out_channels": 1100}, "conv2", "1100 output channels"),
        (2, {"pool": Pool("max", (2, 2), 2)}, "fc", "cannot also pool"),
        (2, {"out_channels": 2000}, "fc", "2000 output features"),
    ],
)
def test_each_rule_names_layer_and_rule(
    index: int, changes: dict[str, object], layer: str, pattern: str
) -> None:
    stack = legal_stack()
    stack[index] = dataclasses.replace(stack[index], **changes)  # type: ignore[arg-type]
    one_violation(stack, pattern, layer)
    with pytest.raises(LegalityError) as err:
        check_layers(stack, INPUT)
    assert isinstance(err.value, FerhilError)
    assert pattern in str(err.value)


def test_flatten_limits() -> None:
    stack = legal_stack()
    stack[1] = dataclasses.replace(stack[1], pool=Pool("max", (2, 2), 2))  # 32x24x24 = 576 px
    stack[2] = dataclasses.replace(stack[2], in_channels=32 * 24 * 24)
    one_violation(stack, "H*W <= 256", "fc")


def test_linear_without_flatten_on_spatial_data() -> None:
    stack = legal_stack()
    stack[2] = dataclasses.replace(stack[2], flatten=False)
    one_violation(stack, "needs flatten=True", "fc")


def test_channel_mismatch_and_unfit_kernel() -> None:
    stack = legal_stack()
    stack[1] = dataclasses.replace(stack[1], in_channels=8)
    one_violation(stack, "gets 16 channels", "conv2")
    tiny = [LayerShape("c", "conv2d", 1, 4, 3, 0, Pool("max", (2, 2), 2))]
    assert any("does not fit" in v for v in violations_of(tiny, (1, 3, 3)))


def test_every_violation_is_listed() -> None:
    stack = legal_stack()
    stack[0] = dataclasses.replace(stack[0], pad=3, output_shift=20)
    stack[1] = dataclasses.replace(stack[1], kernel_size=5)
    with pytest.raises(LegalityError) as err:
        check_layers(stack, INPUT)
    msgs = err.value.violations
    assert any("padding 3" in m for m in msgs)
    assert any("total shift" in m for m in msgs)
    assert any("5x5" in m for m in msgs)


def test_network_limits() -> None:
    many = [LayerShape(f"c{i}", "conv2d", 1, 1, 1, 0) for i in range(33)]
    assert any("33 layers exceed" in v for v in violations_of(many, (1, 8, 8)))
    big = [
        LayerShape(f"c{i}", "conv2d", 512, 512, 3, 1, output_shift=0) for i in range(2)
    ]  # 2 x 2.36 MB of weights
    v = violations_of(big, (512, 4, 4))
    assert any("weight memory 4,718,592 bytes exceeds 442,368" in s for s in v)
    assert any("kernel words" in s for s in v)
    bias = [LayerShape(f"c{i}", "conv2d", 8, 512, 1, 0, has_bias=True) for i in range(5)]
    bias = [dataclasses.replace(bias[0], in_channels=8)] + [
        dataclasses.replace(b, in_channels=512) for b in bias[1:]
    ]
    assert any("bias memory 2,560 bytes" in s for s in violations_of(bias, (8, 4, 4)))
    assert any(
        "layer names must be unique" in s
        for s in violations_of([legal_stack()[0], legal_stack()[0]], INPUT)
    )


def test_data_memory_and_rows() -> None:
    v = violations_of([LayerShape("c", "conv2d", 1, 4, 3, 1)], (1, 200, 200))
    assert any("output does not fit a 32 KiB" in s and "'c'" in s for s in v)
    v = violations_of([LayerShape("c", "conv2d", 1, 1, 1, 0)], (1, 1, 2000))
    assert any("1023 rows/columns" in s for s in v)
    v = violations_of(
        [LayerShape("c", "conv2d", 32, 4, 1, 0, Pool("max", (4, 4), 4))], (32, 100, 100)
    )
    assert any("input does not fit data memory" in s for s in v)


def test_kernel_word_packing_matches_izer_formula() -> None:
    # izer/kernels.py: ceil((kc*ksize*bits + (kc % (8//bits))*ksize*(8//bits - 1)) / 72)
    assert kernel_words(64, 9, 8) == 64
    assert kernel_words(64, 1, 8) == 8  # 1x1 kernels pack 9 per word
    assert kernel_words(64, 9, 4) == 32
    assert kernel_words(5, 9, 1) == 5  # 5*9*1 + (5 % 8)*9*7 = 360 bits = 5 words
    assert kernel_words(16, 9, 1) == 2  # 144 bits, no padding
