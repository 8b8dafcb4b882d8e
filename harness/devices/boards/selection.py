"""Turn ``--board`` (a kind or a lab inventory name) and the other options into a BoardSpec."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from harness.devices.boards.base import BoardSpec
from harness.devices.boards.registry import BOARD_KINDS
from harness.devices.lab_inventory import LabBoard, load_lab
from harness.errors import ConfigError
from harness.suite.config import ConfigLike, as_config, option_default

_T = TypeVar("_T")


def _pick(value: _T | None, lab_value: _T | None) -> _T | None:
    """The option's value when given, else the lab inventory's."""
    return value if value is not None else lab_value


def board_spec(options: ConfigLike, gpio_log: Path | None = None) -> BoardSpec:
    """Return the spec of the board ``--board`` names.

    Command-line values (``--port``, ``--probe``, ``--baud``...) override the lab inventory.

    Args:
        options: the run's config (a partial mapping: the rest are the table's defaults).
        gpio_log: where a simulated board writes its GPIO edge log.

    Raises:
        ConfigError: when the name is neither a kind nor in the lab inventory.
    """
    config = as_config(options)
    name = config.board
    lab_path = config.lab
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
    target_is_default = config.target == option_default("target")
    return BoardSpec(
        name=name,
        kind=kind,
        port=_pick(config.port, entry.port if entry else None),
        probe=_pick(config.probe, entry.probe if entry else None),
        baud=_pick(config.baud, entry.baud if entry else None),
        flasher=_pick(config.flasher, entry.flasher if entry else None),
        target=entry.target if entry and entry.target and target_is_default else config.target,
        pack=_pick(config.pack, entry.pack if entry else None),
        connect_mode=config.connect_mode,
        flash_timeout_s=config.flash_timeout,
        read_timeout_s=config.sample_timeout,
        clock_hz=_pick(config.clock_hz, entry.clock_hz if entry else None),
        meter=_pick(config.meter, entry.meter if entry else None),
        gpio_log=gpio_log,
        place=entry.place if entry else None,
        coordinator=config.coordinator,
    )
