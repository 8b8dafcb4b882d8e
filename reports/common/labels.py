"""Human labels for the raw values a results document stores (enum codes, flags, key names).

The report shows words, not internal keys: a HELLO clock kind code becomes what the cycle
counts mean, flags become yes/no, and a threshold source such as
``model metadata publictest_int8_accuracy=0.6779 minus 0.1982`` becomes
``model card: PublicTest int8 accuracy 67.79 % minus 19.82 pp``.
"""

from __future__ import annotations

import re
from typing import Any

#: HELLO ``clock_kind`` codes and names (firmware/host/protocol.py ``ClockKind``).
CLOCK_KINDS = {
    0: "hardware cycle counter",
    1: "simulated cycles",
    2: "QEMU instruction count",
    3: "hardware timer (µs)",
}
_CLOCK_NAMES = {
    "hardware": 0,
    "simulated": 1,
    "qemu_icount": 2,
    "hardware_timer_us": 3,
}

#: Model-card metadata keys the harness takes thresholds from.
METADATA_LABELS = {
    "publictest_int8_accuracy": "PublicTest int8 accuracy",
    "int8_accuracy": "int8 accuracy",
    "quantized_accuracy": "quantized accuracy",
    "accuracy": "accuracy",
    "accuracy_threshold": "accuracy threshold",
    "latency_budget_us": "latency budget",
}

_METADATA = re.compile(
    r"model metadata (?P<key>[a-z0-9_]+)(?:=(?P<value>[0-9.]+) minus (?P<tol>[0-9.]+))?"
)


def clock_kind_label(value: Any) -> str | None:
    """What the cycle counts mean, for a stored ``clock_kind`` (code or name)."""
    if value is None or value == "":
        return None
    code = _CLOCK_NAMES.get(str(value).strip().lower())
    if code is None:
        try:
            code = int(value)
        except (TypeError, ValueError):
            return str(value).replace("_", " ")
    return CLOCK_KINDS.get(code, f"unknown ({value})")


def yes_no(value: Any) -> str | None:
    """``yes``/``no`` for a stored flag (``None`` stays unknown)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"true": "yes", "false": "no"}.get(value.strip().lower(), value)
    return "yes" if value else "no"


def threshold_source_label(text: str | None) -> str | None:
    """The source of a threshold in words (model-card keys named, fractions as percent)."""
    if not text:
        return text

    def words(found: re.Match[str]) -> str:
        key = found["key"]
        label = METADATA_LABELS.get(key, key.replace("_", " "))
        if found["value"] is None:
            return f"model card {label}"
        value, tol = float(found["value"]), float(found["tol"])
        return f"model card: {label} {value * 100:.2f} % minus {tol * 100:.2f} pp"

    return _METADATA.sub(words, text)
