"""Account for every sample of a run under faults: accounted, silently wrong, duplicated, recovery.

Used by the fault-campaign test and ``benchmarks/fault_campaign.py``. A sample is

* *accounted* when the run holds exactly one record for it, a result or a failure record with
  a reason;
* *silently wrong* when its record says ``ok`` but its outputs differ from the golden outputs
  (a corrupted reply accepted as a result): the one outcome the protocol must never allow;
* *duplicated* when more than one record names it.

:class:`ArrivalClock` (a :class:`~harness.run.hil_run.HilRun` listener) timestamps records as they
arrive. A *recovery episode* is a run of consecutive records that failed or needed more than one
attempt; its recovery time is from the record before it to the first clean result after it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.run.run_listener import ObservedRun, RunListener

if TYPE_CHECKING:
    from harness.run.results import SampleRecord


@dataclass
class ArrivalClock(RunListener):
    """Records ``(monotonic time, index, clean)`` for every sample as it is recorded."""

    arrivals: list[tuple[float, int, bool]] = field(default_factory=list)

    def sample_recorded(self, run: ObservedRun, record: SampleRecord) -> None:
        """Listener hook (:class:`~harness.run.run_listener.RunListener`)."""
        clean = record.status == "ok" and int(record.extra.get("attempts", 1)) <= 1
        self.arrivals.append((time.monotonic(), int(record.index), clean))

    def recovery_times(self) -> list[float]:
        """Seconds each recovery episode took (see the module docstring)."""
        times: list[float] = []
        start: float | None = None
        previous = self.arrivals[0][0] if self.arrivals else 0.0
        for t, _index, clean in self.arrivals:
            if not clean and start is None:
                start = previous
            elif clean and start is not None:
                times.append(t - start)
                start = None
            previous = t
        if start is not None:
            times.append(previous - start)
        return times


@dataclass(frozen=True)
class Accounting:
    """The outcome of one run under faults."""

    samples: int
    accounted: int
    results: int
    failures: int
    silently_wrong: int
    duplicated: int
    missing: int
    recovery_s: tuple[float, ...] = ()

    @property
    def all_accounted(self) -> bool:
        """True when every sample has exactly one record."""
        return self.accounted == self.samples and self.duplicated == 0 and self.missing == 0

    def recovery_p50(self) -> float | None:
        """Median recovery time (``None`` without episodes)."""
        return float(np.percentile(self.recovery_s, 50)) if self.recovery_s else None

    def recovery_max(self) -> float | None:
        """Longest recovery time (``None`` without episodes)."""
        return max(self.recovery_s) if self.recovery_s else None


def account(
    samples: Sequence[Mapping[str, Any]],
    total: int,
    golden: Mapping[int, Sequence[int]] | None = None,
    recovery_s: Iterable[float] = (),
) -> Accounting:
    """Account for ``total`` images given the run's sample records (``results.json`` form).

    Args:
        samples: the run's sample records (dicts with ``index``, ``status``, ``outputs``,
            ``golden_outputs``, ``error``).
        total: images the run had to stream.
        golden: outputs the device must produce per index (default: each record's own
            ``golden_outputs``).
        recovery_s: the run's recovery times.
    """
    counts = Counter(int(s["index"]) for s in samples)
    duplicated = sum(1 for n in counts.values() if n > 1)
    missing = sum(1 for i in range(total) if i not in counts)
    wrong = results = failures = 0
    for s in samples:
        if s.get("status") == "ok":
            results += 1
            expect = golden[int(s["index"])] if golden is not None else s.get("golden_outputs")
            if list(s.get("outputs") or []) != list(expect or []):
                wrong += 1
        elif s.get("error"):
            failures += 1
    accounted = sum(1 for i in range(total) if counts.get(i) == 1)
    return Accounting(
        total, accounted, results, failures, wrong, duplicated, missing, tuple(recovery_s)
    )
