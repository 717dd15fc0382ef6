"""JSON Schema (draft 2020-12) of shopkit's config types, derived from their attrs fields.

A service can validate a payload with it before the payload reaches shopkit. The schema is
derived from the same field types the converter uses, and from the constraints the validators
declare, so the two cannot drift apart; what a schema cannot say (a currency mismatch between
fields, a code that must be one of the options) is still checked when the object is built.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from shopkit._converter import _KINDS
from shopkit._money import Money
from shopkit.errors import ValidationError

__all__ = ["json_schema", "register_json_schema"]

_CUSTOM: dict[type, tuple[dict[str, Any], tuple[type, ...]]] = {}


def register_json_schema(
    cls: type, schema: dict[str, Any], *, refers_to: tuple[type, ...] = ()
) -> None:
    """Give a type whose JSON form the converter customises its JSON Schema.

    Args:
        cls: The type, as it appears in field annotations.
        schema: Its schema; it may refer to ``#/$defs/NAME`` of the types in ``refers_to``.
        refers_to: Types whose definitions the schema refers to (``Decimal``, ``Money``, …).

    Examples:
        >>> from decimal import Decimal
        >>> from shopkit import register_json_schema
        >>> class Percent(Decimal):
        ...     "A percentage."
        >>> register_json_schema(Percent, {"$ref": "#/$defs/Decimal"}, refers_to=(Decimal,))
    """
    _CUSTOM[cls] = (schema, refers_to)


JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_DECIMAL: dict[str, Any] = {
    "anyOf": [
        # what shopkit.to_decimal reads: digits 0-9 only, an optional sign and exponent
        {
            "type": "string",
            "pattern": r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$",
        },
        {"type": "number"},
    ],
    "description": (
        "An exact decimal number, under 10^18 in size: a string, or a JSON number, which "
        "shopkit reads as a Decimal (never a float); write it as a string to keep it exact "
        "through other JSON tools."
    ),
}
_CURRENCY: dict[str, Any] = {
    "type": "string",
    "pattern": "^[A-Z]{3}$",
    "description": "An ISO 4217 currency code.",
}
_MONEY: dict[str, Any] = {
    "description": "An exact amount: {'amount': '29.99', 'currency': 'USD'} or '29.99 USD'.",
    "anyOf": [
        {
            "type": "object",
            "properties": {"amount": {"$ref": "#/$defs/Decimal"}, "currency": _CURRENCY},
            "required": ["amount", "currency"],
            "additionalProperties": False,
        },
        {"type": "string", "pattern": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+) [A-Z]{3}$"},
    ],
}


def schema_hint(validator: Any) -> dict[str, Any]:
    """Return the JSON Schema keywords a validator declares (its ``json_schema`` attribute)."""
    if validator is None:
        return {}
    inner = getattr(validator, "_validators", None)  # attrs.validators.and_
    if inner is not None:
        merged: dict[str, Any] = {}
        for part in inner:
            merged.update(schema_hint(part))
        return merged
    return dict(getattr(validator, "json_schema", {}))


DEFAULT_REF_TEMPLATE = "#/$defs/{name}"


class _Builder:
    def __init__(self, ref_template: str = DEFAULT_REF_TEMPLATE) -> None:
        self.defs: dict[str, Any] = {}
        self.ref_template = ref_template
        # for OpenAPI, each kind is a definition of its own, for the discriminator to map to
        self.split_kinds = ref_template != DEFAULT_REF_TEMPLATE

    def ref(self, name: str, build: Any) -> dict[str, Any]:
        if name not in self.defs:
            self.defs[name] = {}  # reserve first: a type may refer to itself
            self.defs[name] = build()
        return {"$ref": self.ref_template.format(name=name)}

    def of(self, hint: Any) -> dict[str, Any]:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is Any:
            return {}
        if hint is type(None):
            return {"type": "null"}
        if hint is bool:
            return {"type": "boolean"}
        if hint is int:
            return {"type": "integer"}
        if hint is str:
            return {"type": "string"}
        if hint is Decimal:
            return self.ref("Decimal", lambda: dict(_DECIMAL))
        if hint is Money:
            self.of(Decimal)  # the Money schema refers to the Decimal one
            return self.ref("Money", lambda: dict(_MONEY))
        if hint is dt.datetime:
            return {"type": "string", "format": "date-time"}
        if hint is dt.time:
            return {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"}
        if isinstance(hint, type) and hint in _CUSTOM:
            schema, refers_to = _CUSTOM[hint]
            for needed in refers_to:
                self.of(needed)
            return self.ref(hint.__name__, lambda: dict(schema))
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return {"enum": [member.value for member in hint]}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.of(arg) for arg in args]}
        if origin in (tuple, list, Sequence, frozenset, set) or (
            isinstance(origin, type) and issubclass(origin, Sequence)
        ):
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                return {
                    "type": "array",
                    "prefixItems": [self.of(arg) for arg in args],
                    "items": False,
                }
            return {"type": "array", "items": self.of(args[0]) if args else {}}
        if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
            return {"type": "object", "additionalProperties": self.of(args[1]) if args else {}}
        if isinstance(hint, type) and hint in _KINDS:
            return self.ref(hint.__name__, lambda: self.kinds(hint))
        if isinstance(hint, type) and attrs.has(hint):
            return self.ref(hint.__name__, lambda: self.attrs_class(hint))
        raise TypeError(f"no JSON Schema for {hint!r}")

    def kinds(self, base: type) -> dict[str, Any]:
        registry = _KINDS[base]
        choices: list[dict[str, Any]] = []
        mapping: dict[str, str] = {}

        for name in registry.names():

            def tagged(kind: str = name) -> dict[str, Any]:
                schema = self.attrs_class(registry.get(kind))
                schema["properties"] = {"type": {"const": kind}, **schema["properties"]}
                schema["required"] = ["type", *schema.get("required", [])]
                return schema

            if self.split_kinds:
                ref = self.ref(f"{base.__name__}.{name}", tagged)
                mapping[name] = ref["$ref"]
                choices.append(ref)
            else:
                choices.append(tagged())
        discriminator: dict[str, Any] = {"propertyName": "type"}
        if mapping:
            discriminator["mapping"] = mapping
        return {
            "description": f"One of the {registry.group} kinds, named by its 'type' key.",
            "oneOf": choices,
            "discriminator": discriminator,
        }

    def attrs_class(self, cls: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            schema = self.of(hints[field.name])
            hint = {**schema_hint(field.validator), **field.metadata.get("json_schema", {})}
            if hint:
                schema = {"allOf": [schema, hint]} if "$ref" in schema else {**schema, **hint}
            properties[field.alias or field.name] = schema
            if field.default is attrs.NOTHING:
                required.append(field.alias or field.name)
        doc = (cls.__doc__ or "").strip().split("\n", 1)[0]
        result: dict[str, Any] = {
            "title": cls.__name__,
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if doc:
            result["description"] = doc
        if required:
            result["required"] = required
        return result


def json_schema(cls: type, *, ref_template: str = DEFAULT_REF_TEMPLATE) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a config type, as plain data.

    Every tagged union (a plugin group: benefits, conditions, selectors, strategies) is a
    ``oneOf`` with a ``discriminator`` on its ``type`` key, as OpenAPI reads it.

    Args:
        cls: A config type: ``Cart``, ``Product``,
            ``Customer``, ``Money``, or any attrs class built from
            such types, including the bases of plugin groups.
        ref_template: How a reference to a definition is written, ``{name}`` standing for its
            name. The default keeps the definitions in the schema's own ``$defs``; for an
            OpenAPI document pass ``"#/components/schemas/{name}"`` and move ``$defs`` there:
            each kind of a union is then a definition of its own (``Benefit.percentage``), and
            the discriminator maps every ``type`` value to it.

    Returns:
        The schema; dump it with ``json.dumps``.

    Raises:
        TypeError: ``cls`` has a field whose type has no JSON form.
        ValidationError: ``ref_template`` is not a string with ``{name}`` in it and no other
            replacement field (field ``ref_template``).

    Examples:
        >>> from shopkit import Cart, json_schema
        >>> schema = json_schema(Cart)
        >>> schema["$ref"], sorted(schema["$defs"])[:3]
        ('#/$defs/Cart', ['Cart', 'Decimal', 'Line'])
        >>> from shopkit.pricing import Promotion
        >>> openapi = json_schema(Promotion, ref_template="#/components/schemas/{name}")
        >>> benefit = openapi["$defs"]["Benefit"]["discriminator"]
        >>> benefit["propertyName"], benefit["mapping"]["percentage"]
        ('type', '#/components/schemas/Benefit.percentage')
    """
    _check_template(ref_template)
    builder = _Builder(ref_template)
    root = builder.of(cls)
    defs = builder.defs
    if ref_template != DEFAULT_REF_TEMPLATE:
        root, defs = _retarget(root, ref_template), _retarget(defs, ref_template)
    return {"$schema": JSON_SCHEMA_DIALECT, "title": cls.__name__, **root, "$defs": defs}


def _check_template(template: object) -> None:
    """Refuse a reference template that would not name each definition apart."""
    problem = None
    if not isinstance(template, str):
        problem = f"{template!r} is not a string"
    elif "{name}" not in template:
        problem = f"{template!r} has no {{name}} in it"
    else:
        try:
            template.format(name="X")
        except (KeyError, IndexError, ValueError, AttributeError):
            problem = f"{template!r} has a replacement field other than {{name}}"
    if problem is not None:
        raise ValidationError(problem, field="ref_template", value=template)


def _retarget(schema: Any, template: str) -> Any:
    """The schema with every ``#/$defs/NAME`` reference (from registered schemas) templated."""
    if isinstance(schema, dict):
        result = {key: _retarget(value, template) for key, value in schema.items()}
        ref = result.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            result["$ref"] = template.format(name=ref.removeprefix("#/$defs/"))
        return result
    if isinstance(schema, list):
        return [_retarget(item, template) for item in schema]
    return schema
