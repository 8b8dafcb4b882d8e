"""C synthesis: generated sources, identity macros, strict compilation, weight packing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from firmware_testlib import C_DIR, STRICT_CFLAGS, have

from firmware.builder.model_plan import SynthesisError, plan_model
from firmware.builder.synth import GENERATED_FILES, synthesize
from firmware.builder.weight_packing import WeightPackingError, pack_rows, row_bytes, unpack_rows
from golden.format import QuantModel
from golden.synthetic import random_legal_model


@pytest.fixture(scope="module")
def model() -> QuantModel:
    return random_legal_model(np.random.default_rng(42), input_shape=(1, 24, 24), max_layers=5)


def _define(text: str, name: str) -> str:
    match = re.search(rf"^#define {name} (.+)$", text, re.MULTILINE)
    assert match, f"{name} not defined"
    return match.group(1).strip()


def test_generates_every_file(model: QuantModel) -> None:
    src = synthesize(model, model_cycles=777)
    assert set(src.files) == set(GENERATED_FILES)
    info = src.files["model_info.h"]
    digest = model.hash()
    assert _define(info, "MODEL_HASH_HEX") == f'"{digest}"'
    assert int(_define(info, "MODEL_ID").removesuffix("ULL"), 16) == int(digest[:16], 16)
    assert _define(info, "CNN_NUM_OUTPUTS") == f"{model.num_outputs}u"
    assert _define(info, "CNN_OUTPUT_WIDE") == str(int(model.wide_output))
    assert _define(info, "CNN_MODEL_CYCLES") == "777u"
    assert _define(info, "MODEL_NAME") == '"synthetic"'
    c, h, w = model.input_shape
    assert (_define(info, "CNN_INPUT_C"), _define(info, "CNN_INPUT_H")) == (f"{c}u", f"{h}u")
    assert _define(info, "CNN_INPUT_W") == f"{w}u"


def test_default_cycles_come_from_golden_cost(model: QuantModel) -> None:
    from golden.cost import estimate_cycles

    info = synthesize(model).files["model_info.h"]
    assert _define(info, "CNN_MODEL_CYCLES") == f"{estimate_cycles(model)}u"


def test_macs_match_layer_geometry(model: QuantModel) -> None:
    plan = plan_model(model)
    expected = 0
    for lp in plan.layers:
        o, h, w = lp.out_shape
        expected += o * h * w * int(np.prod(lp.layer.weights.shape[1:]))
    assert plan.macs == expected


def test_weights_in_header_round_trip(model: QuantModel) -> None:
    text = synthesize(model, model_cycles=0).files["weights.h"]
    for i, layer in enumerate(model.layers):
        body = re.search(rf"cnn_weights_{i}\[\d+\] = \{{(.*?)\}};", text, re.DOTALL)
        assert body
        data = bytes(int(v, 16) for v in body.group(1).replace("\n", " ").split(",") if v.strip())
        rows = unpack_rows(data, layer.weight_bits, layer.out_channels, layer.weights[0].size)
        np.testing.assert_array_equal(rows, layer.weights.reshape(layer.out_channels, -1))


@pytest.mark.parametrize("bits", [8, 4, 2, 1])
def test_pack_rows_round_trip_and_layout(bits: int) -> None:
    lo, hi = (-1, 0) if bits == 1 else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    w = np.random.default_rng(bits).integers(lo, hi + 1, size=(5, 3, 3, 3)).astype(np.int8)
    data = pack_rows(w, bits)
    assert len(data) == 5 * row_bytes(27, bits)
    np.testing.assert_array_equal(unpack_rows(data, bits, 5, 27), w.reshape(5, -1))
    # The first field of row 0 sits in the low bits of byte 0.
    assert data[0] & ((1 << bits) - 1) == int(w.reshape(5, -1)[0, 0]) & ((1 << bits) - 1)


def test_pack_rejects_out_of_range() -> None:
    with pytest.raises(WeightPackingError, match="cannot be packed"):
        pack_rows(np.array([[2]], np.int8), 2)


def test_wide_layer_must_be_last(model: QuantModel) -> None:
    broken = random_legal_model(np.random.default_rng(5), input_shape=(1, 12, 12))
    broken.layers[0].wide = True
    broken.layers[0].activation = "none"
    with pytest.raises(SynthesisError, match="only the last layer may be wide"):
        plan_model(broken)


def _compile(compiler: str, flags: list[str], out_dir: Path) -> None:
    subprocess.run(
        [
            compiler,
            *STRICT_CFLAGS,
            *flags,
            f"-I{out_dir}",
            f"-I{C_DIR}",
            "-c",
            str(out_dir / "cnn.c"),
            "-o",
            str(out_dir / f"cnn-{compiler}.o"),
        ],
        check=True,
    )


@pytest.mark.skipif(not have("gcc"), reason="gcc is not installed")
def test_generated_c_compiles_strictly_on_host(model: QuantModel, tmp_path: Path) -> None:
    synthesize(model, model_cycles=1).write(tmp_path)
    _compile("gcc", ["-pedantic"], tmp_path)


@pytest.mark.skipif(not have("arm-none-eabi-gcc"), reason="arm-none-eabi-gcc is not installed")
def test_generated_c_and_kernels_compile_strictly_for_cortex_m4(
    model: QuantModel, tmp_path: Path
) -> None:
    synthesize(model, model_cycles=1).write(tmp_path)
    m4 = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
    _compile("arm-none-eabi-gcc", m4, tmp_path)
    subprocess.run(
        [
            "arm-none-eabi-gcc",
            *STRICT_CFLAGS,
            *m4,
            "-Wconversion",
            "-c",
            str(C_DIR / "kernels.c"),
            "-o",
            str(tmp_path / "kernels.o"),
        ],
        check=True,
    )
