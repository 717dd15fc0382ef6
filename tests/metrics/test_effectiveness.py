"""Cross-sell, recommendation and promotion effectiveness, and funnel audiences, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from shopkit import Event, EventTable, Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.metrics import (
    AttachRate,
    Audience,
    FunnelAudiences,
    IncrementalRevenue,
    PromotionCost,
    RecommendationAddToCartRate,
    RecommendationFeedback,
    RecommendedRevenue,
    ShopData,
    Window,
    aov_dynamics,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def line(sku: str, price: str, discount: str = "0") -> OrderLine:
    return OrderLine(sku, 1, gbp(price), discount=gbp(discount))


# MUG orders: o1 (day 1, +TEA), o2 (day 2, +SPOON), o3 (day 12, +TEA), o4 (day 13, alone);
# o5 TEA alone (day 3)
ORDERS = OrderTable.of(
    [
        Order("o1", [line("MUG", "10"), line("TEA", "4", "1")], day(1), customer="c1"),
        Order("o2", [line("MUG", "10"), line("SPOON", "2")], day(2), customer="c2"),
        Order("o3", [line("MUG", "10", "2"), line("TEA", "4")], day(12), customer="c3"),
        Order("o4", [line("MUG", "10")], day(13), customer="c1"),
        Order("o5", [line("TEA", "4")], day(3), customer="c4"),
    ]
)
MATRIX = {"MUG": ["TEA", "SPOON"], "TEA": ["CAKE"]}


def test_attach_rates_with_and_without_a_promotion() -> None:
    promoted = {("MUG", "TEA"): [Window(day(0), day(10))]}
    table = AttachRate(MATRIX, promoted=promoted).compute(ORDERS)
    rows = {row["pair"]: row for row in table.records()}
    # orders with a main (MUG or TEA): o1..o5 = 5; with one of its add-ons: o1, o2, o3 = 3
    assert rows["all"]["rate"] == 3 / 5
    # MUG → TEA: 2 of 4 MUG orders; in the promotion (days 0–10): o1, o2 → o1 attached: 1/2;
    # outside: o3, o4 → o3 attached: 1/2 — it sells as well without the promotion
    assert rows["MUG → TEA"]["rate"] == 0.5
    assert rows["MUG → TEA"]["rate with promotion"] == 0.5
    assert rows["MUG → TEA"]["rate without"] == 0.5
    assert rows["MUG → SPOON"]["rate"] == 0.25
    assert rows["MUG → SPOON"]["rate with promotion"] is None  # no promotion on the pair
    assert rows["TEA → CAKE"]["orders"] == 3  # o1, o3, o5; CAKE never sold
    assert rows["TEA → CAKE"]["rate"] == 0.0


EVENTS = EventTable.of(
    [
        # c1 viewed MUG, was shown TEA in the cart and clicked it, added TEA to the cart
        Event("view", "MUG", day(0.5), "s1", customer="c1"),
        Event("recommendation_shown", "TEA", day(0.5), "s1", customer="c1", placement="cart"),
        Event("recommendation_clicked", "TEA", day(0.5), "s1", customer="c1", placement="cart"),
        Event("add_to_cart", "TEA", day(0.5), "s1", customer="c1"),
        # c2 viewed MUG, was shown TEA and dismissed it; shown SPOON, not clicked
        Event("view", "MUG", day(1.5), "s2", customer="c2"),
        Event("recommendation_shown", "TEA", day(1.5), "s2", customer="c2", placement="cart"),
        Event("recommendation_dismissed", "TEA", day(1.5), "s2", customer="c2", placement="cart"),
        Event("recommendation_shown", "SPOON", day(1.5), "s2", customer="c2", placement="cart"),
        # c3 clicked TEA on day 0, bought it on day 12: outside a 7-day attribution
        Event("recommendation_clicked", "TEA", day(0), "s3", customer="c3", placement="cart"),
    ]
)


def test_recommended_revenue_and_add_to_cart_rate() -> None:
    data = ShopData(orders=ORDERS, events=EVENTS)
    # o1's TEA (c1 clicked it 0.5 days before): 4.00 − 1.00 = 3.00; o3's TEA is 12 days late
    assert RecommendedRevenue().compute(data) == {"GBP": gbp("3")}
    # with 14 days, o3's TEA (4.00) counts too
    assert RecommendedRevenue(attribution_days=14).compute(data) == {"GBP": gbp("7")}
    # impressions shown: (s1, TEA), (s2, TEA), (s2, SPOON); carted in the session: s1's TEA
    assert RecommendationAddToCartRate().compute(EVENTS) == pytest.approx(1 / 3)


def test_recommendation_feedback_finds_weak_pairs() -> None:
    table = RecommendationFeedback(MATRIX, min_shown=1, weak_below="0.6").compute(EVENTS)
    rows = {row["pair"]: row for row in table.records()}
    # MUG → TEA: shown in s1 and s2 (both viewed MUG), clicked in s1, dismissed in s2
    assert rows["MUG → TEA"] == {
        "pair": "MUG → TEA",
        "shown": 2,
        "clicked": 1,
        "dismissed": 1,
        "acceptance": 0.5,
        "dismissal": 0.5,
        "weak": "weak",  # 0.5 < 0.6
    }
    assert rows["MUG → SPOON"]["acceptance"] == 0.0
    assert rows["TEA → CAKE"]["weak"] == "never shown"


def test_promotion_cost_and_margin_given_away() -> None:
    costs = {"MUG": gbp("6"), "TEA": gbp("1.50")}
    result = PromotionCost(costs).compute(ORDERS)
    # discounted lines: o1 TEA (−1.00), o3 MUG (−2.00) → 3.00
    assert result.discount == {"GBP": gbp("3")}
    # margins before: TEA 4 − 1.50 = 2.50, MUG 10 − 6 = 4.00 → 6.50; after: 3.50
    assert result.margin_before == {"GBP": gbp("6.50")}
    assert result.margin_after == {"GBP": gbp("3.50")}
    assert result.given_away == {"GBP": pytest.approx(3 / 6.5)}
    with pytest.raises(ValidationError, match="costs"):
        PromotionCost({"MUG": "6"})  # type: ignore[dict-item]


def test_incremental_revenue_against_a_control() -> None:
    # treated c1 (o1 13.00, o4 10.00) and c3 (o3 12.00) → 35.00 for 2; control c2 (12.00)
    # and c4 (4.00) → 16.00 for 2 → expected 16.00; incremental 35 − 16 = 19.00
    assignment = {"c1": "treatment", "c3": "treatment", "c2": "control", "c4": "control"}
    assert IncrementalRevenue(assignment).compute(ORDERS) == {"GBP": gbp("19")}
    # an extra control customer who bought nothing: 16.00 / 3 × 2 = 10.666… → 10.67, so
    # 35.00 − 10.67 = 24.33
    assignment["c9"] = "control"
    assert IncrementalRevenue(assignment).compute(ORDERS) == {"GBP": gbp("24.33")}
    with pytest.raises(ValidationError, match="holdout"):
        IncrementalRevenue({"c1": "holdout"})


def test_aov_dynamics() -> None:
    table = aov_dynamics(ORDERS, "week")
    # W01 (days 0–6): o1 13, o2 12, o5 4 → 29 / 3 = 9.666… → 9.67; W02 (days 7–13): o3 12,
    # o4 10 → 11.00; change (1100 − 967) / 967
    first, second = table.rows
    assert first == ("2024-W01", gbp("9.67"), None)
    assert second[:2] == ("2024-W02", gbp("11"))
    assert second[2] == pytest.approx((1100 - 967) / 967)


AUDIENCE_EVENTS = EventTable.of(
    [
        Event("view", "MUG", day(9), "a1", customer="viewer"),
        Event("view", "MUG", day(9), "b1", customer="carter"),
        Event("add_to_cart", "MUG", day(9), "b1", customer="carter"),
        Event("checkout_started", "MUG", day(9.5), "c1", customer="leaver"),
        Event("checkout_started", "MUG", day(9.5), "d1", customer="buyer"),
        Event("purchase", "MUG", day(9.6), "d1", customer="buyer"),
        Event("view", "TEA", day(1), "e1", customer="old"),  # 9 days before day 10
        Event("add_to_cart", "TEA", day(9), "g1"),  # a guest
    ]
)


def test_funnel_audiences() -> None:
    audiences = [
        Audience("browsers", "viewed", 7),
        Audience("carts", "added_to_cart", 7),
        Audience("checkouts", "abandoned_checkout", 3),
    ]
    now = Window(day(0), day(10))
    segments = FunnelAudiences(audiences).compute(AUDIENCE_EVENTS, now)
    # viewer viewed without carting; carter carted MUG (so not a browser of MUG); leaver left
    # the checkout; buyer bought; old viewed too long ago; the guest has no id
    assert segments == {
        "carter": frozenset({"carts"}),
        "leaver": frozenset({"checkouts"}),
        "viewer": frozenset({"browsers"}),
    }


def test_frequency_cap_and_cooldown() -> None:
    now = Window(day(0), day(10))
    capped = Audience("browsers", "viewed", 7, frequency_cap=2, cap_days=30)
    cooled = Audience("carts", "added_to_cart", 7, cooldown_days=3)
    history = {
        "viewer": {"browsers": [day(2), day(5)]},  # twice in 30 days: capped
        "carter": {"carts": [day(8)]},  # two days ago: cooling down
    }
    segments = FunnelAudiences([capped, cooled], history=history).compute(AUDIENCE_EVENTS, now)
    assert segments == {}
    # targeted once only, and five days ago: both allowed again
    history = {"viewer": {"browsers": [day(5)]}, "carter": {"carts": [day(5)]}}
    segments = FunnelAudiences([capped, cooled], history=history).compute(AUDIENCE_EVENTS, now)
    assert segments == {"carter": frozenset({"carts"}), "viewer": frozenset({"browsers"})}


def test_bad_audiences_are_errors() -> None:
    with pytest.raises(ValidationError, match="kind"):
        Audience("x", "bought", 7)
    with pytest.raises(ValidationError, match="twice"):
        FunnelAudiences([Audience("x", "viewed"), Audience("x", "added_to_cart")])
    with pytest.raises(ValidationError, match="within_days"):
        Audience("x", "viewed", 0)
