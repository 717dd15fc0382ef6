"""JSON Schema for OpenAPI: a reference template, discriminators, amounts as loaders read them."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkit import Cart, ValidationError, json_schema, to_decimal
from shopkit.cli import SCHEMA_TYPES, main
from shopkit.pricing import PricedCartJSON, PriceRequest, Promotion

TEMPLATE = "#/components/schemas/{name}"


def _refs(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        found = [schema["$ref"]] if isinstance(schema.get("$ref"), str) else []
        return found + [ref for value in schema.values() for ref in _refs(value)]
    if isinstance(schema, list):
        return [ref for item in schema for ref in _refs(item)]
    return []


def _discriminated(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, dict):
        here = [schema] if "discriminator" in schema else []
        return here + [d for value in schema.values() for d in _discriminated(value)]
    if isinstance(schema, list):
        return [d for item in schema for d in _discriminated(item)]
    return []


@pytest.mark.parametrize("cls", [Promotion, PriceRequest, PricedCartJSON])
def test_every_reference_resolves_in_the_components(cls: type) -> None:
    schema = json_schema(cls, ref_template=TEMPLATE)
    components = schema["$defs"]
    refs = _refs(schema)
    assert refs  # the promotion refers to its benefit, condition, amounts, …
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in components


def test_every_tagged_union_has_a_discriminator_mapping_each_type_to_its_kind() -> None:
    schema = json_schema(Promotion, ref_template=TEMPLATE)
    unions = _discriminated(schema)
    # benefits, conditions and selectors at least
    assert len(unions) >= 3
    for union in unions:
        mapping = union["discriminator"]["mapping"]
        assert union["discriminator"]["propertyName"] == "type"
        assert [choice["$ref"] for choice in union["oneOf"]] == list(mapping.values())
        for kind, ref in mapping.items():
            target = schema["$defs"][ref.removeprefix("#/components/schemas/")]
            assert target["properties"]["type"] == {"const": kind}


def test_the_default_keeps_inline_kinds_with_a_discriminator() -> None:
    schema = json_schema(Promotion)
    benefit = schema["$defs"]["Benefit"]
    assert benefit["discriminator"] == {"propertyName": "type"}
    assert all("properties" in choice for choice in benefit["oneOf"])
    assert all(ref.startswith("#/$defs/") for ref in _refs(json_schema(Cart)))


DECIMAL_TEXT = re.compile(json_schema(Cart)["$defs"]["Decimal"]["anyOf"][0]["pattern"])


@pytest.mark.parametrize(
    "text", ["12.50", "-3", "+.5", "1e3", " 7 ", "١٢٣", "1_000", "12.5.1", "0x10", "NaN", "1,5"]
)
def test_the_decimal_pattern_agrees_with_the_loader(text: str) -> None:
    try:
        to_decimal(text)
        read = True
    except ValidationError:
        read = False
    assert bool(DECIMAL_TEXT.match(text)) == read


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**17), max_value=10**17))
def test_every_decimal_the_loader_reads_matches_the_pattern(value: Decimal) -> None:
    assert DECIMAL_TEXT.match(str(value))
    assert to_decimal(str(value)) == value


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("#/components/schemas/", "has no {name} in it"),
        ("#/{name}/{kind}", "has a replacement field other than {name}"),
        ("#/{name}/{", "has a replacement field other than {name}"),
        (7, "is not a string"),
    ],
)
def test_a_template_that_cannot_name_each_definition_is_refused(
    template: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        json_schema(Cart, ref_template=template)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.value) == ("ref_template", template)
    assert message in caught.value.message


# -- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["promotion", "price-request", "priced-cart-json"])
def test_the_cli_writes_the_openapi_form_with_ref_template(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name, "--ref-template", TEMPLATE]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written == json_schema(SCHEMA_TYPES[name], ref_template=TEMPLATE)
    assert all(ref.startswith("#/components/schemas/") for ref in _refs(written))


def test_the_cli_default_template_is_the_schemas_own_defs(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    assert main(["schema", "price-request", "-o", str(path)]) == 0
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == json_schema(PriceRequest)
    assert written["$ref"] == "#/$defs/PriceRequest"


def test_a_bad_template_on_the_cli_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["schema", "cart", "--ref-template", "#/components/schemas/"])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error == ("shopkit: --ref-template: '#/components/schemas/' has no {name} in it\n")
