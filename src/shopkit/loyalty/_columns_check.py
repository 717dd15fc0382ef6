"""The validation of ``LedgerColumns``: the refusals, and the checks ``read_columns`` makes.

Everything is checked on numpy arrays. A refusal is a ``ValidationError`` whose field names the
column and the row (``order[17]``), whose value is the cell and whose message names the event.
``check_rows`` refuses the rows one check after another (the first bad row of the first check
failing); ``check_ledger`` applies the rules of ``Ledger.extend``, the first refusal in
evaluation order (``evaluation_order``) winning (``_columns_refunds.check_refunds`` the rule
that no refund returns more than is left of its order, the same way).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from shopkit import ValidationError
from shopkit.loyalty._columns import (
    _ADJUST_K,
    _BIRTHDAY_K,
    _ORDER_K,
    _REDEEM_K,
    _REFERRAL_K,
    _REFUND_K,
    _REVIEW_K,
    _VOCABULARIES,
    KINDS,
    BoolArray,
    IntArray,
    LedgerColumns,
    _tie_break,
)

__all__ = ["Evaluation", "Named", "Runs", "check_ledger", "check_rows", "evaluation_order"]

_MAX_POINTS = 10_000_000
_MAX_LINE = 1 << 50  # a line's total in minor units, far beyond any order
_MAX_MICROS = 1 << 58  # beyond year 9999
_NAMES = ("order", "refund", "sign-up", "referral", "review", "birthday", "adjustment")
_TITLES = (*_NAMES, "redemption")


class _Refusals:
    """The refusals found, each at an event's position in evaluation order; the first wins."""

    def __init__(self, columns: LedgerColumns, first: IntArray, position: IntArray) -> None:
        """No refusals yet; ``first`` is each event's first row, ``position`` its place."""
        self.columns = columns
        self.first = first
        self.position = position
        # (position, the check's number, row, column, message): at one event, the first check
        self.found: list[tuple[int, int, int, str, str]] = []

    def add(self, bad: BoolArray, events: IntArray, column: str, say: Any) -> None:
        """Refuse the events ``events[bad]`` (``say(event)`` gives the message)."""
        chosen = events[bad]
        if len(chosen):
            event = int(chosen[np.argmin(self.position[chosen])])
            self.found.append(
                (
                    int(self.position[event]),
                    len(self.found),
                    int(self.first[event]),
                    column,
                    say(event),
                )
            )

    def raise_first(self) -> None:
        """Raise the first refusal in evaluation order, if any."""
        if self.found:
            _, _, row, column, message = min(self.found)
            raise _error(self.columns, row, column, message)


def _value(columns: LedgerColumns, row: int, column: str) -> object:
    """A cell, decoded when it is a string's code."""
    code = int(getattr(columns, column)[row])
    vocabulary = {
        "event": columns.ids,
        "order": columns.ids,
        "customer": columns.customers,
        "referred": columns.customers,
        "sku": columns.skus,
        "category": columns.categories,
        "reason": columns.reasons,
    }.get(column)
    if vocabulary is not None and 0 <= code < len(vocabulary):
        return vocabulary[code]
    return code


def _error(columns: LedgerColumns, row: int, column: str, message: str) -> ValidationError:
    """The refusal of cell ``column[row]``: the message names the row and its event."""
    kind = int(columns.kind[row])
    code = int(columns.event[row])
    what = _TITLES[kind] if 0 <= kind < len(_TITLES) else "event"
    name = columns.ids[code] if 0 <= code < len(columns.ids) else code
    return ValidationError(
        f"row {row}, {what} {name!r}: {message}",
        field=f"{column}[{row}]",
        value=_value(columns, row, column),
    )


def _refuse_rows(columns: LedgerColumns, bad: BoolArray, column: str, say: str) -> None:
    """Refuse the first ``bad`` row (``say`` is formatted with the cell as ``value``)."""
    rows = np.flatnonzero(bad)
    if len(rows):
        row = int(rows[0])
        raise _error(columns, row, column, say.format(value=_value(columns, row, column)))


def _check_vocabularies(columns: LedgerColumns) -> IntArray | None:
    """Refuse a word that is not a non-empty string, or listed twice (but for ids).

    Returns the ids' codes mapped to the first of each id written twice (``None``: none).
    """
    canonical = None
    for name in _VOCABULARIES:
        words = getattr(columns, name)
        try:  # str.strip in C over every word: fast, and a TypeError for a non-string
            good = all(map(str.strip, words))
        except TypeError:
            good = False
        if not good:
            bad = next(w for w in words if not (type(w) is str and w.strip()))
            raise ValidationError(
                f"{bad!r} is not a non-empty string", field=f"columns.{name}", value=repr(bad)
            )
        if len(set(words)) == len(words):
            continue
        if name != "ids":
            twice = next(w for n, w in enumerate(words) if w in words[:n])
            raise ValidationError(
                f"{twice!r} is listed twice", field=f"columns.{name}", value=twice
            )
        first: dict[str, int] = {}
        canonical = np.array(
            [first.setdefault(word, n) for n, word in enumerate(words)], dtype=np.int64
        )
    return canonical


class Runs(NamedTuple):
    """The events of the columns: runs of rows with one id."""

    starts: IntArray  # each event's first row
    size: IntArray  # each event's number of rows
    owner: IntArray  # each row's event
    kind: IntArray  # each event's kind
    whole: BoolArray  # each row: a refund's row without a sku (the refund of a whole order)


def check_rows(columns: LedgerColumns) -> Runs:
    """Refuse the first row out of range, or not of a piece with its event; the events.

    The checks of the codes, kinds and moments, then of the rows of each event, then of each
    kind's cells, in that order; then of the number of events.
    """
    c = columns
    _check_codes(c)
    # the events: runs of rows with one id
    starts = np.flatnonzero(np.concatenate([[True], c.event[1:] != c.event[:-1]]))
    count = len(starts)
    size = np.diff(np.append(starts, len(c)))
    owner = np.repeat(np.arange(count, dtype=np.int64), size)
    for column in ("kind", "customer", "at", "referred", "order", "points", "reason"):
        values = getattr(c, column)
        _refuse_rows(
            c, values != values[starts][owner], column, "{value} differs from the event's first row"
        )
    kind = c.kind[starts]
    lined = (kind == _ORDER_K) | (kind == _REFUND_K)
    _refuse_rows(c, ~lined[owner] & (size[owner] > 1), "event", "{value!r} has more than one row")
    whole = _check_lines(c, kind[owner], size[owner], starts[owner])
    _check_other_kinds(c, kind[owner])
    if count > 10_000_000:
        raise ValidationError(f"{count} events at once", field="event", value=count)
    return Runs(starts, size, owner, kind, whole)


def _check_codes(c: LedgerColumns) -> None:
    """Refuse a code out of its vocabulary, a kind that is not one, a moment out of range."""
    sizes = {
        "event": len(c.ids),
        "customer": len(c.customers),
        "referred": len(c.customers),
        "order": len(c.ids),
        "sku": len(c.skus),
        "category": len(c.categories),
        "reason": len(c.reasons),
    }
    for column, limit in sizes.items():
        values = getattr(c, column)
        low = 0 if column == "event" else -1
        _refuse_rows(c, (values < low) | (values >= limit), column, "{value} is not a code")
    _refuse_rows(c, (c.kind < 0) | (c.kind >= len(KINDS)), "kind", "{value} is not a kind")
    _refuse_rows(c, np.abs(c.at) >= _MAX_MICROS, "at", "{value} is not a moment")


def _check_lines(
    c: LedgerColumns, row_kind: IntArray, row_size: IntArray, start: IntArray
) -> BoolArray:
    """Refuse bad order lines and refund lines (by each row's event's kind, rows and first row).

    Returns the rows of refunds of a whole order (a refund's row without a sku).
    """
    is_line = row_kind == _ORDER_K
    for column in ("shipping", "tax"):
        values = getattr(c, column)
        _refuse_rows(c, is_line & (values != values[start]), column, "{value} differs")
        _refuse_rows(c, is_line & (values < -1), column, "{value} is negative")
    _refuse_rows(c, is_line & (c.sku < 0), "sku", "an order line without a sku")
    _refuse_rows(c, is_line & (c.quantity < 1), "quantity", "{value} is not a quantity")
    _refuse_rows(c, is_line & (c.unit < 0), "unit", "{value} is a negative price")
    big = is_line & (c.unit > _MAX_LINE // np.maximum(c.quantity, 1))
    _refuse_rows(c, big, "unit", "{value} times the quantity is too big an amount")
    gross_line = c.unit * c.quantity
    bad = is_line & ((c.discount < 0) | (c.discount > gross_line))
    _refuse_rows(c, bad, "discount", "{value} is not between 0 and the line's total")
    refund_row = row_kind == _REFUND_K
    _refuse_rows(c, refund_row & (c.order < 0), "order", "a refund names no order")
    whole: BoolArray = refund_row & (c.sku < 0)
    _refuse_rows(c, whole & (row_size > 1), "sku", "a refund line without a sku")
    _refuse_rows(c, refund_row & ~whole & (c.quantity < 1), "quantity", "{value} units")
    return whole


def _check_other_kinds(c: LedgerColumns, row_kind: IntArray) -> None:
    """Refuse the bad cells of reviews, referrals, adjustments, redemptions; no customer."""
    _refuse_rows(c, (row_kind == _REVIEW_K) & (c.order < 0), "order", "a review of no order")
    need_customer = row_kind != _REFUND_K
    _refuse_rows(c, need_customer & (c.customer < 0), "customer", "no customer")
    referral = row_kind == _REFERRAL_K
    _refuse_rows(c, referral & (c.referred < 0), "referred", "a referral of no one")
    _refuse_rows(
        c, referral & (c.referred == c.customer), "referred", "{value!r} refers themselves"
    )
    adjust = row_kind == _ADJUST_K
    bad = adjust & ((c.points == 0) | (np.abs(c.points) > _MAX_POINTS))
    _refuse_rows(c, bad, "points", "{value} is not a number of points other than 0")
    _refuse_rows(c, adjust & (c.reason < 0), "reason", "an adjustment without a reason")
    redeem = row_kind == _REDEEM_K
    bad = redeem & ((c.points < 1) | (c.points > _MAX_POINTS))
    _refuse_rows(c, bad, "points", "{value} is not a number of points")


class Evaluation(NamedTuple):
    """The events in evaluation order (moment, kind, id), and what it is computed from."""

    code: IntArray  # each event's id (the first code of an id written twice)
    order_code: IntArray  # the order each names, as ``code`` (``-1``: none)
    micro: IntArray  # each event's moment in microseconds
    key: IntArray  # moment and kind, the order of evaluation but for ids
    evaluation: IntArray  # the events in evaluation order
    position: IntArray  # each event's place in evaluation order
    second: IntArray  # each event's moment in whole seconds (as ``int(timestamp())``)


def evaluation_order(columns: LedgerColumns, runs: Runs, canonical: IntArray | None) -> Evaluation:
    """The order the events are evaluated in (and refused in): by moment, kind, then id."""
    c, starts, kind = columns, runs.starts, runs.kind
    code = c.event[starts] if canonical is None else canonical[c.event[starts]]
    order_code = c.order[starts]
    if canonical is not None:
        order_code = np.where(order_code >= 0, canonical[np.maximum(order_code, 0)], -1)
    micro = c.at[starts]
    key = micro * 8 + kind
    ids = c.ids
    evaluation = np.argsort(key, kind="stable")
    ordered = key[evaluation]
    evaluation = _tie_break(
        evaluation,
        ordered[1:] == ordered[:-1],
        lambda e: ids[code[e]],
        lambda e: int(key[e]),
    )
    position = np.empty(len(starts), dtype=np.int64)
    position[evaluation] = np.arange(len(starts))
    second = micro // 1_000_000
    second = np.where(micro < 0, -((-micro) // 1_000_000), second)  # as int(timestamp())
    return Evaluation(code, order_code, micro, key, evaluation, position, second)


def _later_twice(position: IntArray, groups: IntArray, chosen: IntArray) -> BoolArray:
    """Of ``chosen`` events, those with a group met before in evaluation order."""
    if len(np.unique(groups)) == len(groups):
        return np.zeros(len(chosen), dtype=bool)
    by = np.lexsort((position[chosen], groups))
    repeat = np.zeros(len(chosen), dtype=bool)
    repeat[by[1:]] = groups[by][1:] == groups[by][:-1]
    return repeat


class Named(NamedTuple):
    """What the events name, checked: the orders refunded, the customers referred."""

    customer: IntArray  # each event's customer (a refund's: its order's)
    refunds: IntArray  # the refunds (events)
    refund_order: IntArray  # the order each of ``refunds`` refunds (an event)
    referrals: IntArray  # the referrals (events)
    referred: IntArray  # each event's referred customer (``-1``: none)


def check_ledger(
    columns: LedgerColumns, runs: Runs, ev: Evaluation, canonical: IntArray | None
) -> Named:
    """Refuse the first event (in evaluation order) ``Ledger.extend`` would refuse.

    An id already in the ledger; a refund or a review of an order not in the ledger before it,
    or not its customer's, or placed after it; a customer referred twice; two birthdays of a
    customer in a calendar year (refunds of more than is left: ``check_refunds``). The
    ids written twice in ``columns.ids`` are mapped to their first by ``canonical``.
    """
    c, kind, code = columns, runs.kind, ev.code
    refusals = _Refusals(c, runs.starts, ev.position)
    ids, names = c.ids, c.customers
    everyone = np.arange(len(kind), dtype=np.int64)
    twice = (
        _later_twice(ev.position, code, everyone)
        if canonical is not None or np.bincount(code, minlength=len(ids)).max() > 1
        else np.zeros(len(kind), dtype=bool)
    )
    refusals.add(
        twice,
        everyone,
        "event",
        lambda e: f"id {ids[code[e]]!r} is already in the ledger",
    )
    customer = c.customer[runs.starts]
    naming, target, reviews = _check_orders_named(refusals, c, kind, customer, ev)
    referrals = np.flatnonzero(kind == _REFERRAL_K)
    referred = c.referred[runs.starts]
    refusals.add(
        _later_twice(ev.position, referred[referrals], referrals),
        referrals,
        "referred",
        lambda e: f"{names[referred[e]]!r} was already referred",
    )
    birthdays = np.flatnonzero(kind == _BIRTHDAY_K)
    year = ev.micro[birthdays].astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64)
    refusals.add(
        _later_twice(ev.position, customer[birthdays] * 100_000 + year, birthdays),
        birthdays,
        "at",
        lambda e: f"{names[customer[e]]!r} already has a birthday that year",
    )
    refusals.raise_first()
    refunds = naming[~reviews]
    refund_order = target[~reviews]
    refund_customer = customer[np.maximum(target, 0)[~reviews]]
    customer = customer.copy()
    customer[refunds] = refund_customer
    return Named(customer, refunds, refund_order, referrals, referred)


def _check_orders_named(
    refusals: _Refusals, c: LedgerColumns, kind: IntArray, customer: IntArray, ev: Evaluation
) -> tuple[IntArray, IntArray, BoolArray]:
    """Add the refusals of refunds and reviews of orders not in the ledger, or not theirs.

    Returns the refunds and reviews (events), the order each names (``-1``: none), and which
    of them are reviews.
    """
    ids, names, position, order_code = c.ids, c.customers, ev.position, ev.order_code
    orders = np.flatnonzero(kind == _ORDER_K)
    target_of = np.full(len(ids), -1, dtype=np.int64)
    latest_first = orders[np.argsort(-position[orders])]
    target_of[ev.code[latest_first]] = latest_first
    naming = np.flatnonzero((kind == _REFUND_K) | (kind == _REVIEW_K))
    target = target_of[order_code[naming]]
    unknown = (target < 0) | (position[np.maximum(target, 0)] > position[naming])
    refusals.add(
        unknown, naming, "order", lambda e: f"order {ids[order_code[e]]!r} is not in the ledger"
    )
    known = ~unknown
    target_safe = np.maximum(target, 0)
    owner_of = customer[target_safe]
    reviews = kind[naming] == _REVIEW_K
    refusals.add(
        known & reviews & (owner_of != customer[naming]),
        naming,
        "order",
        lambda e: f"order {ids[order_code[e]]!r} is not {names[customer[e]]!r}'s",
    )
    refusals.add(
        known & ~reviews & (customer[naming] >= 0) & (owner_of != customer[naming]),
        naming,
        "customer",
        lambda e: f"order {ids[order_code[e]]!r} is not {names[customer[e]]!r}'s",
    )
    refusals.add(
        known & (ev.second[naming] < ev.second[target_safe]),
        naming,
        "at",
        lambda e: f"it comes before order {ids[order_code[e]]!r}",
    )
    return naming, target, reviews
