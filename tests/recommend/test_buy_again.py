"""Buy again and the weighted histories, worked by hand.

Days are counted from 2024-03-01 00:00 UTC; every order is at noon unless said otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopkit import Customer, Event, EventKind, Order, ValidationError
from shopkit.recommend import (
    BuyAgain,
    Filters,
    Interactions,
    PurchaseHistory,
    Request,
    ViewedItems,
)

START = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


def day(number: float) -> dt.datetime:
    return START + dt.timedelta(days=number)


def orders(customer: str, sku: str, *days: float) -> list[Order]:
    return [Order(f"{customer}-{sku}-{d}", [sku], day(d), customer=customer) for d in days]


def scores(model: BuyAgain | PurchaseHistory, request: Request) -> list[tuple[str, float]]:
    return [(r.sku, r.score) for r in model.recommend(request)]


def test_frequency_and_recency() -> None:
    data = Interactions.from_orders(orders("ann", "tea", 0, 14, 28) + orders("ann", "jam", 28))
    model = BuyAgain(half_life_days=Decimal("14"), cycle_weight=Decimal("0")).fit(data)
    ann = Customer("ann")
    # at the newest purchase (day 28): tea 0.5^(28/14) + 0.5^(14/14) + 1 = 0.25 + 0.5 + 1 = 1.75,
    # jam bought once, today: 1
    assert scores(model, Request(customer=ann)) == [("tea", 1.75), ("jam", 1.0)]
    # two weeks later every weight halves: tea 0.875, jam 0.5
    assert scores(model, Request(customer=ann, at=day(42))) == [("tea", 0.875), ("jam", 0.5)]
    # without a half-life a purchase day counts 1: tea 3, jam 1
    flat = BuyAgain(half_life_days=None, cycle_weight=Decimal("0")).fit(data)
    assert scores(flat, Request(customer=ann)) == [("tea", 3.0), ("jam", 1.0)]


def test_two_orders_on_one_day_are_one_purchase() -> None:
    same_day = [Order("late", ["tea"], day(0) + dt.timedelta(hours=5), customer="ann")]
    data = Interactions.from_orders(orders("ann", "tea", 0, 14) + same_day)
    model = BuyAgain(half_life_days=None, cycle_weight=Decimal("0")).fit(data)
    # days 0 and 14: 2 purchases, not 3; the cycle is (14 - 0) / (2 - 1) = 14 days = 2 weeks
    assert scores(model, Request(customer=Customer("ann"))) == [("tea", 2.0)]
    (got,) = model.recommend(Request(customer=Customer("ann"), at=day(21)))
    assert got.reason == "You buy this about every 2 weeks; last time 7 days ago"


def test_the_repurchase_cycle_ranks_what_is_due() -> None:
    data = Interactions.from_orders(
        orders("ann", "coffee", 0, 30, 60)
        + orders("ann", "filter", 50, 60)
        + orders("bob", "filter", 65)
    )
    model = BuyAgain(half_life_days=None, cycle_weight=Decimal("1"), min_intervals=1).fit(data)
    at = day(70)
    got = model.recommend(Request(customer=Customer("ann"), at=at))
    # coffee: 3 purchases, own cycle (60 - 0) / 2 = 30 days, last 10 days ago: due 10/30,
    # score 3 × 1/3 = 1. filter: 2 purchases, cycle (60 - 50) / 1 = 10 days, last 10 days
    # ago: due min(10/10, 1) = 1, score 2 × 1 = 2. The filter is due; the coffee is not.
    assert [(r.sku, r.score) for r in got] == [("filter", 2.0), ("coffee", pytest.approx(1.0))]
    assert [r.reason for r in got] == [
        "You buy this about every 10 days; last time 10 days ago",
        "You buy this about every 4 weeks; last time 10 days ago",  # 30 days: 4.3 weeks
    ]
    assert [r.because for r in got] == ["filter", "coffee"]
    # bob bought the filter once: the item's learned cycle is the median of the intervals
    # seen, ann's one 10-day interval. Last bought 5 days ago: due 5/10, score 1 × 0.5
    (bobs,) = model.recommend(Request(customer=Customer("bob"), at=at))
    assert (bobs.sku, bobs.score) == ("filter", 0.5)
    assert bobs.reason == "Usually bought again after 10 days; you bought it 5 days ago"
    # with min_intervals 2 one interval is too few: the cycle is unknown, due counts 1
    unsure = BuyAgain(half_life_days=None, cycle_weight=Decimal("1"), min_intervals=2).fit(data)
    (bobs,) = unsure.recommend(Request(customer=Customer("bob"), at=at))
    assert (bobs.score, bobs.reason) == (1.0, "You bought this 5 days ago")


def test_guests_passed_history_and_batches() -> None:
    data = Interactions.from_orders(orders("ann", "tea", 0, 7) + orders("bob", "jam", 3))
    model = BuyAgain(half_life_days=None, cycle_weight=Decimal("0")).fit(data)
    assert model.recommend(Request()) == []
    assert model.recommend(Request(customer=Customer("nobody"))) == []
    # jam passed in the request's history, unknown for ann: bought once, when unknown, scores 1
    got = model.recommend(Request(customer=Customer("ann"), history=["jam"]))
    assert [(r.sku, r.score, r.reason) for r in got] == [
        ("tea", 2.0, "You buy this about every 7 days; last time today"),
        ("jam", 1.0, "You bought this before"),
    ]
    asks = [
        Request(customer=Customer("ann"), history=["jam"]),
        Request(),
        Request(customer=Customer("bob"), filters=Filters(exclude_bought=True)),
        Request(customer=Customer("bob"), k=1),
    ]
    assert model.recommend_batch(asks) == [["tea", "jam"], [], [], ["jam"]]


def test_buy_again_refuses_bad_parameters() -> None:
    with pytest.raises(ValidationError) as caught:
        BuyAgain(cycle_weight=Decimal("1.5"))
    assert caught.value.field == "cycle_weight"
    with pytest.raises(ValidationError) as caught:
        BuyAgain(half_life_days=Decimal("0"))
    assert caught.value.field == "half_life_days"
    with pytest.raises(ValidationError) as caught:
        BuyAgain(min_intervals=0)
    assert caught.value.field == "min_intervals"


def history_data() -> Interactions:
    # ann: A once, B on three days; carl: A and C; dora: B and D
    return Interactions.from_orders(
        orders("ann", "A", 0)
        + orders("carl", "A", 1)
        + orders("carl", "C", 1)
        + orders("ann", "B", 2, 3, 4)
        + orders("dora", "B", 5)
        + orders("dora", "D", 5)
    )


def test_purchase_history_weighs_items_by_how_often() -> None:
    model = PurchaseHistory(
        measure="count", basket_weight="none", half_life_days=None, self_weight=Decimal("0")
    ).fit(history_data())
    # by customer: ann {A, B}, carl {A, C}, dora {B, D}: pairs A-B 1, A-C 1, B-D 1.
    # ann's anchors: A weight 1 (one day), B weight 3 (three days). D = 3 × 1 (from B),
    # C = 1 × 1 (from A). As a set both would score 1 and C (first seen) would lead.
    fresh = Request(customer=Customer("ann"), filters=Filters(exclude_bought=True))
    got = model.recommend(fresh)
    assert [(r.sku, r.score) for r in got] == [("D", 3.0), ("C", 1.0)]
    assert [r.reason for r in got] == ["Because you bought B", "Because you bought A"]


def test_purchase_history_keeps_an_items_link_to_itself() -> None:
    model = PurchaseHistory(
        measure="count", basket_weight="none", half_life_days=None, self_weight=Decimal("1")
    ).fit(history_data())
    # the link (a, a) counts c_a customers: c_A = 2 (ann, carl), c_B = 2 (ann, dora).
    # B: self 3 × 2 + from A 1 × 1 = 7; A: self 1 × 2 + from B 3 × 1 = 5; D 3; C 1
    got = model.recommend(Request(customer=Customer("ann")))
    assert [(r.sku, r.score) for r in got] == [("B", 7.0), ("A", 5.0), ("D", 3.0), ("C", 1.0)]
    assert got[0].reason == "You bought this before"


def test_purchase_history_weighs_recent_purchases_more() -> None:
    model = PurchaseHistory(
        measure="count", basket_weight="none", half_life_days=Decimal("1"), self_weight=Decimal("0")
    ).fit(history_data())
    # the newest purchase is dora's on day 5. ann's A (day 0) weighs 0.5^5 = 1/32; B (days 2,
    # 3, 4) 0.5^3 + 0.5^2 + 0.5 = 0.875. D = 0.875 × 1, C = 1/32 × 1
    fresh = Request(customer=Customer("ann"), filters=Filters(exclude_bought=True))
    assert scores(model, fresh) == [("D", 0.875), ("C", 1 / 32)]


def test_viewed_items_weighs_recent_views_more() -> None:
    at = day(0)
    events = [
        Event(EventKind.VIEW, "x", at, "s1"),
        Event(EventKind.VIEW, "p", at, "s1"),
        Event(EventKind.VIEW, "y", at, "s2"),
        Event(EventKind.VIEW, "q", at, "s2"),
        # feedback events are not views: they pair nothing
        Event(EventKind.RECOMMENDATION_SHOWN, "x", at, "s3"),
        Event(EventKind.RECOMMENDATION_SHOWN, "q", at, "s3"),
    ]
    model = ViewedItems(measure="count", basket_weight="none").fit(
        Interactions.from_orders([], events)
    )
    # viewed y (position 0, weight 1) then x (position 1, weight 0.8): q 1 × 1, p 0.8 × 1
    request = Request(viewed=["y", "x"], filters=Filters(exclude_viewed=True))
    assert [(r.sku, r.score) for r in model.recommend(request)] == [
        ("q", 1.0),
        ("p", pytest.approx(0.8)),
    ]
    with pytest.raises(ValidationError) as caught:
        ViewedItems(recency=Decimal("0"))
    assert caught.value.field == "recency"
