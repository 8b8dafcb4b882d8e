"""Bring a board up: connect or flash, then check the HELLO identity against the build.

For a board whose flash persists (a real MAX78000FTHR) the harness connects first and asks
HELLO; it programs the board only when the firmware or model hash differs (or nothing answers),
unless ``--flash`` forces programming or ``--no-flash`` forbids it. A simulated board is
launched every session ("flashing" a simulator starts it). After programming, a mismatch is an
error: the board does not run what was built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from firmware.host.messages import HelloInfo, SelftestResult
from harness.devices.boards.base import Board
from harness.devices.device_client import ClientFactory, DeviceClient
from harness.errors import ConfigError, DeviceIdentityError, DeviceSelftestError, HarnessError

LOG = logging.getLogger("ferhil.bringup")


@dataclass(frozen=True)
class ExpectedIdentity:
    """What the board must report in HELLO.

    Attributes:
        model_hash: the model's full SHA-256 hex.
        firmware_hash: the built firmware's hash, or ``None`` when not built here.
        model_name: the model name compiled into the firmware (``None``: not checked).
        model_version: the model version compiled into the firmware (``None``: not checked).

    The model hash covers everything that computes outputs; the name and version are the only
    other model fields compiled into the firmware, so HELLO is checked on all three.
    """

    model_hash: str
    firmware_hash: str | None
    model_name: str | None = None
    model_version: str | None = None


def identity_mismatches(hello: HelloInfo, expected: ExpectedIdentity) -> list[str]:
    """Return a sentence per differing hash, name or version (empty when all match)."""
    problems = []
    model = str(hello.model_hash or "")
    if model.lower() != expected.model_hash.lower():
        problems.append(
            f"model hash {model[:16] or '?'}... != expected {expected.model_hash[:16]}..."
        )
    if expected.firmware_hash is not None:
        firmware = str(hello.firmware_hash or "")
        if firmware.lower() != expected.firmware_hash.lower():
            problems.append(
                f"firmware hash {firmware[:16] or '?'}... != expected "
                f"{expected.firmware_hash[:16]}..."
            )
    for label, wanted, got in (
        ("model name", expected.model_name, hello.model_name),
        ("model version", expected.model_version, hello.model_version),
    ):
        if wanted is not None and str(got or "") != wanted:
            problems.append(f"{label} {got!r} != expected {wanted!r}")
    return problems


@dataclass
class DeviceSession:
    """A board running the firmware under test, with its protocol client and HELLO."""

    board: Board
    client: DeviceClient
    hello: HelloInfo
    flashed: bool
    selftest: SelftestResult | None = None

    def close(self) -> None:
        """Close the link and stop the board's processes."""
        self.board.close()


def run_selftest(board: Board, client: DeviceClient) -> SelftestResult | None:
    """Run the firmware's SELFTEST (its built-in known answer) before any sample is streamed.

    Returns:
        The :class:`firmware.host.messages.SelftestResult`, or None when the firmware (or a fake
        client) has no SELFTEST.

    Raises:
        DeviceSelftestError: the known-answer test failed: the weights or the build are wrong.
    """
    from firmware.host.agent_errors import AgentReplyError
    from firmware.host.protocol import ErrorCode

    try:
        result = client.selftest()
    except AgentReplyError as exc:
        if exc.code == ErrorCode.UNKNOWN_COMMAND:
            return None  # firmware built before SELFTEST
        raise
    if not result.passed:
        board.close()
        raise DeviceSelftestError(f"board {board.facts.name}: {result.describe()}")
    return result


def _connect(board: Board, make_client: ClientFactory) -> tuple[DeviceClient, HelloInfo]:
    client = make_client(board.connect())
    return client, client.hello()


def bring_up(
    board: Board,
    image: Path | None,
    expected: ExpectedIdentity,
    make_client: ClientFactory,
    flash: bool | None = None,
) -> DeviceSession:
    """Return a connected, identity-checked session with ``board``.

    When bring-up fails in any way (connect, HELLO, identity, programming, Ctrl-C), the board
    is closed before the error propagates: no simulator process or open port is left behind.

    Args:
        board: the board.
        image: the firmware image to program (``None``: cannot program, only connect).
        expected: the hashes HELLO must report.
        make_client: builds the protocol client around a transport.
        flash: ``True`` always program, ``False`` never, ``None`` only when needed.

    Raises:
        DeviceIdentityError: when the board runs something else and may not be (re)programmed,
            or still does after programming.
        HarnessError: when the board must be programmed but there is no image.
    """
    try:
        return _bring_up(board, image, expected, make_client, flash)
    except BaseException:
        board.close()
        raise


def _bring_up(
    board: Board,
    image: Path | None,
    expected: ExpectedIdentity,
    make_client: ClientFactory,
    flash: bool | None,
) -> DeviceSession:
    persistent = board.facts.persistent
    first_problem = "the board was not asked"
    if persistent and flash is not True:
        try:
            client, hello = _connect(board, make_client)
            problems = identity_mismatches(hello, expected)
            if not problems:
                LOG.info("board %s already runs the firmware under test", board.facts.name)
                check = run_selftest(board, client)
                return DeviceSession(board, client, hello, flashed=False, selftest=check)
            first_problem = "; ".join(problems)
            LOG.info("board %s needs programming: %s", board.facts.name, first_problem)
        except ConfigError:  # no port configured: programming cannot fix that, say it once
            board.close()
            raise
        except Exception as exc:  # nothing (valid) answered: programming may fix it
            board.close()
            first_problem = f"no valid HELLO ({type(exc).__name__}: {exc})"
            LOG.info("board %s: %s", board.facts.name, first_problem)
        if flash is False:
            raise DeviceIdentityError(
                f"board {board.facts.name} does not run the firmware under test "
                f"({first_problem}) and --no-flash forbids programming it; drop --no-flash"
            )
    if image is None:
        raise HarnessError(
            f"board {board.facts.name} must be programmed ({first_problem}) but no firmware "
            "image was built; install the toolchain (`ferhil doctor`) or pass --firmware FILE"
        )
    LOG.info("programming board %s with %s", board.facts.name, image)
    board.flash(image)
    client, hello = _connect(board, make_client)
    problems = identity_mismatches(hello, expected)
    if problems:
        board.close()
        raise DeviceIdentityError(
            f"after programming {image.name}, board {board.facts.name} reports "
            f"{'; '.join(problems)}: the image does not contain the model under test; rebuild "
            "it (delete build/firmware) or check --firmware"
        )
    check = run_selftest(board, client)
    LOG.info("board %s up after programming", board.facts.name)
    return DeviceSession(board, client, hello, flashed=True, selftest=check)


def recover_session(
    session: DeviceSession,
    image: Path | None,
    expected: ExpectedIdentity,
    make_client: ClientFactory,
) -> tuple[DeviceSession, str]:
    """Bring a board that stopped answering back; return the session and what was done.

    First a protocol RESET (the client waits for HELLO again); when that fails, close the board
    and bring it up again: reprogram a real board (when an image exists) or relaunch a
    simulator.

    Raises:
        HarnessError: (or the board's own errors) when the board cannot be brought back.
    """
    try:
        session.client.reset()
        LOG.warning("board %s stopped answering; reset it", session.board.facts.name)
        return session, "board reset (it had stopped answering)"
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        LOG.warning(
            "board %s: reset failed (%s); bringing it up again", session.board.facts.name, reason
        )
    board = session.board
    board.close()
    reflash = True if board.facts.persistent and image is not None else None
    fresh = bring_up(board, image, expected, make_client, reflash)
    return fresh, f"board brought up again (reset failed: {reason})"
