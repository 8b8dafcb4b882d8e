"""The simulated SCPI meter server through pyvisa: commands, errors, timeouts, disconnects."""

from __future__ import annotations

import time

import numpy as np
import pytest

from harness.meters.base import AcquisitionConfig
from harness.meters.drivers.n6705 import N6705Meter
from harness.meters.drivers.scpi import ScpiSession
from harness.meters.errors import (
    EnergyMeasurementError,
    InstrumentError,
    MeterConnectionError,
    MeterTimeoutError,
)
from harness.meters.method.energy import EnergySettings, measure_energy
from harness.meters.simulator.sim_instrument import normalize_header, round_interval
from harness.meters.simulator.sim_server import SimulatedMeterServer
from harness.meters.simulator.synthetic_bench import SyntheticBench


def test_header_forms_and_interval_rounding() -> None:
    assert normalize_header(":SENSe:SWEep:POINts") == "SENS:SWE:POIN"
    assert normalize_header("trig:acq:imm") == "TRIG:ACQ"
    assert normalize_header("FETCh:ARRay:CURRent:DC?") == "FETC:ARR:CURR?"
    assert round_interval(15e-6) == pytest.approx(10.24e-6)
    assert round_interval(16e-6) == pytest.approx(20.48e-6)
    assert round_interval(1e-6) == pytest.approx(10.24e-6)
    assert round_interval(100e-6) == pytest.approx(5 * 20.48e-6)


def test_identity_error_queue_and_long_forms(sim_server: SimulatedMeterServer) -> None:
    s = ScpiSession(sim_server.resource, timeout_s=1.0)
    assert s.query("*IDN?").startswith("Keysight Technologies,N6705C,SIMULATED")
    s.write("SENSe:SWEep:POINts 123,(@1)")
    assert s.query("SENS:SWE:POIN? (@1)") == "123"
    assert s.errors() == []
    s.write("BOGUS:COMMAND 1")
    with pytest.raises(InstrumentError, match=r'-113,"Undefined header"'):
        s.check("testing")
    s.write("SENS:SWE:POIN 0,(@2)")  # channel 2 is not emulated
    assert s.errors() == ['-224,"Illegal parameter value"']
    s.close()


def test_out_of_range_setting_raises_from_configure(sim_meter: N6705Meter) -> None:
    with pytest.raises(InstrumentError, match="-222"):
        sim_meter.configure(AcquisitionConfig(1.0, 10, 0, None, "bus"))


def test_bus_triggered_idle_record(sim_meter: N6705Meter) -> None:
    config = sim_meter.configure(AcquisitionConfig(100e-6, 2000, 0, None, "bus"))
    assert config.sample_interval_s == pytest.approx(5 * 20.48e-6)
    sim_meter.arm()
    sim_meter.trigger()
    sim_meter.wait_complete(5.0)
    trace = sim_meter.fetch_trace()
    assert len(trace) == 2000
    assert np.mean(trace.power_w) == pytest.approx(0.020, rel=0.01)  # the model's idle power


def test_driver_commands_reach_the_server(
    sim_server: SimulatedMeterServer, sim_meter: N6705Meter
) -> None:
    sim_meter.measure_idle(0.01, 50e-6)
    seen = list(sim_server.instrument.commands_seen)
    for command in (
        "SENS:FUNC:CURR ON,(@1)",
        "TRIG:ACQ:SOUR BUS,(@1)",
        "INIT:ACQ (@1)",
        "TRIG:ACQ (@1)",
        "FETC:ARR:CURR? (@1)",
        "FETC:ARR:VOLT? (@1)",
    ):
        assert command in seen
    assert seen.index("INIT:ACQ (@1)") < seen.index("TRIG:ACQ (@1)")


def test_fetch_before_record_is_an_instrument_error(sim_meter: N6705Meter) -> None:
    sim_meter.configure(AcquisitionConfig(100e-6, 100, 0, None, "external"))
    sim_meter.arm()
    with pytest.raises(InstrumentError, match="-230"):
        sim_meter.fetch_trace()


def test_unknown_query_gets_no_reply_and_times_out(sim_server: SimulatedMeterServer) -> None:
    s = ScpiSession(sim_server.resource, timeout_s=0.3)
    start = time.monotonic()
    with pytest.raises(MeterTimeoutError, match="did not answer 'NOPE\\?'"):
        s.query("NOPE?")
    assert time.monotonic() - start < 2.0
    s.close()


def test_meter_that_stops_answering_raises_timeout(
    sim_server: SimulatedMeterServer, sim_meter: N6705Meter
) -> None:
    sim_meter.session.timeout_s = 0.3
    sim_meter.session._inst.timeout = 300
    sim_server.faults.hang = True
    start = time.monotonic()
    with pytest.raises(MeterTimeoutError, match=r"\*IDN\?"):
        sim_meter.identify()
    assert time.monotonic() - start < 2.0


def test_external_trigger_never_comes(sim_meter: N6705Meter) -> None:
    sim_meter.configure(AcquisitionConfig(100e-6, 100, 0, None, "external"))
    sim_meter.arm()
    with pytest.raises(MeterTimeoutError, match="no trigger arrived"):
        sim_meter.wait_complete(0.1)


def test_disconnect_mid_run_keeps_the_idle_result(
    sim_server: SimulatedMeterServer, sim_meter: N6705Meter, synthetic_bench: SyntheticBench
) -> None:
    def bench(n: int) -> int:
        sim_server.faults.drop_after = 0  # the link drops once the board runs
        return synthetic_bench.bench(n)

    with pytest.raises(EnergyMeasurementError, match="link to meter") as info:
        measure_energy(
            sim_meter, bench, 50e6, EnergySettings(n=100, min_window_s=0.1, idle_window_s=0.1)
        )
    partial = info.value.partial
    assert partial["stage"] == "window"
    assert partial["idle_power_mw"] == pytest.approx(20.0, rel=0.02)
    assert isinstance(info.value.__cause__, MeterConnectionError)


def test_idle_record_through_helper(sim_meter: N6705Meter) -> None:
    trace = sim_meter.measure_idle(0.05, 50e-6)
    assert trace.t_s[0] == 0.0 and len(trace) >= 0.05 / 50e-6 * 0.9
