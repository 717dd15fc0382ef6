"""Each computation on a real LocalCluster equals the single-machine result, bit for bit.

Two worker processes of one thread each. The data: the first 25,000 rows of Online Retail
(GBP) and 2,000 generated orders (GBP and JPY, guests, discounts, shipping); the partition
counts 1, 3 and 7, cut anywhere (so orders and customers are split and the adapter shuffles)
or, where a test says so, between orders or customers (``whole=``: no shuffle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest
from distributed import Client, LocalCluster

import shopkit.dask as sd
from shopkit import Money
from shopkit.loyalty import sample_programme, tier_table
from shopkit.metrics import (
    AverageOrderValue,
    BounceRate,
    Breakdown,
    CartAbandonment,
    CohortRetention,
    ConversionRate,
    CustomerPartial,
    Dashboard,
    OrderCount,
    PagesPerSession,
    RefundRate,
    Refunds,
    Revenue,
    ShopData,
)
from shopkit.recommend import FrequentlyBoughtTogether, Interactions, Popular, PurchaseHistory
from tests.dask.helpers import (
    even,
    same_cohorts,
    same_counts,
    same_customers,
    same_model,
    same_tiers,
)

PARTITIONS = [1, 3, 7]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two worker processes with one thread each, for every test of this module."""
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


@pytest.fixture(params=["retail", "generated"])
def frame(request: pytest.FixtureRequest) -> pd.DataFrame:
    value: pd.DataFrame = request.getfixturevalue(request.param)
    return value


@pytest.mark.parametrize("n", PARTITIONS)
def test_the_dashboard_and_breakdowns_equal_one_machine(
    client: Client, frame: pd.DataFrame, n: int
) -> None:
    table = sd.order_table(frame)
    orders = even(frame, n)
    dashboard = Dashboard()  # ORDER_KPIS: counts, GMV, revenue, AOV, repeat rate, retention, …
    assert sd.compute(dashboard, orders) == dashboard.compute(table)
    kpis = [OrderCount(), Revenue(), AverageOrderValue()]
    for by in ("channel", "month"):
        breakdown = Breakdown(kpis, by=by)
        assert sd.compute(breakdown, orders) == breakdown.compute(table)
    cohorts = CohortRetention(period="month")
    same_cohorts(sd.compute(cohorts, orders), cohorts.compute(table))


@pytest.mark.parametrize("n", PARTITIONS)
def test_session_kpis_from_orders_and_events_equal_one_machine(
    client: Client, generated: pd.DataFrame, events: pd.DataFrame, n: int
) -> None:
    kpis = [OrderCount(), ConversionRate(), BounceRate(), PagesPerSession(), CartAbandonment()]
    data = ShopData(orders=sd.order_table(generated), events=sd.event_table(events))
    dashboard = Dashboard(kpis)
    expected = dashboard.compute(data)
    assert sd.compute(dashboard, even(generated, n), even(events, n)) == expected
    by_channel = Breakdown(kpis, by="channel")
    assert sd.compute(by_channel, even(generated, n), even(events, n)) == by_channel.compute(data)


@pytest.mark.parametrize("n", PARTITIONS)
def test_revenue_is_exact_minor_units_per_currency(
    client: Client, generated: pd.DataFrame, n: int
) -> None:
    result = sd.compute(Revenue(), even(generated, n))
    # by hand: Σ quantity × unit price − discount over each currency's lines, as Python ints
    expected = {}
    for code, rows in generated.groupby("currency"):
        total = sum(
            int(q) * int(p) - int(d)
            for q, p, d in zip(rows.quantity, rows.unit_price, rows.discount, strict=True)
        )
        expected[code] = Money(total, str(code))
    assert result == expected
    assert set(result) == {"GBP", "JPY"}


def strategy(model: type) -> Any:
    """The strategy with the parameters the test counts with (popularity: per region)."""
    return model(by="region") if model is Popular else model()


@pytest.mark.parametrize("n", PARTITIONS)
@pytest.mark.parametrize("model", [FrequentlyBoughtTogether, PurchaseHistory, Popular])
def test_recommendation_counts_and_fits_equal_one_machine(
    client: Client, frame: pd.DataFrame, n: int, model: type
) -> None:
    interactions = Interactions.from_tables(sd.order_table(frame))
    single = strategy(model).counts(interactions)
    carts = [[interactions.items[0]], [interactions.items[1], interactions.items[2]]]
    expected = strategy(model).fit_counts(single)
    if model is PurchaseHistory:  # counted by customer: the lines are shuffled on the customer
        counted = sd.counts(strategy(model), even(frame, n))
        same_counts(single, counted)
        same_model(strategy(model).fit_counts(counted), expected, carts)
        return
    # partitions of whole orders, as promised: no shuffle
    same_counts(single, sd.counts(strategy(model), even(frame, n, key="order"), whole="order"))
    # orders cut anywhere: shuffled on the order, names put back in first-appearance order
    same_model(sd.fit(strategy(model), even(frame, n)), expected, carts)


@pytest.mark.parametrize("n", PARTITIONS)
def test_refund_kpis_equal_one_machine(
    client: Client, generated: pd.DataFrame, refunds: pd.DataFrame, n: int
) -> None:
    table = sd.order_table(generated)
    data = ShopData(orders=table, refunds=sd.refund_table(refunds))
    dashboard = Dashboard()  # its defaults take refunds: net revenue, both refund rates
    kpis = [Revenue(less_refunds=True), RefundRate(), RefundRate(by="refund_date")]
    orders, refunded = even(generated, n), even(refunds, n)
    result = sd.compute(dashboard, orders, refunds=refunded)
    assert result == dashboard.compute(data)
    assert result != dashboard.compute(table)  # the refunds did change the figures
    by_month = Breakdown(kpis, by="month")
    assert sd.compute(by_month, orders, refunds=refunded) == by_month.compute(data)


@pytest.mark.parametrize("n", PARTITIONS)
def test_online_retail_cancellations_equal_one_machine(
    client: Client, retail: pd.DataFrame, retail_refund_lines: pd.DataFrame, n: int
) -> None:
    orders, lines = sd.order_table(retail), sd.order_table(retail_refund_lines)
    refunds = Refunds.from_table(lines)  # a cancellation names no invoice: order -1
    dashboard = Dashboard()
    expected = dashboard.compute(ShopData(orders=orders, refunds=refunds))
    frames = even(retail, n), even(sd.refund_frame(refunds), n)
    assert sd.compute(dashboard, frames[0], refunds=frames[1]) == expected
    single = CustomerPartial.of(orders, lines)
    merged = sd.customer_partial(frames[0], refund_lines=even(retail_refund_lines, n))
    at = dt.datetime.fromtimestamp(int(retail["at"].max()) + 1, dt.UTC)
    same_customers(merged, single, at)
    names = ("refund_customer", "refund_currency", "refunded")
    rows = [sorted(zip(*(getattr(p, n) for n in names), strict=True)) for p in (merged, single)]
    assert rows[0] == rows[1]


@pytest.mark.parametrize("n", PARTITIONS)
def test_the_customer_summary_equals_one_machine(
    client: Client, frame: pd.DataFrame, n: int
) -> None:
    single = CustomerPartial.of(sd.order_table(frame))
    at = dt.datetime.fromtimestamp(int(frame["at"].max()) + 1, dt.UTC)
    same_customers(sd.customer_partial(even(frame, n)), single, at)


@pytest.mark.parametrize("n", PARTITIONS)
def test_every_customers_tier_equals_one_machine(
    client: Client, frame: pd.DataFrame, n: int
) -> None:
    gbp = frame[frame["currency"] == "GBP"].reset_index(drop=True)
    programme = sample_programme()
    at = dt.datetime.fromtimestamp(int(gbp["at"].max()), dt.UTC)
    single = tier_table(programme, sd.order_table(gbp), at)
    assert len(single.counts()) >= 2  # more than one tier is held: the comparison means something
    same_tiers(sd.tier_table(programme, even(gbp, n), at), single)
    by_customer = gbp.sort_values("customer", kind="stable", na_position="last")
    by_customer = by_customer.reset_index(drop=True)
    whole = sd.tier_table(programme, even(by_customer, n, key="customer"), at, whole="customer")
    same_tiers(whole, tier_table(programme, sd.order_table(by_customer), at))
