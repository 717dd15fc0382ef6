"""Fees and refunds of returned units (issue 12), scenarios worked by hand and properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Cart, Customer, Money, ValidationError, from_json, to_json
from shopkit.pricing import (
    Amounts,
    BuyXGetY,
    Fee,
    FeeStatus,
    MinSubtotal,
    Percentage,
    PricedCart,
    Promotion,
    Region,
    Skus,
    price,
    refund,
)
from shopkit.testing.pricing import NOW, customers, promotion_sets

from ..strategies import shop_carts
from .test_scenarios import AT, cart, eur, item, off

SMALL = Fee("small", "Small-order fee", off(EUR="2.00"), below=off(EUR="15.00"))
COD = Fee("cod", "Cash on delivery", off(EUR="1.50"), payment_methods=["cod"])
CARD = Fee("card", "Card fee", percent="1.5", payment_methods=["card"])

# -- fees ----------------------------------------------------------------------------------------


def test_a_small_order_fee_disappears_once_the_threshold_is_met():
    # 12.00 of items, below 15.00: the fee 2.00 is charged, total 14.00, and its nudge says
    # 3.00 more avoids it. At 15.00 (exactly the threshold) it is not charged: total 15.00.
    small_cart = cart((item("MUG", "12.00"), 1))
    priced = price(small_cart, [], at=AT, fees=[SMALL])
    (fee,) = priced.fees
    assert (fee.status, fee.amount, fee.charged) == (FeeStatus.CHARGED, eur("2.00"), True)
    assert fee.message == "Small-order fee: 2.00 EUR (orders below 15.00 EUR)"
    assert fee.nudge is not None
    assert fee.nudge.message == "add 3.00 EUR more for no Small-order fee"
    assert (priced.fee_total, priced.total) == (eur("2.00"), eur("14.00"))
    met = price(cart((item("MUG", "15.00"), 1)), [], at=AT, fees=[SMALL])
    (fee,) = met.fees
    assert (fee.status, fee.amount) == (FeeStatus.THRESHOLD_MET, eur("0.00"))
    assert fee.message == "no Small-order fee on orders from 15.00 EUR"
    assert met.total == eur("15.00")


def test_the_small_order_threshold_is_after_discounts():
    # 16.00 of items with 10% off → 14.40, below 15.00: the fee is charged; 14.40 + 2.00 =
    # 16.40. The discount is the same 1.60 with or without the fee.
    ten = Promotion("ten", "10% off", Percentage(10))
    with_fee = price(cart((item("MUG", "16.00"), 1)), [ten], at=AT, fees=[SMALL])
    without = price(cart((item("MUG", "16.00"), 1)), [ten], at=AT)
    assert with_fee.discount == without.discount == eur("1.60")
    assert with_fee.total == eur("16.40")


def test_payment_method_fees():
    # 40.00 of items, standard shipping 4.95 (44.95 before fees). Cash on delivery: 1.50 →
    # 46.45. Card: 1.5% of 44.95 = 0.67425 → 0.67 (half up) → 45.62. Paid otherwise: no fee,
    # "only when paying by cod".
    the_cart = cart((item("LAMP", "40.00"), 1), ship="standard")
    by_cod = price(the_cart, [], at=AT, fees=[COD, CARD], payment_method="cod")
    assert by_cod.total == eur("46.45")
    assert [f.status.value for f in by_cod.fees] == ["charged", "other_payment"]
    assert by_cod.fees[1].message == "only when paying by card"
    by_card = price(the_cart, [], at=AT, fees=[COD, CARD], payment_method="card")
    assert by_card.fees[1].amount == eur("0.67")
    assert by_card.total == eur("45.62")


def test_a_fee_with_a_condition_and_one_in_another_currency():
    # A remote-area fee of 3.00 for region "ISLANDS"; a GBP-only fee on a EUR cart: no amount.
    remote = Fee("remote", "Remote area", off(EUR="3.00"), condition=Region(["ISLANDS"]))
    gbp = Fee("gbp", "GBP fee", Amounts.of(GBP="1.00"))
    the_cart = cart((item("LAMP", "40.00"), 1))
    island = price(the_cart, [], at=AT, fees=[remote, gbp], customer=Customer(region="ISLANDS"))
    assert [f.status.value for f in island.fees] == ["charged", "no_amount"]
    assert island.total == eur("43.00")
    mainland = price(the_cart, [], at=AT, fees=[remote], customer=Customer(region="EU"))
    assert mainland.fees[0].status is FeeStatus.CONDITION
    assert mainland.total == eur("40.00")


def test_fees_from_json_and_bad_fees():
    text = (
        '{"id": "small", "name": "Small-order fee", "amounts": {"EUR": "2.00"},'
        ' "below": {"EUR": "15.00"}}'
    )
    assert from_json(text, Fee) == SMALL
    assert from_json(to_json(SMALL), Fee) == SMALL
    with pytest.raises(ValidationError) as caught:
        Fee("x", "X", off(EUR="1.00"), percent=2)
    assert caught.value.field == "amounts"
    with pytest.raises(ValidationError) as caught:
        price(cart((item("MUG", "1.00"), 1)), [], at=AT, payment_method="")
    assert caught.value.field == "payment_method"


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
fees = st.lists(
    st.sampled_from(
        [
            SMALL,
            COD,
            CARD,
            Fee(
                "jpy",
                "Fee",
                Amounts.of(EUR="1.00", JPY="100", KWD="0.300"),
                below=Amounts.of(EUR="50.00", JPY="5000", KWD="20.000"),
            ),
        ]
    ),
    max_size=3,
    unique_by=lambda fee: fee.id,
)


@fast
@given(shop_carts(), promotion_sets(), customers, fees, st.sampled_from([None, "cod", "card"]))
def test_invariant_a_fee_never_makes_a_discount_larger(
    the_cart: Cart, promotions, customer: Customer, charged: list[Fee], method: str | None
):
    # Fees come after every discount: the discounts are the same with or without them, every
    # fee is zero or more, and the total is the total without fees plus the fees charged.
    without = price(the_cart, promotions, at=NOW, customer=customer)
    with_fees = price(
        the_cart, promotions, at=NOW, customer=customer, fees=charged, payment_method=method
    )
    assert with_fees.discount == without.discount
    assert with_fees.shipping_discount == without.shipping_discount
    assert all(fee.amount.minor >= 0 for fee in with_fees.fees)
    assert with_fees.total == without.total + with_fees.fee_total
    assert with_fees.total == (
        with_fees.subtotal - with_fees.discount + with_fees.shipping + with_fees.fee_total
    )


# -- refunds -------------------------------------------------------------------------------------

MUG = item("MUG", "10.00")
THREE_FOR_TWO = Promotion("3for2", "3 for 2", BuyXGetY(buy=2, get=1, selector=Skus(["MUG"])))


def test_a_return_that_breaks_a_three_for_two():
    # 3 mugs at 10.00, 3 for 2: 20.00 paid, plus standard shipping 4.95 = 24.95.
    # Return 1 mug: the 2 kept cost 20.00 bought alone (no deal), plus the 4.95 shipping paid:
    #   24.95 is due, 24.95 held → refund 0.00. The returned mug was paid 20.00 / 3 = 6.67
    #   (its share of the line by quantity), all kept back as the kept mugs lose "3 for 2".
    # Return a second (2 in all): 1 kept costs 10.00 + 4.95 = 14.95 → refund 24.95 − 14.95 =
    #   10.00. Return the third: everything is returned → the 14.95 still held.
    # 0.00 + 10.00 + 14.95 = 24.95, exactly what was paid.
    order = price(cart((MUG, 3), ship="standard"), [THREE_FOR_TWO], at=AT)
    assert order.total == eur("24.95")
    first = refund(order, [1], [THREE_FOR_TWO])
    assert (first.amount, first.returned_paid, first.kept_back) == (
        eur("0.00"),
        eur("6.67"),
        eur("6.67"),
    )
    assert first.lost == ("3for2",)
    assert first.message == (
        "refund 0.00 EUR for units paid 6.67 EUR; 6.67 EUR is kept back, as the kept units no "
        "longer get 3 for 2"
    )
    second = refund(order, [2], [THREE_FOR_TWO], refunded=first.amount)
    assert second.amount == eur("10.00")
    third = refund(order, [3], [THREE_FOR_TWO], refunded=first.amount + second.amount)
    assert third.amount == eur("14.95")
    assert third.kept is None
    assert first.amount + second.amount + third.amount == order.total


def test_a_return_that_takes_an_order_below_a_threshold():
    # 10% off from 50: a 45.00 coat and a 10.00 scarf (55.00) → 5.50 off → 49.50 paid.
    # Return the scarf: the coat alone is 45.00 < 50.00, no discount, 45.00 due → refund 4.50
    # (the scarf was paid 9.00; 4.50 is kept back, the coat's lost 10%).
    ten = Promotion("ten", "10% from 50", Percentage(10), condition=MinSubtotal(off(EUR="50.00")))
    order = price(cart((item("COAT", "45.00"), 1), (item("SCARF", "10.00"), 1)), [ten], at=AT)
    assert order.total == eur("49.50")
    back = refund(order, [0, 1], [ten])
    assert (back.amount, back.returned_paid, back.kept_back) == (
        eur("4.50"),
        eur("9.00"),
        eur("4.50"),
    )


def test_bad_returns_are_refused():
    order = price(cart((MUG, 3)), [THREE_FOR_TWO], at=AT)
    for returned, field in (([4], "returned[0]"), ([-1], "returned[0]"), ([1, 1], "returned")):
        with pytest.raises(ValidationError) as caught:
            refund(order, returned, [THREE_FOR_TWO])
        assert caught.value.field == field
    with pytest.raises(ValidationError) as caught:
        refund(order, [1], [THREE_FOR_TWO], refunded=eur("99.00"))
    assert caught.value.field == "refunded"


def unit_returns(order: PricedCart, rng) -> list[int]:
    """Every unit of the order, one line index per unit, in a random order."""
    units = [index for index, line in enumerate(order.lines) for _ in range(line.line.quantity)]
    rng.shuffle(units)
    return units


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shop_carts(), promotion_sets(max_size=4), st.randoms(use_true_random=False), st.integers(1, 3)
)
def test_invariant_refunds_never_exceed_what_was_paid_and_all_returns_give_the_total(
    the_cart: Cart, promotions, rng, step: int
):
    # Units returned in a random order, `step` at a time: every refund is from zero to what is
    # still held, and once every unit is back the refunds add up to the order's total exactly.
    order = price(the_cart, promotions, at=NOW)
    returned = [0] * len(order.lines)
    refunded = Money.zero(order.currency)
    units = unit_returns(order, rng)
    for start in range(0, len(units), step):
        for index in units[start : start + step]:
            returned[index] += 1
        back = refund(order, returned, promotions, refunded=refunded)
        assert 0 <= back.amount.minor <= order.total.minor - refunded.minor
        refunded += back.amount
    if units:
        assert refunded == order.total
