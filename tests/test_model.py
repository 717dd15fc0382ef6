"""The cart model: products, lines, carts, shipping options and customers."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given

from shopkit import (
    Cart,
    Customer,
    Line,
    Money,
    Product,
    ShippingOption,
    from_json,
    to_json,
    to_toml,
)
from shopkit import from_toml as read_toml

from .strategies import carts, customers, products


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


MUG = Product("MUG-1", "Enamel mug", gbp("6.50"), categories=["Kitchen", "Mugs", "Kitchen"])
LAMP = Product("LAMP-1", "Desk lamp", gbp("24.00"), cost=gbp("11.00"), stock=3)


def test_product_normalises_its_collections() -> None:
    assert MUG.categories == ("Kitchen", "Mugs")  # the duplicate is dropped, order kept
    product = Product("X", "X", gbp("1"), attributes={"size": "L", "colour": "red"})
    assert list(product.attributes) == ["colour", "size"]  # stored sorted, read-only
    with pytest.raises(TypeError):
        product.attributes["size"] = "M"  # type: ignore[index]
    assert hash(product) == hash(attrs.evolve(product))  # hashable despite the mapping


def test_line_total() -> None:
    assert Line(MUG, 3).total == gbp("19.50")  # 6.50 × 3


def test_cart_add_merges_units_of_the_same_product() -> None:
    cart = Cart("GBP").add(MUG, 2).add(LAMP).add(MUG)
    assert [(line.product.sku, line.quantity) for line in cart.lines] == [
        ("MUG-1", 3),
        ("LAMP-1", 1),
    ]
    assert cart.subtotal == gbp("43.50")  # 6.50 × 3 + 24.00 = 19.50 + 24.00
    assert cart.item_count == 4


def test_cart_is_immutable_and_add_returns_a_new_cart() -> None:
    empty = Cart("GBP")
    full = empty.add(MUG)
    assert empty.lines == ()
    assert len(full.lines) == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        full.currency = "EUR"  # type: ignore[misc]


def test_shipping() -> None:
    options = [
        ShippingOption("standard", "Standard", gbp("4.95")),
        ShippingOption("express", "Express", gbp("9.95")),
    ]
    cart = Cart("GBP", [Line(MUG, 1)], shipping_options=options)
    assert cart.shipping_option is None
    assert cart.shipping == gbp("0")  # nothing chosen yet
    chosen = cart.with_shipping("express")
    assert chosen.shipping == gbp("9.95")
    assert chosen.shipping_option == options[1]


def test_codes_are_kept_once_in_order() -> None:
    cart = Cart("GBP").with_code("WELCOME10").with_code("FREESHIP").with_code("WELCOME10")
    assert cart.codes == ("WELCOME10", "FREESHIP")


def test_customer_first_order() -> None:
    assert Customer("c-1").is_first_order
    assert not Customer("c-1", order_count=2).is_first_order
    assert Customer().id is None  # a guest


def test_jpy_and_kwd_carts() -> None:
    ramen = Product("R", "Ramen bowl", Money.of("1280", "JPY"))
    assert Cart("JPY").add(ramen, 3).subtotal == Money(3840, "JPY")  # 1,280 × 3
    dates = Product("D", "Dates 1 kg", Money.of("2.125", "KWD"))
    assert Cart("KWD").add(dates, 2).subtotal == Money.of("4.250", "KWD")  # 2.125 × 2


@given(carts())
def test_cart_survives_json_and_toml(cart: Cart) -> None:
    assert from_json(to_json(cart), Cart) == cart
    assert read_toml(to_toml(cart), Cart) == cart


@given(carts())
def test_subtotal_is_the_sum_of_line_totals(cart: Cart) -> None:
    assert cart.subtotal.minor == sum(
        line.product.unit_price.minor * line.quantity for line in cart.lines
    )


@given(products("EUR"))
def test_product_survives_json(product: Product) -> None:
    assert from_json(to_json(product), Product) == product


@given(customers)
def test_customer_survives_json_and_toml(customer: Customer) -> None:
    assert from_json(to_json(customer), Customer) == customer
    assert read_toml(to_toml(customer), Customer) == customer
