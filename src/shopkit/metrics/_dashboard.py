"""A KPI dashboard: many KPIs from one pass of summaries, as a table of KPI and value.

``Dashboard`` builds the summaries every KPI needs once per chunk (``partial``), merges them
(``merge``) and evaluates each KPI (``result``), so a dashboard of twelve KPIs over a million
orders reads the orders once. ``ORDER_KPIS`` is the dashboard of what an orders file gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import attrs

from shopkit import EventTable, OrderTable
from shopkit.metrics._breakdown import _kpis, values
from shopkit.metrics._inputs import ShopData, Window
from shopkit.metrics._kpi import Kpi, distinct
from shopkit.metrics._kpis_orders import (
    AverageOrderValue,
    GrossMerchandiseValue,
    RefundRate,
    RepeatPurchaseRate,
    Revenue,
    placed,
)
from shopkit.metrics._kpis_retention import Churn, Retention
from shopkit.metrics._summaries import Summaries
from shopkit.metrics._table import KpiTable

__all__ = ["ORDER_KPIS", "CustomerCount", "Dashboard", "DashboardPartial", "OrderCount"]


@attrs.frozen
class OrderCount(Kpi):
    """The number of orders placed in the window."""

    name: ClassVar[str] = "orders"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> int:
        """Orders placed in ``window``."""
        return int(placed(summaries.orders(), window, priced=False).sum())


@attrs.frozen
class CustomerCount(Kpi):
    """The number of distinct customers who placed an order in the window (guests left out)."""

    name: ClassVar[str] = "customers"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> int:
        """Distinct customers with an order in ``window``."""
        orders = summaries.orders()
        customer = orders.columns["customer"][placed(orders, window, priced=False)]
        return distinct(customer[customer >= 0])


ORDER_KPIS: tuple[Kpi, ...] = (
    OrderCount(),
    CustomerCount(),
    GrossMerchandiseValue(),
    Revenue(),
    Revenue(less_refunds=True),
    AverageOrderValue(),
    AverageOrderValue(per="customer"),
    RepeatPurchaseRate(),
    RefundRate(by="refund_date"),
    Retention(),
    Churn(),
)
"""The dashboard of an orders file (with its refunds): counts, GMV, revenue, AOV, repeat
purchases, refunds, retention and churn (over the last 90 days when no window is given)."""


@attrs.frozen(eq=False)
class Dashboard:
    """Many KPIs from one set of summaries per chunk.

    Attributes:
        kpis: The KPIs shown, in order (``ORDER_KPIS`` by default).
    """

    kpis: tuple[Kpi, ...] = attrs.field(default=ORDER_KPIS, converter=_kpis)

    def partial(self, data: ShopData | OrderTable | EventTable) -> DashboardPartial:
        """The summaries of one chunk, for every KPI."""
        needs = set().union(*(kpi.needs for kpi in self.kpis))
        return DashboardPartial(self, Summaries.of(ShopData.wrap(data), needs))

    def merge(self, partials: Sequence[DashboardPartial]) -> DashboardPartial:
        """Merge chunks' partials."""
        return DashboardPartial(self, Summaries.merge([part.summaries for part in partials]))

    def compute(
        self, data: ShopData | OrderTable | EventTable, window: Window | None = None
    ) -> KpiTable:
        """The dashboard of ``data`` (one chunk) in ``window``."""
        return self.partial(data).result(window)


@attrs.frozen(eq=False)
class DashboardPartial:
    """A dashboard's partial result.

    Attributes:
        dashboard: What it is the partial of.
        summaries: The merged summaries.
    """

    dashboard: Dashboard
    summaries: Summaries

    def result(self, window: Window | None = None) -> KpiTable:
        """The dashboard as a table of ``kpi`` and ``value`` rows."""
        row = values(self.dashboard.kpis, self.summaries, window)
        return KpiTable(["kpi", "value"], [[name, value] for name, value in row.items()])
