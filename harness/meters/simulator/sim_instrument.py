"""The SIMULATED N6705 digitizer: the SCPI state machine the simulated meter server speaks.

It implements the subset :class:`~harness.meters.drivers.n6705.N6705Meter` uses (long or short
keyword forms, ``;``-separated commands): ``*IDN? *RST *CLS *OPC? *TRG``, ``SYST:ERR?``,
``SENS:FUNC:CURR|VOLT ON|OFF``, ``SENS:CURR:RANG[:AUTO]``, ``SENS:SWE:TINT[?]`` (rounded to
10.24/20.48 µs steps like the N678xA), ``SENS:SWE:POIN[?]``, ``SENS:SWE:OFFS:POIN``,
``TRIG:ACQ:SOUR EXT|BUS``, ``INIT:ACQ``, ``TRIG:ACQ``, ``ABOR:ACQ``, ``STAT:OPER:COND?``,
``FETC:ARR:CURR?|VOLT?``, ``VOLT?``, ``SYST:CHAN:MOD?`` (an N6781A), ``FORM:DATA ASC``.
Unknown headers queue ``-113,"Undefined header"`` (and a
query with one gets no reply, as on a real instrument); bad values queue ``-222``/``-224``.
"Trigger In" (EXTernal) is wired to the board's trigger GPIO. Like the real input it is
low-true: it fires on the pin's falling edge, which is the window's *start* when the pin is
driven low during BENCH (``BoardSignal.pin_active_low``, the FTHR default) and its *end* when
the pin is driven high. A trigger that comes before the pre-trigger samples are filled is
ignored, as the N6705C User's Guide describes for pre-trigger acquisitions.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from harness.meters.base import FloatArray
from harness.meters.simulator.sim_signal import BoardSignal

IDN = "Keysight Technologies,N6705C,SIMULATED,ferhil-sim-1.0"
#: The simulated channel's module (``SYST:CHAN:MOD?``): an N6781A SMU, as on the wiring guide.
MODULE = "N6781A"
UNDEFINED = '-113,"Undefined header"'
OUT_OF_RANGE = '-222,"Data out of range"'
ILLEGAL = '-224,"Illegal parameter value"'
STALE = '-230,"Data corrupt or stale"'
MAX_POINTS = 524_288
_LONG = {
    "SENSE": "SENS",
    "FUNCTION": "FUNC",
    "CURRENT": "CURR",
    "VOLTAGE": "VOLT",
    "RANGE": "RANG",
    "SWEEP": "SWE",
    "TINTERVAL": "TINT",
    "POINTS": "POIN",
    "OFFSET": "OFFS",
    "TRIGGER": "TRIG",
    "ACQUIRE": "ACQ",
    "SOURCE": "SOUR",
    "INITIATE": "INIT",
    "ABORT": "ABOR",
    "FETCH": "FETC",
    "ARRAY": "ARR",
    "STATUS": "STAT",
    "OPERATION": "OPER",
    "CONDITION": "COND",
    "SYSTEM": "SYST",
    "ERROR": "ERR",
    "IMMEDIATE": "IMM",
    "EXTERNAL": "EXT",
    "CHANNEL": "CHAN",
    "MODEL": "MOD",
    "FORMAT": "FORM",
}
_OPTIONAL = {"IMM", "DC", "SEQ1", "NEXT"}


def normalize_header(header: str) -> str:
    """``:SENSe:SWEep:POINts`` -> ``SENS:SWE:POIN`` (optional nodes dropped)."""
    nodes: list[str] = []
    for node in header.strip().lstrip(":").upper().split(":"):
        query = node.endswith("?")
        name = node.rstrip("?")
        name = _LONG.get(name, name)
        if name in _OPTIONAL:
            if query and nodes:
                nodes[-1] += "?"
            continue
        nodes.append(name + ("?" if query else ""))
    return ":".join(nodes)


def round_interval(value: float) -> float:
    """The N678xA sample-interval rounding with two functions on (RES20)."""
    step = 10.24e-6 if value <= 20.48e-6 else 20.48e-6
    return max(1, round(value / step)) * step


@dataclass
class _Acquisition:
    armed_ns: int
    index: int
    armed_tau: float
    trigger_tau: float | None = None
    current: FloatArray | None = None
    voltage: FloatArray | None = None


class SimulatedN6705:
    """One emulated N6705 with channel 1 on the simulated board's rail."""

    def __init__(self, signal: BoardSignal) -> None:
        self.signal = signal
        self.lock = threading.Lock()
        #: The last commands received (for tests and debugging).
        self.commands_seen: deque[str] = deque(maxlen=1000)
        self._count = 0
        self.reset()

    def reset(self) -> None:
        """``*RST`` state."""
        self.errors: list[str] = []
        self.interval = round_interval(20.48e-6)
        self.points = 1024
        self.offset = 0
        self.source = "BUS"
        self.range_a: float | None = None
        self.acq: _Acquisition | None = None

    def handle(self, line: str) -> list[str]:
        """Execute one message (``;``-separated); return the reply lines."""
        replies: list[str] = []
        with self.lock:
            for part in (p.strip() for p in line.split(";")):
                if part:
                    self.commands_seen.append(part)
                    reply = self._one(part)
                    if reply is not None:
                        replies.append(reply)
        return replies

    def _one(self, text: str) -> str | None:
        header, _, arg = text.partition(" ")
        args = [a.strip() for a in re.sub(r"\(@[^)]*\)", "", arg).split(",") if a.strip()]
        channels = re.findall(r"\(@([^)]*)\)", arg)
        if channels and channels[0].strip() != "1":
            self.errors.append(ILLEGAL)
            return "" if header.endswith("?") else None
        name = re.sub(r"[^A-Z0-9]", "_", normalize_header(header)).lower()
        handler = getattr(self, "_cmd_" + name, None)
        if handler is None:
            self.errors.append(UNDEFINED)
            return None
        try:
            result: str | None = handler(args)
            return result
        except (ValueError, IndexError):
            self.errors.append(ILLEGAL)
            return "" if header.endswith("?") else None

    # -- common commands -------------------------------------------------------------------
    def _cmd__idn_(self, args: list[str]) -> str:
        return IDN

    def _cmd__rst(self, args: list[str]) -> None:
        self.reset()

    def _cmd__cls(self, args: list[str]) -> None:
        self.errors.clear()

    def _cmd__opc_(self, args: list[str]) -> str:
        return "1"

    def _cmd__trg(self, args: list[str]) -> None:
        if self.source == "BUS":
            self._cmd_trig_acq(args)

    def _cmd_syst_err_(self, args: list[str]) -> str:
        return self.errors.pop(0) if self.errors else '+0,"No error"'

    def _cmd_syst_chan_mod_(self, args: list[str]) -> str:
        return MODULE

    def _cmd_form_data(self, args: list[str]) -> None:
        if args[0].upper() not in ("ASC", "ASCII"):
            raise ValueError(args[0])  # the simulator answers ASCII only

    # -- configuration ---------------------------------------------------------------------
    def _cmd_sens_func_curr(self, args: list[str]) -> None:
        if args[0].upper() not in ("ON", "OFF", "1", "0"):
            raise ValueError(args[0])

    _cmd_sens_func_volt = _cmd_sens_func_curr
    _cmd_sens_curr_rang_auto = _cmd_sens_func_curr

    def _cmd_sens_curr_rang(self, args: list[str]) -> None:
        value = float(args[0])
        if not 0 < value <= 3.06:
            self.errors.append(OUT_OF_RANGE)
            return
        self.range_a = value

    def _cmd_sens_swe_tint(self, args: list[str]) -> None:
        value = float(args[0])
        if not 5.12e-6 <= value <= 40e-3:
            self.errors.append(OUT_OF_RANGE)
            return
        self.interval = round_interval(value)

    def _cmd_sens_swe_tint_(self, args: list[str]) -> str:
        return f"{self.interval:.6e}"

    def _cmd_sens_swe_poin(self, args: list[str]) -> None:
        value = int(args[0])
        if not 1 <= value <= MAX_POINTS:
            self.errors.append(OUT_OF_RANGE)
            return
        self.points = value

    def _cmd_sens_swe_poin_(self, args: list[str]) -> str:
        return str(self.points)

    def _cmd_sens_swe_offs_poin(self, args: list[str]) -> None:
        value = int(args[0])
        if value <= -self.points:
            self.errors.append(OUT_OF_RANGE)
            return
        self.offset = value

    def _cmd_trig_acq_sour(self, args: list[str]) -> None:
        source = normalize_header(args[0])
        if source not in ("EXT", "BUS"):
            self.errors.append(ILLEGAL)
            return
        self.source = source

    def _cmd_volt_(self, args: list[str]) -> str:
        return f"{self.signal.model.supply_v:.6e}"

    # -- acquisition -----------------------------------------------------------------------
    def _cmd_init_acq(self, args: list[str]) -> None:
        self.signal.refresh()
        self._count += 1
        now = time.monotonic_ns()
        self.acq = _Acquisition(now, self._count, self.signal.timeline.tau_at(now))

    def _cmd_abor_acq(self, args: list[str]) -> None:
        self.acq = None

    def _cmd_trig_acq(self, args: list[str]) -> None:
        if self.acq is not None and self.acq.trigger_tau is None:
            self.signal.refresh()
            self.acq.trigger_tau = self.signal.timeline.tau_at(time.monotonic_ns())

    def _cmd_stat_oper_cond_(self, args: list[str]) -> str:
        acq = self.acq
        if acq is None or acq.current is not None:
            return "0"
        self.signal.refresh()
        timeline = self.signal.timeline
        if acq.trigger_tau is None and self.source == "EXT":
            armed_tau = acq.armed_tau
            pre_s = max(0, -self.offset) * self.interval
            later = [
                tau
                for mono, tau in (timeline.starts if self.signal.pin_active_low else timeline.ends)
                if mono >= acq.armed_ns and tau - armed_tau >= pre_s
            ]
            if later:
                acq.trigger_tau = later[0]
        if acq.trigger_tau is None:
            return "8"
        tau0 = acq.trigger_tau + self.offset * self.interval
        if timeline.known_until(time.monotonic_ns()) < tau0 + self.points * self.interval:
            return "16"
        acq.current, acq.voltage = self.signal.render(
            tau0, self.interval, self.points, acq.index, self.range_a
        )
        return "0"

    def _fetch(self, which: str) -> str:
        acq = self.acq
        data = None if acq is None else (acq.current if which == "CURR" else acq.voltage)
        if data is None:
            self.errors.append(STALE)
            return ""
        return ",".join(np.char.mod("%.6e", data))

    def _cmd_fetc_arr_curr_(self, args: list[str]) -> str:
        return self._fetch("CURR")

    def _cmd_fetc_arr_volt_(self, args: list[str]) -> str:
        return self._fetch("VOLT")
