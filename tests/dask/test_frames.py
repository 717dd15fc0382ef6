"""Frames to tables and back, and the adapter's answers to bad input (worked by hand)."""

from __future__ import annotations

import datetime as dt

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

import shopkit.dask as sd
from shopkit import Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.loyalty import sample_programme
from shopkit.metrics import Dashboard
from shopkit.recommend import FrequentlyBoughtTogether, Popular, ViewedItems

AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # 1704067200


def lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order": ["o1", "o1", "o2"],
            "sku": ["TEA", "MUG", "TEA"],
            "quantity": [2, 1, 3],
            "unit_price": [350, 600, 350],
            "currency": ["GBP", "GBP", "GBP"],
            "at": [1_704_067_200, 1_704_067_200, 1_704_153_600],
            "customer": ["ann", "ann", None],
        }
    )


def test_a_frame_becomes_the_table_of_its_lines() -> None:
    table = sd.order_table(lines())
    assert (table.orders, table.skus, table.customers) == (("o1", "o2"), ("TEA", "MUG"), ("ann",))
    assert table.customer.tolist() == [0, 0, -1]  # the guest is -1
    # 2 × 3.50, 1 × 6.00, 3 × 3.50 in pence
    assert table.line_total().tolist() == [700, 600, 1050]
    assert table.shipping.tolist() == [-1, -1, -1]  # not given: not known
    assert table.discount.tolist() == [0, 0, 0]


def test_a_table_survives_the_round_trip_through_a_frame() -> None:
    def gbp(amount: str) -> Money:
        return Money.of(amount, "GBP")

    orders = [
        Order("o1", [OrderLine("TEA", 2, gbp("3.50"), discount=gbp("1"))], AT, customer="ann",
              channel="web", region="UK", segment="vip", shipping=gbp("2.95")),
        Order("o2", [OrderLine("MUG", 1, None)], AT, region="FR"),
    ]  # fmt: skip
    table = OrderTable.of(orders)
    back = sd.order_table(sd.order_frame(table))
    for name in ("orders", "skus", "customers", "channels", "regions", "segments", "currencies"):
        assert getattr(back, name) == getattr(table, name)
    for name in ("order", "sku", "quantity", "unit_price", "discount", "currency", "at",
                 "customer", "channel", "region", "segment", "shipping", "tax"):  # fmt: skip
        assert np.array_equal(getattr(back, name), getattr(table, name)), name
    assert back.per_order("shipping").tolist() == [295, -1]


def test_aware_datetimes_are_read_as_utc_seconds() -> None:
    frame = lines().assign(
        at=pd.to_datetime(["2024-01-01T01:00:00+01:00"] * 3, utc=False).tz_convert("Europe/Paris")
    )
    assert sd.order_table(frame).at.tolist() == [1_704_067_200] * 3  # 01:00 in Paris is 00:00 UTC


def test_events_become_an_event_table() -> None:
    frame = pd.DataFrame(
        {"kind": [1, 2, 0], "sku": ["TEA", "TEA", "MUG"], "at": [10, 20, 30],
         "session": ["s1", "s1", "s2"], "customer": [None, "ann", "ann"]}
    )  # fmt: skip
    table = sd.event_table(frame)
    assert (table.sessions, table.customers, table.customer.tolist()) == (
        ("s1", "s2"), ("ann",), [-1, 0, 0],
    )  # fmt: skip
    back = sd.event_table(sd.event_frame(table))
    assert back.kind.tolist() == [1, 2, 0]
    assert back.session.tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda f: f.assign(unit_price=[3.5, 6.0, 3.5]), "unit_price", "float64"),
        (lambda f: f.assign(quantity=["2", "1", "3"]), "quantity", "not whole numbers"),
        (lambda f: f.drop(columns=["sku"]), "columns", "'sku'"),
        (lambda f: f.assign(at=pd.to_datetime(["2024-01-01"] * 3)), "at", "time zone"),
        (lambda f: f.assign(quantity=[2, 0, 3]), "quantity", "below 1"),
        (lambda f: f.assign(currency=["GBP", "XXY", "GBP"]), "currencies[1]", "XXY"),
    ],
)
def test_bad_frames_are_refused_naming_the_field(change, field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        sd.order_table(change(lines()))
    assert raised.value.field == field


def test_refunds_become_refunds_and_back() -> None:
    frame = pd.DataFrame(
        {
            "order": pd.Series(["o1", None, "o1"], dtype="str"),
            "amount": [250, 600, 100],
            "currency": ["GBP", "EUR", "GBP"],
            "at": [1704067200, 1704153600, 1704240000],
        }
    )
    refunds = sd.refund_table(frame)
    # o1 is order 0; the second refund names none (-1); GBP is currency 0, EUR 1
    assert refunds.orders == ("o1",)
    assert refunds.order.tolist() == [0, -1, 0]
    assert (refunds.currencies, refunds.currency.tolist()) == (("GBP", "EUR"), [0, 1, 0])
    assert refunds.amount.tolist() == [250, 600, 100]
    back = sd.refund_frame(refunds)
    assert back["order"].tolist()[0] == "o1"
    assert pd.isna(back["order"].tolist()[1])
    assert back[["amount", "currency", "at"]].to_dict("list") == frame[
        ["amount", "currency", "at"]
    ].to_dict("list")
    with pytest.raises(ValidationError, match="float64") as raised:
        sd.refund_table(frame.assign(amount=[2.5, 6.0, 1.0]))
    assert raised.value.field == "amount"
    with pytest.raises(ValidationError) as raised:
        sd.refund_table(frame.drop(columns=["currency"]))
    assert (raised.value.field, raised.value.value) == ("columns", "currency")
    with pytest.raises(ValidationError) as raised:
        sd.refund_frame(frame)
    assert raised.value.field == "refunds"


def test_the_adapter_refuses_what_it_cannot_run() -> None:
    orders = dd.from_pandas(lines(), npartitions=2)  # type: ignore[no-untyped-call]
    with pytest.raises(ValidationError) as raised:
        sd.compute(Dashboard(), lines())  # a pandas frame, not a Dask one
    assert raised.value.field == "orders"
    with pytest.raises(ValidationError) as raised:
        sd.compute(Dashboard(), orders.drop(columns=["currency"]))
    assert (raised.value.field, raised.value.value) == ("orders.columns", "currency")
    with pytest.raises(ValidationError) as raised:
        sd.counts(ViewedItems(), orders)  # type: ignore[arg-type]
    assert raised.value.field == "recommender"
    with pytest.raises(ValidationError) as raised:
        sd.counts(Popular(half_life_days=7), orders)
    assert raised.value.field == "half_life_days"
    with pytest.raises(ValidationError) as raised:
        sd.counts(FrequentlyBoughtTogether(), orders, whole="basket")  # type: ignore[arg-type]
    assert (raised.value.field, raised.value.value) == ("whole", "basket")
    with pytest.raises(ValidationError) as raised:
        sd.tier_table(sample_programme(), orders, dt.datetime(2024, 2, 1))  # naive
    assert raised.value.field == "at"
    with pytest.raises(ValidationError) as raised:
        sd.compute("revenue")  # type: ignore[arg-type]
    assert raised.value.field == "calculator"


def test_a_bad_partition_is_reported_and_nothing_is_returned() -> None:
    frame = lines().assign(quantity=[2, 1, -3])  # the second partition's line is bad
    orders = dd.from_pandas(frame, npartitions=2)  # type: ignore[no-untyped-call]
    with dask.config.set(scheduler="synchronous"), pytest.raises(ValidationError) as raised:
        sd.compute(Dashboard(), orders)
    assert raised.value.field == "quantity"
