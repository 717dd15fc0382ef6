"""Marketing KPIs: CAC, ROI, LTV:CAC and the payback period.

For a window, the *acquired* customers are those whose first order (over all the data) is in
it, and the spend is the marketing spend dated in it, per currency:

- **CAC** = spend ÷ customers acquired, rounded half-even to a minor unit.
- **ROI** = (revenue of the orders placed in the window − spend) ÷ spend: a ratio, negative
  when the spend is not earned back.
- **LTV:CAC** = the acquired customers' lifetime value ÷ CAC; the LTV is historic — their
  revenue over all their orders in the data (or ``horizon_days`` after each one's first) ÷
  their number — unless a predicted one (the CLV model's) is given.
- **Payback period** = the days after acquisition by which the acquired customers' cumulative
  revenue × ``margin`` covers the spend (``None`` if it has not yet).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

import attrs
import numpy as np

from shopkit import Money, RoundingMode
from shopkit import validators as check
from shopkit._numbers import round_ratio
from shopkit.metrics._inputs import Window
from shopkit.metrics._kpi import Kpi, exact_sum, money_sums, rate, time_range, within
from shopkit.metrics._kpis_orders import placed
from shopkit.metrics._partials import IntArray
from shopkit.metrics._summaries import OrderSummary, SpendSummary, Summaries

__all__ = ["CustomerAcquisitionCost", "LtvToCac", "PaybackPeriod", "ReturnOnInvestment"]

DAY = 86_400


def _spend(summaries: Summaries, window: Window | None) -> dict[str, Money]:
    spend: SpendSummary = summaries.get("spend")  # type: ignore[assignment]
    made = within(spend.columns["at"], window)
    return money_sums(
        spend.columns["amount"][made],
        spend.columns["currency"][made],
        spend.vocabularies["currency"],
    )


def _acquired(orders: OrderSummary, window: Window | None) -> tuple[IntArray, IntArray]:
    """The customers whose first order is in ``window``, and each one's first order time."""
    first = np.full(len(orders.vocabularies["customer"]), np.iinfo(np.int64).max, dtype=np.int64)
    known = orders.columns["customer"] >= 0
    np.minimum.at(first, orders.columns["customer"][known], orders.columns["at"][known])
    window = window if window is not None else time_range(orders.columns["at"])
    if window is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    new = np.flatnonzero((first >= window.start) & (first < window.end))
    return new, first


def _cac(summaries: Summaries, window: Window | None) -> dict[str, tuple[Money, int]]:
    """Spend and the number acquired, per spend currency."""
    new, _ = _acquired(summaries.orders(), window)
    return {code: (amount, len(new)) for code, amount in _spend(summaries, window).items()}


@attrs.frozen
class CustomerAcquisitionCost(Kpi):
    """CAC: marketing spend in the window ÷ customers acquired in it, per spend currency."""

    name: ClassVar[str] = "cac"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "spend"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, Money | None]:
        """CAC per currency in ``window`` (``None`` when nobody was acquired)."""
        return {
            code: None
            if n == 0
            else Money(round_ratio(spend.minor, n, RoundingMode.HALF_EVEN), code)
            for code, (spend, n) in _cac(summaries, window).items()
        }


@attrs.frozen
class ReturnOnInvestment(Kpi):
    """ROI: (revenue of orders placed in the window − spend in it) ÷ spend, per currency."""

    name: ClassVar[str] = "roi"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "spend"})

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, float | None]:
        """ROI per spend currency in ``window``."""
        orders = summaries.orders()
        mask = placed(orders, window)
        revenue = money_sums(
            orders.net()[mask], orders.columns["currency"][mask], orders.vocabularies["currency"]
        )
        result = {}
        for code, spend in _spend(summaries, window).items():
            earned = revenue.get(code, Money.zero(code)).minor
            result[code] = rate(earned - spend.minor, spend.minor)
        return result


def _cohort_value(
    orders: OrderSummary, new: IntArray, first: IntArray, code: str, horizon_days: int | None
) -> tuple[IntArray, IntArray]:
    """Days since acquisition and revenue of each order of the acquired customers in ``code``."""
    codes = orders.vocabularies["currency"]
    number = codes.index(code) if code in codes else -2
    customer = orders.columns["customer"]
    is_new = np.zeros(len(first) + 1, dtype=bool)
    is_new[new] = True
    mine = is_new[customer] & (customer >= 0) & (orders.columns["currency"] == number)
    days = (orders.columns["at"][mine] - first[customer[mine]]) // DAY
    value = orders.net()[mine]
    if horizon_days is not None:
        keep = days < horizon_days
        days, value = days[keep], value[keep]
    return days, value


@attrs.frozen
class LtvToCac(Kpi):
    """Lifetime value of the customers acquired in the window ÷ their CAC, per currency.

    Attributes:
        ltv: A predicted lifetime value per customer (the CLV model's), in the spend's currency;
            historic (their revenue in the data ÷ their number) when ``None``.
        horizon_days: Count, for the historic LTV, only the orders this many days after each
            customer's first; all when ``None``.
    """

    name: ClassVar[str] = "ltv:cac"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "spend"})

    ltv: Money | None = attrs.field(default=None, kw_only=True)
    horizon_days: int | None = attrs.field(
        default=None, kw_only=True, validator=check.optional(check.positive_int)
    )

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, float | None]:
        """LTV ÷ CAC per spend currency (``None`` when nobody was acquired or nothing spent)."""
        orders = summaries.orders()
        new, first = _acquired(orders, window)
        result: dict[str, float | None] = {}
        for code, spend in _spend(summaries, window).items():
            if len(new) == 0 or spend.minor == 0:
                result[code] = None
                continue
            if self.ltv is not None:
                # ltv ÷ (spend ÷ n) = ltv × n ÷ spend
                result[code] = self.ltv.minor * len(new) / spend.minor
                continue
            _, value = _cohort_value(orders, new, first, code, self.horizon_days)
            result[code] = exact_sum(value) / spend.minor  # (Σ value ÷ n) ÷ (spend ÷ n)
        return result


@attrs.frozen
class PaybackPeriod(Kpi):
    """Days after acquisition until the acquired customers' revenue × margin covers the spend.

    Attributes:
        margin: The gross margin as a fraction of revenue (1: revenue itself), exact.
    """

    name: ClassVar[str] = "payback days"
    needs: ClassVar[frozenset[str]] = frozenset({"orders", "spend"})

    margin: Decimal = attrs.field(
        default=Decimal(1),
        kw_only=True,
        converter=check.decimal,
        validator=check.decimal_between(0, 1),
    )

    def evaluate(self, summaries: Summaries, window: Window | None) -> dict[str, int | None]:
        """The payback period in days per spend currency (``None`` if not yet paid back)."""
        orders = summaries.orders()
        new, first = _acquired(orders, window)
        margin = Fraction(self.margin)
        result: dict[str, int | None] = {}
        for code, spend in _spend(summaries, window).items():
            days, value = _cohort_value(orders, new, first, code, None)
            order = np.argsort(days, kind="stable")
            days, value = days[order], value[order]
            total = 0
            result[code] = None
            if spend.minor == 0:
                result[code] = 0
                continue
            for day in np.unique(days):
                total += exact_sum(value[days == day])
                if total * margin.numerator >= spend.minor * margin.denominator:
                    result[code] = int(day)
                    break
        return result
