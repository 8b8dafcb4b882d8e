"""Run izer for a model the way ADI builds its demos; read back what it generated.

:func:`izer_sources` exports the model (:func:`models.export.export_ai8x.export_ai8x`) with ferhil's
deterministic known-answer input (:func:`kat_input`), runs ``ai8xize.py`` with
:data:`IZER_ARGS` (ADI's demo options from its ``gen-demos-max78000.sh``: ``--device MAX78000
--timer 0``, plus ``--compact-data --mexpress`` for smaller, faster weight loading; no
``--softmax``: the harness wants the raw outputs) and returns the files the MAX78000FTHR agent
compiles (:data:`IZER_FILES`): ``cnn.c``/``cnn.h``/``weights.h`` (the accelerator code and
weights), ``main.c`` (ADI's demo application: it defines ``cnn_time`` and the known-answer
``load_input``/``check_output``) and ``sampledata.h``/``sampleoutput.h`` (the known answer).

:func:`izer_identity` is what the build cache key holds instead of the generated files (model
hash, izer version, arguments, sample input), so a cached build never runs izer.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from firmware.builder.izer import IzerFailedError, IzerInstall
from firmware.builder.synth import kat_input
from golden.format import QuantModel

#: ai8xize.py options of every ferhil accelerator build (besides paths and --prefix).
IZER_ARGS: tuple[str, ...] = (
    "--device",
    "MAX78000",
    "--timer",
    "0",
    "--compact-data",
    "--mexpress",
)
#: Files of izer's output the agent build uses.
IZER_FILES: tuple[str, ...] = (
    "cnn.c",
    "cnn.h",
    "weights.h",
    "main.c",
    "sampledata.h",
    "sampleoutput.h",
)
PREFIX = "ferhil"
_USAGE = re.compile(r"(Weight|Bias) memory:\s+([\d,]+) bytes out of ([\d,]+) bytes")
_SAMPLE_OUTPUT = re.compile(r"#define SAMPLE_OUTPUT \{(.*?)\}", re.S)


class Ai8xExportPaths(Protocol):
    """What an exporter wrote (:class:`models.export.export_ai8x.Ai8xExport`)."""

    @property
    def checkpoint(self) -> Path: ...  # noqa: D102
    @property
    def network_yaml(self) -> Path: ...  # noqa: D102
    @property
    def sample_input(self) -> Path: ...  # noqa: D102


#: ``export_ai8x(model, out_dir, sample_input)``; firmware may not import models (torch), so
#: the harness passes :func:`models.export.export_ai8x.export_ai8x` in.
Ai8xExporter = Callable[[QuantModel, Path, np.ndarray], Ai8xExportPaths]


class ExporterMissingError(IzerFailedError):
    """An accelerator build was asked for without an ai8x exporter."""


@dataclass(frozen=True)
class IzerSources:
    """izer's generated files for one model.

    Attributes:
        files: file name (one of :data:`IZER_FILES`) -> bytes.
        weight_bytes: accelerator weight memory used (izer's RESOURCE USAGE).
        weight_capacity: accelerator weight memory in total.
        bias_bytes: accelerator bias memory used.
        log: izer's console output (kept beside the build).
    """

    files: dict[str, bytes]
    weight_bytes: int
    weight_capacity: int
    bias_bytes: int
    log: str


def izer_identity(model: QuantModel, install: IzerInstall) -> bytes:
    """Return the bytes standing for izer's output in the build cache key."""
    identity = {
        "model_hash": model.hash(),
        "izer_version": install.version(),
        "izer_args": list(IZER_ARGS),
        "kat_input": hashlib.sha256(kat_input(model).tobytes()).hexdigest(),
    }
    return json.dumps(identity, sort_keys=True).encode()


def resource_usage(cnn_h: str) -> dict[str, int]:
    """Parse izer's RESOURCE USAGE comment: ``weight_bytes``, ``weight_capacity``, ``bias_bytes``.

    Raises:
        IzerFailedError: when the comment is missing (not izer's cnn.h).
    """
    found = {
        kind: (int(used.replace(",", "")), int(total.replace(",", "")))
        for kind, used, total in _USAGE.findall(cnn_h)
    }
    if "Weight" not in found:
        raise IzerFailedError("izer's cnn.h has no RESOURCE USAGE section; is izer too old?")
    return {
        "weight_bytes": found["Weight"][0],
        "weight_capacity": found["Weight"][1],
        "bias_bytes": found.get("Bias", (0, 0))[0],
    }


def sample_output_words(sampleoutput_h: str) -> list[tuple[int, int, list[int]]]:
    """Parse izer's ``SAMPLE_OUTPUT``: ``(address, mask, expected words)`` per block.

    Raises:
        IzerFailedError: when the macro is missing or malformed.
    """
    match = _SAMPLE_OUTPUT.search(sampleoutput_h)
    if match is None:
        raise IzerFailedError("izer's sampleoutput.h has no SAMPLE_OUTPUT")
    words = [int(tok, 0) for tok in re.findall(r"0x[0-9a-fA-F]+|\d+", match.group(1))]
    blocks = []
    i = 0
    while i < len(words) and words[i] != 0:
        addr, mask, length = words[i : i + 3]
        blocks.append((addr, mask, words[i + 3 : i + 3 + length]))
        i += 3 + length
    if i >= len(words):
        raise IzerFailedError("izer's SAMPLE_OUTPUT is not 0-terminated")
    return blocks


def kat_expected_outputs(sampleoutput_h: str, wide: bool) -> np.ndarray:
    """Return izer's expected raw outputs in output order (int64).

    Wide (32-bit) outputs are one word per output, blocks in address order; 8-bit outputs are
    four little-endian signed bytes per word.
    """
    words = [w for _, _, block in sample_output_words(sampleoutput_h) for w in block]
    raw = np.array(words, dtype=np.uint32)
    if wide:
        return raw.view(np.int32).astype(np.int64)
    return raw.view(np.uint8).view(np.int8).astype(np.int64)


def izer_sources(
    model: QuantModel, install: IzerInstall, exporter: Ai8xExporter, *, timeout_s: float = 600.0
) -> IzerSources:
    """Export ``model`` with ``exporter``, run izer on it and return its generated files.

    Raises:
        IzerFailedError: izer failed, or did not write one of :data:`IZER_FILES`.
        Ai8xExportError: the model does not fit izer's layout.
    """
    work = Path(tempfile.mkdtemp(prefix="ferhil-izer-"))
    try:
        exported = exporter(model, work / "export", kat_input(model))
        out = work / "out"
        args = [
            "--test-dir",
            str(out),
            "--prefix",
            PREFIX,
            "--checkpoint-file",
            str(exported.checkpoint),
            "--config-file",
            str(exported.network_yaml),
            "--sample-input",
            str(exported.sample_input),
            *IZER_ARGS,
        ]
        # izer reads its assets relative to the working folder: run it in its checkout.
        proc = install.run(args, cwd=install.root, timeout_s=timeout_s)
        project = out / PREFIX
        missing = [n for n in IZER_FILES if not (project / n).is_file()]
        if missing:
            raise IzerFailedError(
                f"izer did not write {', '.join(missing)} into {project}; check its output:\n"
                + "\n".join((proc.stdout + proc.stderr).splitlines()[-10:])
            )
        files = {name: (project / name).read_bytes() for name in IZER_FILES}
        usage = resource_usage(files["cnn.h"].decode("utf-8", "replace"))
        return IzerSources(files=files, log=proc.stdout + proc.stderr, **usage)
    finally:
        shutil.rmtree(work, ignore_errors=True)
