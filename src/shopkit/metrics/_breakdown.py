"""Breakdowns of KPIs by a dimension (channel, region, segment, category) or over time.

By a **dimension**, each group's KPIs are computed on the rows of that group alone: the order
lines and events with that channel (region, segment), or on items of that category. Refunds
follow their order (matched by id when the result is computed, so a refund and its order may
come in different chunks; refunds naming no order are in no group); spend is split by channel
for a channel breakdown and left out of the others, as are surveys, tickets and deliveries,
which carry no dimension. A traffic source is
a dimension when the shop records it as the orders' and events' ``channel``. Rows with no value
for the dimension form the group ``(none)``.

Over **time** (``day``, ``week``, ``month``, UTC), each row is the KPIs for the window of one
period, computed from the same merged partial, so that a stock KPI (retention, churn, CAC) sees
the history before the period and not only the period's rows.

Either way the breakdown is itself partial: ``partial`` per chunk, ``merge``, ``result``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from shopkit import EventTable, OrderTable
from shopkit.errors import ValidationError
from shopkit.metrics._inputs import ShopData, Spend, Window
from shopkit.metrics._kpi import Kpi, flatten
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import RefundSummary, Summaries
from shopkit.metrics._table import Cell, KpiTable
from shopkit.metrics._variants import Period

__all__ = ["DIMENSIONS", "Breakdown", "BreakdownPartial", "breakdown", "periods"]

DIMENSIONS = ("channel", "region", "segment", "category")
"""The dimensions a breakdown can be by (besides the periods ``day``, ``week``, ``month``)."""

NONE = "(none)"


def _period(value: str) -> Period | None:
    try:
        return Period(value)
    except ValueError:
        return None


def periods(window: Window, period: Period | str) -> list[tuple[str, Window]]:
    """The calendar periods (UTC) that meet ``window``, each with its label and window.

    Labels are ``2024-01-31`` (day), ``2024-W05`` (ISO week, from Monday), ``2024-01`` (month).

    Examples:
        >>> import datetime as dt
        >>> from shopkit.metrics import Window, periods
        >>> at = dt.datetime(2024, 1, 30, tzinfo=dt.UTC)
        >>> [label for label, _ in periods(Window(at, at + dt.timedelta(days=3)), "month")]
        ['2024-01', '2024-02']
    """
    period = Period(period)
    start = dt.datetime.fromtimestamp(window.start, dt.UTC)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.WEEK:
        day -= dt.timedelta(days=day.weekday())
    elif period is Period.MONTH:
        day = day.replace(day=1)
    result = []
    while int(day.timestamp()) < window.end:
        if period is Period.DAY:
            after = day + dt.timedelta(days=1)
            label = day.date().isoformat()
        elif period is Period.WEEK:
            after = day + dt.timedelta(days=7)
            year, week, _ = day.isocalendar()
            label = f"{year}-W{week:02d}"
        else:
            after = (day + dt.timedelta(days=32)).replace(day=1)
            label = f"{day.year}-{day.month:02d}"
        result.append((label, Window(day, after)))
        day = after
    return result


def _select(table: Any, mask: np.ndarray[Any, Any]) -> Any:
    """The rows of a columnar table (an attrs class of arrays) where ``mask`` holds."""
    changes = {
        field.name: getattr(table, field.name)[mask]
        for field in attrs.fields(type(table))
        if isinstance(getattr(table, field.name), np.ndarray)
    }
    return attrs.evolve(table, **changes)


def _labels(
    table: OrderTable | EventTable, dimension: str, categories: Mapping[str, str]
) -> list[str]:
    """Each row's group name."""
    if dimension == "category":
        names = [categories.get(sku, NONE) for sku in table.skus]
        column: IntArray = table.sku
    else:
        names = list(getattr(table, f"{dimension}s"))
        column = getattr(table, dimension)
    lookup = np.array([*names, NONE], dtype=object)
    return list(lookup[np.where(column >= 0, column, len(names))])


def _split(data: ShopData, dimension: str, categories: Mapping[str, str]) -> dict[str, ShopData]:
    """``data`` split into one ``ShopData`` per group of ``dimension``."""
    labels: dict[str, dict[str, Any]] = {}
    for part in ("orders", "events"):
        table = getattr(data, part)
        if table is None:
            continue
        names = np.array(_labels(table, dimension, categories), dtype=object)
        for name in dict.fromkeys(names.tolist()):
            labels.setdefault(name, {})[part] = _select(table, names == name)
    result = {}
    for name, parts in labels.items():
        spend: Spend | None = None
        if dimension == "channel" and data.spend is not None:
            channels = list(data.spend.channels)
            wanted = channels.index(name) if name in channels else (-1 if name == NONE else -2)
            spend = _select(data.spend, data.spend.channel == wanted)
        result[name] = ShopData(orders=parts.get("orders"), events=parts.get("events"), spend=spend)
    return result


def _kpis(value: Iterable[Kpi]) -> tuple[Kpi, ...]:
    kpis = tuple(value)
    for index, kpi in enumerate(kpis):
        if not isinstance(kpi, Kpi):
            raise ValidationError(f"{kpi!r} is not a Kpi", field=f"kpis[{index}]", value=None)
    return kpis


def _needs(kpis: Iterable[Kpi]) -> set[str]:
    return set().union(*(kpi.needs for kpi in kpis))


def _span(summaries: Summaries) -> Window | None:
    times = {
        "orders": "at",
        "events": "first",
        "refunds": "at",
        "spend": "at",
        "surveys": "at",
        "tickets": "at",
        "deliveries": "shipped",
        "items": "at",
    }
    present = [part.columns[times[name]] for name, part in summaries.parts.items() if len(part)]
    if not present:
        return None
    return Window(
        min(int(array.min()) for array in present), max(int(array.max()) for array in present) + 1
    )


def values(kpis: Sequence[Kpi], summaries: Summaries, window: Window | None) -> dict[str, Cell]:
    """Every KPI's value from merged summaries, flattened to table columns."""
    row: dict[str, Cell] = {}
    for kpi in kpis:
        row.update(flatten(kpi.label, kpi.evaluate(summaries, window)))
    return row


@attrs.frozen(eq=False)
class Breakdown:
    """KPIs broken down by a dimension or a period, computed from mergeable partials.

    Attributes:
        kpis: The KPIs, one or more columns each.
        by: ``channel``, ``region``, ``segment``, ``category``, ``day``, ``week`` or ``month``.
        categories: For ``by="category"``: each sku's category (skus not in it: ``(none)``).
    """

    kpis: tuple[Kpi, ...] = attrs.field(converter=_kpis)
    by: str = attrs.field()
    categories: Mapping[str, str] = attrs.field(factory=dict)

    @by.validator
    def _check_by(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in DIMENSIONS and _period(value) is None:
            raise ValidationError(
                f"{value!r} is not a dimension or period: "
                f"{', '.join([*DIMENSIONS, *(p.value for p in Period)])}",
                field="by",
                value=value,
            )

    def partial(self, data: ShopData | OrderTable | EventTable) -> BreakdownPartial:
        """The partial breakdown of one chunk."""
        data = ShopData.wrap(data)
        needs = _needs(self.kpis)
        if _period(self.by) is not None:
            return BreakdownPartial(self, {"": Summaries.of(data, needs)})
        groups = {
            name: Summaries.of(part, needs - {"refunds"})
            for name, part in _split(data, self.by, self.categories).items()
        }
        shared = Summaries.of(data, needs & {"refunds"})
        return BreakdownPartial(self, groups, shared)

    def merge(self, partials: Sequence[BreakdownPartial]) -> BreakdownPartial:
        """Merge chunks' partial breakdowns, group by group."""
        groups: dict[str, list[Summaries]] = {}
        for partial in partials:
            for name, summaries in partial.groups.items():
                groups.setdefault(name, []).append(summaries)
        return BreakdownPartial(
            self,
            {name: Summaries.merge(parts) for name, parts in groups.items()},
            Summaries.merge([partial.shared for partial in partials])
            if partials
            else Summaries({}),
        )

    def compute(
        self, data: ShopData | OrderTable | EventTable, window: Window | None = None
    ) -> KpiTable:
        """The breakdown of ``data`` (one chunk) in ``window``."""
        return self.partial(data).result(window)


@attrs.frozen(eq=False)
class BreakdownPartial:
    """A breakdown's partial result: summaries per group (one, for a period breakdown).

    Attributes:
        breakdown: What it is the partial of.
        groups: The summaries of each group.
        shared: What is split among the groups only when the result is computed (refunds,
            matched to each group's orders by id).
    """

    breakdown: Breakdown
    groups: dict[str, Summaries]
    shared: Summaries = attrs.field(factory=lambda: Summaries({}))

    def _group(self, name: str) -> Summaries:
        group = self.groups[name]
        if "refunds" not in self.shared.parts:
            return group
        refunds: RefundSummary = self.shared.parts["refunds"]  # type: ignore[assignment]
        orders = group.orders()
        ids = {orders.vocabularies["order"][i] for i in orders.columns["order"]}
        names = refunds.vocabularies["order"]
        mine = np.array(
            [i >= 0 and names[i] in ids for i in refunds.columns["order"].tolist()], dtype=bool
        )
        restricted = RefundSummary(
            {key: column[mine] for key, column in refunds.columns.items()},
            refunds.vocabularies,
        )
        return Summaries({**group.parts, "refunds": restricted}, group.absent | self.shared.absent)

    def result(self, window: Window | None = None) -> KpiTable:
        """The table: one row per group (sorted by name) or per period (in time order)."""
        kpis = self.breakdown.kpis
        by = self.breakdown.by
        period = _period(by)
        if period is not None:
            summaries = self.groups[""]
            span = window if window is not None else _span(summaries)
            records = (
                []
                if span is None
                else [
                    (label, values(kpis, summaries, piece))
                    for label, piece in periods(span, period)
                ]
            )
            return KpiTable.of(by, records)
        return KpiTable.of(
            by,
            [(name, values(kpis, self._group(name), window)) for name in sorted(self.groups)],
        )


def breakdown(
    kpis: Sequence[Kpi],
    data: ShopData | OrderTable | EventTable,
    by: str,
    *,
    window: Window | None = None,
    categories: Mapping[str, str] | None = None,
) -> KpiTable:
    """KPIs of ``data`` broken down by a dimension or a period, as a table.

    Args:
        kpis: The KPIs.
        data: The data (one chunk; for many, use ``Breakdown`` with ``partial`` and ``merge``).
        by: ``channel``, ``region``, ``segment``, ``category``, ``day``, ``week`` or ``month``.
        window: Only this time (all of the data's when ``None``).
        categories: Each sku's category, for ``by="category"``.

    Raises:
        ValidationError: ``by`` is none of those.
    """
    return Breakdown(kpis, by, dict(categories or {})).compute(data, window)
