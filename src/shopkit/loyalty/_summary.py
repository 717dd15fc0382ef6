"""The tier part of every customer's status at one moment, on arrays, and grace drops.

From the ``TierIndex`` (``_tiers``): the tier held, the measure, the distance to the next tier
and to keeping this one, the downgrade moment (``summary_arrays``, ``summary_of``,
``summaries``), and when a customer in a grace period drops a tier (``grace_drops``). The
ledger's evaluation (``_engine``) and the replay on arrays (``_replay``) both read them.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

from shopkit import Money
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._status import Distance
from shopkit.loyalty._tiers import _SPAN, IntArray, TierIndex

__all__ = ["Summary", "SummaryArrays", "grace_drops", "summaries", "summary_arrays", "summary_of"]

_UTC = dt.UTC
_DAY = 86_400
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


def _moment(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=value)


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
