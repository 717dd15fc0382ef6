"""Pictures of a CLV fit, written as PNG: expected against actual repeat purchases, p-alive.

matplotlib (``pip install "shopkit[plots]"``) is imported inside each function, when a picture
is drawn, so importing ``shopkit.metrics`` does not load it. The figures are drawn on a
``matplotlib.figure.Figure`` of their own, without pyplot's global state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from shopkit.errors import ValidationError
from shopkit.metrics._customers import RepeatSummary
from shopkit.metrics._purchases import BgNbd, MbgNbd

__all__ = ["plot_p_alive", "plot_repeat_purchases"]


def _figure(height: float = 4.2) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - the plots extra brings matplotlib
        raise ImportError('pictures need matplotlib: pip install "shopkit[plots]"') from error
    return Figure(figsize=(7.0, height), dpi=100, layout="constrained")


def _check(model: Any, summary: Any) -> None:
    if not isinstance(model, BgNbd | MbgNbd):
        raise ValidationError(f"{model!r} is not a BgNbd or MbgNbd model", field="model")
    if not isinstance(summary, RepeatSummary):
        raise ValidationError(f"{summary!r} is not a RepeatSummary", field="summary")


def _save(figure: Any, path: str | Path) -> Path:
    target = Path(path)
    try:
        figure.savefig(target, format="png")
    except OSError as error:
        raise ValidationError(
            f"cannot write {target}: {error.strerror or error}", field="path", value=str(target)
        ) from None
    return target


def plot_repeat_purchases(
    model: BgNbd | MbgNbd, summary: RepeatSummary, path: str | Path, *, most: int = 7
) -> Path:
    """Draw how many customers made 0, 1, … repeat purchases, and how many the model expects.

    The expected count of a bar is the sum over the customers of the model's probability of
    that many repeat purchases at their age (``purchase_distribution``); bars that agree say
    the model fits the data it was fitted on. The last bar is ``most`` or more.

    Args:
        model: The fitted purchase model.
        summary: The repeat summary it was fitted on.
        path: The PNG file to write.
        most: The last bar's count.

    Returns:
        The path written.

    Raises:
        ValidationError: an argument is of the wrong type, or the file cannot be written.
    """
    _check(model, summary)
    expected = model.purchase_distribution(summary.T, most).sum(axis=0)
    actual = np.bincount(np.minimum(summary.frequency.astype(np.int64), most), minlength=most + 1)
    figure = _figure()
    axes = figure.add_subplot()
    where = np.arange(most + 1)
    axes.bar(where - 0.2, actual, width=0.4, label="actual", color="#4c72b0")
    axes.bar(where + 0.2, expected, width=0.4, label=f"expected ({model.name})", color="#dd8452")
    axes.set_xticks(where, [*map(str, range(most)), f"{most}+"])
    axes.set_xlabel("repeat purchases (periods with an order, less one)")
    axes.set_ylabel("customers")
    axes.set_title("Repeat purchases: actual and expected")
    axes.legend()
    return _save(figure, path)


def plot_p_alive(model: BgNbd | MbgNbd, summary: RepeatSummary, path: str | Path) -> Path:
    """Draw the spread of the customers' probability of being alive (a histogram).

    Args:
        model: The fitted purchase model.
        summary: The customers.
        path: The PNG file to write.

    Returns:
        The path written.

    Raises:
        ValidationError: an argument is of the wrong type, or the file cannot be written.
    """
    _check(model, summary)
    alive = model.p_alive(summary.frequency, summary.recency, summary.T)
    figure = _figure()
    axes = figure.add_subplot()
    axes.hist(alive, bins=20, range=(0.0, 1.0), color="#4c72b0")
    axes.set_xlabel("probability alive")
    axes.set_ylabel("customers")
    axes.set_title(f"Probability alive ({model.name}), {len(summary)} customers")
    return _save(figure, path)
