"""A ledger in columnar form, and every customer's status as of a moment on numpy arrays.

``LedgerTable.of(ledger)`` lays a ledger's events out as parallel ``int64`` arrays, customer by
customer in evaluation order (moment, kind, id): the customer index, the kind, the moment in
seconds, and per kind its numbers — an order's amounts and lines (net, quantity, sku,
category), a refund's units returned per line, the points of an adjustment, redemption or
referral credit. ``LedgerTable.statuses(at)`` then replays all of it at once into a
``StatusTable``, the same statuses ``Ledger.statuses`` gives one by one (the tests check it,
status by status):

- the tier held at each order and at ``at`` come from the ``TierIndex`` the ledger uses;
- an order's points, line by line, are ``net × rate`` rounded down, with the rate of the
  version, earning rule, tier and category in a small table — exact integers (numpy
  ``int64``, or Python integers where a product could overflow it);
- a refund takes back ``points × returned ÷ quantity`` per line, rounded down cumulatively;
- every redemption, negative adjustment and refund is a debit. Debits are applied in rounds:
  round ``r`` takes the ``r``-th debit of every customer at once, each from the spendable lots
  its customer had then (available, not expired, something left), oldest first, with a
  cumulative sum over those lots — a refund from its order's own lot first. A debit above
  what is spendable is capped, as in ``Ledger.statuses``;
- what is left of each lot then says what is available, pending and expired at ``at``;
- badges of the built-in kinds are found on the arrays too; a programme with a badge rule of
  another kind has its badges worked out by the rule itself, customer by customer, from the
  ledger's events (the object path, so the answer is the same).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._badges import BadgeEvent, EventCount, MonthStreak, OrderCount
from shopkit.loyalty._columns import LedgerColumns, read_columns
from shopkit.loyalty._compile import CompiledOrder, seconds
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
    SummaryArrays,
    summary_arrays,
    summary_of,
)
from shopkit.loyalty._events import OrderPlaced, Referred, Refund
from shopkit.loyalty._ledger import Ledger, _credits, _history, evaluate_all
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._status import Badge, Lot, Status
from shopkit.loyalty._tiers import _SPAN, OrderFacts, RefundFacts, TierIndex

__all__ = ["LedgerTable", "StatusTable"]

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


@attrs.frozen(eq=False)
class LedgerTable:
    """A ledger's events as arrays, ready to be replayed as of any moment at once.

    Build one with ``LedgerTable.of``; ``statuses`` gives every customer's status as a
    ``StatusTable``. The table is a snapshot: events appended to the ledger later are not in it.

    Attributes:
        programme: The programme the events are evaluated under.
        customers: The customers, sorted (``Ledger.customers``).
        events: How many rows the table holds: every event once per customer it concerns
            (a referral twice), and the referral rewards the programme gives as rows of their
            own.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.loyalty import Ledger, LedgerTable, sample_ledger_events, sample_programme
        >>> ledger = Ledger(sample_programme(), sample_ledger_events())
        >>> table = LedgerTable.of(ledger)
        >>> statuses = table.statuses(dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
        >>> statuses.tier_of("ana"), statuses.balance_of("ana")
        ('gold', 2179)
        >>> statuses.status("ana") == ledger.status("ana", statuses.at)
        True
    """

    programme: Programme
    customers: tuple[str, ...]
    events: int
    _histories: tuple[History, ...] | None = attrs.field(repr=False)
    _event_columns: _Events = attrs.field(repr=False)
    _orders: _Orders = attrs.field(repr=False)
    _refunds: _Refunds = attrs.field(repr=False)
    _skus: tuple[str, ...] = attrs.field(repr=False)
    _categories: tuple[str, ...] = attrs.field(repr=False)
    _fallback: tuple[int, ...] = attrs.field(repr=False)
    _cache: list[_Spent] = attrs.field(factory=list, init=False, repr=False)

    @classmethod
    def of(cls, ledger: Ledger, *, programme: Programme | None = None) -> LedgerTable:
        """The columns of ``ledger``'s events.

        Args:
            ledger: The ledger.
            programme: Evaluate under this programme instead of the ledger's (a what-if):
                referral rewards are worked out under it, and a debit above the balance it
                gives is capped, as ``Ledger.statuses(..., programme=...)`` does.

        Raises:
            ValidationError: ``ledger`` is not a ``Ledger`` or ``programme`` not a
                ``Programme``.
        """
        if not isinstance(ledger, Ledger):
            raise ValidationError(f"{ledger!r} is not a Ledger", field="ledger", value=None)
        if programme is not None and not isinstance(programme, Programme):
            raise ValidationError(
                f"{programme!r} is not a Programme", field="programme", value=None
            )
        customers = ledger.customers
        if programme is None or programme is ledger.programme:
            rules = ledger.programme
            histories = tuple(ledger.history(customer) for customer in customers)
        else:
            rules = programme
            state = ledger._state
            credits = _credits(rules, state)
            histories = tuple(_history(customer, state, credits) for customer in customers)
        events, orders, refunds, skus, categories, fallback = _columns(
            histories, ledger._state.orders
        )
        return cls(
            rules,
            customers,
            len(events.kind),
            histories,
            events,
            orders,
            refunds,
            skus,
            categories,
            fallback,
        )

    @classmethod
    def from_columns(cls, programme: Programme, columns: LedgerColumns) -> LedgerTable:
        """A ledger stored as columns, validated as ``Ledger`` validates events, laid out.

        The rows are checked on arrays, all at once, by the rules ``Ledger.extend`` applies
        to a batch: no id twice, no refund or review of an order not in the ledger (or
        placed after it; a review only of the customer's own), no refund of more than is
        left of its order, a customer referred once and never by themselves, one birthday a
        calendar year, codes and amounts in range — and, by a replay of every event, no
        redemption or negative adjustment above what its customer could spend at its moment.

        Args:
            programme: The programme the events are evaluated under.
            columns: The events (``LedgerColumns``).

        Raises:
            ValidationError: a row is refused: the field names the column and the row
                (``order[17]``), the value is the cell, the message names the event; the
                first refusal in evaluation order is raised.
        """
        read = read_columns(programme, columns)
        if read is None:  # no rows
            return cls.of(Ledger(programme))
        events = _Events(*read.events)
        table = cls(
            programme,
            read.customers,
            len(events.kind),
            None,
            events,
            _Orders(*read.orders),
            _Refunds(*read.refunds),
            read.skus,
            read.categories,
            (),
        )
        # no negative balance: a replay of everything (kept for the statuses after it), each
        # redemption or negative adjustment refused above what its customer could spend then
        spent = _spend(table, np.ones(len(events.kind), dtype=bool))
        short = ~spent.is_refund & (spent.taken < spent.want)
        if short.any():
            read.overdraft(spent.debit_event[short], spent.want[short], spent.taken[short])
        return table

    def statuses(self, at: dt.datetime) -> StatusTable:
        """Every customer's status as of ``at``, from the events up to ``at`` only.

        Raises:
            ValidationError: ``at`` has no UTC offset.
        """
        check.aware_datetime(at, "at")
        return _replay(self, at)


@attrs.frozen(eq=False)
class StatusTable:
    """Every customer's status as of one moment, as arrays (one row per customer).

    Attributes:
        programme: The programme.
        at: The moment.
        customers: The customers, sorted.
        tier: The rank of the tier each holds (an index into ``names``), ``-1`` for none.
        names: The tier names, lowest first.
        measure: What the tier measure counts at ``at`` (minor units, or orders).
        balance: The points that can be spent.
        pending: The points waiting for their orders' return windows.
        earned: All points ever earned (before reversals).
        redeemed: All points redeemed (and taken by negative adjustments).
        expired: All points that expired.
        reversed: All points refunds took back.
        unrecovered: Points refunds should have taken back but could not.
    """

    programme: Programme
    at: dt.datetime
    customers: tuple[str, ...]
    tier: IntArray
    names: tuple[str, ...]
    measure: IntArray
    balance: IntArray
    pending: IntArray
    earned: IntArray
    redeemed: IntArray
    expired: IntArray
    reversed: IntArray
    unrecovered: IntArray
    _summary: SummaryArrays = attrs.field(repr=False)
    _lots: _Lots = attrs.field(repr=False)
    _badges: _Badges = attrs.field(repr=False)
    _index: dict[str, int] = attrs.field(repr=False)
    _objects: dict[int, Status] = attrs.field(repr=False)

    def __len__(self) -> int:
        return len(self.customers)

    def _number(self, customer: str) -> int:
        number = self._index.get(customer) if isinstance(customer, str) else None
        if number is None:
            raise ValidationError(
                f"{customer!r} has no event in the ledger", field="customer", value=customer
            )
        return number

    def tier_of(self, customer: str) -> str | None:
        """The tier ``customer`` holds, or ``None``.

        Raises:
            ValidationError: the customer has no event in the ledger.
        """
        rank = int(self.tier[self._number(customer)])
        return self.names[rank] if rank >= 0 else None

    def balance_of(self, customer: str) -> int:
        """The points ``customer`` can spend.

        Raises:
            ValidationError: the customer has no event in the ledger.
        """
        return int(self.balance[self._number(customer)])

    def counts(self) -> dict[str | None, int]:
        """How many customers hold each tier (``None``: none), lowest first."""
        counted = np.bincount(self.tier + 1, minlength=len(self.names) + 1)
        result: dict[str | None, int] = {None: int(counted[0])} if counted[0] else {}
        result.update({name: int(counted[rank + 1]) for rank, name in enumerate(self.names)})
        return result

    def status(self, customer: str) -> Status:
        """``customer``'s ``Status``, equal to ``Ledger.status(customer, at)``.

        Raises:
            ValidationError: the customer has no event in the ledger.
        """
        return self._status(self._number(customer))

    def statuses(self) -> Iterator[Status]:
        """Every customer's ``Status``, in the order of ``customers`` (built one by one)."""
        for number in range(len(self.customers)):
            yield self._status(number)

    def _status(self, number: int) -> Status:
        if number in self._objects:
            return self._objects[number]
        lots = self._lots
        spendable: list[Lot] = []
        pending: list[Lot] = []
        first, last = int(lots.first[number]), int(lots.first[number + 1])
        upto = seconds(self.at)
        for row in range(first, last):
            expires = int(lots.expires[row])
            available = int(lots.available[row])
            lot = Lot(
                source=lots.source(int(lots.event[row])),
                earned=int(lots.earned[row]),
                points=int(lots.left[row]),
                earned_at=_moment(int(lots.created[row])),
                available_at=_moment(available),
                expires_at=None if expires >= _NEVER else _moment(expires),
            )
            (spendable if available <= upto else pending).append(lot)
        tier, measure, next_tier, keep, downgrade = summary_of(
            self.programme, self._summary, number
        )
        return Status(
            customer=self.customers[number],
            at=self.at,
            tier=tier,
            measure=measure,
            lots=tuple(spendable),
            pending_lots=tuple(pending),
            next_tier=next_tier,
            keep=keep,
            downgrade_at=downgrade,
            badges=self._badges.of(number),
            earned=int(self.earned[number]),
            redeemed=int(self.redeemed[number]),
            expired=int(self.expired[number]),
            reversed=int(self.reversed[number]),
            unrecovered=int(self.unrecovered[number]),
        )


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


def _spend(table: LedgerTable, keep: npt.NDArray[np.bool_]) -> _Spent:
    """Replay the events ``keep`` selects (a prefix of each customer's): lots and debits.

    Nothing here depends on the moment asked but through ``keep``: a replay of every event is
    kept in the table and used again by the next.
    """
    everything = bool(keep.all())
    if everything and table._cache:
        return table._cache[0]
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


def _replay(table: LedgerTable, at: dt.datetime) -> StatusTable:
    programme = table.programme
    upto = seconds(at)
    events = table._event_columns
    count = len(table.customers)
    keep = events.at <= upto  # a prefix of each customer's events
    spent = _spend(table, keep)
    (
        tiers,
        lot_event,
        lot_customer,
        lot_amount,
        lot_created,
        lot_available,
        lot_expires,
        left,
        _,
        debit_customer,
        want,
        is_refund,
        taken_total,
    ) = spent
    # the tallies
    earned = np.zeros(count, dtype=np.int64)
    np.add.at(earned, lot_customer, lot_amount)
    redeemed = np.zeros(count, dtype=np.int64)
    np.add.at(redeemed, debit_customer[~is_refund], taken_total[~is_refund])
    reversed_points = np.zeros(count, dtype=np.int64)
    np.add.at(reversed_points, debit_customer[is_refund], want[is_refund])
    unrecovered = np.zeros(count, dtype=np.int64)
    np.add.at(unrecovered, debit_customer[is_refund], want[is_refund] - taken_total[is_refund])
    # the lots at ``at``
    some = left > 0
    gone = some & (lot_expires <= upto)
    expired = np.zeros(count, dtype=np.int64)
    np.add.at(expired, lot_customer[gone], left[gone])
    live = np.flatnonzero(some & ~gone)
    ready = lot_available[live] <= upto
    balance = np.zeros(count, dtype=np.int64)
    np.add.at(balance, lot_customer[live[ready]], left[live[ready]])
    waiting = np.zeros(count, dtype=np.int64)
    np.add.at(waiting, lot_customer[live[~ready]], left[live[~ready]])
    lots = _Lots(
        np.searchsorted(lot_customer[live], np.arange(count + 1), side="left"),
        lot_event[live],
        events.source,
        lot_amount[live],
        left[live],
        lot_created[live],
        lot_available[live],
        lot_expires[live],
    )
    summary = summary_arrays(programme, tiers, count, upto)
    badges = _badges(table, at, upto, keep)
    objects: dict[int, Status] = {}
    if table._fallback:
        assert table._histories is not None  # only a ledger's events have kinds of their own
        chosen_histories = [table._histories[number] for number in table._fallback]
        found = evaluate_all(programme, chosen_histories, at, strict=False)
        for number in table._fallback:
            status = objects[number] = found[table.customers[number]]
            summary.held[number] = (
                -1 if status.tier is None else programme.tier_names.index(status.tier)
            )
            measure = status.measure
            summary.measure[number] = measure if isinstance(measure, int) else measure.minor
            balance[number] = status.balance
            waiting[number] = status.pending
            earned[number] = status.earned
            redeemed[number] = status.redeemed
            expired[number] = status.expired
            reversed_points[number] = status.reversed
            unrecovered[number] = status.unrecovered
    return StatusTable(
        programme=programme,
        at=at,
        customers=table.customers,
        tier=summary.held,
        names=programme.tier_names,
        measure=summary.measure,
        balance=balance,
        pending=waiting,
        earned=earned,
        redeemed=redeemed,
        expired=expired,
        reversed=reversed_points,
        unrecovered=unrecovered,
        summary=summary,
        lots=lots,
        badges=badges,
        index={customer: number for number, customer in enumerate(table.customers)},
        objects=objects,
    )


def _nth(first: IntArray, moments: IntArray, n: int) -> IntArray:
    """Per group (starts ``first``), the ``n``-th moment (1-based), ``-1`` when fewer."""
    row = first[:-1] + n - 1
    has = row < first[1:]
    result = np.full(len(has), -1, dtype=np.int64)
    result[has] = moments[row[has]]
    return result


class _Badges(NamedTuple):
    """The badges: per built-in rule, when each customer earned it (µs, -1: not).

    Or, for rules of other kinds, a list per customer worked out by the rules themselves.
    """

    earned: list[tuple[str, IntArray]]
    by_rule: list[list[Badge]] | None

    def of(self, number: int) -> tuple[Badge, ...]:
        """Customer ``number``'s badges in the order earned."""
        if self.by_rule is not None:
            return tuple(self.by_rule[number])
        found = [
            Badge(name=name, earned_at=_EPOCH + _MICROSECOND * int(moments[number]))
            for name, moments in self.earned
            if moments[number] >= 0
        ]
        return tuple(sorted(found, key=lambda badge: (badge.earned_at, badge.name)))


def _badges(table: LedgerTable, at: dt.datetime, upto: int, keep: Any) -> _Badges:
    """Each customer's badges, by the rules of the version in force at ``at``."""
    count = len(table.customers)
    rules = table.programme.version_at(at).badges
    if any(type(rule) not in _BUILT_IN_BADGES for rule in rules):
        return _Badges([], [_badges_by_rule(table, number, at, upto) for number in range(count)])
    events = table._event_columns
    kinds = events.kind
    groups = np.arange(count + 1)
    order_rows = np.flatnonzero(keep & (kinds == _ORDER))
    order_customer = events.customer[order_rows]
    order_first = np.searchsorted(order_customer, groups, side="left")
    order_micro = events.micro[order_rows]
    review = _BONUS_CODES[BonusEvent.REVIEW]
    counted = {
        BadgeEvent.REVIEW: keep & (kinds == _BONUS) & (events.value == review),
        BadgeEvent.REFERRAL: keep & (kinds == _REFERRAL) & (events.value == 1),
    }
    earned: list[tuple[str, IntArray]] = []
    for rule in rules:
        if isinstance(rule, OrderCount):
            earned.append((rule.name, _nth(order_first, order_micro, rule.count)))
        elif isinstance(rule, EventCount):
            rows = np.flatnonzero(counted[rule.event])
            first = np.searchsorted(events.customer[rows], groups, side="left")
            earned.append((rule.name, _nth(first, events.micro[rows], rule.count)))
        else:
            assert isinstance(rule, MonthStreak)
            earned.append((rule.name, _streaks(order_customer, order_micro, rule.months, count)))
    return _Badges(earned, None)


def _streaks(customer: IntArray, micro: IntArray, months: int, count: int) -> IntArray:
    """Per customer, the moment of the order completing the first streak of ``months`` months."""
    result = np.full(count, -1, dtype=np.int64)
    if not len(customer):
        return result
    month = (micro // 1_000_000).astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    new_customer = np.concatenate([[True], customer[1:] != customer[:-1]])
    distinct = new_customer | np.concatenate([[True], month[1:] != month[:-1]])
    rows = np.flatnonzero(distinct)
    month, fresh, who = month[rows], new_customer[rows], customer[rows]
    breaks = fresh | np.concatenate([[True], month[1:] != month[:-1] + 1])
    positions = np.arange(len(rows))
    streak = positions - np.maximum.accumulate(np.where(breaks, positions, 0)) + 1
    done = np.flatnonzero(streak >= months)
    if len(done):
        first = np.unique(who[done], return_index=True)
        result[first[0]] = micro[rows[done[first[1]]]]
    return result


def _badges_by_rule(table: LedgerTable, number: int, at: dt.datetime, upto: int) -> list[Badge]:
    """One customer's badges by the rules themselves (a badge rule of a kind not built in).

    From the events themselves, or (a table read from columns) from the arrays, in UTC.
    """
    order_moments: list[dt.datetime] = []
    other: list[tuple[str, dt.datetime]] = []
    if table._histories is None:
        events = table._event_columns
        lo, hi = np.searchsorted(events.customer, [number, number + 1])
        names = {code: bonus.value for bonus, code in _BONUS_CODES.items()}
        for kind, when, value, micro in zip(
            *(
                column[lo:hi].tolist()
                for column in (events.kind, events.at, events.value, events.micro)
            ),
            strict=True,
        ):
            if when > upto:
                break
            moment = _EPOCH + _MICROSECOND * micro
            if kind == _ORDER:
                order_moments.append(moment)
            elif kind == _REFERRAL and value == 1:
                other.append(("referral", moment))
            elif kind == _BONUS:
                other.append((names[value], moment))
        return _earned_badges(table.programme, at, order_moments, other)
    history = table._histories[number]
    for event, when in zip(history.events, history.moments, strict=True):
        if when > upto:
            break
        kind = _KINDS.get(type(event), -1)
        if kind == _ORDER:
            assert isinstance(event, OrderPlaced)
            order_moments.append(event.order.at)
        elif kind == _REFERRAL:
            assert isinstance(event, Referred)
            if event.referrer == history.customer:
                other.append(("referral", event.at))
        elif kind == _BONUS:
            other.append((_BONUSES[type(event)].value, event.at))  # type: ignore[union-attr]
    return _earned_badges(table.programme, at, order_moments, other)


def _earned_badges(
    programme: Programme,
    at: dt.datetime,
    order_moments: list[dt.datetime],
    other: list[tuple[str, dt.datetime]],
) -> list[Badge]:
    version = programme.version_at(at)
    return sorted(
        (
            Badge(name=rule.name, earned_at=when)
            for rule in version.badges
            if (when := rule.earned_at(order_moments, other)) is not None
        ),
        key=lambda badge: (badge.earned_at, badge.name),
    )
