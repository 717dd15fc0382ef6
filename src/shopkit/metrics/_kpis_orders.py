"""KPIs of orders: GMV, revenue, AOV, revenue per visitor, refund rate, repeat purchase rate.

Definitions (a window counts the orders *placed* in it; amounts are minor units, exact):

- **GMV**: Σ quantity × unit price of the orders, before discounts, refunds, shipping and tax.
- **Revenue**: Σ line totals (gross − line discounts), without shipping and tax; optionally
  less the refunds *made* in the window.
- **AOV per order**: revenue ÷ orders; per customer: revenue of customers' orders ÷ distinct
  customers (guests left out). Shipping and tax can be included; rounded half-even.
- **Revenue per visitor**: revenue ÷ distinct visitors with a session starting in the window.
- **Refund rate** by order date: of the revenue of orders placed in the window, the share
  refunded (at any time; refunds of an order capped at its revenue; refunds naming no order
  are not counted); by refund date: refunds made in the window ÷ revenue of orders placed in
  it — a ratio that can exceed 1 when earlier sales are refunded in a quiet window.
- **Repeat purchase rate**: customers with at least two orders in the window ÷ customers with
  at least one.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from shopkit import Money
from shopkit.errors import ValidationError
from shopkit.metrics._inputs import Window
from shopkit.metrics._kpi import Kpi, distinct, exact_sum, money_means, money_sums, rate, within
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import EventSummary, OrderSummary, RefundSummary, Summaries
from shopkit.metrics._variants import AveragePer, RefundBasis
from shopkit.validators import enum_value

__all__ = [
    "AverageOrderValue",
    "GrossMerchandiseValue",
    "RefundRate",
    "RepeatPurchaseRate",
    "Revenue",
    "RevenuePerVisitor",
    "placed",
]

Mask = np.ndarray[tuple[int], np.dtype[np.bool_]]


def _per(value: object) -> AveragePer:
    return enum_value(AveragePer, value, "per")


def _by(value: object) -> RefundBasis:
    return enum_value(RefundBasis, value, "by")


def placed(orders: OrderSummary, window: Window | None, *, priced: bool = True) -> Mask:
    """Which orders were placed in ``window``; with ``priced``, refuse an unpriced one.

    Raises:
        ValidationError: an order in the window has a line without a price.
    """
    mask = within(orders.columns["at"], window)
    if priced:
        unpriced = np.flatnonzero(mask & (orders.columns["unpriced"] > 0))
        if len(unpriced):
            name = orders.vocabularies["order"][int(orders.columns["order"][unpriced[0]])]
            raise ValidationError(
                f"order {name!r} has a line without a price; KPIs need prices",
                field="orders",
                value=name,
            )
    return mask


def _with(orders: OrderSummary, mask: Mask, amounts: IntArray, column: str) -> IntArray:
    unknown = np.flatnonzero(mask & (orders.columns[f"{column}_unknown"] > 0))
    if len(unknown):
        name = orders.vocabularies["order"][int(orders.columns["order"][unknown[0]])]
        raise ValidationError(f"order {name!r} does not say its {column}", field=column, value=name)
    return amounts + orders.columns[column]


@attrs.frozen
class GrossMerchandiseValue(Kpi):
    """GMV: Σ quantity × unit price of the orders placed, per currency (exact).

    Before discounts (``net_of_discounts=True`` takes them off), refunds, shipping and tax.

    Attributes:
        net_of_discounts: Take the line discounts off.
    """

    name: ClassVar[str] = "gmv"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    net_of_discounts: bool = attrs.field(default=False, kw_only=True)

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money]:
        """GMV per currency of the orders placed in ``window``."""
        orders = summaries.orders()
        mask = placed(orders, window)
        amounts = orders.net() if self.net_of_discounts else orders.columns["gross"]
        return money_sums(
            amounts[mask], orders.columns["currency"][mask], orders.vocabularies["currency"]
        )


@attrs.frozen
class Revenue(Kpi):
    """Revenue: Σ line totals of the orders placed, per currency, without shipping and tax.

    Attributes:
        less_refunds: Take off the refunds made in the window (by refund date); with no
            refunds given at all the value is empty (not known), not the revenue.
    """

    name: ClassVar[str] = "revenue"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "refunds"})

    less_refunds: bool = attrs.field(default=False, kw_only=True)

    @property
    def label(self) -> str:
        """``revenue``, or ``net revenue`` when refunds are taken off."""
        return "net revenue" if self.less_refunds else "revenue"

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money]:
        """Revenue per currency in ``window``."""
        orders = summaries.orders()
        mask = placed(orders, window)
        result = money_sums(
            orders.net()[mask], orders.columns["currency"][mask], orders.vocabularies["currency"]
        )
        if self.less_refunds and not summaries.has("refunds"):
            return {}
        if self.less_refunds:
            refunds: RefundSummary = summaries.get("refunds")  # type: ignore[assignment]
            made = within(refunds.columns["at"], window)
            back = money_sums(
                refunds.columns["amount"][made],
                refunds.columns["currency"][made],
                refunds.vocabularies["currency"],
            )
            for code, amount in back.items():
                result[code] = result.get(code, Money.zero(code)) - amount
        return result


@attrs.frozen
class AverageOrderValue(Kpi):
    """AOV: revenue ÷ orders (``per="order"``) or ÷ customers (``per="customer"``), per currency.

    Revenue is gross less discounts, without tax and shipping unless asked; rounded half-even
    to a minor unit. Per customer, guests' orders are left out of both sides.

    Attributes:
        per: ``"order"`` or ``"customer"``.
        shipping: Include the orders' shipping (an order that does not say is an error).
        tax: Include the orders' tax.
    """

    name: ClassVar[str] = "aov"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    per: AveragePer = attrs.field(default=AveragePer.ORDER, kw_only=True, converter=_per)
    shipping: bool = attrs.field(default=False, kw_only=True)
    tax: bool = attrs.field(default=False, kw_only=True)

    @property
    def label(self) -> str:
        """``aov`` per order, ``aov per customer`` otherwise."""
        return "aov" if self.per is AveragePer.ORDER else "aov per customer"

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money]:
        """AOV per currency of the orders placed in ``window``."""
        orders = summaries.orders()
        mask = placed(orders, window)
        amounts = orders.net()
        if self.shipping:
            amounts = _with(orders, mask, amounts, "shipping")
        if self.tax:
            amounts = _with(orders, mask, amounts, "tax")
        currency = orders.columns["currency"]
        codes = orders.vocabularies["currency"]
        if self.per is AveragePer.ORDER:
            return money_means(amounts[mask], currency[mask], codes)
        mask &= orders.columns["customer"] >= 0
        counts = {
            code: distinct(orders.columns["customer"][mask & (currency == index)])
            for index, code in enumerate(codes)
        }
        return money_means(amounts[mask], currency[mask], codes, counts)


def visitors(events: EventSummary, window: Window | None) -> int:
    """Distinct visitors with a session starting in ``window`` (a guest session is one)."""
    sessions = events.sessions()
    return distinct(sessions.visitor[within(sessions.first, window)])


@attrs.frozen
class RevenuePerVisitor(Kpi):
    """Revenue of the orders placed in the window ÷ distinct visitors in it, per currency.

    A visitor is a customer id, or a guest session; rounded half-even to a minor unit.
    """

    name: ClassVar[str] = "revenue per visitor"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "events"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money]:
        """Revenue per visitor per currency in ``window``."""
        orders = summaries.orders()
        mask = placed(orders, window)
        n = visitors(summaries.events(), window)
        codes = orders.vocabularies["currency"]
        return money_means(
            orders.net()[mask],
            orders.columns["currency"][mask],
            codes,
            dict.fromkeys(codes, n),
        )


@attrs.frozen
class RefundRate(Kpi):
    """The share of revenue refunded, per currency, by order date or by refund date.

    With no refunds given at all the value is empty (not known), never 0.

    Attributes:
        by: ``"order_date"``: of the orders placed in the window, the refunded share of their
            revenue (refunds at any time, capped at each order's revenue; refunds naming no
            order are not counted) — a rate in [0, 1]. ``"refund_date"``: refunds made in the
            window ÷ revenue of orders placed in it — a ratio, above 1 when refunds of earlier
            sales outweigh the window's sales.
    """

    name: ClassVar[str] = "refund rate"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "refunds"})

    by: RefundBasis = attrs.field(default=RefundBasis.ORDER_DATE, kw_only=True, converter=_by)

    @property
    def label(self) -> str:
        """``refund rate`` by order date, ``refund rate by refund date`` otherwise."""
        return self.name if self.by is RefundBasis.ORDER_DATE else f"{self.name} by refund date"

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, float | None]:
        """The refund rate per currency in ``window``."""
        orders = summaries.orders()
        refunds: RefundSummary = summaries.get("refunds")  # type: ignore[assignment]
        mask = placed(orders, window)
        if not summaries.has("refunds"):
            return {}
        net = orders.net()
        codes = orders.vocabularies["currency"]
        currency = orders.columns["currency"]
        if self.by is RefundBasis.REFUND_DATE:
            made = within(refunds.columns["at"], window)
            back = money_sums(
                refunds.columns["amount"][made],
                refunds.columns["currency"][made],
                refunds.vocabularies["currency"],
            )
            return {
                code: rate(
                    back[code].minor if code in back else 0,
                    exact_sum(net[mask & (currency == index)]),
                )
                for index, code in enumerate(codes)
                if np.any(mask & (currency == index))
            }
        refunded = np.zeros(len(orders), dtype=np.int64)
        position = {name: index for index, name in enumerate(orders.vocabularies["order"])}
        known = refunds.columns["order"] >= 0
        if known.any():
            names = refunds.vocabularies["order"]
            numbers = np.fromiter(
                (position.get(names[int(i)], -1) for i in refunds.columns["order"][known]),
                dtype=np.int64,
            )
            rows = np.searchsorted(orders.columns["order"], numbers)
            found = (numbers >= 0) & (rows < len(orders))
            found[found] &= orders.columns["order"][rows[found]] == numbers[found]
            np.add.at(refunded, rows[found], refunds.columns["amount"][known][found])
        refunded = np.minimum(refunded, np.maximum(net, 0))
        return {
            code: rate(
                exact_sum(refunded[mask & (currency == index)]),
                exact_sum(net[mask & (currency == index)]),
            )
            for index, code in enumerate(codes)
            if np.any(mask & (currency == index))
        }


def orders_per_customer(orders: OrderSummary, mask: Mask) -> IntArray:
    """How many of the selected orders each customer placed (customers with none left out)."""
    customer = orders.columns["customer"][mask]
    customer = customer[customer >= 0]
    counts = np.bincount(customer, minlength=len(orders.vocabularies["customer"]))
    return counts[counts > 0].astype(np.int64)


@attrs.frozen
class RepeatPurchaseRate(Kpi):
    """Customers with at least two orders placed in the window ÷ customers with at least one."""

    name: ClassVar[str] = "repeat purchase rate"
    needs: ClassVar[frozenset[str]] = frozenset({"orders"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> float | None:
        """The repeat purchase rate in ``window``."""
        orders = summaries.orders()
        counts = orders_per_customer(orders, placed(orders, window, priced=False))
        return rate(int((counts >= 2).sum()), len(counts))
