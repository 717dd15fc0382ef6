"""The KPI interface: ``partial`` per chunk, ``merge`` the partials, ``result`` for a window.

Every KPI is a frozen attrs class whose fields choose its variant (per order or per customer,
by order date or by refund date, …). It names the summaries it needs (``needs``); ``partial``
builds them from one chunk, ``merge`` combines chunks' partials exactly, and the merged
partial's ``result(window)`` computes the value. ``compute(data)`` is the three in one.

Values are exact where they are money (a ``dict`` of currency code to ``Money``), floats in
``[0, 1]`` where they are rates, and ``None`` where the value is not defined (nothing to divide
by) — never a made-up 0.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeAlias

import attrs
import numpy as np

from shopkit import EventTable, Money, OrderTable, RoundingMode
from shopkit._numbers import round_ratio
from shopkit.errors import ValidationError
from shopkit.metrics._inputs import ShopData, Window
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import Summaries

__all__ = ["Kpi", "KpiPartial", "Value", "distinct", "flatten", "present"]

Value: TypeAlias = Any
"""A KPI's value: ``dict[str, Money]``, ``dict[str, float | None]``, a float, an int, ``None``,
or a structured result (``FunnelResult``)."""


class Kpi(abc.ABC):
    """A KPI calculator (the base of every built-in KPI; subclass it for your own).

    A subclass is an ``attrs.frozen`` class; it sets ``name`` (a short identifier used as a
    column name), ``needs`` (the summaries it reads: ``"orders"``, ``"items"``, ``"events"``,
    ``"refunds"``, ``"spend"``, ``"surveys"``, ``"tickets"``, ``"deliveries"``) and writes
    ``evaluate``.
    """

    name: ClassVar[str]
    needs: ClassVar[frozenset[str]]

    @property
    def label(self) -> str:
        """The column name in tables: ``name``, with the variant where there is one."""
        return self.name

    def partial(self, data: ShopData | OrderTable | EventTable) -> KpiPartial:
        """The partial result of one chunk of data."""
        return KpiPartial(self, Summaries.of(ShopData.wrap(data), self.needs))

    def merge(self, partials: Sequence[KpiPartial]) -> KpiPartial:
        """Merge chunks' partials; the same result whatever the chunking and grouping.

        Raises:
            ValidationError: a partial is of another KPI.
        """
        partials = list(partials)
        for index, part in enumerate(partials):
            if not isinstance(part, KpiPartial) or part.kpi != self:
                raise ValidationError(
                    f"is not a partial of {self.label}", field=f"partials[{index}]", value=None
                )
        if not partials:
            return KpiPartial(self, Summaries.of(ShopData(), self.needs))
        return KpiPartial(self, Summaries.merge([part.summaries for part in partials]))

    def compute(
        self, data: ShopData | OrderTable | EventTable, window: Window | None = None
    ) -> Value:
        """The KPI over ``data`` (one chunk), in ``window`` (all of the data's time if ``None``)."""
        return self.partial(data).result(window)

    @abc.abstractmethod
    def evaluate(self, summaries: Summaries, window: Window | None) -> Value:
        """The value from merged summaries, for ``window`` (``None``: all the data's time)."""


@attrs.frozen(eq=False)
class KpiPartial:
    """A KPI's partial result: the summaries of some chunks, mergeable with others.

    Attributes:
        kpi: The KPI it is the partial of.
        summaries: The summaries of the chunks merged so far.
    """

    kpi: Kpi
    summaries: Summaries

    def result(self, window: Window | None = None) -> Value:
        """The KPI's value over the chunks merged into this partial."""
        return self.kpi.evaluate(self.summaries, window)

    def __add__(self, other: KpiPartial) -> KpiPartial:
        if not isinstance(other, KpiPartial):
            return NotImplemented
        return self.kpi.merge([self, other])


def within(times: IntArray, window: Window | None) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which times fall in ``window`` (all of them when ``None``)."""
    if window is None:
        return np.ones(len(times), dtype=bool)
    return (times >= window.start) & (times < window.end)


def present(indices: IntArray, size: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which of ``0 … size − 1`` occur in ``indices`` (non-negative): a distinct set as a mask.

    Faster than ``np.unique`` on a million indices into a vocabulary, and already aligned with
    the vocabulary.
    """
    mask = np.zeros(size, dtype=bool)
    mask[indices] = True
    return mask


def distinct(indices: IntArray) -> int:
    """How many distinct non-negative indices there are."""
    if len(indices) == 0:
        return 0
    return int(present(indices, int(indices.max()) + 1).sum())


def exact_sum(values: IntArray) -> int:
    """The sum of ``int64`` values as a Python int, without overflow."""
    if len(values) and float(np.abs(values).astype(np.float64).sum()) >= 2.0**62:  # float-ok
        return sum(int(value) for value in values)
    return int(values.sum())


def money_sums(
    amounts: IntArray, currency: IntArray, currencies: Sequence[str]
) -> dict[str, Money]:
    """Σ amounts per currency, exact; currencies with no row are left out."""
    result = {}
    for index, code in enumerate(currencies):
        mask = currency == index
        if mask.any():
            result[code] = Money(exact_sum(amounts[mask]), code)
    return result


def money_means(
    amounts: IntArray,
    currency: IntArray,
    currencies: Sequence[str],
    counts: Mapping[str, int] | None = None,
) -> dict[str, Money]:
    """Σ amounts / count per currency, rounded half-even to a minor unit.

    ``counts`` gives the divisor per currency; by default the number of rows.
    """
    result = {}
    for index, code in enumerate(currencies):
        mask = currency == index
        n = int(mask.sum()) if counts is None else counts.get(code, 0)
        if mask.any() and n > 0:
            result[code] = Money(
                round_ratio(exact_sum(amounts[mask]), n, RoundingMode.HALF_EVEN), code
            )
    return result


def rate(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` as a float, ``None`` when the denominator is 0."""
    return None if denominator == 0 else numerator / denominator


def time_range(*arrays: IntArray) -> Window | None:
    """The window from the first to one second past the last of the times, ``None`` if none."""
    present = [array for array in arrays if len(array)]
    if not present:
        return None
    start = min(int(array.min()) for array in present)
    end = max(int(array.max()) for array in present)
    return Window(start, end + 1)


def flatten(label: str, value: Value) -> dict[str, Any]:
    """A KPI value as table columns: a scalar under ``label``, a mapping one column per key.

    Money becomes its ``Money``; a structured result gives its own columns (``columns()``).
    """
    if hasattr(value, "columns") and callable(value.columns):
        return {f"{label} {key}": item for key, item in value.columns().items()}
    if isinstance(value, Mapping):
        return {f"{label} ({key})": item for key, item in value.items()}
    return {label: value}
