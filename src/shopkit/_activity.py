"""What customers did: orders of priced lines, and events (views, carts, purchases, refunds, …).

These are the shared records every part reads: recommendations fit on them, and KPIs and
loyalty programmes count the same orders. Each is a frozen value checked on construction; their
columnar form, for millions of rows, is ``OrderTable`` and ``EventTable``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

import attrs

from shopkit import validators as check
from shopkit._money import Money
from shopkit.errors import CurrencyMismatchError, ShopkitError, ValidationError

__all__ = ["Event", "EventKind", "Order", "OrderLine"]


class EventKind(enum.IntEnum):
    """What a customer did with an item.

    The integer values are stored in arrays (``EventTable.kind``, ``Interactions.kind``), so
    they never change: new kinds get new numbers.
    """

    PURCHASE = 0
    """Bought it (a line of an order)."""
    VIEW = 1
    """Looked at its product page."""
    ADD_TO_CART = 2
    """Put it in a cart."""
    CHECKOUT_STARTED = 3
    """Started the checkout with it in the cart."""
    REFUND = 4
    """Returned it, or had the purchase cancelled."""
    RECOMMENDATION_SHOWN = 5
    """Was shown it as a recommendation."""
    RECOMMENDATION_CLICKED = 6
    """Clicked it where it was recommended."""
    RECOMMENDATION_DISMISSED = 7
    """Dismissed it where it was recommended."""

    @property
    def is_recommendation(self) -> bool:
        """Whether the event is about a recommendation (shown, clicked or dismissed)."""
        # named, not compared: a kind added later gets the next number and is not one of these
        return self in _RECOMMENDATION_KINDS


_RECOMMENDATION_KINDS = frozenset(
    {
        EventKind.RECOMMENDATION_SHOWN,
        EventKind.RECOMMENDATION_CLICKED,
        EventKind.RECOMMENDATION_DISMISSED,
    }
)


@attrs.frozen
class OrderLine:
    """A quantity of one sku in an order, at the price it was sold at.

    Attributes:
        sku: The product.
        quantity: How many units; a whole number of at least 1.
        unit_price: The price of one unit before the line's discount, or ``None`` where the
            source names only what was bought (a basket export used for recommendations);
            amounts computed from an unpriced line are refused, never taken as zero.
        discount: The discount on the whole line, in the unit price's currency; zero by
            default, and at most the line's undiscounted total. ``None`` only when the line has
            no unit price.

    Examples:
        >>> from shopkit import Money, OrderLine
        >>> line = OrderLine("MUG-1", 3, Money.of("6.50", "GBP"), discount=Money.of("1", "GBP"))
        >>> print(line.total)
        18.50 GBP
    """

    sku: str = attrs.field(validator=check.non_empty_str)
    quantity: int = attrs.field(default=1, validator=check.positive_int)
    unit_price: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money)
    )
    discount: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if self.unit_price is None:
            if self.discount is not None:
                raise ValidationError(
                    "a line without a unit price cannot have a discount",
                    field="discount",
                    value=str(self.discount),
                )
            return
        if self.discount is None:
            object.__setattr__(self, "discount", Money.zero(self.unit_price.currency))
            return
        if self.discount.currency != self.unit_price.currency:
            raise CurrencyMismatchError(
                f"discount is in {self.discount.currency} but unit_price in "
                f"{self.unit_price.currency}",
                field="discount.currency",
                value=self.discount.currency,
            )
        if self.discount.minor > self.unit_price.minor * self.quantity:
            raise ValidationError(
                f"{self.discount} is more than the line's {self.unit_price * self.quantity}",
                field="discount",
                value=str(self.discount),
            )

    @property
    def total(self) -> Money:
        """Unit price times quantity, less the discount.

        Raises:
            ValidationError: the line has no unit price.
        """
        if self.unit_price is None or self.discount is None:
            raise ValidationError(
                f"the line of {self.sku!r} has no unit price", field="unit_price", value=None
            )
        return self.unit_price * self.quantity - self.discount


def _lines(value: Any) -> Any:
    """Attrs converter: an iterable of lines, a bare sku standing for one unpriced unit."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value  # tuple_of reports it
    lines = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            try:
                item = OrderLine(item)
            except ShopkitError as error:
                raise error.at(f"lines[{index}]") from None
        lines.append(item)
    return tuple(lines)


@attrs.frozen
class Order:
    """A placed order: its lines, when, by whom, through which channel and where.

    Attributes:
        id: The order id; one basket.
        lines: The lines, in the order placed. A bare sku stands for one unit without a price
            (``Order("o1", ["A", "B"], at)``), enough for recommendations; KPIs need prices.
        at: When it was placed, with a UTC offset.
        currency: The ISO 4217 code of its prices; taken from the priced lines when not given,
            and ``None`` when no line has a price. Every priced line is in it.
        customer: The opaque customer id, or ``None`` for a guest.
        channel: The sales channel ("web", "app", "store", …), if known.
        region: The region it shipped to, if known.
        segment: The customer's segment at the time, if the shop passes one.
        shipping: What the customer paid for delivery, in the order's currency, after any
            shipping discount; ``None`` where the source does not say (not taken as zero by
            anything that needs it: a KPI or loyalty rule counting shipping refuses such an
            order). Not part of ``total``.
        tax: The tax charged on the order, in the order's currency, or ``None`` where the
            source does not say. Not part of ``total``.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> Order("o1", ["A", "B", "A"], at).skus
        ('A', 'B')
        >>> tea = OrderLine("TEA", 2, Money.of("3.50", "GBP"))
        >>> order = Order("o2", [tea, OrderLine("MUG", 1, Money.of("6", "GBP"))], at)
        >>> order.currency, str(order.total)
        ('GBP', '13.00 GBP')
        >>> shipped = Order("o3", [tea], at, shipping=Money.of("3.95", "GBP"))
        >>> str(shipped.total), str(shipped.shipping)
        ('7.00 GBP', '3.95 GBP')
    """

    id: str = attrs.field(validator=check.non_empty_str)
    lines: tuple[OrderLine, ...] = attrs.field(
        converter=_lines, validator=check.tuple_of(OrderLine)
    )
    at: dt.datetime = attrs.field(validator=check.aware)
    currency: str | None = attrs.field(
        default=None, validator=check.optional(check.currency), kw_only=True
    )
    customer: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    channel: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    region: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    segment: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    shipping: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money), kw_only=True
    )
    tax: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        currency = self.currency
        for index, line in enumerate(self.lines):
            if line.unit_price is None:
                continue
            if currency is None:
                currency = line.unit_price.currency
            elif line.unit_price.currency != currency:
                raise CurrencyMismatchError(
                    f"{line.unit_price.currency} price in a {currency} order",
                    field=f"lines[{index}].unit_price.currency",
                    value=line.unit_price.currency,
                )
        for name in ("shipping", "tax"):
            amount: Money | None = getattr(self, name)
            if amount is None:
                continue
            if currency is None:
                currency = amount.currency
            elif amount.currency != currency:
                raise CurrencyMismatchError(
                    f"{amount.currency} {name} in a {currency} order",
                    field=f"{name}.currency",
                    value=amount.currency,
                )
        object.__setattr__(self, "currency", currency)

    @property
    def skus(self) -> tuple[str, ...]:
        """The distinct skus bought, in order of first appearance (each counts once)."""
        return tuple(dict.fromkeys(line.sku for line in self.lines))

    @property
    def total(self) -> Money:
        """The sum of the line totals (after line discounts).

        Raises:
            ValidationError: a line has no unit price, or the order has no priced line.
        """
        if self.currency is None:
            raise ValidationError(
                f"order {self.id!r} has no priced line", field="lines", value=self.id
            )
        total = Money.zero(self.currency)
        for line in self.lines:
            total += line.total
        return total


def _kind(value: Any) -> EventKind:
    """An ``EventKind`` from a member, its value or its name (``"view"``); else a ValidationError.

    ``validators.enum_value`` knows values only; events are also written with kind names.
    """
    if isinstance(value, EventKind):
        return value
    if isinstance(value, str) and value.upper() in EventKind.__members__:
        return EventKind[value.upper()]
    try:
        return EventKind(value)
    except (ValueError, TypeError):
        choices = ", ".join(f"{kind.name.lower()} ({kind.value})" for kind in EventKind)
        raise ValidationError(
            f"{value!r} is not a valid EventKind: one of {choices}", field="kind", value=value
        ) from None


@attrs.frozen
class Event:
    """One thing a customer did with one item: a view, an add-to-cart, a purchase, a refund, ….

    Attributes:
        kind: What happened, an ``EventKind`` (or its value).
        sku: The item.
        at: When, with a UTC offset.
        session: The session or cart id the event belongs to; events of one session form one
            basket.
        customer: The opaque customer id, or ``None`` for a guest.
        channel: The sales channel, if known.
        region: The region, if known.
        segment: The customer's segment, if the shop passes one.
        placement: Where the recommendation was shown (``"checkout"``, …); only for the
            recommendation kinds.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Event, EventKind
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> Event(EventKind.VIEW, "A", at, "s1").kind
        <EventKind.VIEW: 1>
        >>> Event("recommendation_shown", "B", at, "s1", placement="cart").kind.is_recommendation
        True
    """

    kind: EventKind = attrs.field(converter=_kind)
    sku: str = attrs.field(validator=check.non_empty_str)
    at: dt.datetime = attrs.field(validator=check.aware)
    session: str = attrs.field(validator=check.non_empty_str)
    customer: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    channel: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    region: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    segment: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    placement: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if self.placement is not None and not self.kind.is_recommendation:
            raise ValidationError(
                f"a {self.kind.name.lower()} event has no placement",
                field="placement",
                value=self.placement,
            )
