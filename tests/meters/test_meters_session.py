"""--meter resolution, the option rows and the hil glue helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware.host.messages import BenchResult
from harness.meters.errors import MeterConnectionError, MeterError, MeterIdentityError
from harness.meters.glue.hil_energy import client_bench, settings_from_config
from harness.meters.glue.options import METER_OPTIONS, energy_n
from harness.meters.glue.session import open_meter
from harness.suite.option_table import load_option_providers
from harness.suite.options import OPTIONS


def test_option_rows_are_registered() -> None:
    load_option_providers()
    for row in METER_OPTIONS:
        assert row.name in OPTIONS
    assert OPTIONS["energy-n"].convert("auto") is None
    assert OPTIONS["energy-n"].convert("500") == 500
    assert OPTIONS["energy-min-window-s"].default == 1.0
    assert energy_n("AUTO") is None
    with pytest.raises(ValueError, match="positive"):
        energy_n("0")


def test_open_sim_meter_reports_itself_simulated() -> None:
    with open_meter("sim", port=0) as session:
        info = session.info()
        assert info["simulated"] is True and info["driver"] == "n6705"
        assert info["resource"].startswith("TCPIP0::127.0.0.1::")
        assert "SIMULATED" in info["idn"]
        assert session.signal is not None
        server = session.server
    assert server is not None and server._server is None  # stopped on exit


def test_stopping_the_server_ends_open_connections() -> None:
    import threading

    from harness.meters.drivers.scpi import ScpiSession

    with open_meter("sim") as session:
        assert session.server is not None
        extra = ScpiSession(session.server.resource, timeout_s=0.5)
        assert extra.query("*OPC?") == "1"
        handlers = threading.active_count()
    extra_threads = threading.active_count()
    assert extra_threads < handlers
    with pytest.raises(MeterConnectionError):
        extra.query("*IDN?")
    extra.close()


def test_bad_meter_combinations() -> None:
    with pytest.raises(MeterError, match="speaks the n6705 command set"):
        open_meter("sim", driver="dmm6500")


def test_real_meter_driver_is_chosen_from_its_idn() -> None:
    pytest.importorskip("pyvisa_sim")
    library = f"{Path(__file__).with_name('meters_pyvisa_sim.yaml')}@sim"
    with open_meter("TCPIP0::127.0.0.1::5027::SOCKET", visa_library=library) as session:
        assert session.meter.driver == "dmm6500" and not session.simulated
    with open_meter("TCPIP0::127.0.0.1::5025::SOCKET", visa_library=library) as session:
        assert session.info()["driver"] == "n6705"
    with pytest.raises(MeterIdentityError, match=r"no meter driver recognises.*RIGOL"):
        open_meter("TCPIP0::127.0.0.1::5028::SOCKET", visa_library=library)


def test_unreachable_real_meter_is_a_connection_error() -> None:
    with pytest.raises(MeterConnectionError, match=r"cannot reach meter.*Connection refused"):
        open_meter("TCPIP0::127.0.0.1::1::SOCKET", driver="n6705", timeout_s=0.5)


class Client:
    def __init__(self, iterations: int | None = None) -> None:
        self.timeout = 1.0
        self.seen_timeouts: list[float] = []
        self.iterations = iterations

    def bench(self, n: int) -> BenchResult:
        self.seen_timeouts.append(self.timeout)
        done = n if self.iterations is None else self.iterations
        return BenchResult(0, done, 7 * done, 7 * done, 7, 7)


def test_client_bench_stretches_the_timeout_and_checks_the_reply() -> None:
    client = Client()
    assert client_bench(client)(100) == 700
    assert client.seen_timeouts[0] > 1.0 and client.timeout == 1.0
    with pytest.raises(MeterError, match="stopped after 3 of 100"):
        client_bench(Client(iterations=3))(100)


def test_client_bench_turns_protocol_failures_into_meter_errors() -> None:
    from golden.errors import FerhilError

    class Broken(Client):
        def bench(self, n: int) -> BenchResult:
            raise FerhilError("no reply to BENCH within 3 s")

    with pytest.raises(MeterError, match=r"BENCH\(5\) on the board failed: no reply"):
        client_bench(Broken())(5)


def test_settings_follow_the_driver_edge() -> None:
    low = {
        "energy-n": None,
        "energy-min-window-s": 2.0,
        "meter-trigger-edge": None,
        "meter-window-level": "low",
    }
    high = {**low, "meter-window-level": "high"}
    assert settings_from_config(low, "n6705").marks == "start"  # falling edge opens it
    assert settings_from_config(high, "n6705").marks == "end"  # low-true input: closing edge
    assert settings_from_config(low, "dmm6500").trigger_edge == "falling"
    assert settings_from_config(high, "dmm6500").trigger_edge == "rising"
    assert settings_from_config(high, "dmm6500").marks == "start"
    assert settings_from_config(low, "dmm6500").min_window_s == 2.0


def test_client_bench_plans_with_the_wall_clock_of_a_slow_simulated_board() -> None:
    """A simulated board reports fast (simulated) cycles but computes slowly on the host."""
    import time

    class SlowHost(Client):
        def bench(self, n: int) -> BenchResult:
            time.sleep(0.001 * n)  # 1 ms per inference on the host
            return super().bench(n)  # 7 simulated cycles per inference

    client = SlowHost()
    bench = client_bench(client, clock_hz=50e6)
    bench(10)  # calibration: 10 ms of wall time for 1.4 us of simulated time
    bench(1000)  # the next window: at least 3 * 1000 * 1 ms more than the base timeout
    assert client.seen_timeouts[1] >= 1.0 + 3 * 1000 * 0.001  # simulated cycles alone: 3.0
