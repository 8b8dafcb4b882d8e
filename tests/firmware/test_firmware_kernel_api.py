"""The C kernel API: buffer sizes computed in C agree with Python's plan; bad arguments fail.

The scratch buffers of the generated ``cnn.c`` are sized by :mod:`firmware.builder.model_plan`; the
kernels' own ``ferhil_*_get_buffer_size`` functions are the authority. These tests compile a
tiny C program against ``firmware/c/kernels.c`` and compare the two figures layer by layer.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from firmware_testlib import C_DIR, DRIVER_DIR, STRICT_CFLAGS, have

from firmware.builder.model_plan import ModelPlan, plan_model
from firmware.builder.synth import synthesize
from golden.format import QuantModel
from golden.synthetic import random_legal_model

pytestmark = pytest.mark.skipif(not have("gcc"), reason="gcc is not installed")

_SIZES_MAIN = """
#include <stddef.h>
#include <stdio.h>
#include "kernels.h"
static const ferhil_layer_params layers[] = {
%s
};
static const int is_conv[] = {%s};
int main(void)
{
    for (unsigned i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        const ferhil_layer_params *p = &layers[i];
        const int32_t buf = is_conv[i] ? ferhil_conv2d_s8_get_buffer_size(p)
                                       : ferhil_fully_connected_s8_get_buffer_size(p);
        const int32_t acc = is_conv[i] ? ferhil_conv2d_s8_get_acc_size(p) : 0;
        printf("%%ld %%ld\\n", (long)buf, (long)acc);
    }
    return 0;
}
"""

_STATUS_MAIN = """
#include <stddef.h>
#include <stdio.h>
#include "kernels.h"
int main(void)
{
    static const uint8_t w[64] = {0};
    static int8_t in[64], out[64], scratch[64];
    static int32_t acc[64], wide[64];
    ferhil_layer_params p = {2u, 3u, 3u, 2u, 3u, 1u, 8u, 0, FERHIL_ACT_NONE, 0u, w, NULL};
    printf("%d\\n", ferhil_conv2d_s8(&p, in, out, wide, scratch, acc));
    printf("%d\\n", ferhil_conv2d_s8(NULL, in, out, wide, scratch, acc));
    printf("%d\\n", ferhil_conv2d_s8(&p, in, NULL, wide, scratch, acc));
    printf("%d\\n", ferhil_conv2d_s8(&p, in, out, wide, scratch, NULL));
    p.weight_bits = 3u;
    printf("%d\\n", ferhil_conv2d_s8(&p, in, out, wide, scratch, acc));
    p.weight_bits = 8u;
    p.kernel = 2u;
    printf("%d\\n", ferhil_conv2d_s8(&p, in, out, wide, scratch, acc));
    p.kernel = 1u;
    p.wide = 1u;
    printf("%d\\n", ferhil_fully_connected_s8(&p, in, out, NULL, scratch));
    printf("%d\\n", ferhil_max_pool_s8(in, 1u, 4u, 4u, 2u, 2u, 0u, out));
    printf("%d\\n", ferhil_avg_pool_s8(in, 1u, 2u, 2u, 3u, 3u, 1u, out));
    printf("%d\\n", ferhil_eltwise_s8(in, 4u, 2u, 9u, out));
    printf("%d\\n", ferhil_unpack_weights_s8(w, 5u, 4u, scratch));
    printf("%d\\n", ferhil_upsample2x_s8(NULL, 1u, 2u, 2u, 0u, 0u, out));
    return 0;
}
"""


def _run_c(tmp_path: Path, source: str) -> list[str]:
    (tmp_path / "main.c").write_text(source)
    exe = tmp_path / "main"
    cmd = ["gcc", *STRICT_CFLAGS, f"-I{C_DIR}", str(tmp_path / "main.c"), str(C_DIR / "kernels.c")]
    subprocess.run([*cmd, "-o", str(exe)], check=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split("\n")


def _params_text(plan: ModelPlan) -> tuple[str, str]:
    rows, conv = [], []
    for lp in plan.layers:
        layer = lp.layer
        c, h, w = lp.pooled_shape
        if layer.op == "conv2d":
            k, pad = layer.kernel_size, layer.pad
        else:
            c, h, w, k, pad = lp.row_count, 1, 1, 1, 0
        fields = f"{c}u, {h}u, {w}u, {layer.out_channels}u, {k}u, {pad}u, 8u, 0, 0u, 0u"
        rows.append(f"    {{{fields}, NULL, NULL}},")
        conv.append("1" if layer.op == "conv2d" else "0")
    return "\n".join(rows), ", ".join(conv)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_c_buffer_sizes_match_python_plan(tmp_path: Path, fer_model: QuantModel, seed: int) -> None:
    model = fer_model if seed == 0 else random_legal_model(np.random.default_rng(seed))
    plan = plan_model(model)
    params, conv = _params_text(plan)
    lines = [ln for ln in _run_c(tmp_path, _SIZES_MAIN % (params, conv)) if ln]
    assert len(lines) == len(plan.layers)
    sizes = [tuple(int(v) for v in ln.split()) for ln in lines]
    for lp, (buf, acc) in zip(plan.layers, sizes, strict=True):
        assert buf == lp.row_count, f"layer {lp.index}"
        if lp.layer.op == "conv2d":
            assert acc == lp.out_shape[1] * lp.out_shape[2], f"layer {lp.index}"
    assert max(buf for buf, _ in sizes) == plan.scratch_weights
    assert max(acc for _, acc in sizes) <= plan.acc_plane


def test_kernels_return_status_on_bad_arguments(tmp_path: Path) -> None:
    codes = [int(v) for v in _run_c(tmp_path, _STATUS_MAIN) if v]
    ok, arg, no_impl = 0, -1, -2
    assert codes == [ok, arg, arg, arg, arg, no_impl, arg, arg, arg, arg, arg, arg]


def _driver_rc(tmp_path: Path, model: QuantModel, patch: tuple[str, str]) -> int:
    """Build the generated cnn.c with one textual patch; return the host driver's exit code."""
    synthesize(model, model_cycles=1000).write(tmp_path)
    cnn_c = tmp_path / "cnn.c"
    text = cnn_c.read_text()
    pattern, repl = patch
    patched, n = re.subn(pattern, repl, text, count=1)
    assert n == 1, f"pattern {pattern!r} not in the generated cnn.c"
    cnn_c.write_text(patched)
    exe = tmp_path / "cnn_driver"
    sources = [str(DRIVER_DIR / "cnn_driver.c"), str(cnn_c), str(C_DIR / "kernels.c")]
    cflags = [*STRICT_CFLAGS, f"-I{tmp_path}", f"-I{C_DIR}"]
    subprocess.run(["gcc", *cflags, *sources, "-o", str(exe)], check=True)
    x = np.zeros(model.input_shape, np.int8)
    (tmp_path / "in.bin").write_bytes(x.tobytes())
    run = subprocess.run([str(exe), str(tmp_path / "in.bin"), str(tmp_path / "out.bin")])
    return run.returncode


def test_generated_cnn_runs_unpatched(tmp_path: Path, fer_model: QuantModel) -> None:
    assert _driver_rc(tmp_path, fer_model, (r"(#define CNN_SCRATCH_WEIGHTS \d+u)", r"\1")) == 0


def test_generated_cnn_refuses_a_scratch_buffer_smaller_than_c_needs(
    tmp_path: Path, fer_model: QuantModel
) -> None:
    # cnn_configure() compares Python's figure with ferhil_*_get_buffer_size(): exit 3.
    patch = (r"#define CNN_SCRATCH_WEIGHTS (\d+)u", r"#define CNN_SCRATCH_WEIGHTS (\1u - 1u)")
    assert _driver_rc(tmp_path, fer_model, patch) == 3


def test_generated_cnn_fails_the_inference_on_a_kernel_error(
    tmp_path: Path, fer_model: QuantModel
) -> None:
    # An activation code the kernels do not know: ferhil_conv2d_s8 returns FERHIL_ARG_ERROR,
    # cnn_start() returns CNN_FAIL (the agent replies FERHIL_STATUS_CNN_START_FAILED): exit 4.
    patch = (
        r"(cnn_layers\[CNN_NUM_LAYERS\] = \{\s*(?:/\*.*?\*/\s*)?\{\{(?:[^,]*,){8})[^,]*,",
        r"\1 9u,",
    )
    assert _driver_rc(tmp_path, fer_model, patch) == 4
