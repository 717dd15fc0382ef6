"""Reading an A/B test safely: the sample ratio, many comparisons, looking before the end.

``sample_ratio_check`` tests whether the arms got the traffic they were meant to (a mismatch
means the assignment is broken and the result not to be read); ``adjust_p_values`` corrects
for testing many metrics at once (Holm, Bonferroni, Benjamini–Hochberg); a sequential test
(``sequential_two_proportions``) may be looked at as the data comes in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from shopkit.errors import ValidationError
from shopkit.metrics._stats import _count, _level, _positive

__all__ = [
    "SampleRatioCheck",
    "SequentialTest",
    "adjust_p_values",
    "sample_ratio_check",
    "sequential_two_proportions",
]


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
