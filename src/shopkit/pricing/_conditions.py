"""Built-in conditions: whether a promotion applies to this cart, customer and moment.

Composites are named as the selectors' are, by how they join their parts: ``all_of``,
``any_of`` and ``none_of`` (classes ``AllOfConditions``, ``AnyOfConditions`` and
``NoneOfConditions``, as the selectors ``AllOf``, ``AnyOf`` and ``NoneOf`` share the namespace).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import attrs

from shopkit import Product, ValidationError
from shopkit import validators as check
from shopkit.pricing._codes import normalize_code
from shopkit.pricing._kinds import Condition
from shopkit.pricing._selectors import StockRange, narrowest_keys, selected_quantity, union_keys
from shopkit.pricing._values import (
    PASS,
    Amounts,
    Context,
    Selector,
    Shortfall,
    Verdict,
    check_window,
)

__all__ = [
    "AllOfConditions",
    "AnyOfConditions",
    "Channel",
    "CodeEntered",
    "CustomerSegment",
    "DateWindow",
    "FirstOrder",
    "LoyaltyTier",
    "MinQuantity",
    "MinSubtotal",
    "NoneOfConditions",
    "Region",
    "Schedule",
    "StockLevel",
]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_names = check.non_empty(check.name_tuple)
_conditions = check.non_empty(check.tuple_of(Condition))


@attrs.frozen
class AllOfConditions(Condition):
    """Holds when every one of its conditions holds (type ``all_of``).

    Attributes:
        conditions: The conditions.
    """

    conditions: tuple[Condition, ...] = attrs.field(converter=check.as_tuple, validator=_conditions)

    def check(self, context: Context) -> Verdict:
        """The first failing condition's verdict, or a pass."""
        for condition in self.conditions:
            verdict = condition.check(context)
            if not verdict.ok:
                return verdict
        return PASS

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """The smallest key set of any one condition."""
        return narrowest_keys(condition.index_keys() for condition in self.conditions)


@attrs.frozen
class AnyOfConditions(Condition):
    """Holds when at least one of its conditions holds (type ``any_of``).

    Attributes:
        conditions: The conditions.
    """

    conditions: tuple[Condition, ...] = attrs.field(converter=check.as_tuple, validator=_conditions)

    def check(self, context: Context) -> Verdict:
        """A pass if any holds; otherwise the first verdict with a nudge, or the first."""
        verdicts = [condition.check(context) for condition in self.conditions]
        if any(verdict.ok for verdict in verdicts):
            return PASS
        nudged = [verdict for verdict in verdicts if verdict.nudge is not None]
        first = (nudged or verdicts)[0]
        messages = "; or ".join(verdict.message for verdict in verdicts)
        return Verdict(False, messages, first.nudge)

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """The union of the keys, if every condition has keys."""
        return union_keys(condition.index_keys() for condition in self.conditions)


@attrs.frozen
class NoneOfConditions(Condition):
    """Holds when none of its conditions holds (type ``none_of``): "not for staff".

    Attributes:
        conditions: The conditions none of which may hold.
    """

    conditions: tuple[Condition, ...] = attrs.field(converter=check.as_tuple, validator=_conditions)

    def check(self, context: Context) -> Verdict:
        """A pass when every inner verdict fails."""
        if any(condition.check(context).ok for condition in self.conditions):
            return Verdict(False, "not for this cart or customer")
        return PASS


@attrs.frozen
class MinSubtotal(Condition):
    """Holds when the order reaches an amount; "from 3000" holds at exactly 3000.

    Which amount is compared is the engine's rule (see ``PricingOptions``): for an
    order-level or shipping promotion, the subtotal after line discounts by default.

    Attributes:
        amounts: The threshold per currency.
    """

    amounts: Amounts = attrs.field(validator=check.instance_of(Amounts))

    def check(self, context: Context) -> Verdict:
        """Compare the threshold amount; nudge with what is missing."""
        threshold = self.amounts.get(context.cart.currency, "amounts")
        have = context.threshold_amount
        if have >= threshold:
            return PASS
        return Verdict(
            False,
            f"the order is {have}, below the {threshold} threshold",
            Shortfall.spend(threshold - have),
        )


@attrs.frozen
class MinQuantity(Condition):
    """Holds when the cart has at least ``quantity`` units of the selected products.

    Attributes:
        selector: The products counted.
        quantity: How many units are needed.
    """

    selector: Selector = attrs.field(validator=check.instance_of(Selector))
    quantity: int = attrs.field(validator=check.positive_int)

    def check(self, context: Context) -> Verdict:
        """Count the selected units; nudge with how many are missing."""
        have = selected_quantity(self.selector, context.cart.lines)
        if have >= self.quantity:
            return PASS
        return Verdict(
            False,
            f"{have} of the {self.quantity} {self.selector.describe()} needed are in the cart",
            Shortfall.of_units(self.quantity - have, self.selector),
        )

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """The selector's keys: a cart without such a product cannot qualify."""
        return self.selector.index_keys()


@attrs.frozen
class CustomerSegment(Condition):
    """Holds for a customer in at least one of the segments ("vip", "new", …).

    Attributes:
        segments: The segments.
    """

    segments: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_names)

    def check(self, context: Context) -> Verdict:
        """Whether the customer is in a listed segment."""
        if any(segment in self.segments for segment in context.customer.segments):
            return PASS
        return Verdict(False, f"only for {' or '.join(self.segments)} customers")


@attrs.frozen
class FirstOrder(Condition):
    """Holds when the customer has placed no order before (a welcome offer)."""

    def check(self, context: Context) -> Verdict:
        """Whether the customer's order count is zero."""
        if context.customer.is_first_order:
            return PASS
        return Verdict(False, "only for a customer's first order")


@attrs.frozen
class LoyaltyTier(Condition):
    """Holds for a customer in one of the loyalty tiers.

    Attributes:
        tiers: The tiers.
    """

    tiers: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_names)

    def check(self, context: Context) -> Verdict:
        """Whether the customer's tier is listed."""
        if context.customer.loyalty_tier in self.tiers:
            return PASS
        return Verdict(False, f"only for {' or '.join(self.tiers)} members")


@attrs.frozen
class Region(Condition):
    """Holds when the customer's region is one of the listed ones.

    Attributes:
        regions: The regions, as the shop names them.
    """

    regions: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_names)

    def check(self, context: Context) -> Verdict:
        """Whether the region is listed."""
        if context.customer.region in self.regions:
            return PASS
        return Verdict(False, f"only in {', '.join(self.regions)}")


@attrs.frozen
class Channel(Condition):
    """Holds when the sales channel is one of the listed ones ("web", "app", …).

    Attributes:
        channels: The channels.
    """

    channels: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_names)

    def check(self, context: Context) -> Verdict:
        """Whether the channel is listed."""
        if context.customer.channel in self.channels:
            return PASS
        return Verdict(False, f"only on {' or '.join(self.channels)}")


@attrs.frozen
class DateWindow(Condition):
    """Holds from ``starts_at`` (included) until ``ends_at`` (excluded).

    Attributes:
        starts_at: The first moment it holds, if bounded.
        ends_at: The first moment it no longer holds, if bounded.
    """

    starts_at: dt.datetime | None = attrs.field(default=None, validator=check.optional(check.aware))
    ends_at: dt.datetime | None = attrs.field(default=None, validator=check.optional(check.aware))

    def __attrs_post_init__(self) -> None:
        check_window(self.starts_at, self.ends_at)

    def check(self, context: Context) -> Verdict:
        """Whether the pricing moment is inside the window."""
        if self.starts_at is not None and context.at < self.starts_at:
            return Verdict(False, f"starts at {self.starts_at.isoformat()}")
        if self.ends_at is not None and context.at >= self.ends_at:
            return Verdict(False, f"ended at {self.ends_at.isoformat()}")
        return PASS


def _weekdays(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(str(day).lower()[:3] if isinstance(day, str) else day for day in value)
    return value


def _check_weekdays(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(f"{value!r} is not a list of weekdays", field="weekdays", value=value)
    for index, day in enumerate(value):
        if day not in _WEEKDAYS:
            raise ValidationError(
                f"{day!r} is not a weekday (mon … sun)", field=f"weekdays[{index}]", value=day
            )


def _timezone(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{value!r} is not an IANA time zone", field="timezone", value=value
        ) from None


def _time(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"{value!r} is not a time of day like '09:00'", field="time", value=value
            ) from None
    return value


@attrs.frozen
class Schedule(Condition):
    """Holds on some weekdays and between two times of day, in the shop's time zone.

    ``from_time`` is included and ``until_time`` excluded; with ``until_time`` before
    ``from_time`` the span runs past midnight ("22:00" to "02:00").

    Attributes:
        weekdays: The days it holds ("mon" … "sun"); all days when empty.
        from_time: The time of day it starts holding, if bounded ("09:00").
        until_time: The time of day it stops holding, if bounded ("17:00").
        timezone: The IANA time zone the days and times are in.
    """

    weekdays: tuple[str, ...] = attrs.field(
        default=(), converter=_weekdays, validator=_check_weekdays
    )
    from_time: dt.time | None = attrs.field(default=None, converter=_time)
    until_time: dt.time | None = attrs.field(default=None, converter=_time)
    timezone: str = attrs.field(default="UTC", validator=_timezone)

    def check(self, context: Context) -> Verdict:
        """Whether the local weekday and time are inside the schedule."""
        local = context.at.astimezone(zoneinfo.ZoneInfo(self.timezone))
        day = _WEEKDAYS[local.weekday()]
        if self.weekdays and day not in self.weekdays:
            return Verdict(False, f"only on {', '.join(self.weekdays)}")
        now = local.time().replace(tzinfo=None)
        start, end = self.from_time, self.until_time
        if start is None and end is None:
            return PASS
        if start is not None and end is not None and end < start:
            inside = now >= start or now < end
        else:
            inside = (start is None or now >= start) and (end is None or now < end)
        if inside:
            return PASS
        span = f"{start.isoformat('minutes') if start else '00:00'}–"
        span += end.isoformat("minutes") if end else "24:00"
        return Verdict(False, f"only from {span} ({self.timezone})")


@attrs.frozen
class CodeEntered(Condition):
    """Holds when the customer entered the code (ignoring case, spaces, dashes, underscores).

    Attributes:
        code: The code.
    """

    code: str = attrs.field(validator=check.non_empty_str)

    def check(self, context: Context) -> Verdict:
        """Whether the normalised code is among the entered ones."""
        if normalize_code(self.code) in context.codes:
            return PASS
        # The code itself is never told: a shopper who has it enters it.
        return Verdict(False, "needs a promo code")


@attrs.frozen
class StockLevel(Condition):
    """Holds when a selected product in the cart has a stock level within bounds.

    Use it to clear overstock (``min_stock``: only while more than enough is left) or to keep
    the last units at full price (``min_stock``: 5 means no discount once 4 or fewer remain).
    Products whose stock the shop does not track never satisfy it.

    Attributes:
        selector: The products looked at.
        min_stock: The lowest stock at which it holds, if bounded.
        max_stock: The highest stock at which it holds, if bounded.
    """

    selector: Selector = attrs.field(validator=check.instance_of(Selector))
    min_stock: int | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_int)
    )
    max_stock: int | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_int)
    )
    _range: StockRange = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        # the bounds mean what the stock_range selector's mean, and are checked the same way
        object.__setattr__(self, "_range", StockRange(self.min_stock, self.max_stock))

    def _within(self, product: Product) -> bool:
        return self.selector.matches(product) and self._range.matches(product)

    def check(self, context: Context) -> Verdict:
        """Whether some selected line's product has stock within the bounds."""
        if any(self._within(line.product) for line in context.cart.lines):
            return PASS
        return Verdict(False, f"stock of {self.selector.describe()} is outside the set range")

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """The selector's keys."""
        return self.selector.index_keys()
