"""The registry of firmware boards: how each board's firmware is built.

Every board is a folder ``firmware/boards/<name>/`` holding its hardware layer (the ``hal.h``
implementation and ``main()``) and a ``board.json`` build description::

    {"name": "qemu_mps2_an386", "description": "...",
     "kind": "gcc" | "msdk",           # one compiler call, or ADI's MSDK make project
     "toolchain": "arm-none-eabi-gcc",  # a firmware.builder.toolchains name ("msdk" for kind msdk)
     "sources": ["startup_mps2.c", "hal_mps2.c"],   # files of the board folder
     "cflags": [...], "ldflags": [...],  # "{board_dir}" / "{out_dir}" are substituted
     "output": "app.elf"}                # the executable, relative to the build folder

Board names use ``_`` or ``-`` interchangeably (``qemu-mps2-an386`` = ``qemu_mps2_an386``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from golden.errors import FerhilError

BOARDS_DIR = Path(__file__).parent.parent / "boards"
SPEC_FILE = "board.json"


class UnknownBoardError(FerhilError, KeyError):
    """No board of that name is registered; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class BoardBuildSpec:
    """How to build the firmware of one board.

    Attributes:
        name: registry name (folder name).
        description: one line for humans.
        kind: ``"gcc"`` (one compiler call) or ``"msdk"`` (ADI MSDK ``make``).
        toolchain: a :mod:`firmware.builder.toolchains` name, or ``"msdk"``.
        directory: the board folder.
        sources: board files the build uses (relative to ``directory``).
        cflags: compiler flags (``{board_dir}``/``{out_dir}`` substituted by the build).
        ldflags: linker flags, substituted the same way.
        output: the executable's path relative to the build folder.
    """

    name: str
    description: str
    kind: Literal["gcc", "msdk"]
    toolchain: str
    directory: Path
    sources: tuple[str, ...]
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...]
    output: str

    def source_paths(self) -> list[Path]:
        """Return the absolute paths of the board's files."""
        return [self.directory / s for s in self.sources]


#: The one name users type for a board (``ferhil run --board``, ``ferhil build --board``) ->
#: its folder under ``firmware/boards`` when they differ.
BOARD_ALIASES = {"qemu": "qemu_mps2_an386"}


def canonical_board_name(name: str) -> str:
    """Return the folder name of ``name`` (``-`` becomes ``_``; ``qemu`` = ``qemu_mps2_an386``)."""
    folder = name.strip().replace("-", "_")
    return BOARD_ALIASES.get(folder, folder)


def board_names() -> list[str]:
    """The board names users type (``hostsim``, ``max78000fthr``, ``qemu``), as ``run`` takes."""
    folders = {v: k for k, v in BOARD_ALIASES.items()}
    return sorted(folders.get(name, name) for name in list_boards())


def list_boards() -> list[str]:
    """Return the names of every board with a ``board.json``."""
    return sorted(p.parent.name for p in BOARDS_DIR.glob(f"*/{SPEC_FILE}"))


def _from_json(directory: Path, data: dict[str, Any]) -> BoardBuildSpec:
    kind = data.get("kind", "gcc")
    if kind not in ("gcc", "msdk"):
        raise FerhilError(f"{directory / SPEC_FILE}: kind must be 'gcc' or 'msdk', got {kind!r}")
    return BoardBuildSpec(
        name=directory.name,
        description=str(data.get("description", "")),
        kind=kind,
        toolchain=str(data["toolchain"]),
        directory=directory,
        sources=tuple(data.get("sources", [])),
        cflags=tuple(data.get("cflags", [])),
        ldflags=tuple(data.get("ldflags", [])),
        output=str(data["output"]),
    )


def load_board(name: str) -> BoardBuildSpec:
    """Return the build description of board ``name``.

    Raises:
        UnknownBoardError: when no such board exists.
        FerhilError: when its ``board.json`` is malformed.
    """
    directory = BOARDS_DIR / canonical_board_name(name)
    spec_path = directory / SPEC_FILE
    if not spec_path.is_file():
        raise UnknownBoardError(
            f"unknown board {name!r}; known boards: {', '.join(board_names()) or 'none'}"
        )
    try:
        data = json.loads(spec_path.read_text())
        return _from_json(directory, data)
    except (ValueError, KeyError) as exc:
        raise FerhilError(f"{spec_path} is not a valid board description ({exc})") from exc
