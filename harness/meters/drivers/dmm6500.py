"""Keithley DMM6500 (and DMM7510) digitizing multimeter: digitize-current into a buffer.

Command names follow the Keithley DMM6500 Reference Manual (DMM6500-901-01), section 12
"SCPI command reference": ``:SENSe:DIGitize:FUNCtion "CURRent"``, ``:SENSe:DIGitize:CURRent:
RANGe`` and ``:SRATe``/``:APERture`` (DIGitize subsystem), ``:TRACe:POINts``/``:TRACe:CLEar``/
``:TRACe:ACTual?``/``:TRACe:DATA? <start>, <end>, "defbuffer1", READ, REL`` (TRACe subsystem),
the trigger model blocks ``:TRIGger:LOAD "Empty"``, ``:TRIGger:BLOCk:BUFFer:CLEar``,
``:TRIGger:BLOCk:WAIT <n>, EXTernal|COMMand``, ``:TRIGger:BLOCk:MDIGitize`` and
``:TRIGger:EXTernal:IN:EDGE RISing|FALLing`` with ``:TRIGger:EXTernal:IN:CLEar`` (TRIGger
subsystem), ``:INITiate``, ``*TRG`` and ``:TRIGger:STATe?`` (section 8 "Trigger model").

The digitizer records current only; power is ``i[k] * supply_voltage_v`` with the rail's
set voltage (given when the driver is built). The trigger model starts digitizing at the
trigger, so there are no pre-trigger samples.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np

from harness.meters.base import AcquisitionConfig, Trace
from harness.meters.drivers.scpi import ScpiSession
from harness.meters.drivers.scpi_meter import ScpiMeter
from harness.meters.errors import MeterError, MeterIdentityError, MeterTimeoutError

LOG = logging.getLogger("ferhil.meter")

BUFFER = '"defbuffer1"'
#: Digitize-current default range of the DMM6500 (amperes), used when none is given.
DEFAULT_RANGE_A = 1.0
#: Sample-rate limits of digitize current (samples/s).
MIN_RATE, MAX_RATE = 1_000, 1_000_000


class Dmm6500Meter(ScpiMeter):
    """Drive the DMM6500 digitizer through a minimal trigger model.

    Args:
        session: the open SCPI session.
        supply_voltage_v: the rail voltage used to turn current into power.
        poll_s: interval of ``:TRIG:STAT?`` polls while waiting.
    """

    driver = "dmm6500"

    def __init__(
        self, session: ScpiSession, *, supply_voltage_v: float = 3.3, poll_s: float = 0.02
    ) -> None:
        super().__init__(session)
        self.supply_voltage_v = supply_voltage_v
        self.poll_s = poll_s

    def identify(self) -> str:
        """Query ``*IDN?`` and require a Keithley DMM6500 or DMM7510."""
        idn = self.session.query("*IDN?")
        parts = [p.strip().upper() for p in idn.split(",")]
        if not (
            len(parts) > 1
            and parts[0].startswith("KEITHLEY")
            and any(m in parts[1] for m in ("DMM6500", "DMM7510"))
        ):
            raise MeterIdentityError(
                f"meter {self.resource} answered *IDN? with {idn!r}; the dmm6500 driver needs a "
                "Keithley DMM6500/DMM7510: choose the matching --meter-driver"
            )
        lang = self.session.query("*LANG?").strip().upper()
        if lang != "SCPI":
            raise MeterIdentityError(
                f"meter {self.resource} runs the {lang or 'unknown'} command set; ferhil speaks "
                "SCPI: on the DMM6500 choose MENU > System Settings > Command Set > SCPI (or send "
                "*LANG SCPI) and restart the instrument"
            )
        LOG.info("meter %s identified as %s", self.resource, idn)
        return idn

    def configure(self, config: AcquisitionConfig) -> AcquisitionConfig:
        """Program digitize current and the trigger model (see the module docstring)."""
        rate = round(1.0 / config.sample_interval_s)
        if not MIN_RATE <= rate <= MAX_RATE:
            raise MeterError(
                f"DMM6500 digitizes at {MIN_RATE}..{MAX_RATE} samples/s; a "
                f"{config.sample_interval_s:g} s interval needs {rate}"
            )
        points = config.points - config.pre_trigger_points
        s = self.session
        s.write(":ABOR")
        s.write(":FORM:DATA ASC")  # fetch_trace parses ASCII readings
        s.write(':DIG:FUNC "CURR"')
        s.write(f":DIG:CURR:RANG {config.current_range_a or DEFAULT_RANGE_A:.6g}")
        s.write(f":DIG:CURR:SRAT {rate}")
        s.write(":DIG:CURR:APER AUTO")
        s.write(f":TRAC:POIN {points}, {BUFFER}")
        s.write(f":TRAC:CLE {BUFFER}")
        s.write(':TRIG:LOAD "Empty"')
        s.write(f":TRIG:BLOC:BUFF:CLE 1, {BUFFER}")
        block = 2
        if config.trigger_source == "external":
            edge = "RIS" if config.trigger_edge == "rising" else "FALL"
            s.write(f":TRIG:EXT:IN:EDGE {edge}")
            s.write(":TRIG:EXT:IN:CLE")
            s.write(f":TRIG:BLOC:WAIT {block}, EXT")
            block += 1
        elif config.trigger_source == "bus":
            s.write(f":TRIG:BLOC:WAIT {block}, COMM")
            block += 1
        s.write(f":TRIG:BLOC:MDIG {block}, {BUFFER}, {points}")
        s.check("configuring digitize current")
        actual = float(s.query(":DIG:CURR:SRAT?"))
        self._config = replace(
            config, sample_interval_s=1.0 / actual, points=points, pre_trigger_points=0
        )
        LOG.info(
            "meter %s configured: %s, %d points at %g s interval, trigger %s",
            self.resource,
            type(self).__name__,
            self._config.points,
            self._config.sample_interval_s,
            self._config.trigger_source,
        )
        return self._config

    def arm(self) -> None:
        """``:INIT`` (runs the trigger model; an immediate model starts digitizing)."""
        self._require_config()
        self.session.write(":INIT")
        self.session.check("starting the trigger model")

    def trigger(self) -> None:
        """``*TRG`` (the bus/command trigger the WAIT block listens for)."""
        self.session.write("*TRG")

    def wait_complete(self, timeout_s: float) -> None:
        """Poll ``:TRIG:STAT?`` until the trigger model is idle (bounded)."""
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.session.query(":TRIG:STAT?").split(";")[0].strip().upper()
            if state == "IDLE":
                return
            if state in ("ABORTED", "FAILED"):
                raise MeterError(f"meter {self.resource}: trigger model {state.lower()}")
            if time.monotonic() > deadline:
                raise MeterTimeoutError(
                    f"meter {self.resource}: trigger model still {state.lower()} after "
                    f"{timeout_s:g} s; check the trigger wiring to EXT TRIG IN"
                )
            time.sleep(self.poll_s)

    def fetch_trace(self) -> Trace:
        """``:TRAC:DATA? 1, n, "defbuffer1", READ, REL``: readings and relative times."""
        self._require_config()
        n = int(float(self.session.query(f":TRAC:ACT? {BUFFER}")))
        if n == 0:
            raise MeterError(f"meter {self.resource}: the buffer is empty after the record")
        data = self.session.query_floats(f":TRAC:DATA? 1, {n}, {BUFFER}, READ, REL", timeout_s=60.0)
        self.session.check("reading the buffer")
        if len(data) != 2 * n:
            raise MeterError(f"meter {self.resource} returned {len(data)} values for {n} readings")
        current, t = data[0::2], data[1::2] - data[1]
        voltage = np.full(n, self.supply_voltage_v, dtype=np.float64)
        interval = (
            float(np.median(np.diff(t))) if n > 1 else self._require_config().sample_interval_s
        )
        LOG.info(
            "meter %s measurement window: %d points over %.6g s",
            self.resource,
            len(current),
            float(t[-1] - t[0]) if len(t) else 0.0,
        )
        return Trace(t, current, voltage, interval)
