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
from collections.abc import Iterator

import attrs
import numpy as np

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._columns import LedgerColumns
from shopkit.loyalty._columns_read import read_columns
from shopkit.loyalty._compile import seconds
from shopkit.loyalty._engine import History
from shopkit.loyalty._ledger import Ledger, _credits, _history, evaluate_all
from shopkit.loyalty._programme import Programme
from shopkit.loyalty._replay_badges import _Badges, _badges
from shopkit.loyalty._replay_layout import (
    _NEVER,
    IntArray,
    _columns,
    _Events,
    _moment,
    _Orders,
    _Refunds,
)
from shopkit.loyalty._replay_points import _Lots, _spend, _Spent
from shopkit.loyalty._status import Lot, Status
from shopkit.loyalty._summary import SummaryArrays, summary_arrays, summary_of

__all__ = ["LedgerTable", "StatusTable"]


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
