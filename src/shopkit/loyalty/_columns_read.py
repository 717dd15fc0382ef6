"""The read of ``LedgerColumns``: the columns validated, then laid out for ``LedgerTable``.

``read_columns`` is the driver: the checks of ``_columns_check`` and ``_columns_refunds`` in
their order (so the refusal raised for bad input is the first), then the referral rewards the
events earn (``_credits``, as ``_ledger._credits`` gives them) and the table's rows, customer
by customer in evaluation order: the events (``_rows``, ``_values``), the orders (``_orders``)
and the refunds (``_columns_refunds.refund_table``), in ``_replay_layout``'s layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from shopkit import ValidationError
from shopkit.loyalty._columns import (
    _BIRTHDAY_K,
    _EPOCH,
    _MICROSECOND,
    _ORDER_K,
    _REDEEM_K,
    _REFERRAL_K,
    _REVIEW_K,
    _SIGN_UP_K,
    IntArray,
    LedgerColumns,
    _expand,
    _tie_break,
)
from shopkit.loyalty._columns_check import (
    Evaluation,
    Named,
    Runs,
    _check_vocabularies,
    _error,
    check_ledger,
    check_rows,
    evaluation_order,
)
from shopkit.loyalty._columns_refunds import (
    check_refunds,
    order_lines,
    refund_lines,
    refund_table,
)
from shopkit.loyalty._earning import BonusEvent
from shopkit.loyalty._engine import _ADJUST, _BONUS, _CREDIT, _ORDER, _REDEEM, _REFERRAL, _REFUND
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._referrals import Referral, ReferralReward, ReferralTrigger

__all__ = ["Read", "read_columns"]

_ENGINE = np.array([_ORDER, _REFUND, _BONUS, _REFERRAL, _BONUS, _BONUS, _ADJUST, _REDEEM])
_BONUS_CODE = {number: code for code, number in enumerate(BonusEvent)}
_BONUS_OF_KIND = np.zeros(8, dtype=np.int64)
_BONUS_OF_KIND[_SIGN_UP_K] = _BONUS_CODE[BonusEvent.SIGN_UP]
_BONUS_OF_KIND[_REVIEW_K] = _BONUS_CODE[BonusEvent.REVIEW]
_BONUS_OF_KIND[_BIRTHDAY_K] = _BONUS_CODE[BonusEvent.BIRTHDAY]


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
    canonical = _check_vocabularies(c)
    runs = check_rows(c)
    ev = evaluation_order(c, runs, canonical)
    named = check_ledger(c, runs, ev, canonical)
    lines = order_lines(c, runs, named)
    returns = refund_lines(c, runs, ev, named, lines)
    check_refunds(c, runs, ev, named, lines, returns)
    # every event's row(s) in the table: customer by customer, in evaluation order
    credit = _credits(
        programme, c, runs.kind, named.customer, named.referred, ev.micro, ev.code, ev.evaluation
    )
    customers, renumber = _customers(c.customers, named)
    rows = _rows(c, runs, ev, named, credit, renumber)
    engine, value, second = _values(c, runs, named, rows, credit.points, renumber)
    orders, order_number = _orders(c, runs, rows.event, engine)
    refunds = refund_table(c, runs, ev, named, lines, returns, (rows.event, engine, order_number))
    return Read(
        customers,
        (rows.customer, engine, second, value, rows.micro, _source_of(c, ev, rows, credit.ids)),
        orders,
        refunds,
        tuple(c.skus),
        tuple(c.categories),
        _overdraft_of(c, runs, ev, rows.event),
    )


class _Credits(NamedTuple):
    """The referral rewards: customer, moment (microseconds), points and id of each."""

    customer: IntArray
    micro: IntArray
    points: IntArray
    ids: list[str]


class _Rows(NamedTuple):
    """The table's rows, customer by customer in evaluation order (each with what it is).

    The rows are built as the events in evaluation order, then the referrals again (for the
    customers they refer), then the credits; ``layout`` gives each row's place among those.
    """

    layout: IntArray  # each row's place in the rows as built
    event: IntArray  # each row's event (``-1``: a credit)
    customer: IntArray  # each row's customer, as numbered in the table
    micro: IntArray  # each row's moment in microseconds
    rank: IntArray  # each row's kind (a credit: a referral's)
    first_credit: int  # the place of the first credit in the rows as built


def _customers(names: tuple[str, ...], named: Named) -> tuple[tuple[str, ...], IntArray]:
    """The table's customers (those with events, or referred), sorted, and their numbers.

    Returns the customers' names and, for each code of ``names``, its number (``-1``: none).
    """
    used = np.unique(np.concatenate([named.customer, named.referred[named.referrals]]))
    order_names = sorted(range(len(used)), key=lambda n: names[used[n]])
    renumber = np.full(len(names), -1, dtype=np.int64)
    renumber[used[order_names]] = np.arange(len(used))
    customers = tuple(names[used[n]] for n in order_names)
    return customers, renumber


def _rows(
    columns: LedgerColumns,
    runs: Runs,
    ev: Evaluation,
    named: Named,
    credit: _Credits,
    renumber: IntArray,
) -> _Rows:
    """Every event's row(s) in the table: customer by customer, in evaluation order.

    A referral has a row for the referrer and one for the referred; a credit comes before the
    events of its moment and kind, its id deciding among the referrals of that moment.
    """
    kind, count = runs.kind, len(runs.kind)
    evaluation, micro, position = ev.evaluation, ev.micro, ev.position
    customer, referrals, referred = named.customer, named.referrals, named.referred
    credit_customer, credit_micro, credit_ids = credit.customer, credit.micro, credit.ids
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
    credit_place = np.searchsorted(ev.key[evaluation], credit_micro * 8 + _REFERRAL_K, side="left")
    row_place = np.concatenate(
        [2 * position[evaluation] + 1, 2 * position[referrals] + 1, 2 * credit_place]
    )
    layout = np.argsort(row_customer * (2 * count + 2) + row_place, kind="stable")
    first_credit = len(evaluation) + len(referrals)
    if len(credit_customer):  # a credit at the moment of a referral: by id among them
        sorted_customer, sorted_key = row_customer[layout], row_key[layout]
        tied = (sorted_customer[1:] == sorted_customer[:-1]) & (sorted_key[1:] == sorted_key[:-1])
        tied &= row_rank[layout][1:] == _REFERRAL_K
        ids, code = columns.ids, ev.code

        def row_name(row: int) -> str:
            """The id of the event (or the credit) of row ``row`` as built."""
            event = int(row_event[row])
            return credit_ids[row - first_credit] if event < 0 else str(ids[code[event]])

        layout = _tie_break(
            layout,
            tied,
            row_name,
            lambda row: (int(row_customer[row]), int(row_key[row])),
        )
    return _Rows(
        layout,
        row_event[layout],
        row_customer[layout],
        row_micro[layout],
        row_rank[layout],
        first_credit,
    )


def _values(
    columns: LedgerColumns,
    runs: Runs,
    named: Named,
    rows: _Rows,
    credit_points: IntArray,
    renumber: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """Each row's engine kind, value and moment in whole seconds (``_Events``'s columns).

    The value: a credit's or a debit's points, a bonus's ``BonusEvent``, a referral's ``1``
    on the referrer's row (``0`` on the referred's), an order's or a refund's number among
    the table's orders or refunds.
    """
    row_event, row_micro, row_rank = rows.event, rows.micro, rows.rank
    is_credit = row_event < 0
    engine = np.where(is_credit, _CREDIT, _ENGINE[np.minimum(row_rank, 7)])
    value = np.zeros(len(rows.layout), dtype=np.int64)
    credit_rows = rows.layout[is_credit] - rows.first_credit
    value[is_credit] = credit_points[credit_rows]
    points = columns.points[runs.starts]
    with_points = ~is_credit & ((engine == _ADJUST) | (engine == _REDEEM))
    value[with_points] = points[row_event[with_points]]
    bonus = engine == _BONUS
    value[bonus] = _BONUS_OF_KIND[row_rank[bonus]]
    is_referral = engine == _REFERRAL
    value[is_referral] = (
        renumber[named.customer[row_event[is_referral]]] == rows.customer[is_referral]
    ).astype(np.int64)
    order_rows = np.flatnonzero(engine == _ORDER)
    value[order_rows] = np.arange(len(order_rows))
    refund_rows = np.flatnonzero(engine == _REFUND)
    value[refund_rows] = np.arange(len(refund_rows))
    row_second = np.where(row_micro < 0, -((-row_micro) // 1_000_000), row_micro // 1_000_000)
    return engine, value, row_second


def _orders(
    columns: LedgerColumns, runs: Runs, row_event: IntArray, engine: IntArray
) -> tuple[tuple[IntArray, ...], IntArray]:
    """The orders in the table's order, as ``_Orders``, and each event's number among them.

    The number is ``-1`` for an event that is not an order.
    """
    c, starts, size = columns, runs.starts, runs.size
    order_rows = np.flatnonzero(engine == _ORDER)
    order_event = row_event[order_rows]
    order_number = np.full(len(runs.kind), -1, dtype=np.int64)
    order_number[order_event] = np.arange(len(order_rows))
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


def _source_of(
    columns: LedgerColumns, ev: Evaluation, rows: _Rows, credit_ids: list[str]
) -> Callable[[int], str]:
    """The id of the event of each row of the table (a credit's own id), as a function."""
    ids, code = columns.ids, ev.code
    row_event, layout, first_credit_row = rows.event, rows.layout, rows.first_credit

    def source(row: int) -> str:
        """The id of the event (or the credit) of row ``row`` of the table."""
        event = int(row_event[row])
        if event < 0:
            return credit_ids[int(layout[row]) - first_credit_row]
        return str(ids[code[event]])

    return source


def _overdraft_of(
    columns: LedgerColumns, runs: Runs, ev: Evaluation, row_event: IntArray
) -> Callable[[IntArray, IntArray, IntArray], None]:
    """The refusal of the first debit a replay found short (``Read.overdraft``)."""
    c, starts, kind, position = columns, runs.starts, runs.kind, ev.position

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

    return overdraft


def _credits(
    programme: Programme,
    c: LedgerColumns,
    kind: IntArray,
    customer: IntArray,
    referred: IntArray,
    micro: IntArray,
    code: IntArray,
    evaluation: IntArray,
) -> _Credits:
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
        return _Credits(empty, empty, empty, [])
    ids = c.ids
    triggers = _triggers(wanted, c, kind, customer, referred, micro, evaluation, referrals)
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
    return _Credits(
        np.array(out_customer, dtype=np.int64),
        np.array(out_micro, dtype=np.int64),
        np.array(out_points, dtype=np.int64),
        out_ids,
    )


def _triggers(
    wanted: set[ReferralTrigger],
    c: LedgerColumns,
    kind: IntArray,
    customer: IntArray,
    referred: IntArray,
    micro: IntArray,
    evaluation: IntArray,
    referrals: IntArray,
) -> list[tuple[int, int, list[ReferralTrigger]]]:
    """The events that may trigger a referral reward, in evaluation order.

    Each: the event (a referred customer's order or sign-up, at or after the referral's
    second), the referral, and the triggers it is (of those ``wanted``).
    """
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
    return triggers
