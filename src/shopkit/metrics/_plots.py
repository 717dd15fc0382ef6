"""Pictures as PNG files: a cohort heat map, a KPI trend chart and a funnel chart.

They need matplotlib (``pip install "shopkit[plots]"``), imported when a picture is drawn, not
when ``shopkit.metrics`` is. Each function writes one PNG and returns its path; the figure is
closed afterwards, and the non-interactive ``Agg`` backend is used, so nothing opens a window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from shopkit import Money
from shopkit.errors import ValidationError
from shopkit.metrics._cohorts import CohortTable
from shopkit.metrics._kpis_sessions import FunnelResult
from shopkit.metrics._table import KpiTable

__all__ = ["plot_cohorts", "plot_funnel", "plot_trend"]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            'shopkit\'s pictures need matplotlib: pip install "shopkit[plots]"'
        ) from error
    return plt


def _save(figure: Any, path: str | Path) -> Path:
    plt = _pyplot()
    path = Path(path)
    try:
        figure.savefig(path, format="png", dpi=80, bbox_inches="tight")
    except OSError as error:
        raise ValidationError(
            f"cannot write {path}: {error.strerror or error}", field="path", value=str(path)
        ) from None
    finally:
        plt.close(figure)
    return path


def plot_cohorts(cohorts: CohortTable, path: str | Path) -> Path:
    """Write a cohort retention heat map; unobserved cells are grey, never drawn as 0.

    Raises:
        ValidationError: the table has no cohort, or the file cannot be written.
    """
    if not cohorts.cohorts:
        raise ValidationError("has no cohort to draw", field="cohorts", value=0)
    plt = _pyplot()
    shares = np.ma.masked_invalid(cohorts.shares)
    height = max(2.0, 0.35 * len(cohorts.cohorts) + 1)
    figure, axes = plt.subplots(figsize=(min(12.0, 1.0 + 0.6 * shares.shape[1]), height))
    colours = plt.get_cmap("Blues").with_extremes(bad="#d9d9d9")  # not observed: grey, not 0
    image = axes.imshow(shares, cmap=colours, vmin=0.0, vmax=1.0, aspect="auto")
    axes.set_yticks(range(len(cohorts.cohorts)))
    axes.set_yticklabels(
        [f"{c} ({n})" for c, n in zip(cohorts.cohorts, cohorts.sizes, strict=True)]
    )
    axes.set_xticks(range(shares.shape[1]))
    axes.set_xticklabels([f"+{k}" for k in range(shares.shape[1])])
    axes.set_xlabel(f"{cohorts.period.value}s after the first order")
    axes.set_title("Customers ordering again, by cohort (grey: not observed yet)")
    figure.colorbar(image, ax=axes, label="share of the cohort")
    return _save(figure, path)


def _number(value: Any) -> float:
    if isinstance(value, Money):
        return float(value.amount)  # float-ok: a picture's coordinate, not a price
    if value is None:
        return float("nan")
    return float(value)


def plot_trend(table: KpiTable, column: str, path: str | Path) -> Path:
    """Write a line chart of one column of a time breakdown (``by="day"``, ``week``, ``month``).

    Raises:
        ValidationError: ``column`` is not in the table, or the file cannot be written.
    """
    cells = table.column(column)
    plt = _pyplot()
    labels = [str(label) for label in table.column(table.columns[0])]
    figure, axes = plt.subplots(figsize=(max(4.0, 0.5 * len(labels)), 3.0))
    axes.plot(range(len(labels)), [_number(cell) for cell in cells], marker="o")
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=45, ha="right")
    axes.set_title(column)
    axes.grid(alpha=0.3)
    return _save(figure, path)


def plot_funnel(funnel: FunnelResult, path: str | Path) -> Path:
    """Write a funnel chart: sessions reaching each step, with each step's conversion.

    Raises:
        ValidationError: the file cannot be written.
    """
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(5.0, 3.0))
    steps = list(funnel.steps)
    axes.barh(range(len(steps)), funnel.sessions, color="#4c72b0")
    axes.set_yticks(range(len(steps)))
    axes.set_yticklabels(steps)
    axes.invert_yaxis()
    for index, value in enumerate(funnel.conversion, start=1):
        if value is not None:
            axes.text(funnel.sessions[index], index, f" {value:.0%}", va="center")
    axes.set_xlabel("sessions")
    axes.set_title("Funnel")
    return _save(figure, path)
