"""The badges of the columnar replay: the built-in kinds on arrays, other rules by themselves.

``_badges`` finds order-count, event-count and month-streak badges for every customer at once;
a programme with a badge rule of another kind has each customer's badges worked out by the
rule itself, from the ledger's events (``_badges_by_rule``), as the object path does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import numpy as np

from shopkit.loyalty._badges import BadgeEvent, EventCount, MonthStreak, OrderCount
from shopkit.loyalty._earning import BonusEvent
from shopkit.loyalty._engine import (
    _BONUS,
    _BONUSES,
    _KINDS,
    _ORDER,
    _REFERRAL,
)
from shopkit.loyalty._events import OrderPlaced, Referred
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._replay_layout import (
    _BONUS_CODES,
    _BUILT_IN_BADGES,
    _EPOCH,
    _MICROSECOND,
    IntArray,
    Table,
)
from shopkit.loyalty._status import Badge


def _nth(first: IntArray, moments: IntArray, n: int) -> IntArray:
    """Per group (starts ``first``), the ``n``-th moment (1-based), ``-1`` when fewer."""
    row = first[:-1] + n - 1
    has = row < first[1:]
    result = np.full(len(has), -1, dtype=np.int64)
    result[has] = moments[row[has]]
    return result


class _Badges(NamedTuple):
    """The badges: per built-in rule, when each customer earned it (µs, -1: not).

    Or, for rules of other kinds, a list per customer worked out by the rules themselves.
    """

    earned: list[tuple[str, IntArray]]
    by_rule: list[list[Badge]] | None

    def of(self, number: int) -> tuple[Badge, ...]:
        """Customer ``number``'s badges in the order earned."""
        if self.by_rule is not None:
            return tuple(self.by_rule[number])
        found = [
            Badge(name=name, earned_at=_EPOCH + _MICROSECOND * int(moments[number]))
            for name, moments in self.earned
            if moments[number] >= 0
        ]
        return tuple(sorted(found, key=lambda badge: (badge.earned_at, badge.name)))


def _badges(table: Table, at: dt.datetime, upto: int, keep: Any) -> _Badges:
    """Each customer's badges, by the rules of the version in force at ``at``."""
    count = len(table.customers)
    rules = table.programme.version_at(at).badges
    if any(type(rule) not in _BUILT_IN_BADGES for rule in rules):
        return _Badges([], [_badges_by_rule(table, number, at, upto) for number in range(count)])
    events = table._event_columns
    kinds = events.kind
    groups = np.arange(count + 1)
    order_rows = np.flatnonzero(keep & (kinds == _ORDER))
    order_customer = events.customer[order_rows]
    order_first = np.searchsorted(order_customer, groups, side="left")
    order_micro = events.micro[order_rows]
    review = _BONUS_CODES[BonusEvent.REVIEW]
    counted = {
        BadgeEvent.REVIEW: keep & (kinds == _BONUS) & (events.value == review),
        BadgeEvent.REFERRAL: keep & (kinds == _REFERRAL) & (events.value == 1),
    }
    earned: list[tuple[str, IntArray]] = []
    for rule in rules:
        if isinstance(rule, OrderCount):
            earned.append((rule.name, _nth(order_first, order_micro, rule.count)))
        elif isinstance(rule, EventCount):
            rows = np.flatnonzero(counted[rule.event])
            first = np.searchsorted(events.customer[rows], groups, side="left")
            earned.append((rule.name, _nth(first, events.micro[rows], rule.count)))
        else:
            assert isinstance(rule, MonthStreak)
            earned.append((rule.name, _streaks(order_customer, order_micro, rule.months, count)))
    return _Badges(earned, None)


def _streaks(customer: IntArray, micro: IntArray, months: int, count: int) -> IntArray:
    """Per customer, the moment of the order completing the first streak of ``months`` months."""
    result = np.full(count, -1, dtype=np.int64)
    if not len(customer):
        return result
    month = (micro // 1_000_000).astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    new_customer = np.concatenate([[True], customer[1:] != customer[:-1]])
    distinct = new_customer | np.concatenate([[True], month[1:] != month[:-1]])
    rows = np.flatnonzero(distinct)
    month, fresh, who = month[rows], new_customer[rows], customer[rows]
    breaks = fresh | np.concatenate([[True], month[1:] != month[:-1] + 1])
    positions = np.arange(len(rows))
    streak = positions - np.maximum.accumulate(np.where(breaks, positions, 0)) + 1
    done = np.flatnonzero(streak >= months)
    if len(done):
        first = np.unique(who[done], return_index=True)
        result[first[0]] = micro[rows[done[first[1]]]]
    return result


def _badges_by_rule(table: Table, number: int, at: dt.datetime, upto: int) -> list[Badge]:
    """One customer's badges by the rules themselves (a badge rule of a kind not built in).

    From the events themselves, or (a table read from columns) from the arrays, in UTC.
    """
    order_moments: list[dt.datetime] = []
    other: list[tuple[str, dt.datetime]] = []
    if table._histories is None:
        events = table._event_columns
        lo, hi = np.searchsorted(events.customer, [number, number + 1])
        names = {code: bonus.value for bonus, code in _BONUS_CODES.items()}
        for kind, when, value, micro in zip(
            *(
                column[lo:hi].tolist()
                for column in (events.kind, events.at, events.value, events.micro)
            ),
            strict=True,
        ):
            if when > upto:
                break
            moment = _EPOCH + _MICROSECOND * micro
            if kind == _ORDER:
                order_moments.append(moment)
            elif kind == _REFERRAL and value == 1:
                other.append(("referral", moment))
            elif kind == _BONUS:
                other.append((names[value], moment))
        return _earned_badges(table.programme, at, order_moments, other)
    history = table._histories[number]
    for event, when in zip(history.events, history.moments, strict=True):
        if when > upto:
            break
        kind = _KINDS.get(type(event), -1)
        if kind == _ORDER:
            assert isinstance(event, OrderPlaced)
            order_moments.append(event.order.at)
        elif kind == _REFERRAL:
            assert isinstance(event, Referred)
            if event.referrer == history.customer:
                other.append(("referral", event.at))
        elif kind == _BONUS:
            other.append((_BONUSES[type(event)].value, event.at))  # type: ignore[union-attr]
    return _earned_badges(table.programme, at, order_moments, other)


def _earned_badges(
    programme: Programme,
    at: dt.datetime,
    order_moments: list[dt.datetime],
    other: list[tuple[str, dt.datetime]],
) -> list[Badge]:
    version = programme.version_at(at)
    return sorted(
        (
            Badge(name=rule.name, earned_at=when)
            for rule in version.badges
            if (when := rule.earned_at(order_moments, other)) is not None
        ),
        key=lambda badge: (badge.earned_at, badge.name),
    )
