"""A ledger stored as columns (one row per event line), read into a ``LedgerTable`` directly.

``LedgerColumns`` is the layout a shop keeps in Parquet or a warehouse table: parallel integer
arrays, one row per line of an order or a refund and one row per other event, with every
string dictionary-encoded (a code into a vocabulary: ``ids``, ``customers``, ``skus``,
``categories``, ``reasons``). ``LedgerTable.from_columns(programme, columns)`` validates the
rows the way ``Ledger`` validates events — on numpy arrays, not event by event — and lays them
out for ``LedgerTable.statuses``; ``LedgerColumns.of(ledger)`` gives a ledger's columns (the
way back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import ValidationError
from shopkit.loyalty._earning import BonusEvent
from shopkit.loyalty._engine import _ADJUST, _BONUS, _CREDIT, _ORDER, _REDEEM, _REFERRAL, _REFUND
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
from shopkit.loyalty._ledger import Ledger
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._referrals import Referral, ReferralReward, ReferralTrigger

__all__ = ["KINDS", "LedgerColumns", "Read", "read_columns"]

IntArray = npt.NDArray[np.int64]
KINDS = ("order", "refund", "sign_up", "referral", "review", "birthday", "adjustment", "redemption")
"""The kind codes of ``LedgerColumns.kind``: an index into this, which is also the order events
of one moment are evaluated in."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_MAX_POINTS = 10_000_000
_MAX_LINE = 1 << 50  # a line's total in minor units, far beyond any order
_MAX_MICROS = 1 << 58  # beyond year 9999
_ORDER_K, _REFUND_K, _SIGN_UP_K, _REFERRAL_K, _REVIEW_K, _BIRTHDAY_K, _ADJUST_K, _REDEEM_K = range(
    8
)
_ENGINE = np.array([_ORDER, _REFUND, _BONUS, _REFERRAL, _BONUS, _BONUS, _ADJUST, _REDEEM])
_BONUS_CODE = {number: code for code, number in enumerate(BonusEvent)}
_BONUS_OF_KIND = np.zeros(8, dtype=np.int64)
_BONUS_OF_KIND[_SIGN_UP_K] = _BONUS_CODE[BonusEvent.SIGN_UP]
_BONUS_OF_KIND[_REVIEW_K] = _BONUS_CODE[BonusEvent.REVIEW]
_BONUS_OF_KIND[_BIRTHDAY_K] = _BONUS_CODE[BonusEvent.BIRTHDAY]
_NAMES = ("order", "refund", "sign-up", "referral", "review", "birthday", "adjustment")
_TITLES = (*_NAMES, "redemption")


def _ints(value: Any) -> IntArray:
    array = np.asarray(value)
    if array.dtype.kind == "M":  # datetime64: to microseconds, exactly
        micro = array.astype("datetime64[us]")
        if np.any(micro.astype(array.dtype) != array):
            raise ValidationError(
                "a moment finer than a microsecond", field="at", value=str(array.dtype)
            )
        array = micro.astype(np.int64)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise ValidationError(
            f"a column of {array.dtype} with {array.ndim} dimensions is not integers",
            field="columns",
            value=str(array.dtype),
        )
    return array.astype(np.int64)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(eq=False)
class LedgerColumns:
    """A ledger's events as columns: one row per order line, per refund line, per other event.

    Strings are codes into the vocabularies (``-1``: none). Every row of an event shares its
    ``event``, ``kind``, ``customer``, ``at``, ``order``, ``referred``, ``points``, ``reason``,
    ``shipping`` and ``tax``; the rows of an event are next to each other.

    Attributes:
        currency: The currency of every amount (the programme's).
        ids: The event ids (and the order ids refunds, reviews and redemptions name).
        customers: The customer ids.
        skus: The skus.
        categories: The categories of skus.
        reasons: The reasons of adjustments.
        event: The event's id (into ``ids``); an order's lines share the order's id.
        kind: The event's kind, an index into ``LedgerColumns.KINDS``: ``0`` order, ``1``
            refund, ``2`` sign-up, ``3`` referral, ``4`` review, ``5`` birthday, ``6``
            adjustment, ``7`` redemption.
        customer: Whose (into ``customers``): a referral's referrer; ``-1`` on a refund for
            its order's customer.
        at: When, in microseconds since 1970-01-01 UTC (or a ``datetime64`` array).
        referred: A referral's referred customer (into ``customers``), else ``-1``.
        order: The order a refund, review or redemption names (into ``ids``), else ``-1``.
        sku: An order line's sku, or a refund line's (into ``skus``); ``-1`` on a refund of
            the whole order and on other events.
        category: An order line's category (into ``categories``), ``-1`` for none.
        quantity: The units of an order or refund line.
        unit: An order line's unit price in minor units.
        discount: An order line's discount in minor units.
        shipping: An order's shipping in minor units, ``-1`` where unknown.
        tax: An order's tax in minor units, ``-1`` where unknown.
        points: An adjustment's or a redemption's points.
        reason: An adjustment's reason (into ``reasons``).

    Examples:
        >>> from shopkit.loyalty import LedgerColumns, sample_ledger_events
        >>> columns = LedgerColumns.of(sample_ledger_events(), currency="GBP")
        >>> len(columns), columns.customers
        (30, ('ana', 'ben', 'cy'))
    """

    KINDS: ClassVar[tuple[str, ...]] = KINDS
    """The kinds by code (their ``type`` in JSON), in the order events of a moment are evaluated."""

    currency: str
    ids: tuple[str, ...] = attrs.field(converter=_names, repr=False)
    customers: tuple[str, ...] = attrs.field(converter=_names)
    skus: tuple[str, ...] = attrs.field(converter=_names, repr=False)
    categories: tuple[str, ...] = attrs.field(converter=_names, repr=False)
    reasons: tuple[str, ...] = attrs.field(converter=_names, repr=False)
    event: IntArray = attrs.field(converter=_ints, repr=False)
    kind: IntArray = attrs.field(converter=_ints, repr=False)
    customer: IntArray = attrs.field(converter=_ints, repr=False)
    at: IntArray = attrs.field(converter=_ints, repr=False)
    referred: IntArray = attrs.field(converter=_ints, repr=False)
    order: IntArray = attrs.field(converter=_ints, repr=False)
    sku: IntArray = attrs.field(converter=_ints, repr=False)
    category: IntArray = attrs.field(converter=_ints, repr=False)
    quantity: IntArray = attrs.field(converter=_ints, repr=False)
    unit: IntArray = attrs.field(converter=_ints, repr=False)
    discount: IntArray = attrs.field(converter=_ints, repr=False)
    shipping: IntArray = attrs.field(converter=_ints, repr=False)
    tax: IntArray = attrs.field(converter=_ints, repr=False)
    points: IntArray = attrs.field(converter=_ints, repr=False)
    reason: IntArray = attrs.field(converter=_ints, repr=False)

    def __attrs_post_init__(self) -> None:
        rows = len(self.event)
        for name in _COLUMNS:
            if len(getattr(self, name)) != rows:
                raise ValidationError(
                    f"{len(getattr(self, name))} rows, the event column has {rows}",
                    field=name,
                    value=len(getattr(self, name)),
                )

    def __len__(self) -> int:
        return len(self.event)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LedgerColumns):
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name) for name in ("currency", *_VOCABULARIES)
        ) and all(np.array_equal(getattr(self, name), getattr(other, name)) for name in _COLUMNS)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def of(
        cls, events: Ledger | Iterable[LedgerEvent], *, currency: str | None = None
    ) -> LedgerColumns:
        """The columns of a ledger's events (in evaluation order), or of any events.

        Args:
            events: A ``Ledger`` or ledger events (of the built-in kinds).
            currency: The currency of the amounts; a ledger's programme's by default, else
                the first order's.

        Raises:
            ValidationError: an event is not of a built-in kind, or an order not in
                ``currency``.
        """
        if isinstance(events, Ledger):
            currency = currency or events.programme.currency
            chosen = list(events.events())
        else:
            chosen = list(events)
        vocab: dict[str, dict[str, int]] = {name: {} for name in _VOCABULARIES}

        def code(name: str, value: str | None) -> int:
            if value is None:
                return -1
            return vocab[name].setdefault(value, len(vocab[name]))

        owners = {e.order.id: e.order.customer for e in chosen if isinstance(e, OrderPlaced)}
        rows: list[tuple[int, ...]] = []
        for position, event in enumerate(chosen):
            micro = (event.moment - _EPOCH) // _MICROSECOND
            me = code("ids", event.event_id)
            if isinstance(event, OrderPlaced):
                order = event.order
                currency = currency or order.currency
                if order.currency != currency:
                    raise ValidationError(
                        f"the order is in {order.currency}, the columns in {currency}",
                        field=f"events[{position}].order.currency",
                        value=order.currency,
                    )
                who = code("customers", order.customer)
                shipping = -1 if order.shipping is None else order.shipping.minor
                tax = -1 if order.tax is None else order.tax.minor
                for line in order.lines:
                    assert line.unit_price is not None
                    assert line.discount is not None
                    category = code("categories", event.categories.get(line.sku))
                    sku = code("skus", line.sku)
                    price, discount = line.unit_price.minor, line.discount.minor
                    rows.append(
                        (me, _ORDER_K, who, micro, -1, -1, sku, category, line.quantity, price)
                    )
                    rows[-1] = (*rows[-1], discount, shipping, tax, 0, -1)
                continue
            if type(event) not in _KIND_OF:
                raise ValidationError(
                    f"{type(event).__name__} is not a kind the columns hold",
                    field=f"events[{position}]",
                    value=event.event_id,
                )
            kind = _KIND_OF[type(event)]
            if isinstance(event, Refund):
                target = code("ids", event.order)
                who = code("customers", owners.get(event.order))
                for part in event.lines or (None,):
                    sku = -1 if part is None else code("skus", part.sku)
                    units = 0 if part is None else part.quantity
                    rows.append((me, kind, who, micro, -1, target, sku, -1, units, *_NOTHING))
                continue
            who = code("customers", getattr(event, "referrer", None) or event.customers[0])
            referred = code("customers", event.referred) if isinstance(event, Referred) else -1
            target = code("ids", getattr(event, "order", None))
            points = getattr(event, "points", 0)
            reason = code("reasons", getattr(event, "reason", None))
            rows.append(
                (me, kind, who, micro, referred, target, -1, -1, 0, 0, 0, -1, -1, points, reason)
            )
        table = np.array(rows, dtype=np.int64).reshape(-1, len(_COLUMNS))
        return cls(
            currency or "",
            *(tuple(vocab[name]) for name in _VOCABULARIES),
            *(table[:, number] for number in range(len(_COLUMNS))),
        )


_VOCABULARIES = ("ids", "customers", "skus", "categories", "reasons")
_COLUMNS = (
    "event",
    "kind",
    "customer",
    "at",
    "referred",
    "order",
    "sku",
    "category",
    "quantity",
    "unit",
    "discount",
    "shipping",
    "tax",
    "points",
    "reason",
)
_NOTHING = (0, 0, -1, -1, 0, -1)
_KIND_OF: dict[type, int] = {
    Refund: _REFUND_K,
    SignUp: _SIGN_UP_K,
    Referred: _REFERRAL_K,
    Review: _REVIEW_K,
    Birthday: _BIRTHDAY_K,
    Adjustment: _ADJUST_K,
    Redeemed: _REDEEM_K,
}


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
    refusals = _Refusals(c, starts, position)
    everyone = np.arange(count, dtype=np.int64)

    def later_twice(groups: IntArray, chosen: IntArray) -> npt.NDArray[np.bool_]:
        """Of ``chosen`` events, those with a group met before in evaluation order."""
        if len(np.unique(groups)) == len(groups):
            return np.zeros(len(chosen), dtype=bool)
        by = np.lexsort((position[chosen], groups))
        repeat = np.zeros(len(chosen), dtype=bool)
        repeat[by[1:]] = groups[by][1:] == groups[by][:-1]
        return repeat

    twice = (
        later_twice(code, everyone)
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
        later_twice(referred[referrals], referrals),
        referrals,
        "referred",
        lambda e: f"{names[referred[e]]!r} was already referred",
    )
    birthdays = np.flatnonzero(kind == _BIRTHDAY_K)
    year = micro[birthdays].astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64)
    refusals.add(
        later_twice(customer[birthdays] * 100_000 + year, birthdays),
        birthdays,
        "at",
        lambda e: f"{names[customer[e]]!r} already has a birthday that year",
    )
    refusals.raise_first()
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
    table_refunds = (
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
    first_credit_row = len(evaluation) + len(referrals)

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

    return Read(
        customers,
        (row_customer, engine, row_second, value, row_micro, source),
        table_orders,
        table_refunds,
        tuple(c.skus),
        tuple(c.categories),
        overdraft,
    )


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
