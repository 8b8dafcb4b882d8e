"""Done-when check: the real hostsim board + BENCH + simulated SCPI meter through pyvisa.

The whole chain (firmware trigger GPIO -> edge log -> simulated N6705 server -> pyvisa ->
n6705 driver -> window edges -> integration) must reproduce the simulator's truth within 2 %
for three different N. The truth comes from golden.cost (MACs, cycles) and the documented
SIMULATED energy model, never from the trace.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.meters.glue.hil_energy import client_bench
from harness.meters.glue.session import open_meter
from harness.meters.method.energy import EnergySettings, measure_energy
from harness.meters.simulator.energy_model import SimEnergyModel
from harness.meters.simulator.sim_signal import BoardSignal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]


@pytest.fixture(scope="module")
def hostsim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from firmware.builder.build import build_firmware
    from firmware.host.client import AgentClient
    from golden.cost import estimate_cost
    from golden.synthetic import random_legal_model
    from harness.devices.boards.base import BoardSpec
    from harness.devices.boards.hostsim import HostsimBoard

    # a small legal model (65 k MACs, ~4.7 k simulated cycles) keeps host-speed BENCH fast
    model = random_legal_model(np.random.default_rng(0), max_layers=3, max_channels=8)
    artifact = build_firmware("hostsim", model)
    log = tmp_path_factory.mktemp("hostsim") / "gpio.log"
    board = HostsimBoard(BoardSpec(name="hostsim", kind="hostsim", gpio_log=log))
    board.flash(Path(artifact.path))
    try:
        client = AgentClient(board.connect())
        hello = client.hello()
        x = np.random.default_rng(1).integers(-128, 128, hello.input_shape, dtype=np.int8)
        client.infer(client.allocate_seq(), x)  # BENCH repeats the last input
        yield {
            "client": client,
            "hello": hello,
            "log": log,
            "cost": estimate_cost(model, clock_hz=hello.core_clock_hz),
        }
    finally:
        board.close()


@pytest.mark.parametrize("n", [200, 500, 1000])
def test_hostsim_energy_matches_truth(
    hostsim: dict[str, Any], n: int, record_property: Any
) -> None:
    hello, cost = hostsim["hello"], hostsim["cost"]
    clock = float(hello.core_clock_hz)
    macs, cycles = float(cost.resources.total_macs), float(cost.total_cycles)
    assert (hello.model_macs, hello.model_cycles) == (cost.resources.total_macs, cost.total_cycles)
    model = SimEnergyModel()
    truth_uj = model.inference_energy_j(macs, cycles, clock) * 1e6
    signal = BoardSignal(
        model,
        clock_hz=clock,
        macs_per_inference=macs,
        cycles_per_inference=cycles,
        edge_log=hostsim["log"],
    )
    with open_meter("sim", signal=signal) as session:
        result = measure_energy(
            session.meter,
            client_bench(hostsim["client"]),
            clock,
            EnergySettings(n=n, min_window_s=0.015, idle_window_s=0.3),
        )
    assert result.windows["device_cycles"] == n * cost.total_cycles  # BENCH = N inferences
    error = result.energy_uj_per_inference / truth_uj - 1
    record_property("energy_error_vs_truth", error)
    print(
        f"N={n}: measured {result.energy_uj_per_inference:.3f} µJ, truth {truth_uj:.3f} µJ, "
        f"error {error * 100:+.3f} %, window {result.window_s:.4f} s"
    )
    assert abs(error) < 0.02
    assert result.latency_us == pytest.approx(cycles / clock * 1e6, rel=0.01)
