"""The refunds of ``LedgerColumns``: units returned per order line, checked, laid out.

``order_lines`` and ``refund_lines`` count, on arrays, the units of each sku an order bought
and the units its refunds return one after another (in evaluation order); ``check_refunds``
refuses the first refund of more than is left of its order; ``refund_table`` lays the
refunds out as ``_replay_layout._Refunds`` (the units of every line of the order before and
after each refund, and the amounts returned).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from shopkit.loyalty._columns import _REFUND_K, BoolArray, IntArray, LedgerColumns, _expand, _firsts
from shopkit.loyalty._columns_check import Evaluation, Named, Runs, _Refusals
from shopkit.loyalty._engine import _REFUND

__all__ = ["Lines", "Returns", "check_refunds", "order_lines", "refund_lines", "refund_table"]


class Lines(NamedTuple):
    """The lines of the orders refunded, by order, in row order."""

    refunded: IntArray  # the orders refunded (events), sorted
    rows: IntArray  # their lines (rows), in row order
    skus: int  # the number of skus (at least 1): a (order, sku) group is order * skus + sku
    groups: IntArray  # the (order, sku) groups of the lines, sorted
    bought: IntArray  # the units of each group bought
    prefix: IntArray  # each line's: the units of its sku on earlier lines of the order


class Returns(NamedTuple):
    """The refund lines (rows of refunds naming a sku), and the units returned up to each."""

    refund_of_event: IntArray  # each event's index among ``Named.refunds`` (``-1``: none)
    rows: IntArray  # the refund lines (rows)
    order: IntArray  # the order each refunds (an event)
    group: IntArray  # its (order, sku) group
    position: IntArray  # its refund's place in evaluation order
    quantity: IntArray  # its units
    bought: IntArray  # the units of its group the order bought (0: none)
    by_time: IntArray  # the lines by group, then evaluation order, then row
    dense: IntArray  # each line's group, numbered from 0 among the groups refunded
    cumulative: IntArray  # the units of its group returned up to and with it


def order_lines(columns: LedgerColumns, runs: Runs, named: Named) -> Lines:
    """The lines of the orders refunded, with the units of each sku bought."""
    c, starts, size = columns, runs.starts, runs.size
    refunded = np.unique(named.refund_order)
    line_rows = _expand(starts[refunded], size[refunded])
    line_order = runs.owner[line_rows]
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
    return Lines(refunded, line_rows, skus, groups, bought, prefix)


def refund_lines(
    columns: LedgerColumns, runs: Runs, ev: Evaluation, named: Named, lines: Lines
) -> Returns:
    """The refund lines, with the units of their sku returned up to each (evaluation order)."""
    c, owner, refunds = columns, runs.owner, named.refunds
    groups, bought = lines.groups, lines.bought
    refund_of_event = np.full(len(runs.kind), -1, dtype=np.int64)
    refund_of_event[refunds] = np.arange(len(refunds))
    refund_row = runs.kind[owner] == _REFUND_K
    r_rows = np.flatnonzero(refund_row & ~runs.whole)
    r_refund = refund_of_event[owner[r_rows]]
    r_order = named.refund_order[r_refund]
    r_group = r_order * lines.skus + c.sku[r_rows]
    r_position = ev.position[refunds][r_refund]
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
    return Returns(
        refund_of_event,
        r_rows,
        r_order,
        r_group,
        r_position,
        r_quantity,
        r_bought,
        by_time,
        dense,
        r_cumulative,
    )


def check_refunds(
    columns: LedgerColumns,
    runs: Runs,
    ev: Evaluation,
    named: Named,
    lines: Lines,
    returns: Returns,
) -> None:
    """Refuse the first refund (in evaluation order) of more than is left of its order.

    A cancellation (a refund without lines) refunds everything: it is refused after another
    cancellation of its order, or once lines returned everything; a refund line, above the
    units of its sku bought less those returned before, or after a cancellation.
    """
    c, starts, position, count = columns, runs.starts, ev.position, len(runs.kind)
    refunds, refund_order, refunded = named.refunds, named.refund_order, lines.refunded
    ids, order_code = c.ids, ev.order_code
    refusals = _Refusals(c, starts, position)
    # a cancellation (no lines): the first of its order, unless lines returned everything
    wholes = np.flatnonzero(runs.whole[starts[refunds]])
    total_of_order = np.zeros(count, dtype=np.int64)
    if len(refunded):
        total_of_order[refunded] = np.add.reduceat(
            c.quantity[lines.rows], _firsts(runs.size[refunded])
        )
    cancel_at = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(cancel_at, refund_order[wholes], position[refunds[wholes]])
    span = count + 1
    line_key = returns.order * span + returns.position
    by_line_key = np.argsort(line_key, kind="stable")
    line_sum = np.concatenate([[0], np.cumsum(returns.quantity[by_line_key])])
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
    over = (returns.cumulative > returns.bought) | (returns.position > cancel_at[returns.order])
    bad_rows = returns.rows[over]
    if len(bad_rows):
        first_bad = bad_rows[np.argmin(position[runs.owner[bad_rows]])]
        refusals.found.append(
            (
                int(position[runs.owner[first_bad]]),
                len(refusals.found),
                int(first_bad),
                "quantity",
                f"{int(c.quantity[first_bad])} units of {c.skus[c.sku[first_bad]]!r} is more "
                "than is left of the order",
            )
        )
    refusals.raise_first()


def refund_table(
    columns: LedgerColumns,
    runs: Runs,
    ev: Evaluation,
    named: Named,
    lines: Lines,
    returns: Returns,
    table: tuple[IntArray, IntArray, IntArray],
) -> tuple[Any, ...]:
    """The refunds in the table's order, as ``_Refunds``: units returned per line of the order.

    ``table`` is the table's rows' events and engine kinds, and each event's order's number
    among the table's orders (``-1``: not an order).
    """
    c, starts, size = columns, runs.starts, runs.size
    row_event, engine, order_number = table
    refund_rows = np.flatnonzero(engine == _REFUND)
    chosen = returns.refund_of_event[row_event[refund_rows]]
    r_target = named.refund_order[chosen]
    r_lines = _expand(starts[r_target], size[r_target])  # the rows of each one's order lines
    r_owner = np.repeat(np.arange(len(chosen)), size[r_target])
    line_index = np.searchsorted(lines.rows, r_lines)  # the order line, among line_rows
    query = r_target[r_owner] * lines.skus + c.sku[r_lines]
    at_position = ev.position[named.refunds][chosen][r_owner]
    before_units, after_units = _returned(returns, query, at_position, len(runs.kind) + 1)
    line_quantity = c.quantity[r_lines]
    line_prefix = lines.prefix[line_index]
    before = np.clip(before_units - line_prefix, 0, line_quantity)
    after = np.clip(after_units - line_prefix, 0, line_quantity)
    cancelling = runs.whole[starts[named.refunds[chosen]]]
    after = np.where(cancelling[r_owner], line_quantity, after)
    r_gross_line = c.unit[r_lines] * line_quantity
    r_net_line = r_gross_line - c.discount[r_lines]
    share_gross = r_gross_line * after // line_quantity - r_gross_line * before // line_quantity
    share_net = r_net_line * after // line_quantity - r_net_line * before // line_quantity
    r_gross = np.zeros(len(chosen), dtype=np.int64)
    r_net = np.zeros(len(chosen), dtype=np.int64)
    full = np.zeros(len(chosen), dtype=np.int64)
    if len(chosen):
        firsts = _firsts(size[r_target])
        r_gross = np.add.reduceat(share_gross, firsts)
        r_net = np.add.reduceat(share_net, firsts)
        full = np.add.reduceat((after == line_quantity).astype(np.int64), firsts)
    order_first_row = starts[r_target]
    return (
        refund_rows,
        order_number[r_target],
        ev.second[r_target],
        r_gross,
        r_net,
        np.where(cancelling, np.maximum(c.shipping[order_first_row], 0), 0),
        np.where(cancelling, np.maximum(c.tax[order_first_row], 0), 0),
        full == size[r_target],
        before,
        after,
        np.concatenate([[0], np.cumsum(size[r_target])]).astype(np.int64),
    )


def _returned(
    returns: Returns, query: IntArray, at_position: IntArray, span: int
) -> tuple[IntArray, IntArray]:
    """Units of each ``query`` (order, sku) group returned before and up to ``at_position``.

    The units returned by the refunds of the order before the refund at ``at_position`` (in
    evaluation order), and with it.
    """
    found_dense, has = _dense_of(np.unique(returns.group), query)
    by_time = returns.by_time
    time_key = returns.dense[by_time] * span + returns.position[by_time]
    sorted_total = np.concatenate([[0], returns.cumulative[by_time]])
    after_units = np.where(
        has,
        sorted_total[np.searchsorted(time_key, found_dense * span + at_position, side="right")],
        0,
    )
    before_units = np.where(
        has,
        sorted_total[np.searchsorted(time_key, found_dense * span + at_position, side="left")],
        0,
    )
    # a cumulative total from an earlier group is not this one's
    group_of_sorted = np.concatenate([[-1], returns.dense[by_time]])
    after_units = np.where(
        group_of_sorted[np.searchsorted(time_key, found_dense * span + at_position, side="right")]
        == found_dense,
        after_units,
        0,
    )
    before_units = np.where(
        group_of_sorted[np.searchsorted(time_key, found_dense * span + at_position, side="left")]
        == found_dense,
        before_units,
        0,
    )
    return before_units, after_units


def _dense_of(values: IntArray, query: IntArray) -> tuple[IntArray, BoolArray]:
    """Each query's index in the sorted ``values``, and whether it is there."""
    if not len(values):
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
    spot = np.minimum(np.searchsorted(values, query), len(values) - 1)
    return spot.astype(np.int64), values[spot] == query
