"""The feedback loop worked by hand, and its one promise as a property.

Popularity over six orders gives tea 6, mug 4, jam 2 (orders of tea mug jam / tea mug / tea,
twice); every test wraps it, so a score is a count times the feedback factors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Customer, Event, EventKind, Order, ValidationError
from shopkit.recommend import Feedback, Interactions, Popular, Request

START = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
ANN = Customer("ann")
SKUS = ("tea", "mug", "jam")


def day(number: float) -> dt.datetime:
    return START + dt.timedelta(days=number)


ORDERS = [Order(f"o{n}", list(SKUS[: 3 - n % 3]), START) for n in range(6)]


def event(kind: EventKind, sku: str, at: float, customer: str = "ann") -> Event:
    return Event(kind, sku, day(at), f"s-{sku}-{at}", customer=customer)


def fitted(events: list[Event], **parameters: object) -> Feedback:
    model = Feedback(strategy=Popular(), **parameters)  # type: ignore[arg-type]
    return model.fit(Interactions.from_orders(ORDERS, events))


def listed(model: Feedback, request: Request) -> list[tuple[str, float]]:
    return [(r.sku, r.score) for r in model.recommend(request)]


def test_a_dismissed_item_stays_hidden_for_its_window() -> None:
    model = fitted([event(EventKind.RECOMMENDATION_DISMISSED, "tea", 0)])
    # dismissed on day 0, hidden while day 0 > at − 30 days: up to, not including, day 30
    assert listed(model, Request(customer=ANN, at=day(29.9))) == [("mug", 4.0), ("jam", 2.0)]
    assert listed(model, Request(customer=ANN, at=day(30)))[0] == ("tea", 6.0)
    # before the dismissal happened it counts for nothing; other customers never see it
    assert listed(model, Request(customer=ANN, at=day(-1)))[0] == ("tea", 6.0)
    assert listed(model, Request(customer=Customer("bob"), at=day(1)))[0] == ("tea", 6.0)
    # without at, the moment is the newest event fitted: the dismissal itself, day 0
    assert listed(model, Request(customer=ANN))[0] == ("mug", 4.0)
    shorter = fitted([event(EventKind.RECOMMENDATION_DISMISSED, "tea", 0)], dismiss_days="7")
    assert listed(shorter, Request(customer=ANN, at=day(7)))[0] == ("tea", 6.0)


def test_items_shown_and_never_clicked_decay() -> None:
    shown = [event(EventKind.RECOMMENDATION_SHOWN, "tea", d) for d in (1, 2)]
    model = fitted(shown)
    # two showings without a click: tea 6 × 0.7² = 2.94, below mug 4
    got = listed(model, Request(customer=ANN, at=day(3)))
    assert [sku for sku, _ in got] == ["mug", "tea", "jam"]
    assert got[1][1] == pytest.approx(2.94)
    # a click on day 2.5 wipes out the showings before it
    clicked = fitted([*shown, event(EventKind.RECOMMENDATION_CLICKED, "tea", 2.5)])
    assert listed(clicked, Request(customer=ANN, at=day(3)))[0] == ("tea", 6.0)
    # showings more than ignored_days (30) before the request no longer count: on day 31.5
    # only day 2's showing is within the window (2 > 1.5): 6 × 0.7 = 4.2
    top = listed(model, Request(customer=ANN, at=day(31.5)))[0]
    assert top[0] == "tea"
    assert top[1] == pytest.approx(4.2)
    # a decay of 1 switches the rule off
    assert listed(fitted(shown, ignored_decay="1"), Request(customer=ANN, at=day(3)))[0] == (
        "tea",
        6.0,
    )


def test_a_placement_returns_fewer_items_rather_than_weak_ones() -> None:
    model = fitted([], min_scores={"checkout": "5", "cart": "3"}, min_score="1")
    # at checkout only tea (6) reaches 5; in the cart tea and mug (4) reach 3; jam (2)
    # reaches the default of 1 everywhere else
    assert listed(model, Request(placement="checkout", k=3)) == [("tea", 6.0)]
    assert listed(model, Request(placement="cart", k=3)) == [("tea", 6.0), ("mug", 4.0)]
    assert len(model.recommend(Request(placement="product", k=3))) == 3
    # the minimum applies after the decay: two ignored showings take tea to 2.94 < 3
    shown = [event(EventKind.RECOMMENDATION_SHOWN, "tea", d) for d in (1, 2)]
    decayed = fitted(shown, min_scores={"cart": "3"})
    assert listed(decayed, Request(customer=ANN, placement="cart", at=day(3))) == [("mug", 4.0)]
    assert decayed.recommend_batch([Request(customer=ANN, placement="cart", at=day(3))]) == [
        ["mug"]
    ]


def test_learn_feedback_reads_new_events_without_refitting() -> None:
    model = fitted([])
    assert listed(model, Request(customer=ANN, at=day(1)))[0] == ("tea", 6.0)
    newer = Interactions.from_orders([], [event(EventKind.RECOMMENDATION_DISMISSED, "tea", 0)])
    model.learn_feedback(newer)
    assert listed(model, Request(customer=ANN, at=day(1)))[0] == ("mug", 4.0)
    with pytest.raises(ValidationError) as caught:
        model.learn_feedback("events")  # type: ignore[arg-type]
    assert caught.value.field == "interactions"


def test_bad_parameters_name_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Feedback(strategy=Popular(), min_scores={"cart": "-1"})
    assert caught.value.field == "min_scores.cart"
    with pytest.raises(ValidationError) as caught:
        Feedback(strategy=Popular(), ignored_decay="1.5")
    assert caught.value.field == "ignored_decay"
    with pytest.raises(ValidationError) as caught:
        Feedback(strategy="popular")  # type: ignore[arg-type]
    assert caught.value.field == "strategy"


feedback_events = st.lists(
    st.tuples(
        st.sampled_from(
            [
                EventKind.RECOMMENDATION_SHOWN,
                EventKind.RECOMMENDATION_CLICKED,
                EventKind.RECOMMENDATION_DISMISSED,
            ]
        ),
        st.sampled_from(SKUS),
        st.integers(0, 60),
        st.sampled_from(["ann", "bob"]),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    feedback_events,
    st.integers(0, 90),
    st.sampled_from(["ann", "bob", "cy"]),
    st.integers(1, 40),
    st.sampled_from([None, "cart", "checkout"]),
)
def test_a_dismissed_item_never_appears_within_its_window(
    drawn: list[tuple[EventKind, str, int, str]],
    at: int,
    customer: str,
    window: int,
    placement: str | None,
) -> None:
    events = [event(kind, sku, when, who) for kind, sku, when, who in drawn]
    model = fitted(events, dismiss_days=Decimal(window), min_scores={"checkout": "3"})
    request = Request(customer=Customer(customer), at=day(at), k=3, placement=placement)
    hidden = {
        sku
        for kind, sku, when, who in drawn
        if kind is EventKind.RECOMMENDATION_DISMISSED
        and who == customer
        and at - window < when <= at
    }
    got = [r.sku for r in model.recommend(request)]
    assert not hidden & set(got), f"{hidden & set(got)} dismissed but shown"
    assert model.recommend_batch([request]) == [got]
