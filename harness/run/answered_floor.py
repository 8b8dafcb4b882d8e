"""The answered-samples floor (``--min-answered``): below it a run is not ``complete``.

A run in which fewer images were answered by the board (a result, not a failure record) than
the floor is recorded with ``complete: false`` (store status ``incomplete``), so it can never
pass as a finished run nor serve as a baseline. The default is ``all``: every image must be
answered. Importing this module registers the option row.
"""

from __future__ import annotations

import math

from harness.suite.options import OPTIONS, Option

ALL = "all"


def parse_floor(text: str) -> str:
    """Option converter: ``all``, a count ``N`` (>= 0) or a percentage ``P%`` (0..100).

    Returns the normalised text; :func:`answered_floor` turns it into a count.
    """
    value = text.strip().lower()
    if value == ALL:
        return ALL
    if value.endswith("%"):
        pct = float(value[:-1])
        if not 0.0 <= pct <= 100.0:
            raise ValueError("a percentage must lie in 0..100")
        return f"{pct:g}%"
    count = int(value)
    if count < 0:
        raise ValueError("use all, a count >= 0 or a percentage such as 99%")
    return str(count)


def answered_floor(setting: str | None, total: int) -> int:
    """Return how many of ``total`` images must be answered for ``setting`` (default all)."""
    value = parse_floor(setting) if setting else ALL
    if value == ALL:
        return total
    if value.endswith("%"):
        return min(total, math.ceil(total * float(value[:-1]) / 100.0 - 1e-9))
    return min(total, int(value))


MIN_ANSWERED = Option(
    "min-answered",
    "images the board must answer for the run to count as complete: all, a count N or a "
    "percentage such as 99.5 followed by a percent sign (a run below it is stored "
    "incomplete, never a baseline)",
    default=ALL,
    type=parse_floor,
    metavar="FLOOR",
)

OPTIONS.add(MIN_ANSWERED)
