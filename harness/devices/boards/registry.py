"""The board kinds ferhil can build, and :func:`create_board`.

Every kind is an explicit import here (no module names in strings), so the layering test sees the
dependencies. A kind maps to a factory ``BoardSpec -> Board``; tests register variants of the
fake board under new names (``BOARD_KINDS["fake-x"] = ...``). Any spec with a labgrid ``place``
is built by the labgrid board, whatever its kind.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.devices.boards.base import Board, BoardSpec
from harness.devices.boards.fake import FakeBoard
from harness.devices.boards.hostsim import HostsimBoard
from harness.devices.boards.labgrid_board import LabgridBoard
from harness.devices.boards.max78000fthr import Max78000FthrBoard
from harness.devices.boards.qemu import QemuBoard
from harness.errors import ConfigError

BoardFactory = Callable[[BoardSpec], Board]

#: Board factories by kind. ``fake`` is the harness's own device double.
BOARD_KINDS: dict[str, BoardFactory] = {
    "hostsim": HostsimBoard,
    "qemu": QemuBoard,
    "max78000fthr": Max78000FthrBoard,
    "fake": FakeBoard,
    "labgrid": LabgridBoard,
}


def create_board(spec: BoardSpec) -> Board:
    """Build the board described by ``spec``.

    Raises:
        ConfigError: for an unknown kind.
    """
    if spec.kind not in BOARD_KINDS:
        raise ConfigError(
            f"unknown board kind {spec.kind!r}; known kinds: {', '.join(sorted(BOARD_KINDS))}"
        )
    return BOARD_KINDS["labgrid" if spec.place else spec.kind](spec)
