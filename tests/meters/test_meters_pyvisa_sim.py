"""Driver tests against pyvisa-sim definitions (static replies, exact command dialogues)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.meters.base import AcquisitionConfig
from harness.meters.drivers.dmm6500 import Dmm6500Meter
from harness.meters.drivers.n6705 import N6705Meter
from harness.meters.drivers.registry import driver_class, driver_names
from harness.meters.drivers.scpi import ScpiSession
from harness.meters.errors import (
    InstrumentError,
    MeterError,
    MeterIdentityError,
    MeterTimeoutError,
)

pytest.importorskip("pyvisa_sim")
YAML = Path(__file__).with_name("meters_pyvisa_sim.yaml")
N6705 = "TCPIP0::127.0.0.1::5025::SOCKET"
N6705_ERROR = "TCPIP0::127.0.0.1::5026::SOCKET"
DMM = "TCPIP0::127.0.0.1::5027::SOCKET"
OTHER = "TCPIP0::127.0.0.1::5028::SOCKET"
STUCK = "TCPIP0::127.0.0.1::5029::SOCKET"


def session(resource: str) -> ScpiSession:
    return ScpiSession(resource, visa_library=f"{YAML}@sim", timeout_s=1.0)


def test_registry_names_both_drivers() -> None:
    assert driver_names() == ["dmm6500", "n6705"]
    assert driver_class("n6705") is N6705Meter
    with pytest.raises(MeterError, match="unknown meter driver 'nope'"):
        driver_class("nope")


def test_n6705_configure_arm_fetch() -> None:
    meter = N6705Meter(session(N6705))
    assert "N6705C" in meter.identify()
    config = meter.configure(AcquisitionConfig(1e-3, 4, 1, 0.1, "external", "falling"))
    assert config.sample_interval_s == pytest.approx(1.024e-3)  # the meter's rounding
    meter.arm()
    meter.wait_complete(1.0)
    trace = meter.fetch_trace()
    np.testing.assert_allclose(trace.t_s, np.array([-1, 0, 1, 2]) * 1.024e-3)
    np.testing.assert_allclose(trace.current_a, [0.01, 0.02, 0.03, 0.04])
    np.testing.assert_allclose(trace.power_w, [0.033, 0.066, 0.096, 0.132])
    assert trace.units["current_a"] == "A" and trace.units["power_w"] == "W"
    meter.close()


def test_n6705_rejects_rising_edge_on_low_true_input() -> None:
    meter = N6705Meter(session(N6705))
    with pytest.raises(MeterError, match="low-true"):
        meter.configure(AcquisitionConfig(1e-3, 4, 0, None, "external", "rising"))


def test_n6705_instrument_error_names_the_scpi_error() -> None:
    meter = N6705Meter(session(N6705_ERROR))
    with pytest.raises(InstrumentError, match=r'-222,"Data out of range".*configuring') as info:
        meter.configure(AcquisitionConfig(1e-9, 4, 0, None, "bus"))
    assert info.value.scpi_errors[0] == '-222,"Data out of range"'


def test_wrong_instrument_is_refused_with_its_idn() -> None:
    for cls in (N6705Meter, Dmm6500Meter):
        with pytest.raises(MeterIdentityError, match="RIGOL TECHNOLOGIES,DP832"):
            cls(session(OTHER)).identify()
    with pytest.raises(MeterIdentityError, match="N6705C"):
        Dmm6500Meter(session(N6705)).identify()


def test_n6705_wait_without_trigger_times_out_with_wiring_hint() -> None:
    meter = N6705Meter(session(STUCK), poll_s=0.01)
    meter.identify()
    with pytest.raises(MeterTimeoutError, match="no trigger arrived"):
        meter.wait_complete(0.05)


def test_dmm6500_configure_arm_fetch() -> None:
    meter = Dmm6500Meter(session(DMM), supply_voltage_v=1.8)
    assert "DMM6500" in meter.identify()
    config = meter.configure(AcquisitionConfig(1e-3, 4, 0, None, "external", "rising"))
    assert config.sample_interval_s == pytest.approx(1e-3)
    assert config.pre_trigger_points == 0
    meter.arm()
    meter.wait_complete(1.0)
    trace = meter.fetch_trace()
    np.testing.assert_allclose(trace.t_s, [0.0, 1e-3, 2e-3, 3e-3], atol=1e-12)
    np.testing.assert_allclose(trace.power_w, np.array([0.01, 0.02, 0.03, 0.04]) * 1.8)
    assert trace.sample_interval_s == pytest.approx(1e-3)


def test_dmm6500_rejects_impossible_sample_rate() -> None:
    meter = Dmm6500Meter(session(DMM))
    with pytest.raises(MeterError, match=r"1000\.\.1000000 samples/s"):
        meter.configure(AcquisitionConfig(1e-2, 4, 0, None, "immediate"))


def test_dmm6500_in_tsp_mode_is_refused_with_the_fix() -> None:
    meter = Dmm6500Meter(session("TCPIP0::127.0.0.1::5030::SOCKET"))
    with pytest.raises(MeterIdentityError, match="Command Set > SCPI"):
        meter.identify()


def test_n6705_asks_the_module_before_range_settings() -> None:
    meter = N6705Meter(session(N6705), channel=2)  # an N6761A: fixed ranges only
    meter.identify()
    auto = AcquisitionConfig(1e-3, 4, 1, None, "external", "falling")
    with pytest.raises(MeterError, match=r"N6761A module on channel 2 cannot autorange"):
        meter.configure(auto)
    meter = N6705Meter(session(N6705), channel=3)  # an N6734B: no measurement ranges at all
    with pytest.raises(MeterError, match=r"N6734B module.*N678xA SMU or N676xA"):
        meter.configure(auto)


def test_open_meter_uses_the_given_visa_library_and_5v_supply_default() -> None:
    from harness.meters.glue.options import METER_OPTIONS
    from harness.meters.glue.session import open_meter

    supply = next(o for o in METER_OPTIONS if o.name == "meter-supply-v")
    wiring = (Path(__file__).parents[2] / "harness" / "meters" / "WIRING.md").read_text()
    assert supply.default == 5.0 and "--meter-supply-v 5.0" in wiring
    library = next(o for o in METER_OPTIONS if o.name == "visa-library")
    assert library.default == "@py" and library.env == "FERHIL_VISA_LIBRARY"
    with open_meter(DMM, driver="dmm6500", visa_library=f"{YAML}@sim") as meter_session:
        assert meter_session.meter.driver == "dmm6500"
    with pytest.raises(MeterError):  # the default backend cannot reach the sim-only resource
        open_meter(DMM, driver="dmm6500", visa_library=f"{YAML.with_name('none.yaml')}@sim")
