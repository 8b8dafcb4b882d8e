"""A transport that wraps another: the one place where wrapper transports delegate.

The protocol client (:class:`firmware.host.link.FrameLink`) uses a few optional pyserial
attributes of its transport only when they exist: ``timeout`` (read and set), ``in_waiting``,
``reset_input_buffer()``, and ``port``/``name``/``baudrate`` for messages. A wrapper (the fault
injector, the console tap) must offer exactly those of the wrapped transport, no more: each is
an explicit property here that raises :class:`AttributeError` when the wrapped transport lacks
it, so ``hasattr`` and ``getattr(..., default)`` answer as they would for the wrapped one.
Anything else is not forwarded, so a wrapper never passes an unknown attribute through by
accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firmware.host.link import Transport


def _inner_attr(inner: object, name: str) -> Any:
    try:
        return getattr(inner, name)
    except AttributeError:
        raise AttributeError(
            f"{type(inner).__name__} transport has no attribute {name!r}"
        ) from None


class TransportProxy:
    """Forwards the :class:`Transport` calls and the optional pyserial attributes to ``inner``.

    Subclasses override :meth:`write`, :meth:`read` or :meth:`close` to change the bytes.

    Attributes:
        inner: the wrapped transport.
    """

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    def write(self, data: bytes, /) -> int | None:
        """Send ``data`` through the wrapped transport."""
        return self.inner.write(data)

    def read(self, size: int = 1, /) -> bytes:
        """Read up to ``size`` bytes from the wrapped transport."""
        return self.inner.read(size)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()

    @property
    def timeout(self) -> float | None:
        """The wrapped transport's read timeout (AttributeError when it has none)."""
        value: float | None = _inner_attr(self.inner, "timeout")
        return value

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        _inner_attr(self.inner, "timeout")
        setattr(self.inner, "timeout", value)  # noqa: B010 - Transport declares no timeout

    @property
    def in_waiting(self) -> int:
        """Bytes already received by the wrapped transport."""
        value: int = _inner_attr(self.inner, "in_waiting")
        return value

    @property
    def reset_input_buffer(self) -> Callable[[], None]:
        """The wrapped transport's ``reset_input_buffer`` method."""
        method: Callable[[], None] = _inner_attr(self.inner, "reset_input_buffer")
        return method

    @property
    def port(self) -> str | None:
        """The wrapped transport's port (for messages)."""
        value: str | None = _inner_attr(self.inner, "port")
        return value

    @property
    def name(self) -> str | None:
        """The wrapped transport's name (for messages)."""
        value: str | None = _inner_attr(self.inner, "name")
        return value

    @property
    def baudrate(self) -> int:
        """The wrapped transport's baud rate (for messages)."""
        value: int = _inner_attr(self.inner, "baudrate")
        return value
