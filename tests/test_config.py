"""The one converter: round trips through JSON, TOML and plain data, strictness and its errors."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from shopkit import (
    Cart,
    ConfigError,
    Customer,
    Line,
    Money,
    Product,
    ShippingOption,
    ShopkitError,
    converter,
    from_dict,
    from_json,
    from_toml,
    sample_cart,
    sample_catalogue,
    sample_customer,
    to_dict,
    to_json,
    to_toml,
)

DATA = Path(__file__).parent / "data"


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


MUG = Product(
    "MUG-1",
    "Enamel mug",
    gbp("6.50"),
    cost=gbp("2.10"),
    min_price=gbp("3.00"),
    categories=["Kitchen", "Mugs"],
    tags=["new", "enamel"],
    attributes={"colour": "red", "brand": "Acme"},
    stock=12,
)
TEAPOT = Product("TEA-2", "Teapot", gbp("24.00"), categories=["Kitchen"])
CART = Cart(
    "GBP",
    [Line(MUG, 3), Line(TEAPOT, 1)],
    shipping_options=[
        ShippingOption("standard", "Standard", gbp("4.95")),
        ShippingOption("express", "Express", gbp("9.95")),
    ],
    shipping_method="express",
    codes=["SUMMER10", "WELCOME"],
    prices_include_tax=False,
)
CUSTOMER = Customer(
    "c-42",
    segments=["vip", "regular"],
    order_count=7,
    loyalty_tier="gold",
    region="EU",
    channel="app",
    attributes={"language": "de"},
)

ROUND_TRIPS = [
    pytest.param(Money.of("19.99", "USD"), Money, id="money-usd"),
    pytest.param(Money.of("1999", "JPY"), Money, id="money-jpy"),
    pytest.param(Money.of("-1.250", "KWD"), Money, id="money-kwd-negative"),
    pytest.param(MUG, Product, id="product-full"),
    pytest.param(TEAPOT, Product, id="product-minimal"),
    pytest.param(CART, Cart, id="cart"),
    pytest.param(Cart("EUR"), Cart, id="cart-empty"),
    pytest.param(CUSTOMER, Customer, id="customer"),
    pytest.param(Customer(), Customer, id="customer-guest"),
]


@attrs.frozen
class Campaign:
    """A small config type of this module's own, to test date-times through the converter."""

    name: str
    starts: dt.datetime


@attrs.frozen
class Rates:
    """Two bare decimals, to see that JSON numbers arrive as exact Decimal values."""

    first: Decimal
    second: Decimal


# Round trips


@pytest.mark.parametrize(("value", "cls"), ROUND_TRIPS)
def test_json_round_trip(value: object, cls: type[Any]) -> None:
    text = to_json(value)
    again = from_json(text, cls)
    assert again == value
    assert type(again) is type(value)
    assert to_json(again) == text


@pytest.mark.parametrize(("value", "cls"), ROUND_TRIPS)
def test_toml_round_trip(value: object, cls: type[Any]) -> None:
    text = to_toml(value)
    again = from_toml(text, cls)
    assert again == value
    assert to_toml(again) == text


@pytest.mark.parametrize(("value", "cls"), ROUND_TRIPS)
def test_dict_round_trip(value: object, cls: type[Any]) -> None:
    data = to_dict(value)
    assert from_dict(data, cls) == value
    # Plain data only: what json.dumps takes without a default= hook.
    assert json.loads(json.dumps(data)) == data


def test_money_is_written_with_a_string_amount() -> None:
    assert to_dict(Money.of("19.99", "USD")) == {"amount": "19.99", "currency": "USD"}
    # The currency's own number of decimals: JPY 0, KWD 3.
    assert to_dict(Money.of("1999", "JPY")) == {"amount": "1999", "currency": "JPY"}
    assert to_dict(Money.of("1.5", "KWD")) == {"amount": "1.500", "currency": "KWD"}
    assert to_json(Money.of("19.99", "USD"), indent=None) == (
        '{"amount": "19.99", "currency": "USD"}'
    )


def test_cart_is_written_as_this_plain_data() -> None:
    mug_price = {"amount": "6.50", "currency": "GBP"}
    assert to_dict(CART) == {
        "currency": "GBP",
        "lines": [
            {
                "product": {
                    "sku": "MUG-1",
                    "name": "Enamel mug",
                    "unit_price": mug_price,
                    "cost": {"amount": "2.10", "currency": "GBP"},
                    "min_price": {"amount": "3.00", "currency": "GBP"},
                    "categories": ["Kitchen", "Mugs"],
                    "tags": ["new", "enamel"],
                    "attributes": {"brand": "Acme", "colour": "red"},
                    "stock": 12,
                },
                "quantity": 3,
            },
            {
                "product": {
                    "sku": "TEA-2",
                    "name": "Teapot",
                    "unit_price": {"amount": "24.00", "currency": "GBP"},
                    "categories": ["Kitchen"],
                },
                "quantity": 1,
            },
        ],
        "shipping_options": [
            {"id": "standard", "name": "Standard", "price": {"amount": "4.95", "currency": "GBP"}},
            {"id": "express", "name": "Express", "price": {"amount": "9.95", "currency": "GBP"}},
        ],
        "shipping_method": "express",
        "codes": ["SUMMER10", "WELCOME"],
        # False is not the default (True), so it is written.
        "prices_include_tax": False,
    }


def test_cart_read_back_from_json_prices_the_same() -> None:
    cart = from_json(to_json(CART), Cart)
    # 3 × 6.50 + 1 × 24.00 = 19.50 + 24.00 = 43.50; express shipping 9.95.
    assert cart.subtotal == gbp("43.50")
    assert cart.shipping == gbp("9.95")
    assert cart.item_count == 4
    assert cart.prices_include_tax is False
    assert cart.codes == ("SUMMER10", "WELCOME")


def test_product_attributes_are_written_sorted() -> None:
    # Given as colour then brand; the product keeps (and writes) them sorted by key.
    assert list(to_dict(MUG)["attributes"]) == ["brand", "colour"]


def test_toml_text_parses_to_the_same_plain_data() -> None:
    # CART has no None field, so TOML (which has no null) carries all of to_dict.
    assert tomllib.loads(to_toml(CART)) == to_dict(CART)


def test_toml_leaves_out_none() -> None:
    # TEAPOT has no cost, min_price or stock: none of them appears in its TOML.
    text = to_toml(TEAPOT)
    assert "cost" not in text
    assert "min_price" not in text
    assert "stock" not in text
    assert tomllib.loads(text) == {
        "sku": "TEA-2",
        "name": "Teapot",
        "categories": ["Kitchen"],
        "unit_price": {"amount": "24.00", "currency": "GBP"},
    }


def test_sample_catalogue_round_trips_as_a_tuple_of_products() -> None:
    catalogue = sample_catalogue()
    assert len(catalogue) == 60
    again = from_json(to_json(catalogue), tuple[Product, ...])
    assert again == catalogue
    assert isinstance(again, tuple)
    assert from_dict(to_dict(catalogue), tuple[Product, ...]) == catalogue


def test_sample_cart_and_customer_round_trip() -> None:
    cart, customer = sample_cart(), sample_customer()
    assert from_json(to_json(cart), Cart) == cart
    assert from_toml(to_toml(cart), Cart) == cart
    assert from_json(to_json(customer), Customer) == customer
    assert from_toml(to_toml(customer), Customer) == customer


def test_read_a_hand_written_toml_cart() -> None:
    cart = from_toml((DATA / "cart.toml").read_text(encoding="utf-8"), Cart)
    lamp, bulb = cart.lines
    assert lamp.product.unit_price == Money.of("39.90", "EUR")
    # cost = { amount = 21.5 } is a TOML float read as Decimal("21.5"): 2150 cents, exactly.
    assert lamp.product.cost == Money(2150, "EUR")
    assert lamp.product.attributes == {"colour": "black"}
    assert lamp.product.stock == 8
    # amount = 4.99 as a TOML float: exactly 499 cents.
    assert bulb.product.unit_price == Money(499, "EUR")
    # 2 × 39.90 + 3 × 4.99 = 79.80 + 14.97 = 94.77; pickup costs 0.00.
    assert cart.subtotal == Money.of("94.77", "EUR")
    assert cart.shipping == Money.zero("EUR")
    assert cart.shipping_method == "pickup"
    assert cart.codes == ("SPRING-24",)
    assert cart.prices_include_tax is False
    assert from_toml(to_toml(cart), Cart) == cart


# JSON numbers are Decimal, never float


def test_json_number_amount_is_exact() -> None:
    # 19.99 as a float is 19.989999999999998436805981327779591083526611328125; as Decimal it is
    # 19.99, so 1999 cents.
    price = from_json('{"amount": 19.99, "currency": "USD"}', Money)
    assert price.minor == 1999
    assert price.amount == Decimal("19.99")


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        # KWD has 3 decimals: 1.5 → 1.500 → 1500 fils.
        ('{"amount": 1.5, "currency": "KWD"}', 1500),
        # JPY has none: 1999 yen is 1999 minor units.
        ('{"amount": 1999, "currency": "JPY"}', 1999),
        # 1e2 = 100 → 100.00 USD → 10000 cents.
        ('{"amount": 1e2, "currency": "USD"}', 10000),
        # 17 significant digits before the point: a float would round it to
        # 12345678901234568 (the nearest double); Decimal keeps every digit.
        ('{"amount": 12345678901234567.89, "currency": "USD"}', 1234567890123456789),
    ],
)
def test_json_numbers_keep_every_digit(text: str, minor: int) -> None:
    assert from_json(text, Money).minor == minor


def test_point_one_plus_point_two_is_point_three() -> None:
    # As floats 0.1 + 0.2 == 0.30000000000000004; read as Decimal they add to exactly 0.3.
    rates = from_json('{"first": 0.1, "second": 0.2}', Rates)
    assert type(rates.first) is Decimal
    assert rates.first + rates.second == Decimal("0.3")
    first, second = from_json(
        '[{"amount": 0.1, "currency": "USD"}, {"amount": 0.2, "currency": "USD"}]',
        tuple[Money, ...],
    )
    # 10 cents + 20 cents = 30 cents.
    assert first + second == Money(30, "USD")


def test_decimals_are_written_as_strings() -> None:
    rates = Rates(Decimal("0.1"), Decimal("2.50"))
    assert to_dict(rates) == {"first": "0.1", "second": "2.50"}
    assert from_json(to_json(rates), Rates) == rates


def test_json_number_with_too_many_decimals_is_an_error_not_a_round() -> None:
    with pytest.raises(ConfigError) as info:
        from_json('{"amount": 19.999, "currency": "USD"}', Money)
    assert info.value.errors == ("amount: 19.999 has more decimals than USD allows (2)",)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(constant: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_json(f'{{"amount": {constant}, "currency": "USD"}}', Money)
    assert info.value.field == "(document)"
    assert constant.lstrip("-") in str(info.value)


# The "29.99 USD" form


def test_money_string_form() -> None:
    assert from_dict("29.99 USD", Money) == Money(2999, "USD")
    assert from_json('"1.250 KWD"', Money) == Money(1250, "KWD")
    assert str(Money.of("29.99", "USD")) == "29.99 USD"
    product = from_json('{"sku": "A-1", "name": "Apron", "unit_price": "29.99 USD"}', Product)
    assert product.unit_price == Money.of("29.99", "USD")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("29.99USD", "(document): '29.99USD' is not of the form '29.99 USD'"),
        ("29.99", "(document): '29.99' is not of the form '29.99 USD'"),
        ("29.999 USD", "amount: 29.999 has more decimals than USD allows (2)"),
        (
            "29.99 usd",
            "currency: 'usd' is not a known ISO 4217 currency code "
            "(currency codes are upper case: 'USD')",
        ),
    ],
    ids=["no-space", "no-currency", "too-many-decimals", "lower-case-currency"],
)
def test_bad_money_strings(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_dict(text, Money)
    assert info.value.errors == (problem,)


# Unknown keys


@pytest.mark.parametrize(
    ("data", "cls", "problem"),
    [
        (
            {"sku": "A", "name": "a", "unit_price": "1.00 GBP", "colour": "red"},
            Product,
            "(document): unknown keys ['colour']",
        ),
        (
            {"amount": "1.00", "currency": "GBP", "note": "x"},
            Money,
            "(document): unknown keys ['note'] in an amount",
        ),
        (
            {
                "currency": "GBP",
                "lines": [{"product": {"sku": "A", "name": "a", "unit_price": "1.00 GBP", "x": 1}}],
            },
            Cart,
            "lines[0].product: unknown keys ['x']",
        ),
        ({"id": "c-1", "email": "a@example.org"}, Customer, "(document): unknown keys ['email']"),
    ],
    ids=["product", "money", "nested-product", "customer"],
)
def test_unknown_keys_are_rejected(data: Any, cls: type[Any], problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_dict(data, cls)
    assert problem in info.value.errors


# Strictness: no coercion


def _cart_with_quantity(quantity: str) -> str:
    return (
        '{"currency": "GBP", "lines": [{"product": {"sku": "A", "name": "a", '
        f'"unit_price": "1.00 GBP"}}, "quantity": {quantity}}}]}}'
    )


@pytest.mark.parametrize("quantity", ['"3"', "2.5", "true", "3.0"])
def test_quantity_must_be_a_json_integer(quantity: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_json(_cart_with_quantity(quantity), Cart)
    error = info.value
    assert error.field == "lines[0].quantity"
    assert error.message.endswith("is not a whole number")


def test_quantity_three_is_fine() -> None:
    assert from_json(_cart_with_quantity("3"), Cart).item_count == 3


@pytest.mark.parametrize(
    ("data", "cls", "problem"),
    [
        ({"sku": "A", "name": 5, "unit_price": "1.00 GBP"}, Product, "name: 5 is not a string"),
        (
            {"sku": "A", "name": "a", "unit_price": "1.00 GBP", "stock": "7"},
            Product,
            "stock: '7' is not a whole number",
        ),
        (
            {"currency": "GBP", "prices_include_tax": "false"},
            Cart,
            "prices_include_tax: 'false' is not true or false",
        ),
        ({"order_count": True}, Customer, "order_count: True is not a whole number"),
        ({"id": 42}, Customer, "id: 42 is not a string"),
    ],
    ids=["name-5", "stock-string", "tax-flag-string", "order-count-true", "id-number"],
)
def test_wrong_types_are_not_coerced(data: Any, cls: type[Any], problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_dict(data, cls)
    assert info.value.errors == (problem,)


@pytest.mark.parametrize(
    ("data", "cls", "field"),
    [
        (
            {"sku": "A", "name": "a", "unit_price": "1.00 GBP", "categories": "Kitchen"},
            Product,
            "categories",
        ),
        ({"sku": "A", "name": "a", "unit_price": "1.00 GBP", "tags": "sale"}, Product, "tags"),
        ({"segments": "vip"}, Customer, "segments"),
        ({"currency": "GBP", "codes": "SUMMER"}, Cart, "codes"),
    ],
    ids=["categories", "tags", "segments", "codes"],
)
def test_a_lone_string_is_not_a_list_of_names(data: Any, cls: type[Any], field: str) -> None:
    # Product(categories="Kitchen") refuses the string; the converter must too, instead of
    # splitting it into the letters ("K", "i", "t", "c", "h", "e", "n").
    with pytest.raises(ConfigError) as info:
        from_dict(data, cls)
    assert info.value.field == field


# Date-times


def test_datetime_with_offset_is_accepted() -> None:
    campaign = from_dict({"name": "Black Friday", "starts": "2026-11-27T09:00:00+01:00"}, Campaign)
    assert campaign.starts == dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    assert campaign.starts.utcoffset() == dt.timedelta(hours=1)


def test_datetime_through_the_shared_converter() -> None:
    campaign = converter.structure({"name": "Sale", "starts": "2026-01-02T00:00:00Z"}, Campaign)
    assert campaign.starts == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def test_datetime_round_trips_with_its_offset() -> None:
    campaign = Campaign(
        "Sale", dt.datetime(2026, 6, 1, 12, 30, tzinfo=dt.timezone(-dt.timedelta(hours=5)))
    )
    assert to_dict(campaign) == {"name": "Sale", "starts": "2026-06-01T12:30:00-05:00"}
    assert from_json(to_json(campaign), Campaign) == campaign


def test_toml_datetime_with_offset_is_accepted() -> None:
    campaign = from_toml('name = "Sale"\nstarts = 2026-11-27T09:00:00+01:00\n', Campaign)
    assert campaign.starts == dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "load",
    [
        pytest.param(
            lambda: from_dict({"name": "Sale", "starts": "2026-11-27T09:00:00"}, Campaign),
            id="json-string",
        ),
        pytest.param(
            lambda: from_toml('name = "Sale"\nstarts = 2026-11-27T09:00:00\n', Campaign),
            id="toml-local-datetime",
        ),
    ],
)
def test_naive_datetime_is_rejected(load: Any) -> None:
    with pytest.raises(ConfigError) as info:
        load()
    assert info.value.field == "starts"
    assert "has no UTC offset" in info.value.message


@pytest.mark.parametrize(
    ("starts", "problem"),
    [
        ("next friday", "starts: 'next friday' is not an ISO 8601 date-time"),
        (20261127, "starts: 20261127 is not an ISO 8601 date-time string"),
    ],
)
def test_not_a_datetime(starts: object, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_dict({"name": "Sale", "starts": starts}, Campaign)
    assert info.value.errors == (problem,)


# Errors: every problem, with its path


def test_every_problem_in_a_cart_is_reported() -> None:
    with pytest.raises(ConfigError) as info:
        from_json((DATA / "bad_cart.json").read_text(encoding="utf-8"), Cart)
    error = info.value
    assert error.errors == (
        "lines[0].product.unit_price: -6.50 GBP is negative",
        "lines[1].quantity: '3' is not a whole number",
    )
    # More than one problem: no single field; the message joins them all.
    assert error.field is None
    assert str(error) == (
        "lines[0].product.unit_price: -6.50 GBP is negative; "
        "lines[1].quantity: '3' is not a whole number"
    )
    assert isinstance(error, ShopkitError)
    assert isinstance(error, ValueError)
    assert error.code == "config"


def test_one_problem_sets_field_and_message() -> None:
    with pytest.raises(ConfigError) as info:
        from_json(_cart_with_quantity('"3"'), Cart)
    error = info.value
    assert error.field == "lines[0].quantity"
    assert error.message == "'3' is not a whole number"
    assert error.errors == ("lines[0].quantity: '3' is not a whole number",)
    assert str(error) == "lines[0].quantity: '3' is not a whole number"


def test_a_cross_field_problem_has_its_path() -> None:
    data = {
        "currency": "EUR",
        "lines": [{"product": {"sku": "A", "name": "a", "unit_price": "1.00 GBP"}, "quantity": 1}],
    }
    with pytest.raises(ConfigError) as info:
        from_dict(data, Cart)
    assert info.value.errors == ("lines[0].product.unit_price.currency: GBP price in a EUR cart",)


def test_a_missing_field_is_named() -> None:
    with pytest.raises(ConfigError) as info:
        from_dict({"sku": "A", "name": "a"}, Product)
    assert info.value.errors == ("unit_price: required field is missing",)


def test_malformed_json_names_line_and_column() -> None:
    # Line 3 is ' "lines": [1,]': the space is column 1, '"lines"' columns 2-8, ':' 9, a space
    # 10, '[' 11, '1' 12, ',' 13, and the ']' where a value is expected is column 14.
    text = '{\n "currency": "GBP",\n "lines": [1,]\n}'
    with pytest.raises(ConfigError) as info:
        from_json(text, Cart)
    error = info.value
    assert error.field == "(document)"
    assert "line 3 column 14" in str(error)


def test_malformed_toml_names_line_and_column() -> None:
    # Line 2 is 'shipping_method = ' (18 characters): the missing value is at column 19.
    text = 'currency = "GBP"\nshipping_method = \n'
    with pytest.raises(ConfigError) as info:
        from_toml(text, Cart)
    error = info.value
    assert error.field == "(document)"
    assert "line 2, column 19" in str(error)


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("[]", Cart),
        ("null", Cart),
        ('"a cart"', Cart),
        ("5", Product),
        ("5", tuple[Product, ...]),
    ],
    ids=["cart-list", "cart-null", "cart-string", "product-number", "catalogue-number"],
)
def test_a_document_of_the_wrong_shape_is_a_config_error(text: str, cls: type[Any]) -> None:
    # Malformed input is a ConfigError about the whole document, never a bare
    # TypeError or AttributeError from inside cattrs.
    with pytest.raises(ConfigError) as info:
        from_json(text, cls)
    assert info.value.field == "(document)"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(sample_catalogue(), id="tuple-of-products"),
        pytest.param((gbp("1.00"), gbp("2.00")), id="tuple-of-money"),
        pytest.param("29.99 USD", id="str"),
    ],
)
def test_to_toml_needs_a_table(value: object) -> None:
    with pytest.raises(ConfigError) as info:
        to_toml(value)
    error = info.value
    assert error.field == "(document)"
    assert "TOML needs a table at the top" in error.message
    assert error.value == type(value).__name__
