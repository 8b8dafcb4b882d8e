"""The root of ferhil's user-facing errors.

Every error a user can act on derives from :class:`FerhilError`; its message says what went wrong
and what to do. The ``ferhil`` CLI prints such errors without a traceback and exits with code 2.
"""


class FerhilError(Exception):
    """An error the user can fix; the message says how."""
