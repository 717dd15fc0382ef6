"""What an author of a KPI needs: the base class, the summaries it reads, and their helpers.

A KPI is an ``attrs.frozen`` subclass of ``Kpi`` naming the summaries it ``needs`` and writing
``evaluate(summaries, window)``; ``partial``, ``merge``, ``compute`` and the breakdowns come
with the base class, so a new KPI merges exactly across chunks as the built-in ones do as long
as it reads only the summaries. A new kind of summary is a ``Keyed`` subclass: its columns'
``RULES`` (``key``, ``sum``, ``min``, ``max``) and which of them index a vocabulary (``NAMED``).
Registered in ``kpis`` (``@kpis.register("name")``, or the entry-point group ``shopkit.kpis``),
a KPI is named in a config by its type: ``from_dict({"type": "aov", "per": "customer"}, Kpi)``.

Examples:
    >>> import datetime as dt
    >>> from typing import ClassVar
    >>> import attrs
    >>> from shopkit import Money, Order, OrderLine, OrderTable
    >>> from shopkit.metrics.plugin import Kpi, rate, within
    >>> @attrs.frozen
    ... class DiscountedShare(Kpi):
    ...     '''Orders with a discount ÷ orders placed.'''
    ...     name: ClassVar[str] = "discounted share"
    ...     needs: ClassVar[frozenset[str]] = frozenset({"orders"})
    ...     def evaluate(self, summaries, window):
    ...         orders = summaries.orders()
    ...         placed = within(orders.columns["at"], window)
    ...         discounted = placed & (orders.columns["discount"] > 0)
    ...         return rate(int(discounted.sum()), int(placed.sum()))
    >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    >>> gbp = lambda amount: Money.of(amount, "GBP")
    >>> orders = OrderTable.of([
    ...     Order("o1", [OrderLine("MUG", 1, gbp("5"), discount=gbp("1"))], at),
    ...     Order("o2", [OrderLine("MUG", 1, gbp("5"))], at),
    ... ])
    >>> DiscountedShare().compute(orders)
    0.5
"""

from shopkit.metrics._kinds import kpis
from shopkit.metrics._kpi import (
    Kpi,
    KpiPartial,
    distinct,
    exact_sum,
    money_means,
    money_sums,
    present,
    rate,
    within,
)
from shopkit.metrics._partials import Keyed
from shopkit.metrics._summaries import (
    DeliverySummary,
    EventSummary,
    OrderItems,
    OrderSummary,
    RefundSummary,
    Sessions,
    SpendSummary,
    Summaries,
    SurveySummary,
    TicketSummary,
)

__all__ = [
    "DeliverySummary",
    "EventSummary",
    "Keyed",
    "Kpi",
    "KpiPartial",
    "OrderItems",
    "OrderSummary",
    "RefundSummary",
    "Sessions",
    "SpendSummary",
    "Summaries",
    "SurveySummary",
    "TicketSummary",
    "distinct",
    "exact_sum",
    "kpis",
    "money_means",
    "money_sums",
    "present",
    "rate",
    "within",
]
