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
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypedDict

__all__ = [
    "ConfigError",
    "CurrencyError",
    "CurrencyMismatchError",
    "NotFittedError",
    "NotFoundError",
    "PluginError",
    "PrecisionError",
    "Problem",
    "QuantityError",
    "ShopkitError",
    "UnknownPluginError",
    "ValidationError",
    "location",
]

_MISSING: Any = object()
_DECIMAL_REPR = re.compile(r"Decimal\('([^']*)'\)")
_STEP = re.compile(r"\[(-?\d+)\]|\[([^\]]*)\]|([^.\[\]]+)")


class Problem(TypedDict):
    """One problem of a failed call, as a service returns it (the shape web frameworks use).

    Keys:
        loc: Where: the path to the value, one step per item, ``["lines", 2, "quantity"]``.
        msg: What is wrong, without the path.
        type: The error's ``code`` (``"quantity"``, ``"precision"``, …).
        input: The value as given (``None`` only where the value itself is missing).
    """

    loc: list[str | int]
    msg: str
    type: str
    input: Any


def location(field: str | None) -> list[str | int]:
    """A dotted field path as a list of steps: ``"lines[2].quantity"`` → ``lines, 2, quantity``.

    Examples:
        >>> from shopkit.errors import location
        >>> location("promotions[3].benefit.percent")
        ['promotions', 3, 'benefit', 'percent']
        >>> location(None), location("(document)")
        ([], [])
    """
    if not field or field == "(document)":
        return []
    steps: list[str | int] = []
    for index, bracketed, name in _STEP.findall(field):
        if index:
            steps.append(int(index))
        elif bracketed:
            steps.append(bracketed)
        else:
            steps.append(name)
    return steps


def _written(value: Any) -> str:
    """A value as the user wrote it: ``2.5`` for ``Decimal('2.5')``, the text of a string."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return repr(value)


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON can carry it: amounts as exact strings, moments in ISO 8601."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):  # float-ok: echoes a bad input as given, never an amount
        return value if value == value and abs(value) != float("inf") else str(value)  # float-ok
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if depth < 8 and isinstance(value, Mapping):
        return {str(key): _plain(item, depth + 1) for key, item in list(value.items())[:100]}
    if depth < 8 and isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value[:100]]
    return str(value)[:200]


def _join(prefix: str, field: str | None) -> str:
    if not field or field == "(document)":
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


class ShopkitError(Exception):
    """Root of every error shopkit raises.

    Attributes:
        code: A stable, machine-readable name of the kind of error (``"validation"``,
            ``"currency_mismatch"``, …), fit for a service to map to a response.
        http_status: The HTTP status a service answers with: 400 (a bad request, generally),
            404 (a named thing does not exist), 409 (the request conflicts with the state: a
            limit reached, an order already committed), 422 (a value in the request is not
            acceptable), 503 (a store is unavailable; retry later).
        field: The field (a dotted path where known) the error is about, or ``None``.
        value: The offending value, or ``None`` where there is none.
        value_given: Whether the error names a value (which may itself be ``None``).
        message: The description without the field prefix; values read as written
            (``2.5``, not ``Decimal('2.5')``).
    """

    code: str = "shopkit"
    http_status: int = 400

    def __init__(self, message: str, *, field: str | None = None, value: Any = _MISSING) -> None:
        self.message = _DECIMAL_REPR.sub(r"\1", message)
        self.field = field
        self.value = None if value is _MISSING else value
        self.value_given = value is not _MISSING
        super().__init__(f"{field}: {self.message}" if field else self.message)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, each with its location as a list, message, type and input.

        A single error is one problem; a ``ConfigError`` lists every problem of its document.

        Examples:
            >>> from shopkit import Money
            >>> from shopkit.errors import PrecisionError
            >>> try:
            ...     Money.of("2.555", "EUR")
            ... except PrecisionError as error:
            ...     [problem] = error.at("lines[0].unit_price").problems
            >>> problem["loc"], problem["type"], problem["input"]
            (['lines', 0, 'unit_price', 'amount'], 'precision', '2.555')
            >>> problem["msg"]
            '2.555 has more decimals than EUR allows (2)'
        """
        return [
            Problem(loc=location(self.field), msg=self.message, type=self.code, input=self.value)
        ]

    def to_json_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready body: ``type``, ``status``, ``message`` and ``problems``.

        Inputs are made JSON-safe: amounts and decimals as exact strings, moments in ISO 8601.
        """
        problems = [{**problem, "input": _plain(problem["input"])} for problem in self.problems]
        return {
            "type": self.code,
            "status": self.http_status,
            "message": str(self),
            "problems": problems,
        }

    def at(self, prefix: str) -> ShopkitError:
        """Return a copy of this error whose field is placed under ``prefix``.

        Used when a nested value fails: ``amount`` inside ``lines[2].unit_price`` becomes
        ``lines[2].unit_price.amount``. Every problem's location is prefixed the same way.

        Args:
            prefix: The path of the containing value.

        Returns:
            A new error of the same class with the longer field path.
        """
        clone = copy.copy(self)
        clone.field = _join(prefix, self.field)
        clone.args = (f"{clone.field}: {self.message}",)
        return clone


class ValidationError(ShopkitError, ValueError):
    """A value is not acceptable: a negative price, a percentage over 100, an empty bundle."""

    code = "validation"
    http_status = 422


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
    http_status = 422


class ConfigError(ShopkitError, ValueError):
    """A config or JSON document could not be turned into shopkit objects.

    Attributes:
        errors: Every problem found, each as ``path: message``; ``str(error)`` joins them.
        problems: The same problems structured (see :class:`Problem`).
    """

    code = "config"
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = _MISSING,
        errors: tuple[str, ...] = (),
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message, field=field, value=value)
        self.errors = tuple(_DECIMAL_REPR.sub(r"\1", e) for e in errors) or (str(self),)
        self._problems = [Problem(**p) for p in problems]

    @property
    def problems(self) -> list[Problem]:
        """Every problem of the document (see :attr:`ShopkitError.problems`)."""
        if self._problems:
            return [Problem(**p) for p in self._problems]
        found: list[Problem] = []
        for entry in self.errors:
            where, sep, message = entry.partition(": ")
            if not sep:
                where, message = "", entry
            found.append(
                Problem(loc=location(where), msg=message, type=self.code, input=self.value)
            )
        return found

    def at(self, prefix: str) -> ConfigError:
        """A copy with ``prefix`` before the field and before every problem's location."""
        clone = copy.copy(self)
        super_clone = ShopkitError.at(self, prefix)
        clone.field, clone.args = super_clone.field, super_clone.args
        clone.errors = tuple(
            f"{_join(prefix, e.partition(': ')[0])}: {e.partition(': ')[2]}"
            if ": " in e
            else f"{prefix}: {e}"
            for e in self.errors
        )
        head = location(prefix)
        clone._problems = [
            Problem(loc=[*head, *p["loc"]], msg=p["msg"], type=p["type"], input=p["input"])
            for p in self._problems
        ]
        return clone


class PluginError(ShopkitError, LookupError):
    """A plugin kind could not be found or could not be loaded."""

    code = "plugin"
    http_status = 422


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
    http_status = 409


class NotFoundError(ShopkitError, LookupError):
    """A thing asked for by name does not exist: a schema type, a promotion, an order."""

    code = "not_found"
    http_status = 404
