"""The spend model for CLV: Gamma-Gamma, fitted by maximum likelihood.

Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves", fitted on the customers
with at least one repeat period; the fitting itself is ``_clv_fitting``'s.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from scipy import special  # type: ignore[import-untyped]

from shopkit.errors import ValidationError
from shopkit.metrics._clv_fitting import (
    FloatArray,
    Objective,
    _array,
    _minimise,
    _to_log_scale,
    _trigamma,
    _unique_rows,
)
from shopkit.metrics._customers import RepeatSummary

__all__ = ["GammaGamma"]


def _gg_objective(x: FloatArray, m: FloatArray, w: FloatArray) -> Objective:
    total = float(w.sum())
    log_m, log_x = np.log(m), np.log(x)
    constant = float(np.dot(w, x * (log_m + log_x)))
    wlm = float(np.dot(w, log_m))

    def objective(log_params: FloatArray, second: bool) -> tuple[float, FloatArray, FloatArray]:
        p, q, v = params = np.exp(log_params)
        px = p * x
        xm_v = x * m + v
        log_mv = np.log(xm_v)
        ll = (
            float(np.dot(w, special.gammaln(px + q) - special.gammaln(px) - (px + q) * log_mv))
            + total * (q * math.log(v) - special.gammaln(q))
            + p * constant
            - wlm
        )
        psi_pxq = special.digamma(px + q)
        g = np.array([
            float(np.dot(w, x * (psi_pxq - special.digamma(px) - log_mv))) + constant,
            float(np.dot(w, psi_pxq - log_mv)) + total * (math.log(v) - special.digamma(q)),
            total * q / v - float(np.dot(w, (px + q) / xm_v)),
        ])  # fmt: skip
        if not second:
            return -ll / total, -(params * g) / total, np.empty((0, 0))
        tri_pxq = _trigamma(px + q)
        h = np.empty((3, 3))
        h[0, 0] = float(np.dot(w, x * x * (tri_pxq - _trigamma(px))))
        h[0, 1] = h[1, 0] = float(np.dot(w, x * tri_pxq))
        h[0, 2] = h[2, 0] = -float(np.dot(w, x / xm_v))
        h[1, 1] = float(np.dot(w, tri_pxq)) - total * _trigamma(q)
        h[1, 2] = h[2, 1] = total / v - float(np.dot(w, 1.0 / xm_v))
        h[2, 2] = -total * q / v**2 + float(np.dot(w, (px + q) / xm_v**2))
        grad, hess = _to_log_scale(params, g, h)
        return -ll / total, -grad / total, -hess / total

    return objective


@attrs.frozen(kw_only=True)
class GammaGamma:
    """The Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee, 2005).

    A customer's transactions vary around their own mean spend, which varies across
    customers; spend is taken to be independent of how often a customer buys.

    Attributes:
        p: The shape of the spend of one transaction.
        q: The shape of the customers' scale distribution.
        v: Its scale, in the monetary unit of the data.
        log_likelihood: The log-likelihood of the fitted data (``nan`` when built by hand).

    Examples:
        >>> from shopkit.metrics import GammaGamma
        >>> model = GammaGamma(p=6.25, q=3.74, v=15.44)
        >>> model.expected_spend([1, 4], [20.0, 20.0]).round(2).tolist()
        [24.64, 21.5]
    """

    p: float
    q: float
    v: float
    log_likelihood: float = attrs.field(default=math.nan, eq=False)

    @classmethod
    def fit(cls, frequency: Any, monetary: Any, *, weights: Any = None) -> GammaGamma:
        """Fit on the customers with at least one repeat period (the others are left out).

        Args:
            frequency: Repeat periods of each customer.
            monetary: Mean spend of a repeat period, in major units, positive where
                ``frequency`` is.
            weights: How many customers each row stands for (1 each by default).

        Returns:
            The fitted model.

        Raises:
            ValidationError: the arrays do not fit (a repeat customer's spend is 0, say), or
                there is no repeat customer.
            ConvergenceError: the fit does not converge or the data do not fit the model.
        """
        x, m = _array(frequency, "frequency"), _array(monetary, "monetary")
        w = np.ones(len(x)) if weights is None else _array(weights, "weights")
        if len(m) != len(x) or len(w) != len(x):
            raise ValidationError(
                f"monetary and weights have {len(m)} and {len(w)} entries, frequency {len(x)}",
                field="monetary",
                value=len(m),
            )
        repeat = x > 0
        rows = np.flatnonzero(repeat & (m <= 0))
        if len(rows):
            row = int(rows[0])
            raise ValidationError(
                "a customer with repeat purchases spent nothing",
                field=f"monetary[{row}]",
                value=float(m[row]),
            )
        if not np.any(repeat & (w > 0)):
            raise ValidationError(
                "has no customer with a repeat purchase: spend cannot be fitted",
                field="frequency",
                value=0,
            )
        (xs, ms), summed = _unique_rows((x[repeat], m[repeat]), w[repeat])
        keep = summed > 0
        xs, ms, summed = xs[keep], ms[keep], summed[keep]
        objective = _gg_objective(xs, ms, summed)
        start = np.array([0.0, 0.0, math.log(float(np.average(ms, weights=summed)))])
        log_params = _minimise(objective, start, "Gamma-Gamma", ("p", "q", "v"))
        p, q, v = (float(value) for value in np.exp(log_params))
        total = -objective(log_params, False)[0] * float(summed.sum())
        return cls(p=p, q=q, v=v, log_likelihood=total)

    @classmethod
    def fit_summary(cls, summary: RepeatSummary) -> GammaGamma:
        """Fit on a ``RepeatSummary`` (``CustomerPartial.repeat``).

        Raises:
            ValidationError: ``summary`` is not a ``RepeatSummary``, or has no repeat customer.
            ConvergenceError: the fit does not converge or the data do not fit the model.
        """
        if not isinstance(summary, RepeatSummary):
            raise ValidationError(
                f"{summary!r} is not a RepeatSummary", field="summary", value=None
            )
        return cls.fit(summary.frequency, summary.monetary)

    def expected_spend(self, frequency: Any, monetary: Any) -> FloatArray:
        """Each customer's expected spend per transaction, given what they spent so far.

        ``(p·(v + x·m)) / (p·x + q − 1)``: a mix of the customer's own mean and the population
        mean ``p·v / (q − 1)``, which is what a customer without a repeat purchase gets.

        Raises:
            ValidationError: ``q`` is at most 1 (the mean spend is infinite), or the arrays do
                not fit.
        """
        if self.q <= 1:
            raise ValidationError(
                f"q = {self.q} is at most 1: the model's mean spend is infinite",
                field="q",
                value=self.q,
            )
        x, m = _array(frequency, "frequency"), _array(monetary, "monetary")
        if len(x) != len(m):
            raise ValidationError(
                f"has {len(m)} entries, frequency {len(x)}", field="monetary", value=len(m)
            )
        m = np.where(x > 0, m, 0.0)
        return np.asarray(self.p * (self.v + x * m) / (self.p * x + self.q - 1))
