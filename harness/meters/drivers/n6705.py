"""Keysight N6705 DC power analyzer (N676xA / N678xA modules): the digitizer ("scope") path.

Command names follow the Keysight N6705C User's Guide, chapter 6 "Advanced Source,
Measurement, and Control", sections "Measurement Functions" (``SENS:FUNC:CURR``/``VOLT``,
``SENS:CURR:RANG``), "Adjust the Measurement Sample Rate" (``SENS:SWE:TINT``, rounded to
10.24/20.48 µs steps, read back with ``SENS:SWE:TINT?``), "Adjust the Measurement Points"
(``SENS:SWE:POIN``), "Capture Pre-Trigger Data" (``SENS:SWE:OFFS:POIN``, negative = samples
before the trigger) and "Select the Measurement Trigger Source" (``TRIG:ACQ:SOUR``: ``BUS`` =
``*TRG``, ``EXTernal`` = the rear Trigger In BNC, which "requires a low-true trigger signal"),
``INIT:ACQ``, ``TRIG:ACQ`` (immediate trigger), ``STAT:OPER:COND?`` (bit 3 = waiting for a
measurement trigger, bit 4 = measurement in progress) and ``FETC:ARR:CURR?``/``FETC:ARR:VOLT?``
(the Programmer's Reference of the N6700 family, FETCh/INITiate/STATus/TRIGger subsystems).
Current and voltage are digitized simultaneously, so power is ``i[k] * v[k]``.
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

#: ``STAT:OPER:COND?`` bits: waiting for a measurement trigger / measurement in progress.
WTG_MEAS = 8
MEAS_ACTIVE = 16
#: ``*IDN?`` vendors and model prefixes this driver accepts.
VENDORS = ("KEYSIGHT", "AGILENT")
MODELS = ("N6705",)
#: Modules (``SYST:CHAN:MOD?``) by what their measurement supports: N678xA SMUs autorange the
#: current (seamless ranging); N676xA precision modules have fixed ranges only.
AUTORANGE_MODULES = ("N678",)
RANGED_MODULES = ("N676",)
#: Largest record of the N678xA digitizer (512 K points).
MAX_POINTS = 524_288


class N6705Meter(ScpiMeter):
    """Drive one output channel's digitizer of an N6705 mainframe.

    Args:
        session: the open SCPI session.
        channel: the output channel (1-4) the board is powered from.
        poll_s: interval of ``STAT:OPER:COND?`` polls while waiting.
    """

    driver = "n6705"

    def __init__(self, session: ScpiSession, *, channel: int = 1, poll_s: float = 0.02) -> None:
        super().__init__(session)
        self.channel = channel
        self.poll_s = poll_s

    @property
    def _ch(self) -> str:
        return f"(@{self.channel})"

    def identify(self) -> str:
        """Query ``*IDN?`` and require a Keysight/Agilent N6705."""
        idn = self.session.query("*IDN?")
        parts = [p.strip() for p in idn.split(",")]
        vendor_ok = bool(parts) and parts[0].upper().startswith(VENDORS)
        model_ok = len(parts) > 1 and parts[1].upper().startswith(MODELS)
        if not (vendor_ok and model_ok):
            raise MeterIdentityError(
                f"meter {self.resource} answered *IDN? with {idn!r}; the n6705 driver needs a "
                "Keysight/Agilent N6705 DC power analyzer: choose the matching --meter-driver"
            )
        LOG.info("meter %s identified as %s", self.resource, idn)
        return idn

    def module(self) -> str:
        """Return the model of the channel's module (``SYST:CHAN:MOD? (@ch)``, e.g. N6781A)."""
        return self.session.query(f"SYST:CHAN:MOD? {self._ch}").strip().strip('"').upper()

    def configure(self, config: AcquisitionConfig) -> AcquisitionConfig:
        """Program the digitizer; see the module docstring for the manual sections.

        The channel's module is queried first (``SYST:CHAN:MOD?``): range settings are only
        sent to a module that has them, autorange only to an N678xA SMU.
        """
        if config.points > MAX_POINTS:
            raise MeterError(
                f"N6705 records at most {MAX_POINTS} points, {config.points} requested: raise "
                "the sample interval or shorten the window (--energy-n)"
            )
        ch = self._ch
        if config.trigger_source == "external" and config.trigger_edge != "falling":
            raise MeterError(
                "the N6705 Trigger In BNC is low-true (falling edge) only: drive the trigger "
                "GPIO active-low during the window (the FTHR LED pins are active-low) or add an "
                "inverter, and use trigger_edge='falling'"
            )
        s = self.session
        module = self.module()
        if not module.startswith(AUTORANGE_MODULES + RANGED_MODULES):
            raise MeterError(
                f"channel {self.channel} of {self.resource} holds a {module} module, which has no "
                "measurement ranges or digitizer control; power the board from an N678xA SMU or "
                "N676xA precision module channel (--meter-channel)"
            )
        if config.current_range_a is None and not module.startswith(AUTORANGE_MODULES):
            raise MeterError(
                f"the {module} module on channel {self.channel} cannot autorange the current; "
                "pass --meter-current-range A (e.g. 0.1 for the FTHR's ~10-100 mA)"
            )
        s.write("FORM:DATA ASC")  # fetch_trace parses ASCII
        s.write(f"ABOR:ACQ {ch}")
        s.write(f"SENS:FUNC:CURR ON,{ch}")
        s.write(f"SENS:FUNC:VOLT ON,{ch}")
        if config.current_range_a is None:
            s.write(f"SENS:CURR:RANG:AUTO ON,{ch}")
        else:
            s.write(f"SENS:CURR:RANG {config.current_range_a:.6g},{ch}")
        s.write(f"SENS:SWE:TINT {config.sample_interval_s:.6g},{ch}")
        s.write(f"SENS:SWE:POIN {config.points},{ch}")
        s.write(f"SENS:SWE:OFFS:POIN {-config.pre_trigger_points},{ch}")
        source = "EXT" if config.trigger_source == "external" else "BUS"
        s.write(f"TRIG:ACQ:SOUR {source},{ch}")
        s.check("configuring the digitizer")
        interval = float(s.query(f"SENS:SWE:TINT? {ch}"))
        self._config = replace(config, sample_interval_s=interval)
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
        """``INIT:ACQ``; for an ``immediate`` source also ``TRIG:ACQ`` at once."""
        config = self._require_config()
        self.session.write(f"INIT:ACQ {self._ch}")
        if config.trigger_source == "immediate":
            self.trigger()
        self.session.check("initiating the acquisition")

    def trigger(self) -> None:
        """``TRIG:ACQ`` (TRIGger:ACQuire[:IMMediate]): trigger the measurement now."""
        self.session.write(f"TRIG:ACQ {self._ch}")

    def wait_complete(self, timeout_s: float) -> None:
        """Poll ``STAT:OPER:COND?`` until neither waiting nor measuring (bounded)."""
        deadline = time.monotonic() + timeout_s
        while True:
            cond = int(float(self.session.query(f"STAT:OPER:COND? {self._ch}")))
            if not cond & (WTG_MEAS | MEAS_ACTIVE):
                return
            if time.monotonic() > deadline:
                what = (
                    "no trigger arrived: check the trigger GPIO is wired to Trigger In and "
                    "the firmware drives it"
                    if cond & WTG_MEAS
                    else "the record did not finish"
                )
                raise MeterTimeoutError(f"meter {self.resource}: {what} within {timeout_s:g} s")
            time.sleep(self.poll_s)

    def fetch_trace(self) -> Trace:
        """``FETC:ARR:CURR?`` and ``FETC:ARR:VOLT?``; time 0 is the trigger."""
        config = self._require_config()
        current = self.session.query_floats(f"FETC:ARR:CURR? {self._ch}", timeout_s=60.0)
        voltage = self.session.query_floats(f"FETC:ARR:VOLT? {self._ch}", timeout_s=60.0)
        self.session.check("fetching the record")
        if len(current) != config.points or len(voltage) != config.points:
            raise MeterError(
                f"meter {self.resource} returned {len(current)} current and {len(voltage)} "
                f"voltage points, {config.points} expected: the record is incomplete"
            )
        t = np.asarray(
            (np.arange(config.points) - config.pre_trigger_points) * config.sample_interval_s,
            dtype=np.float64,
        )
        LOG.info(
            "meter %s measurement window: %d points over %.6g s",
            self.resource,
            len(current),
            float(t[-1] - t[0]) if len(t) else 0.0,
        )
        return Trace(t, current, voltage, config.sample_interval_s)
