"""Predictive CLV: shopkit's BG/NBD and Gamma-Gamma fits against the ``lifetimes`` package.

Protocol (issue "Metrics and experiments", acceptance):

1. Data: the CDNOW summary that lifetimes ships (``load_cdnow_summary_data_with_monetary_value``:
   2,357 customers, frequency, recency and T in weeks, mean repeat spend in dollars), read from
   the installed lifetimes package; shopkit does not ship it.
2. Fits, both libraries on the same arrays, default settings: BG/NBD on (frequency, recency,
   T) of every customer; Gamma-Gamma on (frequency, monetary value) of the customers with a
   repeat purchase (lifetimes is given those rows; shopkit leaves the others out itself).
3. Parameters compared: r, alpha, a, b and p, q, v; the figure is the largest absolute
   difference. Predictions compared: probability alive, expected purchases in 10 weeks and
   expected spend, largest absolute difference over the customers.
4. Speed: each library fits BG/NBD then Gamma-Gamma, the two libraries taking turns, 15 rounds
   after one warm-up round; the fit time of a library is its median round, and the ratio is
   lifetimes' median over shopkit's. shopkit deduplicates the (frequency, recency, T) rows
   inside its fit, so that work is in its time.

Printed: the parameters of both, the differences, the median fit times and the two figures
``max parameter difference vs lifetimes: X`` and ``fit speed ratio vs lifetimes: N``.
Goals: X ≤ 1e-4, N ≥ 10.

Run: ``.venv/bin/python benchmarks/clv.py`` (lifetimes is in the ``benchmarks`` extra). Timings
are on this machine, one process; both libraries run in the same process and the same rounds.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from shopkit.metrics import BgNbd, GammaGamma

ROUNDS = 15


def load() -> Any:
    try:
        from lifetimes.datasets import (
            load_cdnow_summary_data_with_monetary_value,
        )
    except ImportError:
        sys.exit('lifetimes is not installed: pip install -e ".[benchmarks]"')
    return load_cdnow_summary_data_with_monetary_value()


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> None:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    data = load()
    frequency = data["frequency"].to_numpy(dtype=float)
    recency = data["recency"].to_numpy(dtype=float)
    age = data["T"].to_numpy(dtype=float)
    monetary = data["monetary_value"].to_numpy(dtype=float)
    repeat = data[data["frequency"] > 0]

    def ours() -> tuple[BgNbd, GammaGamma]:
        return BgNbd.fit(frequency, recency, age), GammaGamma.fit(frequency, monetary)

    def theirs() -> tuple[Any, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bg = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
            gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        return bg, gg

    ours()
    theirs()
    our_times, their_times = [], []
    for _ in range(ROUNDS):
        seconds, (bg, gg) = timed(ours)
        our_times.append(seconds)
        seconds, (lbg, lgg) = timed(theirs)
        their_times.append(seconds)

    mine = {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "p": gg.p, "q": gg.q, "v": gg.v}
    other = {**lbg.params_.to_dict(), **lgg.params_.to_dict()}
    print(f"customers: {len(data)}, with a repeat purchase: {len(repeat)}")
    print(f"{'parameter':<10}{'shopkit':>16}{'lifetimes':>16}{'difference':>14}")
    for name, value in mine.items():
        print(f"{name:<10}{value:>16.8f}{other[name]:>16.8f}{abs(value - other[name]):>14.2e}")
    print(f"BG/NBD log-likelihood (shopkit): {bg.log_likelihood:.4f}")

    alive = bg.p_alive(frequency, recency, age)
    their_alive = lbg.conditional_probability_alive(frequency, recency, age)
    expected = bg.expected_purchases(10.0, frequency, recency, age)
    their_expected = lbg.conditional_expected_number_of_purchases_up_to_time(
        10.0, frequency, recency, age
    )
    spend = gg.expected_spend(frequency, monetary)
    their_spend = lgg.conditional_expected_average_profit(
        data["frequency"], data["monetary_value"]
    ).to_numpy()
    print(f"max difference, probability alive: {np.max(np.abs(alive - their_alive)):.2e}")
    print(
        "max difference, expected purchases in 10 weeks: "
        f"{np.max(np.abs(expected - their_expected)):.2e}"
    )
    print(f"max difference, expected spend: {np.max(np.abs(spend - their_spend)):.2e}")

    ours_median = statistics.median(our_times)
    theirs_median = statistics.median(their_times)
    print(f"fit BG/NBD + Gamma-Gamma, median of {ROUNDS}: shopkit {ours_median * 1e3:.2f} ms,")
    print(f"  lifetimes {theirs_median * 1e3:.2f} ms")
    difference = max(abs(value - other[name]) for name, value in mine.items())
    print(f"max parameter difference vs lifetimes: {difference:.2e}")
    print(f"fit speed ratio vs lifetimes: {theirs_median / ours_median:.1f}")


if __name__ == "__main__":
    main()
