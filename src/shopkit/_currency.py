"""ISO 4217 currency codes and their minor-unit exponents, read from babel's CLDR data."""

from __future__ import annotations

import functools

from babel.numbers import get_currency_precision, list_currencies

from shopkit.errors import CurrencyError

__all__ = ["currency_exponent", "known_currencies", "validate_currency"]


@functools.cache
def known_currencies() -> frozenset[str]:
    """Return every ISO 4217 code shopkit accepts (those CLDR, through babel, knows).

    Returns:
        The set of upper-case three-letter codes.

    Examples:
        >>> from shopkit import known_currencies
        >>> {"EUR", "JPY", "KWD"} <= known_currencies()
        True
    """
    return frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())


def validate_currency(code: object, field: str = "currency") -> str:
    """Return ``code`` if it is a known ISO 4217 currency code, else raise.

    Codes are matched exactly: upper case, three letters, as ISO 4217 writes them.

    Args:
        code: The value to check.
        field: The field name used in the error.

    Returns:
        The code, unchanged.

    Raises:
        CurrencyError: ``code`` is not a string or not a known code.

    Examples:
        >>> from shopkit import validate_currency
        >>> validate_currency("GBP")
        'GBP'
    """
    if not isinstance(code, str) or code not in known_currencies():
        hint = ""
        if isinstance(code, str) and code.upper() in known_currencies():
            hint = f" (currency codes are upper case: {code.upper()!r})"
        raise CurrencyError(
            f"{code!r} is not a known ISO 4217 currency code{hint}", field=field, value=code
        )
    return code


@functools.cache
def currency_exponent(code: str) -> int:
    """Return how many decimals the currency has: its minor-unit exponent, as CLDR records it.

    The figure comes from the Unicode CLDR data through babel, not from a hand-typed table:
    JPY has 0, USD 2, KWD 3. CLDR follows ISO 4217 for almost every currency; for a few whose
    minor unit is not used in practice it records the digits prices are written with (IQD 0
    where ISO 4217 says 3; AFN, ALL, IRR, LBP, RSD, SYP, YER 0 where it says 2), and shopkit
    follows CLDR there.

    Args:
        code: An ISO 4217 code.

    Returns:
        The number of decimals of the currency's minor unit.

    Raises:
        CurrencyError: ``code`` is not a known code.

    Examples:
        >>> from shopkit import currency_exponent
        >>> [currency_exponent(code) for code in ("JPY", "USD", "KWD")]
        [0, 2, 3]
    """
    validate_currency(code)
    return int(get_currency_precision(code))
