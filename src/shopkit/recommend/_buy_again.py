"""Buy again: a customer's own earlier items, by frequency, recency and repurchase cycle.

About a third of the items in a retail customer's next order are items they bought before, so
the customer's own history is the strongest single signal for a known customer (on Online
Retail, "own most-bought items" alone beats every item-neighbourhood library). This strategy
ranks those items; blend it with a discovery strategy (``PurchaseHistory`` with
``self_weight=0``) to show both, as the recommendations guide describes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray, Recommender, Scores
from shopkit.recommend._history import DAY, PurchaseSummary, decay
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._ranking import segments
from shopkit.recommend._request import Resolved

__all__ = ["BuyAgain", "span"]


def span(days: float) -> str:  # float-ok: a duration in days, for a sentence
    """A duration in words, rounded: "3 days", "5 weeks", "4 months".

    Under 14 days in days, under 9 weeks in weeks, else in months of 30.44 days.

    Examples:
        >>> span(1), span(10), span(38), span(120)
        ('1 day', '10 days', '5 weeks', '4 months')
    """
    if days < 13.5:
        number, unit = max(round(days), 1), "day"
    elif days < 62.5:
        number, unit = round(days / 7), "week"
    else:
        number, unit = max(round(days / 30.44), 2), "month"
    return f"{number} {unit}{'' if number == 1 else 's'}"


def _ago(days: float) -> str:  # float-ok: a duration in days, for a sentence
    return "today" if days < 0.5 else f"{span(days)} ago"


@attrs.define(kw_only=True)
class BuyAgain(Recommender):
    """The customer's own earlier items, ranked by how often, how recently and how due.

    For a known customer and each item they bought, on ``n`` distinct days, the last ``age``
    days before the request's ``at`` (the newest purchase of the fitted data by default):

    * ``weight`` = Σ over those days of ``0.5 ** (age_of_that_day / half_life_days)`` (with no
      half-life, ``n``): frequency and recency in one number;
    * ``cycle``: the customer's own mean interval, (last − first) / (n − 1) days, if ``n`` ≥ 2;
      otherwise the item's repurchase cycle learned from the data — the median number of
      days between consecutive purchases of it by one customer, over all customers, if at least
      ``min_intervals`` such intervals were seen; otherwise unknown;
    * ``due`` = min(age / cycle, 1), or 1 if the cycle is unknown;
    * score = ``weight × ((1 − cycle_weight) + cycle_weight × due)``.

    So with ``cycle_weight`` 0 the rank is recency-weighted frequency; with 1 an item bought
    every 5 weeks and last bought a week ago scores a fifth of one that is due. An item passed
    in ``request.history`` and not in the fitted data scores 1. Guests and unknown customers
    get nothing (put this first in a ``Fallback`` or blend it). The reason says what the
    numbers say: "You buy this about every 5 weeks; last time 6 weeks ago".

    Attributes:
        half_life_days: The half-life of a purchase's weight, in days; ``None`` (the default)
            counts every purchase day as 1.
        cycle_weight: How much being due counts, from 0 (the default) to 1.

    Both defaults were chosen on a validation split of Online Retail (the month before the
    next-order benchmark's test cut) by ``benchmarks/recommend_tune_next_order.py``: there,
    among half-lives of 480 and 960 days or none and cycle weights of 0, 0.1 and 0.25, plain
    frequency ranked best. The cycles are learned all the same and the reasons state them; a
    shop selling consumables to consumers should try a cycle weight on its own data.
        min_intervals: How many repurchase intervals an item needs, over all customers, for a
            learned cycle (default 3).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Customer, Order
        >>> from shopkit.recommend import BuyAgain, Interactions, Request
        >>> day = lambda d: dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=d)
        >>> orders = [Order(f"o{d}", ["coffee"], day(d), customer="ann") for d in (0, 35, 70)]
        >>> orders.append(Order("o9", ["mug"], day(60), customer="ann"))
        >>> model = BuyAgain().fit(Interactions.from_orders(orders))
        >>> ask = Request(customer=Customer("ann"), at=day(112))
        >>> [(r.sku, r.reason) for r in model.recommend(ask)]  # doctest: +NORMALIZE_WHITESPACE
        [('coffee', 'You buy this about every 5 weeks; last time 6 weeks ago'),
         ('mug', 'You bought this 7 weeks ago')]
    """

    half_life_days: Decimal | None = attrs.field(
        default=None,
        converter=check.decimal,
        validator=check.optional(check.positive_decimal(what="number of days")),
    )
    cycle_weight: Decimal = attrs.field(
        default=Decimal("0"), converter=check.decimal, validator=check.decimal_between(0, 1)
    )
    min_intervals: int = attrs.field(default=3, validator=check.positive_int)

    count_: IntArray = attrs.field(init=False, repr=False, eq=False)
    first_: IntArray = attrs.field(init=False, repr=False, eq=False)
    last_: IntArray = attrs.field(init=False, repr=False, eq=False)
    weight_: FloatArray = attrs.field(init=False, repr=False, eq=False)
    cycle_: FloatArray = attrs.field(init=False, repr=False, eq=False)
    reference_: int = attrs.field(init=False, repr=False, eq=False)

    def fit_model(self, interactions: Interactions) -> None:
        summary = PurchaseSummary.of(interactions, len(self.items_), self._half_life())
        self.count_ = summary.count
        self.first_ = summary.first
        self.last_ = summary.last
        self.weight_ = summary.weight
        self.cycle_ = summary.cycles(self.min_intervals)
        self.reference_ = summary.reference

    def _half_life(self) -> float | None:  # float-ok: a decay rate, not money
        return None if self.half_life_days is None else float(self.half_life_days)

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {
            "count_": self.count_,
            "first_": self.first_,
            "last_": self.last_,
            "weight_": self.weight_,
            "cycle_": self.cycle_,
            "reference_": np.array(self.reference_, dtype=np.int64),
        }

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        self.count_ = arrays["count_"]
        self.first_ = arrays["first_"]
        self.last_ = arrays["last_"]
        self.weight_ = arrays["weight_"]
        self.cycle_ = arrays["cycle_"]
        self.reference_ = int(arrays["reference_"])

    def _at(self, resolved: Resolved) -> int:
        at: dt.datetime | None = resolved.request.at
        return self.reference_ if at is None else int(at.timestamp())

    def _pairs(self, resolved: Resolved) -> IntArray:
        """The positions of the customer's fitted pairs (empty for a guest)."""
        if resolved.customer < 0:
            return np.zeros(0, dtype=np.int64)
        offsets, _ = segments(self.history_indptr_, np.array([resolved.customer]))
        return offsets

    def _cycles(self, offsets: IntArray) -> FloatArray:
        count = self.count_[offsets]
        own = (self.last_[offsets] - self.first_[offsets]) / DAY / np.maximum(count - 1, 1)
        learned = self.cycle_[self.history_items_[offsets]]
        return np.where(count >= 2, own, learned)

    def score_many(self, resolved: Sequence[Resolved]) -> FloatArray:
        n = len(self.items_)
        if not resolved:
            return np.zeros((0, n))
        customers = np.fromiter((one.customer for one in resolved), dtype=np.int64)
        ats = np.fromiter((self._at(one) for one in resolved), dtype=np.int64)
        known = np.flatnonzero(customers >= 0)
        offsets, lengths = segments(self.history_indptr_, customers[known])
        rows = np.repeat(known, lengths)
        at = ats[rows]
        age = np.maximum(at - self.last_[offsets], 0) / DAY
        fresh = decay(np.maximum(at - self.reference_, 0) / DAY, self._half_life())
        cycle = self._cycles(offsets)
        due = np.where(np.isnan(cycle), 1.0, np.minimum(age / np.where(cycle > 0, cycle, 1), 1))
        share = float(self.cycle_weight)
        values = self.weight_[offsets] * fresh * ((1 - share) + share * due)
        scores = np.asarray(
            sp.csr_array(
                (values, (rows, self.history_items_[offsets])), shape=(len(resolved), n)
            ).toarray(),
            dtype=np.float64,
        )
        for row, one in enumerate(resolved):  # items the shop passes: bought once, when unknown
            passed = one.history[: len(one.history) - len(self._pairs(one))]
            if len(passed):
                unseen = passed[scores[row, passed] == 0]
                scores[row, unseen] = 1.0
        return scores

    def score(self, resolved: Resolved) -> Scores:
        return Scores.of(self.score_many([resolved])[0], self)

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        offsets = self._pairs(resolved)
        where = {int(self.history_items_[o]): int(o) for o in offsets.tolist()}
        at = self._at(resolved)
        result: list[tuple[str, str | None]] = []
        for item in items.tolist():
            sku = self.items_[item]
            offset = where.get(item)
            if offset is None:
                result.append(("You bought this before", sku))
                continue
            age = max(at - int(self.last_[offset]), 0) / DAY
            count = int(self.count_[offset])
            cycle = float(self._cycles(np.array([offset]))[0])
            if count >= 2:
                text = f"You buy this about every {span(cycle)}; last time {_ago(age)}"
            elif not np.isnan(cycle):
                text = f"Usually bought again after {span(cycle)}; you bought it {_ago(age)}"
            else:
                text = "You bought this today" if age < 0.5 else f"You bought this {_ago(age)}"
            result.append((text, sku))
        return result
