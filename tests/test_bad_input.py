"""Bad input: every public entry point refuses it with a shopkit error naming field and value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import attrs
import pytest

from shopkit import (
    Cart,
    ConfigError,
    CurrencyError,
    CurrencyMismatchError,
    Customer,
    Line,
    Money,
    NotFittedError,
    PluginError,
    PrecisionError,
    Product,
    QuantityError,
    Registry,
    ShippingOption,
    ShopkitError,
    UnknownPluginError,
    ValidationError,
    allocate,
    to_dict,
)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


MUG = Product("MUG-1", "Enamel mug", gbp("6.50"))
STANDARD = ShippingOption("standard", "Standard", gbp("4.95"))


class Kind:
    """The base of an empty plugin group, to ask it for a name it does not have."""


class Case(NamedTuple):
    """One bad input: the call, and what the error must say."""

    call: Callable[[], object]
    error: type[ShopkitError]
    field: str
    value: object
    shown: str | None = None  # text str(error) must contain; str(value) when None


CASES = {
    # Money.of
    "of-float": Case(lambda: Money.of(19.99, "USD"), ValidationError, "amount", 19.99),  # type: ignore[arg-type]
    "of-too-many-decimals": Case(
        lambda: Money.of("1.999", "USD"), PrecisionError, "amount", "1.999"
    ),
    "of-not-a-number": Case(lambda: Money.of("abc", "USD"), ValidationError, "amount", "abc"),
    "of-nan": Case(lambda: Money.of("NaN", "USD"), ValidationError, "amount", "NaN"),
    "of-infinity": Case(lambda: Money.of("Infinity", "USD"), ValidationError, "amount", "Infinity"),
    "of-underscores": Case(lambda: Money.of("1_000", "USD"), ValidationError, "amount", "1_000"),
    "of-unknown-currency": Case(lambda: Money.of("1", "XYZ"), CurrencyError, "currency", "XYZ"),
    "of-lowercase-currency": Case(lambda: Money.of("1", "usd"), CurrencyError, "currency", "usd"),
    "parse-no-space": Case(lambda: Money.parse("29.99USD"), ValidationError, "money", "29.99USD"),
    # Money(...)
    "minor-float": Case(lambda: Money(1.5, "USD"), ValidationError, "minor", 1.5),  # type: ignore[arg-type]
    "minor-bool": Case(lambda: Money(True, "USD"), ValidationError, "minor", True),
    "minor-currency-number": Case(lambda: Money(100, 840), CurrencyError, "currency", 840),  # type: ignore[arg-type]
    # Arithmetic across currencies
    "add-usd-eur": Case(
        lambda: usd("1.00") + Money.of("1.00", "EUR"), CurrencyMismatchError, "currency", "EUR"
    ),
    "subtract-usd-eur": Case(
        lambda: usd("1.00") - Money.of("1.00", "EUR"), CurrencyMismatchError, "currency", "EUR"
    ),
    "compare-usd-eur": Case(
        lambda: usd("1.00") < Money.of("2.00", "EUR"), CurrencyMismatchError, "currency", "EUR"
    ),
    "scale-float": Case(lambda: usd("1.00").scale(0.5), ValidationError, "factor", 0.5),  # type: ignore[arg-type]
    "percent-not-a-number": Case(
        lambda: usd("1.00").percent("ten"), ValidationError, "percent", "ten"
    ),
    # Product
    "product-negative-price": Case(
        lambda: Product("A", "a", gbp("-1.00")), ValidationError, "unit_price", "-1.00 GBP"
    ),
    "product-price-not-money": Case(
        lambda: Product("A", "a", "1.00"),  # type: ignore[arg-type]
        ValidationError,
        "unit_price",
        "1.00",
    ),
    "product-empty-sku": Case(
        lambda: Product("", "a", gbp("1.00")), ValidationError, "sku", "", shown="''"
    ),
    "product-blank-name": Case(
        lambda: Product("A", "  ", gbp("1.00")), ValidationError, "name", "  ", shown="'  '"
    ),
    "product-categories-string": Case(
        lambda: Product("A", "a", gbp("1.00"), categories="Kitchen"),
        ValidationError,
        "categories",
        "Kitchen",
    ),
    "product-empty-tag": Case(
        lambda: Product("A", "a", gbp("1.00"), tags=["new", ""]),
        ValidationError,
        "tags[1]",
        "",
        shown="''",
    ),
    "product-attribute-not-string": Case(
        lambda: Product("A", "a", gbp("1.00"), attributes={"size": 5}),  # type: ignore[dict-item]
        ValidationError,
        "attributes.size",
        5,
    ),
    "product-negative-stock": Case(
        lambda: Product("A", "a", gbp("1.00"), stock=-3), QuantityError, "stock", -3
    ),
    "product-cost-other-currency": Case(
        lambda: Product("A", "a", gbp("1.00"), cost=Money.of("0.50", "EUR")),
        CurrencyMismatchError,
        "cost.currency",
        "EUR",
    ),
    "product-min-price-other-currency": Case(
        lambda: Product("A", "a", gbp("1.00"), min_price=usd("0.50")),
        CurrencyMismatchError,
        "min_price.currency",
        "USD",
    ),
    # Line
    "line-quantity-0": Case(lambda: Line(MUG, 0), QuantityError, "quantity", 0),
    "line-quantity-negative": Case(lambda: Line(MUG, -1), QuantityError, "quantity", -1),
    "line-quantity-fraction": Case(lambda: Line(MUG, 2.5), QuantityError, "quantity", 2.5),  # type: ignore[arg-type]
    "line-quantity-bool": Case(lambda: Line(MUG, True), QuantityError, "quantity", True),
    "line-quantity-decimal": Case(
        lambda: Line(MUG, Decimal("2")),  # type: ignore[arg-type]
        QuantityError,
        "quantity",
        Decimal("2"),
    ),
    "line-product-not-a-product": Case(
        lambda: Line("MUG-1", 1),  # type: ignore[arg-type]
        ValidationError,
        "product",
        "MUG-1",
    ),
    # ShippingOption and Cart
    "shipping-negative-price": Case(
        lambda: ShippingOption("s", "S", gbp("-4.95")), ValidationError, "price", "-4.95 GBP"
    ),
    "cart-unknown-currency": Case(lambda: Cart("XXY"), CurrencyError, "currency", "XXY"),
    "cart-line-other-currency": Case(
        lambda: Cart("EUR", [Line(MUG, 1)]),
        CurrencyMismatchError,
        "lines[0].product.unit_price.currency",
        "GBP",
    ),
    "cart-shipping-other-currency": Case(
        lambda: Cart("EUR", shipping_options=[STANDARD]),
        CurrencyMismatchError,
        "shipping_options[0].price.currency",
        "GBP",
    ),
    "cart-duplicate-shipping-ids": Case(
        lambda: Cart(
            "GBP",
            shipping_options=[STANDARD, ShippingOption("standard", "Other", gbp("1.00"))],
        ),
        ValidationError,
        "shipping_options[1].id",
        "standard",
    ),
    "cart-method-not-an-option": Case(
        lambda: Cart("GBP", shipping_options=[STANDARD], shipping_method="express"),
        ValidationError,
        "shipping_method",
        "express",
    ),
    "cart-lines-not-a-list": Case(
        lambda: Cart("GBP", lines=5),
        ValidationError,
        "lines",
        5,
    ),
    "cart-lines-a-string": Case(
        lambda: Cart("GBP", lines="MUG-1"),
        ValidationError,
        "lines",
        "MUG-1",
    ),
    "cart-line-not-a-line": Case(
        lambda: Cart("GBP", lines=[Line(MUG, 1), "MUG-1"]),
        ValidationError,
        "lines[1]",
        "MUG-1",
    ),
    "cart-tax-flag-string": Case(
        lambda: Cart("GBP", prices_include_tax="yes"),  # type: ignore[arg-type]
        ValidationError,
        "prices_include_tax",
        "yes",
    ),
    "cart-empty-code": Case(
        lambda: Cart("GBP").with_code(" "), ValidationError, "codes[0]", " ", shown="' '"
    ),
    # Customer
    "customer-negative-order-count": Case(
        lambda: Customer("c-1", order_count=-1), QuantityError, "order_count", -1
    ),
    "customer-empty-segment": Case(
        lambda: Customer("c-1", segments=["vip", ""]),
        ValidationError,
        "segments[1]",
        "",
        shown="''",
    ),
    # allocate
    "allocate-no-weights": Case(
        # Nothing to print for an empty list; the message says what is wrong with it.
        lambda: allocate(gbp("1.00"), []),
        ValidationError,
        "weights",
        [],
        shown="no parts to allocate over",
    ),
    "allocate-negative-weight": Case(
        lambda: allocate(gbp("1.00"), [1, -2]), ValidationError, "weights[1]", "-2"
    ),
    "allocate-float-weight": Case(
        lambda: allocate(gbp("1.00"), [1, 0.5]),  # type: ignore[list-item]
        ValidationError,
        "weights[1]",
        0.5,
    ),
    "allocate-all-weights-zero": Case(
        lambda: allocate(gbp("1.00"), [0, 0]),
        ValidationError,
        "weights",
        ["0", "0"],
        shown="all weights are zero",
    ),
    "allocate-caps-too-small": Case(
        # The caps sum to 1.00 + 2.00 = 3.00 GBP, less than the 10.00 GBP to spread.
        lambda: allocate(gbp("10.00"), [1, 1], caps=[gbp("1.00"), gbp("2.00")]),
        ValidationError,
        "caps",
        "10.00 GBP",
    ),
    "allocate-caps-wrong-length": Case(
        # The value is the number of caps given (1) against 2 weights.
        lambda: allocate(gbp("10.00"), [1, 1], caps=[gbp("10.00")]),
        ValidationError,
        "caps",
        1,
        shown="1 caps for 2 weights",
    ),
    "allocate-negative-cap": Case(
        lambda: allocate(gbp("1.00"), [1, 1], caps=[gbp("1.00"), gbp("-1.00")]),
        ValidationError,
        "caps[1]",
        "-1.00 GBP",
    ),
    "allocate-cap-other-currency": Case(
        lambda: allocate(gbp("10.00"), [1, 1], caps=[gbp("10.00"), Money.of("10.00", "EUR")]),
        CurrencyMismatchError,
        "caps[1].currency",
        "EUR",
    ),
    "allocate-weight-other-currency": Case(
        lambda: allocate(gbp("10.00"), [gbp("1.00"), usd("1.00")]),
        CurrencyMismatchError,
        "weights[1].currency",
        "USD",
    ),
    "allocate-keys-wrong-length": Case(
        lambda: allocate(gbp("10.00"), [1, 1], keys=["a"]),
        ValidationError,
        "keys",
        1,
        shown="1 keys for 2 weights",
    ),
    # Plugins
    "plugin-unknown-name": Case(
        lambda: Registry("shopkit.tests.bad_input_kinds", Kind).get("bogus"),
        UnknownPluginError,
        "type",
        "bogus",
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_names_field_and_value(case: Case) -> None:
    with pytest.raises(case.error) as info:
        case.call()
    error = info.value
    assert type(error) is case.error
    assert error.field == case.field
    assert error.value == case.value
    assert type(error.value) is type(case.value)
    text = str(error)
    assert text.startswith(f"{case.field}: ")
    assert (case.shown if case.shown is not None else str(case.value)) in text
    # A caller that catches the builtin catches it too.
    assert isinstance(error, LookupError if isinstance(error, PluginError) else ValueError)


def test_there_are_at_least_25_distinct_bad_inputs() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (ValidationError, (ShopkitError, ValueError)),
        (CurrencyError, (ValidationError, ShopkitError, ValueError)),
        (PrecisionError, (ValidationError, ShopkitError, ValueError)),
        (QuantityError, (ValidationError, ShopkitError, ValueError)),
        (CurrencyMismatchError, (ShopkitError, ValueError)),
        (ConfigError, (ShopkitError, ValueError)),
        (PluginError, (ShopkitError, LookupError)),
        (UnknownPluginError, (PluginError, ShopkitError, LookupError)),
        (NotFittedError, (ShopkitError, ValueError, AttributeError)),
    ],
)
def test_error_tree(error: type[ShopkitError], bases: tuple[type[Exception], ...]) -> None:
    assert all(issubclass(error, base) for base in bases)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ShopkitError, "shopkit"),
        (ValidationError, "validation"),
        (CurrencyError, "currency"),
        (PrecisionError, "precision"),
        (QuantityError, "quantity"),
        (CurrencyMismatchError, "currency_mismatch"),
        (ConfigError, "config"),
        (PluginError, "plugin"),
        (UnknownPluginError, "unknown_plugin"),
        (NotFittedError, "not_fitted"),
    ],
)
def test_error_codes_are_stable(error: type[ShopkitError], code: str) -> None:
    assert error.code == code


def test_multiplying_money_by_a_float_is_a_type_error() -> None:
    # Money * 1.5 is a programming error, not bad input: the code asks for a float product
    # where an exact, named rounding is needed (Money.scale). Python raises TypeError for
    # operands a type does not support ("a" * 1.5), and so does Money; the message points to
    # the right call.
    with pytest.raises(TypeError, match=r"Money\.scale\(\)"):
        usd("1.00") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        usd("1.00") * Decimal("1.5")  # type: ignore[operator]
    with pytest.raises(TypeError):
        usd("1.00") + 1  # type: ignore[operator]


def test_equal_amounts_in_different_currencies_are_not_equal() -> None:
    # == is not an ordering, so it answers instead of raising: 1.00 USD is not 1.00 EUR.
    assert usd("1.00") != Money.of("1.00", "EUR")


# A failed call changes nothing


def test_failed_add_leaves_the_cart_unchanged() -> None:
    cart = Cart("GBP", [Line(MUG, 2)], shipping_options=[STANDARD], shipping_method="standard")
    before = to_dict(cart)
    with pytest.raises(QuantityError):
        cart.add(MUG, 0)  # joins the existing line: still refused
    with pytest.raises(QuantityError):
        cart.add(MUG, -2)  # would take the line from 2 to 0
    teapot = Product("TEA-2", "Teapot", gbp("24.00"))
    with pytest.raises(QuantityError):
        cart.add(teapot, 0)  # a new line
    assert to_dict(cart) == before
    assert cart.lines == (Line(MUG, 2),)
    # 2 × 6.50 = 13.00, as before the failed calls.
    assert cart.subtotal == gbp("13.00")


def test_failed_choices_leave_the_cart_unchanged() -> None:
    cart = Cart("GBP", [Line(MUG, 1)], shipping_options=[STANDARD], shipping_method="standard")
    before = to_dict(cart)
    with pytest.raises(ValidationError):
        cart.with_shipping("express")
    with pytest.raises(ValidationError):
        cart.with_code("")
    with pytest.raises(CurrencyMismatchError):
        cart.add(Product("A", "a", usd("1.00")))
    assert to_dict(cart) == before
    assert cart.shipping == gbp("4.95")


def test_failed_allocate_leaves_its_arguments_unchanged() -> None:
    weights: list[int | Decimal | Money] = [1, 2]
    caps = [gbp("1.00"), gbp("2.00")]
    with pytest.raises(ValidationError):
        allocate(gbp("10.00"), weights, caps=caps)
    assert weights == [1, 2]
    assert caps == [gbp("1.00"), gbp("2.00")]


def test_failed_registration_leaves_the_registry_unchanged() -> None:
    registry: Registry[Kind] = Registry("shopkit.tests.bad_input_registry", Kind)

    @attrs.frozen
    class First(Kind):
        pass

    @attrs.frozen
    class Second(Kind):
        pass

    registry.register("first")(First)
    with pytest.raises(PluginError):
        registry.register("first")(Second)
    with pytest.raises(PluginError):
        registry.register("second")(int)  # type: ignore[arg-type]
    assert registry.names() == ("first",)
    assert registry.get("first") is First


def test_values_are_frozen() -> None:
    cart = Cart("GBP", [Line(MUG, 1)])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cart.lines = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        MUG.attributes["colour"] = "red"  # type: ignore[index]
    assert cart.lines == (Line(MUG, 1),)
    assert dict(MUG.attributes) == {}
