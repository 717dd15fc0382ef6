"""Speed of the loyalty programme: every customer's tier at once, and a ledger replay.

Prints, on this machine:

- ``tier_table`` for every Online Retail customer: spend (net, without shipping and tax, net
  of refunds) over the 12 months before the data's last day, against the sample bronze /
  silver / gold thresholds, as ``customers/s`` (goal: all of them in under 0.05 s), with the
  same computation in pandas (a groupby over the window) as the peer, and the ratio;
- a generated ledger of 1,000,000 events (orders, refunds, reviews, sign-ups, birthdays,
  adjustments, redemptions, referrals) for 20,000 customers over two years: appending it
  (every event validated, balances checked by a replay), laying it out in columns
  (``LedgerTable.of``) and replaying those into every customer's status at the end
  (``LedgerTable.statuses``), as ``events/s`` (goal: the replay in under 2 s); then the
  per-customer replay (``Ledger.statuses``) on a sample of 1,000 customers, its ``events/s``
  and the ratio, and a check that both give the same statuses.

Run it with ``.venv/bin/python benchmarks/loyalty.py`` (pandas from the ``benchmarks`` extra
for the peer line; ``--events N`` for a smaller ledger). The data set is read from
``$SHOPKIT_DATASETS`` or ``../shared/datasets``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from pathlib import Path

import numpy as np

from shopkit import Money, Order, OrderLine
from shopkit.datasets import read_online_retail
from shopkit.loyalty import (
    Adjustment,
    Birthday,
    Ledger,
    LedgerEvent,
    LedgerTable,
    OrderPlaced,
    Redeemed,
    Referred,
    Refund,
    Review,
    SignUp,
    sample_programme,
    tier_table,
)

DAY = 86_400


def dataset() -> Path:
    base = os.environ.get("SHOPKIT_DATASETS")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "shared" / "datasets"
    return root / "online_retail.csv.gz"


def best_of(action, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def timed(action, repeat: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The best wall time and the best CPU time of this process (the machine is shared)."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def tiers() -> None:
    data = read_online_retail(dataset())
    programme = sample_programme()
    last = int(data.orders.at.max())
    at = dt.datetime.fromtimestamp(last, dt.UTC)
    table = tier_table(programme, data.orders, at, refunds=data.refunds)
    seconds = best_of(lambda: tier_table(programme, data.orders, at, refunds=data.refunds))
    count = len(table.customers)
    print(
        f"tier_table, {count:,} Online Retail customers: {seconds * 1e3:8.2f} ms"
        f"  {count / seconds:12,.0f} customers/s  (goal: < 50 ms)"
    )
    print("  distribution:", ", ".join(f"{k}: {v:,}" for k, v in table.counts().items()))
    try:
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError:
        print("  peer: pandas is not installed (pip install -e '.[benchmarks]')")
        return
    orders, refunds = data.orders, data.refunds
    lines = pd.DataFrame(
        {
            "customer": np.concatenate(
                [
                    orders.customer,
                    np.array(
                        [
                            orders.customers.index(c) if c in orders.customers else -1
                            for c in refunds.customers
                        ]
                    )[refunds.customer]
                    if len(refunds.customer)
                    else refunds.customer,
                ]
            ),
            "at": np.concatenate([orders.at, refunds.at]),
            "amount": np.concatenate([orders.line_total(), -refunds.line_total()]),
        }
    )
    thresholds = np.array(programme.threshold_units(0))

    def peer() -> object:
        window = lines[(lines["at"] > last - 365 * DAY) & (lines["at"] <= last)]
        spend = window[window["customer"] >= 0].groupby("customer")["amount"].sum()
        spend = spend.reindex(range(len(orders.customers)), fill_value=0)
        return np.searchsorted(thresholds, spend.to_numpy(), side="right") - 1

    peer_seconds = best_of(peer)
    print(
        f"  peer, pandas groupby (no grace period): {peer_seconds * 1e3:8.2f} ms"
        f"  {count / peer_seconds:12,.0f} customers/s  shopkit/peer time ratio "
        f"{seconds / peer_seconds:.2f}"
    )


def generated(count: int, seed: int = 20261202) -> list[LedgerEvent]:
    """A valid ledger: redemptions only spend points a conservative tally says are there."""
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    customers = [f"c{n}" for n in range(20_000)]
    prices = [Money(minor, "GBP") for minor in (500, 995, 1250, 2000, 3500, 5000)]
    skus = [f"S{n}" for n in range(200)]
    categories = {sku: ("tea" if n % 5 == 0 else "ware") for n, sku in enumerate(skus)}
    moments = sorted(rng.randrange(0, 730 * DAY) for _ in range(count))
    events: list[LedgerEvent] = []
    orders: dict[str, list[tuple[str, int, int]]] = {}  # customer -> (order id, at, points)
    spent: dict[str, int] = {}
    referred: set[str] = set()
    birthdays: set[tuple[str, int]] = set()
    for number, offset in enumerate(moments):
        at = start + dt.timedelta(seconds=offset)
        who = customers[rng.randrange(len(customers))]
        roll = rng.random()
        mine = orders.setdefault(who, [])
        if roll < 0.62 or not mine:
            lines = [
                OrderLine(rng.choice(skus), rng.randint(1, 3), rng.choice(prices))
                for _ in range(rng.randint(1, 3))
            ]
            id = f"o{number}"
            picked = {line.sku: categories[line.sku] for line in lines}
            events.append(OrderPlaced(Order(id, lines, at, customer=who), picked))
            base = sum(line.total.minor // 100 for line in lines)  # 1 point per 1.00, at least
            mine.append((id, offset, base))
        elif roll < 0.67:
            id, _, points = mine.pop(rng.randrange(len(mine)))
            events.append(Refund(f"r{number}", id, at))
            # the refund takes back what the order earned (up to 2 x 1.5 its base points),
            # from other lots when its own was spent
            spent[who] = spent.get(who, 0) + 3 * points
        elif roll < 0.77:
            events.append(Review(f"v{number}", who, at, order=mine[-1][0]))
        elif roll < 0.82:
            events.append(
                Adjustment(f"a{number}", who, at, points=rng.randint(1, 50), reason="goodwill")
            )
        elif roll < 0.86:
            events.append(SignUp(f"s{number}", who, at))
        elif roll < 0.88:
            year = (who, at.year)
            if year not in birthdays:
                birthdays.add(year)
                events.append(Birthday(f"b{number}", who, at))
        elif roll < 0.89:
            other = customers[rng.randrange(len(customers))]
            if other != who and other not in referred:
                referred.add(other)
                events.append(Referred(f"f{number}", who, other, at))
        else:
            # points surely there: base points of orders past their 30-day window and
            # within the 365-day expiry, less everything redeemed so far
            ready = sum(
                points
                for _, placed, points in mine
                if offset - 335 * DAY < placed <= offset - 30 * DAY
            )
            want = rng.randint(1, 100)
            if ready - spent.get(who, 0) >= want:
                spent[who] = spent.get(who, 0) + want
                events.append(Redeemed(f"x{number}", who, at, points=want))
    return events


def replay(count: int) -> None:
    programme = sample_programme()
    start = time.perf_counter()
    events = generated(count)
    made = time.perf_counter() - start
    print(f"generated {len(events):,} events for 20,000 customers in {made:.1f} s")
    start = time.perf_counter()
    ledger = Ledger(programme, events)
    appended = time.perf_counter() - start
    print(
        f"Ledger(programme, events), validated: {appended:8.2f} s  "
        f"{len(events) / appended:12,.0f} events/s"
    )
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    start, cpu = time.perf_counter(), time.process_time()
    table = LedgerTable.of(ledger)
    laid, laid_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"LedgerTable.of(ledger), the columns: {laid:8.2f} s  "
        f"{len(events) / laid:12,.0f} events/s  (CPU {laid_cpu:.2f} s; once per snapshot)"
    )
    statuses = table.statuses(at)
    replayed, replayed_cpu = timed(lambda: table.statuses(at))
    print(
        f"replay into every status, columnar:  {replayed:8.2f} s  "
        f"{len(events) / replayed:12,.0f} events/s  (CPU {replayed_cpu:.2f} s, "
        f"{len(events) / replayed_cpu:,.0f} events/s; goal: < 2 s)"
    )
    print(
        f"  {len(statuses):,} customers, tiers {statuses.counts()}, "
        f"{int(statuses.balance.sum()):,} points available"
    )
    sample = random.Random(7).sample(ledger.customers, min(1_000, len(ledger.customers)))
    sampled = sum(len(ledger.history(customer).events) for customer in sample)
    start = time.perf_counter()
    old = ledger.statuses(at, sample)
    per_customer = time.perf_counter() - start
    old_rate = sampled / per_customer
    print(
        f"replay per customer (Ledger.statuses), {len(sample):,} customers, {sampled:,} events: "
        f"{per_customer:6.2f} s  {old_rate:12,.0f} events/s  columnar/per-customer events/s "
        f"ratio {len(events) / replayed / old_rate:.1f}"
    )
    same = all(statuses.status(customer) == old[customer] for customer in sample)
    print(f"  the same statuses on the sample: {same}")
    start = time.perf_counter()
    objects = list(statuses.statuses())
    built = time.perf_counter() - start
    print(f"  every Status object built from the table: {built:6.2f} s ({len(objects):,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    tiers()
    replay(args.events)


if __name__ == "__main__":
    main()
