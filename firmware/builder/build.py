"""Build (or reuse) the firmware of a board for a model: :func:`build_firmware`.

A build gathers every input: the generated model sources (:mod:`firmware.builder.synth`), the common
C
in ``firmware/c`` (agent, frame layer, kernels) and the board folder. Its *firmware hash* is the
SHA-256 of the board name, the toolchain versions, the flags, the options and the hash of every
source file. The build lives in ``<cache_dir>/<firmware hash>/`` (default ``build/firmware``,
overridable with ``FERHIL_BUILD_DIR``), next to ``manifest.json``; an unchanged firmware is
found there and not rebuilt. Builds go to a temporary folder that is renamed into place, so
concurrent builds of one firmware (pytest-xdist workers) are safe.

The compiled code receives ``-DFIRMWARE_BUILD_HASH="<hex>"`` and
``-DFIRMWARE_BUILD_ID=<first 16 hex digits>ULL``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from firmware.builder.board_specs import BoardBuildSpec, load_board
from firmware.builder.izer import find_izer
from firmware.builder.izer_project import izer_identity
from firmware.builder.model_plan import plan_model
from firmware.builder.msdk import MsdkOptions, build_msdk_project, msdk_versions
from firmware.builder.msdk_outputs import (
    IZER_IDENTITY_FILE,
    add_izer_sources,
    msdk_outputs,
    read_izer_dir,
)
from firmware.builder.synth import synthesize
from firmware.builder.toolchains import FirmwareBuildError, get_toolchain
from golden.format import QuantModel

LOG = logging.getLogger("ferhil.firmware")
COMMON_C_DIR = Path(__file__).parent.parent / "c"
REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA = "ferhil-firmware-manifest"
_GCC_OPTS = frozenset({"extra_cflags"})
_MSDK_OPTS = frozenset(
    {"maxim_path", "adi_cnn_dir", "uart_baud", "make_jobs", "backend", "izer", "ai8x_exporter"}
)
#: Options that locate tools or carry code; their content is keyed by versions instead.
_UNHASHED_OPTS = frozenset({"maxim_path", "izer", "ai8x_exporter"})


@dataclass(frozen=True)
class FirmwareArtifact:
    """A built firmware.

    Attributes:
        path: the executable (hostsim binary or ELF).
        board: the board name.
        manifest: firmware_hash, model_hash, sources (path -> sha256), toolchain versions,
            flags, options and built_at.
        cached: True when this call found the build in the cache.
    """

    path: Path
    board: str
    manifest: dict[str, Any]
    cached: bool = field(default=False, compare=False)

    @property
    def firmware_hash(self) -> str:
        """The firmware hash (SHA-256 hex)."""
        return str(self.manifest["firmware_hash"])


def default_cache_dir() -> Path:
    """Return ``$FERHIL_BUILD_DIR`` or ``<repo>/build/firmware``."""
    env = os.environ.get("FERHIL_BUILD_DIR")
    return Path(env) if env else REPO_ROOT / "build" / "firmware"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _board_files(spec: BoardBuildSpec) -> dict[str, bytes]:
    files = {}
    for path in sorted(spec.directory.rglob("*")):
        if (
            path.is_file()
            and path.suffix not in (".py", ".pyc", ".md")
            and "__pycache__" not in path.parts
        ):
            files[f"board/{path.relative_to(spec.directory).as_posix()}"] = path.read_bytes()
    return files


def _gather_sources(
    spec: BoardBuildSpec, model: QuantModel, opts: dict[str, Any]
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    msdk = MsdkOptions.from_opts(opts) if spec.kind == "msdk" else None
    if msdk is not None and msdk.adi_cnn_dir is not None:
        files.update(read_izer_dir(msdk.adi_cnn_dir))
    elif msdk is not None and msdk.accelerator:
        files[IZER_IDENTITY_FILE] = izer_identity(model, find_izer(msdk.izer))
    sources = synthesize(model)
    files.update({f"gen/{n}": t.encode() for n, t in sources.files.items()})
    for path in sorted(COMMON_C_DIR.iterdir()):
        if path.suffix in (".c", ".h"):
            files[f"c/{path.name}"] = path.read_bytes()
    files.update(_board_files(spec))
    return files


def _check_opts(spec: BoardBuildSpec, opts: dict[str, Any]) -> None:
    allowed = _MSDK_OPTS if spec.kind == "msdk" else _GCC_OPTS
    unknown = sorted(set(opts) - allowed)
    if unknown:
        raise FirmwareBuildError(
            f"unknown build option(s) {unknown} for board {spec.name}; known: {sorted(allowed)}"
        )


def _toolchain_versions(spec: BoardBuildSpec, opts: dict[str, Any]) -> dict[str, str]:
    if spec.kind == "msdk":
        return msdk_versions(MsdkOptions.from_opts(opts))
    return get_toolchain(spec.toolchain).versions()


def _firmware_hash(
    spec: BoardBuildSpec, sources: dict[str, str], versions: dict[str, str], opts: dict[str, Any]
) -> str:
    identity = {
        "board": spec.name,
        "kind": spec.kind,
        "cflags": list(spec.cflags),
        "ldflags": list(spec.ldflags),
        "toolchain": versions,
        "options": {k: str(v) for k, v in sorted(opts.items()) if k not in _UNHASHED_OPTS},
        "sources": sources,
    }
    return _sha256(json.dumps(identity, sort_keys=True).encode())


def _subst(flags: tuple[str, ...], spec: BoardBuildSpec, out_dir: Path) -> list[str]:
    return [f.format(board_dir=spec.directory, out_dir=out_dir) for f in flags]


def _compile_gcc(spec: BoardBuildSpec, work: Path, fw_hash: str, opts: dict[str, Any]) -> list[str]:
    defines = [f'-DFIRMWARE_BUILD_HASH="{fw_hash}"', f"-DFIRMWARE_BUILD_ID=0x{fw_hash[:16]}ULL"]
    cflags = [*_subst(spec.cflags, spec, work), *defines, *opts.get("extra_cflags", ())]
    ldflags = _subst(spec.ldflags, spec, work)
    src = work / "src"
    c_files = sorted(src.glob("gen/*.c")) + sorted(src.glob("c/*.c"))
    c_files += [src / "board" / s for s in spec.sources]
    get_toolchain(spec.toolchain).build(
        c_files,
        work / spec.output,
        cflags=cflags,
        ldflags=ldflags,
        include_dirs=[src / "gen", src / "c", src / "board"],
        cwd=work,
    )
    return cflags + ldflags


def _load_cached(final: Path, spec: BoardBuildSpec) -> FirmwareArtifact | None:
    manifest_path = final / MANIFEST_NAME
    output = final / spec.output
    if not (manifest_path.is_file() and output.is_file()):
        return None
    manifest = json.loads(manifest_path.read_text())
    return FirmwareArtifact(path=output, board=spec.name, manifest=manifest, cached=True)


def build_firmware(
    board: str,
    model: QuantModel,
    *,
    cache_dir: str | Path | None = None,
    force: bool = False,
    **opts: Any,
) -> FirmwareArtifact:
    """Build the firmware of ``board`` running ``model``, or return the cached build.

    Args:
        board: a registered board (``hostsim``, ``qemu_mps2_an386``, ``max78000fthr``).
        model: the quantized model.
        cache_dir: the build cache root (default :func:`default_cache_dir`).
        force: rebuild even when the cache holds this firmware.
        **opts: board options: ``extra_cflags`` (gcc boards); ``maxim_path``,
            ``adi_cnn_dir``, ``uart_baud``, ``make_jobs``, ``backend`` (``accelerator``, the
            default, or ``portable``), ``izer`` (checkout; default ``$FERHIL_IZER``) and
            ``ai8x_exporter`` (``models.export.export_ai8x.export_ai8x``, passed in by the harness)
            (max78000fthr).

    Returns:
        The artifact; ``artifact.cached`` says whether it came from the cache.

    Raises:
        UnknownBoardError: for an unknown board.
        ToolchainMissingError: when the compiler or MSDK is not installed (says how to).
        FirmwareBuildError: when compiling fails.
        SynthesisError: when the model cannot run on the portable kernels.
    """
    spec = load_board(board)
    _check_opts(spec, opts)
    if spec.kind == "msdk" and not opts.get("backend"):
        opts["backend"] = "accelerator"  # the default, spelled out so both key one build
    versions = _toolchain_versions(spec, opts)
    files = _gather_sources(spec, model, opts)
    source_hashes = {name: _sha256(data) for name, data in sorted(files.items())}
    fw_hash = _firmware_hash(spec, source_hashes, versions, opts)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    final = root / fw_hash
    if not force:
        cached = _load_cached(final, spec)
        if cached is not None:
            LOG.info("firmware for %s: cached build %s", spec.name, cached.path)
            return cached
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{fw_hash[:12]}-", dir=root))
    try:
        for name, data in files.items():
            dest = work / "src" / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        accel = add_izer_sources(spec, model, work / "src", opts) if spec.kind == "msdk" else None
        try:
            if spec.kind == "msdk":
                flags = build_msdk_project(spec, work, fw_hash, MsdkOptions.from_opts(opts))
            else:
                flags = _compile_gcc(spec, work, fw_hash, opts)
        except FirmwareBuildError as exc:
            if "overflowed" not in str(exc):
                raise
            plan = plan_model(model)
            raise FirmwareBuildError(
                f"model {model.name} v{model.version} does not fit board {spec.name}'s memory "
                f"with the portable backend: its static CNN buffers take "
                f"{plan.static_ram_bytes} bytes of RAM (plus the agent's) and its packed weights "
                "live in flash; build it with the accelerator backend (--backend accelerator, "
                "the default: izer's code puts the weights in the CNN's own memory) or use a "
                f"smaller model.\n{exc}"
            ) from exc
        manifest = {
            "schema": MANIFEST_SCHEMA,
            "firmware_hash": fw_hash,
            "board": spec.name,
            "model_hash": model.hash(),
            "model_name": model.name,
            "model_version": model.version,
            "backend": "accelerator" if accel is not None else "portable",
            "sources": source_hashes,
            "toolchain": versions,
            "flags": flags,
            "options": {k: str(v) for k, v in sorted(opts.items()) if k != "ai8x_exporter"},
            "output": spec.output,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if spec.kind == "msdk":
            manifest.update(msdk_outputs(work, spec.output, accel))
        (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        if force and final.exists():
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.rename(work, final)
        except OSError:
            # Another process finished the same firmware first; use theirs.
            shutil.rmtree(work, ignore_errors=True)
            cached = _load_cached(final, spec)
            if cached is None:
                raise
            return FirmwareArtifact(path=cached.path, board=spec.name, manifest=cached.manifest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    LOG.info("firmware for %s built: %s (hash %s)", spec.name, final / spec.output, fw_hash[:12])
    return FirmwareArtifact(path=final / spec.output, board=spec.name, manifest=manifest)
