"""Built-in badge rules: a number of orders, a number of events of a kind, a streak of months.

A badge is earned at the first moment the customer's history meets the rule and is kept from
then on (a later refund does not take it back).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

import attrs

from shopkit import validators as check
from shopkit.loyalty._kinds import BadgeRule

__all__ = ["BadgeEvent", "EventCount", "MonthStreak", "OrderCount"]


@attrs.frozen(kw_only=True)
class OrderCount(BadgeRule):
    """Earned with the customer's ``count``-th order (type ``order_count``).

    Attributes:
        name: The badge's name ("5 orders").
        count: How many orders, at least 1.
    """

    name: str = attrs.field(validator=check.non_empty_str)
    count: int = attrs.field(validator=check.positive_int)

    def describe(self) -> str:
        """Say the count."""
        return f"{self.count} orders"

    def earned_at(
        self, orders: Sequence[dt.datetime], events: Sequence[tuple[str, dt.datetime]]
    ) -> dt.datetime | None:
        """When the badge was earned, given the order moments and other events, in time order."""
        return orders[self.count - 1] if len(orders) >= self.count else None


class BadgeEvent(enum.StrEnum):
    """The events an ``event_count`` badge counts."""

    REVIEW = "review"
    """Reviews."""
    REFERRAL = "referral"
    """Referrals made (as the referrer)."""


def _badge_event(value: object) -> BadgeEvent:
    return check.enum_value(BadgeEvent, value, "event")


@attrs.frozen(kw_only=True)
class EventCount(BadgeRule):
    """Earned with the ``count``-th event of a kind (type ``event_count``): "first review".

    Attributes:
        name: The badge's name.
        event: ``"review"`` or ``"referral"``.
        count: How many, at least 1 (default 1).
    """

    name: str = attrs.field(validator=check.non_empty_str)
    event: BadgeEvent = attrs.field(converter=_badge_event)
    count: int = attrs.field(default=1, validator=check.positive_int)

    def describe(self) -> str:
        """Say what is counted."""
        return f"{self.count} {self.event.value}{'s' if self.count > 1 else ''}"

    def earned_at(
        self, orders: Sequence[dt.datetime], events: Sequence[tuple[str, dt.datetime]]
    ) -> dt.datetime | None:
        """When the ``count``-th event of the kind happened."""
        moments = [at for kind, at in events if kind == self.event.value]
        return moments[self.count - 1] if len(moments) >= self.count else None


@attrs.frozen(kw_only=True)
class MonthStreak(BadgeRule):
    """Earned with an order in each of ``months`` calendar months in a row, UTC (``month_streak``).

    Attributes:
        name: The badge's name.
        months: The streak's length, at least 2.
    """

    name: str = attrs.field(validator=check.non_empty_str)
    months: int = attrs.field(validator=check.positive_int)

    def describe(self) -> str:
        """Say the streak."""
        return f"an order in {self.months} months in a row"

    def earned_at(
        self, orders: Sequence[dt.datetime], events: Sequence[tuple[str, dt.datetime]]
    ) -> dt.datetime | None:
        """The order that completes the first streak of ``months`` months."""
        streak, last = 0, None
        for at in orders:
            utc = at.astimezone(dt.UTC)
            month = utc.year * 12 + utc.month - 1
            if month == last:
                continue
            streak = streak + 1 if last is not None and month == last + 1 else 1
            last = month
            if streak >= self.months:
                return at
        return None
