"""Checking ledger columns on arrays, stage by stage, as ``Ledger`` checks events one by one.

Each stage takes what the ones before found and refuses the first bad cell with a
``ValidationError`` naming the column, the row and the value (``_error``): the rows one by one
(``check_rows``), the evaluation order (``evaluation_order``), what events name (ids met twice,
orders not in the ledger, a review or refund of another customer's order, referrals and
birthdays met twice: ``check_references``); the units refunds return are ``_columns_refunds``'.
Where several events are bad, the first in evaluation order is
refused, as the ledger refuses it (``_Refusals``). ``_columns_read`` drives the stages.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from shopkit import ValidationError
from shopkit.loyalty._columns import (
    _ADJUST_K,
    _BIRTHDAY_K,
    _MAX_LINE,
    _MAX_MICROS,
    _MAX_POINTS,
    _ORDER_K,
    _REDEEM_K,
    _REFERRAL_K,
    _REFUND_K,
    _REVIEW_K,
    _TITLES,
    _VOCABULARIES,
    KINDS,
    IntArray,
    LedgerColumns,
)

__all__ = [
    "Evaluation",
    "Events",
    "References",
    "check_references",
    "check_rows",
    "evaluation_order",
]

BoolArray = npt.NDArray[np.bool_]


class _Refusals:
    """The refusals found, each at an event's position in evaluation order; the first wins."""

    def __init__(self, columns: LedgerColumns, first: IntArray, position: IntArray) -> None:
        self.columns = columns
        self.first = first
        self.position = position
        # (position, the check's number, row, column, message): at one event, the first check
        self.found: list[tuple[int, int, int, str, str]] = []

    def add(self, bad: npt.NDArray[np.bool_], events: IntArray, column: str, say: Any) -> None:
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
    kind = int(columns.kind[row])
    code = int(columns.event[row])
    what = _TITLES[kind] if 0 <= kind < len(_TITLES) else "event"
    name = columns.ids[code] if 0 <= code < len(columns.ids) else code
    return ValidationError(
        f"row {row}, {what} {name!r}: {message}",
        field=f"{column}[{row}]",
        value=_value(columns, row, column),
    )


def _refuse_rows(columns: LedgerColumns, bad: npt.NDArray[np.bool_], column: str, say: str) -> None:
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


def _tie_break(order: IntArray, tied: npt.NDArray[np.bool_], name: Any, key: Any) -> IntArray:
    """Sort the runs of ``order`` whose neighbours are ``tied`` (equal keys) by ``name``."""
    if not tied.any():
        return order
    involved = np.flatnonzero(np.concatenate([tied, [False]]) | np.concatenate([[False], tied]))
    items = [(key(int(e)), name(int(e)), int(e)) for e in order[involved].tolist()]
    items.sort()
    result = order.copy()
    result[involved] = [item[2] for item in items]
    return result


def _later_twice(position: IntArray, groups: IntArray, chosen: IntArray) -> BoolArray:
    """Of ``chosen`` events, those with a group met before in evaluation order (``position``)."""
    if len(np.unique(groups)) == len(groups):
        return np.zeros(len(chosen), dtype=bool)
    by = np.lexsort((position[chosen], groups))
    repeat = np.zeros(len(chosen), dtype=bool)
    repeat[by[1:]] = groups[by][1:] == groups[by][:-1]
    return repeat


def _firsts(sizes: IntArray) -> IntArray:
    """Where each of consecutive segments of ``sizes`` (each at least 1) starts."""
    return (np.cumsum(sizes) - sizes).astype(np.int64)


def _expand(first: IntArray, sizes: IntArray) -> IntArray:
    """``first[i], first[i] + 1, …`` (``sizes[i]`` of them), for every ``i``, in a row."""
    total = int(sizes.sum())
    owner = np.repeat(np.arange(len(first), dtype=np.int64), sizes)
    offsets = np.cumsum(sizes) - sizes
    return first[owner] + (np.arange(total, dtype=np.int64) - offsets[owner])


def _dense_of(values: IntArray, query: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Each query's index in the sorted ``values``, and whether it is there."""
    if not len(values):
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
    spot = np.minimum(np.searchsorted(values, query), len(values) - 1)
    return spot.astype(np.int64), values[spot] == query


class Events(NamedTuple):
    """The rows, checked one by one and grouped into events (runs of rows with one id)."""

    canonical: IntArray | None
    """The ids' codes mapped to the first of each id written twice (``None``: none twice)."""
    starts: IntArray
    """Each event's first row."""
    size: IntArray
    """Each event's rows."""
    owner: IntArray
    """Each row's event."""
    kind: IntArray
    """Each event's kind code."""
    customer: IntArray
    """Each event's customer code (-1: none, a refund)."""
    refund_row: BoolArray
    """The rows of refunds."""
    whole: BoolArray
    """The rows of refunds without lines (cancellations)."""


def check_rows(c: LedgerColumns) -> Events:
    """Refuse a bad cell, row by row; group the rows into events."""
    canonical = _check_vocabularies(c)
    rows = len(c)
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
    # the events: runs of rows with one id
    starts = np.flatnonzero(np.concatenate([[True], c.event[1:] != c.event[:-1]]))
    count = len(starts)
    size = np.diff(np.append(starts, rows))
    owner = np.repeat(np.arange(count, dtype=np.int64), size)
    for column in ("kind", "customer", "at", "referred", "order", "points", "reason"):
        values = getattr(c, column)
        _refuse_rows(
            c, values != values[starts][owner], column, "{value} differs from the event's first row"
        )
    kind = c.kind[starts]
    lined = (kind == _ORDER_K) | (kind == _REFUND_K)
    _refuse_rows(c, ~lined[owner] & (size[owner] > 1), "event", "{value!r} has more than one row")
    # order lines
    is_line = kind[owner] == _ORDER_K
    for column in ("shipping", "tax"):
        values = getattr(c, column)
        _refuse_rows(c, is_line & (values != values[starts][owner]), column, "{value} differs")
        _refuse_rows(c, is_line & (values < -1), column, "{value} is negative")
    _refuse_rows(c, is_line & (c.sku < 0), "sku", "an order line without a sku")
    _refuse_rows(c, is_line & (c.quantity < 1), "quantity", "{value} is not a quantity")
    _refuse_rows(c, is_line & (c.unit < 0), "unit", "{value} is a negative price")
    big = is_line & (c.unit > _MAX_LINE // np.maximum(c.quantity, 1))
    _refuse_rows(c, big, "unit", "{value} times the quantity is too big an amount")
    gross_line = c.unit * c.quantity
    bad = is_line & ((c.discount < 0) | (c.discount > gross_line))
    _refuse_rows(c, bad, "discount", "{value} is not between 0 and the line's total")
    refund_row = kind[owner] == _REFUND_K
    _refuse_rows(c, refund_row & (c.order < 0), "order", "a refund names no order")
    whole = refund_row & (c.sku < 0)
    _refuse_rows(c, whole & (size[owner] > 1), "sku", "a refund line without a sku")
    _refuse_rows(c, refund_row & ~whole & (c.quantity < 1), "quantity", "{value} units")
    _refuse_rows(c, (kind[owner] == _REVIEW_K) & (c.order < 0), "order", "a review of no order")
    customer = c.customer[starts]
    need_customer = kind != _REFUND_K
    _refuse_rows(c, need_customer[owner] & (c.customer < 0), "customer", "no customer")
    referral = kind[owner] == _REFERRAL_K
    _refuse_rows(c, referral & (c.referred < 0), "referred", "a referral of no one")
    _refuse_rows(
        c, referral & (c.referred == c.customer), "referred", "{value!r} refers themselves"
    )
    adjust = kind[owner] == _ADJUST_K
    bad = adjust & ((c.points == 0) | (np.abs(c.points) > _MAX_POINTS))
    _refuse_rows(c, bad, "points", "{value} is not a number of points other than 0")
    _refuse_rows(c, adjust & (c.reason < 0), "reason", "an adjustment without a reason")
    redeem = kind[owner] == _REDEEM_K
    bad = redeem & ((c.points < 1) | (c.points > _MAX_POINTS))
    _refuse_rows(c, bad, "points", "{value} is not a number of points")
    if count > 10_000_000:
        raise ValidationError(f"{count} events at once", field="event", value=count)
    return Events(canonical, starts, size, owner, kind, customer, refund_row, whole)


class Evaluation(NamedTuple):
    """The events in evaluation order (moment, kind, id), and what the order is built from."""

    code: IntArray
    """Each event's id code (the first of an id written twice)."""
    order_code: IntArray
    """The id code of the order each event names (-1: none)."""
    micro: IntArray
    """Each event's moment, in microseconds."""
    key: IntArray
    """Each event's moment and kind, as one number."""
    evaluation: IntArray
    """The events in evaluation order."""
    position: IntArray
    """Each event's place in evaluation order."""
    second: IntArray
    """Each event's moment in whole seconds, as ``int(timestamp())`` gives it."""


def evaluation_order(c: LedgerColumns, events: Events) -> Evaluation:
    """The evaluation order: moment, kind, then id for events of one moment and kind."""
    canonical, starts, kind = events.canonical, events.starts, events.kind
    count = len(starts)
    # evaluation order: moment, kind, id
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
    position = np.empty(count, dtype=np.int64)
    position[evaluation] = np.arange(count)
    second = micro // 1_000_000
    second = np.where(micro < 0, -((-micro) // 1_000_000), second)  # as int(timestamp())
    return Evaluation(code, order_code, micro, key, evaluation, position, second)


class References(NamedTuple):
    """What refunds, reviews and referrals name, checked."""

    naming: IntArray
    """The refunds and reviews."""
    target: IntArray
    """The order each of them names."""
    reviews: BoolArray
    """Which of them are reviews."""
    referrals: IntArray
    """The referrals."""
    referred: IntArray
    """Each event's referred customer code (-1: none)."""


def check_references(c: LedgerColumns, events: Events, ordered: Evaluation) -> References:
    """Refuse ids met twice and what names a wrong order, customer or year; the first of all.

    An id met twice, an order not in the ledger (or another customer's, or later), a customer
    referred twice and a second birthday in a year: the first in evaluation order is refused.
    """
    canonical, starts = events.canonical, events.starts
    kind, customer = events.kind, events.customer
    code, order_code, micro = ordered.code, ordered.order_code, ordered.micro
    position, second = ordered.position, ordered.second
    count = len(starts)
    ids = c.ids
    refusals = _Refusals(c, starts, position)
    everyone = np.arange(count, dtype=np.int64)

    twice = (
        _later_twice(position, code, everyone)
        if canonical is not None or np.bincount(code, minlength=len(ids)).max() > 1
        else np.zeros(count, dtype=bool)
    )
    refusals.add(
        twice,
        everyone,
        "event",
        lambda e: f"id {ids[code[e]]!r} is already in the ledger",
    )
    # orders, and what refunds and reviews name
    orders = np.flatnonzero(kind == _ORDER_K)
    target_of = np.full(len(ids), -1, dtype=np.int64)
    latest_first = orders[np.argsort(-position[orders])]
    target_of[code[latest_first]] = latest_first
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
    names = c.customers
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
        known & (second[naming] < second[target_safe]),
        naming,
        "at",
        lambda e: f"it comes before order {ids[order_code[e]]!r}",
    )
    referrals = np.flatnonzero(kind == _REFERRAL_K)
    referred = c.referred[starts]
    refusals.add(
        _later_twice(position, referred[referrals], referrals),
        referrals,
        "referred",
        lambda e: f"{names[referred[e]]!r} was already referred",
    )
    birthdays = np.flatnonzero(kind == _BIRTHDAY_K)
    year = micro[birthdays].astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64)
    refusals.add(
        _later_twice(position, customer[birthdays] * 100_000 + year, birthdays),
        birthdays,
        "at",
        lambda e: f"{names[customer[e]]!r} already has a birthday that year",
    )
    refusals.raise_first()
    return References(naming, target, reviews, referrals, referred)
