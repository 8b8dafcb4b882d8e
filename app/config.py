"""What ``ferhil serve`` was started with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The simulated board runs started from the app use when no board is attached.
DEFAULT_RUN_BOARD = "hostsim"


@dataclass(frozen=True)
class ServeConfig:
    """Options of the app.

    Attributes:
        host: interface to bind (``127.0.0.1`` by default: this machine only).
        port: TCP port (0: any free port).
        db: the user's result store URL (read; the app's runs go to ``work_dir``).
        model: ``--model`` reference (zoo name or path; ``None``: newest zoo model).
        board: an attached board (``hostsim``, ``qemu``, ``max78000fthr`` or a lab name) that
            scores uploads too and runs the app's HIL runs; ``None``: none attached.
        lab: lab inventory YAML for a lab board name.
        work_dir: where runs started from the app, their store and rendered pages go.
        record_in_db: record runs started from the app in ``db`` instead of ``work_dir``.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    db: str | None = None
    model: str | None = None
    board: str | None = None
    lab: Path | None = None
    work_dir: Path | None = None
    record_in_db: bool = False

    @property
    def run_board(self) -> str:
        """The board HIL runs started from the app use."""
        return self.board or DEFAULT_RUN_BOARD
