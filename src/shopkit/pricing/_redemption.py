"""Redemption stores: usage limits that hold under concurrent checkouts.

A store knows nothing of promotions. It keeps *claims* on named counters, each claim made by an
order: "order 1001 takes 1 of ``code:BF-7K2M`` (limit 1)", "order 1001 takes 700.00 of
``budget:black-friday:EUR`` (limit 10,000.00)". An order's claims are reserved together or not at
all, then committed when the order is paid, or released when it is abandoned, cancelled or
refunded. A reservation that is never committed stops counting at its expiry, so a checkout that
dies between reserve and commit gives its uses back by itself.

What counts against a limit is every committed claim plus every reservation not yet expired. The
built-in stores (``_memory_store``: in memory; ``_sqlite_store``: an SQLite file; ``_postgres``)
implement the same :class:`RedemptionStore` protocol; a Redis store implements it the same way,
and ``shopkit.testing.pricing.RedemptionStoreContract`` checks it. This module holds the
protocol, the keys, claims and errors, and the checks every store makes of its input.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import attrs

from shopkit import ShopkitError, ValidationError
from shopkit import validators as check

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Claim",
    "ClaimKey",
    "Counter",
    "Held",
    "LimitReachedError",
    "RedemptionStore",
    "ReservationError",
    "StoreError",
]


class Counter(enum.StrEnum):
    """What a redemption counter counts."""

    PROMOTION = "promotion"
    """The orders that used a promotion."""
    CUSTOMER = "customer"
    """The orders of one customer that used a promotion."""
    BUDGET = "budget"
    """What a promotion has given, in one currency's minor units."""
    CODE = "code"
    """The orders that used an issued code."""


@attrs.frozen
class ClaimKey:
    """The name of a redemption counter, written and read back in one place.

    ``str(key)`` is the store's key: ``promotion:ID``, ``promotion:ID:customer:CUSTOMER``,
    ``budget:ID:CURRENCY`` or ``code:CODE``; ``ClaimKey.parse`` reads one back.

    Attributes:
        counter: What the counter counts.
        subject: The promotion id, or the normalised code for a code counter.
        detail: The customer id (customer counters) or the currency (budgets).

    Examples:
        >>> from shopkit.pricing._redemption import ClaimKey
        >>> key = ClaimKey.budget("bf", "EUR")
        >>> str(key), ClaimKey.parse(str(key)) == key
        ('budget:bf:EUR', True)
    """

    counter: Counter
    subject: str
    detail: str | None = None

    @classmethod
    def promotion(cls, promotion_id: str) -> ClaimKey:
        """The counter of a promotion's uses."""
        return cls(Counter.PROMOTION, promotion_id)

    @classmethod
    def customer(cls, promotion_id: str, customer_id: str) -> ClaimKey:
        """The counter of one customer's uses of a promotion."""
        return cls(Counter.CUSTOMER, promotion_id, customer_id)

    @classmethod
    def budget(cls, promotion_id: str, currency: str) -> ClaimKey:
        """The counter of what a promotion has given, in one currency's minor units."""
        return cls(Counter.BUDGET, promotion_id, currency)

    @classmethod
    def code(cls, normalized_code: str) -> ClaimKey:
        """The counter of an issued code's uses."""
        return cls(Counter.CODE, normalized_code)

    def __str__(self) -> str:
        if self.counter is Counter.CUSTOMER:
            return f"promotion:{self.subject}:customer:{self.detail}"
        if self.counter is Counter.BUDGET:
            return f"budget:{self.subject}:{self.detail}"
        return f"{self.counter.value}:{self.subject}"

    @classmethod
    def parse(cls, key: str) -> ClaimKey:
        """Read a key written by ``str(ClaimKey(...))``.

        Raises:
            ValidationError: the key is not one shopkit writes.
        """
        kind, _, rest = key.partition(":")
        if kind == "code" and rest:
            return cls.code(rest)
        if kind == "budget" and ":" in rest:
            promotion_id, currency = rest.rsplit(":", 1)
            return cls.budget(promotion_id, currency)
        if kind == "promotion" and rest:
            promotion_id, _, customer = rest.partition(":customer:")
            if customer:
                return cls.customer(promotion_id, customer)
            return cls.promotion(promotion_id)
        raise ValidationError(f"{key!r} is not a shopkit counter key", field="key", value=key)


class LimitReachedError(ShopkitError, RuntimeError):
    """A claim does not fit its limit: the code, promotion, customer or budget is used up.

    Attributes:
        claim: The claim that did not fit.
        used: What the counter already holds (committed and live reservations).
    """

    code = "limit_reached"
    http_status = 409

    def __init__(self, claim: Claim, used: int) -> None:
        super().__init__(
            f"{claim.key} holds {used} of {claim.limit}; {claim.amount} more does not fit",
            field=claim.key,
            value=claim.amount,
        )
        self.claim = claim
        self.used = used


class ReservationError(ShopkitError, RuntimeError):
    """A commit found no live reservation for the order (it expired, or was never made)."""

    code = "reservation"
    http_status = 409


class StoreError(ShopkitError, RuntimeError):
    """The store could not do what was asked; nothing was changed, and the call may be retried.

    Its file or server cannot be used, or a call waited longer than the store's ``timeout``.
    """

    code = "store"
    http_status = 503


def _key(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check.non_empty_str(instance, attribute, value)
    if any(not char.isprintable() for char in str(value)):
        raise ValidationError(
            f"{value!r} holds a control character", field=attribute.name, value=value
        )


def _at_most_max_count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value > MAX_COUNT:
        raise ValidationError(
            f"{value} is over the largest count a store keeps ({MAX_COUNT})",
            field=attribute.name,
            value=value,
        )


@attrs.frozen
class Claim:
    """One order's claim on one counter.

    Attributes:
        key: The counter, e.g. ``"code:BF7K2M"``, ``"promotion:bf:customer:c-42"``,
            ``"budget:bf:EUR"``.
        amount: How much the order takes: 1 for a use, minor units for a budget.
        limit: The most the counter may hold, over every order.
    """

    key: str = attrs.field(validator=_key)
    amount: int = attrs.field(validator=[check.positive_int, _at_most_max_count])
    limit: int = attrs.field(validator=[check.non_negative_int, _at_most_max_count])


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _micros(moment: dt.datetime, field: str) -> int:
    """The moment as whole microseconds since 1970 (UTC): exact, and comparable in SQL."""
    return (check.aware_datetime(moment, field) - _EPOCH) // _MICROSECOND


@attrs.frozen
class Held:
    """What a store holds for one order, as :meth:`RedemptionStore.held` reports it.

    Attributes:
        amounts: The amount of each counter the order claims, by key.
        expires_at: When the claims stop counting unless committed.
        committed: Whether the order is committed (its claims count for good).
        limits: The limit each claim was reserved with, by key.
    """

    amounts: dict[str, int]
    expires_at: dt.datetime
    committed: bool
    limits: dict[str, int] = attrs.field(factory=dict)
    """The limit each claim was reserved with, by key (empty from a store that keeps none)."""


MAX_COUNT = 2**63 - 1
"""The largest amount or limit a claim may have: what a 64-bit SQL integer holds."""


def _check_claims(order_id: object, claims: object) -> tuple[Claim, ...]:
    """The order id and claims checked, the claims as a tuple (a generator is read once)."""
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError(f"{order_id!r} is not an order id", field="order_id", value=order_id)
    if isinstance(claims, str | bytes | dict) or not isinstance(claims, Iterable):
        raise ValidationError(
            f"{claims!r} is not a sequence of claims", field="claims", value=claims
        )
    taken = tuple(claims)
    for index, claim in enumerate(taken):
        if not isinstance(claim, Claim):
            raise ValidationError(
                f"{claim!r} is not a Claim", field=f"claims[{index}]", value=claim
            )
    keys = [claim.key for claim in taken]
    if len(set(keys)) != len(keys):
        raise ValidationError("a counter is claimed twice", field="claims", value=keys)
    return taken


def _check_keys(keys: object) -> list[str]:
    """The counter keys of a ``used`` call, checked."""
    if isinstance(keys, str | bytes | dict) or not isinstance(keys, Iterable):
        raise ValidationError(f"{keys!r} is not a sequence of keys", field="keys", value=keys)
    taken = list(keys)
    for index, key in enumerate(taken):
        if not isinstance(key, str):
            raise ValidationError(f"{key!r} is not a key", field=f"keys[{index}]", value=key)
    return taken


def _moment(micros: int) -> dt.datetime:
    return _EPOCH + micros * _MICROSECOND


def _check_window(moment: int, until: int) -> None:
    if until <= moment:
        raise ValidationError(
            "the reservation would expire before it is made",
            field="expires_at",
            value=_moment(until).isoformat(),
        )


def _check_order_id(order_id: object) -> str:
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError(f"{order_id!r} is not an order id", field="order_id", value=order_id)
    return order_id


@runtime_checkable
class RedemptionStore(Protocol):
    """Where usage is counted. Every method is atomic; the moment ``at`` is passed in, never read.

    A store must guarantee, under any number of concurrent callers (threads or processes as
    the store promises): the claims of one ``reserve`` are all taken or none; a counter never
    holds more than a claim's limit; ``commit`` and ``release`` are idempotent.
    """

    def reserve(
        self, order_id: str, claims: Iterable[Claim], *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Take every claim for ``order_id`` until ``expires_at``, or none of them.

        Reserving again for an order that holds a live reservation replaces it (a checkout that
        is priced again); reserving for a committed order is an error.

        Raises:
            LimitReachedError: a claim does not fit; nothing was taken.
            ReservationError: the order is already committed.
        """

    def commit(self, order_id: str, *, at: dt.datetime) -> None:
        """Make the order's live reservation permanent. Committing twice commits once.

        Raises:
            ReservationError: the order has no live reservation (it expired or never was).
        """

    def release(self, order_id: str) -> None:
        """Give back everything the order holds, reserved or committed.

        For an order abandoned, cancelled or refunded. Releasing twice, or an unknown order,
        does nothing.
        """

    def used(self, keys: Sequence[str], *, at: dt.datetime) -> dict[str, int]:
        """What each counter holds now: committed claims plus live reservations."""

    def held(self, order_id: str, *, at: dt.datetime) -> Held | None:
        """What the order holds at ``at``: its committed or live claims; ``None`` if nothing.

        An order never reserved, released, or whose reservation expired uncommitted holds
        nothing. ``reserve_checkout`` asks it to answer a retried checkout with the earlier
        reservation.
        """

    def purge(self, *, at: dt.datetime) -> int:
        """Delete reservations expired at ``at``; return how many orders were purged.

        Expired reservations already count for nothing; this only tidies the store.
        """
