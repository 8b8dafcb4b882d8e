"""Errors of the agent protocol (framing, timeouts, ERROR replies), all :class:`FerhilError`."""

from __future__ import annotations

from firmware.host.protocol import ErrorCode, MessageType
from golden.errors import FerhilError


class ProtocolError(FerhilError):
    """Something went wrong talking to the firmware agent."""


class FrameError(ProtocolError):
    """A received frame is malformed.

    Attributes:
        code: What is wrong (the same codes the agent uses in ERROR replies).
        msg_type: The frame's type byte, when the header could be read (untrusted).
        seq: The frame's sequence number, when the header could be read (untrusted).
    """

    def __init__(
        self, code: ErrorCode, message: str, *, msg_type: int | None = None, seq: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.msg_type = msg_type
        self.seq = seq


class AgentTimeoutError(ProtocolError):
    """The agent did not reply in time (after all retries)."""


class AgentReplyError(ProtocolError):
    """The agent answered a request with an ERROR frame.

    Attributes:
        code: The agent's error code.
        request_type: The request type the agent saw.
        seq: The sequence number of the ERROR frame.
        seq_valid: Whether ``seq`` is trustworthy (the request's CRC was good).
        detail: Code-specific detail (e.g. the expected input size for BAD_INPUT_SIZE).
    """

    def __init__(
        self, code: int, request_type: int, seq: int, seq_valid: bool, detail: int
    ) -> None:
        self.code = code
        self.request_type = request_type
        self.seq = seq
        self.seq_valid = seq_valid
        self.detail = detail
        super().__init__(describe_agent_error(code, request_type, detail))


def _name(enum_type: type[ErrorCode] | type[MessageType], value: int) -> str:
    try:
        return enum_type(value).name
    except ValueError:
        return f"0x{value:02X}"


def describe_agent_error(code: int, request_type: int, detail: int) -> str:
    """Return an actionable message for an ERROR reply."""
    name = _name(ErrorCode, code)
    request = _name(MessageType, request_type)
    hints = {
        ErrorCode.BAD_CRC: "the request was corrupted on the link; check the cable and baud rate",
        ErrorCode.BAD_LENGTH: f"the agent received a {detail}-byte frame whose length field is "
        "inconsistent; bytes were lost on the link (lower the baud rate or the window)",
        ErrorCode.UNKNOWN_COMMAND: "the firmware does not know this command; is it an older "
        "protocol version? Rebuild and reflash the firmware",
        ErrorCode.BAD_INPUT_SIZE: f"the firmware's model expects {detail} input bytes; the "
        "firmware was built for a different model: rebuild it for this model",
        ErrorCode.BUSY: "the agent is busy; retry later",
        ErrorCode.OVERSIZE: f"a frame exceeded the agent's {detail}-byte buffer; delimiters "
        "were lost on the link",
        ErrorCode.BAD_FRAMING: "the agent received bytes that are not a valid COBS frame; "
        "bytes were lost or garbled on the link",
        ErrorCode.BAD_ARGUMENT: f"bad argument for {request} (limit/expected {detail})",
        ErrorCode.NO_INPUT: "BENCH needs an input: run one INFER first",
    }
    hint = hints.get(ErrorCode(code), "") if code in ErrorCode._value2member_map_ else ""
    return f"agent replied ERROR {name} to {request}: {hint or 'unknown error code'}"
