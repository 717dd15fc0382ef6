"""Ledger columns read into the parts of a ``LedgerTable``, after ``_columns_check``'s checks.

``read_columns`` runs the checks, then lays the events out customer by customer in evaluation
order with the referral rewards as credits (``_layout``), and builds the orders' and the
refunds' arrays (``_order_table``, ``_refund_table``) the replay reads (``_replay``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from shopkit import ValidationError
from shopkit.loyalty._columns import (
    _BONUS_OF_KIND,
    _ENGINE,
    _EPOCH,
    _MICROSECOND,
    _ORDER_K,
    _REDEEM_K,
    _REFERRAL_K,
    _SIGN_UP_K,
    IntArray,
    LedgerColumns,
)
from shopkit.loyalty._columns_check import (
    Evaluation,
    Events,
    References,
    _dense_of,
    _error,
    _expand,
    _firsts,
    _tie_break,
    check_references,
    check_rows,
    evaluation_order,
)
from shopkit.loyalty._columns_refunds import RefundUnits, check_refund_units
from shopkit.loyalty._engine import _ADJUST, _BONUS, _CREDIT, _ORDER, _REDEEM, _REFERRAL, _REFUND
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._referrals import Referral, ReferralReward, ReferralTrigger

__all__ = ["Read", "read_columns"]


class Read(NamedTuple):
    """Columns validated and laid out: the parts of a ``LedgerTable`` (``_replay``'s layout).

    ``overdraft`` refuses the first of the debits a replay of everything found short.
    """

    customers: tuple[str, ...]
    events: tuple[Any, ...]
    orders: tuple[IntArray, ...]
    refunds: tuple[Any, ...]
    skus: tuple[str, ...]
    categories: tuple[str, ...]
    overdraft: Callable[[IntArray, IntArray, IntArray], None]


def read_columns(programme: Programme, columns: LedgerColumns) -> Read | None:
    """Validate the columns and lay them out (see the module); ``None`` for no rows."""
    if not isinstance(programme, Programme):
        raise ValidationError(f"{programme!r} is not a Programme", field="programme", value=None)
    if not isinstance(columns, LedgerColumns):
        raise ValidationError(f"{columns!r} is not LedgerColumns", field="columns", value=None)
    c = columns
    if len(c) == 0:
        return None
    if c.currency != programme.currency:
        raise ValidationError(
            f"the columns are in {c.currency}, the programme in {programme.currency}",
            field="currency",
            value=c.currency,
        )
    events = check_rows(c)
    ordered = evaluation_order(c, events)
    references = check_references(c, events, ordered)
    units = check_refund_units(c, events, ordered, references)
    rows = _layout(programme, c, events, ordered, references, units)
    table_orders, order_number = _order_table(c, events, rows)
    table_refunds = _refund_table(c, events, ordered, units, rows, order_number)
    source, overdraft = _explain(c, events, ordered, rows)
    return Read(
        rows.customers,
        (rows.customer, rows.engine, rows.second, rows.value, rows.micro, source),
        table_orders,
        table_refunds,
        tuple(c.skus),
        tuple(c.categories),
        overdraft,
    )


class _Rows(NamedTuple):
    """The table's event rows, customer by customer in evaluation order, credits included."""

    customers: tuple[str, ...]
    """The customers, by name: the table's customer numbers index this."""
    event: IntArray
    """Each row's event (-1: a referral reward's credit)."""
    customer: IntArray
    """Each row's customer number."""
    micro: IntArray
    """Each row's moment, in microseconds."""
    second: IntArray
    """Each row's moment, in whole seconds."""
    engine: IntArray
    """Each row's kind, as the replay numbers them."""
    value: IntArray
    """Each row's value (points, a bonus code, an order's or a refund's number)."""
    layout: IntArray
    """Where each row came from, among the events, the referrals' rows and the credits."""
    credit_ids: list[str]
    """Each credit's id."""
    first_credit_row: int
    """Where the credits start, before ``layout``."""


def _layout(
    programme: Programme,
    c: LedgerColumns,
    events: Events,
    ordered: Evaluation,
    references: References,
    units: RefundUnits,
) -> _Rows:
    """Every event's row(s) in the table; the orders' and refunds' values are set later."""
    starts, kind, customer = events.starts, events.kind, units.customer
    code, micro, key = ordered.code, ordered.micro, ordered.key
    evaluation, position = ordered.evaluation, ordered.position
    referrals, referred = references.referrals, references.referred
    count = len(starts)
    ids = c.ids
    names = c.customers
    # every event's row(s) in the table: customer by customer, in evaluation order
    credit = _credits(programme, c, kind, customer, referred, micro, code, evaluation)
    credit_customer, credit_micro, credit_points, credit_ids = credit
    used = np.unique(np.concatenate([customer, referred[referrals]]))
    order_names = sorted(range(len(used)), key=lambda n: names[used[n]])
    renumber = np.full(len(names), -1, dtype=np.int64)
    renumber[used[order_names]] = np.arange(len(used))
    customers = tuple(names[used[n]] for n in order_names)
    row_event = np.concatenate([evaluation, referrals, np.full(len(credit_customer), -1)])
    row_customer = renumber[
        np.concatenate([customer[evaluation], referred[referrals], credit_customer])
    ]
    row_micro = np.concatenate([micro[evaluation], micro[referrals], credit_micro])
    row_rank = np.concatenate(
        [kind[evaluation], kind[referrals], np.full(len(credit_customer), _REFERRAL_K)]
    )
    row_key = row_micro * 8 + row_rank
    # each row's place in evaluation order: an event's, or (a credit) before the events of
    # its moment and kind, its id deciding among them below
    credit_place = np.searchsorted(key[evaluation], credit_micro * 8 + _REFERRAL_K, side="left")
    row_place = np.concatenate(
        [2 * position[evaluation] + 1, 2 * position[referrals] + 1, 2 * credit_place]
    )
    layout = np.argsort(row_customer * (2 * count + 2) + row_place, kind="stable")
    if len(credit_customer):  # a credit at the moment of a referral: by id among them
        sorted_customer, sorted_key = row_customer[layout], row_key[layout]
        tied = (sorted_customer[1:] == sorted_customer[:-1]) & (sorted_key[1:] == sorted_key[:-1])
        tied &= row_rank[layout][1:] == _REFERRAL_K
        first_credit = len(evaluation) + len(referrals)

        def row_name(row: int) -> str:
            event = int(row_event[row])
            return credit_ids[row - first_credit] if event < 0 else str(ids[code[event]])

        layout = _tie_break(
            layout,
            tied,
            row_name,
            lambda row: (int(row_customer[row]), int(row_key[row])),
        )
    row_event, row_customer, row_micro, row_rank = (
        row_event[layout],
        row_customer[layout],
        row_micro[layout],
        row_rank[layout],
    )
    is_credit = row_event < 0
    engine = np.where(is_credit, _CREDIT, _ENGINE[np.minimum(row_rank, 7)])
    value = np.zeros(len(layout), dtype=np.int64)
    credit_rows = layout[is_credit] - (len(evaluation) + len(referrals))
    value[is_credit] = credit_points[credit_rows]
    points = c.points[starts]
    with_points = ~is_credit & ((engine == _ADJUST) | (engine == _REDEEM))
    value[with_points] = points[row_event[with_points]]
    bonus = engine == _BONUS
    value[bonus] = _BONUS_OF_KIND[row_rank[bonus]]
    is_referral = engine == _REFERRAL
    value[is_referral] = (
        renumber[customer[row_event[is_referral]]] == row_customer[is_referral]
    ).astype(np.int64)
    row_second = np.where(row_micro < 0, -((-row_micro) // 1_000_000), row_micro // 1_000_000)
    first_credit_row = len(evaluation) + len(referrals)
    return _Rows(
        customers,
        row_event,
        row_customer,
        row_micro,
        row_second,
        engine,
        value,
        layout,
        credit_ids,
        first_credit_row,
    )


def _order_table(
    c: LedgerColumns, events: Events, rows: _Rows
) -> tuple[tuple[IntArray, ...], IntArray]:
    """The orders' arrays, in the table's order, and each event's order number (-1: none).

    Sets each order row's value to its number.
    """
    starts, size = events.starts, events.size
    engine, row_event, value = rows.engine, rows.event, rows.value
    count = len(starts)
    # the orders, in the table's order
    order_rows = np.flatnonzero(engine == _ORDER)
    order_event = row_event[order_rows]
    order_number = np.full(count, -1, dtype=np.int64)
    order_number[order_event] = np.arange(len(order_rows))
    value[order_rows] = np.arange(len(order_rows))
    line_first = np.concatenate([[0], np.cumsum(size[order_event])])
    lines = _expand(starts[order_event], size[order_event])
    line_gross = c.unit[lines] * c.quantity[lines]
    line_net = line_gross - c.discount[lines]
    gross = np.zeros(len(order_rows), dtype=np.int64)
    net = np.zeros(len(order_rows), dtype=np.int64)
    if len(order_rows):
        gross = np.add.reduceat(line_gross, line_first[:-1])
        net = np.add.reduceat(line_net, line_first[:-1])
    table_orders = (
        order_rows,
        gross,
        net,
        c.shipping[starts[order_event]],
        c.tax[starts[order_event]],
        line_first.astype(np.int64),
        line_net,
        c.quantity[lines],
        c.sku[lines],
        c.category[lines],
    )
    return table_orders, order_number


def _refund_table(
    c: LedgerColumns,
    events: Events,
    ordered: Evaluation,
    units: RefundUnits,
    rows: _Rows,
    order_number: IntArray,
) -> tuple[Any, ...]:
    """The refunds' arrays, in the table's order: units returned per line of the order.

    Sets each refund row's value to its number.
    """
    starts, size, whole = events.starts, events.size, events.whole
    position, second = ordered.position, ordered.second
    engine, row_event, value = rows.engine, rows.event, rows.value
    refunds, refund_order = units.refunds, units.refund_order
    refund_of_event, line_rows, prefix, skus = (
        units.refund_of_event,
        units.line_rows,
        units.prefix,
        units.skus,
    )
    r_group, dense, by_time = units.r_group, units.dense, units.by_time
    r_position, r_cumulative, span = units.r_position, units.r_cumulative, units.span
    # the refunds, in the table's order: units returned per line of the order
    refund_rows = np.flatnonzero(engine == _REFUND)
    chosen = refund_of_event[row_event[refund_rows]]
    value[refund_rows] = np.arange(len(refund_rows))
    r_target = refund_order[chosen]
    r_lines = _expand(starts[r_target], size[r_target])  # the rows of each one's order lines
    r_owner = np.repeat(np.arange(len(chosen)), size[r_target])
    line_index = np.searchsorted(line_rows, r_lines)  # the order line, among line_rows
    query = r_target[r_owner] * skus + c.sku[r_lines]
    at_position = position[refunds][chosen][r_owner]
    # units of the line's sku returned by the refunds of the order up to each refund
    found_dense, has = _dense_of(np.unique(r_group), query)
    time_key = dense[by_time] * span + r_position[by_time]
    sorted_total = np.concatenate([[0], r_cumulative[by_time]])
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
    group_of_sorted = np.concatenate([[-1], dense[by_time]])
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
    line_quantity = c.quantity[r_lines]
    line_prefix = prefix[line_index]
    before = np.clip(before_units - line_prefix, 0, line_quantity)
    after = np.clip(after_units - line_prefix, 0, line_quantity)
    cancelling = whole[starts[refunds[chosen]]]
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
        second[r_target],
        r_gross,
        r_net,
        np.where(cancelling, np.maximum(c.shipping[order_first_row], 0), 0),
        np.where(cancelling, np.maximum(c.tax[order_first_row], 0), 0),
        full == size[r_target],
        before,
        after,
        np.concatenate([[0], np.cumsum(size[r_target])]).astype(np.int64),
    )


def _explain(
    c: LedgerColumns, events: Events, ordered: Evaluation, rows: _Rows
) -> tuple[Callable[[int], str], Callable[[IntArray, IntArray, IntArray], None]]:
    """The id behind each table row, and the refusal of the first debit a replay found short."""
    starts, kind = events.starts, events.kind
    code, position = ordered.code, ordered.position
    row_event, layout, credit_ids = rows.event, rows.layout, rows.credit_ids
    first_credit_row = rows.first_credit_row
    ids = c.ids

    def source(row: int) -> str:
        event = int(row_event[row])
        if event < 0:
            return credit_ids[int(layout[row]) - first_credit_row]
        return str(ids[code[event]])

    def overdraft(debit_row: IntArray, want: IntArray, taken: IntArray) -> None:
        """Refuse the first debit found above what its customer could spend then.

        The debits are rows of the table's events: redemptions and negative adjustments.
        """
        failing = row_event[debit_row]
        event = int(failing[np.argmin(position[failing])])
        index = int(np.flatnonzero(failing == event)[0])
        what = "the redemption" if kind[event] == _REDEEM_K else "the adjustment"
        raise _error(
            c,
            int(starts[event]),
            "points",
            f"{what} of {int(want[index])} points is more than the "
            f"{int(taken[index])} available then",
        )

    return source, overdraft


def _credits(
    programme: Programme,
    c: LedgerColumns,
    kind: IntArray,
    customer: IntArray,
    referred: IntArray,
    micro: IntArray,
    code: IntArray,
    evaluation: IntArray,
) -> tuple[IntArray, IntArray, IntArray, list[str]]:
    """The referral rewards, as ``_ledger._credits`` gives them: customer, moment, points, id."""
    empty = np.zeros(0, dtype=np.int64)
    wanted = {
        rule.on
        for version in programme.versions
        for rule in version.referrals
        if isinstance(rule, Referral)
    }
    referrals = np.flatnonzero(kind == _REFERRAL_K)
    if not wanted or not len(referrals):
        return empty, empty, empty, []
    ids = c.ids
    second = np.where(micro < 0, -((-micro) // 1_000_000), micro // 1_000_000)
    start_of = np.full(len(c.customers), -1, dtype=np.int64)
    referral_of = np.full(len(c.customers), -1, dtype=np.int64)
    referral_of[referred[referrals]] = referrals
    start_of[referred[referrals]] = second[referrals]
    # the orders and sign-ups of referred customers, in evaluation order
    in_order = evaluation[np.isin(kind[evaluation], (_ORDER_K, _SIGN_UP_K))]
    in_order = in_order[referral_of[customer[in_order]] >= 0]
    who = customer[in_order]
    is_order = kind[in_order] == _ORDER_K
    first = np.zeros(len(in_order), dtype=bool)
    for chosen in (is_order, ~is_order):  # each customer's first order, first sign-up
        rows = np.flatnonzero(chosen)
        first[rows[np.unique(who[rows], return_index=True)[1]]] = True
    after = second[in_order] >= start_of[who]
    every = ReferralTrigger.EVERY_ORDER in wanted
    on_first = ReferralTrigger.FIRST_ORDER in wanted
    on_sign_up = ReferralTrigger.SIGN_UP in wanted
    chosen = after & ((is_order & (every | (first & on_first))) | (~is_order & first & on_sign_up))
    triggers: list[tuple[int, int, list[ReferralTrigger]]] = []
    for event, order, first_one in zip(
        in_order[chosen].tolist(), is_order[chosen].tolist(), first[chosen].tolist(), strict=True
    ):
        if not order:
            kinds = [ReferralTrigger.SIGN_UP]
        elif first_one:
            kinds = [ReferralTrigger.EVERY_ORDER, ReferralTrigger.FIRST_ORDER]
        else:
            kinds = [ReferralTrigger.EVERY_ORDER]
        triggers.append((event, int(referral_of[customer[event]]), kinds))
    rewarded: dict[int, set[int]] = {}
    out_customer: list[int] = []
    out_micro: list[int] = []
    out_points: list[int] = []
    out_ids: list[str] = []
    for event, referral, kinds in triggers:
        moment = _EPOCH + _MICROSECOND * int(micro[event])
        version = programme.version_at(moment)
        referrer, them = int(customer[referral]), int(referred[referral])
        for number, rule in enumerate(version.referrals):
            if not isinstance(rule, Referral) or rule.on not in kinds:
                continue
            done = rewarded.setdefault(referrer, set())
            if rule.cap is not None and them not in done and len(done) >= rule.cap:
                continue
            done.add(them)
            mine, theirs = rule.points()
            key = f"{ids[code[referral]]}:{ids[code[event]]}:{number}"
            for side, whose, points in (
                (ReferralReward.REFERRER, referrer, mine),
                (ReferralReward.REFERRED, them, theirs),
            ):
                if rule.reward in (side, ReferralReward.BOTH):
                    out_customer.append(whose)
                    out_micro.append(int(micro[event]))
                    out_points.append(points)
                    out_ids.append(f"{key}:{side.value}")
    return (
        np.array(out_customer, dtype=np.int64),
        np.array(out_micro, dtype=np.int64),
        np.array(out_points, dtype=np.int64),
        out_ids,
    )
