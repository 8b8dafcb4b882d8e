"""MAX78000FTHR images of every zoo model, built with ADI's MSDK make (the shared MSDK subset)
and izer (the shared checkout): memory use from each map, izer's known answer against golden."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from firmware.builder.build import FirmwareArtifact, build_firmware
from firmware.builder.izer import IzerInstall
from firmware.builder.izer_project import kat_expected_outputs
from firmware.builder.link_map import parse_map
from firmware.builder.synth import kat_expected
from firmware.builder.toolchains import FirmwareBuildError
from golden.zoo import list_zoo, load_model

pytestmark = pytest.mark.slow
SHARED_MSDK = Path(__file__).resolve().parents[3] / "shared" / "vendor" / "msdk"
ZOO = [entry.name for entry in list_zoo()]
KIB = 1024


@pytest.fixture(scope="session")
def maxim_path() -> Path:
    """$MAXIM_PATH, else the shared MSDK subset (tests only); skips without the cross gcc."""
    root = Path(os.environ.get("MAXIM_PATH") or SHARED_MSDK)
    if not (root / "Libraries" / "libs.mk").is_file():
        pytest.skip(f"no MSDK at {root}: set MAXIM_PATH")
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc is not installed (apt-get install gcc-arm-none-eabi)")
    return root


@pytest.fixture(scope="session")
def fthr_builds(
    maxim_path: Path, izer_install: IzerInstall, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], FirmwareArtifact | FirmwareBuildError]:
    """Every zoo model with the accelerator backend and the portable one (or its refusal)."""
    from models.export.export_ai8x import export_ai8x

    cache = tmp_path_factory.mktemp("fthr")
    builds: dict[tuple[str, str], FirmwareArtifact | FirmwareBuildError] = {}
    for name in ZOO:
        model = load_model(name)
        for backend in ("accelerator", "portable"):
            start = time.monotonic()
            try:
                builds[(name, backend)] = build_firmware(
                    "max78000fthr",
                    model,
                    cache_dir=cache,
                    maxim_path=maxim_path,
                    backend=backend,
                    izer=izer_install.root,
                    ai8x_exporter=export_ai8x,
                )
            except FirmwareBuildError as exc:
                builds[(name, backend)] = exc
            print(f"\nFTHR build {name} {backend}: {time.monotonic() - start:.1f} s")
    return builds


@pytest.mark.parametrize("name", ZOO)
def test_accelerator_image_fits_and_keeps_weights_in_cnn_memory(
    fthr_builds: dict[tuple[str, str], FirmwareArtifact | FirmwareBuildError], name: str
) -> None:
    art = fthr_builds[(name, "accelerator")]
    assert isinstance(art, FirmwareArtifact), str(art)
    m = art.manifest
    root = art.path.parent.parent
    assert (root / m["hex"]).read_text().startswith(":")
    mem = m["memory"]
    assert mem["text"] + mem["data"] <= 512 * KIB and mem["flash_used"] <= mem["flash_size"]
    assert mem["bss"] + mem["data"] <= 128 * KIB and mem["sram_used"] <= mem["sram_size"]
    lm = parse_map((root / m["map"]).read_text())
    kernels = lm.find_input(".rodata.kernels")  # izer's weights.h, loaded by cnn_load_weights()
    assert kernels is not None and kernels.obj.endswith("cnn_adi_backend.o")
    assert lm.region_of(kernels.address) == "FLASH"
    assert kernels.size >= m["accelerator"]["weight_bytes"]
    assert not any(s.name.startswith(".rodata.cnn_weights_") for s in lm.inputs)  # no portable
    assert mem["sram_used"] < m["accelerator"]["weight_bytes"]  # weights are not in SRAM
    for section in (".rodata.input_0", ".rodata.sample_output"):  # izer's KAT is in the image
        assert lm.find_input(section) is not None, section
    assert m["accelerator"]["izer_args"][:4] == ["--device", "MAX78000", "--timer", "0"]
    assert m["toolchain"]["msdk"]


@pytest.mark.parametrize("name", ZOO)
def test_izer_known_answer_equals_golden(
    fthr_builds: dict[tuple[str, str], FirmwareArtifact | FirmwareBuildError], name: str
) -> None:
    art = fthr_builds[(name, "accelerator")]
    assert isinstance(art, FirmwareArtifact), str(art)
    model = load_model(name)
    text = (art.path.parent.parent / "src" / "adi" / "sampleoutput.h").read_text()
    wide = bool(model.layers[-1].wide)
    np.testing.assert_array_equal(kat_expected_outputs(text, wide), kat_expected(model))


@pytest.mark.parametrize("name", ZOO)
def test_portable_backend_fits_or_is_refused_naming_the_accelerator(
    fthr_builds: dict[tuple[str, str], FirmwareArtifact | FirmwareBuildError], name: str
) -> None:
    art = fthr_builds[(name, "portable")]
    if isinstance(art, FirmwareBuildError):
        assert "--backend accelerator" in str(art) and "does not fit" in str(art)
        return
    mem = art.manifest["memory"]
    assert mem["bss"] + mem["data"] <= 128 * KIB
    assert mem["text"] + mem["data"] <= 512 * KIB
    assert art.manifest["accelerator"] is None


def _calls(elf: Path, function: str) -> list[str]:
    import subprocess

    out = subprocess.run(
        ["arm-none-eabi-objdump", "-d", f"--disassemble={function}", str(elf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [ln.rsplit("<", 1)[-1].rstrip(">") for ln in out.splitlines() if "\tbl\t" in ln]


@pytest.mark.parametrize("name", ZOO[:1])
def test_inference_is_timed_by_the_hardware_timer_without_leds(
    fthr_builds: dict[tuple[str, str], FirmwareArtifact | FirmwareBuildError], name: str
) -> None:
    art = fthr_builds[(name, "accelerator")]
    assert isinstance(art, FirmwareArtifact), str(art)
    start, isr = _calls(art.path, "cnn_start"), _calls(art.path, "CNN_ISR")
    assert "MXC_TMR_SW_Start" in start and "MXC_TMR_SW_Stop" in isr  # izer --timer 0
    assert not [c for c in start + isr if c.startswith("LED_")], (start, isr)
