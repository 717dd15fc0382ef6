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
from shopkit.loyalty._status import Badge, Lot, Status
from shopkit.loyalty._summary import Summary, _moment
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
