"""A ledger stored as columns (one row per event line), read into a ``LedgerTable`` directly.

``LedgerColumns`` is the layout a shop keeps in Parquet or a warehouse table: parallel integer
arrays, one row per line of an order or a refund and one row per other event, with every
string dictionary-encoded (a code into a vocabulary: ``ids``, ``customers``, ``skus``,
``categories``, ``reasons``). ``LedgerTable.from_columns(programme, columns)`` validates the
rows the way ``Ledger`` validates events — on numpy arrays, not event by event — and lays them
out for ``LedgerTable.statuses``; ``LedgerColumns.of(ledger)`` gives a ledger's columns (the
way back).

This module holds the data type and the helpers the reading shares; ``_columns_check`` holds
the validation of the columns (the refusals and the checks), ``_columns_refunds`` the refunds
(the units returned per order line, checked and laid out), ``_columns_read`` the read itself
(``read_columns``: the checks in their order, then the layout of the table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import ValidationError
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

__all__ = ["KINDS", "LedgerColumns"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
KINDS = ("order", "refund", "sign_up", "referral", "review", "birthday", "adjustment", "redemption")
"""The kind codes of ``LedgerColumns.kind``: an index into this, which is also the order events
of one moment are evaluated in."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_ORDER_K, _REFUND_K, _SIGN_UP_K, _REFERRAL_K, _REVIEW_K, _BIRTHDAY_K, _ADJUST_K, _REDEEM_K = range(
    8
)


def _ints(value: Any) -> IntArray:
    """A column as ``int64`` (a ``datetime64`` column in microseconds), refused if not integers."""
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
    """A vocabulary as a tuple (its words are checked by ``read_columns``)."""
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
        """Refuse a column whose length is not the event column's."""
        rows = len(self.event)
        for name in _COLUMNS:
            if len(getattr(self, name)) != rows:
                raise ValidationError(
                    f"{len(getattr(self, name))} rows, the event column has {rows}",
                    field=name,
                    value=len(getattr(self, name)),
                )

    def __len__(self) -> int:
        """The number of rows."""
        return len(self.event)

    def __eq__(self, other: object) -> bool:
        """Equal currency, vocabularies and columns (cell by cell)."""
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
            """``value``'s code in vocabulary ``name`` (a new word gets the next); ``-1``: none."""
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


def _firsts(sizes: IntArray) -> IntArray:
    """Where each of consecutive segments of ``sizes`` (each at least 1) starts."""
    return (np.cumsum(sizes) - sizes).astype(np.int64)


def _expand(first: IntArray, sizes: IntArray) -> IntArray:
    """``first[i], first[i] + 1, …`` (``sizes[i]`` of them), for every ``i``, in a row."""
    total = int(sizes.sum())
    owner = np.repeat(np.arange(len(first), dtype=np.int64), sizes)
    offsets = np.cumsum(sizes) - sizes
    return first[owner] + (np.arange(total, dtype=np.int64) - offsets[owner])


def _tie_break(order: IntArray, tied: BoolArray, name: Any, key: Any) -> IntArray:
    """Sort the runs of ``order`` whose neighbours are ``tied`` (equal keys) by ``name``."""
    if not tied.any():
        return order
    involved = np.flatnonzero(np.concatenate([tied, [False]]) | np.concatenate([[False], tied]))
    items = [(key(int(e)), name(int(e)), int(e)) for e in order[involved].tolist()]
    items.sort()
    result = order.copy()
    result[involved] = [item[2] for item in items]
    return result
