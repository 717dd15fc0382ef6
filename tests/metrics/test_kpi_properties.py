"""Invariants of every KPI: rates in [0, 1], retention + churn = 1, the same result whatever the
chunking, the grouping of merges and the order of rows."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Money
from shopkit.metrics import (
    AttachRate,
    AverageOrderValue,
    BounceRate,
    Breakdown,
    CartAbandonment,
    Churn,
    ClickThroughRate,
    CohortRetention,
    ConversionRate,
    CustomerAcquisitionCost,
    CustomerCount,
    CustomerEffortScore,
    CustomerSatisfaction,
    DeliveryTime,
    FirstContactResolution,
    Funnel,
    GrossMerchandiseValue,
    IncrementalRevenue,
    LtvToCac,
    NetPromoterScore,
    OnTimeDelivery,
    OrderCount,
    PagesPerSession,
    PaybackPeriod,
    PromotionCost,
    RecommendationAddToCartRate,
    RecommendationFeedback,
    RecommendedRevenue,
    RefundRate,
    RepeatPurchaseRate,
    Retention,
    ReturnOnInvestment,
    Revenue,
    RevenuePerVisitor,
    SessionDuration,
    ShopData,
    Window,
)
from tests.metrics.kpi_strategies import T0, chunked, chunked_all, service_data, shop_data, shuffled

RATES = [
    ConversionRate(),
    ConversionRate(per="user"),
    BounceRate(),
    BounceRate(definition="single_page"),
    CartAbandonment(),
    CartAbandonment(stage="checkout"),
    ClickThroughRate(),
    RecommendationAddToCartRate(),
    RepeatPurchaseRate(),
    Retention(inactive_after_days=30),
    Churn(inactive_after_days=30),
]
ALL = [
    *RATES,
    GrossMerchandiseValue(),
    Revenue(),
    Revenue(less_refunds=True),
    AverageOrderValue(),
    AverageOrderValue(per="customer"),
    RevenuePerVisitor(),
    RefundRate(),
    RefundRate(by="refund_date"),
    PagesPerSession(),
    SessionDuration(),
    Funnel(),
    OrderCount(),
    CustomerCount(),
    AttachRate({"A": ["B", "C"], "B": ["D"]}),
    RecommendationFeedback({"A": ["B"], "C": ["D"]}, min_shown=1),
    RecommendedRevenue(attribution_days=30),
]
WINDOW = Window(T0 + dt.timedelta(days=30), T0 + dt.timedelta(days=90))


def _value(kpi, partial, window):
    value = partial.result(window)
    return value.table() if kpi is CohortRetention else value


@settings(max_examples=25, deadline=None)
@given(shop_data())
def test_rates_are_between_0_and_1(data: ShopData) -> None:
    for kpi in RATES:
        for window in (None, WINDOW):
            value = kpi.compute(data, window)
            assert value is None or 0.0 <= value <= 1.0, kpi
    for by_order in RefundRate().compute(data).values():
        assert by_order is None or 0.0 <= by_order <= 1.0
    funnel = Funnel().compute(data)
    assert all(v is None or 0.0 <= v <= 1.0 for v in funnel.conversion)
    assert list(funnel.sessions) == sorted(funnel.sessions, reverse=True)


@settings(max_examples=25, deadline=None)
@given(shop_data(), st.integers(1, 120))
def test_retention_and_churn_add_up_to_1(data: ShopData, days: int) -> None:
    for window in (None, WINDOW):
        retention = Retention(inactive_after_days=days).compute(data, window)
        churn = Churn(inactive_after_days=days).compute(data, window)
        assert (retention is None) == (churn is None)
        if retention is not None:
            assert abs(retention + churn - 1.0) < 1e-12


@settings(max_examples=15, deadline=None)
@given(shop_data(), st.lists(st.integers(0, 100), max_size=4), st.integers(0, 2**32 - 1))
def test_every_kpi_is_the_same_whatever_the_chunking_grouping_and_row_order(
    data: ShopData, cuts: list[int], seed: int
) -> None:
    chunks = chunked(data, cuts)
    for kpi in ALL:
        whole = kpi.compute(data, WINDOW)
        parts = [kpi.partial(chunk) for chunk in chunks]
        at_once = kpi.merge(parts)
        # merged pairwise from the right, another grouping of the same partials
        nested = parts[-1]
        for part in reversed(parts[:-1]):
            nested = kpi.merge([part, nested])
        assert at_once.result(WINDOW) == whole, kpi
        assert nested.result(WINDOW) == whole, kpi
        assert kpi.compute(shuffled(data, seed), WINDOW) == whole, kpi
    cohorts = CohortRetention(period="week")
    expected = cohorts.compute(data).table()
    assert cohorts.merge([cohorts.partial(c) for c in chunks]).result().table() == expected


@settings(max_examples=15, deadline=None)
@given(shop_data(), st.lists(st.integers(0, 100), max_size=3))
def test_breakdowns_merge_exactly(data: ShopData, cuts: list[int]) -> None:
    for by in ("channel", "month", "week"):
        breakdown = Breakdown([AverageOrderValue(), ConversionRate(), RefundRate()], by)
        whole = breakdown.compute(data)
        merged = breakdown.merge([breakdown.partial(chunk) for chunk in chunked(data, cuts)])
        assert merged.result() == whole


@settings(max_examples=25, deadline=None)
@given(shop_data(), st.sampled_from(["day", "week", "month"]))
def test_cohort_sizes_sum_to_the_customer_count(data: ShopData, period: str) -> None:
    cohorts = CohortRetention(period=period).compute(data)
    assert sum(cohorts.sizes) == CustomerCount().compute(data)
    table = cohorts.table()
    for row in table.rows:
        assert row[2] == 1.0  # offset 0: every customer of a cohort ordered in its period
        observed = [cell for cell in row[2:] if cell is not None]
        assert all(0.0 <= cell <= 1.0 for cell in observed)
        # missing cells are at the end of a row (the periods not yet seen), never in between
        cells = list(row[2:])
        while cells and cells[-1] is None:
            cells.pop()
        assert None not in cells


SERVICE = [
    CustomerSatisfaction(),
    FirstContactResolution(),
    OnTimeDelivery(),
]
OTHERS = [
    NetPromoterScore(),
    CustomerEffortScore(),
    DeliveryTime(),
    CustomerAcquisitionCost(),
    ReturnOnInvestment(),
    LtvToCac(),
    PaybackPeriod(),
    PromotionCost({"A": Money(10, "GBP"), "B": Money(0, "GBP")}),
    IncrementalRevenue({"c1": "treatment", "c2": "control", "c3": "control"}),
]


@settings(max_examples=25, deadline=None)
@given(service_data(), st.lists(st.integers(0, 100), max_size=3))
def test_service_and_marketing_kpis_are_bounded_and_merge_exactly(
    data: ShopData, cuts: list[int]
) -> None:
    for kpi in SERVICE:
        value = kpi.compute(data)
        assert value is None or 0.0 <= value <= 1.0, kpi
    nps = NetPromoterScore().compute(data)
    assert nps is None or -1.0 <= nps <= 1.0
    ces = CustomerEffortScore().compute(data)
    assert ces is None or 1.0 <= ces <= 7.0
    chunks = chunked_all(data, cuts)
    for kpi in [*SERVICE, *OTHERS]:
        whole = kpi.compute(data, WINDOW)
        assert kpi.merge([kpi.partial(chunk) for chunk in chunks]).result(WINDOW) == whole, kpi
