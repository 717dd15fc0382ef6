"""Planning an A/B test: power, sample size and the smallest effect a test can see.

For two proportions, with Cohen's h (``2·asin(√p_b) − 2·asin(√p_a)``) and the normal
approximation of statsmodels' ``NormalIndPower`` (both tails counted in a two-sided test); the
tests themselves are ``_stats``'.
"""

from __future__ import annotations

import math

from scipy import optimize, stats  # type: ignore[import-untyped]

from shopkit.errors import ValidationError
from shopkit.metrics._stats import (
    Alternative,
    _alternative,
    _count,
    _level,
    _positive,
    _rate,
)

__all__ = ["minimum_detectable_effect", "power_two_proportions", "sample_size_two_proportions"]


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
