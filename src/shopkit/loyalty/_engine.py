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

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Generic, NamedTuple, TypeVar

import numpy as np

from shopkit import Money, ValidationError
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
from shopkit.loyalty._tiers import _SPAN, IntArray, OrderFacts, RefundFacts, TierIndex

__all__ = ["Credit", "History", "evaluate"]

_DAY = 86_400
_UTC = dt.UTC


class Credit(NamedTuple):
    """Referral points given to one side, at the moment of the referred customer's trigger."""

    id: str
    customer: str
    at: dt.datetime
    points: int

    @property
    def event_id(self) -> str:
        """The credit's id."""
        return self.id

    def sort_key(self) -> tuple[float, int, str]:
        """Among the events of a moment, with the referrals."""
        return (self.at.timestamp(), 3, self.id)


class History(NamedTuple):
    """One customer's events, compiled: what ``evaluate`` reads."""

    customer: str
    events: tuple[LedgerEvent | Credit, ...]
    orders: Mapping[str, CompiledOrder]
    refunds: tuple[CompiledRefund, ...]
    moments: tuple[int, ...]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


def _moment(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=value)


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
                row = (
                    number,
                    refund.order_at,
                    refund.at,
                    refund.gross,
                    refund.net,
                    refund.shipping,
                    refund.tax,
                    refund.cancels,
                )
                for column, value in zip(refund_columns, row, strict=True):
                    column.append(int(value))
    orders = OrderFacts(*(np.array(column, dtype=np.int64) for column in columns))
    ints = [np.array(column, dtype=np.int64) for column in refund_columns[:7]]
    refunds = RefundFacts._make([*ints, np.array(refund_columns[7], dtype=bool)])
    return TierIndex(programme, orders, refunds)


class _Tally:
    """The running sums of one replay."""

    def __init__(self) -> None:
        self.earned = 0
        self.redeemed = 0
        self.reversed = 0
        self.unrecovered = 0


class _Lot:
    """A lot being replayed (mutable: what is left of it changes)."""

    __slots__ = ("available_at", "earned", "earned_at", "expires_at", "left", "source")

    def __init__(
        self, points: int, earned_at: int, available_at: int, expires_at: int | None, source: str
    ) -> None:
        self.left = points
        self.earned = points
        self.earned_at = earned_at
        self.available_at = available_at
        self.expires_at = expires_at
        self.source = source


def _spendable(lot: _Lot, at: int) -> bool:
    return lot.available_at <= at and (lot.expires_at is None or at < lot.expires_at)


def _debit(lots: list[_Lot], points: int, at: int, strict: bool, what: str, field: str) -> int:
    """Take ``points`` from the oldest spendable lots; return what was taken."""
    available = sum(lot.left for lot in lots if lot.left and _spendable(lot, at))
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
        if lot.left and _spendable(lot, at):
            take = min(left, lot.left)
            lot.left -= take
            left -= take
    return points


class Rules:
    """A programme's versions reduced to what the replay needs, worked out once per replay."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.effective = [int(version.effective.timestamp()) for version in programme.versions]
        self.expiry = [
            None if version.expiry_days is None else version.expiry_days * _DAY
            for version in programme.versions
        ]
        self.pending = [version.return_window_days * _DAY for version in programme.versions]
        self.earning = [version.per_amount() for version in programme.versions]
        self.minimum = [
            [rule.min_order.minor if rule.min_order is not None else None for rule in rules]
            for rules in self.earning
        ]
        self.factors = [
            [tier.points_factor() for tier in version.tiers] for version in programme.versions
        ]
        self.bonus = [
            {kind: version.bonus_points(kind) for kind in BonusEvent}
            for version in programme.versions
        ]
        self._rates: dict[tuple[int, int, int, str | None], tuple[int, int]] = {}

    def version(self, when: int) -> int:
        """The index of the version in force at ``when`` (seconds)."""
        return max(bisect.bisect_right(self.effective, when) - 1, 0)

    def line_points(
        self, version: int, rank: int, number: int, net: int, category: str | None, sku: str
    ) -> int:
        """What a line earns under rule ``number`` of ``version`` at tier ``rank``."""
        key = (version, rank, number, category)
        rate = self._rates.get(key)
        if rate is None:
            rule = self.earning[version][number]
            factor = self.factors[version][rank] if rank >= 0 else Fraction(1)
            factor_of = rule.factor_of(category)
            total = Fraction(rule.points) * factor_of * factor / rule.per.minor
            rate = self._rates[key] = (total.numerator, total.denominator)
        if net <= 0 or sku in self.earning[version][number].exclude_skus:
            return 0
        return net * rate[0] // rate[1]


_ORDER, _REFUND, _CREDIT, _ADJUST, _REDEEM, _REFERRAL, _BONUS = range(7)


V = TypeVar("V")


class ByClass(Generic[V]):
    """Values filed by event class, which a subclass inherits: looked up along its MRO, kept.

    A shop's own subclass of ``OrderPlaced`` (with a field of its own, say) is an order to the
    ledger, which checks events with ``isinstance``; the engine must read it as one too.
    """

    def __init__(self, entries: Mapping[type, V]) -> None:
        self._entries = dict(entries)
        self._found: dict[type, V | None] = dict(entries)

    def _lookup(self, cls: type) -> V | None:
        try:
            return self._found[cls]
        except KeyError:
            found = next((self._entries[b] for b in cls.__mro__ if b in self._entries), None)
            self._found[cls] = found
            return found

    def get(self, cls: type, default: V) -> V:
        """The value of ``cls`` or its nearest filed base class, else ``default``."""
        found = self._lookup(cls)
        return default if found is None else found

    def __getitem__(self, cls: type) -> V:
        found = self._lookup(cls)
        if found is None:
            raise KeyError(cls)
        return found

    def __contains__(self, cls: object) -> bool:
        return isinstance(cls, type) and self._lookup(cls) is not None

    def items(self) -> list[tuple[type, V]]:
        """The classes filed and their values (not the subclasses found since)."""
        return list(self._entries.items())


_KINDS: ByClass[int] = ByClass(
    {
        OrderPlaced: _ORDER,
        Refund: _REFUND,
        Credit: _CREDIT,
        Adjustment: _ADJUST,
        Redeemed: _REDEEM,
        Referred: _REFERRAL,
        SignUp: _BONUS,
        Review: _BONUS,
        Birthday: _BONUS,
    }
)
_BONUSES: ByClass[BonusEvent] = ByClass(
    {
        SignUp: BonusEvent.SIGN_UP,
        Review: BonusEvent.REVIEW,
        Birthday: BonusEvent.BIRTHDAY,
    }
)


def evaluate(
    rules: Rules,
    history: History,
    at: dt.datetime,
    order_ranks: Mapping[str, int],
    summary: Summary,
    *,
    strict: bool = False,
) -> Status:
    """The customer's status at ``at``.

    Args:
        rules: The programme, reduced (``Rules``).
        history: The customer's compiled events.
        at: The moment.
        order_ranks: The tier rank held at each of the customer's orders (by order id).
        summary: The tier held at ``at``, the measure and the distances (``summaries``).
        strict: Refuse a redemption or negative adjustment above the balance (as the ledger
            does on append) instead of capping it (as a what-if replay does).

    Raises:
        ValidationError: with ``strict``, a debit above the available balance.
    """
    upto = seconds(at)
    lots: list[_Lot] = []
    own: dict[str, _Lot] = {}
    line_points: dict[str, list[int]] = {}
    refunds = {refund.id: refund for refund in history.refunds}
    tally = _Tally()
    order_moments: list[dt.datetime] = []
    other: list[tuple[str, dt.datetime]] = []
    for event, when in zip(history.events, history.moments, strict=True):
        if when > upto:
            break
        kind = _KINDS.get(type(event), -1)
        index = rules.version(when)
        life = rules.expiry[index]
        expiry = None if life is None else when + life
        if kind == _ORDER:
            placed = event.order  # type: ignore[union-attr]  # kind says OrderPlaced
            order = history.orders[placed.id]
            order_moments.append(placed.at)
            rank = order_ranks.get(order.id, -1)
            points: list[int] = [0] * len(order.skus)
            for number, minimum in enumerate(rules.minimum[index]):
                if minimum is not None and order.net < minimum:
                    continue
                for line, sku in enumerate(order.skus):
                    points[line] += rules.line_points(
                        index, rank, number, order.nets[line], order.categories[line], sku
                    )
            line_points[order.id] = points
            total = sum(points)
            if total:
                lot = _Lot(total, when, when + rules.pending[index], expiry, order.id)
                lots.append(lot)
                own[order.id] = lot
                tally.earned += total
        elif kind == _REFUND:
            refund = refunds[event.event_id]
            earned = line_points.get(refund.order, [])
            quantities = history.orders[refund.order].quantities
            back = 0
            for line, points_of_line in enumerate(earned):
                back += points_of_line * refund.after[line] // quantities[line] - (
                    points_of_line * refund.before[line] // quantities[line]
                )
            tally.reversed += back
            left = back
            mine = own.get(refund.order)
            if mine is not None and left and (mine.expires_at is None or when < mine.expires_at):
                take = min(left, mine.left)
                mine.left -= take
                left -= take
            if left:
                left -= _debit(lots, left, when, False, "", "")
            tally.unrecovered += left
        elif kind in (_CREDIT, _ADJUST):
            credit: Credit | Adjustment = event  # type: ignore[assignment]
            if credit.points > 0:
                lots.append(_Lot(credit.points, when, when, expiry, credit.id))
                tally.earned += credit.points
            else:
                tally.redeemed += _debit(
                    lots,
                    -credit.points,
                    when,
                    strict,
                    "the adjustment",
                    f"adjustment {credit.id!r}.points",
                )
        elif kind == _REDEEM:
            redeemed: Redeemed = event  # type: ignore[assignment]
            tally.redeemed += _debit(
                lots,
                redeemed.points,
                when,
                strict,
                "the redemption",
                f"redemption {redeemed.id!r}.points",
            )
        elif kind == _REFERRAL:
            referral: Referred = event  # type: ignore[assignment]
            if referral.referrer == history.customer:
                other.append(("referral", referral.at))
        elif kind == _BONUS:
            happened: SignUp | Review | Birthday = event  # type: ignore[assignment]
            bonus = _BONUSES[type(event)]
            other.append((bonus.value, happened.at))
            amount = rules.bonus[index][bonus]
            if amount:
                lots.append(_Lot(amount, when, when, expiry, happened.id))
                tally.earned += amount
    return _status(rules.programme, history, at, upto, lots, tally, summary, order_moments, other)


def _status(
    programme: Programme,
    history: History,
    at: dt.datetime,
    upto: int,
    lots: list[_Lot],
    tally: _Tally,
    summary: Summary,
    order_moments: list[dt.datetime],
    other: list[tuple[str, dt.datetime]],
) -> Status:
    spendable: list[Lot] = []
    pending: list[Lot] = []
    expired = 0
    for kept in lots:
        if not kept.left:
            continue
        if kept.expires_at is not None and kept.expires_at <= upto:
            expired += kept.left
            continue
        lot = Lot(
            source=kept.source,
            earned=kept.earned,
            points=kept.left,
            earned_at=_moment(kept.earned_at),
            available_at=_moment(kept.available_at),
            expires_at=None if kept.expires_at is None else _moment(kept.expires_at),
        )
        (spendable if kept.available_at <= upto else pending).append(lot)
    version = programme.version_at(at)
    badges = sorted(
        (
            Badge(name=rule.name, earned_at=when)
            for rule in version.badges
            if (when := rule.earned_at(order_moments, other)) is not None
        ),
        key=lambda badge: (badge.earned_at, badge.name),
    )
    tier, measure, next_tier, keep, downgrade = summary
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


Summary = tuple[str | None, Money | int, Distance | None, Distance | None, dt.datetime | None]
"""The tier held, the measure, the distance to the next tier and to keep it, the downgrade."""


class SummaryArrays(NamedTuple):
    """The tier part of every customer's status at one moment, as arrays (one row each).

    ``held`` is the rank held (-1: none), ``measure`` the measure, ``first_exit`` the moment
    the oldest order in the window leaves it (-1: none), ``downgrades`` the moment of the
    downgrade (-1: none) and ``left`` the measure then; ``thresholds`` are the version's.
    """

    held: IntArray
    measure: IntArray
    first_exit: IntArray
    downgrades: IntArray
    left: IntArray
    thresholds: IntArray


def summary_arrays(programme: Programme, tiers: TierIndex, count: int, upto: int) -> SummaryArrays:
    """The tier, measure and downgrade of customers ``0..count-1`` of ``tiers`` at ``upto``.

    Vectorised for every customer but those in a grace period (already below their tier's
    threshold), which are worked out one by one.
    """
    who = np.arange(count, dtype=np.int64)
    now = np.full(count, upto, dtype=np.int64)
    held = tiers.held(who, now)
    measure = tiers.measure(who, now)
    qualified = tiers.qualified(who, now)
    index = programme.version_index(_moment(upto))
    version = programme.versions[index]
    thresholds = np.array(programme.threshold_units(index), dtype=np.int64)
    window = version.window.seconds()
    grace = version.grace_days * _DAY
    start = who * _SPAN
    hi = np.searchsorted(tiers.keys, start + tiers._offset(now), side="right")
    if window is not None:
        lo = np.searchsorted(tiers.keys, start + tiers._offset(now - window), side="right")
    else:
        lo = hi
    lo = np.minimum(lo, hi)
    first_exit = (
        np.where(
            lo < hi,
            tiers.orders.at[np.minimum(lo, max(len(tiers.orders.at) - 1, 0))] + (window or 0),
            -1,
        )
        if len(tiers.orders.at)
        else np.full(count, -1)
    )
    # the downgrade of members who qualify now: the first moment an order leaving the window
    # (or a later version) drops them below, plus the grace
    dates = np.array([int(v.effective.timestamp()) for v in programme.versions[1:]], dtype=np.int64)
    later = dates[dates > upto]
    at_risk = (held >= 0) & (qualified >= held)
    at_risk &= thresholds[np.maximum(held, 0)] > 0
    drop = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    chosen = np.flatnonzero(at_risk)
    counts = (hi - lo)[chosen]
    total = int(counts.sum())
    if total and window is not None:
        owner = np.repeat(chosen, counts)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rows = lo[owner] + (np.arange(total) - np.repeat(offsets, counts))
        exits = tiers.orders.at[rows] + window
        ranks = tiers.qualified(owner, exits)
        below = ranks < held[owner]
        np.minimum.at(drop, owner[below], exits[below])
    for date in later:
        ranks = tiers.qualified(chosen, np.full(len(chosen), date))
        below = ranks < held[chosen]
        drop[chosen[below]] = np.minimum(drop[chosen[below]], date)
    grace_rows = np.flatnonzero(
        (held >= 0) & (qualified < held) & (thresholds[np.maximum(held, 0)] > 0)
    )
    if len(grace_rows):
        drop[grace_rows] = grace_drops(
            tiers, grace_rows, held[grace_rows], upto, grace, dates, window
        )
    found = np.flatnonzero(drop != np.iinfo(np.int64).max)
    downgrades = np.full(count, -1, dtype=np.int64)
    downgrades[found] = drop[found] + grace
    left = np.zeros(count, dtype=np.int64)
    if len(found):
        left[found] = tiers.measure(found, downgrades[found])
    return SummaryArrays(
        held, measure, np.asarray(first_exit, np.int64), downgrades, left, thresholds
    )


def summary_of(programme: Programme, arrays: SummaryArrays, number: int) -> Summary:
    """Customer ``number``'s ``Summary`` from the arrays."""
    names = programme.tier_names
    held, measure, first_exit, downgrades, left, thresholds = arrays
    rank = int(held[number])
    next_tier = None
    if rank + 1 < len(names):
        by = int(first_exit[number]) if first_exit[number] >= 0 else None
        next_tier = _distance(
            programme, names[rank + 1], int(thresholds[rank + 1] - measure[number]), by
        )
    keep = downgrade = None
    if downgrades[number] >= 0:
        when = int(downgrades[number])
        downgrade = _moment(when)
        keep = _distance(programme, names[rank], int(thresholds[rank] - left[number]), when)
    return (
        names[rank] if rank >= 0 else None,
        programme.measure_value(int(measure[number])),
        next_tier,
        keep,
        downgrade,
    )


def summaries(programme: Programme, tiers: TierIndex, count: int, upto: int) -> list[Summary]:
    """The tier, measure and distances of customers ``0..count-1`` of ``tiers`` at ``upto``."""
    arrays = summary_arrays(programme, tiers, count, upto)
    return [summary_of(programme, arrays, number) for number in range(count)]


def _rows_of(customer: IntArray, numbers: IntArray) -> tuple[IntArray, IntArray]:
    """The rows of a column sorted by customer that belong to each of ``numbers``.

    Returns each row's owner (an index into ``numbers``) and the row.
    """
    first = np.searchsorted(customer, numbers, side="left")
    sizes = np.searchsorted(customer, numbers, side="right") - first
    total = int(sizes.sum())
    owner = np.repeat(np.arange(len(numbers), dtype=np.int64), sizes)
    offsets = np.cumsum(sizes) - sizes
    return owner, first[owner] + (np.arange(total, dtype=np.int64) - offsets[owner])


def grace_drops(
    tiers: TierIndex,
    numbers: IntArray,
    held: IntArray,
    upto: int,
    grace: int,
    dates: IntArray,
    window: int | None,
) -> IntArray:
    """For members in grace: when each stopped qualifying for the tier it holds.

    Customers ``numbers`` holding ``held``; ``_grace_drop`` for all of them at once.
    """
    count = len(numbers)
    everyone = np.arange(count, dtype=np.int64)
    since = upto - grace
    owner, rows = _rows_of(tiers.orders.customer, numbers)
    moments = tiers.orders.at[rows]
    inside = (moments > since) & (moments <= upto)
    recent = dates[(dates > since) & (dates <= upto)]
    # the latest moment in [since, upto] each qualified for its tier (since when none)
    who = np.concatenate([everyone, owner[inside], np.repeat(everyone, len(recent))])
    when = np.concatenate(
        [np.full(count, since, dtype=np.int64), moments[inside], np.tile(recent, count)]
    )
    good = tiers.qualified(numbers[who], when) >= held[who]
    start = np.full(count, since, dtype=np.int64)
    np.maximum.at(start, who[good], when[good])
    # then the first moment after it they no longer did: an order leaving the window, a
    # refund, a new version
    refund_owner, refund_rows = _rows_of(tiers.refunds.customer, numbers)
    exits = moments + window if window is not None else np.zeros(0, dtype=np.int64)
    who = np.concatenate(
        [
            owner if window is not None else np.zeros(0, dtype=np.int64),
            refund_owner,
            np.repeat(everyone, len(dates)),
        ]
    )
    when = np.concatenate([exits, tiers.refunds.at[refund_rows], np.tile(dates, count)])
    later = when > start[who]
    who, when = who[later], when[later]
    below = tiers.qualified(numbers[who], when) < held[who]
    drop = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(drop, who[below], when[below])
    return drop


def _grace_drop(
    tiers: TierIndex,
    number: int,
    held: int,
    upto: int,
    grace: int,
    dates: IntArray,
    window: int | None,
) -> int:
    """For a member in grace: the moment they stopped qualifying for ``held``."""
    # the index holds the orders and refunds sorted by customer: one slice each
    first, last = np.searchsorted(tiers.orders.customer, [number, number + 1])
    moments = tiers.orders.at[first:last]
    start = _last_qualified(tiers, number, held, upto, grace, moments, dates)
    exits = moments + window if window is not None else np.zeros(0, dtype=np.int64)
    low, high = np.searchsorted(tiers.refunds.customer, [number, number + 1])
    refunds = tiers.refunds.at[low:high]
    drops = np.unique(np.concatenate([exits, refunds, dates]))
    candidates = drops[drops > start]
    if len(candidates):
        ranks = tiers.qualified(np.full(len(candidates), number), candidates)
        below = np.flatnonzero(ranks < held)
        if len(below):
            return int(candidates[below[0]])
    return int(np.iinfo(np.int64).max)


def _last_qualified(
    tiers: TierIndex,
    number: int,
    held: int,
    upto: int,
    grace: int,
    moments: IntArray,
    dates: IntArray,
) -> int:
    """The latest moment in ``[upto - grace, upto]`` the customer qualified for ``held``."""
    since = upto - grace
    candidates = np.unique(
        np.concatenate(
            [
                [since],
                moments[(moments > since) & (moments <= upto)],
                dates[(dates > since) & (dates <= upto)],
            ]
        )
    )
    ranks = tiers.qualified(np.full(len(candidates), number), candidates)
    good = candidates[ranks >= held]
    return int(good[-1]) if len(good) else since
