"""Interactions from orders and events, their checks, and the Online Retail reader."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pytest

from shopkit import Event, EventKind, Money, Order, ValidationError
from shopkit.datasets import RetailData, read_online_retail
from shopkit.recommend import (
    FrequentlyBoughtTogether,
    Interactions,
    Popular,
    evaluate,
    leave_one_out,
    time_split,
)
from tests.recommend.conftest import AT

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
ROWS = [
    "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom",
    "536365,85123A,WHITE HANGING HEART,2,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    "536366,71053,WHITE METAL LANTERN,1,2010-12-02 09:00:00,3.25,,France",
    "536366,POST,POSTAGE,1,2010-12-02 09:00:00,18.00,,France",
    "C536367,71053,WHITE METAL LANTERN,-1,2010-12-03 10:00:00,3.39,17850.0,United Kingdom",
    "536368,22423,REGENCY CAKESTAND 3 TIER,0,2010-12-03 10:00:00,12.75,17850.0,United Kingdom",
    "536369,22423,REGENCY CAKESTAND 3 TIER,1,2010-12-03 10:00:00,0.00,17850.0,United Kingdom",
    "536370,71053,WHITE METAL LANTERN,3,2010-12-04 10:00:00,3.39,12583.0,France",
]


def write(tmp_path: Path, rows: list[str], name: str = "retail.csv.gz") -> Path:
    path = tmp_path / name
    text = HEADER + "\n".join(rows) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    return path


def test_from_orders_and_events() -> None:
    data = Interactions.from_orders(
        [Order("o1", ["A", "B"], AT, customer="c1", region="UK", segment="vip")],
        [Event(EventKind.VIEW, "C", AT, "s1", customer="c1"), Event(2, "A", AT, "s1")],
    )
    assert data.items == ("A", "B", "C")
    assert data.item.tolist() == [0, 1, 2, 0]
    assert data.basket.tolist() == [0, 0, 1, 1]
    assert data.kind.tolist() == [0, 0, 1, 2]
    assert data.customer.tolist() == [0, 0, 0, -1]
    assert data.region.tolist() == [0, 0, -1, -1]
    assert data.segments == ("vip",)
    assert data.time.tolist() == [int(AT.timestamp())] * 4
    assert [b.tolist() for b in data.baskets()] == [[0, 1], []]
    assert [b.tolist() for b in data.baskets(list(EventKind))] == [[0, 1], [0, 2]]


def test_bad_records_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Interactions.from_orders(["o1"])  # type: ignore[list-item]
    assert caught.value.field == "orders[0]"
    with pytest.raises(ValidationError) as caught:
        Order("o1", ["A"], dt.datetime(2024, 1, 1))
    assert caught.value.field == "at"
    with pytest.raises(ValidationError) as caught:
        Order("o1", ["A", ""], AT)
    assert caught.value.field == "lines[1].sku"
    with pytest.raises(ValueError, match="is not a valid EventKind"):
        Event(99, "A", AT, "s")  # 0 to 7 are kinds


def test_arrays_are_checked() -> None:
    with pytest.raises(ValidationError, match="2 is not an index into 2 names") as caught:
        Interactions(("A", "B"), [0, 2], [0, 0], [0, 0], [0, 0])
    assert caught.value.field == "item"
    with pytest.raises(ValidationError) as caught:
        Interactions(("A",), [0, 0], [0], [0, 0], [0, 0])
    assert caught.value.field == "basket"
    with pytest.raises(ValidationError) as caught:
        Interactions(("A", "A"), [0], [0], [0], [0])
    assert caught.value.field == "items"
    with pytest.raises(ValidationError) as caught:
        Interactions(("A",), [0], [0], [0], [99])  # kinds are 0 to 7
    assert caught.value.field == "kind"


def test_select_renumbers_baskets() -> None:
    data = Interactions.from_orders(
        [Order("1", ["a"], AT), Order("2", ["b"], AT), Order("3", ["a", "c"], AT)]
    )
    picked = data.select(data.item == 0)
    assert picked.basket.tolist() == [0, 1]
    assert picked.items == data.items
    with pytest.raises(ValidationError):
        data.select(np.array([True]))


def test_read_online_retail_drops_and_counts(tmp_path: Path) -> None:
    for name in ("retail.csv.gz", "retail.csv"):
        result = read_online_retail(write(tmp_path, ROWS, name))
        # kept: 536365 (85123A twice: one event; 71053), 536366 (71053), 536370 (71053)
        assert result.dropped == {
            "cancellation": 1,  # C536367
            "non_positive_quantity": 1,  # 536368
            "non_positive_price": 1,  # 536369
            "non_product": 1,  # POST
        }
        data = Interactions.from_tables(result.orders)
        assert data.items == ("85123A", "71053")
        assert data.n_baskets == 3
        assert data.item.tolist() == [0, 1, 1, 1]
        assert data.customers == ("17850", "12583")
        assert data.customer.tolist() == [0, 0, -1, 1]
        assert data.regions == ("United Kingdom", "France")
        assert data.time[0] == int(dt.datetime(2010, 12, 1, 8, 26, tzinfo=dt.UTC).timestamp())
        # 71053 sold at 3.39 twice and 3.25 once
        assert result.prices == {
            "85123A": Money.of("2.55", "GBP"),
            "71053": Money.of("3.39", "GBP"),
        }
        assert result.descriptions["71053"] == "WHITE METAL LANTERN"


def test_read_online_retail_reports_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read") as caught:
        read_online_retail(tmp_path / "missing.csv")
    assert caught.value.field == "path"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(ValidationError) as caught:
        read_online_retail(wrong)
    assert caught.value.field == "header"
    with pytest.raises(ValidationError, match="line 2 has 3 columns") as caught:
        read_online_retail(write(tmp_path, ["1,2,3"], "short.csv"))
    with pytest.raises(ValidationError, match="is not a number"):
        read_online_retail(write(tmp_path, [ROWS[0].replace(",6,", ",six,")], "nan.csv"))


def test_the_real_data_set(online_retail: RetailData) -> None:
    # counts over the 541,909 rows of the shared file (see its README)
    assert online_retail.dropped == {
        "cancellation": 9288,
        "non_positive_quantity": 1336,
        "non_positive_price": 1181,
        "non_product": 2379,
    }
    data = Interactions.from_tables(online_retail.orders)
    assert data.n_baskets == 19773
    assert len(data.items) == 3900
    assert len(data.regions) == 38
    # the interactions every evaluation figure and benchmark fits on, pinned: 517,256 distinct
    # (invoice, stock code) pairs, and sums of their columns as a fingerprint of every value
    assert len(data) == 517_256
    assert int(data.item.sum()) == 692_117_613
    assert int(data.time.sum()) == 677_488_677_328_320
    assert int(data.customer.sum()) == 570_816_403
    assert len(data.customers) == 4334
    # the orders behind them: 527,725 lines of 5,576,996 units; the refunds kept apart
    orders, refunds = online_retail.orders, online_retail.refunds
    assert (len(orders), int(orders.quantity.sum())) == (527_725, 5_576_996)
    assert orders.revenue() == {"GBP": Money.of("10271034.61", "GBP")}
    assert (len(refunds), refunds.n_orders) == (8704, 3422)
    assert refunds.revenue() == {"GBP": Money.of("478724.18", "GBP")}


def test_frequently_bought_together_beats_popularity_on_the_real_data(
    online_retail: RetailData,
) -> None:
    data = Interactions.from_tables(online_retail.orders)
    train, test = time_split(data, dt.datetime(2011, 11, 9, tzinfo=dt.UTC))
    known = {train.items[item] for item in np.unique(train.item).tolist()}
    cases = leave_one_out(test, known=known, seed=1)[:500]
    fbt = evaluate(FrequentlyBoughtTogether().fit(train), cases)
    popular = evaluate(Popular().fit(train), cases)
    # the benchmark's task 1 over all 2,689 cases gives 0.28 and 0.03
    assert fbt.hit_rate > 0.2
    assert popular.hit_rate < 0.1
    assert fbt.coverage > popular.coverage
