"""Several boards in one run: ``--board a,b,c`` (kinds or lab names) or a lab board group.

:func:`board_names` splits ``--board`` (a comma-separated list, or the name of a ``groups:``
entry of the lab inventory); :func:`board_specs` returns one :class:`BoardSpec` per board, each
resolved like a single ``--board`` (:func:`harness.boards.selection.board_spec`). A kind named
more than once (``--board hostsim,hostsim``) gives boards ``hostsim-1``, ``hostsim-2``; a lab
board named twice is an error (one physical board cannot run twice at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.boards.base import BoardSpec
from harness.boards.registry import BOARD_KINDS
from harness.boards.selection import board_spec
from harness.errors import ConfigError
from harness.lab import load_lab

#: Options that name one physical board; with several boards they must come from the inventory.
PER_BOARD_OPTIONS = ("port", "probe")


def board_names(config: Mapping[str, Any]) -> list[str]:
    """Return the board names ``--board`` selects (one for a plain single-board run).

    Raises:
        ConfigError: for an empty entry or a lab board named twice.
    """
    if config.get("place"):
        return _split(str(config["place"]), "--place")
    text = str(config.get("board") or "hostsim")
    names = _split(text, "--board")
    lab_path = config.get("lab")
    if len(names) == 1 and lab_path is not None:
        groups = load_lab(lab_path).groups
        if names[0] in groups:
            names = list(groups[names[0]])
    seen: set[str] = set()
    for name in names:
        if name in seen and name not in BOARD_KINDS:
            raise ConfigError(
                f"board {name!r} is named twice in --board {text!r}; a lab board runs once"
            )
        seen.add(name)
    return names


def _split(text: str, option: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if any(not name for name in names):
        raise ConfigError(f"{option} {text!r} has an empty name; use {option} a,b,c")
    return names


def is_multi_board(config: Mapping[str, Any]) -> bool:
    """True when the run uses more than one board, or labgrid places (leased as a pool)."""
    return len(board_names(config)) > 1 or bool(config.get("place"))


def board_specs(config: Mapping[str, Any], report_dir: Path | None = None) -> list[BoardSpec]:
    """Return one spec per board of the run (see the module docstring).

    Args:
        config: the run options.
        report_dir: where simulated boards write their GPIO edge logs (``gpio-<name>.log``).

    Raises:
        ConfigError: for an unknown board, or ``--port``/``--probe`` with several boards.
    """
    names = board_names(config)
    if config.get("place"):  # labgrid places: the place supplies port and probe
        return [_place_spec(config, name) for name in names]
    if len(names) > 1:
        given = [f"--{o}" for o in PER_BOARD_OPTIONS if config.get(o) is not None]
        if given:
            raise ConfigError(
                f"{' and '.join(given)} name one board but --board lists {len(names)}; put each "
                "board's port and probe in the lab inventory (--lab FILE)"
            )
    counts = {name: names.count(name) for name in names}
    taken: dict[str, int] = {}
    specs = []
    for name in names:
        label = name
        if counts[name] > 1:
            taken[name] = taken.get(name, 0) + 1
            label = f"{name}-{taken[name]}"
        log = report_dir / f"gpio-{label}.log" if report_dir is not None else None
        spec = board_spec({**dict(config), "board": name}, gpio_log=log)
        specs.append(BoardSpec(**{**spec.__dict__, "name": label}))
    return specs


def _place_spec(config: Mapping[str, Any], place: str) -> BoardSpec:
    return BoardSpec(
        name=place,
        kind="labgrid",
        baud=config.get("baud"),
        read_timeout_s=float(config.get("sample-timeout") or 5.0),
        flash_timeout_s=float(config.get("flash-timeout") or 120.0),
        clock_hz=config.get("clock-hz"),
        place=place,
        coordinator=config.get("coordinator"),
    )
