"""Purchase models for CLV: BG/NBD and MBG/NBD, fitted by maximum likelihood.

- BG/NBD: Fader, Hardie and Lee (2005), "Counting your customers the easy way".
- MBG/NBD: Batislam, Denizel and Filiztekin (2007): a customer may also drop out right after
  the first purchase, so a customer with no repeat purchase is not certainly alive.

Time is scaled so that the longest age is 1 (as the ``lifetimes`` package does); the fitting
itself is ``_clv_fitting``'s.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Self

import attrs
import numpy as np
from scipy import special  # type: ignore[import-untyped]

from shopkit.errors import ValidationError
from shopkit.metrics._clv_fitting import (
    ConvergenceError,
    FloatArray,
    Objective,
    _array,
    _minimise,
    _repeat_arrays,
    _to_log_scale,
    _trigamma,
)
from shopkit.metrics._customers import RepeatSummary

__all__ = ["BgNbd", "MbgNbd"]


def _bg_objective(
    x: FloatArray, t: FloatArray, age: FloatArray, w: FloatArray, modified: bool
) -> Objective:
    """The BG/NBD (or MBG/NBD) objective over weighted unique rows.

    The terms that depend on the parameters and ``x`` alone (the gamma functions) are computed
    once per distinct ``x``, with the summed weights of its rows.
    """
    total = float(w.sum())
    xs, of_x = np.unique(x, return_inverse=True)
    wx = np.bincount(of_x.reshape(-1), weights=w)
    shift = 1.0 if modified else 0.0
    # BG/NBD: a customer without a repeat purchase cannot have dropped out at it
    tail_rows = np.ones(len(x), dtype=bool) if modified else x > 0
    tx, tt, tage, tw = x[tail_rows], t[tail_rows], age[tail_rows], w[tail_rows]
    c_x = tx + (0.0 if modified else -1.0)  # b + c_x is the dropout term's denominator

    def objective(log_params: FloatArray, second: bool) -> tuple[float, FloatArray, FloatArray]:
        r, alpha, a, b = params = np.exp(log_params)
        # per distinct x: A1 + A2 (gamma functions)
        ll = float(
            np.dot(
                wx,
                special.gammaln(r + xs)
                + special.gammaln(b + xs + shift)
                - special.gammaln(a + b + xs + shift),
            )
        )
        ll += total * (r * math.log(alpha) - special.gammaln(r) + special.gammaln(a + b)
                       - special.gammaln(b))  # fmt: skip
        g = np.empty(4)
        g[0] = float(np.dot(wx, special.digamma(r + xs))) + total * (
            math.log(alpha) - special.digamma(r)
        )
        g[1] = total * r / alpha
        dab = special.digamma(a + b + xs + shift)
        g[2] = total * special.digamma(a + b) - float(np.dot(wx, dab))
        g[3] = (
            g[2] + float(np.dot(wx, special.digamma(b + xs + shift))) - total * special.digamma(b)
        )
        # per row: A3 = −(r + x)·log(α + T) for every row, and the dropout term A4
        log_age = np.log(alpha + age)
        ll -= float(np.dot(w, (r + x) * log_age))
        g[0] -= float(np.dot(w, log_age))
        g[1] -= float(np.dot(w, (r + x) / (alpha + age)))
        log_t = np.log(alpha + tt)
        a3 = -(r + tx) * np.log(alpha + tage)
        a4 = math.log(a) - np.log(b + c_x) - (r + tx) * log_t
        tail = np.logaddexp(0.0, a4 - a3)
        ll += float(np.dot(tw, tail))
        s = np.exp(a4 - a3 - tail)  # the share of the dropped-out-at-the-last-purchase term
        # d(A4 − A3) by r, α, a, b
        d = (
            np.log(alpha + tage) - log_t,
            (r + tx) * (1.0 / (alpha + tage) - 1.0 / (alpha + tt)),
            np.full(len(tx), 1.0 / a),
            -1.0 / (b + c_x),
        )
        ws = tw * s
        for i in range(4):
            g[i] += float(np.dot(ws, d[i]))
        if not second:
            return -ll / total, -(params * g) / total, np.empty((0, 0))
        h = np.zeros((4, 4))
        h[0, 0] = float(np.dot(wx, _trigamma(r + xs))) - total * _trigamma(r)
        h[0, 1] = total / alpha - float(np.dot(w, 1.0 / (alpha + age)))
        h[1, 1] = -total * r / alpha**2 + float(np.dot(w, (r + x) / (alpha + age) ** 2))
        t_ab = _trigamma(a + b)
        p_abx = float(np.dot(wx, _trigamma(a + b + xs + shift)))
        h[2, 2] = total * t_ab - p_abx
        h[2, 3] = h[2, 2]
        h[3, 3] = h[2, 2] + float(np.dot(wx, _trigamma(b + xs + shift))) - (total * _trigamma(b))
        # second derivatives of A4 − A3, and the s·(1 − s) curvature of the log-sum
        dd = np.zeros((4, 4, len(tx)))
        dd[0, 1] = 1.0 / (alpha + tage) - 1.0 / (alpha + tt)
        dd[1, 1] = (r + tx) * (1.0 / (alpha + tt) ** 2 - 1.0 / (alpha + tage) ** 2)
        dd[2, 2] = -1.0 / a**2
        dd[3, 3] = 1.0 / (b + c_x) ** 2
        ss = tw * s * (1.0 - s)
        for i in range(4):
            for j in range(i, 4):
                h[i, j] += float(np.dot(ws, dd[i, j])) + float(np.dot(ss, d[i] * d[j]))
        h = np.triu(h) + np.triu(h, 1).T
        grad, hess = _to_log_scale(params, g, h)
        return -ll / total, -grad / total, -hess / total

    return objective


@attrs.frozen(kw_only=True)
class _PurchaseModel:
    """Shared parts of BG/NBD and MBG/NBD: four parameters and the fit."""

    _MODIFIED: ClassVar[bool] = False
    _NAME: ClassVar[str] = "BG/NBD"

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = attrs.field(default=math.nan, eq=False)

    @classmethod
    def fit(
        cls,
        frequency: Any,
        recency: Any,
        T: Any,  # noqa: N803  # the literature's name
        *,
        weights: Any = None,
    ) -> Self:
        """Fit by maximum likelihood on repeat counts, recencies and ages (one per customer).

        Args:
            frequency: Repeat periods of each customer (``x``).
            recency: Time from the first to the last purchase (``t_x``).
            T: Time from the first purchase to the end of the observation.
            weights: How many customers each row stands for (1 each by default).

        Returns:
            The fitted model; ``log_likelihood`` is the total over the customers.

        Raises:
            ValidationError: the arrays are not a repeat summary (the error names the row).
            ConvergenceError: the fit does not converge or the data do not fit the model.
        """
        x, t, age, w = _repeat_arrays(frequency, recency, T, weights)
        if not np.any(x > 0):
            raise ConvergenceError(
                f"no customer bought twice: the {cls._NAME} likelihood has no maximum (the "
                "purchase rate goes to 0)",
                model=cls._NAME,
                value=0,
            )
        scale = 1.0 / float(age.max())
        objective = _bg_objective(x, t * scale, age * scale, w, cls._MODIFIED)
        log_params = _minimise(objective, np.zeros(4), cls._NAME, ("r", "alpha", "a", "b"))
        r, alpha, a, b = (float(value) for value in np.exp(log_params))
        # the likelihood in the original time unit: alpha scales, and each customer's
        # density picks up x·log(scale) from the change of unit of the purchase times
        mean_ll = -objective(log_params, False)[0]
        total = float(w.sum()) * mean_ll + float(np.dot(w, x)) * math.log(scale)
        return cls(r=r, alpha=alpha / scale, a=a, b=b, log_likelihood=total)

    @property
    def name(self) -> str:
        """The model's name: ``"BG/NBD"`` or ``"MBG/NBD"``."""
        return self._NAME

    @classmethod
    def fit_summary(cls, summary: RepeatSummary) -> Self:
        """Fit on a ``RepeatSummary`` (``CustomerPartial.repeat``).

        Raises:
            ValidationError: ``summary`` is not a ``RepeatSummary``, or holds no customer.
            ConvergenceError: the fit does not converge or the data do not fit the model.
        """
        if not isinstance(summary, RepeatSummary):
            raise ValidationError(
                f"{summary!r} is not a RepeatSummary", field="summary", value=None
            )
        return cls.fit(summary.frequency, summary.recency, summary.T)

    def _odds(self, x: FloatArray, t: FloatArray, age: FloatArray) -> FloatArray:
        """The odds of having dropped out, against being alive."""
        power = (self.r + x) * (np.log(self.alpha + age) - np.log(self.alpha + t))
        if self._MODIFIED:
            return np.asarray(self.a / (self.b + x) * np.exp(power))
        return np.where(x > 0, self.a / (self.b + np.maximum(x, 1) - 1) * np.exp(power), 0.0)

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> FloatArray:  # noqa: N803
        """The probability that each customer is still alive (has not dropped out) at ``T``.

        Raises:
            ValidationError: the arrays are not a repeat summary.
        """
        x, t, age = _inputs(frequency, recency, T)
        return np.asarray(1.0 / (1.0 + self._odds(x, t, age)))

    def probability_alive(self, frequency: Any, recency: Any, age: Any) -> FloatArray:
        """``p_alive`` under the names of a churn model's protocol (``age`` is ``T``).

        Raises:
            ValidationError: the arrays are not a repeat summary.
        """
        return self.p_alive(frequency, recency, age)

    def expected_purchases(
        self,
        horizon: float,
        frequency: Any,
        recency: Any,
        T: Any,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases of each customer in the next ``horizon`` time units.

        Raises:
            ValidationError: ``horizon`` is negative or the arrays are not a repeat summary.
        """
        x, t, age = _inputs(frequency, recency, T)
        h = _horizon(horizon)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        shift = 1.0 if self._MODIFIED else 0.0
        ratio = (alpha + age) / (alpha + age + h)
        series = special.hyp2f1(r + x, b + x + shift, a + b + x - 1 + shift, h / (alpha + age + h))
        front = (a + b + x - 1 + shift) / (a - 1)
        return np.asarray(front * (1 - ratio ** (r + x) * series) / (1 + self._odds(x, t, age)))

    def purchase_distribution(self, T: Any, most: int) -> FloatArray:  # noqa: N803  # the age
        """The probability of 0, 1, …, ``most − 1`` and ``most`` or more repeat purchases.

        For each customer of age ``T``: ``P(X(T) = x)`` under the model, the last column
        holding the rest (``most`` or more). With ``s`` = 0 for BG/NBD and 1 for MBG/NBD and
        ``NB(x)`` the negative binomial ``Γ(r + x)/(Γ(r)·x!)·(α/(α + T))^r·(T/(α + T))^x``:
        ``P(x) = B(a, b + x + s)/B(a, b)·NB(x) + B(a + 1, b + x − 1 + s)/B(a, b)·(1 − Σ_{j<x}
        NB(j))``, the second term for ``x > 0`` only in BG/NBD (who buys nothing more has
        not dropped out at a purchase).

        Returns:
            An array of shape (customers, ``most`` + 1) whose rows sum to 1.

        Raises:
            ValidationError: ``most`` is not a whole number from 1 to 100, or ``T`` is not a
                list of ages.
        """
        if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= 100:
            raise ValidationError(
                f"{most!r} is not a whole number from 1 to 100", field="most", value=most
            )
        age = _array(T, "T")[:, None]
        x = np.arange(most, dtype=np.float64)[None, :]
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        shift = 1.0 if self._MODIFIED else 0.0
        log_nb = (
            special.gammaln(r + x) - special.gammaln(r) - special.gammaln(x + 1)
            + r * np.log(alpha / (alpha + age)) + x * np.log(age / (alpha + age))
        )  # fmt: skip
        nb = np.exp(log_nb)
        below = np.cumsum(nb, axis=1) - nb  # Σ_{j<x} NB(j)
        beta_ab = special.betaln(a, b)
        alive = np.exp(special.betaln(a, b + x + shift) - beta_ab) * nb
        gone = np.exp(special.betaln(a + 1, np.maximum(b + x - 1 + shift, 1e-300)) - beta_ab)
        gone = gone * (1 - below)
        if not self._MODIFIED:
            gone = np.where(x > 0, gone, 0.0)
        probabilities = alive + gone
        rest = np.clip(1 - probabilities.sum(axis=1, keepdims=True), 0.0, 1.0)
        return np.asarray(np.hstack([probabilities, rest]))

    def expected_purchases_new(self, horizon: float) -> float:
        """Expected purchases in ``horizon`` time units of a customer just acquired.

        Raises:
            ValidationError: ``horizon`` is negative.
        """
        h = _horizon(horizon)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        series = float(special.hyp2f1(r, b, a + b - 1, h / (alpha + h)))
        value = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + h)) ** r * series)
        if self._MODIFIED:
            # the first purchase may be the last: the probability b/(a+b) of staying
            series = float(special.hyp2f1(r, b + 1, a + b, h / (alpha + h)))
            value = b / (a - 1) * (1 - (alpha / (alpha + h)) ** r * series)
        return float(value)


def _inputs(frequency: Any, recency: Any, T: Any) -> tuple[FloatArray, FloatArray, FloatArray]:  # noqa: N803
    x, t, age = _array(frequency, "frequency"), _array(recency, "recency"), _array(T, "T")
    if not len(x) == len(t) == len(age):
        raise ValidationError(
            f"frequency, recency and T have {len(x)}, {len(t)} and {len(age)} entries",
            field="recency",
            value=len(t),
        )
    rows = np.flatnonzero(t > age)
    if len(rows):
        row = int(rows[0])
        raise ValidationError(
            f"{t[row]} is past the age T", field=f"recency[{row}]", value=float(t[row])
        )
    return x, t, age


def _horizon(horizon: Any) -> float:
    if isinstance(horizon, bool) or not isinstance(horizon, int | float) or not horizon >= 0:
        raise ValidationError(
            f"{horizon!r} is not a time of at least 0", field="horizon", value=horizon
        )
    return float(horizon)


@attrs.frozen(kw_only=True)
class BgNbd(_PurchaseModel):
    """The BG/NBD model of repeat purchases (Fader, Hardie and Lee, 2005).

    While alive, a customer buys at a rate drawn from Gamma(r, alpha); after each purchase they
    drop out with a probability drawn from Beta(a, b). ``alpha`` is in the time unit of the
    data it was fitted on (days, weeks, …).

    Attributes:
        r: The shape of the purchase-rate gamma distribution.
        alpha: Its scale, in the data's time unit.
        a: The first shape of the dropout beta distribution.
        b: The second shape.
        log_likelihood: The log-likelihood of the fitted data (``nan`` when built by hand).

    Examples:
        >>> from shopkit.metrics import BgNbd
        >>> model = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> model.p_alive([0, 2, 2], [0, 30.43, 5.0], [38.86] * 3).round(3).tolist()
        [1.0, 0.727, 0.124]
    """


@attrs.frozen(kw_only=True)
class MbgNbd(_PurchaseModel):
    """The MBG/NBD model (Batislam et al., 2007): BG/NBD where a customer may drop out at once.

    The same parameters as ``BgNbd``; a customer without a repeat purchase is alive with a
    probability below 1.

    Attributes:
        r: The shape of the purchase-rate gamma distribution.
        alpha: Its scale, in the data's time unit.
        a: The first shape of the dropout beta distribution.
        b: The second shape.
        log_likelihood: The log-likelihood of the fitted data (``nan`` when built by hand).
    """

    _MODIFIED: ClassVar[bool] = True
    _NAME: ClassVar[str] = "MBG/NBD"
