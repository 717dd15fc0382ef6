"""What the CLV models share: input arrays, maximum-likelihood fitting, its failure.

The models (``_purchases``: BG/NBD and MBG/NBD; ``_spend``: Gamma-Gamma) are fitted over the
*unique* rows of their data, each weighted by how many customers share it, with the exact
gradient of the log-likelihood and the parameters on a log scale (``_minimise``). A fit that does
not converge, or whose parameters run off to 0 or infinity, raises ``ConvergenceError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from shopkit.errors import ShopkitError, ValidationError

__all__ = ["ConvergenceError", "FloatArray"]

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
