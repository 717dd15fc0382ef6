"""Exact numbers from input, and the named rules that round them to whole minor units.

``to_decimal`` reads an amount (a ``str``, ``int`` or ``Decimal``, never a float) as an exact,
finite ``Decimal`` below :data:`MAX_AMOUNT`; ``RoundingMode`` names the rules, and
``round_fraction`` / ``round_ratio`` apply them. ``Money`` (``_money``) builds on both.
"""

from __future__ import annotations

import decimal
import enum
import re
from decimal import Decimal
from fractions import Fraction
from typing import Final

from shopkit.errors import ValidationError

__all__ = [
    "MAX_AMOUNT",
    "RoundingMode",
    "round_fraction",
    "round_ratio",
    "rounding_mode",
    "to_decimal",
]

MAX_AMOUNT: Final = Decimal(10) ** 18
"""Amounts (and other decimals: factors, percentages) read from input are below this in size.

A quintillion: far past any shop's figures, and every sum of such amounts stays exact.
``to_decimal`` refuses ``"1e70"`` and anything else at or past it.
"""

# digits 0-9 only (Decimal() also reads "١٢٣" as 123), one optional sign, decimals, exponent
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# Enough digits for any amount a shop handles; all shopkit arithmetic is exact within it.
_CONTEXT: Final = decimal.Context(
    prec=60, traps=[decimal.InvalidOperation, decimal.Overflow, decimal.Inexact]
)


class RoundingMode(enum.StrEnum):
    """A named rounding rule, used wherever shopkit has to round an amount.

    Only two steps ever round: scaling an amount by a factor (a percentage, a rate) and spreading
    an amount over parts (which uses the largest remainder method and never loses a minor unit).
    """

    HALF_UP = "half_up"
    """Ties go away from zero: 0.125 → 0.13, -0.125 → -0.13. The default."""
    HALF_EVEN = "half_even"
    """Ties go to the even neighbour (banker's rounding): 0.125 → 0.12, 0.135 → 0.14."""
    DOWN = "down"
    """Toward zero: 0.129 → 0.12, never gives away a fraction of a minor unit."""
    UP = "up"
    """Away from zero: 0.121 → 0.13."""

    @property
    def decimal_rounding(self) -> str:
        """The matching constant of the ``decimal`` module."""
        return _DECIMAL_ROUNDING[self]


_DECIMAL_ROUNDING: Final = {
    RoundingMode.HALF_UP: decimal.ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    RoundingMode.DOWN: decimal.ROUND_DOWN,
    RoundingMode.UP: decimal.ROUND_UP,
}


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Turn a ``str``, ``int`` or ``Decimal`` into an exact, finite ``Decimal``.

    A ``float`` is refused: it cannot hold most prices exactly (0.1 + 0.2 != 0.3). Read JSON with
    numbers as ``Decimal`` (``json.loads(text, parse_float=Decimal)``, as ``shopkit.from_json``
    does) instead.

    Args:
        value: The value to convert.
        field: The field name used in the error.

    Returns:
        The exact value.

    Raises:
        ValidationError: ``value`` is a float, a bool, not a number (digits other than 0-9
            included), not finite, or at least :data:`MAX_AMOUNT` in size.

    Examples:
        >>> from shopkit import to_decimal
        >>> to_decimal("29.99")
        Decimal('29.99')
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValidationError(f"{value!r} is a bool, not an amount", field=field, value=value)
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        # "1_000" and "١٢٣" are read by Decimal(); an amount written so is a typo or a trick
        if len(text) > 100 or not _NUMBER.fullmatch(text):
            if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
                raise ValidationError(f"{value!r} is not a finite number", field=field, value=value)
            raise ValidationError(f"{value!r} is not a decimal number", field=field, value=value)
        result = Decimal(text)
    elif isinstance(value, float):
        raise ValidationError(
            f"{value!r} is a float; pass amounts as str or Decimal so they stay exact",
            field=field,
            value=value,
        )
    else:
        raise ValidationError(
            f"{value!r} is a {type(value).__name__}, not a str, int or Decimal amount",
            field=field,
            value=value,
        )
    if not result.is_finite():
        raise ValidationError(f"{value!r} is not a finite number", field=field, value=value)
    if result.adjusted() >= 18:
        raise ValidationError(
            f"{value} is past the largest amount shopkit takes (10^18)", field=field, value=value
        )
    return result


def rounding_mode(value: object) -> RoundingMode:
    """Return ``value`` as a ``RoundingMode``, accepting its string form (``"half_even"``).

    Raises:
        ValidationError: ``value`` names no rounding mode.
    """
    try:
        return RoundingMode(str(value)) if not isinstance(value, RoundingMode) else value
    except ValueError:
        known = ", ".join(mode.value for mode in RoundingMode)
        raise ValidationError(
            f"{value!r} is not a rounding mode ({known})", field="rounding", value=value
        ) from None


def round_fraction(value: Fraction, rounding: RoundingMode) -> int:
    """Round an exact fraction to a whole number with a named rule.

    Args:
        value: The exact value.
        rounding: The rule.

    Returns:
        The rounded whole number.
    """
    return round_ratio(value.numerator, value.denominator, rounding)


def round_ratio(numerator: int, denominator: int, rounding: RoundingMode) -> int:
    """Round ``numerator / denominator`` (``denominator`` > 0) to a whole number, exactly.

    The same as :func:`round_fraction` without building a fraction, for hot paths.
    """
    if rounding.__class__ is not RoundingMode:
        rounding = rounding_mode(rounding)
    floor, remainder = divmod(numerator, denominator)
    if remainder == 0:
        return floor
    # floor is the integer below; decide between floor and floor + 1 exactly, without decimals.
    twice = 2 * remainder
    if rounding is RoundingMode.HALF_UP:
        up = twice > denominator or (twice == denominator and numerator > 0)
    elif rounding is RoundingMode.HALF_EVEN:
        up = twice > denominator or (twice == denominator and floor % 2 == 1)
    elif rounding is RoundingMode.DOWN:
        up = numerator < 0
    elif rounding is RoundingMode.UP:
        up = numerator > 0
    else:  # pragma: no cover - rounding_mode() admits only the four
        raise AssertionError(rounding)
    return floor + 1 if up else floor
