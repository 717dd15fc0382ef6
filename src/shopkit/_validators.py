"""The validators and converters of ``shopkit.validators`` (see there)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs

from shopkit._currency import validate_currency
from shopkit._money import Money
from shopkit._numbers import to_decimal
from shopkit.errors import QuantityError, ValidationError

__all__ = [
    "ReadOnlyMapping",
    "Validator",
    "as_tuple",
    "aware",
    "aware_datetime",
    "currency",
    "decimal",
    "decimal_between",
    "decimal_tuple",
    "enum_of",
    "enum_value",
    "frozen_mapping",
    "instance_of",
    "money",
    "name_tuple",
    "non_empty",
    "non_empty_str",
    "non_negative_decimal",
    "non_negative_int",
    "non_negative_money",
    "optional",
    "positive_decimal",
    "positive_int",
    "str_mapping",
    "str_tuple",
    "tuple_of",
    "unique_by",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]
"""The attrs validator signature: ``(instance, attribute, value) -> None``, raising on bad input."""

_E = TypeVar("_E", bound=enum.Enum)


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


def non_empty(validator: Validator, message: str = "the list is empty") -> Validator:
    """Accept what ``validator`` accepts, provided it has at least one item.

    Args:
        validator: The validator of the collection (``name_tuple``, ``tuple_of(Kind)``, …).
        message: The message when the collection is empty.

    Returns:
        The combined validator.
    """
    schema = dict(getattr(validator, "json_schema", {}))
    schema["minItems"] = 1

    @_declares(schema)
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        validator(instance, attribute, value)
        if not value:
            raise ValidationError(message, field=attribute.name, value=[])

    return check


def aware_datetime(value: Any, field: str) -> dt.datetime:
    """Return ``value`` if it is a date-time with a UTC offset, else raise naming ``field``.

    The check for a call's argument (``at=``); ``aware`` is the same check as a validator.

    Raises:
        ValidationError: ``value`` is not a ``datetime`` or is naive.
    """
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError(
            f"{value!r} is not a date-time with a UTC offset", field=field, value=str(value)
        )
    return value


def aware(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Require a date-time with a UTC offset (a naive one would mean a different moment)."""
    aware_datetime(value, attribute.name)


def decimal(value: Any) -> Any:
    """Attrs converter: a ``str`` or ``int`` (not ``bool``) as a ``Decimal``; else unchanged.

    A float is left as it is, for the validator that follows to refuse; so is text that is
    not a number.
    """
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except (ArithmeticError, InvalidOperation):
            return value
    return value


def decimal_tuple(value: Any) -> Any:
    """Attrs converter: a list or tuple with each item converted by ``decimal``."""
    if isinstance(value, list | tuple):
        return tuple(decimal(item) for item in value)
    return value


def _shown(value: Any) -> str:
    return str(value) if isinstance(value, Decimal) else repr(value)


def _finite(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def positive_decimal(what: str = "decimal number") -> Validator:
    """Require a finite ``Decimal`` above 0; the message calls it a positive ``what``."""

    @_declares({"exclusiveMinimum": 0})
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not _finite(value) or value <= 0:
            raise ValidationError(
                f"{_shown(value)} is not a positive {what}", field=attribute.name, value=value
            )

    return check


def non_negative_decimal(what: str = "decimal number") -> Validator:
    """Require a finite ``Decimal`` of 0 or more; the message calls it a ``what``."""

    @_declares({"minimum": 0})
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not _finite(value) or value < 0:
            raise ValidationError(
                f"{_shown(value)} is not a {what} of at least 0", field=attribute.name, value=value
            )

    return check


def enum_value(kind: type[_E], value: Any, field: str) -> _E:
    """Return the member of ``kind`` with this value (or ``value`` if it is a member).

    Raises:
        ValidationError: no member has that value; the error names ``field`` and lists the
            values allowed.
    """
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        choices = ", ".join(str(member.value) for member in kind)
        raise ValidationError(
            f"{value!r} is not one of {choices}", field=field, value=value
        ) from None


def enum_of(kind: type[_E]) -> attrs.Converter:  # type: ignore[type-arg]
    """Attrs converter: a value of ``kind`` (by value), or a ``ValidationError`` naming the field.

    Unlike ``converter=Kind``, which raises a bare ``ValueError`` without the field, the error
    lists the allowed values: ``mode: 'bogus' is not one of priority, best_for_customer``.

    mypy's attrs plugin accepts only named functions, types and lambdas as converters, so code
    checked by mypy writes a named one-line converter with ``enum_value`` instead, as shopkit's
    own classes do: ``def _mode(value: object) -> Mode: return enum_value(Mode, value, "mode")``.
    """

    def convert(value: Any, field: attrs.Attribute[Any]) -> _E:
        return enum_value(kind, value, field.name)

    return attrs.Converter(convert, takes_field=True)


def unique_by(key: Callable[[Any], Any], what: str) -> Validator:
    """Require a tuple whose items differ in ``key``; the error names the second occurrence.

    Args:
        key: What must differ (``lambda option: option.id``).
        what: How the message names the key ("shipping option id").
    """

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        seen: set[Any] = set()
        for index, item in enumerate(value):
            found = key(item)
            if found in seen:
                raise ValidationError(
                    f"{what} {found!r} appears twice",
                    field=f"{attribute.name}[{index}]",
                    value=found,
                )
            seen.add(found)

    return check
