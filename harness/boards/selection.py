"""Turn ``--board`` (a kind or a lab inventory name) and the other options into a BoardSpec."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.boards.base import BoardSpec
from harness.boards.registry import BOARD_KINDS
from harness.errors import ConfigError
from harness.lab import LabBoard, load_lab


def board_spec(config: Mapping[str, Any], gpio_log: Path | None = None) -> BoardSpec:
    """Return the spec of the board ``config["board"]`` names.

    Command-line values (``--port``, ``--probe``, ``--baud``...) override the lab inventory.

    Raises:
        ConfigError: when the name is neither a kind nor in the lab inventory.
    """
    name = str(config.get("board") or "hostsim")
    lab_path = config.get("lab")
    entry: LabBoard | None = None
    if lab_path is not None:
        inventory = load_lab(lab_path)
        if name in inventory.boards or name not in BOARD_KINDS:
            entry = inventory.board(name)
    elif name not in BOARD_KINDS:
        raise ConfigError(
            f"unknown board {name!r}: use one of {', '.join(sorted(BOARD_KINDS))} or pass "
            "--lab FILE with an inventory that lists it"
        )
    kind = entry.kind if entry else name

    def pick(option: str, lab_value: Any) -> Any:
        value = config.get(option)
        return value if value is not None else lab_value

    return BoardSpec(
        name=name,
        kind=kind,
        port=pick("port", entry.port if entry else None),
        probe=pick("probe", entry.probe if entry else None),
        baud=pick("baud", entry.baud if entry else None),
        flasher=pick("flasher", entry.flasher if entry else None),
        target=(
            entry.target
            if entry and entry.target and config.get("target") in (None, "max78000")
            else config.get("target") or "max78000"
        ),
        pack=pick("pack", entry.pack if entry else None),
        connect_mode=str(config.get("connect-mode") or "halt"),
        flash_timeout_s=float(config.get("flash-timeout") or 120.0),
        read_timeout_s=float(config.get("sample-timeout") or 5.0),
        clock_hz=pick("clock-hz", entry.clock_hz if entry else None),
        meter=pick("meter", entry.meter if entry else None),
        gpio_log=gpio_log,
        place=entry.place if entry else None,
        coordinator=config.get("coordinator"),
    )
