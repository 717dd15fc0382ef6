"""Speed of the money primitives the pricing engine runs on every cart.

Prints, on this machine, the median time of:

- ``Money.of`` parsing a decimal string, and ``Money`` addition;
- ``allocate`` spreading an order amount over 20 and over 200 lines by their totals, without
  and with caps (the step that splits an order discount over a cart's lines);
- ``percent`` with half-up rounding.

Run it with ``.venv/bin/python benchmarks/money.py`` after ``make check``. There is no peer
printed: the money libraries we know of (py-moneyed, prices) have no capped largest-remainder
allocation to compare with.
"""

from __future__ import annotations

import functools
import random
import statistics
import timeit
from collections.abc import Callable

from shopkit import Money, allocate


def median_seconds(action: Callable[[], object], number: int, repeat: int = 7) -> float:
    return statistics.median(timeit.repeat(action, number=number, repeat=repeat)) / number


def report(label: str, seconds: float) -> None:
    if seconds < 1e-3:
        print(f"{label:<52} {seconds * 1e6:10.2f} µs")
    else:
        print(f"{label:<52} {seconds * 1e3:10.3f} ms")


def main() -> None:
    rng = random.Random(20261123)
    report("Money.of('1234.56', 'EUR')", median_seconds(lambda: Money.of("1234.56", "EUR"), 20_000))
    a, b = Money(123456, "EUR"), Money(789, "EUR")
    report("Money + Money", median_seconds(lambda: a + b, 100_000))
    report("Money.percent(15)", median_seconds(lambda: a.percent(15), 20_000))
    for count in (20, 200):
        totals = [Money(rng.randint(100, 50_000), "EUR") for _ in range(count)]
        amount = Money(sum(t.minor for t in totals) // 7, "EUR")
        report(
            f"allocate over {count} lines",
            median_seconds(functools.partial(allocate, amount, totals), 2_000 // count * 10),
        )
        caps = [Money(t.minor // 5, "EUR") for t in totals]
        capped = Money(sum(c.minor for c in caps) * 9 // 10, "EUR")
        report(
            f"allocate over {count} lines, capped",
            median_seconds(
                functools.partial(allocate, capped, totals, caps=caps), 2_000 // count * 10
            ),
        )


if __name__ == "__main__":
    main()
