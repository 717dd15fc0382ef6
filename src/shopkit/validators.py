"""Validators and converters for attrs fields that raise shopkit errors naming field and value.

This is the toolkit every domain package (and a plugin's own classes) builds its fields from,
so that every constructor reports bad input the same way: a ``ValidationError`` (or one of its
leaves) whose ``field`` is the attribute's name and whose ``value`` is what was given. No
domain package writes its own copy of a check that is here.

Validators have attrs' signature ``(instance, attribute, value) -> None`` and compose with
``optional`` and ``non_empty``; converters take the raw value and return the converted one,
leaving what they cannot convert for the validator that follows to report. Validators that
enforce a JSON Schema keyword carry it, so ``shopkit.json_schema`` derives the schema from the
same place the check lives.

Examples:
    >>> import datetime as dt
    >>> import enum
    >>> import attrs
    >>> from shopkit import validators
    >>> class Colour(enum.StrEnum):
    ...     RED = "red"
    ...     BLUE = "blue"
    >>> @attrs.frozen
    ... class Swatch:
    ...     names: tuple[str, ...] = attrs.field(
    ...         converter=validators.str_tuple,
    ...         validator=validators.non_empty(validators.name_tuple),
    ...     )
    ...     colour: Colour = attrs.field(converter=validators.enum_of(Colour))
    ...     share: object = attrs.field(
    ...         converter=validators.decimal, validator=validators.decimal_between(0, 1)
    ...     )
    ...     at: dt.datetime = attrs.field(validator=validators.aware)
    >>> Swatch(["a"], "red", "0.5", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).share
    Decimal('0.5')
    >>> Swatch(["a"], "green", "0.5", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    Traceback (most recent call last):
    ...
    shopkit.errors.ValidationError: colour: 'green' is not one of red, blue
"""

from shopkit._validators import (
    ReadOnlyMapping,
    Validator,
    as_tuple,
    aware,
    aware_datetime,
    currency,
    decimal,
    decimal_between,
    decimal_tuple,
    enum_of,
    enum_value,
    frozen_mapping,
    instance_of,
    money,
    name_tuple,
    non_empty,
    non_empty_str,
    non_negative_decimal,
    non_negative_int,
    non_negative_money,
    optional,
    positive_decimal,
    positive_int,
    str_mapping,
    str_tuple,
    tuple_of,
    unique_by,
)

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
