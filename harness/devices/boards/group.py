"""Several boards in one run: ``--board a,b,c`` (kinds or lab names) or a lab board group.

:func:`board_names` splits ``--board`` (a comma-separated list, or the name of a ``groups:``
entry of the lab inventory); :func:`board_specs` returns one :class:`BoardSpec` per board, each
resolved like a single ``--board`` (:func:`harness.devices.boards.selection.board_spec`). A kind
named
more than once (``--board hostsim,hostsim``) gives boards ``hostsim-1``, ``hostsim-2``; a lab
board named twice is an error (one physical board cannot run twice at once).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.devices.boards.base import BoardSpec
from harness.devices.boards.registry import BOARD_KINDS
from harness.devices.boards.selection import board_spec
from harness.devices.lab_inventory import load_lab
from harness.errors import ConfigError
from harness.suite.config import ConfigLike, FerhilConfig, as_config

#: Options that name one physical board; with several boards they must come from the inventory.
PER_BOARD_OPTIONS = ("port", "probe")


def board_names(options: ConfigLike) -> list[str]:
    """Return the board names ``--board`` selects (one for a plain single-board run).

    Args:
        options: the run's config (a partial mapping: the rest are the table's defaults).

    Raises:
        ConfigError: for an empty entry or a lab board named twice.
    """
    config = as_config(options)
    if config.place:
        return _split(config.place, "--place")
    text = config.board
    names = _split(text, "--board")
    lab_path = config.lab
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


def is_multi_board(options: ConfigLike) -> bool:
    """True when the run uses more than one board, or labgrid places (leased as a pool)."""
    config = as_config(options)
    return len(board_names(config)) > 1 or bool(config.place)


def board_specs(options: ConfigLike, report_dir: Path | None = None) -> list[BoardSpec]:
    """Return one spec per board of the run (see the module docstring).

    Args:
        options: the run's config (a partial mapping: the rest are the table's defaults).
        report_dir: where simulated boards write their GPIO edge logs (``gpio-<name>.log``).

    Raises:
        ConfigError: for an unknown board, or ``--port``/``--probe`` with several boards.
    """
    config = as_config(options)
    names = board_names(config)
    if config.place:  # labgrid places: the place supplies port and probe
        return [_place_spec(config, name) for name in names]
    if len(names) > 1:
        given = [f"--{o}" for o in PER_BOARD_OPTIONS if config[o] is not None]
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
        spec = board_spec(config.replace(board=name), gpio_log=log)
        specs.append(replace(spec, name=label))
    return specs


def _place_spec(config: FerhilConfig, place: str) -> BoardSpec:
    return BoardSpec(
        name=place,
        kind="labgrid",
        baud=config.baud,
        read_timeout_s=config.sample_timeout,
        flash_timeout_s=config.flash_timeout,
        clock_hz=config.clock_hz,
        place=place,
        coordinator=config.coordinator,
    )
