"""attrs validators that raise shopkit errors naming the field and the value.

Every domain package builds its own validators from these, so that every constructor reports
bad input the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs

from shopkit._currency import validate_currency
from shopkit._money import Money, to_decimal
from shopkit.errors import QuantityError, ValidationError

__all__ = [
    "ReadOnlyMapping",
    "as_tuple",
    "currency",
    "decimal_between",
    "frozen_mapping",
    "instance_of",
    "money",
    "name_tuple",
    "non_empty_str",
    "non_negative_int",
    "non_negative_money",
    "optional",
    "positive_int",
    "str_mapping",
    "str_tuple",
    "tuple_of",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _declares(schema: dict[str, Any]) -> Callable[[Validator], Validator]:
    """Attach the JSON Schema keywords a validator enforces, for ``shopkit.json_schema``."""

    def attach(validator: Validator) -> Validator:
        setattr(validator, "json_schema", schema)  # noqa: B010  # mypy: functions have no attrs
        return validator

    return attach


def _number(value: Decimal | int) -> int | float:
    """A bound as a JSON Schema number (schemas are never on a price path)."""
    return int(value) if value == int(value) else float(value)  # float-ok: schema text only


@_declares({"minLength": 1, "pattern": r"\S"})
def non_empty_str(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a string with at least one non-blank character."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"{value!r} is not a non-empty string", field=attribute.name, value=value
        )


def _whole(attribute: attrs.Attribute[Any], value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuantityError(f"{value!r} is not a whole number", field=attribute.name, value=value)
    return value


@_declares({"minimum": 1})
def positive_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a whole number of at least 1 (``True`` and ``2.0`` are refused)."""
    if _whole(attribute, value) < 1:
        raise QuantityError(f"{value} is not at least 1", field=attribute.name, value=value)


@_declares({"minimum": 0})
def non_negative_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a whole number of at least 0."""
    if _whole(attribute, value) < 0:
        raise QuantityError(f"{value} is negative", field=attribute.name, value=value)


def money(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a ``Money``."""
    if not isinstance(value, Money):
        raise ValidationError(
            f"{value!r} is not Money (build it with Money.of(amount, currency))",
            field=attribute.name,
            value=value,
        )


def non_negative_money(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a ``Money`` of zero or more."""
    money(instance, attribute, value)
    if value.minor < 0:
        raise ValidationError(f"{value} is negative", field=attribute.name, value=str(value))


@_declares({"pattern": "^[A-Z]{3}$"})
def currency(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a known ISO 4217 code."""
    validate_currency(value, attribute.name)


def optional(validator: Validator) -> Validator:
    """Accept ``None`` or whatever ``validator`` accepts."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return _declares(dict(getattr(validator, "json_schema", {})))(check)


def decimal_between(low: Decimal | int, high: Decimal | int) -> Validator:
    """Require a decimal number from ``low`` to ``high`` inclusive ("120" fails as a percent)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        number = to_decimal(value, attribute.name)
        if not low <= number <= high:
            raise ValidationError(
                f"{value} is not between {low} and {high}", field=attribute.name, value=value
            )

    return _declares({"minimum": _number(low), "maximum": _number(high)})(check)


def str_tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    """Attrs converter: an iterable of strings as a tuple, first occurrences kept, in order.

    A lone string is refused by the validator that follows (it would split into letters).
    """
    if isinstance(value, str):
        return value  # type: ignore[return-value]  # name_tuple reports it
    try:
        return tuple(dict.fromkeys(value))
    except TypeError:  # not iterable, or unhashable items: name_tuple reports it
        return value  # type: ignore[return-value]


def as_tuple(value: Any) -> Any:
    """Attrs converter: any iterable but a string or mapping as a tuple; anything else unchanged.

    What is left unchanged is reported by the validator that follows (see ``tuple_of``).
    """
    if isinstance(value, str | bytes | Mapping):
        return value
    try:
        return tuple(value)
    except TypeError:
        return value


def tuple_of(kind: type) -> Validator:
    """Require a tuple whose items are all instances of ``kind``; name the first that is not."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple):
            raise ValidationError(
                f"{value!r} is not a list of {kind.__name__}", field=attribute.name, value=value
            )
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise ValidationError(
                    f"{item!r} is not a {kind.__name__}",
                    field=f"{attribute.name}[{index}]",
                    value=item,
                )

    return check


def instance_of(kind: type) -> Validator:
    """Require an instance of ``kind`` (a ``ValidationError``, unlike attrs' ``TypeError``)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) and kind is not bool:
            value_ok = False
        else:
            value_ok = isinstance(value, kind)
        if not value_ok:
            raise ValidationError(
                f"{value!r} is not a {kind.__name__}", field=attribute.name, value=value
            )

    return check


@_declares({"items": {"type": "string", "minLength": 1, "pattern": r"\S"}})
def name_tuple(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a tuple of non-empty strings (categories, tags, segments, codes)."""
    if not isinstance(value, tuple):
        raise ValidationError(
            f"{value!r} is not a list of names", field=attribute.name, value=value
        )
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(
                f"{item!r} is not a non-empty string",
                field=f"{attribute.name}[{index}]",
                value=item,
            )


class ReadOnlyMapping(Mapping[str, str]):
    """A read-only copy of a mapping that pickles and copies (unlike ``MappingProxyType``).

    Domain values keep their attribute maps in it, so a frozen value's attributes cannot be
    changed through the map either.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __getstate__(self) -> dict[str, str]:
        return self._data

    def __setstate__(self, state: dict[str, str]) -> None:
        self._data = state


def frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    """Attrs converter: a read-only copy of a mapping, keys sorted, so a value cannot change."""
    if not isinstance(value, Mapping):
        return value  # the validator reports it
    return ReadOnlyMapping(dict(sorted(value.items(), key=lambda item: str(item[0]))))


def str_mapping(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a mapping of non-empty string keys to string values."""
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{value!r} is not a mapping of names to values", field=attribute.name, value=value
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ValidationError(
                f"key {key!r} is not a non-empty string", field=attribute.name, value=key
            )
        if not isinstance(item, str):
            raise ValidationError(
                f"{item!r} is not a string", field=f"{attribute.name}.{key}", value=item
            )
