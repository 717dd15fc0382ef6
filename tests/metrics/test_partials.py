"""The mergeable partials themselves, the input records, the loader, the dashboard, pictures."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.metrics import (
    CohortRetention,
    Dashboard,
    Funnel,
    GrossMerchandiseValue,
    Refunds,
    ShopData,
    Spend,
    Window,
    breakdown,
    load_orders,
    plot_cohorts,
    plot_funnel,
    plot_trend,
)
from shopkit.metrics._summaries import OrderSummary
from tests.metrics.kpi_strategies import chunked, orders, shuffled
from tests.metrics.test_kpis_sessions import EVENTS

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _summary(data: ShopData) -> OrderSummary:
    assert data.orders is not None
    return OrderSummary.of(data.orders)


def test_an_order_cut_between_chunks_is_one_order_again() -> None:
    # one order of three lines (2 × 1.00, 1 × 3.00, 4 × 0.50, shipping 1.00) cut after line 1
    order = Order(
        "o1",
        [OrderLine(s, q, Money.of(p, "GBP")) for s, q, p in [("A", 2, "1"), ("B", 1, "3"),
                                                              ("C", 4, "0.5")]],
        T0,
        customer="c1",
        shipping=Money.of("1", "GBP"),
    )  # fmt: skip
    table = OrderTable.of([order])
    first, second = chunked(ShopData(orders=table), [34])
    merged = OrderSummary.merge([_summary(first), _summary(second)])
    # gross 200 + 300 + 200 = 700 minor units, 7 units, 3 lines, shipping 100 (first row)
    assert merged.canonical() == {
        ("o1",): ("GBP", int(T0.timestamp()), "c1", None, None, None, 700, 0, 7, 3, 100, 0, 0,
                  1, 0),
    }  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(orders(), st.lists(st.integers(0, 100), max_size=5), st.integers(0, 2**32 - 1))
def test_summaries_are_the_same_whatever_the_chunking_and_row_order(placed, cuts, seed) -> None:
    data = ShopData(orders=OrderTable.of(placed))
    whole = _summary(data).canonical()
    parts = [_summary(chunk) for chunk in chunked(data, cuts)]
    assert OrderSummary.merge(parts).canonical() == whole
    assert OrderSummary.merge(parts[::-1]).canonical() == whole
    assert _summary(shuffled(data, seed)).canonical() == whole


def test_merge_refuses_other_partials() -> None:
    kpi = GrossMerchandiseValue()
    with pytest.raises(ValidationError, match="is not a partial of gmv"):
        kpi.merge([Funnel().partial(EVENTS)])
    with pytest.raises(ValidationError, match="is not a OrderSummary"):
        OrderSummary.merge(["x"])  # type: ignore[list-item]


def test_input_records_check_their_columns() -> None:
    with pytest.raises(ValidationError, match=r"amount\[0\]: 0 is below 1"):
        Refunds(orders=(), order=[-1], at=[0], amount=[0], currencies=("GBP",), currency=[0])
    assert Spend.of([(T0, Money(1, "GBP"), None)]).channel.tolist() == [-1]
    with pytest.raises(ValidationError, match="ZZQ"):
        Spend(at=[0], amount=[1], currencies=("ZZQ",), currency=[0])
    with pytest.raises(ValidationError, match="end"):
        Window(T0, T0)
    with pytest.raises(ValidationError, match=r"naive|UTC offset|aware"):
        Refunds.of([("o1", dt.datetime(2024, 1, 1), Money(1, "GBP"))])


RETAIL = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,HEART,2,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536366,71053,LANTERN,1,2010-12-02 09:00:00,3.39,17850.0,United Kingdom\n"
    "C536379,71053,LANTERN,-1,2010-12-03 09:41:00,3.39,17850.0,United Kingdom\n"
)


def test_load_orders_reads_online_retail_with_its_cancellations_as_refunds(tmp_path: Path) -> None:
    path = tmp_path / "retail.csv.gz"
    path.write_bytes(gzip.compress(RETAIL.encode()))
    data = load_orders(path)
    # sales 2 × 2.55 + 3.39 = 8.49; the cancellation (3.39) is a refund of no known order
    assert GrossMerchandiseValue().compute(data) == {"GBP": Money.of("8.49", "GBP")}
    assert data.refunds is not None
    assert data.refunds.amount.tolist() == [339]
    assert data.refunds.order.tolist() == [-1]
    plain = tmp_path / "orders.csv"
    plain.write_text(
        "order_id,at,sku,quantity,unit_price,currency\no1,2024-01-01T00:00:00+00:00,A,1,2,GBP\n",
        encoding="utf-8",
    )
    assert load_orders(plain).refunds is None
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="header"):
        load_orders(bad)


def test_dashboard_reads_the_summaries_once_and_shows_every_kpi(tmp_path: Path) -> None:
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL, encoding="utf-8")
    table = Dashboard().compute(load_orders(path))
    values = {row[0]: row[1] for row in table.rows}
    # 2 orders, 1 customer, revenue 8.49, net 8.49 − 3.39 = 5.10, AOV 8.49 / 2 = 4.245 → 4.24
    assert values["orders"] == 2
    assert values["customers"] == 1
    assert values["net revenue (GBP)"] == Money.of("5.10", "GBP")
    assert values["aov (GBP)"] == Money.of("4.24", "GBP")
    assert values["repeat purchase rate"] == 1.0
    assert values["refund rate by refund date (GBP)"] == pytest.approx(339 / 849)


PNG = b"\x89PNG\r\n\x1a\n"


def test_pictures_are_png_files(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    table = OrderTable.of(
        [
            Order(f"o{i}", [OrderLine("A", 1, Money.of("2", "GBP"))],
                  T0 + dt.timedelta(days=20 * i), customer=f"c{i % 3}")
            for i in range(8)
        ]
    )  # fmt: skip
    cohorts = CohortRetention().compute(table)
    heat = plot_cohorts(cohorts, tmp_path / "cohorts.png")
    trend = plot_trend(breakdown([GrossMerchandiseValue()], table, "month"), "gmv (GBP)",
                       tmp_path / "trend.png")  # fmt: skip
    funnel = plot_funnel(Funnel().compute(EVENTS), tmp_path / "funnel.png")
    for path in (heat, trend, funnel):
        assert path.read_bytes()[:8] == PNG
        assert path.stat().st_size < 60_000
    assert np.isnan(cohorts.shares).any()  # the heat map had blank cells to leave out
    with pytest.raises(ValidationError, match="cannot write"):
        plot_funnel(Funnel().compute(EVENTS), tmp_path / "missing" / "funnel.png")
    with pytest.raises(ValidationError, match="is not a column"):
        plot_trend(breakdown([GrossMerchandiseValue()], table, "month"), "aov", tmp_path / "x.png")
