"""Exact money: integer minor units in an ISO 4217 currency, never a float.

Reading decimals and the rounding rules are ``_numbers``'; splitting an amount over parts is
``_allocation``'s.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs
from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, parse_pattern

from shopkit._currency import currency_exponent, is_overridden, validate_currency
from shopkit._numbers import _CONTEXT, MAX_AMOUNT, RoundingMode, round_fraction, to_decimal
from shopkit.errors import CurrencyMismatchError, PrecisionError, ValidationError

__all__ = ["MAX_AMOUNT", "MAX_MINOR", "Money", "RoundingMode", "to_decimal"]

MAX_MINOR: Final = 10**22 - 1
"""The largest ``Money`` built from input, in minor units: under 10^18 major units in a currency
of 4 decimals, and so in every currency.

``Money(minor, currency)`` refuses amounts past it, either sign, with a ``ValidationError``, and
``Money.of`` refuses amounts of 10^18 major units or more; sums and products computed from such
amounts may exceed them, and stay exact.
"""


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
