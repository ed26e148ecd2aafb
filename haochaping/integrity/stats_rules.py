"""The statistical test of the 等级分布异常 signal, without scipy. Pure, no ORM.

:func:`binomial_upper_tail` is the exact one-sided p-value of a binomial test: the
probability that ``n`` ratings, each a 5 with the peers' share ``p``, give ``k`` or more
5s. Summed term by term in log space (``math.lgamma``), so it stays exact for the few
thousand ratings a pad gives in a month without overflow or underflow to a wrong 0.
"""

from __future__ import annotations

import math


def _log_pmf(i: int, n: int, p: float) -> float:
    return (math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(p) + (n - i) * math.log1p(-p))


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p); 0 <= k, 0 <= n, 0 <= p <= 1."""
    if n < 0 or k < 0 or not 0.0 <= p <= 1.0:
        raise ValueError("binomial_upper_tail: 0 <= k, 0 <= n, 0 <= p <= 1")
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    logs = [_log_pmf(i, n, p) for i in range(k, n + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(x - top) for x in logs))
