"""Cohort retention tables: customers by the period of their first order, and when they came back.

A customer's **cohort** is the calendar period (UTC day, ISO week or month) of their first
order; guests belong to none. Cell (cohort c, offset k) is the share of c's customers with an
order in period c + k; offset 0 is 1 by definition. A cell is **observed** when period c + k
starts before the end of the data (or of the window), so the last period counts though it may
still be running. An unobserved cell is missing — ``NaN`` in ``CohortTable.shares``, ``None``
in its ``table()`` — never 0, which would read as "nobody came back".

With a window, only the cohorts whose period starts in it are shown, and the window's end is
the end of observation. The cohort sizes sum to the number of customers of those cohorts.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from shopkit.metrics._inputs import Window
from shopkit.metrics._kpi import Kpi, time_range
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import Summaries
from shopkit.metrics._table import Cell, KpiTable
from shopkit.metrics._variants import Period
from shopkit.validators import enum_value

__all__ = ["CohortRetention", "CohortTable", "period_index", "period_label", "period_start"]

DAY = 86_400
FloatMatrix = npt.NDArray[np.float64]


def period_index(times: IntArray, period: Period) -> IntArray:
    """Each time's period number: days, Monday weeks or months since 1970 (UTC)."""
    days = times // DAY
    if period is Period.DAY:
        return days
    if period is Period.WEEK:
        return (days + 3) // 7  # 1970-01-01 was a Thursday: weeks start on Mondays
    return times.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def period_start(index: int, period: Period) -> int:
    """The first second of a period number."""
    if period is Period.DAY:
        return index * DAY
    if period is Period.WEEK:
        return (index * 7 - 3) * DAY
    return int(np.datetime64(index, "M").astype("datetime64[s]").astype(np.int64))


def period_label(index: int, period: Period) -> str:
    """A period number's label: ``2024-01-31``, ``2024-W05`` or ``2024-01``."""
    start = dt.datetime.fromtimestamp(period_start(index, period), dt.UTC)
    if period is Period.DAY:
        return start.date().isoformat()
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


@attrs.frozen(eq=False)
class CohortTable:
    """A cohort retention table.

    Attributes:
        period: The period of cohorts and offsets.
        cohorts: Each cohort's label, oldest first.
        sizes: Each cohort's number of customers.
        shares: ``len(cohorts)`` × offsets: the share of the cohort with an order at each
            offset, ``NaN`` where not observed.
    """

    period: Period
    cohorts: tuple[str, ...]
    sizes: tuple[int, ...]
    shares: FloatMatrix

    def table(self) -> KpiTable:
        """As a ``KpiTable``: cohort, size, then one column per offset (``None`` unobserved)."""
        offsets = self.shares.shape[1] if self.shares.ndim == 2 else 0
        rows = []
        for label, size, shares in zip(self.cohorts, self.sizes, self.shares, strict=True):
            cells: list[Cell] = [label, size]
            cells += [None if np.isnan(value) else float(value) for value in shares]
            rows.append(cells)
        return KpiTable(["cohort", "customers", *(f"+{k}" for k in range(offsets))], rows)


def _period(value: object) -> Period:
    return enum_value(Period, value, "period")


@attrs.frozen
class CohortRetention(Kpi):
    """Cohort retention by the period of the first order (see the module docstring).

    Attributes:
        period: ``"day"``, ``"week"`` or ``"month"`` (default).
    """

    name: ClassVar[str] = "cohorts"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    period: Period = attrs.field(default=Period.MONTH, kw_only=True, converter=_period)

    def evaluate(self, summaries: Summaries, window: Window | None) -> CohortTable:
        """The cohort table of the cohorts starting in ``window``, observed until its end."""
        orders = summaries.orders()
        span = window if window is not None else time_range(orders.columns["at"])
        customer = orders.columns["customer"]
        known = (customer >= 0) & (orders.columns["at"] < (span.end if span else 0))
        customer = customer[known]
        if span is None or len(customer) == 0:
            return CohortTable(self.period, (), (), np.zeros((0, 0)))
        index = period_index(orders.columns["at"][known], self.period)
        first = np.full(len(orders.vocabularies["customer"]), np.iinfo(np.int64).max)
        np.minimum.at(first, customer, index)
        cohort = first[customer]
        cohorts = np.unique(cohort)
        if window is not None:
            starts = np.array([period_start(int(c), self.period) for c in cohorts])
            cohorts = cohorts[starts >= window.start]
        last = int(period_index(np.array([span.end - 1], dtype=np.int64), self.period)[0])
        width = last - int(cohorts.min()) + 1 if len(cohorts) else 0
        pairs = np.unique(np.stack([customer, index - cohort]), axis=1)
        who, offset = pairs[0], pairs[1]
        row_of = {int(c): row for row, c in enumerate(cohorts)}
        counts = np.zeros((len(cohorts), width), dtype=np.int64)
        rows = np.array([row_of.get(int(c), -1) for c in first[who]], dtype=np.int64)
        keep = rows >= 0
        np.add.at(counts, (rows[keep], offset[keep]), 1)
        sizes = counts[:, 0] if width else np.zeros(len(cohorts), dtype=np.int64)
        shares = counts / np.maximum(sizes, 1)[:, None]
        observed = (cohorts[:, None] + np.arange(width)[None, :]) <= last
        shares = np.where(observed, shares, np.nan)
        return CohortTable(
            self.period,
            tuple(period_label(int(c), self.period) for c in cohorts),
            tuple(int(size) for size in sizes),
            shares,
        )
