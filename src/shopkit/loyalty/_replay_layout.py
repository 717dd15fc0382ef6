"""The ledger laid out in columns for the columnar replay: events, orders and refunds as arrays.

``_columns`` turns the customers' compiled histories into the parallel ``int64`` arrays that
``LedgerTable`` holds (see ``_replay``); the rest are the small helpers both sides share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from shopkit.loyalty._badges import EventCount, MonthStreak, OrderCount
from shopkit.loyalty._compile import CompiledOrder
from shopkit.loyalty._earning import BonusEvent
from shopkit.loyalty._engine import (
    _ADJUST,
    _BONUS,
    _BONUSES,
    _CREDIT,
    _KINDS,
    _ORDER,
    _REDEEM,
    _REFERRAL,
    _REFUND,
    ByClass,
    History,
)
from shopkit.loyalty._events import OrderPlaced, Refund
from shopkit.loyalty._programme import Programme

IntArray = npt.NDArray[np.int64]
_DAY = 86_400
_NEVER = np.iinfo(np.int64).max // 4  # "no expiry", far beyond any moment
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_SAFE = 1 << 62
_BONUS_CODES = {kind: number for number, kind in enumerate(BonusEvent)}
_BONUS_OF_TYPE = ByClass({kind: _BONUS_CODES[bonus] for kind, bonus in _BONUSES.items()})
_BUILT_IN_BADGES = (OrderCount, EventCount, MonthStreak)


def _ints(values: Sequence[int]) -> IntArray:
    return np.array(values, dtype=np.int64)


def _moment(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=value)


def _micro(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


class _Events(NamedTuple):
    """Every event, in evaluation order, customer by customer.

    The customer index, the kind (``_engine`` codes, -1 for a kind never evaluated), the moment
    (seconds), a number per kind (order row, refund row, points, bonus code, 1 for the
    referrer of a referral), the moment in microseconds (for badges) and the id.
    """

    customer: IntArray
    kind: IntArray
    at: IntArray
    value: IntArray
    micro: IntArray
    source: Callable[[int], str]  # the id of the event of a row, when asked


class _Orders(NamedTuple):
    """Every order (rows) and its lines (``first``: the row of its first line)."""

    event: IntArray
    gross: IntArray
    net: IntArray
    shipping: IntArray
    tax: IntArray
    first: IntArray  # len(orders) + 1 entries
    line_net: IntArray
    line_quantity: IntArray
    line_sku: IntArray
    line_category: IntArray  # -1: none


class _Refunds(NamedTuple):
    """Every refund: its event, its order's row, amounts, and units returned per order line."""

    event: IntArray
    order: IntArray
    order_at: IntArray
    gross: IntArray
    net: IntArray
    shipping: IntArray
    tax: IntArray
    cancels: npt.NDArray[np.bool_]
    before: IntArray  # one entry per line of the order, from _Orders.first[order]
    after: IntArray
    first: IntArray  # len(refunds) + 1 entries: the refund's rows in before / after


def _codes(names: list[Any]) -> tuple[list[int], tuple[Any, ...]]:
    """Each name's index in the vocabulary of the names, in order of first appearance."""
    vocabulary = tuple(dict.fromkeys(names))
    index = {name: number for number, name in enumerate(vocabulary)}
    return list(map(index.__getitem__, names)), vocabulary


def _micros(moments: list[dt.datetime], whole: IntArray) -> IntArray:
    """The moments in microseconds since 1970 UTC, exactly; ``whole`` is each in seconds.

    Seconds and the microsecond field make it when the offset is a whole number of seconds
    and the moment after 1970 (``whole`` then is the floor); otherwise by timedelta arithmetic.
    """
    zones = {moment.tzinfo for moment in moments}
    simple = all(
        isinstance(zone, dt.timezone) and zone.utcoffset(None).microseconds == 0 for zone in zones
    )
    if simple and not np.any(whole < 0):
        return whole * 1_000_000 + _ints([moment.microsecond for moment in moments])
    return _ints([(moment - _EPOCH) // _MICROSECOND for moment in moments])


def _columns(
    histories: Sequence[History], compiled: Mapping[str, CompiledOrder]
) -> tuple[_Events, _Orders, _Refunds, tuple[str, ...], tuple[str, ...], tuple[int, ...]]:
    """Lay the histories out in arrays.

    A few passes over the events, each in C or a comprehension; the rest on numpy.
    """
    flat = [event for history in histories for event in history.events]
    kinds = _KINDS
    kind = _ints([kinds.get(type(event), -1) for event in flat])
    customer = np.repeat(
        np.arange(len(histories), dtype=np.int64), [len(h.events) for h in histories]
    )
    moments = _ints(list(chain.from_iterable(history.moments for history in histories)))
    value = np.zeros(len(flat), dtype=np.int64)
    micro = np.zeros(len(flat), dtype=np.int64)
    # an order or refund the kinds do not know (a subclass of one is known, as the kind it
    # extends): those customers take the object path
    fallback = sorted(
        {
            int(customer[position])
            for position in np.flatnonzero(kind == -1).tolist()
            if isinstance(flat[position], OrderPlaced | Refund)
        }
    )
    # orders
    o_event = np.flatnonzero(kind == _ORDER)
    placed: list[OrderPlaced] = [flat[position] for position in o_event.tolist()]  # type: ignore[misc]
    if fallback:
        orders = [compiled[event.order.id] for event in placed]
    else:  # every order of the histories is of the built-in kind, in evaluation order
        orders = [order for history in histories for order in history.orders.values()]
    value[o_event] = np.arange(len(o_event))
    micro[o_event] = _micros([event.order.at for event in placed], moments[o_event])
    o_skus, o_categories, o_quantities, o_nets, gross, net, shipping, tax = (
        list(map(itemgetter(field), orders)) for field in (2, 3, 4, 5, 7, 8, 9, 10)
    )
    o_first = np.concatenate([[0], np.cumsum([len(skus) for skus in o_skus])]).astype(np.int64)
    sku_codes, skus = _codes(list(chain.from_iterable(o_skus)))
    category_codes, categories = _codes(list(chain.from_iterable(o_categories)))
    category_array = _ints(category_codes)
    names = tuple(category for category in categories if category is not None)
    if None in categories:  # None is -1, the others renumbered without it
        none = categories.index(None)
        category_array = np.where(
            category_array == none, -1, category_array - (category_array > none)
        )
    order_table = _Orders(
        o_event,
        _ints(gross),
        _ints(net),
        _ints(shipping),
        _ints(tax),
        o_first,
        _ints(list(chain.from_iterable(o_nets))),
        _ints(list(chain.from_iterable(o_quantities))),
        _ints(sku_codes),
        category_array,
    )
    # refunds: compiled in each history, in evaluation order
    r_event = np.flatnonzero(kind == _REFUND)
    refunds = [refund for history in histories for refund in history.refunds]
    if fallback:  # a refund of a kind of its own is compiled too: keep the built-in ones
        compiled_refunds = {refund.id: refund for refund in refunds}
        refunds = [compiled_refunds[flat[position].event_id] for position in r_event.tolist()]
    rows = dict(zip(map(itemgetter(0), orders), range(len(orders)), strict=True))
    value[r_event] = np.arange(len(r_event))
    r_order, order_at, before, after, r_gross, r_net, r_ship, r_tax, cancels = (
        list(map(itemgetter(field), refunds)) for field in (1, 2, 4, 5, 6, 7, 8, 9, 10)
    )
    refund_table = _Refunds(
        r_event,
        _ints([rows[order] for order in r_order]),
        _ints(order_at),
        _ints(r_gross),
        _ints(r_net),
        _ints(r_ship),
        _ints(r_tax),
        np.array(cancels, dtype=bool),
        _ints(list(chain.from_iterable(before))),
        _ints(list(chain.from_iterable(after))),
        np.concatenate([[0], np.cumsum([len(units) for units in before])]).astype(np.int64),
    )
    # points, bonuses, referrals
    with_points = np.flatnonzero((kind == _CREDIT) | (kind == _ADJUST) | (kind == _REDEEM))
    value[with_points] = [flat[position].points for position in with_points.tolist()]  # type: ignore[union-attr]
    bonuses = np.flatnonzero(kind == _BONUS)
    value[bonuses] = [_BONUS_OF_TYPE[type(flat[position])] for position in bonuses.tolist()]
    micro[bonuses] = _micros(
        [flat[position].at for position in bonuses.tolist()],  # type: ignore[union-attr]
        moments[bonuses],
    )
    referrals = np.flatnonzero(kind == _REFERRAL)
    value[referrals] = [
        flat[position].referrer == histories[int(customer[position])].customer  # type: ignore[union-attr]
        for position in referrals.tolist()
    ]
    micro[referrals] = _micros(
        [flat[position].at for position in referrals.tolist()],  # type: ignore[union-attr]
        moments[referrals],
    )
    events = _Events(customer, kind, moments, value, micro, lambda row: flat[row].event_id)
    return events, order_table, refund_table, skus, names, tuple(fallback)


def _segments(first: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The elements of groups ``rows`` of a layout whose groups start at ``first``.

    Returns each element's group (an index into ``rows``) and its position in the layout.
    """
    starts = first[rows]
    sizes = first[rows + 1] - starts
    total = int(sizes.sum())
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
    offsets = np.cumsum(sizes) - sizes
    return owner, starts[owner] + (np.arange(total, dtype=np.int64) - offsets[owner])


class Table(Protocol):
    """What the points and badges passes read of a ``LedgerTable`` (``_replay``).

    A protocol, so that those passes need not import the table's module (which imports them).
    """

    @property
    def programme(self) -> Programme: ...

    @property
    def customers(self) -> tuple[str, ...]: ...

    @property
    def _histories(self) -> tuple[History, ...] | None: ...

    @property
    def _event_columns(self) -> _Events: ...

    @property
    def _orders(self) -> _Orders: ...

    @property
    def _refunds(self) -> _Refunds: ...

    @property
    def _skus(self) -> tuple[str, ...]: ...

    @property
    def _categories(self) -> tuple[str, ...]: ...

    @property
    def _cache(self) -> list[Any]: ...
