"""Which tier a customer holds at a moment: vectorised over many customers, and by hand for one.

The definitions (``docs/loyalty/tiers.md``):

- the *measure* at ``s`` is the sum, over the customer's orders placed in the window
  ``(s - W, s]``, of each order's value, less what refunds made up to ``s`` took off those
  orders; the measure, window and thresholds are those of the version in force at ``s``;
- the customer *qualifies* at ``s`` for the highest tier whose threshold the measure reaches;
- the customer *holds* at ``t`` the highest tier qualified for at any moment of
  ``[t - grace, t]``: an upgrade is at once (on the order that crosses the threshold), a
  downgrade only once the customer has not qualified for ``grace`` days.

Qualification only rises on an order or at a new version's date, so the tier held at ``t`` is
the best of: the qualification at ``t - grace``, at each order in ``(t - grace, t]`` and at each
version date in that span. ``held_ranks`` computes it for any number of (customer, moment)
queries at once with sorted arrays, prefix sums and a sparse table for range maxima;
``reference_rank`` computes the same for one customer with plain loops, and the tests check
they agree.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from shopkit import ValidationError
from shopkit.loyalty._programme import Programme

__all__ = ["OrderFacts", "RefundFacts", "TierIndex", "reference_measure", "reference_rank"]

IntArray = npt.NDArray[np.int64]
_SPAN = 1 << 34  # seconds: more than 500 years between the first and the last moment


class OrderFacts(NamedTuple):
    """Orders as parallel int64 arrays: customer index, moment (seconds), amounts (minor)."""

    customer: IntArray
    at: IntArray
    gross: IntArray
    net: IntArray
    shipping: IntArray
    tax: IntArray


class RefundFacts(NamedTuple):
    """Refunds as parallel arrays; ``order_at`` is when the refunded order was placed."""

    customer: IntArray
    order_at: IntArray
    at: IntArray
    gross: IntArray
    net: IntArray
    shipping: IntArray
    tax: IntArray
    cancels: npt.NDArray[np.bool_]


def _ints(values: Sequence[int] | IntArray) -> IntArray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def no_refunds() -> RefundFacts:
    """Empty refund facts."""
    empty = np.zeros(0, dtype=np.int64)
    return RefundFacts(empty, empty, empty, empty, empty, empty, empty, np.zeros(0, dtype=bool))


class TierIndex:
    """The orders and refunds of many customers, sorted and summed, ready for tier queries.

    Args:
        programme: The programme (its versions give measures, windows, thresholds, grace).
        orders: The orders.
        refunds: The refunds.
    """

    def __init__(self, programme: Programme, orders: OrderFacts, refunds: RefundFacts) -> None:
        self.programme = programme
        order = np.lexsort((orders.at, orders.customer))
        self.orders = OrderFacts._make(np.asarray(column)[order] for column in orders)
        rorder = np.lexsort((refunds.at, refunds.customer))
        self.refunds = RefundFacts._make(np.asarray(column)[rorder] for column in refunds)
        times = [self.orders.at, self.refunds.at, self.refunds.order_at]
        present = [column for column in times if len(column)]
        self.base = int(min(int(column.min()) for column in present)) - 1 if present else 0
        top = max((int(column.max()) for column in present), default=self.base)
        if top - self.base >= _SPAN - 2:
            raise ValidationError(
                "the orders span more than 500 years", field="orders.at", value=top - self.base
            )
        self.keys = self.orders.customer * _SPAN + (self.orders.at - self.base)
        self.effective = np.array(
            [int(version.effective.timestamp()) for version in programme.versions], dtype=np.int64
        )
        self.thresholds = [
            np.array(programme.threshold_units(i), dtype=np.int64)
            for i in range(len(programme.versions))
        ]
        self.sums: list[IntArray] = []
        self.refund_values: list[IntArray] = []
        for version in programme.versions:
            values = _ints(version.measure.order_value(*self.orders[2:]))
            self.sums.append(np.concatenate([[0], np.cumsum(values)]).astype(np.int64))
            refunded = (
                _ints(version.measure.refund_value(*self.refunds[3:7], self.refunds.cancels))
                if len(self.refunds.at)
                else np.zeros(0, dtype=np.int64)
            )
            self.refund_values.append(refunded)
        self._order_ranks: IntArray | None = None
        self._table: list[IntArray] | None = None

    def _offset(self, moments: IntArray) -> IntArray:
        return np.minimum(np.maximum(moments - self.base, -1), _SPAN - 2)

    def version_of(self, moments: IntArray) -> IntArray:
        """The index of the version in force at each moment (0 before the first)."""
        return np.maximum(np.searchsorted(self.effective, moments, side="right") - 1, 0)

    def measure(self, customers: IntArray, moments: IntArray) -> IntArray:
        """The measure of each (customer, moment), each under the version in force then."""
        customers, moments = _ints(customers), _ints(moments)
        result = np.zeros(len(moments), dtype=np.int64)
        versions = self.version_of(moments)
        for index in np.unique(versions):
            rows = np.flatnonzero(versions == index)
            result[rows] = self._measure(int(index), customers[rows], moments[rows])
        return result

    def _measure(self, index: int, customers: IntArray, moments: IntArray) -> IntArray:
        window = self.programme.versions[index].window.seconds()
        start = customers * _SPAN
        hi = np.searchsorted(self.keys, start + self._offset(moments), side="right")
        if window is None:
            lo = np.searchsorted(self.keys, start - 1, side="right")
            since = np.full(len(moments), np.iinfo(np.int64).min // 2, dtype=np.int64)
        else:
            since = moments - window
            lo = np.searchsorted(self.keys, start + self._offset(since), side="right")
        lo = np.minimum(lo, hi)
        sums = self.sums[index]
        total = sums[hi] - sums[lo]
        if len(self.refunds.at) and len(moments):
            total = total - self._refunded(index, customers, moments, since)
        return total

    def _refunded(
        self, index: int, customers: IntArray, moments: IntArray, since: IntArray
    ) -> IntArray:
        first = np.searchsorted(self.refunds.customer, customers, side="left")
        last = np.searchsorted(self.refunds.customer, customers, side="right")
        counts = last - first
        total = int(counts.sum())
        taken = np.zeros(len(moments), dtype=np.int64)
        if total == 0:
            return taken
        query = np.repeat(np.arange(len(moments)), counts)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        row = first[query] + (np.arange(total) - starts[query])
        at = moments[query]
        hit = (
            (self.refunds.at[row] <= at)
            & (self.refunds.order_at[row] > since[query])
            & (self.refunds.order_at[row] <= at)
        )
        np.add.at(taken, query[hit], self.refund_values[index][row[hit]])
        return taken

    def qualified(self, customers: IntArray, moments: IntArray) -> IntArray:
        """The rank (0 = lowest tier, -1 = none) each customer qualifies for at each moment."""
        customers, moments = _ints(customers), _ints(moments)
        values = self.measure(customers, moments)
        versions = self.version_of(moments)
        ranks = np.full(len(moments), -1, dtype=np.int64)
        for index in np.unique(versions):
            rows = np.flatnonzero(versions == index)
            ranks[rows] = (
                np.searchsorted(self.thresholds[int(index)], values[rows], side="right") - 1
            )
        return ranks

    def _range_table(self) -> list[IntArray]:
        if self._table is None:
            ranks = self.qualified(self.orders.customer, self.orders.at)
            self._order_ranks = ranks
            table = [ranks]
            width = 1
            while width * 2 <= len(ranks):
                previous = table[-1]
                table.append(np.maximum(previous[: len(previous) - width], previous[width:]))
                width *= 2
            self._table = table
        return self._table

    def _range_max(self, lo: IntArray, hi: IntArray) -> IntArray:
        """The largest order rank in rows ``[lo, hi)`` of the sorted orders; -1 when empty."""
        table = self._range_table()
        result = np.full(len(lo), -1, dtype=np.int64)
        size = hi - lo
        some = np.flatnonzero(size > 0)
        if len(some) == 0:
            return result
        level = np.floor(np.log2(size[some])).astype(np.int64)  # float-ok: a level, not money
        for k in np.unique(level):
            rows = some[level == k]
            part = table[int(k)]
            result[rows] = np.maximum(part[lo[rows]], part[hi[rows] - (1 << int(k))])
        return result

    def held(self, customers: IntArray, moments: IntArray) -> IntArray:
        """The rank each customer holds at each moment (with the grace period), -1 for none."""
        customers, moments = _ints(customers), _ints(moments)
        versions = self.version_of(moments)
        grace = np.array(
            [version.grace_days * 86_400 for version in self.programme.versions], dtype=np.int64
        )[versions]
        since = moments - grace
        best = self.qualified(customers, since)
        if not np.any(grace > 0):
            return best
        start = customers * _SPAN
        lo = np.searchsorted(self.keys, start + self._offset(since), side="right")
        hi = np.searchsorted(self.keys, start + self._offset(moments), side="right")
        best = np.maximum(best, self._range_max(lo, np.maximum(lo, hi)))
        for date in self.effective[1:]:
            inside = np.flatnonzero((since < date) & (date <= moments))
            if len(inside):
                ranks = self.qualified(customers[inside], np.full(len(inside), date))
                best[inside] = np.maximum(best[inside], ranks)
        return best


def reference_measure(
    programme: Programme,
    orders: Sequence[tuple[int, int, int, int, int]],
    refunds: Sequence[tuple[int, int, int, int, int, int, bool]],
    moment: int,
) -> int:
    """One customer's measure at ``moment``, by plain loops (the definition, for the tests).

    Args:
        programme: The programme.
        orders: ``(at, gross, net, shipping, tax)`` per order.
        refunds: ``(order_at, at, gross, net, shipping, tax, cancels)`` per refund.
        moment: Seconds since the epoch.
    """
    version = programme.versions[_version(programme, moment)]
    window = version.window.seconds()
    total = 0
    for at, gross, net, shipping, tax in orders:
        if at <= moment and (window is None or at > moment - window):
            total += int(version.measure.order_value(gross, net, shipping, tax))
    for order_at, at, gross, net, shipping, tax, cancels in refunds:
        if at <= moment and order_at <= moment and (window is None or order_at > moment - window):
            total -= int(version.measure.refund_value(gross, net, shipping, tax, cancels))
    return total


def _version(programme: Programme, moment: int) -> int:
    found = 0
    for index, version in enumerate(programme.versions):
        if int(version.effective.timestamp()) <= moment:
            found = index
    return found


def reference_rank(
    programme: Programme,
    orders: Sequence[tuple[int, int, int, int, int]],
    refunds: Sequence[tuple[int, int, int, int, int, int, bool]],
    moment: int,
    *,
    grace: bool = True,
) -> int:
    """The rank one customer holds (``grace``) or qualifies for at ``moment``, by plain loops."""

    def qualified(at: int) -> int:
        index = _version(programme, at)
        value = reference_measure(programme, orders, refunds, at)
        return bisect.bisect_right(programme.threshold_units(index), value) - 1

    days = programme.versions[_version(programme, moment)].grace_days if grace else 0
    since = moment - days * 86_400
    candidates: list[Any] = [since]
    candidates += [order[0] for order in orders if since < order[0] <= moment]
    candidates += [
        int(version.effective.timestamp())
        for version in programme.versions[1:]
        if since < int(version.effective.timestamp()) <= moment
    ]
    return max(qualified(at) for at in candidates)
