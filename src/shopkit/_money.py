"""Exact money: integer minor units in an ISO 4217 currency, never a float."""

from __future__ import annotations

import decimal
import enum
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs
from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, parse_pattern

from shopkit._currency import currency_exponent, is_overridden, validate_currency
from shopkit.errors import CurrencyMismatchError, PrecisionError, ShopkitError, ValidationError

__all__ = ["MAX_AMOUNT", "MAX_MINOR", "Money", "RoundingMode", "allocate", "to_decimal"]

MAX_AMOUNT: Final = Decimal(10) ** 18
"""Amounts (and other decimals: factors, percentages) read from input are below this in size.

A quintillion: far past any shop's figures, and every sum of such amounts stays exact.
``to_decimal`` refuses ``"1e70"`` and anything else at or past it.
"""

MAX_MINOR: Final = 10**22 - 1
"""The largest ``Money`` built from input, in minor units: under 10^18 major units in a currency
of 4 decimals, and so in every currency.

``Money(minor, currency)`` refuses amounts past it, either sign, with a ``ValidationError``, and
``Money.of`` refuses amounts of 10^18 major units or more; sums and products computed from such
amounts may exceed them, and stay exact.
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


@attrs.frozen(order=False, repr=False)
class Money:
    """An exact amount of money: a whole number of the currency's minor units.

    ``Money(1999, "USD")`` is 19.99 USD; ``Money(1999, "JPY")`` is 1,999 JPY;
    ``Money(1999, "KWD")`` is 1.999 KWD. Build it from a decimal string with ``of``.

    Amounts add, subtract and compare only within one currency; anything else raises
    ``CurrencyMismatchError``. Multiplying by a whole number is exact;
    multiplying by a fraction goes through ``scale``, which names its rounding.

    Attributes:
        minor: The amount in minor units (cents for USD, yen for JPY, fils for KWD); may be
            negative.
        currency: The ISO 4217 code.

    Examples:
        >>> from shopkit import Money
        >>> price = Money.of("19.99", "USD")
        >>> price.minor, price.amount
        (1999, Decimal('19.99'))
        >>> print(price * 3 - Money.of("5", "USD"))
        54.97 USD
    """

    minor: int = attrs.field()
    currency: str = attrs.field()

    @minor.validator
    def _check_minor(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                f"{value!r} is not a whole number of minor units", field="minor", value=value
            )
        if abs(value) > MAX_MINOR:
            raise ValidationError(
                f"{value} minor units is past the largest amount shopkit takes ({MAX_MINOR})",
                field="minor",
                value=value,
            )

    @currency.validator
    def _check_currency(self, attribute: attrs.Attribute[str], value: object) -> None:
        validate_currency(value)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Build an amount from its decimal value in major units.

        Args:
            amount: ``"29.99"``, ``Decimal("29.99")`` or ``30``; never a float.
            currency: The ISO 4217 code.

        Returns:
            The exact amount.

        Raises:
            ValidationError: ``amount`` is a float or not a number.
            PrecisionError: ``amount`` has more decimals than the currency allows.
            CurrencyError: ``currency`` is unknown.

        Examples:
            >>> from shopkit import Money
            >>> Money.of("1.500", "KWD").minor
            1500
        """
        value = to_decimal(amount)
        exponent = currency_exponent(validate_currency(currency))
        try:
            scaled = _CONTEXT.scaleb(value, exponent)
        except decimal.Inexact:
            raise ValidationError(
                f"{amount} has more digits than shopkit keeps exactly (60)",
                field="amount",
                value=amount,
            ) from None

        if scaled != scaled.to_integral_value():
            raise PrecisionError(
                f"{amount} has more decimals than {currency} allows ({exponent})",
                field="amount",
                value=amount,
            )
        return cls(int(scaled), currency)

    @staticmethod
    def _trusted(minor: int, currency: str) -> Money:
        """Build without validation, from a whole number and a code already known good."""
        money = _new(Money)
        _set_minor(money, minor)
        _set_currency(money, currency)
        return money

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return nothing in ``currency``.

        Examples:
            >>> from shopkit import Money
            >>> Money.zero("EUR").minor
            0
        """
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read the form ``str`` writes: ``"29.99 USD"``.

        Args:
            text: An amount, one space, an ISO 4217 code.

        Returns:
            The exact amount.

        Raises:
            ValidationError: ``text`` is not of that form.

        Examples:
            >>> from shopkit import Money
            >>> Money.parse("1.250 KWD") == Money.of("1.25", "KWD")
            True
        """
        if not isinstance(text, str):
            raise ValidationError(
                f"{text!r} is not a money string like '29.99 USD'", field="money", value=text
            )
        parts = text.split()
        if len(parts) != 2:
            raise ValidationError(
                f"{text!r} is not of the form '29.99 USD'", field="money", value=text
            )
        return cls.of(parts[0], parts[1])

    @property
    def exponent(self) -> int:
        """The currency's number of decimals."""
        return currency_exponent(self.currency)

    @property
    def amount(self) -> Decimal:
        """The value in major units, with exactly the currency's number of decimals."""
        # built from the digits, not by arithmetic: exact at any size, never in E notation
        return Decimal(f"{self.minor}E-{self.exponent}")

    def _same(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {self} and {other}: currencies differ",
                field="currency",
                value=other.currency,
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money._trusted(self.minor + self._same(other, "add").minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money._trusted(self.minor - self._same(other, "subtract").minor, self.currency)

    def __neg__(self) -> Money:
        return Money._trusted(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money._trusted(abs(self.minor), self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError(
                f"Money can be multiplied by a whole number only, not {factor!r}; "
                "use Money.scale() for a fraction, which names its rounding"
            )
        return Money._trusted(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other, "compare").minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other, "compare").minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other, "compare").minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other, "compare").minor

    def is_zero(self) -> bool:
        """Return whether the amount is exactly zero."""
        return self.minor == 0

    def is_negative(self) -> bool:
        """Return whether the amount is below zero."""
        return self.minor < 0

    def scale(
        self,
        factor: str | int | Decimal | Fraction,
        rounding: RoundingMode = RoundingMode.HALF_UP,
    ) -> Money:
        """Multiply by a factor and round the result to a minor unit with a named rule.

        Args:
            factor: The multiplier, e.g. ``Decimal("0.15")`` for 15 %; exact, never a float.
            rounding: How the result is rounded to a whole minor unit.

        Returns:
            The rounded amount, in the same currency.

        Examples:
            >>> from shopkit import Money, RoundingMode
            >>> price = Money.of("0.25", "EUR")
            >>> print(price.scale("0.5"), price.scale("0.5", RoundingMode.HALF_EVEN))
            0.13 EUR 0.12 EUR
        """
        if isinstance(factor, Fraction):
            exact = Fraction(self.minor) * factor
        else:
            exact = Fraction(self.minor) * Fraction(to_decimal(factor, "factor"))
        return Money(round_fraction(exact, rounding), self.currency)

    def percent(
        self, percent: str | int | Decimal, rounding: RoundingMode = RoundingMode.HALF_UP
    ) -> Money:
        """Return ``percent`` % of this amount, rounded with a named rule.

        Examples:
            >>> from shopkit import Money
            >>> print(Money.of("19.99", "USD").percent(15))
            3.00 USD
        """
        return self.scale(Fraction(to_decimal(percent, "percent")) / 100, rounding)

    def format(self, locale: str = "en_US") -> str:
        r"""Format for display in a locale, with the currency's own symbol and decimals.

        Args:
            locale: A CLDR locale identifier such as ``"en_GB"``, ``"de_DE"`` or ``"ja_JP"``.

        Returns:
            The display string; for machine use prefer ``str`` or ``amount``.

        Examples:
            >>> from shopkit import Money
            >>> Money.of("1234.5", "EUR").format("de_DE")
            '1.234,50\xa0€'
            >>> Money.of("1234", "JPY").format("en_US")
            '¥1,234'
        """
        try:
            if is_overridden(self.currency):
                # CLDR's patterns carry CLDR's digits; an overridden currency shows its own.
                where = Locale.parse(locale)
                pattern = parse_pattern(where.currency_formats["standard"])
                pattern.frac_prec = (self.exponent, self.exponent)
                return str(
                    pattern.apply(self.amount, where, currency=self.currency, currency_digits=False)
                )
            return str(format_currency(self.amount, self.currency, locale=locale))
        except (UnknownLocaleError, ValueError, TypeError):
            raise ValidationError(
                f"{locale!r} is not a known CLDR locale", field="locale", value=locale
            ) from None

    def __str__(self) -> str:
        # what f"{self.amount} {self.currency}" prints, from the digits (the engine writes a
        # message per applied promotion; a Decimal costs twice as much). A currency has at
        # most 4 decimals, and Decimal writes E notation only past 6, so the two agree.
        exponent = currency_exponent(self.currency)
        minor = self.minor
        if not exponent:
            return f"{minor} {self.currency}"
        digits = str(-minor if minor < 0 else minor).rjust(exponent + 1, "0")
        sign = "-" if minor < 0 else ""
        return f"{sign}{digits[:-exponent]}.{digits[-exponent:]} {self.currency}"

    def __repr__(self) -> str:
        return f"Money.of({str(self.amount)!r}, {self.currency!r})"


# The slots' own setters: the pricing engine builds many amounts it has already checked.
_new = object.__new__
_set_minor = Money.__dict__["minor"].__set__
_set_currency = Money.__dict__["currency"].__set__


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


def allocate(
    total: Money,
    weights: Sequence[int | Decimal | Money],
    *,
    caps: Sequence[Money] | None = None,
    keys: Sequence[Any] | None = None,
) -> tuple[Money, ...]:
    """Split ``total`` over parts in proportion to ``weights`` so the parts sum exactly to it.

    Each part first gets its exact share rounded toward zero; the minor units left over go one
    each to the parts with the largest remainders (the largest remainder method). Remainders that
    tie are ordered by ``keys`` (the smallest key first), or by position when no keys are given,
    so the result is deterministic and, with keys, does not depend on the order of the parts.
    A part of weight zero gets nothing.

    With ``caps``, no part exceeds its cap: a part whose share would reach its cap gets the cap
    and the rest is spread over the others in proportion to their weights, again exactly.

    A negative total is spread as its absolute value and every part negated.

    Args:
        total: The amount to spread.
        weights: One non-negative weight per part (whole numbers, decimals or amounts, e.g. line
            totals); at least one must be positive unless ``total`` is zero.
        caps: Optional upper limits, one per part, in the total's currency.
        keys: Optional tie-break keys, one per part, all mutually comparable.

    Returns:
        One amount per part, in input order, summing exactly to ``total``.

    Raises:
        ValidationError: no parts, a negative weight, all weights zero, lengths that differ, a
            negative cap, or caps of the weighted parts that cannot hold the total.
        CurrencyMismatchError: a cap or amount weight in another currency.

    Examples:
        >>> from shopkit import Money, allocate
        >>> [str(part) for part in allocate(Money.of("10.00", "USD"), [1, 1, 1])]
        ['3.34 USD', '3.33 USD', '3.33 USD']
        >>> caps = [Money.of("1.00", "USD"), Money.of("50", "USD"), Money.of("50", "USD")]
        >>> [str(part) for part in allocate(Money.of("10.00", "USD"), [1, 1, 1], caps=caps)]
        ['1.00 USD', '4.50 USD', '4.50 USD']
    """
    count = len(weights)
    if count == 0:
        raise ValidationError("no parts to allocate over", field="weights", value=[])
    exact = _integer_weights(weights, total)
    if keys is not None and len(keys) != count:
        raise ValidationError(
            f"{len(keys)} keys for {count} weights", field="keys", value=len(keys)
        )
    remaining = abs(total.minor)
    active = [index for index in range(count) if exact[index] > 0]
    if remaining and not active:
        raise ValidationError(
            "all weights are zero, so there is nothing to allocate in proportion to",
            field="weights",
            value=[str(weight) for weight in weights],
        )
    limits = None
    if caps is not None:
        limits = _limits(total, caps, count)
        room = sum(limits[index] for index in active)
        if room < remaining:
            raise ValidationError(
                f"{abs(total)} does not fit under the caps of the weighted parts, which sum to "
                f"{Money(room, total.currency)}",
                field="caps",
                value=str(total),
            )
    parts = split_minor(remaining, exact, limits, keys)
    sign = -1 if total.minor < 0 else 1
    return tuple(Money._trusted(sign * part, total.currency) for part in parts)


def split_minor(
    remaining: int,
    weights: Sequence[int],
    limits: Sequence[int] | None = None,
    keys: Sequence[Any] | None = None,
) -> list[int]:
    """The whole-number core of :func:`allocate`, for callers that have checked their input.

    Args:
        remaining: A non-negative number of minor units to split.
        weights: Non-negative whole weights, at least one positive unless ``remaining`` is 0.
        limits: Optional caps per part, summing (over positive weights) to at least
            ``remaining``.
        keys: Optional tie-break keys.

    Returns:
        The parts, summing to ``remaining``.
    """
    count = len(weights)
    parts = [0] * count
    active = [index for index in range(count) if weights[index] > 0]
    if limits is not None:
        # Water-filling: a part whose exact share reaches its cap is fixed at the cap and the
        # rest is shared again among the others, until no share reaches a cap. The share of
        # part i is remaining × w_i / W; comparing remaining × w_i with cap_i × W keeps it in
        # whole numbers.
        while remaining and active:
            weight_sum = sum(weights[index] for index in active)
            capped = {
                index
                for index in active
                if remaining * weights[index] >= limits[index] * weight_sum
            }
            if not capped:
                break
            for index in capped:
                parts[index] = limits[index]
                remaining -= limits[index]
            active = [index for index in active if index not in capped]
    if remaining and active:
        # Shares remaining × w_i / W as whole quotients and remainders over the same W, so
        # the largest remainders are compared exactly, without fractions.
        weight_sum = sum(weights[index] for index in active)
        remainders = {}
        given = 0
        for index in active:
            quotient, remainders[index] = divmod(remaining * weights[index], weight_sum)
            parts[index] += quotient
            given += quotient
        leftover = remaining - given
        if leftover:
            order = sorted(
                active,
                key=lambda index: (
                    -remainders[index],
                    keys[index] if keys is not None else index,
                ),
            )
            for index in order[:leftover]:
                parts[index] += 1
    return parts


def _limits(total: Money, caps: Sequence[Money], count: int) -> list[int]:
    if len(caps) != count:
        raise ValidationError(
            f"{len(caps)} caps for {count} weights", field="caps", value=len(caps)
        )
    limits = []
    for index, cap in enumerate(caps):
        try:
            total._same(cap, "allocate over")
        except ShopkitError as error:
            raise error.at(f"caps[{index}]") from None
        if cap.minor < 0:
            raise ValidationError(f"cap {cap} is negative", field=f"caps[{index}]", value=str(cap))
        limits.append(cap.minor)
    return limits


def _integer_weights(weights: Sequence[int | Decimal | Money], total: Money) -> list[int]:
    """The weights as whole numbers in the same proportions (decimals scaled by a power of 10)."""
    values: list[int | Decimal] = []
    for index, weight in enumerate(weights):
        field = f"weights[{index}]"
        value: int | Decimal
        if isinstance(weight, Money):
            try:
                total._same(weight, "allocate over")
            except ShopkitError as error:
                raise error.at(field) from None
            value = weight.minor
        elif isinstance(weight, int) and not isinstance(weight, bool):
            value = weight
        else:
            value = to_decimal(weight, field)
        if value < 0:
            raise ValidationError(f"weight {weight} is negative", field=field, value=str(weight))
        values.append(value)
    places = max((-int(v.as_tuple().exponent) for v in values if isinstance(v, Decimal)), default=0)
    if places <= 0:
        return [int(value) for value in values]
    return [int(_CONTEXT.scaleb(Decimal(value), places)) for value in values]
