"""Lab inventory: a YAML file naming the boards of a lab and how to reach them.

Format (``--lab lab.yaml``)::

    boards:
      fthr-1:                      # the name passed as --board fthr-1
        kind: max78000fthr         # a board kind from harness.devices.boards.registry.BOARD_KINDS
        probe: "0444000012345678"  # debug probe unique id (or a unique part of it)
        port: /dev/ttyACM0         # console UART
        baud: 115200
        meter: "TCPIP0::10.0.0.5::5025::SOCKET"   # VISA resource of the power meter, or sim
        flasher: openocd           # pyocd or openocd
        target: max78000           # pyOCD target name (optional)
        pack: packs/Maxim.MAX78000.1.4.0.pack     # relative to this file (optional)
        clock_hz: 100000000        # optional
      rack-3:
        kind: max78000fthr
        place: fthr-rack-3         # a labgrid place: serial port and probe come from labgrid
    groups:                        # optional: --board rack names these boards at once
      rack: [fthr-1, rack-3]

Only ``kind`` is required. Unknown keys are errors (a typo must not silently fall back to a
default).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError


@dataclass(frozen=True)
class LabBoard:
    """One board of the lab inventory (a description, nothing is opened)."""

    name: str
    kind: str
    probe: str | None = None
    port: str | None = None
    baud: int | None = None
    meter: str | None = None
    flasher: str | None = None
    target: str | None = None
    pack: Path | None = None
    clock_hz: float | None = None
    notes: str | None = None
    place: str | None = None


_KEYS = tuple(f.name for f in fields(LabBoard) if f.name != "name")
_TYPES: dict[str, type] = {"baud": int, "clock_hz": float}


@dataclass(frozen=True)
class LabInventory:
    """The boards of one lab inventory file, by name."""

    path: Path
    boards: dict[str, LabBoard]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def board(self, name: str) -> LabBoard:
        """Return the board called ``name``.

        Raises:
            ConfigError: listing the names the inventory knows.
        """
        if name not in self.boards:
            known = ", ".join(sorted(self.boards)) or "none"
            raise ConfigError(
                f"board {name!r} is not in the lab inventory {self.path} (boards: {known})"
            )
        return self.boards[name]


def _board(path: Path, name: str, entry: Any) -> LabBoard:
    where = f"{path}: board {name!r}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a mapping of keys ({', '.join(_KEYS)})")
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}; allowed keys: {', '.join(_KEYS)}")
    if not entry.get("kind"):
        raise ConfigError(f"{where}: 'kind' is required (hostsim, qemu or max78000fthr)")
    values: dict[str, Any] = {}
    for key, raw in entry.items():
        if raw is None:
            continue
        if key in _TYPES:
            try:
                values[key] = _TYPES[key](raw)
            except (TypeError, ValueError):
                raise ConfigError(f"{where}: {key} must be a number, got {raw!r}") from None
            if isinstance(raw, bool) or not values[key] > 0 or values[key] != float(raw):
                raise ConfigError(
                    f"{where}: {key} must be a positive whole number (e.g. 115200), got {raw!r}"
                    if key == "baud"
                    else f"{where}: {key} must be a positive number, got {raw!r}"
                )
        elif key == "pack":
            pack = Path(str(raw)).expanduser()
            values[key] = pack if pack.is_absolute() else path.parent / pack
        else:
            values[key] = str(raw)
    return LabBoard(name=str(name), **values)


def parse_lab(text: str, path: Path) -> LabInventory:
    """Parse inventory YAML ``text`` (``path`` is used in messages and for relative packs).

    Raises:
        ConfigError: for invalid YAML or an invalid structure, naming file and line or key.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"lab inventory {path}{line} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("boards"), dict):
        raise ConfigError(
            f"lab inventory {path} must be a mapping with a 'boards:' mapping of board names "
            "(see harness/devices/lab_inventory.py for the format)"
        )
    boards = {str(name): _board(path, str(name), entry) for name, entry in data["boards"].items()}
    return LabInventory(path=path, boards=boards, groups=_groups(path, data.get("groups"), boards))


def _groups(path: Path, raw: Any, boards: dict[str, LabBoard]) -> dict[str, tuple[str, ...]]:
    """Parse the optional ``groups:`` mapping (group name -> list of board names)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"lab inventory {path}: 'groups:' must map group names to board lists")
    groups: dict[str, tuple[str, ...]] = {}
    for name, members in raw.items():
        if not isinstance(members, list) or not members:
            raise ConfigError(f"{path}: group {name!r} must be a non-empty list of board names")
        unknown = [str(m) for m in members if str(m) not in boards]
        if unknown:
            raise ConfigError(f"{path}: group {name!r} names unknown boards {unknown}")
        groups[str(name)] = tuple(str(m) for m in members)
    return groups


def load_lab(path: str | Path) -> LabInventory:
    """Read the lab inventory at ``path``.

    Raises:
        ConfigError: when the file is missing or invalid.
    """
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read lab inventory {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"lab inventory {p} is not UTF-8 text (byte {exc.start}); re-save it as UTF-8"
        ) from None
    return parse_lab(text, p)
