"""What each customer bought, how often and how recently, and how long items take to be rebought.

One summary of the purchases in an ``Interactions``, in the layout of the fitted histories
(``Recommender.history_indptr_`` / ``history_items_``: customers in order, each customer's
items sorted): for every (customer, item) pair the number of days it was bought on, the first
and the last of them, and a recency-weighted count. Buy again ranks by it, and purchase history
weighs each bought item by it instead of counting it once.

A *day* is a UTC calendar day: two orders of the same item on one day are one purchase, so a
repurchase cycle is never measured as zero days.
"""

from __future__ import annotations

import attrs
import numpy as np

from shopkit import EventKind
from shopkit.recommend._base import FloatArray, IntArray
from shopkit.recommend._interactions import Interactions

__all__ = ["DAY", "PurchaseSummary", "decay"]

DAY = 86_400
"""Seconds in a day."""


def decay(age_days: FloatArray, half_life_days: float | None) -> FloatArray:
    """The weight of a purchase ``age_days`` old: halves every ``half_life_days`` (1 if None)."""
    if half_life_days is None:
        return np.ones(len(age_days))
    return np.asarray(0.5 ** (age_days / half_life_days), dtype=np.float64)


@attrs.frozen(eq=False)
class PurchaseSummary:
    """Per (customer, item): purchase days, first and last time, and a recency-weighted count.

    Attributes:
        indptr: Customer c's pairs are ``indptr[c]:indptr[c + 1]``.
        items: The item of each pair, sorted within a customer.
        count: On how many distinct days the customer bought the item.
        first: The first of those purchases, in seconds since 1970.
        last: The last of them.
        weight: The sum over the purchase days of ``0.5 ** (age / half_life)``, the age taken
            at ``reference``; ``count`` when there is no half-life.
        intervals: For each item, the days between consecutive purchases of it by one
            customer, over all customers (a flat array, grouped by ``interval_indptr``).
        interval_indptr: Item i's intervals are ``intervals[interval_indptr[i]:…[i + 1]]``.
        reference: The newest purchase in the data, in seconds since 1970 (0 if none).
    """

    indptr: IntArray
    items: IntArray
    count: IntArray
    first: IntArray
    last: IntArray
    weight: FloatArray
    intervals: FloatArray
    interval_indptr: IntArray
    reference: int

    @classmethod
    def of(
        cls, interactions: Interactions, n_items: int, half_life_days: float | None
    ) -> PurchaseSummary:
        """Summarise the purchases of known customers in ``interactions``.

        Args:
            interactions: The events; purchases by customers (not guests) count.
            n_items: The size of the model's vocabulary (at least ``len(interactions.items)``).
            half_life_days: The half-life of a purchase's weight, ``None`` for none.
        """
        mask = (interactions.kind == int(EventKind.PURCHASE)) & (interactions.customer >= 0)
        customer = interactions.customer[mask]
        item = interactions.item[mask]
        day = interactions.time[mask] // DAY
        n_customers = len(interactions.customers)
        order = np.lexsort((day, item, customer))
        customer, item, day = customer[order], item[order], day[order]
        time = interactions.time[mask][order]
        # one purchase per (customer, item, day): the first event of that day gives its time
        fresh = np.ones(len(day), dtype=bool)
        fresh[1:] = (
            (customer[1:] != customer[:-1]) | (item[1:] != item[:-1]) | (day[1:] != day[:-1])
        )
        customer, item, day, time = customer[fresh], item[fresh], day[fresh], time[fresh]
        reference = int(time.max()) if len(time) else 0
        start = np.ones(len(day), dtype=bool)
        start[1:] = (customer[1:] != customer[:-1]) | (item[1:] != item[:-1])
        pair = np.cumsum(start) - 1
        n_pairs = int(start.sum())
        heads = np.flatnonzero(start)
        count = np.bincount(pair, minlength=n_pairs).astype(np.int64)
        first = time[heads].astype(np.int64)
        last = np.zeros(n_pairs, dtype=np.int64)
        last[pair] = time  # sorted by day within a pair: the last write is the newest
        ages = (reference - time) / DAY
        weight = np.bincount(pair, weights=decay(ages, half_life_days), minlength=n_pairs)
        pair_customer = customer[heads]
        pair_item = item[heads].astype(np.int64)
        indptr = np.searchsorted(pair_customer, np.arange(n_customers + 1)).astype(np.int64)
        # intervals: the day gaps inside a pair, grouped by item
        inside = ~start
        gaps = (day[inside] - day[np.flatnonzero(inside) - 1]).astype(np.float64)
        gap_item = item[inside]
        by_item = np.argsort(gap_item, kind="stable")
        interval_indptr = np.searchsorted(gap_item[by_item], np.arange(n_items + 1)).astype(
            np.int64
        )
        return cls(
            indptr,
            pair_item,
            count,
            first,
            last,
            np.asarray(weight, dtype=np.float64),
            gaps[by_item],
            interval_indptr,
            reference,
        )

    def cycles(self, min_intervals: int) -> FloatArray:
        """Each item's repurchase cycle in days: the median interval, NaN if too few are seen.

        Args:
            min_intervals: The fewest intervals (over all customers) an item needs for a cycle.
        """
        n = len(self.interval_indptr) - 1
        result = np.full(n, np.nan)
        sizes = np.diff(self.interval_indptr)
        for item in np.flatnonzero(sizes >= max(min_intervals, 1)).tolist():
            start, end = int(self.interval_indptr[item]), int(self.interval_indptr[item + 1])
            result[item] = float(np.median(self.intervals[start:end]))
        return result
