"""results.json names how latency was measured for every clock kind HELLO can report."""

from firmware.host.protocol import ClockKind
from harness.run.run_document import LATENCY_METHODS, latency_method


def test_every_clock_kind_has_a_latency_method() -> None:
    assert set(LATENCY_METHODS) == {int(k) for k in ClockKind}
    assert latency_method(None) is None


def test_fthr_accelerator_latency_is_the_sleep_proof_timer() -> None:
    method = latency_method(int(ClockKind.HARDWARE_TIMER_US))
    assert method is not None and "--timer 0" in method and "sleeps" in method
    assert "simulated" in str(latency_method(int(ClockKind.SIMULATED)))
