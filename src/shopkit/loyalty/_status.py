"""What a customer's status is made of: lots of points, distances to a tier, badges."""

from __future__ import annotations

import datetime as dt

import attrs

from shopkit import Money

__all__ = ["Badge", "Distance", "Lot", "Status"]


@attrs.frozen(kw_only=True)
class Lot:
    """Points earned together, spent and expiring together.

    Attributes:
        source: The id of the event that earned them.
        earned: The points it earned.
        points: The points left of it.
        earned_at: When it was earned.
        available_at: From when it can be spent (an order's points wait for its return window).
        expires_at: When what is left of it expires, or ``None``.
    """

    source: str
    earned: int
    points: int
    earned_at: dt.datetime
    available_at: dt.datetime
    expires_at: dt.datetime | None


@attrs.frozen(kw_only=True)
class Distance:
    """What it takes to reach (or keep) a tier: money or orders, by a date.

    Attributes:
        tier: The tier.
        amount: The spend still needed (spend measures), else ``None``.
        orders: The orders still needed (orders measures), else ``None``.
        by: For the next tier, the moment after which more is needed (an order leaves the
            window); to keep the current one, the moment of the downgrade without it. ``None``
            when nothing leaves the window (lifetime).
    """

    tier: str
    amount: Money | None
    orders: int | None
    by: dt.datetime | None

    def describe(self) -> str:
        """Say it: "spend 120.00 GBP more by 2026-03-01 to reach gold"."""
        what = (
            f"spend {self.amount} more"
            if self.amount is not None
            else (f"place {self.orders} more order{'s' if self.orders != 1 else ''}")
        )
        when = f" by {self.by.date().isoformat()}" if self.by is not None else ""
        return f"{what}{when} for {self.tier}"


@attrs.frozen(kw_only=True)
class Badge:
    """A badge a customer earned.

    Attributes:
        name: The badge's name.
        earned_at: When.
    """

    name: str
    earned_at: dt.datetime


@attrs.frozen(kw_only=True)
class Status:
    """A customer's loyalty status as of a moment, from the ledger's events up to it.

    Attributes:
        customer: The customer.
        at: The moment.
        tier: The tier held, or ``None``.
        measure: What the tier measure counts at ``at`` (money or orders).
        lots: The lots that can be spent, oldest first.
        pending_lots: The lots still waiting for their return window.
        next_tier: What it takes to reach the next tier, or ``None`` at the top.
        keep: What it takes to keep the current tier past its downgrade, or ``None`` when no
            downgrade is due (lifetime windows, no tier, or at the lowest tier for free).
        downgrade_at: When the tier is lost without new orders, or ``None``.
        badges: The badges earned, in the order earned.
        earned: All points ever earned (before reversals).
        redeemed: All points redeemed (and taken by negative adjustments).
        expired: All points that expired.
        reversed: All points taken back by refunds.
        unrecovered: Points a refund should have taken back but could not (already spent).
    """

    customer: str
    at: dt.datetime
    tier: str | None
    measure: Money | int
    lots: tuple[Lot, ...]
    pending_lots: tuple[Lot, ...]
    next_tier: Distance | None
    keep: Distance | None
    downgrade_at: dt.datetime | None
    badges: tuple[Badge, ...]
    earned: int
    redeemed: int
    expired: int
    reversed: int
    unrecovered: int

    @property
    def balance(self) -> int:
        """The points that can be spent now."""
        return sum(lot.points for lot in self.lots)

    @property
    def pending(self) -> int:
        """The points waiting for their orders' return windows."""
        return sum(lot.points for lot in self.pending_lots)

    def expiring_within(self, days: int) -> int:
        """The points (available or pending) that expire within ``days`` days of ``at``."""
        until = self.at + dt.timedelta(days=days)
        return sum(
            lot.points
            for lot in (*self.lots, *self.pending_lots)
            if lot.expires_at is not None and lot.expires_at <= until
        )
