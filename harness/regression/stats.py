"""Exact tests and intervals for an accuracy change between two runs (no SciPy needed).

* Paired (the same samples in both runs): the exact McNemar test, i.e. a two-sided binomial test
  of the discordant pairs (``lost``: right before, wrong now; ``gained``: the reverse) against
  p = 1/2, and the accuracy change ``(gained - lost) / n`` with an exact conditional interval
  (Clopper-Pearson on ``lost / (lost + gained)``, mapped to the change).
* Unpaired (other samples, e.g. another data set): Fisher's exact test of the 2x2 table of
  correct/incorrect counts and Newcombe's hybrid-score interval of the difference of two
  proportions (Wilson intervals of each).

Every function takes counts and returns plain floats; intervals are at level ``1 - alpha``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

from reports.results_doc.sections import ChangeStats


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    return min(1.0, sum(math.exp(_log_comb(n, i) + i * lp + (n - i) * lq) for i in range(k + 1)))


def mcnemar_exact(lost: int, gained: int) -> float:
    """Two-sided exact McNemar p-value: 2 P(X <= min(lost, gained)), X ~ Bin(lost+gained, 1/2)."""
    m = lost + gained
    if m == 0:
        return 1.0
    k = min(lost, gained)
    tail = sum(math.comb(m, i) for i in range(k + 1)) / 2**m
    result: float = min(1.0, 2.0 * tail)
    return result


def _solve(f: Callable[[float], float], target: float) -> float:
    """Bisection for a decreasing ``f`` on [0, 1]: the p where f(p) = target."""
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a binomial proportion k/n at level 1 - alpha."""
    if n == 0:
        return 0.0, 1.0
    # P(X >= k | p) increases with p: its negative decreases, as _solve wants.
    low = 0.0 if k == 0 else _solve(lambda p: binom_cdf(k - 1, n, p) - 1.0, -alpha / 2)
    high = 1.0 if k == n else _solve(lambda p: binom_cdf(k, n, p), alpha / 2)
    return low, high


def paired_change(lost: int, gained: int, n: int, alpha: float) -> ChangeStats:
    """Accuracy change of ``n`` paired samples with ``lost``/``gained`` discordant pairs."""
    m = lost + gained
    if n == 0:
        return ChangeStats(0.0, 0.0, 0.0, 1.0, "paired: no samples", 0, lost, gained)
    delta = (gained - lost) / n
    theta_low, theta_high = clopper_pearson(lost, m, alpha)
    scale = m / n
    low, high = scale * (1 - 2 * theta_high), scale * (1 - 2 * theta_low)
    return ChangeStats(
        delta, low, high, mcnemar_exact(lost, gained), "exact McNemar (paired)", n, lost, gained
    )


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value of the 2x2 table [[a, b], [c, d]]."""
    row1, col1, n = a + b, a + c, a + b + c + d

    def log_p(x: int) -> float:
        return _log_comb(col1, x) + _log_comb(n - col1, row1 - x) - _log_comb(n, row1)

    observed = log_p(a)
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    total = sum(math.exp(log_p(x)) for x in range(lo, hi + 1) if log_p(x) <= observed + 1e-7)
    return min(1.0, total)


def wilson(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Wilson score interval of k/n at level 1 - alpha."""
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def unpaired_change(
    base_correct: int, base_n: int, new_correct: int, new_n: int, alpha: float
) -> ChangeStats:
    """Accuracy change between two independent sets (Fisher exact, Newcombe interval)."""
    if base_n == 0 or new_n == 0:
        return ChangeStats(0.0, -1.0, 1.0, 1.0, "unpaired: no samples", min(base_n, new_n))
    p1, p2 = base_correct / base_n, new_correct / new_n
    l1, u1 = wilson(base_correct, base_n, alpha)
    l2, u2 = wilson(new_correct, new_n, alpha)
    delta = p2 - p1
    low = delta - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = delta + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    p_value = fisher_exact(base_correct, base_n - base_correct, new_correct, new_n - new_correct)
    method = "Fisher exact, Newcombe interval (unpaired)"
    return ChangeStats(delta, low, high, p_value, method, min(base_n, new_n))
