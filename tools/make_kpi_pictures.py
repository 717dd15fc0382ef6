"""Draw the pictures of the KPI pages into docs/assets/ (kpi-cohorts, kpi-trend, kpi-funnel).

The data is generated here, with a fixed seed, so that the pictures are the same on every run:
a year of orders of 300 customers with a falling chance of coming back, and a thousand sessions
going down the funnel. Run it with ``.venv/bin/python tools/make_kpi_pictures.py`` (it needs the
``plots`` extra).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from shopkit import Event, EventTable, Money, Order, OrderLine, OrderTable
from shopkit.metrics import (
    CohortRetention,
    Funnel,
    Revenue,
    breakdown,
    plot_cohorts,
    plot_funnel,
    plot_trend,
)

ASSETS = Path(__file__).resolve().parents[1] / "docs" / "assets"
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def orders(rng: random.Random) -> OrderTable:
    placed: list[Order] = []
    for number in range(300):
        at = START + dt.timedelta(days=rng.randrange(300))
        chance = 0.6
        while at < START + dt.timedelta(days=365):
            price = Money(rng.randrange(500, 5_000), "GBP")
            placed.append(
                Order(f"o{len(placed)}", [OrderLine("MUG", 1, price)], at, customer=f"c{number}")
            )
            if rng.random() > chance:
                break
            chance *= 0.9
            at += dt.timedelta(days=rng.randrange(10, 60))
    return OrderTable.of(placed)


def events(rng: random.Random) -> EventTable:
    happened: list[Event] = []
    steps = ("view", "add_to_cart", "checkout_started", "purchase")
    keep = (1.0, 0.35, 0.6, 0.7)
    for number in range(1_000):
        at = START + dt.timedelta(seconds=number * 600)
        for step, chance in zip(steps, keep, strict=True):
            if rng.random() > chance:
                break
            happened.append(Event(step, "MUG", at, f"s{number}"))
    return EventTable.of(happened)


def main() -> None:
    rng = random.Random(20261202)
    table = orders(rng)
    print(plot_cohorts(CohortRetention().compute(table), ASSETS / "kpi-cohorts.png"))
    trend = breakdown([Revenue()], table, "month")
    print(plot_trend(trend, "revenue (GBP)", ASSETS / "kpi-trend.png"))
    print(plot_funnel(Funnel().compute(events(rng)), ASSETS / "kpi-funnel.png"))


if __name__ == "__main__":
    main()
