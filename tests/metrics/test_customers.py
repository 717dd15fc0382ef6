"""Per-customer partials: hand-worked figures, exact merging in any chunking, bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.datasets import read_online_retail
from shopkit.metrics import CustomerPartial

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def day(number: float) -> dt.datetime:
    return START + dt.timedelta(days=number)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def table() -> OrderTable:
    # c1: o1 on day 0 (2 × 3.50 = 7.00), o2 on day 3 (6.00 − 1.00 = 5.00, plus 1 × 2.00 = 2.00),
    #     o3 on day 3 too (4.00) and o4 on day 10 in EUR (10.00 EUR)
    # c2: o5 on day 5 (1 × 20.00); a guest order o6 is left out
    return OrderTable.of(
        [
            Order("o1", [OrderLine("TEA", 2, gbp("3.50"))], day(0), customer="c1"),
            Order(
                "o2",
                [
                    OrderLine("MUG", 1, gbp("6.00"), discount=gbp("1.00")),
                    OrderLine("SPOON", 1, gbp("2")),
                ],
                day(3),
                customer="c1",
            ),
            Order("o3", [OrderLine("TEA", 1, gbp("4.00"))], day(3.5), customer="c1"),
            Order("o4", [OrderLine("TEA", 1, Money.of("10.00", "EUR"))], day(10), customer="c1"),
            Order("o5", [OrderLine("POT", 1, gbp("20.00"))], day(5), customer="c2"),
            Order("o6", [OrderLine("POT", 1, gbp("20.00"))], day(5)),
        ]
    )


def refunds() -> OrderTable:
    # c1 returns one TEA at 3.50; c9 (no orders) returns something: left out of the summary
    return OrderTable.of(
        [
            Order("C1", [OrderLine("TEA", 1, gbp("3.50"))], day(4), customer="c1"),
            Order("C2", [OrderLine("TEA", 1, gbp("1.00"))], day(4), customer="c9"),
        ]
    )


def test_summary_by_hand() -> None:
    summary = CustomerPartial.of(table(), refunds()).summary()
    assert summary.customers == ("c1", "c2")
    assert summary.currencies == ("EUR", "GBP")
    assert summary.n_orders.tolist() == [4, 1]
    assert summary.first.tolist() == [int(day(0).timestamp()), int(day(5).timestamp())]
    assert summary.last.tolist() == [int(day(10).timestamp()), int(day(5).timestamp())]
    # c1 in GBP: 7.00 + 5.00 + 2.00 + 4.00 = 18.00; in EUR 10.00; c2: 20.00 GBP
    assert summary.spend.tolist() == [[1000, 1800], [0, 2000]]
    assert summary.spend_of("c1") == {"EUR": Money.of("10", "EUR"), "GBP": gbp("18.00")}
    # c1's refund of 3.50 GBP: net 14.50
    assert summary.refunded.tolist() == [[0, 350], [0, 0]]
    assert summary.net_of("c1")["GBP"] == gbp("14.50")
    with pytest.raises(ValidationError) as error:
        summary.spend_of("c9")
    assert error.value.field == "customer"


def test_repeat_summary_by_hand() -> None:
    partial = CustomerPartial.of(table())
    repeat = partial.repeat(day(20), currency="GBP")
    assert repeat.customers == ("c1", "c2")
    # c1 bought on days 0, 3 (o2 and o3, one period) and 10: 3 periods, frequency 2;
    # recency 10 − 0 = 10 days, T = 20 − 0 = 20 days
    # repeat-period spend in GBP: day 3 = 7.00 + 4.00 = 11.00, day 10 = 0 GBP → mean 5.50
    assert repeat.frequency.tolist() == [2.0, 0.0]
    assert repeat.recency.tolist() == [10.0, 0.0]
    assert repeat.T.tolist() == [20.0, 15.0]
    assert repeat.monetary.tolist() == [5.5, 0.0]
    # as of day 8, o4 (day 10) is not yet placed: c1 has periods 0 and 3, frequency 1, spend 11
    early = partial.repeat(day(8), currency="GBP")
    assert early.frequency.tolist() == [1.0, 0.0]
    assert early.recency.tolist() == [3.0, 0.0]
    assert early.T.tolist() == [8.0, 3.0]
    assert early.monetary.tolist() == [11.0, 0.0]
    # weeks: c1's orders fall in weeks 0, 0 and 1 from the epoch's week grid
    weekly = partial.repeat(day(20), period=dt.timedelta(weeks=1), currency="GBP")
    epoch_week = [int(day(n).timestamp()) // (7 * 86400) for n in (0, 3, 10, 20)]
    periods = len(set(epoch_week[:3]))
    assert weekly.frequency[0] == periods - 1
    assert weekly.T[0] == epoch_week[3] - epoch_week[0]


def test_repeat_needs_a_currency_when_there_are_several() -> None:
    with pytest.raises(ValidationError) as error:
        CustomerPartial.of(table()).repeat(day(20))
    assert error.value.field == "currency"
    with pytest.raises(ValidationError) as error:
        CustomerPartial.of(table()).repeat(day(20), currency="JPY")
    assert error.value.value == "JPY"
    with pytest.raises(ValidationError) as error:
        CustomerPartial.of(table()).repeat(dt.datetime(2024, 1, 1), currency="GBP")
    assert error.value.field == "at"
    with pytest.raises(ValidationError) as error:
        CustomerPartial.of(table()).repeat(day(20), period=dt.timedelta(0), currency="GBP")
    assert error.value.field == "period"


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        CustomerPartial.of("orders.csv")  # type: ignore[arg-type]
    assert error.value.field == "orders"
    with pytest.raises(ValidationError) as error:
        CustomerPartial.merge_all([CustomerPartial.empty(), 3])  # type: ignore[list-item]
    assert error.value.field == "partials[1]"


def test_an_order_split_over_chunks_counts_once() -> None:
    whole = table()
    # cut o2 (rows 1 and 2) between its two lines
    rows = np.arange(len(whole))
    parts = [_rows(whole, rows[:2]), _rows(whole, rows[2:])]
    merged = CustomerPartial.merge_all(CustomerPartial.of(part) for part in parts)
    assert merged.summary().equals(CustomerPartial.of(whole).summary())
    assert merged.summary().n_orders.tolist() == [4, 1]


def _rows(table: OrderTable, index: np.ndarray) -> OrderTable:
    """The rows ``index`` of ``table``, vocabularies kept."""
    columns = {
        name: getattr(table, name)[index]
        for name in ("order", "sku", "quantity", "unit_price", "discount", "currency", "at",
                     "customer", "channel", "region", "segment")
    }  # fmt: skip
    names = {
        name: getattr(table, name)
        for name in ("orders", "skus", "currencies", "customers", "channels", "regions", "segments")
    }
    return OrderTable(**names, **columns)


@st.composite
def orders_and_chunks(draw: st.DrawFn) -> tuple[OrderTable, list[list[int]]]:
    n_orders = draw(st.integers(1, 8))
    orders = []
    for number in range(n_orders):
        currency = draw(st.sampled_from(["GBP", "EUR"]))  # an order is in one currency
        lines = [
            OrderLine(
                draw(st.sampled_from(["A", "B", "C"])),
                draw(st.integers(1, 3)),
                Money(draw(st.integers(0, 5000)), currency),
            )
            for _ in range(draw(st.integers(1, 3)))
        ]
        orders.append(
            Order(
                f"o{number}",
                lines,
                day(draw(st.integers(0, 40))),
                customer=draw(st.sampled_from(["c1", "c2", "c3", None])),
            )
        )
    table = OrderTable.of(orders)
    permutation = draw(st.permutations(range(len(table))))
    cuts = sorted(draw(st.lists(st.integers(0, len(table)), max_size=4)))
    bounds = [0, *cuts, len(table)]
    chunks = [list(permutation[a:b]) for a, b in itertools.pairwise(bounds)]
    return table, chunks


@settings(max_examples=60, deadline=None)
@given(orders_and_chunks(), st.randoms(use_true_random=False))
def test_summaries_do_not_depend_on_row_order_or_chunking(drawn, random) -> None:
    table, chunks = drawn
    whole = CustomerPartial.of(table)
    partials = [
        CustomerPartial.of(_rows(table, np.asarray(chunk, dtype=np.int64))) for chunk in chunks
    ]
    # merge in a random grouping: pair up random neighbours until one is left
    while len(partials) > 1:
        at = random.randrange(len(partials) - 1)
        partials[at : at + 2] = [partials[at] + partials[at + 1]]
    merged = partials[0]
    assert merged.summary().equals(whole.summary())
    for currency in ("GBP", "EUR"):
        if currency in merged.summary().currencies:
            a = merged.repeat(day(41), currency=currency)
            b = whole.repeat(day(41), currency=currency)
            assert a.customers == b.customers
            for name in ("frequency", "recency", "T", "monetary"):
                assert np.array_equal(getattr(a, name), getattr(b, name))


@settings(max_examples=30, deadline=None)
@given(orders_and_chunks())
def test_merging_the_empty_partial_changes_nothing(drawn) -> None:
    table, _ = drawn
    partial = CustomerPartial.of(table)
    assert (partial + CustomerPartial.empty()).summary().equals(partial.summary())
    assert CustomerPartial.merge_all([]).summary().customers == ()


def _retail() -> Path | None:
    # as tests/recommend/conftest.py finds it: SHOPKIT_ONLINE_RETAIL, or ../shared/datasets
    default = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "online_retail.csv.gz"
    path = Path(os.environ.get("SHOPKIT_ONLINE_RETAIL", default))
    return path if path.exists() else None


@pytest.mark.skipif(_retail() is None, reason="the Online Retail data is not there")
def test_online_retail_cancellations_are_refunds() -> None:
    data = read_online_retail(_retail())  # type: ignore[arg-type]
    whole = CustomerPartial.of(data.orders, data.refunds)
    summary = whole.summary()
    # every customer with an order is in the summary, and refunds are kept apart from spend
    assert len(summary) == len(set(np.asarray(data.orders.customer)[data.orders.customer >= 0]))
    assert int(summary.refunded.sum()) > 0
    assert np.all(summary.spend >= 0)
    # chunked by 100,000 rows, in three groups, the result is the same
    step = 100_000
    parts = [
        CustomerPartial.of(_rows(data.orders, np.arange(i, min(i + step, len(data.orders)))))
        for i in range(0, len(data.orders), step)
    ]
    parts.append(CustomerPartial.of(_rows(data.orders, np.arange(0)), data.refunds))
    assert CustomerPartial.merge_all(parts).summary().equals(summary)
