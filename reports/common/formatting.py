"""Number and text formatting used by the page templates (registered as jinja2 filters).

Every formatter maps a missing value (``None``, NaN) to an em dash, so templates never test for
presence before printing.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

DASH = "—"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_num(value: Any, digits: int = 1) -> str:
    """Thousands-separated number; integers keep no decimals."""
    if _missing(value) or isinstance(value, bool) or not isinstance(value, int | float):
        return DASH if _missing(value) else str(value)
    if isinstance(value, int) or (digits == 0):
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage (0.625 → ``62.5 %``)."""
    if _missing(value) or not isinstance(value, int | float):
        return DASH
    return f"{value * 100:.{digits}f} %"


def fmt_signed(value: Any, digits: int = 1, scale: float = 1.0, suffix: str = "") -> str:
    """A signed difference (``+1.5``, ``−0.3``) with an optional scale and suffix."""
    if _missing(value) or not isinstance(value, int | float):
        return DASH
    number = value * scale
    text = f"{abs(number):,.{digits}f}"
    sign = "±" if float(text.replace(",", "")) == 0 else ("+" if number > 0 else "−")
    return f"{sign}{text}{suffix}"


def fmt_hash(value: Any, length: int = 12) -> str:
    """A hex hash shortened to ``length`` characters."""
    if _missing(value) or value == "":
        return DASH
    return str(value)[:length]


def fmt_time(value: Any) -> str:
    """An ISO-8601 timestamp as ``YYYY-MM-DD HH:MM:SS`` (+ zone when known)."""
    if _missing(value) or value == "":
        return DASH
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    zone = moment.strftime(" %Z") if moment.tzinfo else ""
    return moment.strftime("%Y-%m-%d %H:%M:%S") + zone


def fmt_text(value: Any) -> str:
    """Any value as text, dash when absent."""
    if _missing(value) or value == "":
        return DASH
    if isinstance(value, list | tuple):
        return " ".join(map(str, value))
    return str(value)


FILTERS = {
    "num": fmt_num,
    "pct": fmt_pct,
    "signed": fmt_signed,
    "short": fmt_hash,
    "ts": fmt_time,
    "text": fmt_text,
}
