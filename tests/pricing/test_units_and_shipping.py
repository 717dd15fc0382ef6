"""Shipping discounts, unit caps, per-unit results and the threshold rules (issue 12).

Every number in an assertion is worked out in the comment above it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from shopkit import (
    Cart,
    Customer,
    Line,
    ShippingOption,
    ValidationError,
    from_json,
    to_json,
)
from shopkit.pricing import (
    AllProducts,
    BuyXGetY,
    Categories,
    FixedOff,
    FixedPrice,
    MinQuantity,
    MinSubtotal,
    Mode,
    Percentage,
    PricedCart,
    PricingOptions,
    Promotion,
    ShippingDiscount,
    Skus,
    UnitPrice,
    price,
)
from shopkit.pricing.plugin import Benefit
from shopkit.testing.pricing import NOW, customers, promotion_sets

from ..strategies import shop_carts
from .test_scenarios import EXPRESS, STANDARD, applied, cart, check_sums, eur, item, off, run

# -- shipping discounts --------------------------------------------------------------------------


def shipped(method_price: str = "10.00") -> Cart:
    """A 30.00 coat with one "courier" method at ``method_price``, chosen."""
    option = ShippingOption("courier", "Courier", eur(method_price))
    lines = [Line(item("COAT", "30.00"), 1)]
    return Cart("EUR", lines, shipping_options=[option], shipping_method="courier")


def test_delivery_for_one_euro_on_a_ten_euro_method():
    # "Delivery for 1.00" on a 10.00 method: 10.00 − 1.00 = 9.00 off; shipping 1.00; total
    # 30.00 + 1.00 = 31.00.
    promo = Promotion("ship1", "Delivery for 1", ShippingDiscount(price=off(EUR="1.00")))
    priced = price(shipped(), [promo], at=NOW)
    assert applied(priced) == {"ship1": "9.00 EUR"}
    assert (priced.shipping_discount, priced.shipping) == (eur("9.00"), eur("1.00"))
    assert priced.total == eur("31.00")
    check_sums(priced)


def test_a_shipping_price_above_the_method_takes_nothing_off():
    # "Delivery for 1.00" on a 0.50 method: shipping never costs more; nothing to take off.
    promo = Promotion("ship1", "Delivery for 1", ShippingDiscount(price=off(EUR="1.00")))
    priced = price(shipped("0.50"), [promo], at=NOW)
    assert priced.shipping == eur("0.50")
    assert [n.reason.value for n in priced.not_applied] == ["no_effect"]


def test_percent_off_shipping_rounds_half_up():
    # 50% off a 4.95 method: 2.475 → 2.48 (half up) off; shipping 2.47.
    promo = Promotion("half", "Half-price shipping", ShippingDiscount(percent=50))
    priced = run(cart((item("COAT", "30.00"), 1), ship="standard"), promo)
    assert priced.shipping_discount == eur("2.48")
    assert priced.shipping == eur("2.47")


def test_amount_off_shipping_from_a_threshold_per_method():
    # 3.00 off express (9.90) from 50.00. A 60.00 cart on express: 9.90 − 3.00 = 6.90; on
    # standard (4.95): not covered, 4.95. A 45.00 cart on express: 5.00 short, nudged.
    benefit = ShippingDiscount(
        amounts=off(EUR="3.00"), threshold=off(EUR="50.00"), methods=["express"]
    )
    promo = Promotion("exp3", "3 off express", benefit)
    on_express = run(cart((item("COAT", "60.00"), 1), ship="express"), promo)
    assert on_express.shipping == eur("6.90")
    on_standard = run(cart((item("COAT", "60.00"), 1), ship="standard"), promo)
    assert on_standard.shipping == STANDARD.price
    short = run(cart((item("COAT", "45.00"), 1), ship="express"), promo)
    assert short.shipping == EXPRESS.price
    assert [n.message for n in short.nudges] == [
        "add 5.00 EUR more for 3.00 EUR off shipping (express)"
    ]


def test_a_shipping_discount_is_read_from_json():
    text = (
        '{"id": "ship1", "name": "Delivery for 1", "benefit": {"type": "shipping_discount",'
        ' "price": {"EUR": "1.00"}, "methods": ["courier"], "threshold": {"EUR": "25.00"}}}'
    )
    promo = from_json(text, Promotion)
    assert promo.benefit == ShippingDiscount(
        price=off(EUR="1.00"), methods=["courier"], threshold=off(EUR="25.00")
    )
    assert from_json(to_json(promo), Promotion) == promo
    # 30.00 ≥ 25.00: 9.00 off the 10.00 courier
    assert price(shipped(), [promo], at=NOW).shipping == eur("1.00")


def test_a_shipping_discount_gives_exactly_one_thing():
    with pytest.raises(ValidationError) as caught:
        ShippingDiscount(percent=10, price=off(EUR="1.00"))
    assert caught.value.field == "percent"


# -- unit caps -----------------------------------------------------------------------------------


def test_three_off_at_most_one_unit():
    # 2 mugs at 10.00; "3.00 off, at most 1 unit": one mug 7.00, the other 10.00; the line
    # 17.00, its units 1 × 10.00 and 1 × 7.00.
    promo = Promotion(
        "m3",
        "3 off a mug",
        FixedOff(off(EUR="3.00"), per="unit", selector=Skus(["MUG"]), max_units=1),
    )
    priced = run(cart((item("MUG", "10.00"), 2)), promo)
    assert priced.discount == eur("3.00")
    (line,) = priced.lines
    assert line.total == eur("17.00")
    assert line.unit_prices == (UnitPrice(eur("10.00"), 1), UnitPrice(eur("7.00"), 1))
    assert line.each_unit() == (eur("10.00"), eur("7.00"))


def test_at_most_one_unit_per_line():
    # 20% off, at most 1 unit per line: 3 mugs at 10.00 → one mug 2.00 off; 2 cups at 4.00 →
    # one cup 0.80 off. 30.00 + 8.00 − 2.80 = 35.20.
    promo = Promotion(
        "p20", "20% off one of each", Percentage(20, AllProducts(), max_units_per_line=1)
    )
    priced = run(cart((item("MUG", "10.00"), 3), (item("CUP", "4.00"), 2)), promo)
    assert [str(line.discount) for line in priced.lines] == ["2.00 EUR", "0.80 EUR"]
    assert priced.total == eur("35.20")
    assert priced.lines[0].each_unit() == (eur("10.00"), eur("10.00"), eur("8.00"))


@pytest.mark.parametrize(
    ("discounted", "total"), [("cheapest", "12.00"), ("most_expensive", "9.00")]
)
def test_a_unit_cap_chooses_the_cheapest_or_the_dearest(discounted: str, total: str):
    # 50% off at most 1 unit, a 10.00 mug and a 4.00 cup (14.00): the cheapest is the cup →
    # 2.00 off → 12.00; the dearest is the mug → 5.00 off → 9.00.
    benefit = Percentage(50, AllProducts(), max_units=1, discounted=discounted)
    priced = run(
        cart((item("MUG", "10.00"), 1), (item("CUP", "4.00"), 1)), Promotion("h", "Half", benefit)
    )
    assert priced.total == eur(total)


def test_fixed_price_for_at_most_two_units():
    # "Mugs for 6.00, at most 2": 3 mugs at 10.00 → two at 6.00 (8.00 off), one at 10.00;
    # the line 22.00.
    promo = Promotion("m6", "Mugs 6", FixedPrice(off(EUR="6.00"), Skus(["MUG"]), max_units=2))
    priced = run(cart((item("MUG", "10.00"), 3)), promo)
    assert priced.total == eur("22.00")
    assert priced.lines[0].each_unit() == (eur("10.00"), eur("6.00"), eur("6.00"))


def test_a_unit_cap_needs_per_unit_or_a_selector():
    with pytest.raises(ValidationError) as caught:
        FixedOff(off(EUR="3.00"), per="order", max_units=1)
    assert (caught.value.field, caught.value.value) == ("max_units", 1)
    with pytest.raises(ValidationError) as caught:
        Percentage(10, max_units_per_line=2)
    assert (caught.value.field, caught.value.value) == ("max_units_per_line", 2)


def test_a_unit_cap_survives_json():
    text = (
        '{"type": "fixed_off", "amounts": {"EUR": "3.00"}, "per": "unit", "max_units": 1,'
        ' "discounted": "most_expensive"}'
    )
    benefit = from_json(text, Benefit)
    assert benefit == FixedOff(
        off(EUR="3.00"), per="unit", max_units=1, discounted="most_expensive"
    )
    assert benefit.describe() == "3.00 EUR off the order per item (at most 1 unit, dearest first)"


# -- per-unit results ----------------------------------------------------------------------------


def test_second_at_half_price_then_ten_percent_per_unit():
    # 2 mugs at 10.00, "second at half price": 10.00 and 5.00 (15.00). Then 10% off the order:
    # 1.50, spread over the units by their values → 1.00 and 0.50 → 9.00 and 4.50 (13.50).
    half = Promotion(
        "half", "Second half", BuyXGetY(buy=1, get=1, selector=Skus(["MUG"]), percent=50)
    )
    ten = Promotion("ten", "10% off", Percentage(10))
    priced = run(cart((item("MUG", "10.00"), 2)), half, ten)
    (line,) = priced.lines
    assert line.total == eur("13.50")
    assert line.each_unit() == (eur("9.00"), eur("4.50"))


def test_unit_prices_of_a_product_over_two_lines():
    # 4 mugs at 10.00 as lines of 2 and 2, "second at half price" twice: units 10.00, 10.00,
    # 5.00, 5.00 (30.00), 5.00 off each line. Dealt out dearest first by quantity, each line
    # gets a 10.00 and a 5.00: 15.00 each, as the money split says.
    mug = item("MUG", "10.00")
    half = Promotion(
        "half", "Second half", BuyXGetY(buy=1, get=1, selector=Skus(["MUG"]), percent=50)
    )
    priced = price(Cart("EUR", [Line(mug, 2), Line(mug, 2)]), [half], at=NOW)
    assert [line.each_unit() for line in priced.lines] == [
        (eur("10.00"), eur("5.00")),
        (eur("10.00"), eur("5.00")),
    ]


fast = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_units(priced: PricedCart) -> None:
    for line in priced.lines:
        units = line.each_unit()
        assert len(units) == line.line.quantity
        assert sum(unit.minor for unit in units) == line.total.minor
        assert all(0 <= unit.minor <= line.line.product.unit_price.minor for unit in units)


@fast
@given(shop_carts(), promotion_sets(), customers)
def test_invariant_per_unit_prices_sum_to_line_totals(cart_: Cart, promotions, customer: Customer):
    # For every line: as many unit prices as units, each from 0 to the unit's price before
    # discounts, summing exactly to the line total; in both modes.
    for options in (PricingOptions(), PricingOptions(mode=Mode.BEST_FOR_CUSTOMER)):
        check_units(price(cart_, promotions, at=NOW, customer=customer, options=options))


# -- the threshold rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "total", "ten_applies"),
    [("after_line_discounts", "6.75", True), ("after_earlier_order_discounts", "7.50", False)],
)
def test_the_vendure_threshold_case_under_both_rules(basis: str, total: str, ten_applies: bool):
    # 3 items at 5.00 = 15.00. "Buy 3, 50% off" (order level, priority 2) and "spend 10, get
    # 10%" (order level, priority 1).
    # After line discounts (the default): both thresholds compare 15.00 (no line discount):
    #   50% → 7.50, then 10% of 7.50 = 0.75 → 6.75.
    # After earlier order discounts (Vendure's rule): "spend 10" is checked again on what the
    #   first left, 7.50 < 10.00, so it does not apply: 7.50.
    items = Categories(["Toys"])
    buy3 = Promotion(
        "buy3", "Buy 3, 50% off", Percentage(50), condition=MinQuantity(items, 3), priority=2
    )
    spend10 = Promotion(
        "spend10",
        "Spend 10, get 10%",
        Percentage(10),
        condition=MinSubtotal(off(EUR="10.00")),
        priority=1,
    )
    priced = run(cart((item("TOY", "5.00", "Toys"), 3)), buy3, spend10, threshold_basis=basis)
    assert priced.total == eur(total)
    assert ("spend10" in applied(priced)) is ten_applies
    if not ten_applies:
        (refusal,) = priced.not_applied
        assert refusal.reason.value == "condition"
        assert refusal.message == "the order is 7.50 EUR, below the 10.00 EUR threshold"
        assert refusal.nudge is not None
        assert refusal.nudge.missing_amount == eur("2.50")
