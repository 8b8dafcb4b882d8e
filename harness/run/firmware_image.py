"""Which firmware image a run programs, and the hash HELLO must then report.

In order: ``--firmware FILE`` (prebuilt; its hash is not checked), the board's own
``build_image(model)`` (the fake board), else ``firmware.builder.build.build_firmware`` (cached by
hash;
a real board's ``--baud`` is compiled in as ``uart_baud``).
When the build is impossible (no MSDK) for a board that keeps its flash, the run may still go
on if the board already runs the model: only the model hash is then checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golden.format import QuantModel
from harness.devices.boards.base import Board, Capability
from harness.errors import HarnessError
from harness.suite.config import ConfigLike, as_config


@dataclass
class FirmwareImage:
    """The image to program (``None``: none could be built) and its expected hash."""

    path: Path | None
    firmware_hash: str | None
    artifact: Any = None
    notes: list[str] = field(default_factory=list)


def build_firmware_image(board: str, model: QuantModel, **opts: Any) -> Any:
    """Build (or reuse from the cache) ``board``'s firmware running ``model``."""
    from firmware.builder.build import build_firmware

    return build_firmware(board, model, **opts)


def build_options(board: Board, options: ConfigLike | None = None) -> dict[str, Any]:
    """Board-specific build options.

    A real board's UART speed is compiled in (``--baud``); MAX78000FTHR accelerator builds get
    the izer checkout (``--izer``) and the ai8x exporter (firmware may not import models).
    """
    if board.facts.firmware_board != "max78000fthr":
        return {}
    from models.export.export_ai8x import export_ai8x

    opts: dict[str, Any] = {"ai8x_exporter": export_ai8x}
    baud = board.spec.baud
    if baud:
        opts["uart_baud"] = int(baud)
    izer = as_config(options).izer if options is not None else None
    if izer:
        opts["izer"] = izer
    return opts


def firmware_image(
    board: Board,
    model: QuantModel,
    options: ConfigLike,
    build: Callable[..., Any],
) -> FirmwareImage:
    """Return the firmware image for ``board`` running ``model`` (see the module docstring).

    Raises:
        HarnessError: for a missing ``--firmware`` file.
        Exception: the build's own errors when the board needs the image.
    """
    config = as_config(options)
    explicit = config.firmware
    if explicit is not None:
        if not Path(explicit).is_file():
            raise HarnessError(f"--firmware {explicit} does not exist")
        return FirmwareImage(
            Path(explicit),
            None,
            notes=[f"prebuilt firmware {explicit} (firmware hash not checked)"],
        )
    if board.has(Capability.BUILDS_OWN_IMAGE):
        path, firmware_hash = board.build_image(model)
        return FirmwareImage(Path(path), str(firmware_hash))
    opts = build_options(board, config)
    try:
        artifact = build(board.facts.firmware_board, model, **opts)
    except HarnessError:
        raise
    except Exception as exc:
        if not board.facts.persistent or config.flash is True:
            raise
        return FirmwareImage(
            None, None, notes=[f"firmware not built ({exc}); only the model hash was checked"]
        )
    return FirmwareImage(Path(artifact.path), str(artifact.manifest["firmware_hash"]), artifact)
