"""Retention, churn (by inactivity and from a model), CAC, ROI, LTV:CAC and payback, by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from shopkit import Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.metrics import (
    Churn,
    CustomerAcquisitionCost,
    LtvToCac,
    PaybackPeriod,
    PredictedChurn,
    Retention,
    ReturnOnInvestment,
    ShopData,
    Spend,
    Window,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def order(name: str, customer: str, when: int, amount: str = "10") -> Order:
    return Order(name, [OrderLine("MUG", 1, Money.of(amount, "GBP"))], day(when), customer=customer)


# With a 30-day inactivity window and the period [day 30, day 60):
# a: orders day 5 and day 40 → active at 30 (5 ∈ [0, 30)) and at 60 (40 ∈ [30, 60)): kept
# b: order day 20 only → active at 30, not at 60: churned
# c: orders day 25 and day 58 → kept
# d: first order day 45 → new (first order in the period), active at 60
# e: orders day 2 (in [0, 30): active at 30) and day 50 (active at 60): kept
# f: order day 1 (active at 30), nothing after: churned
# g: order day −20 (not in [0, 30): not active at 30), back on day 55 (active at 60):
#    reactivated — in E, not in S, and not a first-time buyer of the period
TABLE = OrderTable.of(
    [
        order("o1", "a", 5),
        order("o2", "a", 40),
        order("o3", "b", 20),
        order("o4", "c", 25),
        order("o5", "c", 58),
        order("o6", "d", 45),
        order("o7", "e", 2),
        order("o8", "e", 50),
        order("o9", "f", 1),
        order("o10", "g", -20),
        order("o11", "g", 55),
    ]
)
PERIOD = Window(day(30), day(60))


def test_retention_and_churn_by_inactivity() -> None:
    # S = active at day 30 = {a, b, c, e, f} (5); E = active at day 60 = {a, c, d, e, g} (5)
    # N gained = E − S = {d, g} → E − N = 3 kept (a, c, e) → 3 / 5 = 0.6; churn {b, f} = 0.4
    assert Retention(inactive_after_days=30).compute(TABLE, PERIOD) == 0.6
    assert Churn(inactive_after_days=30).compute(TABLE, PERIOD) == 0.4


def test_retention_with_first_time_buyers_as_n_counts_the_reactivated() -> None:
    # N = first orders in the period = {d}; E − N = {a, c, e, g} = 4 → 4 / 5 = 0.8 (g, who
    # lapsed before the period and came back, counts as kept): 0.8 + churn 0.4 ≠ 1
    assert Retention(inactive_after_days=30, newcomers="first_order").compute(TABLE, PERIOD) == 0.8


def test_without_a_window_the_last_inactivity_window_is_taken() -> None:
    # data from day −20 to day 58 → window [day 58 − 30 d + 1 s, day 58 + 1 s); the same as
    # asking for that window
    last = int(day(58).timestamp()) + 1
    window = Window(last - 30 * 86_400, last)
    assert Retention(inactive_after_days=30).compute(TABLE) == Retention(
        inactive_after_days=30
    ).compute(TABLE, window)


class HalfAliveAfterAMonth:
    """A stand-in purchase model: alive with probability 1 if the last order is recent."""

    def probability_alive(self, frequency, recency, age):
        return np.where(age - recency <= 30, 1.0, 0.5)


def test_predicted_churn_reads_a_models_probability_alive() -> None:
    # at day 60, days since the last order: a 20, b 40, c 2, d 15, e 10, f 59, g 5
    # → alive 1, 0.5, 1, 1, 1, 0.5, 1: mean 6 / 7; churn 1 / 7
    churn = PredictedChurn(HalfAliveAfterAMonth()).compute(TABLE, PERIOD)
    assert churn == pytest.approx(1 / 7)


SPEND = Spend.of([(day(30), Money.of("60", "GBP"), "web"), (day(10), Money.of("99", "GBP"), None)])


def test_cac_roi_ltv_to_cac_and_payback() -> None:
    data = ShopData(orders=TABLE, spend=SPEND)
    # acquired in [30, 60): d only (g's first order is day −20); spend in the period 60.00
    # → CAC 60.00 / 1
    assert CustomerAcquisitionCost().compute(data, PERIOD) == {"GBP": Money.of("60", "GBP")}
    # revenue in the period: o2, o5, o6, o8, o11 = 5 × 10 = 50.00 → (50 − 60) / 60 = −1/6
    roi = ReturnOnInvestment().compute(data, PERIOD)
    assert roi == {"GBP": pytest.approx(-1 / 6)}
    # historic LTV of d: 10.00 → 10 / 60 = 1/6; with a predicted LTV of 240.00: 4.0
    assert LtvToCac().compute(data, PERIOD) == {"GBP": pytest.approx(1 / 6)}
    assert LtvToCac(ltv=Money.of("240", "GBP")).compute(data, PERIOD) == {"GBP": 4.0}
    # d's revenue 10.00 never covers 60.00: not paid back
    assert PaybackPeriod().compute(data, PERIOD) == {"GBP": None}


def test_payback_counts_days_after_acquisition_with_a_margin() -> None:
    # x buys 30.00 on day 0 and 30.00 on day 12; spend 40.00 on day 0
    table = OrderTable.of([order("p1", "x", 0, "30"), order("p2", "x", 12, "30")])
    spend = Spend.of([(day(0), Money.of("40", "GBP"), None)])
    data = ShopData(orders=table, spend=spend)
    window = Window(day(0), day(1))
    # revenue: 30 by day 0 (< 40), 60 by day 12 (≥ 40) → 12 days
    assert PaybackPeriod().compute(data, window) == {"GBP": 12}
    # at a 50 % margin: 15 then 30, never 40 → not yet
    assert PaybackPeriod(margin=Decimal("0.5")).compute(data, window) == {"GBP": None}
    # at 70 %: 21 then 42 ≥ 40 → 12 days
    assert PaybackPeriod(margin="0.7").compute(data, window) == {"GBP": 12}
    with pytest.raises(ValidationError, match="margin"):
        PaybackPeriod(margin="1.5")


def test_no_acquisition_leaves_cac_undefined() -> None:
    data = ShopData(orders=TABLE, spend=SPEND)
    # [day 10, day 11): spend 99.00 (no channel), nobody's first order → CAC not defined
    assert CustomerAcquisitionCost().compute(data, Window(day(10), day(11))) == {"GBP": None}
    with pytest.raises(ValidationError, match="inactive_after_days"):
        Churn(inactive_after_days=0)


def test_predicted_churn_from_the_clv_model_of_shopkit_metrics() -> None:
    # BG/NBD fitted (in days) on the shipped Online Retail repeat summary; the hook reads its
    # probability_alive over the same customer history the KPI builds
    from shopkit.metrics import BgNbd, sample_repeat_summary
    from shopkit.metrics._kpis_retention import customer_history
    from shopkit.metrics._summaries import OrderSummary

    model = BgNbd.fit_summary(sample_repeat_summary())
    churn = PredictedChurn(model).compute(TABLE, PERIOD)
    frequency, recency, age = customer_history(OrderSummary.of(TABLE), PERIOD.end)
    assert churn == pytest.approx(1 - model.probability_alive(frequency, recency, age).mean())
    assert 0.0 <= churn <= 1.0
