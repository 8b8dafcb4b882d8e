"""The SIMULATED supply-power model behind the simulated meter (not a silicon measurement).

The simulated board is idle at ``idle_power_w``. While its trigger GPIO marks a BENCH window
the rail carries, on top of that, the energy of the work done::

    E_inference = e_mac_j * MACs + e_cycle_j * cycles + active_static_w * cycles / clock_hz

with MACs and cycles per inference from :mod:`golden.cost`. The meter sees the current
``P / supply_v`` plus Gaussian noise (``noise_current_a`` rms per sample, seeded). The
defaults are placeholders of plausible size for a MAX78000FTHR (a few tens of µJ for a
10 M-MAC network), chosen so that the whole measuring chain can be checked against
:meth:`SimEnergyModel.inference_energy_j`; every figure computed from them is *simulated*.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class SimEnergyModel:
    """Parameters of the simulated rail (all SI units).

    Attributes:
        supply_v: rail voltage.
        idle_power_w: board power when no inference runs.
        e_mac_j: energy per multiply-accumulate.
        e_cycle_j: energy per active core cycle.
        active_static_w: extra static power while the accelerator is on.
        noise_current_a: rms current noise per sample.
        noise_voltage_v: rms voltage noise per sample.
        seed: seed of the noise generator (each acquisition adds its index).
    """

    supply_v: float = 3.3
    idle_power_w: float = 0.020
    e_mac_j: float = 2.0e-12
    e_cycle_j: float = 100e-12
    active_static_w: float = 0.010
    noise_current_a: float = 200e-6
    noise_voltage_v: float = 0.5e-3
    seed: int = 0

    def inference_energy_j(self, macs: float, cycles: float, clock_hz: float) -> float:
        """The true extra energy of one inference (joules) under this model."""
        return (
            self.e_mac_j * macs + self.e_cycle_j * cycles + self.active_static_w * cycles / clock_hz
        )

    def active_extra_power_w(self, macs_per_cycle: float, clock_hz: float) -> float:
        """Power above idle while the board computes (watts), for a given MACs/cycle."""
        return (self.e_mac_j * macs_per_cycle + self.e_cycle_j) * clock_hz + self.active_static_w

    def describe(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict, labelled simulated."""
        return {"simulated": True, **asdict(self)}
