"""Retention and churn of customers, by an inactivity window or from a model's probability alive.

A customer is *active at* time t when they placed an order in the ``inactive_after_days`` days
before t (``[t − w, t)``). For a window ``[start, end)``:

- S: customers active at ``start``; E: customers active at ``end``; N: customers gained in
  the window — by default those active at ``end`` who were not at ``start``.
- **Retention** = (E − N) ÷ S. With the default N this is exactly the share of S still active
  at ``end``; with N the first-time buyers of the window (``newcomers="first_order"``), lapsed
  customers who come back count too and retention may exceed 1 − churn. (E − N counts the
  customers of E not in N, so a newcomer who lapsed within the window is not taken off twice.)
- **Churn** (inactivity) = customers of S not active at ``end`` ÷ S, so that retention + churn
  = 1 with the default N.
- **Churn from a model** = 1 − the mean probability alive of the customers who ordered before
  ``end``, the probability given by a fitted model (the CLV model of ``shopkit.metrics``, or any
  object with ``probability_alive``) — see ``PredictedChurn``.

Without a window, the window is the last ``inactive_after_days`` days of the data (for the
model churn, the window ends at the data's end).
"""

from __future__ import annotations

from typing import ClassVar, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import validators as check
from shopkit.metrics._inputs import Window
from shopkit.metrics._kpi import Kpi, present, rate, time_range
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import OrderSummary, Summaries
from shopkit.metrics._variants import Newcomers
from shopkit.validators import enum_value

__all__ = ["AliveModel", "Churn", "PredictedChurn", "Retention", "customer_history"]

DAY = 86_400
Mask = np.ndarray[tuple[int], np.dtype[np.bool_]]


def _newcomers(value: object) -> Newcomers:
    return enum_value(Newcomers, value, "newcomers")


def _active(orders: OrderSummary, at: int, days: int) -> Mask:
    """Which customers (a mask over the vocabulary) have an order in ``[at − days, at)``."""
    times = orders.columns["at"]
    customer = orders.columns["customer"]
    mask = (times >= at - days * DAY) & (times < at) & (customer >= 0)
    return present(customer[mask], len(orders.vocabularies["customer"]))


def _ends(orders: OrderSummary, window: Window, days: int) -> tuple[Mask, Mask]:
    """S and E: the customers active at the window's start and at its end."""
    return _active(orders, window.start, days), _active(orders, window.end, days)


def _first_orders(orders: OrderSummary) -> IntArray:
    """Each customer's first order time (a very large number for one with no order)."""
    first = np.full(len(orders.vocabularies["customer"]), np.iinfo(np.int64).max, dtype=np.int64)
    known = orders.columns["customer"] >= 0
    np.minimum.at(first, orders.columns["customer"][known], orders.columns["at"][known])
    return first


def _window(orders: OrderSummary, window: Window | None, days: int) -> Window | None:
    """``window``, or the last ``days`` days of the data (``None`` without orders)."""
    if window is not None:
        return window
    span = time_range(orders.columns["at"])
    if span is None:
        return None
    return Window(max(span.start, span.end - days * DAY), span.end)


@attrs.frozen
class Retention(Kpi):
    """Retention (E − N) ÷ S over the window, a customer being active after an order.

    Attributes:
        inactive_after_days: Days without an order after which a customer is no longer
            active (default 90).
        newcomers: What N counts: ``"gained"`` (default) or ``"first_order"``.
    """

    name: ClassVar[str] = "retention"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    inactive_after_days: int = attrs.field(default=90, kw_only=True, validator=check.positive_int)
    newcomers: Newcomers = attrs.field(default=Newcomers.GAINED, kw_only=True, converter=_newcomers)

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """Retention over ``window``."""
        orders = summaries.orders()
        window = _window(orders, window, self.inactive_after_days)
        if window is None:
            return None
        start, end = _ends(orders, window, self.inactive_after_days)
        if self.newcomers is Newcomers.GAINED:
            new = end & ~start
        else:
            first = _first_orders(orders)
            new = (first >= window.start) & (first < window.end)
        return rate(int((end & ~new).sum()), int(start.sum()))


@attrs.frozen
class Churn(Kpi):
    """Churn by inactivity: customers active at the window's start and not at its end ÷ S.

    Attributes:
        inactive_after_days: Days without an order after which a customer has churned.
    """

    name: ClassVar[str] = "churn"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    inactive_after_days: int = attrs.field(default=90, kw_only=True, validator=check.positive_int)

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """Churn over ``window``."""
        orders = summaries.orders()
        window = _window(orders, window, self.inactive_after_days)
        if window is None:
            return None
        start, end = _ends(orders, window, self.inactive_after_days)
        return rate(int((start & ~end).sum()), int(start.sum()))


FloatArray = npt.NDArray[np.float64]


class AliveModel(Protocol):
    """What ``PredictedChurn`` needs of a fitted purchase model (BG/NBD and the like)."""

    def probability_alive(
        self, frequency: FloatArray, recency: FloatArray, age: FloatArray
    ) -> FloatArray:
        """The probability each customer is still alive, from their summary (in days).

        Args:
            frequency: Repeat purchases: distinct order days after the first.
            recency: Days from the first order day to the last.
            age: Days from the first order day to the end of the window.
        """
        ...  # pragma: no cover - a protocol


def customer_history(orders: OrderSummary, until: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Frequency, recency and age (in days) of the customers who ordered before ``until``.

    As the BG/NBD literature counts them: the frequency is the number of distinct days with an
    order after the first such day, the recency the days from the first to the last, the age
    the days from the first to ``until``. Customers in the order of their numbers.
    """
    mask = (orders.columns["customer"] >= 0) & (orders.columns["at"] < until)
    customer = orders.columns["customer"][mask]
    days = orders.columns["at"][mask] // DAY
    pairs = np.unique(np.stack([customer, days]), axis=1)
    who, day = pairs[0], pairs[1]
    if len(who) == 0:
        empty = np.zeros(0, dtype=np.float64)
        return empty, empty, empty
    starts = np.flatnonzero(np.concatenate(([True], who[1:] != who[:-1])))
    first = day[starts]
    last = np.maximum.reduceat(day, starts)
    count = np.diff(np.append(starts, len(who)))
    age = until / DAY - first
    return (count - 1).astype(np.float64), (last - first).astype(np.float64), age


@attrs.frozen
class PredictedChurn(Kpi):
    """Churn as one minus the mean probability alive that a fitted model gives (the CLV hook).

    The model is any object with ``probability_alive(frequency, recency, age)`` over numpy
    arrays in days (``AliveModel``): the CLV model of ``shopkit.metrics`` fitted on the same
    orders, or a shop's own. The customers are those who ordered before the window's end.

    Attributes:
        model: The fitted model.
    """

    name: ClassVar[str] = "predicted churn"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    model: AliveModel = attrs.field(eq=False)

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """1 − mean probability alive at the end of ``window``."""
        orders = summaries.orders()
        window = _window(orders, window, 1)
        if window is None:
            return None
        frequency, recency, age = customer_history(orders, window.end)
        if len(frequency) == 0:
            return None
        alive = np.clip(self.model.probability_alive(frequency, recency, age), 0.0, 1.0)
        return float(1.0 - alive.mean())
