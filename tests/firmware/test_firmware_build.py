"""build_firmware: manifest, cache by hash, rebuild on change, missing toolchains and MSDK."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from firmware_testlib import have

import firmware.builder.build as build_mod
from firmware.builder.board_specs import UnknownBoardError, list_boards, load_board
from firmware.builder.build import build_firmware
from firmware.builder.toolchains import TOOLCHAINS, Toolchain, ToolchainMissingError
from golden.format import FER_CLASSES, Pool, QuantLayer, QuantModel
from golden.synthetic import random_legal_model

needs_gcc = pytest.mark.skipif(not have("gcc"), reason="gcc is not installed")


@pytest.fixture(scope="module")
def small_model() -> QuantModel:
    return random_legal_model(np.random.default_rng(9), input_shape=(1, 16, 16), max_layers=4)


def test_registry_lists_the_boards() -> None:
    assert {"hostsim", "qemu_mps2_an386", "max78000fthr"} <= set(list_boards())
    assert load_board("qemu-mps2-an386").name == "qemu_mps2_an386"
    with pytest.raises(UnknownBoardError, match=r"known boards: .*hostsim"):
        load_board("no-such-board")


@needs_gcc
def test_second_build_is_a_cache_hit(small_model: QuantModel, tmp_path: Path) -> None:
    first = build_firmware("hostsim", small_model, cache_dir=tmp_path)
    second = build_firmware("hostsim", small_model, cache_dir=tmp_path)
    assert not first.cached and second.cached
    assert first.path == second.path and first.path.is_file()
    assert first.path.parent.name == first.manifest["firmware_hash"]
    forced = build_firmware("hostsim", small_model, cache_dir=tmp_path, force=True)
    assert not forced.cached and forced.firmware_hash == first.firmware_hash


@needs_gcc
def test_manifest_describes_the_build(small_model: QuantModel, tmp_path: Path) -> None:
    art = build_firmware("hostsim", small_model, cache_dir=tmp_path)
    m = art.manifest
    assert m["model_hash"] == small_model.hash()
    assert m["board"] == "hostsim" and m["backend"] == "portable"
    assert m["toolchain"]["gcc"].startswith("gcc")
    assert {"gen/cnn.c", "gen/weights.h", "c/kernels.c", "board/board.json"} <= set(m["sources"])
    assert any(f.startswith("-DFIRMWARE_BUILD_HASH=") for f in m["flags"])
    assert m["built_at"]
    on_disk = json.loads((art.path.parent / "manifest.json").read_text())
    assert on_disk == m


@needs_gcc
def test_source_change_rebuilds(
    small_model: QuantModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c_copy = tmp_path / "c"
    shutil.copytree(build_mod.COMMON_C_DIR, c_copy)
    monkeypatch.setattr(build_mod, "COMMON_C_DIR", c_copy)
    cache = tmp_path / "cache"
    first = build_firmware("hostsim", small_model, cache_dir=cache)
    with (c_copy / "kernels.c").open("a") as fh:
        fh.write("\n/* changed */\n")
    second = build_firmware("hostsim", small_model, cache_dir=cache)
    assert not second.cached
    assert second.firmware_hash != first.firmware_hash
    assert second.manifest["sources"]["c/kernels.c"] != first.manifest["sources"]["c/kernels.c"]


@needs_gcc
def test_model_change_rebuilds(small_model: QuantModel, tmp_path: Path) -> None:
    other = random_legal_model(np.random.default_rng(10), input_shape=(1, 16, 16), max_layers=4)
    a = build_firmware("hostsim", small_model, cache_dir=tmp_path)
    b = build_firmware("hostsim", other, cache_dir=tmp_path)
    assert a.firmware_hash != b.firmware_hash and not b.cached


def test_missing_compiler_names_the_debian_package(
    small_model: QuantModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = Toolchain("arm-none-eabi-gcc", "ferhil-no-such-gcc", ("gcc-arm-none-eabi",))
    monkeypatch.setitem(TOOLCHAINS, "arm-none-eabi-gcc", fake)
    with pytest.raises(ToolchainMissingError, match="apt-get install gcc-arm-none-eabi"):
        build_firmware("qemu_mps2_an386", small_model, cache_dir=tmp_path)


def test_missing_msdk_says_what_to_install(
    small_model: QuantModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAXIM_PATH", raising=False)
    with pytest.raises(ToolchainMissingError, match=r"MAXIM_PATH is not set.*MSDK"):
        build_firmware("max78000fthr", small_model, cache_dir=tmp_path)
    not_msdk = tmp_path / "not-msdk"
    not_msdk.mkdir()
    monkeypatch.setenv("MAXIM_PATH", str(not_msdk))
    with pytest.raises(ToolchainMissingError, match=r"missing Libraries/libs\.mk"):
        build_firmware("max78000fthr", small_model, cache_dir=tmp_path)


def test_unknown_option_is_rejected(small_model: QuantModel, tmp_path: Path) -> None:
    with pytest.raises(build_mod.FirmwareBuildError, match="unknown build option"):
        build_firmware("hostsim", small_model, cache_dir=tmp_path, turbo=True)


@pytest.mark.skipif(not have("arm-none-eabi-gcc"), reason="arm-none-eabi-gcc is not installed")
def test_model_too_big_for_the_board_ram_is_explained(tmp_path: Path) -> None:
    # 128 x 48 x 48 int8 activations (288 KiB, twice: ping-pong) fit neither the 128 KiB SRAM
    # nor the 512 KiB CNN data memory.
    rng = np.random.default_rng(0)
    conv = QuantLayer(
        name="wide_conv",
        op="conv2d",
        weights=rng.integers(-8, 8, size=(128, 1, 3, 3)).astype(np.int8),
        bias=None,
        weight_bits=8,
        output_shift=0,
        activation="relu",
        pad=1,
    )
    fc = QuantLayer(
        name="fc",
        op="linear",
        weights=rng.integers(-8, 8, size=(7, 1152)).astype(np.int8),
        bias=None,
        weight_bits=8,
        output_shift=0,
        pool=Pool("avg", (16, 16), 16),
        flatten=True,
        wide=True,
    )
    model = QuantModel(
        name="too-big",
        version="1",
        input_shape=(1, 48, 48),
        classes=FER_CLASSES,
        input_mapping="pixel_minus_128",
        layers=[conv, fc],
    )
    with pytest.raises(build_mod.FirmwareBuildError, match="does not fit board qemu_mps2_an386"):
        build_firmware("qemu_mps2_an386", model, cache_dir=tmp_path)
