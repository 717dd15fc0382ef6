"""The plugin kinds of a loyalty programme and their registries.

A programme is plain data: every rule in it is a frozen attrs class registered under a type
name, read from ``{"type": NAME, ...fields}`` by the one converter (``shopkit.from_dict``):

- a *measure* says what a tier threshold counts (spend on a documented basis, or orders);
- a *window* says over which period it is counted (rolling days, or the customer's lifetime);
- a *tier benefit* says what a member of a tier gets (a discount, free shipping, a points
  multiplier);
- an *earning rule* says how points are earned (per amount spent, or a bonus for an event);
- a *referral rule* says who is rewarded for a referral, and when;
- a *badge rule* says which history earns a badge.

Measures and windows work on plain integers and on numpy arrays alike (the same arithmetic),
which is how the per-customer status and the vectorised tier table agree.
"""

from __future__ import annotations

import abc
from typing import Any

from shopkit import Registry, register_kind

__all__ = [
    "BadgeRule",
    "EarnRule",
    "Measure",
    "ReferralRule",
    "TierBenefit",
    "Window",
    "badge_rules",
    "benefits",
    "earn_rules",
    "measures",
    "referral_rules",
    "windows",
]


class Measure(abc.ABC):
    """What a tier threshold counts: an order's value in whole units (minor units, or orders)."""

    unit: str = "minor"
    """``"minor"`` when the value is money in minor units, ``"orders"`` when it is a count."""

    @abc.abstractmethod
    def order_value(self, gross: Any, net: Any, shipping: Any, tax: Any) -> Any:
        """Return what one order counts for (ints, or numpy int64 arrays of one per order).

        Args:
            gross: The lines' quantity × unit price, before line discounts (minor units).
            net: The lines' totals after line discounts.
            shipping: The order's shipping, ``-1`` where the order does not say.
            tax: The order's tax, ``-1`` where the order does not say.
        """

    @abc.abstractmethod
    def refund_value(self, gross: Any, net: Any, shipping: Any, tax: Any, cancels: Any) -> Any:
        """Return what a refund takes off its order's value (same arguments, of the refund).

        ``cancels`` is true (or a boolean array) when the refund returns everything that was
        left of the order.
        """

    def needs(self) -> tuple[str, ...]:
        """Return the order-level amounts (``"shipping"``, ``"tax"``) the measure adds in."""
        return ()


class Window(abc.ABC):
    """Over which period before a moment the orders are counted."""

    @abc.abstractmethod
    def seconds(self) -> int | None:
        """Return the window's length in seconds, or ``None`` for the whole history.

        An order placed at ``o`` counts at ``t`` when ``t - seconds < o <= t``.
        """


class TierBenefit(abc.ABC):
    """What a member of a tier gets.

    A benefit with a price effect (a discount, free shipping) is applied by pricing, through
    the member's tier on the customer context (``shopkit.Customer.loyalty_tier``); the
    programme carries it so that what-if replays can cost it.
    """

    @abc.abstractmethod
    def describe(self) -> str:
        """Describe the benefit for a member: "5% off every order"."""

    def points_multiplier(self) -> Any:
        """Return the factor (a ``Decimal``) the benefit puts on earned points; 1 by default."""
        from decimal import Decimal

        return Decimal(1)


class EarnRule(abc.ABC):
    """How points are earned."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Describe the rule for a member: "1 point per 1.00 GBP"."""


class ReferralRule(abc.ABC):
    """Who is rewarded when a referred customer signs up or orders, and how much."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Describe the rule: "100 points to both on the first order"."""


class BadgeRule(abc.ABC):
    """A badge a customer earns from their history.

    A rule has a ``name`` (the badge's name, unique in a version).
    """

    name: str

    @abc.abstractmethod
    def earned_at(self, orders: Any, events: Any) -> Any:
        """Return when the badge was earned, or ``None``.

        Args:
            orders: The moments of the customer's orders, in time order.
            events: ``(kind, moment)`` of the customer's other events (``"review"``,
                ``"referral"`` made, ``"sign_up"``, ``"birthday"``), in time order.
        """

    @abc.abstractmethod
    def describe(self) -> str:
        """Describe what earns the badge: "5 orders"."""


measures: Registry[Measure] = Registry(
    "shopkit.loyalty.measures",
    Measure,
    builtins={
        "orders": "shopkit.loyalty._measures:Orders",
        "spend": "shopkit.loyalty._measures:Spend",
    },
)
"""Measure kinds by type name (entry-point group ``shopkit.loyalty.measures``)."""
windows: Registry[Window] = Registry(
    "shopkit.loyalty.windows",
    Window,
    builtins={
        "lifetime": "shopkit.loyalty._measures:Lifetime",
        "rolling": "shopkit.loyalty._measures:Rolling",
    },
)
"""Window kinds by type name (entry-point group ``shopkit.loyalty.windows``)."""
benefits: Registry[TierBenefit] = Registry(
    "shopkit.loyalty.benefits",
    TierBenefit,
    builtins={
        "discount": "shopkit.loyalty._benefits:Discount",
        "free_shipping": "shopkit.loyalty._benefits:FreeShipping",
        "points_multiplier": "shopkit.loyalty._benefits:PointsMultiplier",
    },
)
"""Tier benefit kinds by type name (entry-point group ``shopkit.loyalty.benefits``)."""
earn_rules: Registry[EarnRule] = Registry(
    "shopkit.loyalty.earning",
    EarnRule,
    builtins={
        "bonus": "shopkit.loyalty._earning:Bonus",
        "per_amount": "shopkit.loyalty._earning:PerAmount",
    },
)
"""Earning rule kinds by type name (entry-point group ``shopkit.loyalty.earning``)."""
referral_rules: Registry[ReferralRule] = Registry(
    "shopkit.loyalty.referrals",
    ReferralRule,
    builtins={"referral": "shopkit.loyalty._referrals:Referral"},
)
"""Referral rule kinds by type name (entry-point group ``shopkit.loyalty.referrals``)."""
badge_rules: Registry[BadgeRule] = Registry(
    "shopkit.loyalty.badges",
    BadgeRule,
    builtins={
        "event_count": "shopkit.loyalty._badges:EventCount",
        "month_streak": "shopkit.loyalty._badges:MonthStreak",
        "order_count": "shopkit.loyalty._badges:OrderCount",
    },
)
"""Badge rule kinds by type name (entry-point group ``shopkit.loyalty.badges``)."""

register_kind(measures)
register_kind(windows)
register_kind(benefits)
register_kind(earn_rules)
register_kind(referral_rules)
register_kind(badge_rules)
