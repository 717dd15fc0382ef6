"""Predictive customer lifetime value: BG/NBD and MBG/NBD for purchases, Gamma-Gamma for spend.

The models are fitted by maximum likelihood with numpy and scipy over the *unique*
(frequency, recency, T) rows, each weighted by how many customers share it, with the exact
gradient of the log-likelihood (so the optimiser needs few evaluations), the parameters on a
log scale, and time scaled so that the longest age is 1 (as the ``lifetimes`` package does).

- BG/NBD: Fader, Hardie and Lee (2005), "Counting your customers the easy way".
- MBG/NBD: Batislam, Denizel and Filiztekin (2007): a customer may also drop out right after
  the first purchase, so a customer with no repeat purchase is not certainly alive.
- Gamma-Gamma: Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves", fitted on
  the customers with at least one repeat period.

A fit that does not converge, or whose parameters run off to 0 or infinity (data that the model
does not fit: no repeat purchase at all, say), raises ``ConvergenceError``; data that cannot be
a repeat summary (a negative count, a recency past the age) raises ``ValidationError`` naming
the field and the first bad row.

Predictions are statistics, so they are floats; ``to_money`` turns a value in major units into
``Money`` with a named rounding. The models live in ``_purchases`` and ``_spend``, what they
share in ``_clv_fitting``; this module combines them (``clv``) and re-exports them.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from shopkit import Money, RoundingMode
from shopkit.errors import ValidationError
from shopkit.metrics._clv_fitting import ConvergenceError, FloatArray
from shopkit.metrics._customers import RepeatSummary
from shopkit.metrics._purchases import BgNbd, MbgNbd, _PurchaseModel
from shopkit.metrics._spend import GammaGamma

__all__ = ["BgNbd", "ConvergenceError", "GammaGamma", "MbgNbd", "clv", "to_money"]


def clv(
    purchases: BgNbd | MbgNbd,
    spend: GammaGamma,
    summary: RepeatSummary,
    *,
    periods: int = 12,
    period_length: float = 30.0,
    discount_rate: float = 0.01,
) -> FloatArray:
    """Each customer's discounted expected spend over the next ``periods`` periods.

    ``sum over i = 1..periods of (E[X(i·L)] − E[X((i − 1)·L)]) · E[M] / (1 + d)^i``, with
    ``E[X(h)]`` the expected purchases in ``h`` time units (``purchases``), ``L`` the
    ``period_length`` in the data's time unit, ``E[M]`` the expected spend per purchase
    (``spend``) and ``d`` the ``discount_rate`` per period. The result is in major units of
    ``summary.currency`` (``to_money`` rounds it).

    Args:
        purchases: A fitted purchase model.
        spend: A fitted spend model.
        summary: The customers' repeat summary, in the time unit the models were fitted in.
        periods: How many periods ahead, 1 to 1200.
        period_length: A period in the data's time unit (30 days by default: a month).
        discount_rate: The discount rate per period, from 0 to 1.

    Returns:
        One value per customer of ``summary``.

    Raises:
        ValidationError: an argument is out of range or of the wrong type.
    """
    if not isinstance(purchases, _PurchaseModel):
        raise ValidationError(
            f"{purchases!r} is not a BgNbd or MbgNbd model", field="purchases", value=None
        )
    if not isinstance(spend, GammaGamma):
        raise ValidationError(f"{spend!r} is not a GammaGamma model", field="spend", value=None)
    if not isinstance(summary, RepeatSummary):
        raise ValidationError(f"{summary!r} is not a RepeatSummary", field="summary", value=None)
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= 1200:
        raise ValidationError(
            f"{periods!r} is not a whole number from 1 to 1200", field="periods", value=periods
        )
    if not isinstance(period_length, int | float) or not period_length > 0:
        raise ValidationError(
            f"{period_length!r} is not a positive time", field="period_length", value=None
        )
    if not isinstance(discount_rate, int | float) or not 0 <= discount_rate <= 1:
        raise ValidationError(
            f"{discount_rate!r} is not a rate from 0 to 1", field="discount_rate", value=None
        )
    value = spend.expected_spend(summary.frequency, summary.monetary)
    total = np.zeros(len(summary))
    before = np.zeros(len(summary))
    for step in range(1, periods + 1):
        upto = purchases.expected_purchases(
            step * float(period_length), summary.frequency, summary.recency, summary.T
        )
        total += (upto - before) * value / (1 + float(discount_rate)) ** step
        before = upto
    return total


def to_money(value: float, currency: str, rounding: RoundingMode = RoundingMode.HALF_UP) -> Money:
    """A predicted amount in major units (a float) as ``Money``, rounded with a named rule.

    The float's exact binary value is rounded once, to the currency's minor unit.

    Raises:
        ValidationError: ``value`` is not a finite number.
        CurrencyError: ``currency`` is unknown.

    Examples:
        >>> from shopkit.metrics import to_money
        >>> print(to_money(12.345678, "GBP"), to_money(12.5, "JPY"))
        12.35 GBP 13 JPY
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{value!r} is not a finite number", field="value", value=None)
    exponent = Money.zero(currency).exponent
    exact = Decimal(value).scaleb(exponent)
    minor = int(exact.to_integral_value(rounding=rounding.decimal_rounding))
    return Money(minor, currency)
