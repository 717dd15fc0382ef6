"""What a service reads (``PriceRequest``) and answers (``priced_cart_json``), worked out."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

# jsonschema ships no type hints; unused-ignore keeps mypy quiet if the config ever ignores it.
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from shopkit import (
    Cart,
    ConfigError,
    Customer,
    Money,
    Product,
    ShippingOption,
    ValidationError,
    from_json,
    json_schema,
)
from shopkit.pricing import (
    Amounts,
    Categories,
    CheapestFree,
    Fee,
    FreeShipping,
    Percentage,
    PricedCartJSON,
    PriceRequest,
    Promotion,
    price,
    priced_cart_json,
)
from shopkit.testing.pricing import promotion_sets

from ..strategies import shop_carts

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
LAMP = Product("LAMP", "Lamp", Money.of("40.00", "EUR"), categories=["Home"])
CART = Cart(
    "EUR",
    shipping_options=[ShippingOption("std", "Standard", Money.of("4.90", "EUR"))],
    shipping_method="std",
).add(LAMP, 2)
WELCOME = Promotion("welcome", "10% welcome", Percentage(10), code="WELCOME10")
SHIP = Promotion("ship", "Free shipping", FreeShipping(Amounts.of(EUR="100.00")))
SCHEMA = json_schema(PricedCartJSON)
VALIDATOR = Draft202012Validator(SCHEMA)


# -- the request ---------------------------------------------------------------------------------


def test_a_request_is_read_from_json_and_priced_with_the_shops_half() -> None:
    text = json.dumps(
        {
            "cart": {
                "currency": "EUR",
                "lines": [
                    {
                        "product": {"sku": "LAMP", "name": "Lamp", "unit_price": "40.00 EUR"},
                        "quantity": 2,
                    }
                ],
                "codes": ["spring"],
            },
            "codes": ["welcome-10", "SPRING"],
            "customer": {"id": "c-1", "order_count": 3},
            "at": "2026-11-27T12:00:00+00:00",
        }
    )
    request = from_json(text, PriceRequest)
    # the request's codes count after the cart's; "SPRING" is "spring" again, counted once
    assert request.full_cart.codes == ("spring", "welcome-10", "SPRING")
    priced = request.price([WELCOME], now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert [(code.code, code.status) for code in priced.codes] == [
        ("spring", "unknown"),
        ("welcome-10", "applied"),
    ]
    # 2 × 40.00 = 80.00, less 10 % = 72.00; the request's own moment, not "now"
    assert priced.total == Money.of("72.00", "EUR")
    assert priced.at == NOW


def test_the_request_is_the_same_as_calling_price_directly() -> None:
    fees = [Fee("cod", "Cash on delivery", Amounts.of(EUR="1.50"), payment_methods=["cod"])]
    request = PriceRequest(
        CART, codes=["WELCOME10"], customer=Customer("c-1"), payment_method="cod"
    )
    through = request.price([WELCOME, SHIP], now=NOW, fees=fees)
    direct = price(
        CART.with_code("WELCOME10"),
        [WELCOME, SHIP],
        at=NOW,
        customer=Customer("c-1"),
        fees=fees,
        payment_method="cod",
    )
    assert through == direct
    # 80.00 - 8.00 + 4.90 shipping (72.00 is below 100.00) + 1.50 cash on delivery = 78.40
    assert through.total == Money.of("78.40", "EUR")


def test_a_request_without_a_moment_needs_now() -> None:
    request = PriceRequest(CART)
    assert request.moment(NOW) == NOW
    with pytest.raises(ValidationError) as caught:
        request.price([WELCOME])
    assert (caught.value.field, caught.value.value) == ("at", None)
    with pytest.raises(ValidationError) as naive:
        request.moment(dt.datetime(2026, 11, 27))  # naive: the point of the test
    assert naive.value.field == "now"


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ({"cart": {"currency": "EUR"}, "codes": "WELCOME"}, "codes", "WELCOME"),
        ({"cart": {"currency": "EUR"}, "codes": ["ok", " "]}, "codes[1]", " "),
        ({"cart": {"currency": "EUR"}, "codes": ["A\u202eB"]}, "codes[0]", "A\u202eB"),
        ({"cart": {"currency": "EUR"}, "codes": [7]}, "codes[0]", 7),
        ({"cart": {"currency": "EUR"}, "payment_method": ""}, "payment_method", ""),
        ({"cart": {"currency": "EUR"}, "at": "2026-11-27"}, "at", "2026-11-27"),
        ({"cart": {"currency": "EUR"}, "customer": "c-1"}, "customer", "c-1"),
        ({"cart": {"currency": "eur"}}, "cart.currency", "eur"),
        ({"codes": []}, "cart", {"codes": []}),
        ({"cart": {"currency": "EUR"}, "colour": "red"}, "(document)", ["colour"]),
    ],
)
def test_a_bad_request_names_the_field_and_the_value(
    body: dict[str, Any], field: str, value: object
) -> None:
    with pytest.raises(ConfigError) as caught:
        from_json(json.dumps(body), PriceRequest)
    assert (caught.value.field, caught.value.value) == (field, value)


def test_a_bad_request_built_in_python_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        PriceRequest({"currency": "EUR"})  # type: ignore[arg-type]
    assert caught.value.field == "cart"
    with pytest.raises(ValidationError) as codes:
        PriceRequest(CART, codes=["fine", "bad\x00"])
    assert (codes.value.field, codes.value.value) == ("codes[1]", "bad\x00")


# -- the JSON form ---------------------------------------------------------------------------------


def test_the_json_form_of_a_worked_example() -> None:
    priced = PriceRequest(CART, codes=["welcome-10", "SPRING"], at=NOW).price([WELCOME, SHIP])
    answer = priced_cart_json(priced)
    # 2 × 40.00 = 80.00; 10 % off = 8.00; 72.00 is 28.00 short of free shipping at 100.00, so
    # shipping stays 4.90: 80.00 - 8.00 + 4.90 = 76.90
    assert {key: answer[key] for key in ("subtotal", "discount", "shipping", "total")} == {
        "subtotal": "80.00",
        "discount": "8.00",
        "shipping": "4.90",
        "total": "76.90",
    }
    assert answer["version"] == 1
    assert answer["currency"] == "EUR"
    assert answer["at"] == "2026-11-27T12:00:00+00:00"
    assert answer["lines"] == [
        {
            "sku": "LAMP",
            "name": "Lamp",
            "quantity": 2,
            "unit_price": "40.00",
            "subtotal": "80.00",
            "discount": "8.00",
            "total": "72.00",
            "gift": False,
            "adjustments": [
                {"promotion_id": "welcome", "level": "order", "amount": "8.00", "units": 0}
            ],
            "unit_prices": [{"price": "36.00", "count": 2}],
        }
    ]
    assert answer["not_applied"][0]["nudge"] == {
        "promotion_id": "ship",
        "missing_amount": "28.00",
        "missing_units": None,
        "selector": None,
        "unlocks": "free shipping",
        "reward": False,
        "message": "add 28.00 EUR more for free shipping",
    }
    assert answer["codes"][1] == {
        "code": "SPRING",
        "status": "unknown",
        "message": "this code is not valid",
        "promotion_id": None,
    }
    assert (answer["fees"], answer["choice"], answer["fee_total"]) == ([], None, "0.00")
    assert VALIDATOR.is_valid(answer)


def test_amounts_have_the_currencys_decimals_and_a_units_nudge_its_selector() -> None:
    cup = Product("CUP", "Cup", Money.of("1000", "JPY"), categories=["Tea"])
    deal = Promotion("3for2", "3 for 2", CheapestFree(Categories(["Tea"]), 3))
    answer = priced_cart_json(price(Cart("JPY").add(cup, 2), [deal], at=NOW))
    # 2 × 1000 JPY, no decimals; one more cup from Tea gets one free
    assert (answer["currency"], answer["total"], answer["lines"][0]["unit_price"]) == (
        "JPY",
        "2000",
        "1000",
    )
    nudge = answer["not_applied"][0]["nudge"]
    assert (nudge["missing_amount"], nudge["missing_units"]) == (None, 1)
    assert nudge["selector"] == {"type": "categories", "categories": ["Tea"]}
    assert VALIDATOR.is_valid(answer)


def test_the_json_form_refuses_what_is_not_a_priced_cart() -> None:
    with pytest.raises(ValidationError) as caught:
        priced_cart_json(CART)  # type: ignore[arg-type]
    assert caught.value.field == "priced"


def test_every_key_of_the_form_is_required_by_its_schema() -> None:
    for name, definition in SCHEMA["$defs"].items():
        if name.endswith("JSON"):
            assert sorted(definition["required"]) == sorted(definition["properties"]), name
            assert definition["additionalProperties"] is False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cart=shop_carts(), promotions=promotion_sets())
def test_the_json_form_passes_its_schema_reads_back_and_adds_up(
    cart: Cart, promotions: list[Promotion]
) -> None:
    priced = price(cart, promotions, at=NOW)
    answer = priced_cart_json(priced)
    errors = [error.message for error in VALIDATOR.iter_errors(answer)]
    assert not errors, errors
    assert from_json(json.dumps(answer), PricedCartJSON) == PricedCartJSON.of(priced)
    # every key of every object is there, whatever is at its default
    assert list(answer) == [field.name for field in attrs.fields(PricedCartJSON)]
    total = (
        Decimal(answer["subtotal"])
        - Decimal(answer["discount"])
        + Decimal(answer["shipping"])
        + Decimal(answer["fee_total"])
    )
    assert total == Decimal(answer["total"]) == priced.total.amount
    assert sum(Decimal(line["total"]) for line in answer["lines"]) == (
        Decimal(answer["subtotal"]) - Decimal(answer["discount"])
    )
    nudges = [item["nudge"] for item in answer["not_applied"] if item["nudge"] is not None]
    assert [nudge["message"] for nudge in nudges] == [n.message for n in priced.nudges]
