"""Errors of the web app; each carries the HTTP status it answers with."""

from __future__ import annotations

from golden.errors import FerhilError


class ServeError(FerhilError):
    """A request the app cannot serve; the message tells the user what to do."""

    status = 400


class UploadError(ServeError):
    """An uploaded image is refused (too large, not an allowed format, undecodable)."""

    status = 415


class NotFoundError(ServeError):
    """No run, job or sample has this id."""

    status = 404


class BusyError(ServeError):
    """The board is busy with another run."""

    status = 409


class TooLargeError(UploadError):
    """An upload has more bytes or pixels than allowed."""

    status = 413
