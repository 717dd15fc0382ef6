"""JSON Schema of the config types: valid draft 2020-12, and it agrees with the converter."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import pytest

# jsonschema ships no type hints; unused-ignore keeps mypy quiet if the config ever ignores it.
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from shopkit import (
    Cart,
    ConfigError,
    Customer,
    Line,
    Money,
    Product,
    Registry,
    ShippingOption,
    from_dict,
    from_json,
    json_schema,
    register_kind,
    to_dict,
    to_json,
)
from shopkit.cli import SCHEMA_TYPES, main
from shopkit.pricing import PricedCartJSON, PriceRequest

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def validator_for(cls: Any) -> Any:
    """A draft 2020-12 validator of ``cls``'s schema, after checking the schema itself."""
    schema = json_schema(cls)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` anywhere in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


MUG = Product(
    "MUG-1",
    "Enamel mug",
    gbp("6.50"),
    cost=gbp("2.10"),
    categories=["Kitchen"],
    tags=["new"],
    attributes={"colour": "red"},
    stock=0,
)
CART = Cart(
    "GBP",
    [Line(MUG, 2), Line(Product("TEA-2", "Teapot", gbp("24.00")), 1)],
    shipping_options=[ShippingOption("standard", "Standard", gbp("4.95"))],
    shipping_method="standard",
    codes=["SUMMER10"],
    prices_include_tax=False,
)

TYPES = [
    pytest.param(Cart, id="cart"),
    pytest.param(Product, id="product"),
    pytest.param(Customer, id="customer"),
    pytest.param(Money, id="money"),
    pytest.param(tuple[Product, ...], id="catalogue"),
    pytest.param(PriceRequest, id="price-request"),
    pytest.param(PricedCartJSON, id="priced-cart-json"),
]


@pytest.mark.parametrize("cls", TYPES)
def test_schema_is_draft_2020_12(cls: Any) -> None:
    schema = json_schema(cls)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT


@pytest.mark.parametrize("cls", TYPES)
def test_every_ref_points_to_a_definition(cls: Any) -> None:
    schema = json_schema(cls)
    found = set(refs(schema))
    assert found, "every config type here refers to at least one definition"
    for ref in found:
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in schema["$defs"]


def test_cart_schema_shape() -> None:
    schema = json_schema(Cart)
    assert schema["$ref"] == "#/$defs/Cart"
    cart = schema["$defs"]["Cart"]
    assert cart["required"] == ["currency"]
    assert cart["additionalProperties"] is False
    assert cart["properties"]["lines"] == {"type": "array", "items": {"$ref": "#/$defs/Line"}}
    line = schema["$defs"]["Line"]
    assert line["properties"]["quantity"] == {"type": "integer", "minimum": 1}
    assert line["required"] == ["product", "quantity"]


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("cart.json", Cart),
        ("catalogue.json", tuple[Product, ...]),
        ("customer.json", Customer),
    ],
)
def test_shipped_data_validates(name: str, cls: Any) -> None:
    text = files("shopkit").joinpath("data", name).read_text(encoding="utf-8")
    validator_for(cls).validate(json.loads(text))
    from_json(text, cls)  # and the converter reads it too


@pytest.mark.parametrize(
    ("value", "cls"),
    [
        pytest.param(CART, Cart, id="cart"),
        pytest.param(Cart("JPY"), Cart, id="cart-empty"),
        pytest.param(MUG, Product, id="product"),
        pytest.param(Product("A-1", "Apron", Money.of("1999", "JPY")), Product, id="product-jpy"),
        pytest.param(
            Customer("c-1", segments=["vip"], order_count=2, loyalty_tier="gold", region="EU"),
            Customer,
            id="customer",
        ),
        pytest.param(Customer(), Customer, id="customer-guest"),
        pytest.param(Money.of("1.999", "KWD"), Money, id="money-kwd"),
        pytest.param(Money.of("-5.00", "EUR"), Money, id="money-negative"),
        pytest.param((MUG, MUG), tuple[Product, ...], id="catalogue"),
    ],
)
def test_to_json_output_validates(value: object, cls: Any) -> None:
    validator_for(cls).validate(json.loads(to_json(value)))


@pytest.mark.parametrize(
    "payload",
    [
        "29.99 USD",
        {"amount": "29.99", "currency": "USD"},
        {"amount": 29.99, "currency": "USD"},  # a JSON number, as from_json reads it
        {"amount": 30, "currency": "JPY"},
    ],
    ids=["string", "object", "object-number", "object-integer"],
)
def test_money_forms_validate(payload: object) -> None:
    assert validator_for(Money).is_valid(payload)


@pytest.mark.parametrize(
    "payload",
    [
        "29.99USD",
        "29.99 usd",
        {"amount": "abc", "currency": "USD"},
        {"amount": "29.99"},
        {"amount": "29.99", "currency": "USD", "note": "x"},
        True,
    ],
    ids=["no-space", "lower-case", "not-a-number", "no-currency", "extra-key", "bool"],
)
def test_bad_money_is_rejected_by_the_schema(payload: object) -> None:
    assert not validator_for(Money).is_valid(payload)


def _set(path: tuple[str | int, ...], value: object) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return change


def _delete(path: tuple[str | int, ...]) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]

    return change


PRODUCT_0 = ("lines", 0, "product")
BAD_CARTS = [
    pytest.param(_set(("lines", 0, "quantity"), -1), id="negative-quantity"),
    pytest.param(_set(("lines", 0, "quantity"), 0), id="quantity-0"),
    pytest.param(_set(("lines", 0, "quantity"), 2.5), id="quantity-2.5"),
    pytest.param(_set(("lines", 0, "quantity"), "3"), id="quantity-string"),
    pytest.param(_set(("lines", 0, "quantity"), True), id="quantity-true"),
    pytest.param(_set(("gift_wrap",), True), id="extra-key-in-cart"),
    pytest.param(_set((*PRODUCT_0, "colour"), "red"), id="extra-key-in-product"),
    pytest.param(_set((*PRODUCT_0, "unit_price", "note"), "x"), id="extra-key-in-amount"),
    pytest.param(_delete((*PRODUCT_0, "sku")), id="missing-sku"),
    pytest.param(_delete(("lines", 0, "quantity")), id="missing-quantity"),
    pytest.param(_set((*PRODUCT_0, "unit_price", "currency"), "gbp"), id="money-currency-gbp"),
    pytest.param(_set(("currency",), "gbp"), id="cart-currency-gbp"),
    pytest.param(_set((*PRODUCT_0, "name"), ""), id="empty-name"),
    pytest.param(_set((*PRODUCT_0, "name"), "   "), id="blank-name"),
    pytest.param(_set((*PRODUCT_0, "stock"), -1), id="negative-stock"),
    pytest.param(_set((*PRODUCT_0, "categories"), "Kitchen"), id="categories-string"),
    pytest.param(_set((*PRODUCT_0, "attributes"), {"size": 5}), id="attribute-not-string"),
    pytest.param(_set(("codes",), [""]), id="empty-code"),
    pytest.param(_set(("prices_include_tax",), "false"), id="tax-flag-string"),
]


@pytest.mark.parametrize("change", BAD_CARTS)
def test_bad_cart_is_rejected_by_schema_and_converter(change: Callable[[Any], None]) -> None:
    payload = copy.deepcopy(to_dict(CART))
    assert validator_for(Cart).is_valid(payload)  # the unchanged payload is fine
    change(payload)
    assert not validator_for(Cart).is_valid(payload)
    with pytest.raises(ConfigError):
        from_dict(payload, Cart)


@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        ({"order_count": -1}, Customer),
        ({"id": ""}, Customer),
        ({"segments": ["vip", ""]}, Customer),
        ({"order_count": 1.5}, Customer),
        ([{"sku": "A", "name": "a"}], tuple[Product, ...]),
        ({"sku": "A", "name": "a", "unit_price": "1.00 GBP"}, tuple[Product, ...]),
    ],
    ids=[
        "customer-negative-order-count",
        "customer-empty-id",
        "customer-empty-segment",
        "customer-fractional-order-count",
        "catalogue-product-without-price",
        "catalogue-not-a-list",
    ],
)
def test_other_bad_payloads_are_rejected(payload: object, cls: Any) -> None:
    assert not validator_for(cls).is_valid(payload)
    with pytest.raises(ConfigError):
        from_dict(payload, cls)


# The CLI writes the same schema


def test_cli_schema_cart_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cart.schema.json"
    assert main(["schema", "cart", "-o", str(path)]) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema(Cart)


@pytest.mark.parametrize("name", sorted(SCHEMA_TYPES))
def test_cli_schema_to_stdout(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema(SCHEMA_TYPES[name])


def test_cli_exports_the_catalogue_as_a_list_of_products() -> None:
    assert SCHEMA_TYPES["catalogue"] == tuple[Product, ...]
    assert SCHEMA_TYPES["cart"] is Cart


# A plugin kind: a union tagged by "type"


class Shape:
    """The base of a plugin group of this test module's own."""


SHAPES: Registry[Shape] = Registry("shopkit.tests.schema_shapes", Shape)
register_kind(SHAPES)


@SHAPES.register("square")
@attrs.frozen
class Square(Shape):
    """A square."""

    side: int


@SHAPES.register("circle")
@attrs.frozen
class Circle(Shape):
    """A circle."""

    radius: Decimal
    label: str | None = None


@attrs.frozen
class Drawing:
    """A config type with fields of the plugin base type."""

    title: str
    shapes: tuple[Shape, ...] = ()
    frame: Shape | None = None


def test_kind_schema_is_a_one_of_tagged_by_type() -> None:
    schema = json_schema(Drawing)
    Draft202012Validator.check_schema(schema)
    choices = schema["$defs"]["Shape"]["oneOf"]
    # One choice per registered name, in sorted order, each tagged with a const.
    assert [choice["properties"]["type"] for choice in choices] == [
        {"const": "circle"},
        {"const": "square"},
    ]
    assert [choice["required"] for choice in choices] == [["type", "radius"], ["type", "side"]]
    assert all(choice["additionalProperties"] is False for choice in choices)
    assert schema["$defs"]["Drawing"]["properties"]["shapes"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/Shape"},
    }


def test_tagged_payload_validates() -> None:
    drawing = Drawing("logo", (Square(2), Circle(Decimal("1.5"), label="dot")), frame=Square(10))
    payload = json.loads(to_json(drawing))
    assert payload["shapes"][0] == {"type": "square", "side": 2}
    validator = validator_for(Drawing)
    validator.validate(payload)
    validator.validate({"title": "t", "shapes": [{"type": "circle", "radius": 0.5}]})
    assert from_dict(payload, Drawing) == drawing


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({"side": 2}, id="no-type"),
        pytest.param({"type": "hexagon", "side": 2}, id="unknown-type"),
        pytest.param({"type": "square", "radius": "1"}, id="field-of-another-kind"),
        pytest.param({"type": "square", "side": "2"}, id="wrong-field-type"),
        pytest.param({"type": "circle"}, id="missing-field"),
    ],
)
def test_bad_tagged_payload_is_rejected(shape: dict[str, Any]) -> None:
    payload = {"title": "t", "shapes": [shape]}
    assert not validator_for(Drawing).is_valid(payload)
    with pytest.raises(ConfigError):
        from_dict(payload, Drawing)


def test_schema_of_the_base_itself() -> None:
    schema = json_schema(Shape)
    assert schema["$ref"] == "#/$defs/Shape"
    validator = validator_for(Shape)
    assert validator.is_valid({"type": "square", "side": 3})
    assert not validator.is_valid({"type": "triangle"})
