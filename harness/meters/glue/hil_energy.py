"""Energy measurement of the board under test of a harness run (used by hil/test_energy.py).

Glue between one board of a run (a :class:`~harness.lab.multi_board.BoardView`: its board, protocol
client, model and clock), the meter options and
:func:`~harness.meters.method.energy.measure_energy`.
With ``--meter sim`` the simulated meter follows the simulated board's GPIO edge log and reports
the simulator's truth next to the measurement. :func:`record_energy` adds the figures to the
run's results (``summary`` keys and the ``energy`` block).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golden.errors import FerhilError
from harness.devices.boards.base import Board
from harness.devices.device_client import DeviceClient
from harness.lab.multi_board import BoardView
from harness.meters.errors import MeterError
from harness.meters.glue.session import default_trigger_edge, open_meter
from harness.meters.method.energy import BenchFn, EnergyResult, EnergySettings, measure_energy
from harness.meters.simulator.energy_model import SimEnergyModel
from harness.meters.simulator.sim_signal import BoardSignal
from harness.run.run_results import ResultsCollector
from harness.suite.config import ConfigLike, as_config

#: Clock assumed when neither --clock-hz nor the board's HELLO gives one.
FALLBACK_CLOCK_HZ = 50e6


class SimMeterUnavailableError(MeterError):
    """``--meter sim`` was asked for a board that writes no GPIO edge log."""


@dataclass
class EnergyOutcome:
    """A measurement with its meter description and, for the simulated meter, the truth."""

    result: EnergyResult
    meter: dict[str, Any]
    truth_uj_per_inference: float | None = None
    model: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The results.json ``summary`` keys."""
        values = {**self.result.summary(), "meter": self.meter}
        if self.truth_uj_per_inference is not None:
            values["energy_truth_uj_per_inference"] = self.truth_uj_per_inference
        return values

    def section(self) -> dict[str, Any]:
        """The results.json ``energy`` block."""
        block = self.result.section()
        if self.model:
            block["sim_energy_model"] = self.model
        return block


def client_bench(
    client: DeviceClient, clock_hz: float = FALLBACK_CLOCK_HZ, *, tta: bool = False
) -> BenchFn:
    """Wrap ``client.bench(n)`` (AgentClient or a double) as a :data:`BenchFn`.

    With ``tta`` every BENCH iteration is one on-device TTA inference (both passes).

    The client's reply timeout is stretched for long windows so that a slow BENCH is not
    re-sent (which would run a second window). The time per inference it plans with is the
    larger of the board's own cycle count and the wall-clock time of the previous BENCH: a
    simulated board reports the accelerator's (simulated) cycles but computes on the host, far
    slower. Protocol failures become :class:`MeterError` so that the energy measurement keeps
    what it measured before.
    """
    state = {"s_per_inference": 0.05}  # a guess until the first reply

    def bench(n: int) -> int:
        base = client.timeout
        client.timeout = base + 3.0 * n * state["s_per_inference"] + 2.0
        t0 = time.perf_counter()
        try:
            reply = client.bench(n, tta=True) if tta else client.bench(n)
        except FerhilError as exc:
            raise MeterError(f"BENCH({n}) on the board failed: {exc}") from exc
        finally:
            client.timeout = base

        if int(reply.status) != 0 or int(reply.iterations) != n:
            raise MeterError(
                f"BENCH stopped after {int(reply.iterations)} of {n} inferences (status "
                f"{int(reply.status)}); the energy window is invalid"
            )
        total = int(reply.total_cycles)
        wall_s = time.perf_counter() - t0
        state["s_per_inference"] = max(total / n / clock_hz, wall_s / n, 1e-6)
        return total

    return bench


def settings_from_config(options: ConfigLike, driver: str) -> EnergySettings:
    """Energy settings from the ``--energy-*``/``--meter-*`` options.

    Args:
        options: the run's config (a partial mapping: the rest are the table's defaults).
        driver: the meter's driver name (``n6705``, ``dmm6500``).
    """
    config = as_config(options)
    high = config.meter_window_level == "high"
    return EnergySettings(
        n=config.energy_n,
        min_window_s=config.energy_min_window_s,
        trigger_edge=config.meter_trigger_edge or default_trigger_edge(driver, high),
        window_active_high=high,
        current_range_a=config.meter_range_a,
    )


def _sim_signal(run: BoardView, board: Board, clock_hz: float, pin_active_low: bool) -> BoardSignal:
    gpio_log = board.gpio_log()
    if not board.facts.simulated or gpio_log is None:
        raise SimMeterUnavailableError(
            f"--meter sim needs a simulated board that writes a GPIO edge log; board "
            f"{board.facts.name!r} does not: give the lab meter's VISA resource with --meter"
        )
    from golden.cost import estimate_cost

    assert run.model is not None  # the board is up: the model was loaded
    cost = estimate_cost(run.model, clock_hz=clock_hz)
    return BoardSignal(
        SimEnergyModel(),
        clock_hz=clock_hz,
        macs_per_inference=float(cost.resources.total_macs),
        cycles_per_inference=float(cost.total_cycles),
        edge_log=Path(gpio_log),
        pin_active_low=pin_active_low,
    )


def measure_run_energy(run: BoardView, options: ConfigLike, *, tta: bool = False) -> EnergyOutcome:
    """Measure energy per inference on the run's board with the configured meter.

    With ``tta`` an inference is one on-device TTA inference (``--tta``: both passes).

    Raises:
        SimMeterUnavailableError: ``--meter sim`` on a board without an edge log.
        EnergyMeasurementError: the measurement failed (``partial`` keeps what was measured).
        MeterError: the meter cannot be opened or identified.
    """
    config = as_config(options)
    device = run.device
    if device is None:
        raise MeterError("the board is not up; start the run before measuring energy")
    board, client = device.board, device.client
    clock_hz = float(run.clock_hz() or FALLBACK_CLOCK_HZ)
    spec = config.meter or board.spec.meter or "sim"
    low = config.meter_window_level == "low"
    signal = _sim_signal(run, board, clock_hz, low) if spec == "sim" else None
    driver = "n6705" if spec == "sim" else config.meter_driver
    if run.inputs is not None:  # BENCH repeats the last input
        client.infer(client.allocate_seq(), run.inputs[0])
    with open_meter(
        spec,
        driver=driver,
        port=config.meter_port,
        timeout_s=config.meter_timeout,
        visa_library="@py" if spec == "sim" else config.visa_library,
        signal=signal,
        channel=config.meter_channel,
        supply_voltage_v=config.meter_supply_v,
    ) as session:
        result = measure_energy(
            session.meter,
            client_bench(client, clock_hz, tta=tta),
            clock_hz,
            settings_from_config(config, session.meter.driver),
        )
        truth = None
        if signal is not None:
            window_j = signal.window_energy_j(int(result.windows["device_cycles"]))
            truth = window_j / result.n * 1e6
        return EnergyOutcome(
            result, session.info(), truth, signal.model.describe() if signal is not None else {}
        )


def record_energy(
    results: ResultsCollector, outcomes: Mapping[str, EnergyOutcome]
) -> EnergyOutcome:
    """Add the energy figures of ``outcomes`` (by board) to ``results``; return the first.

    The first board's figures are the top-level ``summary`` keys and the ``energy`` block; with
    several boards ``summary.energy_by_board`` holds every board's.
    """
    outcome = next(iter(outcomes.values()))
    if len(outcomes) > 1:
        results.add_summary(energy_by_board={b: o.summary() for b, o in outcomes.items()})
    results.add_summary(**outcome.summary())
    results.add_section("energy", outcome.section())
    return outcome


def record_partial_energy(results: ResultsCollector, partial: Mapping[str, Any]) -> None:
    """Keep what a failed measurement measured (``summary.energy_partial``)."""
    results.add_summary(energy_partial=partial)
