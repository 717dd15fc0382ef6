"""Speed of the loyalty programme: every customer's tier at once, and a ledger replay.

Prints, on this machine:

- ``tier_table`` for every Online Retail customer: spend (net, without shipping and tax, net
  of refunds) over the 12 months before the data's last day, against the sample bronze /
  silver / gold thresholds, as ``customers/s`` (goal: all of them in under 0.05 s), with the
  same computation in pandas (a groupby over the window) as the peer, and the ratio;
- a ledger of 1,000,000 events (orders of 1 to 3 lines, refunds, reviews, sign-ups,
  birthdays, adjustments, redemptions, referrals) for 20,000 customers over two years,
  generated as columns on numpy (``LedgerColumns``, what a shop keeps in Parquet): from the
  columns to every customer's status at the end — validated as ``Ledger`` validates events,
  balances checked by a replay, laid out, replayed (``LedgerTable.from_columns(...)
  .statuses(at)``) — as ``events/s``, wall and CPU (goal: under 2 s); every status as of
  another moment from the same table; then a sample of 1,000 customers as event objects in
  a ``Ledger`` (validated, ``events/s``), their per-customer replay (``Ledger.statuses``),
  its ``events/s`` and the ratio, and a check that both give the same statuses.

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
    LedgerColumns,
    LedgerEvent,
    LedgerTable,
    OrderPlaced,
    Redeemed,
    Referred,
    Refund,
    Review,
    SignUp,
    StatusTable,
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


def generated_columns(count: int, seed: int = 20261202) -> LedgerColumns:
    """A valid ledger of about ``count`` events for 20,000 customers over two years, as columns.

    Made on numpy: orders of 1 to 3 lines; refunds (whole orders, each at most once) and
    reviews of a customer's earlier orders; one birthday a year at most; each customer
    referred at most once, never by themselves; positive adjustments; and redemptions kept
    only where a conservative bound says the points are there: the base points (1 a pound)
    of the customer's never-refunded orders placed 30 to 335 days before (available, not
    expired) cover every redemption candidate before it, plus 3 times the base points of
    every refund before it.
    """
    rng = np.random.default_rng(seed)
    people = 20_000
    span = 730 * DAY * 1_000_000  # microseconds
    start = np.datetime64("2024-01-01T00:00:00", "us").astype(np.int64)
    shares = {
        "order": 0.62,
        "refund": 0.05,
        "review": 0.10,
        "adjustment": 0.05,
        "sign_up": 0.04,
        "birthday": 0.02,
        "referral": 0.01,
        "redemption": 0.11,
    }
    n = {kind: int(count * share) for kind, share in shares.items()}
    # orders
    o_customer = rng.integers(0, people, n["order"])
    o_at = start + rng.integers(0, span, n["order"])
    o_lines = rng.integers(1, 4, n["order"])
    line_order = np.repeat(np.arange(n["order"]), o_lines)
    skus = 200
    line_sku = rng.integers(0, skus, len(line_order))
    line_quantity = rng.integers(1, 4, len(line_order))
    prices = np.array([500, 995, 1250, 2000, 3500, 5000])
    line_unit = prices[rng.integers(0, len(prices), len(line_order))]
    base = np.zeros(n["order"], dtype=np.int64)
    np.add.at(base, line_order, line_unit * line_quantity // 100)
    # refunds: distinct orders, whole, 1 s to 60 days later, within the two years
    refunded = rng.choice(n["order"], n["refund"], replace=False)
    r_at = np.minimum(
        o_at[refunded] + rng.integers(1_000_000, 60 * DAY * 1_000_000, n["refund"]), start + span
    )
    # reviews of an order, up to 30 days later
    reviewed = rng.integers(0, n["order"], n["review"])
    v_at = np.minimum(
        o_at[reviewed] + rng.integers(0, 30 * DAY * 1_000_000, n["review"]), start + span
    )
    # birthdays: distinct customers each year
    half = n["birthday"] // 2
    b_customer = np.concatenate([rng.choice(people, half, replace=False) for _ in range(2)])
    b_at = start + np.concatenate(
        [
            rng.integers(0, 365 * DAY * 1_000_000, half),
            rng.integers(366 * DAY * 1_000_000, span, half),
        ]
    )
    f_referred = rng.choice(people, n["referral"], replace=False)
    f_referrer = rng.integers(0, people, n["referral"])
    f_referrer = np.where(f_referrer == f_referred, (f_referrer + 1) % people, f_referrer)
    f_at = start + rng.integers(0, span, n["referral"])
    s_customer = rng.integers(0, people, n["sign_up"])
    s_at = start + rng.integers(0, span, n["sign_up"])
    a_customer = rng.integers(0, people, n["adjustment"])
    a_at = start + rng.integers(0, span, n["adjustment"])
    a_points = rng.integers(1, 51, n["adjustment"])
    # redemptions: candidates, kept where the bound holds
    candidates = n["redemption"] * 2  # more than needed: some fail the bound
    x_customer = rng.integers(0, people, candidates)
    x_at = start + rng.integers(0, span, candidates)
    x_points = rng.integers(1, 101, candidates)
    never = np.ones(n["order"], dtype=bool)
    never[refunded] = False
    key_scale = span * 4
    order_key = o_customer[never] * key_scale + (o_at[never] - start)
    by = np.argsort(order_key)
    order_key, order_sum = order_key[by], np.concatenate([[0], np.cumsum(base[never][by])])

    def window(customer: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Base points of the customers' orders placed in (at - 335 d, at - 30 d]."""
        hi = np.searchsorted(
            order_key, customer * key_scale + (at - start - 30 * DAY * 1_000_000), side="right"
        )
        lo = np.searchsorted(
            order_key,
            customer * key_scale + np.maximum(at - start - 335 * DAY * 1_000_000, -1),
            side="right",
        )
        lo = np.maximum(lo, np.searchsorted(order_key, customer * key_scale, side="left"))
        found: np.ndarray = order_sum[hi] - order_sum[np.minimum(lo, hi)]
        return found

    # every debit candidate and refund, by customer and moment: what they may take
    d_customer = np.concatenate([x_customer, o_customer[refunded]])
    d_at = np.concatenate([x_at, r_at])
    d_take = np.concatenate([x_points, 3 * base[refunded]])
    by = np.lexsort((d_at, d_customer))
    running = np.cumsum(d_take[by])
    first = np.searchsorted(d_customer[by], d_customer[by], side="left")
    before = running - np.concatenate([[0], running])[first]
    taken = np.empty(len(by), dtype=np.int64)
    taken[by] = before
    # the first n kept (a subset of safe ones is safe: it takes less)
    keep = np.flatnonzero(taken[:candidates] <= window(x_customer, x_at))[: n["redemption"]]
    x_customer, x_at, x_points = x_customer[keep], x_at[keep], x_points[keep]
    # the rows: an order's lines, one row each other event
    kinds = (0, 1, 4, 5, 3, 2, 6, 7)
    customers_of = [
        o_customer,
        o_customer[refunded],
        o_customer[reviewed],
        b_customer,
        f_referrer,
        s_customer,
        a_customer,
        x_customer,
    ]
    moments = [o_at, r_at, v_at, b_at, f_at, s_at, a_at, x_at]
    sizes = [len(m) for m in moments]
    total = sum(sizes)
    kind = np.repeat(kinds, sizes)
    event_customer = np.concatenate(customers_of)
    event_at = np.concatenate(moments)
    event_order = np.full(total, -1)
    event_order[sizes[0] : sizes[0] + sizes[1]] = refunded
    event_order[sizes[0] + sizes[1] : sum(sizes[:3])] = reviewed
    referred = np.full(total, -1)
    at_referral = sum(sizes[:4])
    referred[at_referral : at_referral + sizes[4]] = f_referred
    points = np.zeros(total, dtype=np.int64)
    points[sum(sizes[:6]) : sum(sizes[:7])] = a_points
    points[sum(sizes[:7]) :] = x_points
    reason = np.where(kind == 6, 0, -1)
    # rows: events in time order, an order's lines next to each other
    order_of = np.argsort(event_at, kind="stable")
    lines_of = np.where(kind == 0, 0, 1)
    lines_of[: sizes[0]] = o_lines
    rows_event = np.repeat(order_of, lines_of[order_of])
    first_line = np.concatenate([[0], np.cumsum(o_lines)])
    is_order = kind[rows_event] == 0
    within = np.arange(len(rows_event)) - np.repeat(
        np.concatenate([[0], np.cumsum(lines_of[order_of])[:-1]]), lines_of[order_of]
    )
    line = np.where(is_order, first_line[np.minimum(rows_event, sizes[0] - 1)] + within, -1)
    safe = np.maximum(line, 0)
    ids = tuple(f"e{number}" for number in range(total))
    sku_names = tuple(f"S{number}" for number in range(skus))
    return LedgerColumns(
        "GBP",
        ids=ids,
        customers=tuple(f"c{number}" for number in range(people)),
        skus=sku_names,
        categories=("tea", "ware"),
        reasons=("goodwill",),
        event=rows_event,
        kind=kind[rows_event],
        customer=event_customer[rows_event],
        at=event_at[rows_event],
        referred=referred[rows_event],
        order=event_order[rows_event],  # an order's event number is its order number
        sku=np.where(is_order, line_sku[safe], -1),
        category=np.where(is_order, np.where(line_sku[safe] % 5 == 0, 0, 1), -1),
        quantity=np.where(is_order, line_quantity[safe], 0),
        unit=np.where(is_order, line_unit[safe], 0),
        discount=np.zeros(len(rows_event), dtype=np.int64),
        shipping=np.full(len(rows_event), -1),
        tax=np.full(len(rows_event), -1),
        points=points[rows_event],
        reason=reason[rows_event],
    )


def events_of(columns: LedgerColumns, chosen: set[int]) -> list[LedgerEvent]:
    """The events of customers ``chosen`` (codes), as objects, for the per-customer replay.

    With the orders and sign-ups of the other side of their referrals (whose rewards they
    earn) and the referrals themselves.
    """
    c = columns
    partners: set[int] = set()
    referral = np.flatnonzero(c.kind == 3)
    for row in referral.tolist():
        one, other = int(c.customer[row]), int(c.referred[row])
        if one in chosen or other in chosen:
            partners.update((one, other))
    wanted = np.isin(c.customer, list(chosen)) | (
        np.isin(c.customer, list(partners)) & np.isin(c.kind, (0, 2))
    )
    wanted |= (c.kind == 3) & (
        np.isin(c.customer, list(chosen)) | np.isin(c.referred, list(chosen))
    )
    rows = np.flatnonzero(wanted).tolist()
    moment = [
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(value))
        for value in c.at[rows].tolist()
    ]
    events: list[LedgerEvent] = []
    lines: list[OrderLine] = []
    for number, row in enumerate(rows):
        kind, id, who = int(c.kind[row]), c.ids[c.event[row]], c.customers[c.customer[row]]
        at = moment[number]
        if kind == 0:
            sku = c.skus[c.sku[row]]
            lines.append(OrderLine(sku, int(c.quantity[row]), Money(int(c.unit[row]), "GBP")))
            last = number + 1 == len(rows) or c.event[rows[number + 1]] != c.event[row]
            if last:
                categories = {
                    line.sku: ("tea" if int(line.sku[1:]) % 5 == 0 else "ware") for line in lines
                }
                events.append(OrderPlaced(Order(id, lines, at, customer=who), categories))
                lines = []
        elif kind == 1:
            events.append(Refund(id, c.ids[c.order[row]], at))
        elif kind == 2:
            events.append(SignUp(id, who, at))
        elif kind == 3:
            events.append(Referred(id, who, c.customers[c.referred[row]], at))
        elif kind == 4:
            events.append(Review(id, who, at, order=c.ids[c.order[row]]))
        elif kind == 5:
            events.append(Birthday(id, who, at))
        elif kind == 6:
            events.append(Adjustment(id, who, at, points=int(c.points[row]), reason="goodwill"))
        else:
            events.append(Redeemed(id, who, at, points=int(c.points[row])))
    return events


def replay(count: int) -> None:
    programme = sample_programme()
    start = time.perf_counter()
    columns = generated_columns(count)
    made = time.perf_counter() - start
    events = int(np.count_nonzero(np.diff(columns.event) != 0)) + 1
    print(
        f"generated {events:,} events ({len(columns):,} rows) for 20,000 customers as columns "
        f"in {made:.1f} s"
    )
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def columns_to_statuses() -> StatusTable:
        return LedgerTable.from_columns(programme, columns).statuses(at)

    statuses = columns_to_statuses()
    wall, cpu = timed(columns_to_statuses)
    print(
        f"columns \N{RIGHTWARDS ARROW} every status: {wall:6.2f} s  "
        f"{events / wall:12,.0f} events/s (CPU {cpu:.2f} s; validated, laid out, replayed;"
        " goal: < 2 s)"
    )
    table = LedgerTable.from_columns(programme, columns)
    early = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
    again, again_cpu = timed(lambda: table.statuses(early))
    print(
        f"  then every status as of another moment (2025-06-30): {again:6.2f} s "
        f"(CPU {again_cpu:.2f} s)"
    )
    print(
        f"  {len(statuses):,} customers, tiers {statuses.counts()}, "
        f"{int(statuses.balance.sum()):,} points available"
    )
    sample = sorted(random.Random(7).sample(range(len(columns.customers)), 1_000))
    objects = events_of(columns, set(sample))
    start = time.perf_counter()
    ledger = Ledger(programme, objects)
    appended = time.perf_counter() - start
    print(
        f"Ledger(programme, events), validated, {len(objects):,} events of {len(sample):,} "
        f"customers (and their referrals' other side): {appended:6.2f} s  "
        f"{len(objects) / appended:10,.0f} events/s"
    )
    names = [columns.customers[number] for number in sample]
    sampled = sum(len(ledger.history(customer).events) for customer in names)
    start = time.perf_counter()
    old = ledger.statuses(at, names)
    per_customer = time.perf_counter() - start
    old_rate = sampled / per_customer
    print(
        f"replay per customer (Ledger.statuses), {len(sample):,} customers, {sampled:,} events: "
        f"{per_customer:6.2f} s  {old_rate:12,.0f} events/s  columnar/per-customer events/s "
        f"ratio {events / wall / old_rate:.1f}"
    )
    same = all(statuses.status(customer) == old[customer] for customer in names)
    print(f"  the same statuses on the sample: {same}")
    start = time.perf_counter()
    built = list(statuses.statuses())
    took = time.perf_counter() - start
    print(f"  every Status object built from the table: {took:6.2f} s ({len(built):,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    tiers()
    replay(args.events)


if __name__ == "__main__":
    main()
