"""Bounds on input, document limits, and structured errors a service returns as they are."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkit import (
    Cart,
    ConfigError,
    CurrencyMismatchError,
    DocumentLimits,
    Line,
    Money,
    NotFittedError,
    PrecisionError,
    Product,
    QuantityError,
    ShopkitError,
    UnknownPluginError,
    ValidationError,
    from_dict,
    from_json,
    from_toml,
    to_decimal,
)
from shopkit._model import MAX_QUANTITY
from shopkit._money import MAX_MINOR
from shopkit.errors import NotFoundError, location

LAMP = Product("LAMP", "Lamp", Money.of("40.00", "EUR"))

# -- bounds on amounts and quantities ------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["1e70", "-1e70", "1E18", "1000000000000000000", "999999999999999999999.5"]
)
def test_amounts_of_10_to_the_18_or_more_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Money.of(text, "EUR")
    assert (caught.value.field, caught.value.value) == ("amount", text)


def test_the_largest_amount_is_kept_exactly_and_printed_plainly() -> None:
    # 10^18 - 0.01 EUR: 17 nines before the point and .99 after, 100 times over stays exact
    top = Money.of("999999999999999999.99", "EUR")
    assert str(top) == "999999999999999999.99 EUR"
    assert str(top * 100) == "99999999999999999999.00 EUR"  # a sum past the bound prints too


def test_money_past_max_minor_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Money(MAX_MINOR + 1, "EUR")
    assert caught.value.field == "minor"
    assert Money(-MAX_MINOR, "JPY").minor == -MAX_MINOR


@pytest.mark.parametrize(
    "text",
    [
        "١٢٣",  # Arabic-Indic digits, which Decimal() reads as 123
        "１２３",  # full-width digits
        "12\u0663",  # a mix
        "1_000",
        "१२",  # Devanagari
        "12.5.1",
        "--1",
        "0x10",
    ],
)
def test_only_ascii_digits_make_an_amount(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(text)
    assert caught.value.value == text


@given(st.integers(MAX_QUANTITY + 1, 10**80))
def test_quantities_past_the_bound_are_refused(quantity: int) -> None:
    with pytest.raises(QuantityError) as caught:
        Line(LAMP, quantity)
    assert (caught.value.field, caught.value.value) == ("quantity", quantity)


def test_the_largest_quantity_prices_exactly() -> None:
    # 1,000,000 lamps at 40.00 = 40,000,000.00
    assert str(Line(LAMP, MAX_QUANTITY).total) == "40000000.00 EUR"
    with pytest.raises(QuantityError):
        Cart("EUR").add(LAMP, MAX_QUANTITY).add(LAMP)  # merged: one past the bound


@pytest.mark.parametrize(
    "sku", ["A\x00", "A\x07B", "A\u202eB", "\u2066A", "A\u200bB", "A\nB", "A\u2028"]
)
def test_control_and_bidirectional_characters_in_a_sku_are_refused(sku: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Product(sku, "Lamp", Money.of("1", "EUR"))
    assert (caught.value.field, caught.value.value) == ("sku", sku)


@pytest.mark.parametrize("code", ["WELCOME\u202e", "WEL\x00COME", "\u200fWELCOME"])
def test_control_characters_in_entered_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Cart("EUR", codes=["OK", code])
    assert (caught.value.field, caught.value.value) == ("codes[1]", code)


def test_two_different_products_under_one_sku_are_refused() -> None:
    other = Product("LAMP", "Lamp (seconds)", Money.of("20.00", "EUR"))
    with pytest.raises(ValidationError) as caught:
        Cart("EUR").add(LAMP).add(other)
    assert (caught.value.field, caught.value.value) == ("lines[1].product.sku", "LAMP")
    # the same product on two lines is one product, and allowed
    assert len(Cart("EUR", [Line(LAMP, 1), Line(LAMP, 2)]).lines) == 2


# -- document limits -----------------------------------------------------------------------------


def test_a_document_nested_10000_deep_is_a_config_error_not_a_recursion_error() -> None:
    deep = '{"all_of": ' * 10_000 + "1" + "}" * 10_000
    with pytest.raises(ConfigError) as caught:
        from_json(deep, dict)
    assert "nested" in caught.value.message
    data: object = 1
    for _ in range(10_000):
        data = [data]
    with pytest.raises(ConfigError) as caught:
        from_dict(data, list)
    assert caught.value.message == "nested deeper than 64 levels"
    toml = "a = " + "[" * 10_000 + "]" * 10_000
    with pytest.raises(ConfigError):
        from_toml(toml, dict)


def test_too_many_items_fail_fast_and_the_limit_can_be_raised() -> None:
    many = [{"sku": f"S{n}", "name": "x", "unit_price": "1.00 EUR"} for n in range(300)]
    # 300 objects of 3 keys and the list of 300: 1,200 items, past a limit of 1,000
    with pytest.raises(ConfigError) as caught:
        from_dict(many, list[Product], limits=DocumentLimits(max_items=1_000))
    assert isinstance(caught.value.value, int)
    assert caught.value.value > 1_000
    assert len(from_dict(many, list[Product], limits=DocumentLimits(max_items=1_200))) == 300


def test_too_long_a_text_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(ConfigError) as caught:
        from_json("[" + "1," * 600 + "1]", list, limits=DocumentLimits(max_bytes=1_000))
    assert caught.value.value == 1_203


@pytest.mark.parametrize("bad", [0, -1, True, "64", 2.5])
def test_limits_are_positive_whole_numbers(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        DocumentLimits(max_depth=bad)  # type: ignore[arg-type]
    assert caught.value.field == "max_depth"


# -- structured problems ---------------------------------------------------------------------


def test_location_reads_paths_with_indexes() -> None:
    assert location("lines[2].product.unit_price.amount") == [
        "lines",
        2,
        "product",
        "unit_price",
        "amount",
    ]
    assert location("promotions[summer].condition") == ["promotions", "summer", "condition"]


def test_a_document_with_three_problems_lists_three_structured_problems() -> None:
    document = json.dumps(
        {
            "currency": "EUR",
            "lines": [
                {"product": {"sku": "A", "name": "Lamp", "unit_price": "2.555 EUR"}, "quantity": 1},
                {"product": {"sku": "B", "name": "Mug", "unit_price": "1.00 EUR"}, "quantity": 0},
            ],
            "colour": "red",
        }
    )
    with pytest.raises(ConfigError) as caught:
        from_json(document, Cart)
    problems = sorted(caught.value.problems, key=lambda p: p["loc"] != ["colour"])
    assert problems[0] == {
        "loc": [],
        "msg": "unknown keys ['colour']",
        "type": "unknown_keys",
        "input": ["colour"],
    } or any(p["type"] == "unknown_keys" for p in problems)
    by_type = {p["type"]: p for p in caught.value.problems}
    assert by_type["precision"]["loc"] == ["lines", 0, "product", "unit_price", "amount"]
    assert by_type["quantity"]["loc"] == ["lines", 1, "quantity"]
    assert by_type["quantity"]["input"] == 0
    assert all(p["input"] is not None for p in caught.value.problems)


def test_values_are_shown_as_written() -> None:
    with pytest.raises(ConfigError) as caught:
        from_json('{"amount": 2.555, "currency": "EUR"}', Money)
    [problem] = caught.value.problems
    assert "Decimal(" not in problem["msg"]
    assert problem["msg"].startswith("2.555 ")
    assert problem["input"] == Decimal("2.555")
    assert caught.value.to_json_dict()["problems"][0]["input"] == "2.555"


def test_at_prefixes_every_problem() -> None:
    products = [
        {"sku": "A", "name": "Lamp", "unit_price": "2.555 EUR"},
        {"sku": "B", "name": "Mug", "unit_price": "a lot"},
    ]
    with pytest.raises(ConfigError) as caught:
        from_dict(products, list[Product])
    moved = caught.value.at("catalogue")
    assert [p["loc"][:3] for p in moved.problems] == [
        ["catalogue", 0, "unit_price"],
        ["catalogue", 1, "unit_price"],
    ]
    assert all(e.startswith("catalogue[") for e in moved.errors)
    single = ValidationError("is negative", field="amount", value=Decimal("-1")).at("price")
    assert single.problems == [
        {"loc": ["price", "amount"], "msg": "is negative", "type": "validation", "input": -1}
    ]


def test_a_missing_field_names_the_object_it_is_missing_from() -> None:
    with pytest.raises(ConfigError) as caught:
        from_dict({"sku": "A", "unit_price": "1.00 EUR"}, Product)
    [problem] = caught.value.problems
    assert problem["type"] == "missing"
    assert problem["input"] is not None


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ValidationError("x"), 422),
        (PrecisionError("x"), 422),
        (QuantityError("x"), 422),
        (ConfigError("x"), 422),
        (CurrencyMismatchError("x"), 422),
        (UnknownPluginError("x"), 422),
        (NotFoundError("x"), 404),
        (NotFittedError("x"), 409),
        (ShopkitError("x"), 400),
    ],
)
def test_each_error_kind_carries_its_http_status(error: ShopkitError, status: int) -> None:
    assert error.http_status == status
    assert error.to_json_dict()["status"] == status


def test_pricing_errors_carry_their_status() -> None:
    from shopkit.pricing import CheckoutError, LimitReachedError, ReservationError, StoreError

    assert (CheckoutError.http_status, LimitReachedError.http_status) == (409, 409)
    assert (ReservationError.http_status, StoreError.http_status) == (409, 503)


def test_a_json_body_carries_moments_and_amounts_as_text() -> None:
    moment = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    body = ValidationError("too late", field="at", value=moment).to_json_dict()
    assert body == {
        "type": "validation",
        "status": 422,
        "message": "at: too late",
        "problems": [
            {"loc": ["at"], "msg": "too late", "type": "validation", "input": moment.isoformat()}
        ],
    }
    json.dumps(body)
