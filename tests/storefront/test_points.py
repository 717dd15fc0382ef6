"""Points as a tender on a priced cart: hand-worked numbers and the exact-allocation property."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Cart, Money, Order, OrderLine, Product, ValidationError
from shopkit.loyalty import Ledger, OrderPlaced, Status, sample_programme
from shopkit.pricing import PricedCart, price
from shopkit.storefront import max_points, redeem_points

AT = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
GBP = "GBP"


def member(points_worth: str) -> tuple[Ledger, Status]:
    # one order long past its return window: at bronze, 1 point per 1.00 (teapots are "ware")
    lines = [OrderLine("POT", 1, Money.of(points_worth, GBP))]
    ledger = Ledger(
        sample_programme(),
        [
            OrderPlaced(
                Order("o1", lines, AT - dt.timedelta(days=60), customer="c"), {"POT": "ware"}
            )
        ],
    )
    return ledger, ledger.status("c", AT)


def cart(*prices: str) -> PricedCart:
    built = Cart(GBP)
    for number, amount in enumerate(prices):
        built = built.add(Product(f"S{number}", f"item {number}", Money.of(amount, GBP)))
    return price(built, [], at=AT)


def test_a_tender_is_allocated_exactly_over_the_lines():
    # 300.00 ordered -> 300 points (bronze); 0.01 each. Redeeming 250 points = 2.50 on a cart of
    # 3.00 + 2.00 (total 5.00, max share 0.5 -> at most 2.50): 2.50 x 3/5 = 1.50, x 2/5 = 1.00
    ledger, status = member("300.00")
    priced = cart("3.00", "2.00")
    tender = redeem_points(priced, status, ledger.programme, 250)
    assert tender.amount == Money.of("2.50", GBP)
    assert tender.lines == (Money.of("1.50", GBP), Money.of("1.00", GBP))
    assert tender.due == Money.of("2.50", GBP)
    assert max_points(priced, status, ledger.programme) == 250
    assert tender.event("x", AT).points == 250


def test_refused_redemptions_name_the_points():
    ledger, status = member("300.00")
    priced = cart("3.00", "2.00")
    with pytest.raises(ValidationError, match=r"more than 0\.5 of the 5\.00 GBP order") as caught:
        redeem_points(priced, status, ledger.programme, 251)
    assert caught.value.field == "points"
    with pytest.raises(ValidationError, match="below the 100 points"):
        redeem_points(priced, status, ledger.programme, 99)
    with pytest.raises(ValidationError, match="more than the 300 available"):
        redeem_points(cart("100.00"), status, ledger.programme, 301)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 50_000), min_size=1, max_size=6), st.integers(100, 2_000))
def test_the_parts_sum_to_the_amount_and_fit_their_lines(minors, points):
    ledger, status = member("5000.00")
    priced = cart(*(str(Money(minor, GBP).amount) for minor in minors))
    allowed = max_points(priced, status, ledger.programme)
    if allowed < 100:
        return
    points = min(points, allowed)
    tender = redeem_points(priced, status, ledger.programme, points)
    assert sum(tender.lines, Money.zero(GBP)) == tender.amount == Money(points, GBP)
    assert all(part <= line.total for part, line in zip(tender.lines, priced.lines, strict=True))
    assert tender.amount + tender.due == priced.total
