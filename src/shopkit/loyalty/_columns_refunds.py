"""The units ledger columns' refunds return, per line of the orders they name, checked.

A refund returns units of an order's skus (or, without lines, cancels the order); units of one
sku may sit on several lines of the order and be returned by several refunds. The running
totals found here refuse a refund of more than is left (the first in evaluation order), and
``_columns_read`` builds the refunds' arrays from them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from shopkit.loyalty._columns import (
    IntArray,
    LedgerColumns,
)
from shopkit.loyalty._columns_check import (
    Evaluation,
    Events,
    References,
    _expand,
    _firsts,
    _Refusals,
)

__all__ = ["RefundUnits", "check_refund_units"]


class RefundUnits(NamedTuple):
    """The units refunds return, per line of the orders they name, checked."""

    customer: IntArray
    """Each event's customer code, a refund taking its order's customer."""
    refunds: IntArray
    """The refunds."""
    refund_order: IntArray
    """The order each refund names."""
    refund_of_event: IntArray
    """Each event's number among the refunds (-1: not one)."""
    line_rows: IntArray
    """The rows of the lines of the orders refunded, by order, in row order."""
    prefix: IntArray
    """For each of them, the units of its sku on earlier lines of its order."""
    skus: int
    """The number of skus (at least 1), for keys of order and sku."""
    r_group: IntArray
    """Each refund line's key of order and sku."""
    dense: IntArray
    """Each refund line's key, numbered densely."""
    by_time: IntArray
    """The refund lines by key, then evaluation order, then row."""
    r_position: IntArray
    """Each refund line's refund's place in evaluation order."""
    r_cumulative: IntArray
    """Each refund line's units of its order's sku returned so far (itself included)."""
    span: int
    """One more than the number of events, for keys of order and position."""


def check_refund_units(
    c: LedgerColumns, events: Events, ordered: Evaluation, references: References
) -> RefundUnits:
    """Refuse a refund of more units than are left of its order; the first of all.

    Or of an order refunded in full already (a cancellation, or lines that returned
    everything): the first in evaluation order is refused.
    """
    starts, size, owner = events.starts, events.size, events.owner
    refund_row, whole, customer = events.refund_row, events.whole, events.customer
    order_code, position = ordered.order_code, ordered.position
    naming, target, reviews = references.naming, references.target, references.reviews
    target_safe = np.maximum(target, 0)
    count = len(starts)
    ids = c.ids
    refusals = _Refusals(c, starts, position)
    # refunds: units per order line, refused above what is left
    refunds = naming[~reviews]
    refund_order = target[~reviews]
    refund_customer = customer[target_safe[~reviews]]
    customer = customer.copy()
    customer[refunds] = refund_customer
    # the lines of the orders refunded, by order, in row order
    refunded = np.unique(refund_order)
    line_rows = _expand(starts[refunded], size[refunded])
    line_order = owner[line_rows]
    skus = max(len(c.skus), 1)
    line_group = line_order * skus + c.sku[line_rows]
    by_group = np.lexsort((line_rows, line_group))
    groups, group_start = np.unique(line_group[by_group], return_index=True)
    quantity_sorted = c.quantity[line_rows][by_group]
    cumulative = np.cumsum(quantity_sorted)
    bought = np.add.reduceat(quantity_sorted, group_start) if len(groups) else cumulative[:0]
    prefix_sorted = (
        cumulative
        - quantity_sorted
        - np.repeat(
            (cumulative - quantity_sorted)[group_start],
            np.diff(np.append(group_start, len(by_group))),
        )
    )
    prefix = np.empty(len(line_rows), dtype=np.int64)
    prefix[by_group] = prefix_sorted  # units of the same sku on earlier lines of the order
    refund_of_event = np.full(count, -1, dtype=np.int64)
    refund_of_event[refunds] = np.arange(len(refunds))
    r_rows = np.flatnonzero(refund_row & ~whole)
    r_refund = refund_of_event[owner[r_rows]]
    r_order = refund_order[r_refund]
    r_group = r_order * skus + c.sku[r_rows]
    r_position = position[refunds][r_refund]
    spot = np.searchsorted(groups, r_group)
    found = (spot < len(groups)) & (groups[np.minimum(spot, max(len(groups) - 1, 0))] == r_group)
    r_bought = np.where(found, bought[np.minimum(spot, max(len(bought) - 1, 0))], 0)
    by_time = np.lexsort((r_rows, r_position, r_group))
    dense = np.unique(r_group, return_inverse=True)[1].astype(np.int64)
    r_quantity = c.quantity[r_rows]
    running = np.cumsum(r_quantity[by_time])
    sorted_dense = dense[by_time]
    run_start = np.flatnonzero(
        np.concatenate([[True], sorted_dense[1:] != sorted_dense[:-1]])[: len(sorted_dense)]
    )
    base = np.repeat(
        running[run_start] - r_quantity[by_time][run_start],
        np.diff(np.append(run_start, len(by_time))),
    )
    r_cumulative = np.empty(len(r_rows), dtype=np.int64)
    r_cumulative[by_time] = running - base
    # a cancellation (no lines): the first of its order, unless lines returned everything
    wholes = np.flatnonzero(whole[starts[refunds]])
    total_of_order = np.zeros(count, dtype=np.int64)
    if len(refunded):
        total_of_order[refunded] = np.add.reduceat(c.quantity[line_rows], _firsts(size[refunded]))
    cancel_at = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(cancel_at, refund_order[wholes], position[refunds[wholes]])
    span = count + 1
    line_key = r_order * span + r_position
    by_line_key = np.argsort(line_key, kind="stable")
    line_sum = np.concatenate([[0], np.cumsum(r_quantity[by_line_key])])
    w_order = refund_order[wholes]
    w_position = position[refunds[wholes]]
    before_sum = line_sum[np.searchsorted(line_key[by_line_key], w_order * span + w_position)]
    before_sum -= line_sum[np.searchsorted(line_key[by_line_key], w_order * span)]
    refusals.add(
        (w_position > cancel_at[w_order]) | (before_sum >= total_of_order[w_order]),
        refunds[wholes],
        "order",
        lambda e: f"order {ids[order_code[e]]!r} is already refunded in full",
    )
    over = (r_cumulative > r_bought) | (r_position > cancel_at[r_order])
    bad_rows = r_rows[over]
    if len(bad_rows):
        first_bad = bad_rows[np.argmin(position[owner[bad_rows]])]
        refusals.found.append(
            (
                int(position[owner[first_bad]]),
                len(refusals.found),
                int(first_bad),
                "quantity",
                f"{int(c.quantity[first_bad])} units of {c.skus[c.sku[first_bad]]!r} is more "
                "than is left of the order",
            )
        )
    refusals.raise_first()
    return RefundUnits(
        customer,
        refunds,
        refund_order,
        refund_of_event,
        line_rows,
        prefix,
        skus,
        r_group,
        dense,
        by_time,
        r_position,
        r_cumulative,
        span,
    )
