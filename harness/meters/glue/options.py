"""The meter and energy rows of the harness option table (imported by :mod:`harness.suite.options`).

``--meter sim`` (default) starts the simulated SCPI meter on loopback; any VISA resource
string (``TCPIP0::10.0.0.5::5025::SOCKET``, ``USB0::...::INSTR``, ``ASRL/dev/ttyUSB0::INSTR``)
uses a real one; a lab inventory entry's ``meter:`` names it per board.
"""

from __future__ import annotations

from harness.suite.options import OPTIONS, Option, in_group, positive_float


def energy_n(text: str) -> int | None:
    """``auto`` -> ``None`` (choose N for the minimum window), else a positive integer."""
    if text.strip().lower() == "auto":
        return None
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer or 'auto'")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be 0..65535 (0 = any free port)")
    return value


METER_OPTIONS: tuple[Option, ...] = (
    Option(
        "meter",
        "power meter: 'sim' (simulated SCPI meter on loopback) or a VISA resource "
        "string of a real one (default: the lab inventory's meter, else sim)",
        env="FERHIL_METER",
        metavar="RESOURCE",
    ),
    Option(
        "visa-library",
        "pyvisa backend for real meters: '@py' (pyvisa-py: TCPIP/USB/serial), '@ivi' or the "
        "path of a vendor VISA library (Keysight/NI VISA, needed for GPIB), or 'FILE.yaml@sim'",
        default="@py",
        env="FERHIL_VISA_LIBRARY",
        metavar="LIB",
    ),
    Option(
        "meter-driver",
        "SCPI driver of a real meter (default: chosen from its *IDN?; the simulated meter "
        "speaks n6705)",
        choices=("n6705", "dmm6500"),
    ),
    Option(
        "meter-port",
        "TCP port of the simulated meter (0 = any free port)",
        default=0,
        type=_port,
        metavar="PORT",
    ),
    Option(
        "meter-channel", "N6705 output channel powering the board", default=1, type=int, metavar="N"
    ),
    Option(
        "meter-supply-v",
        "rail voltage for current-only meters (DMM6500): the FTHR's USB VBUS, 5.0 V, as "
        "harness/meters/WIRING.md wires it; set it when the DMM sits in another rail",
        default=5.0,
        type=positive_float,
        metavar="V",
    ),
    Option(
        "meter-range-a",
        "current range of the meter in amperes (default: auto on the N6705 SMUs, 1 A on the "
        "DMM6500)",
        type=positive_float,
        metavar="A",
    ),
    Option(
        "meter-window-level",
        "level of the board's trigger GPIO during BENCH (FTHR default low: P2.0 drives LED1 "
        "on; high when built with HAL_TRIGGER_ACTIVE_LOW=0)",
        default="low",
        choices=("low", "high"),
    ),
    Option(
        "meter-trigger-edge",
        "edge of the meter's trigger input (default: n6705 falling, its Trigger In is "
        "low-true; dmm6500 the edge that opens the window)",
        choices=("rising", "falling"),
    ),
    Option(
        "meter-timeout",
        "seconds a meter query may take before the meter counts as gone",
        default=5.0,
        type=positive_float,
        metavar="S",
    ),
    Option(
        "energy-n",
        "BENCH inferences in the energy window, or 'auto' for the minimum window",
        type=energy_n,
        metavar="N|auto",
    ),
    Option(
        "energy-min-window-s",
        "shortest accepted energy window in seconds",
        default=1.0,
        type=positive_float,
        metavar="S",
    ),
    Option(
        "energy-budget-uj",
        "energy per inference budget in µJ (hil/test_energy.py fails above it)",
        type=positive_float,
        metavar="UJ",
    ),
)

OPTIONS.add(*in_group("meter", METER_OPTIONS))
