"""Every error shopkit raises, in one tree.

```text
ShopkitError                         root: catch this to catch everything shopkit raises
├── ValidationError (ValueError)     a value is not acceptable; names the field and the value
│   ├── CurrencyError                an unknown or malformed ISO 4217 currency code
│   ├── PrecisionError               more decimals than the currency has (no silent rounding)
│   └── QuantityError                a quantity that is negative, zero or fractional
├── CurrencyMismatchError (ValueError)  two amounts in different currencies were combined
├── ConfigError (ValueError)         a config or JSON document does not fit; lists every problem
├── PluginError (LookupError)        a plugin kind cannot be found or loaded
│   └── UnknownPluginError           no plugin is registered under that type name
├── NotFittedError (ValueError, AttributeError)  a model was used before ``fit``
│
│   defined where they are raised, in shopkit.pricing (the core may not import a domain):
├── LimitReachedError (RuntimeError)  a store refused a claim: its code, promotion, customer or
│                                     budget is used up
├── ReservationError (RuntimeError)   a commit found no live reservation (expired, or never made)
└── CheckoutError (RuntimeError)      reserve_checkout reserved nothing: a limit was reached since
                                      pricing (says which promotion and why)
```

Each leaf also inherits the builtin a caller would already catch, so ``except ValueError``
keeps working. Every error carries a stable machine-readable ``code`` (for a service to map to a
response), the ``field`` it concerns (a dotted path where one is known) and the offending
``value``; ``str(error)`` reads ``field: message``.

Examples:
    >>> from shopkit import Money
    >>> from shopkit.errors import PrecisionError
    >>> try:
    ...     Money.of("1.999", "USD")
    ... except PrecisionError as error:
    ...     print(error.code, error.field, error.value)
    ...     print(error)
    precision amount 1.999
    amount: 1.999 has more decimals than USD allows (2)
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "ConfigError",
    "CurrencyError",
    "CurrencyMismatchError",
    "NotFittedError",
    "PluginError",
    "PrecisionError",
    "QuantityError",
    "ShopkitError",
    "UnknownPluginError",
    "ValidationError",
]

_MISSING: Any = object()


class ShopkitError(Exception):
    """Root of every error shopkit raises.

    Attributes:
        code: A stable, machine-readable name of the kind of error (``"validation"``,
            ``"currency_mismatch"``, …), fit for a service to map to a response.
        field: The field (a dotted path where known) the error is about, or ``None``.
        value: The offending value, or ``None`` where there is none.
        message: The description without the field prefix.
    """

    code: str = "shopkit"

    def __init__(self, message: str, *, field: str | None = None, value: Any = _MISSING) -> None:
        self.message = message
        self.field = field
        self.value = None if value is _MISSING else value
        super().__init__(f"{field}: {message}" if field else message)

    def at(self, prefix: str) -> ShopkitError:
        """Return a copy of this error whose field is placed under ``prefix``.

        Used when a nested value fails: ``amount`` inside ``lines[2].unit_price`` becomes
        ``lines[2].unit_price.amount``.

        Args:
            prefix: The path of the containing value.

        Returns:
            A new error of the same class with the longer field path.
        """
        clone = copy.copy(self)
        clone.field = f"{prefix}.{self.field}" if self.field else prefix
        clone.args = (f"{clone.field}: {self.message}",)
        return clone


class ValidationError(ShopkitError, ValueError):
    """A value is not acceptable: a negative price, a percentage over 100, an empty bundle."""

    code = "validation"


class CurrencyError(ValidationError):
    """A currency code is not a known ISO 4217 code."""

    code = "currency"


class PrecisionError(ValidationError):
    """An amount has more decimals than its currency allows; shopkit never rounds it silently."""

    code = "precision"


class QuantityError(ValidationError):
    """A quantity is negative, zero where that is not allowed, or not a whole number."""

    code = "quantity"


class CurrencyMismatchError(ShopkitError, ValueError):
    """Two amounts in different currencies were added, subtracted or compared."""

    code = "currency_mismatch"


class ConfigError(ShopkitError, ValueError):
    """A config or JSON document could not be turned into shopkit objects.

    Attributes:
        errors: Every problem found, each as ``path: message``; ``str(error)`` joins them.
    """

    code = "config"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = _MISSING,
        errors: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, field=field, value=value)
        self.errors = errors or (str(self),)


class PluginError(ShopkitError, LookupError):
    """A plugin kind could not be found or could not be loaded."""

    code = "plugin"


class UnknownPluginError(PluginError):
    """No plugin is registered under the type name asked for.

    Attributes:
        known: The type names that are registered in that group, sorted.
    """

    code = "unknown_plugin"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = _MISSING,
        known: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, field=field, value=value)
        self.known = known


class NotFittedError(ShopkitError, ValueError, AttributeError):
    """A model was asked for results before ``fit`` was called."""

    code = "not_fitted"
