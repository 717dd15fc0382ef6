"""The points of the columnar replay: each order line's points, and the debits taken from lots.

``_line_points`` works out every order line's points at once; ``_spend`` applies every
redemption, negative adjustment and refund, round by round, to the lots, oldest first (see
``_replay`` for the rules).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from shopkit.loyalty._earning import BonusEvent
from shopkit.loyalty._engine import (
    _ADJUST,
    _BONUS,
    _CREDIT,
    _ORDER,
    _REDEEM,
    _REFUND,
)
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._replay_layout import _DAY, _NEVER, _SAFE, IntArray, Table, _Orders, _segments
from shopkit.loyalty._tiers import _SPAN, OrderFacts, RefundFacts, TierIndex


class _Lots(NamedTuple):
    """The lots left at the moment (something left, not expired), by customer (``first``)."""

    first: IntArray
    event: IntArray  # the event that earned it
    source: Callable[[int], str]  # the id of an event
    earned: IntArray
    left: IntArray
    created: IntArray
    available: IntArray
    expires: IntArray


def _line_points(
    programme: Programme,
    orders: _Orders,
    kept: IntArray,
    versions: IntArray,
    ranks: IntArray,
    skus: tuple[str, ...],
    categories: tuple[str, ...],
) -> Any:
    """The points each line of the orders ``kept`` earns (int64, or objects past its range)."""
    owner, lines = _segments(orders.first, kept)
    net = orders.line_net[lines]
    points: Any = np.zeros(len(lines), dtype=np.int64)
    line_version = versions[owner]
    line_rank = ranks[owner]
    top = int(net.max()) if len(net) else 0
    for index in np.unique(line_version).tolist():
        version = programme.versions[index]
        factors = [Fraction(1)] + [tier.points_factor() for tier in version.tiers]
        here = line_version == index
        for rule in version.per_amount():
            # a rate per (tier rank + 1, category + 1), as the replay works it out
            rates = [
                [
                    Fraction(rule.points) * rule.factor_of(category) * factor / rule.per.minor
                    for category in (None, *categories)
                ]
                for factor in factors
            ]
            numerators = np.array([[rate.numerator for rate in row] for row in rates], dtype=object)
            denominators = np.array(
                [[rate.denominator for rate in row] for row in rates], dtype=object
            )
            excluded = np.array([sku in rule.exclude_skus for sku in skus], dtype=bool)
            earns = here & (net > 0) & ~excluded[orders.line_sku[lines]]
            if rule.min_order is not None:
                earns &= orders.net[kept][owner] >= rule.min_order.minor
            rows = np.flatnonzero(earns)
            if not len(rows):
                continue
            at = (line_rank[rows] + 1, orders.line_category[lines][rows] + 1)
            biggest = max(int(value) for value in numerators.flat)
            if top * biggest < _SAFE and max(int(value) for value in denominators.flat) < _SAFE:
                share = (
                    net[rows] * numerators.astype(np.int64)[at] // denominators.astype(np.int64)[at]
                )
                if points.dtype == object:
                    share = share.astype(object)
            else:  # exact beyond int64: Python integers
                share = net[rows].astype(object) * numerators[at] // denominators[at]
                points = points.astype(object)
            points[rows] += share
    return points


class _Spent(NamedTuple):
    """The points of a replay: the lots made, what is left of each, what each debit took."""

    tiers: TierIndex
    lot_event: IntArray
    lot_customer: IntArray
    lot_amount: IntArray
    lot_created: IntArray
    lot_available: IntArray
    lot_expires: IntArray
    left: IntArray
    debit_event: IntArray
    debit_customer: IntArray
    want: IntArray
    is_refund: npt.NDArray[np.bool_]
    taken: IntArray


def _spend(table: Table, keep: npt.NDArray[np.bool_]) -> _Spent:
    """Replay the events ``keep`` selects (a prefix of each customer's): lots and debits.

    Nothing here depends on the moment asked but through ``keep``: a replay of every event is
    kept in the table and used again by the next.
    """
    everything = bool(keep.all())
    if everything and table._cache:
        cached: _Spent = table._cache[0]
        return cached
    programme = table.programme
    events, orders, refunds = table._event_columns, table._orders, table._refunds
    # versions, per event
    effective = np.array([int(v.effective.timestamp()) for v in programme.versions], np.int64)
    version = np.maximum(np.searchsorted(effective, events.at, side="right") - 1, 0)
    pending_of = np.array([v.return_window_days * _DAY for v in programme.versions], np.int64)
    expiry_of = np.array(
        [_NEVER if v.expiry_days is None else v.expiry_days * _DAY for v in programme.versions],
        np.int64,
    )
    # tiers: the index over the orders and refunds up to ``at``
    kept_orders = np.flatnonzero(keep[orders.event])
    kept_refunds = np.flatnonzero(keep[refunds.event])
    order_event = orders.event[kept_orders]
    order_customer = events.customer[order_event]
    order_at = events.at[order_event]
    facts = OrderFacts(
        order_customer,
        order_at,
        orders.gross[kept_orders],
        orders.net[kept_orders],
        orders.shipping[kept_orders],
        orders.tax[kept_orders],
    )
    refund_event = refunds.event[kept_refunds]
    refund_order = refunds.order[kept_refunds]
    refund_facts = RefundFacts(
        events.customer[refund_event],
        refunds.order_at[kept_refunds],
        events.at[refund_event],
        refunds.gross[kept_refunds],
        refunds.net[kept_refunds],
        refunds.shipping[kept_refunds],
        refunds.tax[kept_refunds],
        refunds.cancels[kept_refunds],
    )
    tiers = TierIndex(programme, facts, refund_facts)
    ranks = tiers.held(order_customer, order_at)
    # points per line, per order
    line_points = _line_points(
        programme,
        orders,
        kept_orders,
        version[order_event],
        ranks,
        table._skus,
        table._categories,
    )
    sizes = orders.first[kept_orders + 1] - orders.first[kept_orders]
    order_total = np.zeros(len(orders.event), dtype=np.int64)
    line_start = np.zeros(len(orders.event), dtype=np.int64)
    if len(line_points):
        line_owner = np.repeat(np.arange(len(kept_orders)), sizes)
        totals = np.zeros(len(kept_orders), dtype=line_points.dtype)
        np.add.at(totals, line_owner, line_points)
        order_total[kept_orders] = totals.astype(np.int64)
        # where each kept order's line points start in line_points
        line_start[kept_orders] = np.cumsum(sizes) - sizes
    # what each refund takes back
    back = np.zeros(len(refunds.event), dtype=np.int64)
    if len(kept_refunds):
        owner, rows = _segments(refunds.first, kept_refunds)
        order_rows = refund_order[owner]
        within = rows - refunds.first[kept_refunds][owner]
        earned_points = line_points[line_start[order_rows] + within]
        quantity = orders.line_quantity[orders.first[order_rows] + within]
        share = earned_points * refunds.after[rows] // quantity - (
            earned_points * refunds.before[rows] // quantity
        )
        taken = np.zeros(len(kept_refunds), dtype=share.dtype)
        np.add.at(taken, owner, share)
        # an order evaluated after its refund (the same second) has earned nothing yet
        taken[orders.event[refund_order] > refund_event] = 0
        back[kept_refunds] = taken.astype(np.int64)
    # the lots, in evaluation order
    kind = events.kind
    amount = np.zeros(len(kind), dtype=np.int64)
    amount[order_event] = order_total[kept_orders]
    credits = (kind == _CREDIT) | (kind == _ADJUST)
    amount[credits] = np.maximum(events.value[credits], 0)
    bonus_table = np.array(
        [[v.bonus_points(bonus) for bonus in BonusEvent] for v in programme.versions], np.int64
    )
    bonuses = kind == _BONUS
    amount[bonuses] = bonus_table[version[bonuses], events.value[bonuses]]
    amount[~keep] = 0
    lot_event = np.flatnonzero(amount > 0)
    lot_customer = events.customer[lot_event]
    lot_created = events.at[lot_event]
    lot_amount = amount[lot_event]
    lot_version = version[lot_event]
    lot_available = lot_created + np.where(kind[lot_event] == _ORDER, pending_of[lot_version], 0)
    lot_expires = np.minimum(lot_created + expiry_of[lot_version], _NEVER)
    left = lot_amount.copy()
    # the debits, in evaluation order
    debit = np.zeros(len(kind), dtype=np.int64)
    debit[kind == _REDEEM] = events.value[kind == _REDEEM]
    debit[credits] = np.maximum(-events.value[credits], 0)
    debit[refund_event] = back[kept_refunds]
    debit[~keep] = 0
    debit_event = np.flatnonzero(debit > 0)
    debit_customer = events.customer[debit_event]
    debit_at = events.at[debit_event]
    want = debit[debit_event]
    is_refund = kind[debit_event] == _REFUND
    # a refund's own lot: its order's lot, when the order earned points
    lot_of_event = np.full(len(kind), -1, dtype=np.int64)
    lot_of_event[lot_event] = np.arange(len(lot_event))
    own = np.full(len(debit_event), -1, dtype=np.int64)
    refund_row = np.full(len(kind), -1, dtype=np.int64)
    refund_row[refunds.event] = np.arange(len(refunds.event))
    debit_refund = refund_row[debit_event[is_refund]]
    own[is_refund] = lot_of_event[orders.event[refunds.order[debit_refund]]]
    # each debit draws on its customer's lots made before it (and not surely expired)
    hi = np.searchsorted(lot_event, debit_event, side="left")
    lo = np.searchsorted(lot_customer, debit_customer, side="left")
    longest = int(expiry_of.max())
    if (
        longest < _NEVER
        and len(lot_event)
        and int(lot_created.max()) - int(lot_created.min()) + longest < _SPAN - 2
    ):
        base = int(lot_created.min()) - longest - 1
        keys = lot_customer * _SPAN + (lot_created - base)
        since = debit_customer * _SPAN + np.maximum(debit_at - longest - base, 0)
        lo = np.maximum(lo, np.searchsorted(keys, since, side="right"))
    lo = np.minimum(lo, hi)
    taken_total = np.zeros(len(debit_event), dtype=np.int64)
    if len(debit_event):
        first_debit = np.searchsorted(debit_customer, debit_customer, side="left")
        turn = np.arange(len(debit_event)) - first_debit
        by_turn = np.argsort(turn, kind="stable")
        bounds = np.searchsorted(turn[by_turn], np.arange(int(turn.max()) + 2), side="left")
        for round_number in range(int(turn.max()) + 1):
            chosen = by_turn[bounds[round_number] : bounds[round_number + 1]]
            when = debit_at[chosen]
            need = want[chosen].copy()
            mine = own[chosen]
            has = np.flatnonzero(mine >= 0)
            if len(has):
                mine = mine[has]
                alive = np.flatnonzero(when[has] < lot_expires[mine])
                mine = mine[alive]
                take = np.minimum(need[has[alive]], left[mine])
                left[mine] -= take
                need[has[alive]] -= take
                taken_total[chosen[has[alive]]] += take
            start, stop = lo[chosen], hi[chosen]
            width = stop - start
            total = int(width.sum())
            if total == 0:
                continue
            owner = np.repeat(np.arange(len(chosen)), width)
            offsets = np.cumsum(width) - width
            rows = start[owner] + (np.arange(total) - offsets[owner])
            moment = when[owner]
            spendable = np.where(
                (lot_available[rows] <= moment) & (moment < lot_expires[rows]), left[rows], 0
            )
            running = np.cumsum(spendable)
            padded = np.concatenate([[0], running])
            starts = padded[offsets]
            available = padded[offsets + width] - starts
            take_total = np.minimum(need, available)
            before = running - spendable - starts[owner]
            take = np.clip(take_total[owner] - before, 0, spendable)
            left[rows] -= take
            taken_total[chosen] += take_total
    spent = _Spent(
        tiers,
        lot_event,
        lot_customer,
        lot_amount,
        lot_created,
        lot_available,
        lot_expires,
        left,
        debit_event,
        debit_customer,
        want,
        is_refund,
        taken_total,
    )
    if everything:
        table._cache.append(spent)
    return spent
