"""Evaluating a ledger as of a moment: tiers at each order, points lot by lot, the status.

One pass over a customer's events in evaluation order (moment, kind, id) with everything else
decided beforehand: the tier held at each order comes from ``TierIndex`` (vectorised over every
customer at once), and referral rewards are turned into credits on both sides first. The pass
keeps the lots of points: an order's lot waits for its return window, every lot expires
``expiry_days`` after it was earned, a redemption spends the oldest available lots first, and a
refund takes back exactly what its lines earned — from the order's own lot first, then from
the oldest available lots; what it cannot take (already spent) is counted as ``unrecovered``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from shopkit import ValidationError
from shopkit.loyalty._compile import CompiledOrder, CompiledRefund, seconds
from shopkit.loyalty._earning import BonusEvent
from shopkit.loyalty._events import (
    Adjustment,
    Birthday,
    LedgerEvent,
    OrderPlaced,
    Redeemed,
    Referred,
    Refund,
    Review,
    SignUp,
)
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._status import Badge, Distance, Lot, Status
from shopkit.loyalty._tiers import OrderFacts, RefundFacts, TierIndex

__all__ = ["Credit", "History", "evaluate"]

_DAY = 86_400
_UTC = dt.UTC


class Credit(NamedTuple):
    """Referral points given to one side, at the moment of the referred customer's trigger."""

    id: str
    customer: str
    at: dt.datetime
    points: int

    def sort_key(self) -> tuple[float, int, str]:
        """Among the events of a moment, with the referrals."""
        return (self.at.timestamp(), 3, self.id)


class History(NamedTuple):
    """One customer's events, compiled: what ``evaluate`` reads."""

    customer: str
    events: tuple[LedgerEvent | Credit, ...]
    orders: Mapping[str, CompiledOrder]
    refunds: tuple[CompiledRefund, ...]


def _moment(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, _UTC)


def tier_index(programme: Programme, histories: Sequence[History], upto: int) -> TierIndex:
    """The tier index of the customers' orders and refunds up to ``upto`` (seconds)."""
    columns: list[list[int]] = [[] for _ in range(6)]
    refund_columns: list[list[int]] = [[] for _ in range(8)]
    for number, history in enumerate(histories):
        for order in history.orders.values():
            if order.at <= upto:
                for column, value in zip(
                    columns,
                    (number, order.at, order.gross, order.net, order.shipping, order.tax),
                    strict=True,
                ):
                    column.append(value)
        for refund in history.refunds:
            if refund.at <= upto:
                row = (number, refund.order_at, refund.at, refund.gross, refund.net,
                       refund.shipping, refund.tax, refund.cancels)
                for column, value in zip(refund_columns, row, strict=True):
                    column.append(int(value))
    orders = OrderFacts(*(np.array(column, dtype=np.int64) for column in columns))
    refunds = RefundFacts(
        *(np.array(column, dtype=np.int64) for column in refund_columns[:7]),
        np.array(refund_columns[7], dtype=bool),
    )
    return TierIndex(programme, orders, refunds)


class _Tally:
    """The running sums of one replay."""

    def __init__(self) -> None:
        self.earned = 0
        self.redeemed = 0
        self.reversed = 0
        self.unrecovered = 0


def _spendable(lot: list[object], at: int) -> bool:
    expires = lot[4]
    return lot[3] <= at and (expires is None or at < expires)  # type: ignore[operator]


def _debit(lots: list[list[object]], points: int, at: int, strict: bool, what: str, field: str) -> int:
    """Take ``points`` from the oldest spendable lots; return what was taken."""
    available = sum(lot[0] for lot in lots if lot[0] and _spendable(lot, at))  # type: ignore[misc]
    if points > available:
        if strict:
            raise ValidationError(
                f"{what} of {points} points is more than the {available} available then",
                field=field,
                value=points,
            )
        points = available
    left = points
    for lot in lots:
        if left == 0:
            break
        if lot[0] and _spendable(lot, at):
            take = min(left, lot[0])  # type: ignore[type-var]
            lot[0] = lot[0] - take  # type: ignore[operator]
            left -= take  # type: ignore[operator]
    return points


def evaluate(
    programme: Programme,
    history: History,
    at: dt.datetime,
    tiers: TierIndex,
    number: int,
    order_ranks: Mapping[str, int],
    *,
    strict: bool = False,
) -> Status:
    """The customer's status at ``at``.

    Args:
        programme: The programme.
        history: The customer's compiled events.
        at: The moment.
        tiers: The tier index holding the customer's orders (as customer ``number``).
        number: The customer's number in ``tiers``.
        order_ranks: The tier rank held at each of the customer's orders (by order id).
        strict: Refuse a redemption or negative adjustment above the balance (as the ledger
            does on append) instead of capping it (as a what-if replay does).

    Raises:
        ValidationError: with ``strict``, a debit above the available balance.
    """
    upto = seconds(at)
    lots: list[list[object]] = []  # remaining, earned, earned_at, available_at, expires_at, source
    own: dict[str, list[object]] = {}
    line_points: dict[str, list[int]] = {}
    refunds = {refund.id: refund for refund in history.refunds}
    tally = _Tally()
    order_moments: list[dt.datetime] = []
    other: list[tuple[str, dt.datetime]] = []
    for event in history.events:
        moment = event.at if not isinstance(event, OrderPlaced) else event.order.at
        when = seconds(moment)
        if when > upto:
            break
        version = programme.versions[programme.version_index(moment)]
        expiry = None if version.expiry_days is None else when + version.expiry_days * _DAY
        if isinstance(event, OrderPlaced):
            order = history.orders[event.order.id]
            order_moments.append(moment)
            rank = order_ranks.get(order.id, -1)
            factor = version.tiers[rank].points_factor() if rank >= 0 else Fraction(1)
            points = [0] * len(order.skus)
            for rule in version.per_amount():
                if rule.min_order is not None and order.net < rule.min_order.minor:
                    continue
                for index, sku in enumerate(order.skus):
                    points[index] += rule.line_points(
                        net=order.nets[index], category=order.categories[index], sku=sku,
                        tier_factor=factor,
                    )
            line_points[order.id] = points
            total = sum(points)
            if total:
                lot: list[object] = [
                    total, total, when, when + version.return_window_days * _DAY, expiry, order.id
                ]
                lots.append(lot)
                own[order.id] = lot
                tally.earned += total
        elif isinstance(event, Refund):
            refund = refunds[event.id]
            earned = line_points.get(refund.order, [])
            back = 0
            for index, points_of_line in enumerate(earned):
                quantity = history.orders[refund.order].quantities[index]
                back += points_of_line * refund.after[index] // quantity - (
                    points_of_line * refund.before[index] // quantity
                )
            tally.reversed += back
            left = back
            mine = own.get(refund.order)
            if mine is not None and left and (mine[4] is None or when < mine[4]):  # type: ignore[operator]
                take = min(left, mine[0])  # type: ignore[type-var]
                mine[0] = mine[0] - take  # type: ignore[operator]
                left -= take  # type: ignore[operator]
            if left:
                left -= _debit(lots, left, when, False, "", "")
            tally.unrecovered += left
        elif isinstance(event, Credit):
            lots.append([event.points, event.points, when, when, expiry, event.id])
            tally.earned += event.points
        elif isinstance(event, Adjustment):
            if event.points > 0:
                lots.append([event.points, event.points, when, when, expiry, event.id])
                tally.earned += event.points
            else:
                tally.redeemed += _debit(
                    lots, -event.points, when, strict, "the adjustment",
                    f"adjustment {event.id!r}.points",
                )
        elif isinstance(event, Redeemed):
            tally.redeemed += _debit(
                lots, event.points, when, strict, "the redemption",
                f"redemption {event.id!r}.points",
            )
        else:
            kind = {SignUp: BonusEvent.SIGN_UP, Review: BonusEvent.REVIEW,
                    Birthday: BonusEvent.BIRTHDAY}.get(type(event))  # type: ignore[call-overload]
            if isinstance(event, Referred):
                if event.referrer == history.customer:
                    other.append(("referral", moment))
                continue
            if kind is None:
                continue
            other.append((kind.value, moment))
            points = version.bonus_points(kind)
            if points:
                lots.append([points, points, when, when, expiry, event.event_id])
                tally.earned += points
    return _status(programme, history, at, upto, lots, tally, tiers, number, order_moments, other)


def _status(
    programme: Programme,
    history: History,
    at: dt.datetime,
    upto: int,
    lots: list[list[object]],
    tally: _Tally,
    tiers: TierIndex,
    number: int,
    order_moments: list[dt.datetime],
    other: list[tuple[str, dt.datetime]],
) -> Status:
    spendable, pending = [], []
    expired = 0
    for remaining, earned, earned_at, available_at, expires_at, source in lots:
        if not remaining:
            continue
        if expires_at is not None and expires_at <= upto:  # type: ignore[operator]
            expired += remaining  # type: ignore[operator]
            continue
        lot = Lot(
            source=str(source),
            earned=int(earned),  # type: ignore[call-overload]
            points=int(remaining),  # type: ignore[call-overload]
            earned_at=_moment(int(earned_at)),  # type: ignore[call-overload]
            available_at=_moment(int(available_at)),  # type: ignore[call-overload]
            expires_at=None if expires_at is None else _moment(int(expires_at)),  # type: ignore[call-overload]
        )
        (spendable if available_at <= upto else pending).append(lot)  # type: ignore[operator]
    version = programme.version_at(at)
    badges = sorted(
        (
            Badge(name=rule.name, earned_at=when)
            for rule in version.badges
            if (when := rule.earned_at(order_moments, other)) is not None
        ),
        key=lambda badge: (badge.earned_at, badge.name),
    )
    tier, measure, next_tier, keep, downgrade = distances(programme, tiers, number, upto)
    return Status(
        customer=history.customer,
        at=at,
        tier=tier,
        measure=measure,
        lots=tuple(spendable),
        pending_lots=tuple(pending),
        next_tier=next_tier,
        keep=keep,
        downgrade_at=downgrade,
        badges=tuple(badges),
        earned=tally.earned,
        redeemed=tally.redeemed,
        expired=expired,
        reversed=tally.reversed,
        unrecovered=tally.unrecovered,
    )


def _distance(programme: Programme, tier: str, needed: int, by: int | None) -> Distance:
    needed = max(needed, 1)
    money = programme.measure_value(needed)
    return Distance(
        tier=tier,
        amount=money if not isinstance(money, int) else None,
        orders=needed if isinstance(money, int) else None,
        by=None if by is None else _moment(by),
    )


def distances(
    programme: Programme, tiers: TierIndex, number: int, upto: int
) -> tuple[str | None, object, Distance | None, Distance | None, dt.datetime | None]:
    """The tier held at ``upto``, the measure, the next tier's and the current tier's distance."""
    one = np.array([number], dtype=np.int64)
    held = int(tiers.held(one, np.array([upto]))[0])
    measure = int(tiers.measure(one, np.array([upto]))[0])
    names = programme.tier_names
    index = programme.version_index(_moment(upto))
    version = programme.versions[index]
    thresholds = programme.threshold_units(index)
    window = version.window.seconds()
    rows = np.flatnonzero(tiers.orders.customer == number)
    moments = tiers.orders.at[rows]
    exits = np.sort(moments + window) if window is not None else np.zeros(0, dtype=np.int64)
    future = exits[exits > upto]
    next_tier = None
    if held + 1 < len(names):
        by = int(future[0]) if len(future) else None
        next_tier = _distance(programme, names[held + 1], thresholds[held + 1] - measure, by)
    keep = downgrade = None
    if held >= 0 and thresholds[held] > 0:
        grace = version.grace_days * _DAY
        dates = np.array([int(v.effective.timestamp()) for v in programme.versions[1:]], dtype=np.int64)
        refunds = tiers.refunds.at[tiers.refunds.customer == number]
        drops = np.unique(np.concatenate([exits, refunds, dates]))
        qualified_now = int(tiers.qualified(one, np.array([upto]))[0])
        start = upto if qualified_now >= held else _last_qualified(tiers, number, held, upto, grace, moments, dates)
        candidates = drops[drops > start]
        if len(candidates):
            ranks = tiers.qualified(np.full(len(candidates), number), candidates)
            below = np.flatnonzero(ranks < held)
            if len(below):
                when = int(candidates[below[0]]) + grace
                downgrade = _moment(when)
                left = int(tiers.measure(one, np.array([when]))[0])
                keep = _distance(programme, names[held], thresholds[held] - left, when)
    return (names[held] if held >= 0 else None, programme.measure_value(measure), next_tier, keep, downgrade)


def _last_qualified(
    tiers: TierIndex, number: int, held: int, upto: int, grace: int, moments: np.ndarray, dates: np.ndarray  # type: ignore[type-arg]
) -> int:
    """The latest moment in ``[upto - grace, upto]`` the customer qualified for ``held``."""
    since = upto - grace
    candidates = np.unique(np.concatenate([[since], moments[(moments > since) & (moments <= upto)], dates[(dates > since) & (dates <= upto)]]))
    ranks = tiers.qualified(np.full(len(candidates), number), candidates)
    good = candidates[ranks >= held]
    return int(good[-1]) if len(good) else since
