"""A programme summed up as of a moment, and a changed programme replayed against it.

``analytics`` gives the active members, the earn and redemption rates, the outstanding points
liability by expiry month (in money, at the redemption value of a point), breakage, the tier
distribution and the movement between tiers over a period, and (given the orders of everyone)
member against non-member spend. ``what_if`` evaluates the same ledger under a changed
programme and says who moves tier, and how points, liability and the tier discounts given
change, per tier and in total.

Rates are floats in [0, 1] (shares of points), amounts are ``Money``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from shopkit import Money, ValidationError
from shopkit import validators as check
from shopkit.loyalty._benefits import Discount
from shopkit.loyalty._ledger import Ledger
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._status import Status

if TYPE_CHECKING:
    from shopkit import OrderTable

__all__ = ["Analytics", "TierMove", "TierTotals", "WhatIf", "analytics", "what_if"]


def _point_value(programme: Programme, at: dt.datetime) -> Money:
    redemption = programme.version_at(at).redemption
    return redemption.point_value if redemption is not None else Money.zero(programme.currency)


def _share(part: int, whole: int) -> float:  # float-ok: a rate in [0, 1], not money
    return part / whole if whole else 0.0  # float-ok: a rate in [0, 1], not money


@attrs.frozen(kw_only=True)
class Analytics:
    """A programme's figures as of a moment.

    Attributes:
        at: The moment.
        members: Customers with an event in the ledger.
        active: Members with an order in the ``active_days`` before ``at``.
        earned: Points earned up to ``at`` (before reversals).
        redeemed: Points redeemed.
        expired: Points expired.
        outstanding: Points available or pending.
        earn_rate: Points earned, valued at the point value, as a share of members' spend
            (net, as counted by the ledger's orders).
        redemption_rate: Points redeemed as a share of points earned less reversed.
        breakage: Points expired as a share of points earned less reversed.
        liability: The outstanding points in money, by the month they expire (``"YYYY-MM"``,
            ``"never"``).
        tiers: How many members hold each tier (``None``: none).
        movement: How many members went from one tier to another over the period:
            ``(tier at the start, tier at at) -> count``, changes only.
        member_spend: Spend of the orders of members (given ``orders``), else ``None``.
        other_spend: Spend of the orders of everyone else (guests and non-members).
    """

    at: dt.datetime
    members: int
    active: int
    earned: int
    redeemed: int
    expired: int
    outstanding: int
    earn_rate: float  # float-ok: a rate, not money
    redemption_rate: float  # float-ok: a rate, not money
    breakage: float  # float-ok: a rate, not money
    liability: Mapping[str, Money]
    tiers: Mapping[str | None, int]
    movement: Mapping[tuple[str | None, str | None], int]
    member_spend: Money | None
    other_spend: Money | None


def analytics(
    ledger: Ledger,
    at: dt.datetime,
    *,
    period_days: int = 365,
    active_days: int = 90,
    orders: OrderTable | None = None,
) -> Analytics:
    """Sum the programme up as of ``at``.

    Args:
        ledger: The ledger.
        at: The moment.
        period_days: The period of the tier movement (from ``at - period_days`` to ``at``).
        active_days: A member is active with an order in this many days before ``at``.
        orders: Everyone's orders (members or not), for member against non-member spend.

    Raises:
        ValidationError: a negative number of days, or ``at`` without a UTC offset.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.loyalty import Ledger, analytics, sample_ledger_events, sample_programme
        >>> ledger = Ledger(sample_programme(), sample_ledger_events())
        >>> figures = analytics(ledger, dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
        >>> figures.members, figures.tiers, round(figures.redemption_rate, 3)
        (3, {'bronze': 2, 'silver': 0, 'gold': 1}, 0.261)
    """
    check.aware_datetime(at, "at")
    for name, days in (("period_days", period_days), ("active_days", active_days)):
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValidationError(f"{days!r} is not a whole number of days", field=name, value=days)
    programme = ledger.programme
    now = ledger.statuses(at)
    then = ledger.statuses(at - dt.timedelta(days=period_days))
    value = _point_value(programme, at)
    liability: dict[str, Money] = {}
    for status in now.values():
        for lot in (*status.lots, *status.pending_lots):
            month = lot.expires_at.strftime("%Y-%m") if lot.expires_at is not None else "never"
            liability[month] = (
                liability.get(month, Money.zero(programme.currency)) + value * lot.points
            )
    earned = sum(s.earned for s in now.values())
    reversed_ = sum(s.reversed for s in now.values())
    redeemed = sum(s.redeemed for s in now.values())
    expired = sum(s.expired for s in now.values())
    since = int((at - dt.timedelta(days=active_days)).timestamp())
    upto = int(at.timestamp())
    spend = 0
    active = 0
    for customer in now:
        history = ledger.history(customer)
        placed = [order for order in history.orders.values() if order.at <= upto]
        spend += sum(order.net for order in placed)
        active += any(order.at > since for order in placed)
    tiers: dict[str | None, int] = {}
    if any(s.tier is None for s in now.values()):
        tiers[None] = sum(s.tier is None for s in now.values())
    tiers.update({name: sum(s.tier == name for s in now.values()) for name in programme.tier_names})
    movement: dict[tuple[str | None, str | None], int] = {}
    for customer, status in now.items():
        move = (then[customer].tier if customer in then else None, status.tier)
        if move[0] != move[1]:
            movement[move] = movement.get(move, 0) + 1
    member_spend = other_spend = None
    if orders is not None:
        member_spend, other_spend = _split_spend(orders, set(now), programme.currency)
    return Analytics(
        at=at,
        members=len(now),
        active=active,
        earned=earned,
        redeemed=redeemed,
        expired=expired,
        outstanding=sum(s.balance + s.pending for s in now.values()),
        earn_rate=_share(value.minor * earned, spend),
        redemption_rate=_share(redeemed, earned - reversed_),
        breakage=_share(expired, earned - reversed_),
        liability=dict(sorted(liability.items())),
        tiers=tiers,
        movement=dict(sorted(movement.items(), key=lambda item: str(item[0]))),
        member_spend=member_spend,
        other_spend=other_spend,
    )


def _split_spend(orders: OrderTable, members: set[str], currency: str) -> tuple[Money, Money]:
    import numpy as np

    if not len(orders.order):
        return Money.zero(currency), Money.zero(currency)
    totals = orders.line_total()
    is_member = np.array([name in members for name in orders.customers] + [False], dtype=bool)
    mask = is_member[orders.customer]  # -1 (a guest) reads the trailing False
    own = np.array([code == currency for code in orders.currencies], dtype=bool)
    if not own[orders.currency].all():
        raise ValidationError(
            f"the orders are not all in {currency}", field="orders.currency", value=None
        )
    return Money(int(totals[mask].sum()), currency), Money(int(totals[~mask].sum()), currency)


@attrs.frozen(kw_only=True)
class TierMove:
    """A customer whose tier differs between two programmes.

    Attributes:
        customer: Who.
        before: The tier under the current programme.
        after: The tier under the changed one.
    """

    customer: str
    before: str | None
    after: str | None


@attrs.frozen(kw_only=True)
class TierTotals:
    """A programme's figures for the members of one tier (or all of them).

    Attributes:
        members: How many.
        earned: Points earned.
        liability: Outstanding points in money.
        discounts: What the tier discounts would have given on the orders: each order's net
            total times the discount of the tier held when it was placed.
    """

    members: int
    earned: int
    liability: Money
    discounts: Money

    def __add__(self, other: TierTotals) -> TierTotals:
        return TierTotals(
            members=self.members + other.members,
            earned=self.earned + other.earned,
            liability=self.liability + other.liability,
            discounts=self.discounts + other.discounts,
        )


@attrs.frozen(kw_only=True)
class WhatIf:
    """The same ledger under two programmes.

    Attributes:
        at: The moment.
        moves: The customers whose tier differs, sorted by customer.
        before: The current programme's totals per tier (``None``: no tier) and ``"total"``.
        after: The changed programme's.
    """

    at: dt.datetime
    moves: tuple[TierMove, ...]
    before: Mapping[str | None, TierTotals]
    after: Mapping[str | None, TierTotals]

    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return bool(self.moves) or self.before != self.after


def _totals(
    ledger: Ledger, programme: Programme, statuses: Mapping[str, Status], at: dt.datetime
) -> dict[str | None, TierTotals]:
    from shopkit.loyalty._ledger import tier_ranks_at_orders

    value = _point_value(programme, at)
    zero = Money.zero(programme.currency)
    ranks = tier_ranks_at_orders(ledger, programme, at)
    rows: dict[str | None, TierTotals] = {
        name: TierTotals(members=0, earned=0, liability=zero, discounts=zero)
        for name in programme.tier_names
    }
    for customer, status in statuses.items():
        discount = 0
        for order in ledger.history(customer).orders.values():
            rank = ranks.get(order.id, -1)
            if rank < 0 or order.at > int(at.timestamp()):
                continue
            tier = programme.version_at(dt.datetime.fromtimestamp(order.at, dt.UTC)).tiers[rank]
            percent = sum(
                (Fraction(b.percent) for b in tier.benefits if isinstance(b, Discount)), Fraction(0)
            )
            discount += int(Fraction(order.net) * percent / 100)
        row = TierTotals(
            members=1,
            earned=status.earned,
            liability=value * (status.balance + status.pending),
            discounts=Money(discount, programme.currency),
        )
        rows[status.tier] = (
            rows.get(status.tier, TierTotals(members=0, earned=0, liability=zero, discounts=zero))
            + row
        )
    total = TierTotals(members=0, earned=0, liability=zero, discounts=zero)
    for row in list(rows.values()):
        total = total + row
    rows["total"] = total
    return rows


def what_if(ledger: Ledger, programme: Programme, at: dt.datetime) -> WhatIf:
    """Replay ``ledger`` under ``programme`` and compare it with the ledger's own programme.

    A redemption the changed programme cannot cover is capped at the balance it gives (the
    ledger itself is not changed).

    Raises:
        ValidationError: ``programme`` is in another currency; ``at`` has no UTC offset.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.loyalty import Ledger, sample_ledger_events, sample_programme, what_if
        >>> ledger = Ledger(sample_programme(), sample_ledger_events())
        >>> what_if(ledger, ledger.programme, dt.datetime(2025, 12, 31, tzinfo=dt.UTC)).changed
        False
    """
    check.aware_datetime(at, "at")
    if not isinstance(programme, Programme):
        raise ValidationError(f"{programme!r} is not a Programme", field="programme", value=None)
    if programme.currency != ledger.programme.currency:
        raise ValidationError(
            f"the changed programme is in {programme.currency}, the ledger's in "
            f"{ledger.programme.currency}",
            field="programme.currency",
            value=programme.currency,
        )
    before = ledger.statuses(at)
    after = ledger.statuses(at, programme=programme)
    moves = tuple(
        TierMove(customer=customer, before=before[customer].tier, after=after[customer].tier)
        for customer in sorted(before)
        if before[customer].tier != after[customer].tier
    )
    return WhatIf(
        at=at,
        moves=moves,
        before=_totals(ledger, ledger.programme, before, at),
        after=_totals(ledger, programme, after, at),
    )
