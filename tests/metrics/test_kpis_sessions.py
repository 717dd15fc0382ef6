"""Session KPIs on hand-made sessions; the expected numbers are worked out in comments."""

from __future__ import annotations

import datetime as dt

import pytest

from shopkit import Event, EventTable, ValidationError
from shopkit.metrics import (
    BounceRate,
    CartAbandonment,
    ClickThroughRate,
    ConversionRate,
    Funnel,
    PagesPerSession,
    SessionDuration,
    Window,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def at(seconds: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


# s1 (c1): view A, cart A, checkout, purchase — lasts 60 s, 1 page view
# s2 (c1): view A, view B, cart B — lasts 5 s, 2 page views, abandoned cart
# s3 (guest): view C — one page, 0 s
# s4 (guest): view A, then 30 s later shown D (cart) and clicked D — 1 page, 30 s
# s5 (c2): checkout started, no purchase — no page view, 0 s; shown B and E (product)
EVENTS = EventTable.of(
    [
        Event("view", "A", at(0), "s1", customer="c1"),
        Event("add_to_cart", "A", at(10), "s1", customer="c1"),
        Event("checkout_started", "A", at(40), "s1", customer="c1"),
        Event("purchase", "A", at(60), "s1", customer="c1"),
        Event("view", "A", at(100), "s2", customer="c1"),
        Event("view", "B", at(102), "s2", customer="c1"),
        Event("add_to_cart", "B", at(105), "s2", customer="c1"),
        Event("view", "C", at(200), "s3"),
        Event("view", "A", at(300), "s4"),
        Event("recommendation_shown", "D", at(330), "s4", placement="cart"),
        Event("recommendation_clicked", "D", at(330), "s4", placement="cart"),
        Event("checkout_started", "B", at(400), "s5", customer="c2"),
        Event("recommendation_shown", "B", at(400), "s5", placement="product"),
        Event("recommendation_shown", "E", at(400), "s5", placement="product"),
    ]
)


def test_conversion_per_session_and_per_user() -> None:
    # sessions: 1 of 5 bought → 0.2
    assert ConversionRate().compute(EVENTS) == 0.2
    # visitors: c1, c2, guest s3, guest s4 = 4; c1 bought → 1 / 4 = 0.25
    assert ConversionRate(per="user").compute(EVENTS) == 0.25


def test_bounce_rate_ga4_and_single_page() -> None:
    # GA4 engaged: s1 (60 s, purchase), s2 (2 page views), s4 (30 s) → not engaged: s3, s5
    assert BounceRate().compute(EVENTS) == 2 / 5
    # single page (one view, nothing else): s3 only → 1 / 5
    assert BounceRate(definition="single_page").compute(EVENTS) == 1 / 5
    # with 45 s to be engaged, s4 (30 s, one page) bounces too: 3 / 5
    assert BounceRate(engaged_seconds=45).compute(EVENTS) == 3 / 5


def test_pages_per_session_and_duration() -> None:
    # page views 1 + 2 + 1 + 1 + 0 = 5 over 5 sessions = 1.0
    assert PagesPerSession().compute(EVENTS) == 1.0
    # durations 60 + 5 + 0 + 30 + 0 = 95 / 5 = 19.0 s
    assert SessionDuration().compute(EVENTS) == 19.0


def test_cart_and_checkout_abandonment() -> None:
    # carted: s1, s2; s2 did not buy → 1 / 2
    assert CartAbandonment().compute(EVENTS) == 0.5
    # checkout: s1, s5; s5 did not buy → 1 / 2
    assert CartAbandonment(stage="checkout").compute(EVENTS) == 0.5


def test_funnel_steps_need_the_steps_before() -> None:
    # view: s1..s4 = 4; cart after a view: s1, s2 = 2; checkout after both: s1 = 1 (s5 has
    # no view); order: s1 = 1
    funnel = Funnel().compute(EVENTS)
    assert funnel.sessions == (4, 2, 1, 1)
    assert funnel.conversion == (0.5, 0.5, 1.0)
    assert funnel.drop_off == (0.5, 0.5, 0.0)
    assert funnel.columns()["→cart"] == 0.5


def test_ctr_of_impressions_and_by_placement() -> None:
    # impressions: (s4, D, cart) clicked; (s5, B, product), (s5, E, product) → 1 / 3
    assert ClickThroughRate().compute(EVENTS) == pytest.approx(1 / 3)
    assert ClickThroughRate(placement="cart").compute(EVENTS) == 1.0
    assert ClickThroughRate(placement="product").compute(EVENTS) == 0.0
    assert ClickThroughRate(placement="email").compute(EVENTS) is None


def test_a_window_counts_the_sessions_that_start_in_it() -> None:
    # [0, 250): s1, s2, s3 → conversion 1 / 3
    assert ConversionRate().compute(EVENTS, Window(at(0), at(250))) == pytest.approx(1 / 3)
    # [250, 500): s4, s5 → no purchase: 0.0; CTR of s4 and s5 impressions 1 / 3
    later = Window(at(250), at(500))
    assert ConversionRate().compute(EVENTS, later) == 0.0
    assert ClickThroughRate().compute(EVENTS, later) == pytest.approx(1 / 3)
    assert ClickThroughRate().compute(EVENTS, Window(at(0), at(250))) is None


def test_no_sessions_is_not_defined() -> None:
    empty = EventTable.of([])
    assert ConversionRate().compute(empty) is None
    assert Funnel().compute(empty).conversion == (None, None, None)


def test_bad_variants_name_the_field() -> None:
    with pytest.raises(ValidationError, match="per: 'order'"):
        ConversionRate(per="order")
    with pytest.raises(ValidationError, match="definition"):
        BounceRate(definition="ga3")
    with pytest.raises(ValidationError, match="stage"):
        CartAbandonment(stage="payment")
    with pytest.raises(ValidationError, match="engaged_seconds"):
        BounceRate(engaged_seconds=-1)
