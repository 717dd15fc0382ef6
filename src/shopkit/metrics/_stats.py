"""The statistics of A/B analysis: the tests and their intervals.

Every function takes plain numbers or arrays and returns a frozen result; rates are floats in
[0, 1]. The conventions are statsmodels' (the tests check the figures against it to 1e-6):

- a two-proportion z test pools the two arms' rate for the standard error of the test
  (``proportions_ztest``); its confidence interval does not pool (Wald,
  ``confint_proportions_2indep(method="wald")``);
- power and sample size use Cohen's h, ``2·asin(√p_b) − 2·asin(√p_a)``, and the normal
  approximation of ``NormalIndPower`` (both tails counted in a two-sided test);
- Welch's t test does not assume equal variances (``ttest_ind(usevar="unequal")``).

Differences are always treatment minus control (``b − a``). Planning a test (power, sample
size) is ``_planning``'s; reading one safely (sample ratio, corrections, sequential tests)
``_guards``'.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

from shopkit.errors import ValidationError

__all__ = [
    "FloatArray",
    "RatioTest",
    "TestResult",
    "cuped",
    "ratio_test",
    "two_proportion_test",
    "welch_test",
]

FloatArray = npt.NDArray[np.float64]
Alternative = str  # "two-sided", "larger" or "smaller"

_ALTERNATIVES = ("two-sided", "larger", "smaller")


def _alternative(value: Any) -> str:
    if value not in _ALTERNATIVES:
        raise ValidationError(
            f"{value!r} is not one of {', '.join(_ALTERNATIVES)}", field="alternative", value=value
        )
    return str(value)


def _level(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValidationError(f"{alpha!r} is not between 0 and 1", field="alpha", value=alpha)
    return float(alpha)


def _count(value: Any, field: str, *, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < positive:
        raise ValidationError(
            f"{value!r} is not a whole number of at least {int(positive)}", field=field, value=value
        )
    return int(value)


def _rate(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValidationError(
            f"{value!r} is not a rate strictly between 0 and 1", field=field, value=value
        )
    return float(value)


def _p_value(statistic: float, alternative: str, sf: Any) -> float:
    if alternative == "two-sided":
        return float(2 * sf(abs(statistic)))
    if alternative == "larger":
        return float(sf(statistic))
    return float(sf(-statistic))


@attrs.frozen(kw_only=True)
class TestResult:
    """A test of treatment (b) against control (a).

    Attributes:
        statistic: The z or t statistic.
        p_value: Its p-value under the alternative asked for.
        difference: The estimated effect, b − a.
        low: The lower end of the confidence interval of the difference.
        high: The upper end.
        df: The degrees of freedom of a t test (``None`` for a z test).
    """

    __test__ = False  # not a pytest test class, whatever its name

    statistic: float
    p_value: float
    difference: float
    low: float
    high: float
    df: float | None = None

    def significant(self, alpha: float = 0.05) -> bool:
        """Whether the p-value is below ``alpha``."""
        return self.p_value < _level(alpha)


def two_proportion_test(
    conversions_a: int,
    visitors_a: int,
    conversions_b: int,
    visitors_b: int,
    *,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> TestResult:
    """The z test of two conversion rates, pooled, and the Wald interval of b − a.

    Args:
        conversions_a: Converted units in control.
        visitors_a: Units (visitors, users) in control.
        conversions_b: Converted units in treatment.
        visitors_b: Units in treatment.
        alpha: 1 − the confidence of the interval (two-sided always).
        alternative: ``"two-sided"``, ``"larger"`` or ``"smaller"`` (b against a).

    Returns:
        z, its p-value, b − a and its interval.

    Raises:
        ValidationError: a count is negative or fractional, conversions exceed units, or both
            arms are all converted or none (the test has no variance).

    Examples:
        >>> from shopkit.metrics import two_proportion_test
        >>> result = two_proportion_test(100, 1000, 130, 1000)
        >>> round(result.statistic, 4), round(result.p_value, 4), round(result.difference, 3)
        (2.1027, 0.0355, 0.03)
    """
    ca, na = _count(conversions_a, "conversions_a"), _count(visitors_a, "visitors_a", positive=True)
    cb, nb = _count(conversions_b, "conversions_b"), _count(visitors_b, "visitors_b", positive=True)
    for field, c, n in (("conversions_a", ca, na), ("conversions_b", cb, nb)):
        if c > n:
            raise ValidationError(f"{c} is more than the {n} units", field=field, value=c)
    alternative = _alternative(alternative)
    level = _level(alpha)
    pa, pb = ca / na, cb / nb
    pooled = (ca + cb) / (na + nb)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    if spread == 0:
        raise ValidationError(
            "both arms converted all units or none: the test has no variance",
            field="conversions_b",
            value=cb,
        )
    z = (pb - pa) / spread
    error = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    critical = float(stats.norm.isf(level / 2))
    return TestResult(
        statistic=z,
        p_value=_p_value(z, alternative, stats.norm.sf),
        difference=pb - pa,
        low=pb - pa - critical * error,
        high=pb - pa + critical * error,
    )


def _samples(values: Any, field: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValidationError(f"{values!r} is not a list of numbers", field=field) from None
    if len(array) < 2:
        raise ValidationError("needs at least 2 values", field=field, value=len(array))
    bad = np.flatnonzero(~np.isfinite(array))
    if len(bad):
        raise ValidationError(
            "is not a finite number", field=f"{field}[{int(bad[0])}]", value=float(array[bad[0]])
        )
    return array


def welch_test(
    a: Any, b: Any, *, alpha: float = 0.05, alternative: Alternative = "two-sided"
) -> TestResult:
    """Welch's t test of two means (order value, revenue per visitor) and its interval.

    Args:
        a: Control's values, one per unit (a visitor's revenue, 0 if none; an order's value).
        b: Treatment's values.
        alpha: 1 − the confidence of the interval.
        alternative: ``"two-sided"``, ``"larger"`` or ``"smaller"``.

    Returns:
        t, its p-value, the Welch–Satterthwaite degrees of freedom, b − a and its interval.

    Raises:
        ValidationError: an arm has fewer than 2 values or a value is not finite, or both arms
            have no variance.

    Examples:
        >>> from shopkit.metrics import welch_test
        >>> result = welch_test([1, 2, 3, 4], [2, 4, 6, 8])
        >>> round(result.statistic, 4), round(result.df, 4), round(result.p_value, 4)
        (1.7321, 4.4118, 0.1516)
    """
    xa, xb = _samples(a, "a"), _samples(b, "b")
    alternative = _alternative(alternative)
    level = _level(alpha)
    va, vb = float(xa.var(ddof=1)) / len(xa), float(xb.var(ddof=1)) / len(xb)
    if va + vb == 0:
        raise ValidationError("both arms have no variance", field="b", value=None)
    difference = float(xb.mean() - xa.mean())
    error = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
    t = difference / error
    critical = float(stats.t.isf(level / 2, df))
    return TestResult(
        statistic=t,
        p_value=_p_value(t, alternative, lambda value: stats.t.sf(value, df)),
        difference=difference,
        low=difference - critical * error,
        high=difference + critical * error,
        df=df,
    )


@attrs.frozen(kw_only=True)
class RatioTest:
    """A test of a ratio metric (order value, items per order) when units are randomised.

    Attributes:
        ratio_a: Control's ratio, the sum of the numerators over the sum of the denominators.
        ratio_b: Treatment's ratio.
        variance_a: The delta-method variance of control's ratio.
        variance_b: That of treatment's.
        result: The z test of ``ratio_b − ratio_a``.
    """

    ratio_a: float
    ratio_b: float
    variance_a: float
    variance_b: float
    result: TestResult


def _delta(numerator: FloatArray, denominator: FloatArray) -> tuple[float, float]:
    n = len(numerator)
    mean_x, mean_y = float(numerator.mean()), float(denominator.mean())
    if mean_y <= 0:
        raise ValidationError(
            "the denominators sum to 0 or less", field="denominator", value=mean_y
        )
    cov = np.cov(numerator, denominator, ddof=1)
    ratio = mean_x / mean_y
    variance = (
        float(cov[0, 0]) / mean_y**2
        - 2 * mean_x * float(cov[0, 1]) / mean_y**3
        + mean_x**2 * float(cov[1, 1]) / mean_y**4
    ) / n
    return ratio, variance


def ratio_test(
    numerator_a: Any,
    denominator_a: Any,
    numerator_b: Any,
    denominator_b: Any,
    *,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> RatioTest:
    """The delta-method z test of a ratio of sums per randomised unit.

    Users are randomised but orders are counted: a user's orders are not independent, so the
    variance of ``sum(revenue) / sum(orders)`` comes from the per-user pairs (revenue, orders)
    by the delta method: ``Var(x̄/ȳ) ≈ (σ²ₓ/ȳ² − 2·x̄·σₓᵧ/ȳ³ + x̄²·σ²ᵧ/ȳ⁴) / n``.

    Args:
        numerator_a: Control's numerator per unit (a user's revenue).
        denominator_a: Control's denominator per unit (a user's orders).
        numerator_b: Treatment's numerator per unit.
        denominator_b: Treatment's denominator per unit.
        alpha: 1 − the confidence of the interval.
        alternative: ``"two-sided"``, ``"larger"`` or ``"smaller"``.

    Returns:
        The ratios, their variances and the z test of their difference.

    Raises:
        ValidationError: the arrays of an arm differ in length, have fewer than 2 units, or
            the denominators sum to 0.
    """
    arms = []
    for suffix, numerator, denominator in (
        ("a", numerator_a, denominator_a),
        ("b", numerator_b, denominator_b),
    ):
        x, y = (
            _samples(numerator, f"numerator_{suffix}"),
            _samples(denominator, f"denominator_{suffix}"),
        )
        if len(x) != len(y):
            raise ValidationError(
                f"has {len(y)} units, the numerator {len(x)}",
                field=f"denominator_{suffix}",
                value=len(y),
            )
        arms.append(_delta(x, y))
    (ra, va), (rb, vb) = arms
    alternative = _alternative(alternative)
    level = _level(alpha)
    error = math.sqrt(va + vb)
    if error == 0:
        raise ValidationError("both ratios have no variance", field="numerator_b", value=None)
    z = (rb - ra) / error
    critical = float(stats.norm.isf(level / 2))
    result = TestResult(
        statistic=z,
        p_value=_p_value(z, alternative, stats.norm.sf),
        difference=rb - ra,
        low=rb - ra - critical * error,
        high=rb - ra + critical * error,
    )
    return RatioTest(ratio_a=ra, ratio_b=rb, variance_a=va, variance_b=vb, result=result)


def cuped(values: Any, covariate: Any) -> tuple[FloatArray, float]:
    """CUPED: values less θ·(covariate − its mean), θ = cov(values, covariate) / var(covariate).

    Pass both arms' values together (one θ for the experiment), then split the adjusted values
    by arm and test them (``welch_test``): the mean of each arm is unbiased, and the variance
    falls by the share of it that the pre-period covariate explains.

    Args:
        values: The metric per unit in the experiment (revenue per visitor).
        covariate: The same units' metric before the experiment.

    Returns:
        The adjusted values and θ.

    Raises:
        ValidationError: the arrays differ in length, have fewer than 2 values, or the
            covariate does not vary.

    Examples:
        >>> from shopkit.metrics import cuped
        >>> adjusted, theta = cuped([3, 5, 7], [1, 2, 3])
        >>> adjusted.tolist(), theta
        ([5.0, 5.0, 5.0], 2.0)
    """
    y, x = _samples(values, "values"), _samples(covariate, "covariate")
    if len(y) != len(x):
        raise ValidationError(
            f"has {len(x)} values, values {len(y)}", field="covariate", value=len(x)
        )
    spread = float(x.var(ddof=1))
    if spread == 0:
        raise ValidationError("does not vary: it explains nothing", field="covariate", value=None)
    theta = float(np.cov(y, x, ddof=1)[0, 1]) / spread
    return y - theta * (x - float(x.mean())), theta


def _positive(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValidationError(f"{value!r} is not a positive number", field=field, value=value)
    return float(value)
