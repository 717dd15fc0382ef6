"""The invariants of DESIGN.md ("Pricing engine"), each a hypothesis property over generated
carts and generated promotion sets of every kind."""

from __future__ import annotations

import copy
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Cart, Customer, Line, from_json, to_json
from shopkit.pricing import (
    Amounts,
    Combination,
    FreeShipping,
    Gift,
    Mode,
    Percentage,
    PricedCart,
    PricingOptions,
    Promotion,
    ShippingDiscount,
    price,
)
from shopkit.testing.pricing import NOW, amounts, promotion_sets, selectors

from ..strategies import shop_carts

customers = st.builds(
    Customer,
    id=st.just("c-1"),
    segments=st.lists(st.sampled_from(["vip", "new"]), max_size=2),
    order_count=st.integers(0, 3),
    loyalty_tier=st.sampled_from([None, "gold", "silver"]),
    region=st.sampled_from([None, "EU", "UK"]),
    channel=st.sampled_from([None, "web", "app"]),
)
modes = st.sampled_from([PricingOptions(), PricingOptions(mode=Mode.BEST_FOR_CUSTOMER)])
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_arithmetic(result: PricedCart) -> None:
    """Invariants 1 and 2 on one result."""
    for line in result.lines:
        assert line.total.minor >= 0
        assert 0 <= line.discount.minor <= line.subtotal.minor
        assert sum(a.amount.minor for a in line.adjustments) == line.discount.minor
        assert all(a.amount.minor >= 0 for a in line.adjustments)
        assert line.total == line.subtotal - line.discount
    assert result.total.minor >= 0
    assert 0 <= result.shipping_discount.minor <= result.shipping_price.minor
    assert result.discount.minor == sum(line.discount.minor for line in result.lines)
    assert result.subtotal.minor == sum(line.subtotal.minor for line in result.lines)
    assert result.total == result.subtotal - result.discount + result.shipping
    assert result.shipping == result.shipping_price - result.shipping_discount


@fast
@given(shop_carts(), promotion_sets(), customers, modes)
def test_invariant_1_2_nothing_negative_and_everything_adds_up(
    cart: Cart, promotions: list[Promotion], customer: Customer, options: PricingOptions
) -> None:
    check_arithmetic(price(cart, promotions, at=NOW, customer=customer, options=options))


def product_totals(result: PricedCart) -> Counter[tuple[str, int]]:
    totals: Counter[tuple[str, int]] = Counter()
    for line in result.lines:
        totals[(line.line.product.sku, line.line.product.unit_price.minor)] += line.total.minor
    return totals


def summary(result: PricedCart) -> tuple[object, ...]:
    return (
        result.subtotal,
        result.discount,
        result.shipping,
        result.total,
        sorted((a.promotion_id, a.amount) for a in result.applied),
        sorted((n.promotion_id, n.reason) for n in result.not_applied),
    )


@fast
@given(shop_carts(), promotion_sets(), customers, modes, st.randoms(use_true_random=False))
def test_invariant_3_order_of_lines_and_splitting_do_not_matter(
    cart: Cart, promotions: list[Promotion], customer: Customer, options: PricingOptions, rng
) -> None:
    result = price(cart, promotions, at=NOW, customer=customer, options=options)
    shuffled = list(cart.lines)
    rng.shuffle(shuffled)
    split = []
    for line in shuffled:  # 3 × A becomes 1 × A + 2 × A
        if line.quantity > 1:
            split += [Line(line.product, 1), Line(line.product, line.quantity - 1)]
        else:
            split.append(line)
    for lines in (shuffled, split):
        other = price(
            attrs.evolve(cart, lines=lines), promotions, at=NOW, customer=customer, options=options
        )
        assert summary(other) == summary(result)
        # per product, what the customer pays is the same however the units are laid out
        assert product_totals(other) == product_totals(result)


@fast
@given(shop_carts(), promotion_sets(), customers, modes)
def test_invariant_4_pure_and_repeatable(
    cart: Cart, promotions: list[Promotion], customer: Customer, options: PricingOptions
) -> None:
    before = (copy.deepcopy(cart), copy.deepcopy(promotions), copy.deepcopy(customer))
    first = price(cart, promotions, at=NOW, customer=customer, options=options)
    second = price(cart, promotions, at=NOW, customer=customer, options=options)
    assert first == second
    assert (cart, promotions, customer) == before


@fast
@given(shop_carts(), promotion_sets(), customers, modes)
def test_invariant_5_exclusive_alone_units_once_limits_kept(
    cart: Cart, promotions: list[Promotion], customer: Customer, options: PricingOptions
) -> None:
    result = price(cart, promotions, at=NOW, customer=customer, options=options)
    by_id = {p.id: p for p in promotions}
    applied = [by_id[a.promotion_id] for a in result.applied]
    if any(p.combination is Combination.EXCLUSIVE for p in applied):
        assert len(applied) == 1
    groups = [p.group for p in applied if p.combination is Combination.GROUP]
    assert len(groups) == len(set(groups))
    for line in result.lines:  # no unit consumed twice
        assert sum(a.units for a in line.adjustments) <= line.line.quantity
    for applied_promotion in result.applied:  # a promotion's cap holds
        cap = by_id[applied_promotion.promotion_id].max_discount
        if cap is not None:
            assert applied_promotion.amount <= cap.get(cart.currency)


@fast
@given(shop_carts(), promotion_sets(), amounts(0, 100_000), st.integers(0, 100))
def test_invariant_5_total_discount_limits_hold(
    cart: Cart, promotions: list[Promotion], limit: Amounts, percent: int
) -> None:
    options = PricingOptions(max_total_discount=limit, max_total_discount_percent=percent)
    result = price(cart, promotions, at=NOW, options=options)
    assert result.discount <= limit.get(cart.currency)
    assert result.discount.minor <= result.subtotal.minor * percent // 100 or any(
        line.gift for line in result.lines
    )


@fast
@given(shop_carts(), selectors, st.decimals(0, 100, places=2))
def test_invariant_6_percentage_is_within_one_minor_unit_per_line(
    cart: Cart, selector, percent: Decimal
) -> None:
    promotion = Promotion("pct", "Percent", Percentage(percent, selector))
    result = price(cart, [promotion], at=NOW)
    for line in result.lines:
        exact = Fraction(line.subtotal.minor) * Fraction(percent) / 100
        expected = exact if selector.matches(line.line.product) else Fraction(0)
        floor = line.line.product.min_price
        # within one minor unit: rounding to the nearest is at most half a unit off on a line
        # of its own; lines of one product are priced together and split back, which can move
        # one more part of a unit between them
        if floor is not None:  # the price floor may cut it further, never raise it
            assert line.discount.minor < expected + 1
        else:
            assert abs(line.discount.minor - expected) < 1


@fast
@given(
    shop_carts(),
    promotion_sets(max_size=3, combinations=False),
    amounts(0, 300_000),
    st.sampled_from(["after_discounts", "subtotal"]),
)
def test_invariant_7_free_shipping_exactly_when_its_threshold_is_met(
    cart: Cart, others: list[Promotion], threshold: Amounts, basis: str
) -> None:
    # other shipping promotions (applied before it) could leave it nothing to take off
    others = [p for p in others if not isinstance(p.benefit, FreeShipping | ShippingDiscount)]
    free = Promotion("free", "Free shipping", FreeShipping(threshold, basis=basis), priority=-1)
    result = price(cart, [*others, free], at=NOW)
    bar = threshold.get(cart.currency)
    reached = (result.subtotal if basis == "subtotal" else result.subtotal - result.discount) >= bar
    if basis == "subtotal":
        reached = cart.subtotal >= bar
    free_applied = any(a.promotion_id == "free" for a in result.applied)
    if cart.shipping.minor > 0:
        assert free_applied == reached
        assert (result.shipping.minor == 0) == reached or any(
            a.promotion_id != "free" and a.level == "shipping" for a in result.applied
        )


@settings(max_examples=60, deadline=None)
@given(shop_carts(), promotion_sets(), customers)
def test_invariant_8_promotions_carts_and_customers_survive_json(
    cart: Cart, promotions: list[Promotion], customer: Customer
) -> None:
    assert from_json(to_json(promotions), list[Promotion]) == promotions
    assert from_json(to_json(cart), Cart) == cart
    assert from_json(to_json(customer), Customer) == customer
    result = price(cart, promotions, at=NOW, customer=customer)
    assert from_json(to_json(result), PricedCart) == result


@fast
@given(shop_carts(), promotion_sets(max_size=5), promotion_sets(max_size=1), customers)
def test_invariant_9_best_for_customer_never_gives_less_when_a_promotion_is_added(
    cart: Cart, promotions: list[Promotion], extra: list[Promotion], customer: Customer
) -> None:
    # Best for the customer compares what the customer gets, gifts at their price (issue 12):
    # adding a promotion never lowers that; without gifts, it never raises the total either.
    options = PricingOptions(mode=Mode.BEST_FOR_CUSTOMER)
    before = price(cart, promotions, at=NOW, customer=customer, options=options)
    added = [attrs.evolve(p, id=f"extra-{p.id}") for p in extra]
    after = price(cart, promotions + added, at=NOW, customer=customer, options=options)
    assert after.discount + after.shipping_discount >= before.discount + before.shipping_discount
    if not any(isinstance(p.benefit, Gift) for p in promotions + added):
        assert after.total <= before.total
