"""The one cattrs converter of shopkit, and the hooks that make its rules.

- numbers on a money path are exact: ``Decimal`` and ``Money`` are read from strings or exact
  numbers and written as strings, never through a float;
- a wrong type is an error, not coerced (``"3"`` is not a quantity, ``2.5`` is not an int);
- sequences, enums, moments and times are read strictly, attrs classes with unknown keys refused;
- a kind of a plugin group is named by a ``type`` key: ``{"type": "percentage", ...}``
  (``register_kind``).

Documents (JSON, TOML, dicts) go in and out through it in ``_config``.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import enum
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.gen import make_dict_structure_fn

from shopkit._money import Money
from shopkit._numbers import to_decimal
from shopkit._plugins import Registry
from shopkit.errors import ShopkitError, ValidationError
from shopkit.validators import enum_value

__all__ = ["converter", "register_kind"]

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True, omit_if_default=True)
"""The one converter every shopkit config type goes through (see ``cattrs``)."""

_KINDS: dict[type, Registry[Any]] = {}


def _strict(kind: type, label: str) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise ValidationError(f"{value!r} is not {label}", value=value)
        return value

    return structure


converter.register_structure_hook(int, _strict(int, "a whole number"))
converter.register_structure_hook(str, _strict(str, "a string"))
converter.register_structure_hook(bool, _strict(bool, "true or false"))
converter.register_structure_hook(Decimal, lambda value, _: to_decimal(value, "value"))


def _is_homogeneous_sequence(cls: Any) -> bool:
    origin = typing.get_origin(cls)
    args = typing.get_args(cls)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin in (list, Sequence, collections.abc.Sequence)


def _sequence_factory(cls: Any, _converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = (
        homogenous_tuple_structure_factory(cls, _converter)
        if typing.get_origin(cls) is tuple
        else list_structure_factory(cls, _converter)
    )

    def structure(value: Any, kind: Any) -> Any:
        # JSON and TOML arrays arrive as lists; a lone string would split into letters.
        if not isinstance(value, list | tuple):
            raise ValidationError(f"{value!r} is not a list", value=value)
        return inner(value, kind)

    return structure


converter.register_structure_hook_factory(_is_homogeneous_sequence, _sequence_factory)
converter.register_unstructure_hook(Decimal, str)


def _structure_money(value: Any, _: Any) -> Money:
    if isinstance(value, str):
        try:
            return Money.parse(value)
        except ShopkitError as error:
            if error.field == "money":  # the path already names the field
                raise ValidationError(error.message, value=error.value) from None
            raise
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{value!r} is not an amount like {{'amount': '29.99', 'currency': 'USD'}}",
            value=value,
        )
    extra = sorted(set(value) - {"amount", "currency"})
    if extra:
        raise ValidationError(f"unknown keys {extra} in an amount", value=extra)
    for key in ("amount", "currency"):
        if key not in value:
            raise ValidationError(f"required key {key!r} is missing", field=key)
    return Money.of(value["amount"], value["currency"])


converter.register_structure_hook(Money, _structure_money)
converter.register_unstructure_hook(
    Money, lambda money: {"amount": str(money.amount), "currency": money.currency}
)


def _attrs_factory(cls: Any, _converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = make_dict_structure_fn(cls, _converter, _cattrs_forbid_extra_keys=True)

    def structure(value: Any, kind: Any) -> Any:
        # cattrs would fail on a non-object with "'int' object has no attribute 'keys'"
        if not isinstance(value, Mapping):
            raise ValidationError(f"{value!r} is not an object", value=value)
        return inner(value, kind)

    return structure


converter.register_structure_hook_factory(attrs.has, _attrs_factory)


def _structure_enum(value: Any, kind: Any) -> Any:
    # cattrs' own hook raises a bare ValueError ("'x' is not a valid Kind") without the values
    # allowed; this one names them.
    return enum_value(kind, value, "")


converter.register_structure_hook_func(
    lambda cls: isinstance(cls, type) and issubclass(cls, enum.Enum), _structure_enum
)


def _structure_datetime(value: Any, _: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):  # TOML has a datetime type of its own
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{value!r} is not an ISO 8601 date-time", value=value) from None
    else:
        raise ValidationError(f"{value!r} is not an ISO 8601 date-time string", value=value)
    if parsed.tzinfo is None:
        raise ValidationError(
            f"{value!r} has no UTC offset; write it as e.g. '2026-11-27T00:00:00+00:00'",
            value=str(value),
        )
    return parsed


converter.register_structure_hook(dt.datetime, _structure_datetime)
converter.register_unstructure_hook(dt.datetime, lambda value: value.isoformat())


def _structure_time(value: Any, _: Any) -> dt.time:
    if isinstance(value, dt.time):  # TOML has a local time type
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(f"{value!r} is not a time of day like '09:30'", value=value)


converter.register_structure_hook(dt.time, _structure_time)
converter.register_unstructure_hook(
    dt.time,
    lambda value: value.isoformat(
        "minutes" if not value.second and not value.microsecond else "auto"
    ),
)


def register_kind(registry: Registry[T]) -> None:
    """Make the converter read and write ``registry.base`` as a union tagged by ``type``.

    A field annotated with the registry's base class is read from ``{"type": NAME, ...fields}``
    by looking ``NAME`` up in the registry, and written the same way.

    Args:
        registry: The registry of the kinds.

    Examples:
        >>> import abc, attrs
        >>> from shopkit import Registry, from_dict, register_kind, to_dict
        >>> class Shape(abc.ABC):
        ...     pass
        >>> shapes = Registry("example.shapes", Shape)
        >>> register_kind(shapes)
        >>> @shapes.register("square")
        ... @attrs.frozen
        ... class Square(Shape):
        ...     side: int
        >>> from_dict({"type": "square", "side": 3}, Shape)
        Square(side=3)
        >>> to_dict(Square(3))
        {'type': 'square', 'side': 3}
    """
    base = registry.base
    _KINDS[base] = registry

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError(f"{value!r} is not an object with a 'type' key", value=value)
        if "type" not in value:
            raise ValidationError(
                f"the 'type' key is missing; known types: {', '.join(registry.names())}",
                field="type",
            )
        if not isinstance(value["type"], str):
            raise ValidationError(
                f"{value['type']!r} is not a type name; known types: {', '.join(registry.names())}",
                field="type",
                value=value["type"],
            )
        cls = registry.get(value["type"])
        return converter.structure({k: v for k, v in value.items() if k != "type"}, cls)

    def unstructure(value: Any) -> Any:
        fields = converter.unstructure(value, unstructure_as=type(value))
        return {"type": registry.name_of(type(value)), **fields}

    converter.register_structure_hook_func(lambda cls: cls is base, structure)
    converter.register_unstructure_hook_func(lambda cls: cls is base, unstructure)
