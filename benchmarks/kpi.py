"""Speed of the KPI dashboard over a million generated orders, against pandas.

Generates 1,000,000 orders (2.5 lines each on average, 200,000 customers, three channels, a
year of times, GBP prices and discounts) and 20,000 refunds as columnar tables, then times:

- the whole dashboard (``shopkit.metrics.Dashboard``: orders, customers, GMV, revenue, net
  revenue, AOV per order and per customer, repeat purchase rate, refund rate, retention and
  churn) from the table to the printed values — summaries built once, every KPI from them;
- the same dashboard cut into 10 chunks whose partials are merged (what a distributed run does);
- for the ratio, the order-level KPIs pandas computes with a ``groupby`` (orders, customers,
  GMV, revenue, AOV per order, repeat purchase rate) — a subset of the dashboard, checked equal.

Prints the median of 5 runs in seconds and as ``orders/s``; the goal is the dashboard in under
1 s. Run it with ``.venv/bin/python benchmarks/kpi.py`` (pandas comes with the ``benchmarks``
extra; without it the ratio is left out).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import attrs
import numpy as np

from shopkit import Money, OrderTable
from shopkit.metrics import (
    AverageOrderValue,
    CustomerCount,
    Dashboard,
    GrossMerchandiseValue,
    OrderCount,
    Refunds,
    RepeatPurchaseRate,
    Revenue,
    ShopData,
)

ORDERS = 1_000_000
START = 1_704_067_200  # 2024-01-01 UTC
YEAR = 366 * 86_400


def generate(seed: int = 20261202) -> ShopData:
    rng = np.random.default_rng(seed)
    lines_per_order = rng.integers(1, 5, ORDERS)  # 1–4 lines, 2.5 on average
    order = np.repeat(np.arange(ORDERS, dtype=np.int64), lines_per_order)
    n = len(order)
    at = np.sort(rng.integers(START, START + YEAR, ORDERS)).astype(np.int64)
    customer = rng.integers(-1, 200_000, ORDERS).astype(np.int64)  # -1: a guest
    channel = rng.integers(0, 3, ORDERS).astype(np.int64)
    quantity = rng.integers(1, 4, n).astype(np.int64)
    price = rng.integers(100, 5_000, n).astype(np.int64)
    discount = np.where(rng.random(n) < 0.2, price // 10, 0).astype(np.int64)
    first = np.concatenate(([True], order[1:] != order[:-1]))
    orders = OrderTable(
        orders=tuple(f"o{i}" for i in range(ORDERS)),
        order=order,
        skus=tuple(f"SKU-{i}" for i in range(2_000)),
        sku=rng.integers(0, 2_000, n).astype(np.int64),
        quantity=quantity,
        unit_price=price,
        discount=discount,
        currencies=("GBP",),
        currency=np.zeros(n, dtype=np.int64),
        at=at[order],
        customers=tuple(f"c{i}" for i in range(200_000)),
        customer=customer[order],
        channels=("web", "app", "store"),
        channel=channel[order],
        shipping=np.where(first, 395, 0).astype(np.int64),
    )
    refunded = rng.choice(ORDERS, 20_000, replace=False)
    refunds = Refunds(
        orders=orders.orders,
        order=refunded.astype(np.int64),
        at=at[refunded] + 86_400 * rng.integers(1, 30, 20_000),
        amount=rng.integers(100, 2_000, 20_000).astype(np.int64),
        currencies=("GBP",),
        currency=np.zeros(20_000, dtype=np.int64),
    )
    return ShopData(orders=orders, refunds=refunds)


def chunks(data: ShopData, count: int) -> list[ShopData]:
    orders = data.orders
    assert orders is not None
    size = -(-len(orders) // count)
    parts = []
    for start in range(0, len(orders), size):
        columns = {
            field.name: getattr(orders, field.name)[start : start + size]
            for field in attrs.fields(OrderTable)
            if isinstance(getattr(orders, field.name), np.ndarray)
        }
        parts.append(
            ShopData(
                orders=attrs.evolve(orders, **columns), refunds=data.refunds if not start else None
            )
        )
    return parts


def median(action: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def with_pandas(data: ShopData) -> dict[str, object] | None:
    try:
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError:
        return None
    orders = data.orders
    assert orders is not None
    frame = pd.DataFrame(
        {
            "order": orders.order,
            "customer": orders.customer,
            "gross": orders.quantity * orders.unit_price,
            "net": orders.quantity * orders.unit_price - orders.discount,
        }
    )
    per_order = frame.groupby("order").agg(
        customer=("customer", "first"), gross=("gross", "sum"), net=("net", "sum")
    )
    customers = per_order[per_order.customer >= 0].groupby("customer").size()
    revenue = int(per_order.net.sum())
    return {
        "orders": len(per_order),
        "customers": len(customers),
        "gmv": int(per_order.gross.sum()),
        "revenue": revenue,
        "aov": revenue / len(per_order),
        "repeat": float((customers >= 2).mean()),
    }


def main() -> None:
    data = generate()
    assert data.orders is not None
    print(f"{ORDERS:,} orders, {len(data.orders):,} order lines, 20,000 refunds")
    dashboard = Dashboard()
    seconds, table = median(lambda: dashboard.compute(data))
    print(table)
    print(f"dashboard, one chunk:        {seconds:8.3f} s  {ORDERS / seconds:12,.0f} orders/s")
    parts = chunks(data, 10)
    chunked, merged = median(
        lambda: dashboard.merge([dashboard.partial(p) for p in parts]).result()
    )
    assert merged == table, "the chunked dashboard differs"
    print(f"dashboard, 10 chunks merged: {chunked:8.3f} s  {ORDERS / chunked:12,.0f} orders/s")
    subset = [OrderCount(), CustomerCount(), GrossMerchandiseValue(), Revenue()]
    subset += [AverageOrderValue(), RepeatPurchaseRate()]
    mine, values = median(lambda: Dashboard(subset).compute(data))
    peer, expected = median(lambda: with_pandas(data))
    if expected is None:
        print("pandas is not installed (the benchmarks extra): no ratio")
        return
    got = dict(values.rows)  # type: ignore[attr-defined]
    assert isinstance(expected, dict)
    assert got["orders"] == expected["orders"]
    assert got["customers"] == expected["customers"]
    assert got["gmv (GBP)"] == Money(expected["gmv"], "GBP")
    assert got["revenue (GBP)"] == Money(expected["revenue"], "GBP")
    assert abs(got["repeat purchase rate"] - expected["repeat"]) < 1e-12
    print(f"order KPIs, shopkit:         {mine:8.3f} s  {ORDERS / mine:12,.0f} orders/s")
    print(f"order KPIs, pandas groupby:  {peer:8.3f} s  {ORDERS / peer:12,.0f} orders/s")
    print(f"speed ratio vs pandas: {peer / mine:.1f}")


if __name__ == "__main__":
    main()
