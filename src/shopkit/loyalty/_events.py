"""The events a loyalty ledger records: orders, refunds, reviews, referrals, sign-ups, ….

Each is a frozen value with an ``id`` (unique in a ledger), a moment ``at`` and the customer
it concerns. In JSON each is an object with a ``type`` key (``order``, ``refund``, ``review``,
``sign_up``, ``birthday``, ``referral``, ``adjustment``, ``redemption``), read by the one
converter: ``shopkit.from_json(text, list[LedgerEvent])``.

Events at the same moment are evaluated in a fixed order whatever the order they arrived in:
orders, refunds, sign-ups, referrals, reviews, birthdays, adjustments, redemptions; and by id
within a kind.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from typing import ClassVar

import attrs

from shopkit import Order, Registry, ValidationError, register_kind
from shopkit import validators as check

__all__ = [
    "Adjustment",
    "Birthday",
    "LedgerEvent",
    "OrderPlaced",
    "Redeemed",
    "Referred",
    "Refund",
    "RefundLine",
    "Review",
    "SignUp",
    "events",
]

_MAX_POINTS = 10_000_000
_EMPTY: Mapping[str, str] = check.frozen_mapping({})


class LedgerEvent(abc.ABC):
    """Something that happened in a loyalty programme, at a moment, to a customer."""

    rank: ClassVar[int] = 9
    """Where the kind comes among events of the same moment (lower first)."""

    @property
    @abc.abstractmethod
    def event_id(self) -> str:
        """The event's id, unique in a ledger."""

    @property
    @abc.abstractmethod
    def moment(self) -> dt.datetime:
        """When it happened."""

    @property
    @abc.abstractmethod
    def customers(self) -> tuple[str, ...]:
        """The customers whose status it may change (empty when a ledger resolves it)."""

    def sort_key(self) -> tuple[float, int, str]:
        """The key events are evaluated in: moment, kind, id."""
        return (self.moment.timestamp(), self.rank, self.event_id)


def _points(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    check.positive_int(instance, attribute, value)
    if value > _MAX_POINTS:
        raise ValidationError(
            f"{value} is more than {_MAX_POINTS} points", field=attribute.name, value=value
        )


@attrs.frozen
class OrderPlaced(LedgerEvent):
    """A customer's order; its id is the order's id.

    Attributes:
        order: The order (``shopkit.Order``), with its customer, priced lines, shipping, tax.
        categories: The category of each sku as the shop had it when the order was placed
            (for category multipliers), ``sku -> category``.
    """

    rank: ClassVar[int] = 0
    order: Order = attrs.field(validator=check.instance_of(Order))
    categories: Mapping[str, str] = attrs.field(
        default=_EMPTY, converter=check.frozen_mapping, validator=check.str_mapping, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if self.order.customer is None:
            raise ValidationError(
                "a guest order has no member to earn", field="order.customer", value=None
            )
        if not self.order.lines or self.order.currency is None:
            raise ValidationError(
                "the order has no priced line", field="order.lines", value=self.order.id
            )
        for index, line in enumerate(self.order.lines):
            if line.unit_price is None:
                raise ValidationError(
                    f"the line of {line.sku!r} has no unit price",
                    field=f"order.lines[{index}].unit_price",
                    value=None,
                )

    @property
    def event_id(self) -> str:
        """The order id."""
        return self.order.id

    @property
    def moment(self) -> dt.datetime:
        """When the order was placed."""
        return self.order.at

    @property
    def customers(self) -> tuple[str, ...]:
        """The ordering customer."""
        return (self.order.customer,) if self.order.customer else ()


@attrs.frozen
class RefundLine:
    """Units of one sku refunded.

    Attributes:
        sku: The sku, as on the order.
        quantity: How many units, at least 1.
    """

    sku: str = attrs.field(validator=check.non_empty_str)
    quantity: int = attrs.field(validator=check.positive_int)


@attrs.frozen
class Refund(LedgerEvent):
    """Units of an order returned, or (without lines) everything left of it cancelled.

    A refund with lines returns goods only; a cancellation (no lines) also returns the order's
    shipping and tax.

    Attributes:
        id: The refund's id.
        order: The id of the order refunded.
        at: When.
        lines: What was returned; empty for the whole order.
    """

    rank: ClassVar[int] = 1
    id: str = attrs.field(validator=check.non_empty_str)
    order: str = attrs.field(validator=check.non_empty_str)
    at: dt.datetime = attrs.field(validator=check.aware)
    lines: tuple[RefundLine, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(RefundLine)
    )

    @property
    def event_id(self) -> str:
        """The refund id."""
        return self.id

    @property
    def moment(self) -> dt.datetime:
        """When."""
        return self.at

    @property
    def customers(self) -> tuple[str, ...]:
        """Resolved by the ledger from the order."""
        return ()


@attrs.frozen
class _CustomerEvent(LedgerEvent):
    id: str = attrs.field(validator=check.non_empty_str)
    customer: str = attrs.field(validator=check.non_empty_str)
    at: dt.datetime = attrs.field(validator=check.aware)

    @property
    def event_id(self) -> str:
        """The event id."""
        return self.id

    @property
    def moment(self) -> dt.datetime:
        """When."""
        return self.at

    @property
    def customers(self) -> tuple[str, ...]:
        """The customer."""
        return (self.customer,)


@attrs.frozen
class SignUp(_CustomerEvent):
    """A customer joined the programme (a ``bonus`` rule may reward it).

    Attributes:
        id: The event id.
        customer: Who.
        at: When.
    """

    rank: ClassVar[int] = 2


@attrs.frozen
class Review(_CustomerEvent):
    """A customer reviewed something from one of their orders (a ``bonus`` rule may reward it).

    Attributes:
        id: The event id.
        customer: Who.
        at: When.
        order: The reviewed order's id; it must be the customer's, and placed before.
    """

    rank: ClassVar[int] = 4
    order: str = attrs.field(kw_only=True, validator=check.non_empty_str)


@attrs.frozen
class Birthday(_CustomerEvent):
    """A customer's birthday, recorded by the shop; at most one a calendar year.

    Attributes:
        id: The event id.
        customer: Who.
        at: When.
    """

    rank: ClassVar[int] = 5


@attrs.frozen
class Adjustment(_CustomerEvent):
    """Points added (positive) or taken (negative) by hand, with a reason.

    Attributes:
        id: The event id.
        customer: Whose.
        at: When.
        points: The points, not zero; a negative adjustment may not exceed the balance.
        reason: Why, in words.
    """

    rank: ClassVar[int] = 6
    points: int = attrs.field(kw_only=True)
    reason: str = attrs.field(kw_only=True, validator=check.non_empty_str)

    @points.validator
    def _check_points(self, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value == 0:
            raise ValidationError(
                f"{value!r} is not a whole number of points other than 0",
                field="points",
                value=value,
            )
        if abs(value) > _MAX_POINTS:
            raise ValidationError(
                f"{value} is more than {_MAX_POINTS} points", field="points", value=value
            )


@attrs.frozen
class Redeemed(_CustomerEvent):
    """Points spent (on an order, as a tender); at most the available balance.

    Attributes:
        id: The event id.
        customer: Whose.
        at: When.
        points: How many, at least 1.
        order: The order they paid towards, if the shop records it.
    """

    rank: ClassVar[int] = 7
    points: int = attrs.field(kw_only=True, validator=_points)
    order: str | None = attrs.field(
        default=None, kw_only=True, validator=check.optional(check.non_empty_str)
    )


@attrs.frozen
class Referred(LedgerEvent):
    """One customer referred another (who signs up, or orders, later).

    Attributes:
        id: The event id.
        referrer: Who referred.
        referred: Who was referred; a customer is referred once, and never by themselves.
        at: When.
    """

    rank: ClassVar[int] = 3
    id: str = attrs.field(validator=check.non_empty_str)
    referrer: str = attrs.field(validator=check.non_empty_str)
    referred: str = attrs.field(validator=check.non_empty_str)
    at: dt.datetime = attrs.field(validator=check.aware)

    def __attrs_post_init__(self) -> None:
        if self.referrer == self.referred:
            raise ValidationError(
                f"{self.referrer!r} cannot refer themselves", field="referred", value=self.referred
            )

    @property
    def event_id(self) -> str:
        """The event id."""
        return self.id

    @property
    def moment(self) -> dt.datetime:
        """When."""
        return self.at

    @property
    def customers(self) -> tuple[str, ...]:
        """Both sides."""
        return (self.referrer, self.referred)


events: Registry[LedgerEvent] = Registry(
    "shopkit.loyalty.events",
    LedgerEvent,
    builtins={
        "adjustment": "shopkit.loyalty._events:Adjustment",
        "birthday": "shopkit.loyalty._events:Birthday",
        "order": "shopkit.loyalty._events:OrderPlaced",
        "redemption": "shopkit.loyalty._events:Redeemed",
        "referral": "shopkit.loyalty._events:Referred",
        "refund": "shopkit.loyalty._events:Refund",
        "review": "shopkit.loyalty._events:Review",
        "sign_up": "shopkit.loyalty._events:SignUp",
    },
)
"""The ledger's event kinds by type name; the ledger evaluates these built-in kinds only
(a subclass of one, with fields of the shop's own, is evaluated as the kind it extends)."""

register_kind(events)
