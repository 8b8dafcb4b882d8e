"""The accelerator sources and the outputs of a MAX78000FTHR (MSDK) build.

Before ``make``: :func:`add_izer_sources` puts izer's generated files into ``src/adi`` (running
izer through :mod:`firmware.builder.izer_project`, or copying a user's ai8xize.py output folder).
After ``make``: :func:`msdk_outputs` adds the Intel HEX image, the map and the memory use read
from the map (:mod:`firmware.builder.link_map`) and izer's report to the build manifest.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from firmware.builder.izer import find_izer
from firmware.builder.izer_project import (
    IZER_ARGS,
    IZER_FILES,
    ExporterMissingError,
    izer_sources,
    resource_usage,
)
from firmware.builder.link_map import memory_use
from firmware.builder.msdk import MsdkOptions
from firmware.builder.toolchains import FirmwareBuildError, run_tool

if TYPE_CHECKING:
    from firmware.builder.board_specs import BoardBuildSpec
    from golden.format import QuantModel

#: The source entry standing for izer's output in the cache key when izer runs in the build.
IZER_IDENTITY_FILE = "adi/izer-identity.json"


def read_izer_dir(folder: Path) -> dict[str, bytes]:
    """Return ``adi/<name>`` -> bytes for :data:`IZER_FILES` of a user's ai8xize.py output.

    Raises:
        FirmwareBuildError: a file is missing.
    """
    files = {}
    for name in IZER_FILES:
        src = Path(folder) / name
        if not src.is_file():
            raise FirmwareBuildError(
                f"{folder} has no {name}; point --adi-cnn-dir at ai8xize.py's output folder "
                f"(<test-dir>/<prefix>, made with --sample-input) or leave it out to let ferhil "
                "run izer"
            )
        files[f"adi/{name}"] = src.read_bytes()
    return files


def add_izer_sources(
    spec: BoardBuildSpec, model: QuantModel, src: Path, opts: dict[str, Any]
) -> dict[str, Any] | None:
    """Write izer's files into ``src/adi`` for an accelerator build; return their description.

    Returns:
        None for the portable backend, else ``izer_version``, ``izer_args`` (or
        ``izer_output`` for a user folder), ``weight_bytes``, ``weight_capacity``,
        ``bias_bytes``.

    Raises:
        ExporterMissingError: no ``ai8x_exporter`` option was given.
        IzerMissingError, IzerFailedError: izer is not installed or failed.
    """
    options = MsdkOptions.from_opts(opts)
    if not options.accelerator:
        return None
    adi = src / "adi"
    if options.adi_cnn_dir is not None:
        usage = resource_usage((adi / "cnn.h").read_text(encoding="utf-8", errors="replace"))
        return {"izer_output": str(options.adi_cnn_dir), **usage}
    exporter = opts.get("ai8x_exporter")
    if exporter is None:
        raise ExporterMissingError(
            f"the accelerator build of board {spec.name} needs the ai8x exporter "
            "(models.export.export_ai8x.export_ai8x); build through `ferhil build` or pass "
            "ai8x_exporter=..."
        )
    install = find_izer(options.izer)
    generated = izer_sources(model, install, exporter)
    adi.mkdir(parents=True, exist_ok=True)
    for name, data in generated.files.items():
        (adi / name).write_bytes(data)
    (adi / "izer.log").write_text(generated.log)
    return {
        "izer_version": install.version(),
        "izer_args": list(IZER_ARGS),
        "weight_bytes": generated.weight_bytes,
        "weight_capacity": generated.weight_capacity,
        "bias_bytes": generated.bias_bytes,
    }


def msdk_outputs(work: Path, output: str, accel: dict[str, Any] | None) -> dict[str, Any]:
    """Write the HEX image beside the ELF; return the manifest entries of the outputs.

    Returns:
        ``hex``, ``map`` (paths relative to the build folder), ``memory`` (flash/SRAM use
        from the map) and ``accelerator`` (izer's report, or None for the portable backend).
    """
    elf = work / output
    hex_path = elf.with_suffix(".hex")
    map_path = elf.with_suffix(".map")
    if shutil.which("arm-none-eabi-objcopy") is None:
        raise FirmwareBuildError("arm-none-eabi-objcopy is not on PATH (binutils-arm-none-eabi)")
    run_tool(
        ["arm-none-eabi-objcopy", "-O", "ihex", str(elf), str(hex_path)], what="objcopy to HEX"
    )
    memory = memory_use(map_path.read_text(encoding="utf-8", errors="replace"))
    if accel is not None:
        memory["cnn_weight_bytes"] = accel["weight_bytes"]
        memory["cnn_weight_capacity"] = accel["weight_capacity"]
    return {
        "hex": hex_path.relative_to(work).as_posix(),
        "map": map_path.relative_to(work).as_posix(),
        "memory": memory,
        "accelerator": json.loads(json.dumps(accel)) if accel is not None else None,
    }
