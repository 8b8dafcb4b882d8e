"""The states of a run's board(s), from firmware build to close, as an explicit state machine.

::

    pending -> built -> flashed -> identified -> streaming <-> recovered
                                                     |             |
                                                     v             v
                                                  streamed  (streamed, failed)

* ``built``: the board object exists and its firmware image is made (built, cached or given);
* ``flashed``: the board runs that image (programmed, launched, or found already running it);
* ``identified``: HELLO matched the model and firmware under test and the link was checked;
* ``streaming``: images are being streamed; ``recovered``: still streaming, on a board the
  recovery ladder brought back;
* ``streamed``: a streaming pass ended (another pass may start, e.g. after ``--resume``);
* ``failed``: bring-up, streaming or recovery failed; ``closed``: the board(s) are closed.

Every state may go to ``failed`` and ``closed``; ``failed`` only to ``closed``; ``closed`` is
final. Each transition is logged on ``ferhil.bringup``; any other is refused with
:class:`IllegalTransitionError`.
"""

from __future__ import annotations

import enum
import logging

from harness.errors import HarnessError

LOG = logging.getLogger("ferhil.bringup")


class BringUpState(enum.Enum):
    """Where a run's board(s) are (see the module docstring)."""

    PENDING = "pending"
    BUILT = "built"
    FLASHED = "flashed"
    IDENTIFIED = "identified"
    STREAMING = "streaming"
    RECOVERED = "recovered"
    STREAMED = "streamed"
    FAILED = "failed"
    CLOSED = "closed"


_S = BringUpState

#: The states each state may go to (besides ``failed`` and ``closed``, see :func:`allowed`).
TRANSITIONS: dict[BringUpState, frozenset[BringUpState]] = {
    _S.PENDING: frozenset({_S.BUILT}),
    _S.BUILT: frozenset({_S.FLASHED}),
    _S.FLASHED: frozenset({_S.IDENTIFIED}),
    _S.IDENTIFIED: frozenset({_S.STREAMING}),
    _S.STREAMING: frozenset({_S.RECOVERED, _S.STREAMED}),
    _S.RECOVERED: frozenset({_S.RECOVERED, _S.STREAMED}),
    _S.STREAMED: frozenset({_S.STREAMING}),
    _S.FAILED: frozenset(),
    _S.CLOSED: frozenset(),
}


def allowed(state: BringUpState) -> frozenset[BringUpState]:
    """The states ``state`` may go to."""
    if state is _S.CLOSED:
        return frozenset()
    if state is _S.FAILED:
        return frozenset({_S.CLOSED})
    return TRANSITIONS[state] | {_S.FAILED, _S.CLOSED}


class IllegalTransitionError(HarnessError):
    """A run stage was called out of order (e.g. streaming before the board is identified)."""


class BringUpMachine:
    """The current :class:`BringUpState` of one run and its logged transitions."""

    def __init__(self, name: str = "board") -> None:
        self.name = name
        self._state = _S.PENDING
        self._history: list[BringUpState] = [_S.PENDING]

    @property
    def state(self) -> BringUpState:
        """The current state."""
        return self._state

    @property
    def history(self) -> tuple[BringUpState, ...]:
        """Every state so far, the current one last."""
        return tuple(self._history)

    def can(self, target: BringUpState) -> bool:
        """True when the machine may go to ``target`` now."""
        return target in allowed(self._state)

    def require(self, target: BringUpState) -> None:
        """Check that the machine may go to ``target`` now, without going there.

        Raises:
            IllegalTransitionError: when it may not (the message names both states).
        """
        if not self.can(target):
            legal = ", ".join(sorted(s.value for s in allowed(self._state))) or "none: final"
            raise IllegalTransitionError(
                f"{self.name}: cannot go from {self._state.value} to {target.value} (allowed: "
                f"{legal}); call the run's stages in order: prepare, start, stream, finish"
            )

    def to(self, target: BringUpState, detail: str = "") -> None:
        """Go to ``target``, logging the transition (``detail`` says why or what happened).

        Raises:
            IllegalTransitionError: when ``target`` is not reachable from the current state.
        """
        self.require(target)
        LOG.info(
            "%s: %s -> %s%s",
            self.name,
            self._state.value,
            target.value,
            f" ({detail})" * bool(detail),
        )
        self._state = target
        self._history.append(target)

    def fail(self, detail: str) -> None:
        """Go to ``failed`` unless already failed or closed (an error is on its way up)."""
        if self._state not in (_S.FAILED, _S.CLOSED):
            self.to(_S.FAILED, detail)
