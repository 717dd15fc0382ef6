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
``Money`` with a named rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar, Self

import attrs
import numpy as np
import numpy.typing as npt
from scipy import special  # type: ignore[import-untyped]

from shopkit import Money, RoundingMode
from shopkit.errors import ShopkitError, ValidationError
from shopkit.metrics._customers import RepeatSummary

__all__ = ["BgNbd", "ConvergenceError", "GammaGamma", "MbgNbd", "clv", "to_money"]

FloatArray = npt.NDArray[np.float64]

_LOG_BOUND = 18.0  # a parameter past 1e±8 (time scaled so the longest age is 1): it ran away


class ConvergenceError(ShopkitError, RuntimeError):
    """A model could not be fitted: the optimiser did not converge or the data do not fit it.

    Attributes:
        model: The model's name (``"BG/NBD"``, ``"Gamma-Gamma"``, …).
    """

    code = "convergence"

    def __init__(self, message: str, *, model: str, value: Any = None) -> None:
        super().__init__(message, field="parameters", value=value)
        self.model = model


def _array(values: Any, field: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValidationError(f"{values!r} is not a list of numbers", field=field) from None
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if len(bad):
        row = int(bad[0])
        raise ValidationError(
            f"{array[row]} is not a finite number of at least 0",
            field=f"{field}[{row}]",
            value=float(array[row]),
        )
    return array


def _repeat_arrays(
    frequency: Any,
    recency: Any,
    ages: Any,
    weights: Any,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Checked (frequency, recency, T, weights), reduced to unique rows with summed weights."""
    x, t, age = _array(frequency, "frequency"), _array(recency, "recency"), _array(ages, "T")
    w = np.ones(len(x)) if weights is None else _array(weights, "weights")
    for name, values in (("recency", t), ("T", age), ("weights", w)):
        if len(values) != len(x):
            raise ValidationError(
                f"has {len(values)} entries, but frequency has {len(x)}",
                field=name,
                value=len(values),
            )
    if not len(x):
        raise ValidationError("is empty: there is nothing to fit", field="frequency", value=0)
    checks = (
        ("frequency", x != np.floor(x), "is not a whole number of repeat periods"),
        ("recency", t > age, "is past the age T"),
        ("recency", (x == 0) & (t != 0), "is not 0 for a customer without repeat purchases"),
        ("T", age <= 0, "is not positive: the first purchase is at the end of the observation"),
    )
    for field, bad, message in checks:
        rows = np.flatnonzero(bad)
        if len(rows):
            row = int(rows[0])
            value = float({"frequency": x, "recency": t, "T": age}[field][row])
            raise ValidationError(f"{value} {message}", field=f"{field}[{row}]", value=value)
    (x, t, age), summed = _unique_rows((x, t, age), w)
    keep = summed > 0
    return x[keep], t[keep], age[keep], summed[keep]


def _unique_rows(
    columns: tuple[FloatArray, ...], weights: FloatArray
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """The distinct rows of ``columns`` and the summed weight of each (one sort, no loop)."""
    order = np.lexsort(tuple(reversed(columns)))
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for column in columns:
        ranked = column[order]
        change[1:] |= ranked[1:] != ranked[:-1]
    starts = np.flatnonzero(change)
    firsts = order[starts]
    return tuple(column[firsts] for column in columns), np.add.reduceat(weights[order], starts)


Objective = Callable[[FloatArray, bool], tuple[float, FloatArray, FloatArray]]
"""The negative mean log-likelihood at log-parameters: value, gradient, Hessian (if asked)."""


def _minimise(
    objective: Objective, start: FloatArray, model: str, names: tuple[str, ...]
) -> FloatArray:
    """Minimise ``objective`` over the log-parameters by damped Newton steps; checked.

    Each step solves with the exact Hessian plus ``λ·I`` (Levenberg–Marquardt damping): ``λ``
    shrinks after a step that lowers the objective and grows after one that does not, so far
    from the optimum the steps are short gradient steps and near it they are Newton steps,
    which converge in a few iterations. The fit stops when the gradient is below 1e-11.
    """
    values = np.asarray(start, dtype=np.float64)
    damping = 1e-3
    with np.errstate(all="ignore"):
        current, gradient, hessian = objective(values, True)
        if not np.isfinite(current):
            raise ConvergenceError(
                "the likelihood is not finite at the start", model=model, value=None
            )
        for _ in range(500):
            if float(np.max(np.abs(gradient))) < 1e-11:
                break
            try:
                step = np.linalg.solve(hessian + damping * np.eye(len(values)), -gradient)
            except np.linalg.LinAlgError:
                step = -gradient
            trial = values + step
            value = objective(trial, False)[0]
            if np.isfinite(value) and value <= current:
                values = trial
                current, gradient, hessian = objective(values, True)
                damping = max(damping / 10.0, 1e-12)
            else:
                damping *= 10.0
                if damping > 1e12:
                    break
            if float(np.max(np.abs(values))) > _LOG_BOUND:
                break
    if not np.all(np.isfinite(values)) or not np.isfinite(current):
        raise ConvergenceError(
            "the likelihood is not finite at the fitted parameters", model=model, value=None
        )
    runaway = np.flatnonzero(np.abs(values) > _LOG_BOUND)
    if len(runaway):
        name = names[int(runaway[0])]
        raise ConvergenceError(
            f"{name} runs off to {'infinity' if values[runaway[0]] > 0 else '0'}: the data do "
            f"not fit the {model} model (too short a history, or too few repeat purchases, "
            "to estimate it)",
            model=model,
            value=name,
        )
    if float(np.max(np.abs(gradient))) > 1e-7:
        raise ConvergenceError(
            f"the {model} fit did not converge (the gradient is still "
            f"{float(np.max(np.abs(gradient))):.3g})",
            model=model,
            value=None,
        )
    return values


def _trigamma(value: Any) -> Any:
    """ψ₁, the derivative of the digamma function, for positive arguments.

    The recurrence ψ₁(y) = ψ₁(y + 1) + 1/y² moves the argument to 6 or more, where the
    asymptotic series is accurate to about 1e-11 (it only steers the Newton steps: the fitted
    parameters are where the exact gradient vanishes). scipy's ``zeta(2, y)`` gives the same
    to rounding but costs ten times as much, and it is the bulk of a fit's time.
    """
    y = np.asarray(value, dtype=np.float64)
    front = np.zeros_like(y)
    for _ in range(6):
        small = y < 6.0
        if not np.any(small):
            break
        front = front + np.where(small, 1.0 / (y * y), 0.0)
        y = np.where(small, y + 1.0, y)
    inv = 1.0 / y
    inv2 = inv * inv
    series = inv + inv2 * (0.5 + inv * (1 / 6 + inv2 * (-1 / 30 + inv2 * (1 / 42 - inv2 / 30))))
    return front + series


def _to_log_scale(
    params: FloatArray, gradient: FloatArray, hessian: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Gradient and Hessian in the parameters as gradient and Hessian in their logarithms."""
    return params * gradient, np.outer(params, params) * hessian + np.diag(params * gradient)


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
