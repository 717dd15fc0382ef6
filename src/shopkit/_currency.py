"""ISO 4217 currency codes and their minor-unit exponents, read from babel's CLDR data.

CLDR is the one source of the exponents: shopkit keeps no table of its own. A shop whose payment
gateway follows ISO 4217 where CLDR differs (IQD 3 where CLDR says 0, ALL 2 where it says 0, …)
overrides that one currency with ``set_currency_exponent`` when it starts, before any amount in
that currency is made.
"""

from __future__ import annotations

import functools
import threading

from babel.numbers import get_currency_precision, list_currencies

from shopkit.errors import CurrencyError, ValidationError

__all__ = ["currency_exponent", "known_currencies", "set_currency_exponent", "validate_currency"]

_OVERRIDES: dict[str, int] = {}
_OVERRIDES_LOCK = threading.Lock()
_MAX_EXPONENT = 4  # the largest exponent ISO 4217 and CLDR use (CLF, UYW)


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


def currency_exponent(code: str) -> int:
    """Return how many decimals the currency has: its minor-unit exponent, as CLDR records it.

    The figure comes from the Unicode CLDR data through babel, not from a hand-typed table:
    JPY has 0, USD 2, KWD 3. CLDR follows ISO 4217 for almost every currency; for a few whose
    minor unit is not used in practice it records the digits prices are written with (IQD 0
    where ISO 4217 says 3; AFN, ALL, HUF, IRR, LBP, SYP, YER 0 where it says 2, as of babel
    2.19), and shopkit
    follows CLDR there unless the shop overrides the currency (``set_currency_exponent``).

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
    override = _OVERRIDES.get(code)
    if override is not None:
        return override
    return _cldr_exponent(code)


@functools.cache
def _cldr_exponent(code: str) -> int:
    validate_currency(code)
    return int(get_currency_precision(code))


def is_overridden(code: str) -> bool:
    """Whether a shop has overridden the exponent of ``code`` (formatting needs to know)."""
    return code in _OVERRIDES


def set_currency_exponent(code: str, exponent: int | None) -> None:
    """Override the exponent of one currency, or with ``None`` go back to CLDR's.

    For a shop whose payment gateway follows ISO 4217 where CLDR differs: IQD has 3 decimals in
    ISO 4217 and 0 in CLDR. ``Money`` keeps integer minor units, so an amount made before the
    override would change its meaning after it: call this once at start-up, before any amount
    in that currency is made. The setting is process-wide, like a locale.

    Args:
        code: A known ISO 4217 code.
        exponent: The number of decimals, from 0 to 4; ``None`` removes the override.

    Raises:
        CurrencyError: ``code`` is not a known code.
        ValidationError: ``exponent`` is not a whole number from 0 to 4.

    Examples:
        >>> from shopkit import Money, currency_exponent, set_currency_exponent
        >>> currency_exponent("IQD")
        0
        >>> set_currency_exponent("IQD", 3)
        >>> print(Money.of("1.250", "IQD"))
        1.250 IQD
        >>> set_currency_exponent("IQD", None)
        >>> currency_exponent("IQD")
        0
    """
    validate_currency(code)
    if exponent is not None and (
        isinstance(exponent, bool)
        or not isinstance(exponent, int)
        or not 0 <= exponent <= _MAX_EXPONENT
    ):
        raise ValidationError(
            f"{exponent!r} is not a whole number of decimals from 0 to {_MAX_EXPONENT}",
            field="exponent",
            value=exponent,
        )
    with _OVERRIDES_LOCK:
        if exponent is None:
            _OVERRIDES.pop(code, None)
        else:
            _OVERRIDES[code] = exponent
