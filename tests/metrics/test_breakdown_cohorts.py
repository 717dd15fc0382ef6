"""Breakdowns by dimension and period, the KPI table, and cohort tables, by hand."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from shopkit import Event, EventTable, Money, Order, OrderLine, OrderTable, ValidationError, to_json
from shopkit.metrics import (
    AverageOrderValue,
    CohortRetention,
    ConversionRate,
    CustomerAcquisitionCost,
    GrossMerchandiseValue,
    KpiTable,
    OrderCount,
    ShopData,
    Spend,
    Window,
    breakdown,
    periods,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


# o1 web/UK 1 Jan c1: MUG 10.00 + TEA 4.00; o2 app/UK 15 Jan c2: TEA 6.00;
# o3 web/FR 3 Feb c1: MUG 8.00; o4 (no channel) 4 Feb guest: TEA 2.00
ORDERS = OrderTable.of(
    [
        Order("o1", [OrderLine("MUG", 1, gbp("10")), OrderLine("TEA", 1, gbp("4"))], day(0),
              customer="c1", channel="web", region="UK"),
        Order("o2", [OrderLine("TEA", 1, gbp("6"))], day(14), customer="c2", channel="app",
              region="UK"),
        Order("o3", [OrderLine("MUG", 1, gbp("8"))], day(33), customer="c1", channel="web",
              region="FR"),
        Order("o4", [OrderLine("TEA", 1, gbp("2"))], day(34)),
    ]
)  # fmt: skip


def test_by_channel_each_group_on_its_own_rows() -> None:
    table = breakdown([OrderCount(), AverageOrderValue()], ORDERS, "channel")
    # (none): o4 2.00; app: o2 6.00; web: o1 14.00 + o3 8.00 = 22.00 / 2 = 11.00
    assert table.columns == ("channel", "orders", "aov (GBP)")
    assert table.rows == (
        ("(none)", 1, gbp("2")),
        ("app", 1, gbp("6")),
        ("web", 2, gbp("11")),
    )


def test_by_category_counts_the_lines_of_the_category() -> None:
    categories = {"MUG": "kitchen", "TEA": "food"}
    table = breakdown([GrossMerchandiseValue(), OrderCount()], ORDERS, "category",
                      categories=categories)  # fmt: skip
    # food: TEA lines 4 + 6 + 2 = 12.00 in 3 orders; kitchen: MUG 10 + 8 = 18.00 in 2 orders
    assert table.rows == (("food", gbp("12"), 3), ("kitchen", gbp("18"), 2))


def test_by_month_and_region() -> None:
    by_month = breakdown([GrossMerchandiseValue()], ORDERS, "month")
    # January: 14 + 6 = 20.00; February: 8 + 2 = 10.00
    assert by_month.rows == (("2024-01", gbp("20")), ("2024-02", gbp("10")))
    by_region = breakdown([OrderCount()], ORDERS, "region")
    assert by_region.rows == (("(none)", 1), ("FR", 1), ("UK", 2))


def test_weeks_are_iso_weeks_from_monday() -> None:
    # 1 Jan 2024 is a Monday: days 0–6 are 2024-W01; the window [day 5, day 9) meets W01, W02
    labels = [label for label, _ in periods(Window(day(5), day(9)), "week")]
    assert labels == ["2024-W01", "2024-W02"]
    assert periods(Window(day(5), day(9)), "week")[1][1] == Window(day(7), day(14))


def test_a_spend_breakdown_by_channel_splits_the_spend() -> None:
    spend = Spend.of([(day(0), gbp("30"), "web"), (day(0), gbp("12"), "app")])
    data = ShopData(orders=ORDERS, spend=spend)
    table = breakdown([CustomerAcquisitionCost()], data, "channel", window=Window(day(0), day(30)))
    # web: c1 acquired on day 0 → 30.00; app: c2 on day 14 → 12.00; (none): no spend
    assert table.records() == [
        {"channel": "(none)", "cac (GBP)": None},
        {"channel": "app", "cac (GBP)": gbp("12")},
        {"channel": "web", "cac (GBP)": gbp("30")},
    ]


def test_event_kpis_break_down_by_channel_too() -> None:
    events = EventTable.of(
        [
            Event("view", "MUG", day(0), "s1", channel="web"),
            Event("purchase", "MUG", day(0), "s1", channel="web"),
            Event("view", "MUG", day(0), "s2", channel="web"),
            Event("view", "TEA", day(0), "s3", channel="app"),
        ]
    )
    table = breakdown([ConversionRate()], events, "channel")
    assert table.rows == (("app", 0.0), ("web", 0.5))  # web: 1 of 2 sessions bought


def test_table_prints_and_writes_json() -> None:
    table = breakdown([OrderCount(), AverageOrderValue()], ORDERS, "channel")
    assert str(table).splitlines()[0].split() == ["channel", "orders", "aov", "(GBP)"]
    data = json.loads(to_json(table))
    assert data["rows"][2] == ["web", 2, {"amount": "11.00", "currency": "GBP"}]
    with pytest.raises(ValidationError, match="has 1 cells, not 2"):
        KpiTable(["a", "b"], [["x"]])
    with pytest.raises(ValidationError, match="is not a column"):
        table.column("gmv")


def test_a_bad_dimension_is_an_error_listing_the_choices() -> None:
    with pytest.raises(ValidationError, match="'colour' is not a dimension or period"):
        breakdown([OrderCount()], ORDERS, "colour")


def test_cohort_table_by_month() -> None:
    # c1 first ordered in January, again in February; c2 in January only; the guest is in
    # no cohort. January cohort: 2 customers, +1: c1 → 0.5; data ends in February, so the
    # January cohort is seen at +0 and +1 only.
    cohorts = CohortRetention().compute(ORDERS)
    assert cohorts.cohorts == ("2024-01",)
    assert cohorts.sizes == (2,)
    assert cohorts.shares.tolist() == [[1.0, 0.5]]
    # a later order of a new customer d in March: a March cohort, whose +1 (April) and the
    # January cohort's +3 are not observed: missing (NaN / None), not 0
    march = Order("o5", [OrderLine("TEA", 1, gbp("1"))], day(61), customer="d")
    later = OrderTable.concat([ORDERS, OrderTable.of([march])])
    cohorts = CohortRetention().compute(later)
    assert cohorts.cohorts == ("2024-01", "2024-03")
    assert cohorts.sizes == (2, 1)
    assert np.isnan(cohorts.shares[1, 1])
    assert cohorts.table().rows == (
        ("2024-01", 2, 1.0, 0.5, 0.0),
        ("2024-03", 1, 1.0, None, None),
    )


def test_cohorts_of_a_window_start_in_it() -> None:
    later = Window(day(31), day(60))  # February: nobody's first order → no cohort
    assert CohortRetention().compute(ORDERS, later).cohorts == ()
    assert CohortRetention(period="week").compute(ORDERS).cohorts == ("2024-W01", "2024-W03")
