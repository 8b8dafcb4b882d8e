from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.meters.drivers.n6705 import N6705Meter
from harness.meters.drivers.scpi import ScpiSession
from harness.meters.simulator.energy_model import SimEnergyModel
from harness.meters.simulator.sim_server import SimulatedMeterServer
from harness.meters.simulator.sim_signal import BoardSignal
from harness.meters.simulator.synthetic_bench import SyntheticBench

CLOCK_HZ = 50e6
MACS = 10_000_000
CYCLES = 100_000  # 2 ms per inference at 50 MHz


@pytest.fixture
def edge_log(tmp_path: Path) -> Path:
    path = tmp_path / "gpio.log"
    path.write_text("")
    return path


@pytest.fixture
def sim_signal(edge_log: Path, request: pytest.FixtureRequest) -> BoardSignal:
    """The simulated rail; ``indirect`` param: whether the trigger pin is low in a window."""
    return BoardSignal(
        SimEnergyModel(seed=7),
        clock_hz=CLOCK_HZ,
        macs_per_inference=MACS,
        cycles_per_inference=CYCLES,
        edge_log=edge_log,
        pin_active_low=getattr(request, "param", True),
    )


@pytest.fixture
def sim_server(sim_signal: BoardSignal) -> Iterator[SimulatedMeterServer]:
    with SimulatedMeterServer(sim_signal) as server:
        yield server


@pytest.fixture
def sim_meter(sim_server: SimulatedMeterServer) -> Iterator[N6705Meter]:
    meter = N6705Meter(ScpiSession(sim_server.resource, timeout_s=1.0), poll_s=0.005)
    meter.identify()
    yield meter
    meter.close()


@pytest.fixture
def synthetic_bench(edge_log: Path) -> SyntheticBench:
    return SyntheticBench(edge_log, CYCLES, pin="0")
