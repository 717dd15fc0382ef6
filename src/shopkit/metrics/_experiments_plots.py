"""Pictures of an experiment, written as PNG: the treatments' effects, and peeking over time.

matplotlib (``pip install "shopkit[plots]"``) is imported inside each function, when a picture
is drawn, as in ``shopkit.metrics``' CLV pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from shopkit.errors import ValidationError
from shopkit.metrics._clv_plots import _figure, _save
from shopkit.metrics._experiments import Analysis
from shopkit.metrics._guards import sequential_two_proportions
from shopkit.metrics._stats import two_proportion_test

__all__ = ["plot_effects", "plot_sequential"]


def plot_effects(analysis: Analysis, path: str | Path) -> Path:
    """Draw each treatment's effect on conversion against the control, with its interval.

    One row per treatment: the difference in conversion rate (percentage points) and its
    confidence interval; the zero line is "no effect". An interval that crosses it is not
    significant.

    Args:
        analysis: The result of ``analyse`` with conversion as its primary metric.
        path: The PNG file to write.

    Returns:
        The path written.

    Raises:
        ValidationError: ``analysis`` is not an ``Analysis`` with tests, or the file cannot be
            written.
    """
    if not isinstance(analysis, Analysis):
        raise ValidationError(f"{analysis!r} is not an Analysis", field="analysis")
    rows = [(report.arm, report.test) for report in analysis.arms[1:] if report.test is not None]
    if not rows:
        raise ValidationError("has no test: its primary metric is not conversion", field="analysis")
    figure = _figure(1.6 + 0.6 * len(rows))
    axes = figure.add_subplot()
    where = np.arange(len(rows))[::-1]
    axes.set_ylim(-0.6, len(rows) - 0.4)
    for y, (_, test) in zip(where, rows, strict=True):
        assert test is not None  # filtered above; for the type checker
        axes.plot([100 * test.low, 100 * test.high], [y, y], color="#4c72b0", linewidth=3)
        axes.plot([100 * test.difference], [y], "o", color="#dd8452", markersize=8)
    axes.axvline(0.0, color="0.4", linestyle="--", linewidth=1)
    axes.set_yticks(where, [arm for arm, _ in rows])
    axes.set_xlabel(f"conversion against {analysis.arms[0].arm!r}, percentage points")
    axes.set_title(f"{analysis.experiment.name}: effects and their confidence intervals")
    return _save(figure, path)


def plot_sequential(
    looks: Sequence[tuple[int, int, int, int]],
    path: str | Path,
    *,
    tau: float = 0.05,
    alpha: float = 0.05,
) -> Path:
    """Draw, look by look, the always-valid p-value beside the fixed-horizon one.

    The fixed-horizon p-value (the two-proportion z test read at each look) wanders and may dip
    below the level by chance; the always-valid one (``sequential_two_proportions``) never
    rises, and stopping when it crosses the level is safe.

    Args:
        looks: Cumulative ``(conversions_a, visitors_a, conversions_b, visitors_b)`` per look.
        path: The PNG file to write.
        tau: The mixture's spread (see ``sequential_two_proportions``).
        alpha: The level drawn as a line.

    Returns:
        The path written.

    Raises:
        ValidationError: the looks do not fit (see ``sequential_two_proportions``), or the
            file cannot be written.
    """
    sequential = sequential_two_proportions(looks, tau=tau, alpha=alpha)
    fixed = []
    for ca, na, cb, nb in looks:
        try:
            fixed.append(two_proportion_test(ca, na, cb, nb).p_value)
        except ValidationError:  # no variance yet (nobody converted): nothing to read
            fixed.append(1.0)
    units = [na + nb for _, na, _, nb in looks]
    figure = _figure()
    axes = figure.add_subplot()
    axes.plot(units, fixed, "o-", color="#4c72b0", label="fixed-horizon p-value, read each time")
    axes.plot(units, sequential.p_values, "s-", color="#dd8452", label="always-valid p-value")
    axes.axhline(alpha, color="0.4", linestyle="--", linewidth=1, label=f"level {alpha:g}")
    axes.set_yscale("log")
    axes.set_ylim(max(min([*fixed, *sequential.p_values]) / 2, 1e-12), 1.5)
    axes.set_xlabel("units so far (both arms)")
    axes.set_ylabel("p-value")
    axes.set_title("Peeking: p-values at each look")
    axes.legend()
    return _save(figure, path)
