"""The boards of a multi-board run: built, flashed once each, brought up in parallel, closed.

:class:`BoardPool` holds one :class:`PoolMember` (board session, firmware image, identity) per
board. Firmware images are made one after the other (the build cache is shared; boards of one
kind reuse one image), then every board is brought up in its own thread (flash or launch, HELLO
identity check). A board that cannot be brought up is left out with a note; the run goes on
with the others, and fails only when none comes up. :meth:`BoardPool.lanes` gives the streaming
lanes of :mod:`harness.lab.sharding`, each with the board's own recovery ladder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.devices.boards.base import Board
from harness.errors import HarnessError
from harness.lab.sharding import Lane
from harness.run.bringup import (
    DeviceSession,
    ExpectedIdentity,
    bring_up,
    recover_session,
)

ClientFactory = Callable[[Any], Any]


@dataclass
class PoolMember:
    """One board of the pool and what bringing it up gave."""

    board: Board
    image: Path | None
    expected: ExpectedIdentity
    make_client: ClientFactory
    session: DeviceSession | None = None
    error: str | None = None
    recovery_notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The board's name."""
        return self.board.facts.name

    def recover(self) -> Any:
        """This board's recovery ladder (reset, then relaunch/reflash); return the client."""
        assert self.session is not None
        self.session, note = recover_session(
            self.session, self.image, self.expected, self.make_client
        )
        self.recovery_notes.append(note)
        return self.session.client

    def clock_hz(self, override: float | None) -> float | None:
        """``--clock-hz`` when given, else the board's HELLO clock."""
        if override:
            return float(override)
        if self.session is None:
            return None
        value = self.session.hello.core_clock_hz
        return float(value) if value else None


class BoardPool:
    """Several boards brought up for one run (see the module docstring)."""

    def __init__(self, members: Sequence[PoolMember]) -> None:
        self.members = list(members)

    def bring_up(self, flash: bool | None) -> list[str]:
        """Bring every board up in parallel; return notes for boards left out.

        Raises:
            HarnessError: when no board came up (naming each board's error).
        """

        def up(member: PoolMember) -> None:
            try:
                member.session = bring_up(
                    member.board, member.image, member.expected, member.make_client, flash
                )
            except Exception as exc:  # one bad board must not stop the others
                member.error = f"{type(exc).__name__}: {exc}"
                member.board.close()

        threads = [threading.Thread(target=up, args=(m,), daemon=True) for m in self.members]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if not self.up():
            raise HarnessError(
                "no board of the run came up: "
                + "; ".join(f"{m.name}: {m.error}" for m in self.members)
                + " (check each board with `ferhil doctor` and a single-board run)"
            )
        return [f"board {m.name} left out: {m.error}" for m in self.members if m.error]

    def up(self) -> list[PoolMember]:
        """The members that are up."""
        return [m for m in self.members if m.session is not None]

    def primary(self) -> DeviceSession:
        """The first board that is up (identity and clock of the run's report)."""
        session = self.up()[0].session
        assert session is not None
        return session

    def lanes(self, clock_override: float | None = None) -> list[Lane]:
        """One streaming lane per board that is up."""
        lanes = []
        for member in self.up():
            assert member.session is not None
            lanes.append(
                Lane(
                    name=member.name,
                    client=member.session.client,
                    recover=member.recover,
                    clock_hz=member.clock_hz(clock_override),
                )
            )
        return lanes

    def describe(self) -> list[dict[str, Any]]:
        """Per-board identity for ``results.json`` (name, kind, id, probe, flashed, error)."""
        rows = []
        for member in self.members:
            facts = member.board.facts
            session = member.session
            rows.append(
                {
                    "board": facts.name,
                    "board_kind": facts.kind,
                    "board_id": facts.board_id,
                    "probe": facts.probe,
                    "simulated": facts.simulated,
                    "flashed": session.flashed if session is not None else None,
                    "firmware_hash": (session.hello.firmware_hash if session else None),
                    "error": member.error,
                    "recoveries": list(member.recovery_notes),
                }
            )
        return rows

    def close(self) -> None:
        """Close every board (idempotent; one failing close does not skip the others)."""
        errors = []
        for member in self.members:
            try:
                if member.session is not None:
                    member.session.close()
                else:
                    member.board.close()
            except Exception as exc:
                errors.append(f"{member.name}: {exc}")
        if errors:
            raise HarnessError("closing boards failed: " + "; ".join(errors))
