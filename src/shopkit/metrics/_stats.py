"""The statistics of A/B analysis: tests, intervals, power, sequential tests, corrections.

Every function takes plain numbers or arrays and returns a frozen result; rates are floats in
[0, 1]. The conventions are statsmodels' (the tests check the figures against it to 1e-6):

- a two-proportion z test pools the two arms' rate for the standard error of the test
  (``proportions_ztest``); its confidence interval does not pool (Wald,
  ``confint_proportions_2indep(method="wald")``);
- power and sample size use Cohen's h, ``2·asin(√p_b) − 2·asin(√p_a)``, and the normal
  approximation of ``NormalIndPower`` (both tails counted in a two-sided test);
- Welch's t test does not assume equal variances (``ttest_ind(usevar="unequal")``).

Differences are always treatment minus control (``b − a``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import optimize, stats  # type: ignore[import-untyped]

from shopkit.errors import ValidationError

__all__ = [
    "RatioTest",
    "SampleRatioCheck",
    "SequentialTest",
    "TestResult",
    "adjust_p_values",
    "cuped",
    "minimum_detectable_effect",
    "power_two_proportions",
    "ratio_test",
    "sample_ratio_check",
    "sample_size_two_proportions",
    "sequential_two_proportions",
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


def _cohen_h(rate_a: float, rate_b: float) -> float:
    return 2 * math.asin(math.sqrt(rate_b)) - 2 * math.asin(math.sqrt(rate_a))


def _power(effect: float, n_a: float, ratio: float, alpha: float, alternative: str) -> float:
    scale = effect * math.sqrt(1 / (1 / n_a + 1 / (n_a * ratio)))
    if alternative == "two-sided":
        critical = float(stats.norm.isf(alpha / 2))
        return float(stats.norm.sf(critical - scale) + stats.norm.cdf(-critical - scale))
    critical = float(stats.norm.isf(alpha))
    return float(stats.norm.sf(critical - (scale if alternative == "larger" else -scale)))


def power_two_proportions(
    rate_a: float,
    rate_b: float,
    visitors_a: int,
    *,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> float:
    """The power of the two-proportion test to detect ``rate_a`` → ``rate_b``.

    Args:
        rate_a: Control's conversion rate.
        rate_b: The treatment's rate to detect.
        visitors_a: Units in control.
        ratio: Units in treatment per unit in control.
        alpha: The test's level.
        alternative: ``"two-sided"``, ``"larger"`` or ``"smaller"``.

    Returns:
        The probability of a significant result, in [0, 1].

    Raises:
        ValidationError: a rate is not strictly between 0 and 1, or a count or level is out of
            range.

    Examples:
        >>> from shopkit.metrics import power_two_proportions
        >>> round(power_two_proportions(0.10, 0.12, 4000), 4)
        0.8163
    """
    pa, pb = _rate(rate_a, "rate_a"), _rate(rate_b, "rate_b")
    n = _count(visitors_a, "visitors_a", positive=True)
    share = _positive(ratio, "ratio")
    return _power(_cohen_h(pa, pb), n, share, _level(alpha), _alternative(alternative))


def _positive(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValidationError(f"{value!r} is not a positive number", field=field, value=value)
    return float(value)


def sample_size_two_proportions(
    rate_a: float,
    rate_b: float,
    *,
    power: float = 0.8,
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> float:
    """Units needed in control to detect ``rate_a`` → ``rate_b`` with ``power``.

    Not rounded (round it up for a plan); the treatment needs ``ratio`` times as many.

    Raises:
        ValidationError: a rate or the power is not strictly between 0 and 1, or the rates
            are equal (no sample detects no effect).

    Examples:
        >>> from shopkit.metrics import sample_size_two_proportions
        >>> round(sample_size_two_proportions(0.10, 0.12), 1)
        3834.6
    """
    pa, pb = _rate(rate_a, "rate_a"), _rate(rate_b, "rate_b")
    target = _rate(power, "power")
    share, level, alternative = _positive(ratio, "ratio"), _level(alpha), _alternative(alternative)
    effect = _cohen_h(pa, pb)
    if effect == 0:
        raise ValidationError(
            "equals rate_a: there is no effect to detect", field="rate_b", value=pb
        )
    if alternative != "two-sided" and (effect > 0) != (alternative == "larger"):
        raise ValidationError(
            f"is on the other side of rate_a than the {alternative!r} alternative",
            field="rate_b",
            value=pb,
        )
    return float(
        optimize.brentq(
            lambda n: _power(effect, n, share, level, alternative) - target, 1e-6, 1e12, xtol=1e-12
        )
    )


def minimum_detectable_effect(
    rate_a: float,
    visitors_a: int,
    *,
    power: float = 0.8,
    ratio: float = 1.0,
    alpha: float = 0.05,
) -> float:
    """The smallest rate above ``rate_a`` that ``visitors_a`` units detect with ``power``.

    Two-sided; the effect is found as Cohen's h and turned back into a rate.

    Returns:
        The treatment rate (subtract ``rate_a`` for the absolute lift).

    Raises:
        ValidationError: an argument is out of range, or no rate below 1 is detectable.

    Examples:
        >>> from shopkit.metrics import minimum_detectable_effect
        >>> round(minimum_detectable_effect(0.10, 3841), 4)
        0.12
    """
    pa = _rate(rate_a, "rate_a")
    n = _count(visitors_a, "visitors_a", positive=True)
    target = _rate(power, "power")
    share, level = _positive(ratio, "ratio"), _level(alpha)
    ceiling = math.pi - 2 * math.asin(math.sqrt(pa))
    if _power(ceiling, n, share, level, "two-sided") < target:
        raise ValidationError(
            f"{n} units detect no rate below 1 with power {target}", field="visitors_a", value=n
        )
    effect = float(
        optimize.brentq(
            lambda h: _power(h, n, share, level, "two-sided") - target, 1e-12, ceiling, xtol=1e-14
        )
    )
    return math.sin(math.asin(math.sqrt(pa)) + effect / 2) ** 2


@attrs.frozen(kw_only=True)
class SampleRatioCheck:
    """The chi-square test that units were split across arms as the weights say.

    Attributes:
        statistic: The chi-square statistic.
        p_value: Its p-value (degrees of freedom: arms − 1).
        expected: The units each arm should have had.
        mismatch: Whether the p-value is below the threshold: the split is broken, and the
            results should not be trusted until the cause is found.
    """

    statistic: float
    p_value: float
    expected: tuple[float, ...]
    mismatch: bool


def sample_ratio_check(
    observed: Sequence[int], weights: Sequence[float | int], *, threshold: float = 0.001
) -> SampleRatioCheck:
    """Check the units per arm against the weights (a sample-ratio mismatch, SRM).

    Args:
        observed: Units per arm.
        weights: The arms' weights (any positive scale: 50/50, 1/1, 0.9/0.1).
        threshold: The p-value below which the split is called broken (0.001 is usual: the
            check runs on every experiment, so it must rarely cry wolf).

    Raises:
        ValidationError: fewer than 2 arms, lengths differ, a count is negative, a weight is
            not positive, or there are no units.

    Examples:
        >>> from shopkit.metrics import sample_ratio_check
        >>> check = sample_ratio_check([5000, 5200], [1, 1])
        >>> round(check.statistic, 4), round(check.p_value, 4), check.mismatch
        (3.9216, 0.0477, False)
    """
    counts = [_count(value, f"observed[{i}]") for i, value in enumerate(observed)]
    if len(counts) < 2 or len(counts) != len(weights):
        raise ValidationError(
            f"{len(counts)} arms observed, {len(weights)} weighted: give at least 2 of each",
            field="weights",
            value=len(weights),
        )
    shares = [_positive(value, f"weights[{i}]") for i, value in enumerate(weights)]
    total = sum(counts)
    if total == 0:
        raise ValidationError("has no units", field="observed", value=0)
    expected = tuple(total * share / sum(shares) for share in shares)
    statistic = sum((o - e) ** 2 / e for o, e in zip(counts, expected, strict=True))
    p_value = float(stats.chi2.sf(statistic, len(counts) - 1))
    return SampleRatioCheck(
        statistic=statistic,
        p_value=p_value,
        expected=expected,
        mismatch=p_value < _level(threshold),
    )


def adjust_p_values(p_values: Sequence[float], method: str = "holm") -> tuple[float, ...]:
    """Adjust p-values for testing several hypotheses (segments, arms, metrics) at once.

    ``"holm"`` (Holm–Bonferroni) bounds the chance of any false positive;
    ``"benjamini-hochberg"`` bounds the expected share of false positives among the
    discoveries, and rejects more. Compare each adjusted p-value with the level as usual.

    Raises:
        ValidationError: the list is empty, a p-value is not in [0, 1], or the method is
            unknown.

    Examples:
        >>> from shopkit.metrics import adjust_p_values
        >>> adjust_p_values([0.01, 0.04, 0.03])
        (0.03, 0.06, 0.06)
        >>> tuple(round(p, 4) for p in adjust_p_values([0.01, 0.04, 0.03], "benjamini-hochberg"))
        (0.03, 0.04, 0.04)
    """
    values = np.asarray(p_values, dtype=np.float64).reshape(-1)
    if not len(values):
        raise ValidationError("is empty", field="p_values", value=[])
    bad = np.flatnonzero(~((values >= 0) & (values <= 1)))
    if len(bad):
        raise ValidationError(
            "is not between 0 and 1", field=f"p_values[{int(bad[0])}]", value=float(values[bad[0]])
        )
    m = len(values)
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    elif method == "benjamini-hochberg":
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    else:
        raise ValidationError(
            f"{method!r} is not one of holm, benjamini-hochberg", field="method", value=method
        )
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    return tuple(float(value) for value in result)


@attrs.frozen(kw_only=True)
class SequentialTest:
    """An always-valid test of two conversion rates, safe to look at after every batch.

    The mixture sequential probability ratio test (mSPRT; Johari, Pekelis and Walsh, 2017):
    the effect estimate ``d = p_b − p_a`` is near-normal with variance
    ``s² = p_a(1 − p_a)/n_a + p_b(1 − p_b)/n_b``; against a normal mixture of effects with
    variance ``tau²``, the likelihood ratio is
    ``Λ = √(s²/(s² + τ²)) · exp(d²·τ² / (2·s²·(s² + τ²)))`` and the always-valid p-value is the
    running minimum of ``1/Λ`` (at most 1). Stopping the first time it drops below the level
    keeps the false positive rate at the level, however often one looks.

    Attributes:
        p_values: The always-valid p-value after each look, never rising.
        differences: ``p_b − p_a`` at each look.
        stopped_at: The first look whose p-value is below the level, or ``None``.
    """

    p_values: tuple[float, ...]
    differences: tuple[float, ...]
    stopped_at: int | None


def sequential_two_proportions(
    looks: Sequence[tuple[int, int, int, int]], *, tau: float = 0.05, alpha: float = 0.05
) -> SequentialTest:
    """Run the mSPRT over cumulative counts, one tuple per look.

    Args:
        looks: ``(conversions_a, visitors_a, conversions_b, visitors_b)`` so far, at each look.
        tau: The spread of the effects the test is tuned to find (on the rate scale): the
            test has most power near effects of that size.
        alpha: The level at which to stop.

    Raises:
        ValidationError: no look, a count out of range, or a look with fewer units than the one
            before.

    Examples:
        >>> from shopkit.metrics import sequential_two_proportions
        >>> test = sequential_two_proportions([(50, 1000, 60, 1000), (100, 2000, 150, 2000)])
        >>> [round(p, 4) for p in test.p_values], test.stopped_at
        ([1.0, 0.0356], 1)
    """
    if not looks:
        raise ValidationError("has no look", field="looks", value=[])
    spread, level = _positive(tau, "tau"), _level(alpha)
    p_values: list[float] = []
    differences: list[float] = []
    stopped: int | None = None
    previous = (0, 0)
    running = 1.0
    for index, look in enumerate(looks):
        if len(look) != 4:
            raise ValidationError(
                "is not (conversions_a, visitors_a, conversions_b, visitors_b)",
                field=f"looks[{index}]",
                value=list(look),
            )
        ca, na, cb, nb = (
            _count(value, f"looks[{index}][{position}]", positive=position in (1, 3))
            for position, value in enumerate(look)
        )
        if ca > na or cb > nb:
            raise ValidationError(
                "has more conversions than units", field=f"looks[{index}]", value=list(look)
            )
        if na < previous[0] or nb < previous[1]:
            raise ValidationError(
                "has fewer units than the look before: counts are cumulative",
                field=f"looks[{index}]",
                value=list(look),
            )
        previous = (na, nb)
        pa, pb = ca / na, cb / nb
        variance = pa * (1 - pa) / na + pb * (1 - pb) / nb
        difference = pb - pa
        if variance > 0:
            log_ratio = 0.5 * math.log(variance / (variance + spread**2)) + difference**2 * (
                spread**2
            ) / (2 * variance * (variance + spread**2))
            running = min(running, math.exp(-log_ratio) if log_ratio < 700 else 0.0)
        p_values.append(min(running, 1.0))
        differences.append(difference)
        if stopped is None and running < level:
            stopped = index
    return SequentialTest(
        p_values=tuple(p_values), differences=tuple(differences), stopped_at=stopped
    )
