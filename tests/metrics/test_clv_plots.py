"""The purchase-count distribution by hand, and the pictures drawn from it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from shopkit import ValidationError
from shopkit.metrics import (
    BgNbd,
    MbgNbd,
    plot_p_alive,
    plot_repeat_purchases,
    sample_repeat_summary,
)


def test_purchase_distribution_by_hand() -> None:
    model = BgNbd(r=1, alpha=1, a=1, b=1)
    # T = 1: NB(0) = (α/(α + T))^r = 1/2; P(X = 0) = B(a, b)/B(a, b)·NB(0) = 1/2 (nobody drops
    # out without a purchase in BG/NBD). NB(1) = r·(1/2)·(1/2) = 1/4;
    # P(X = 1) = B(1, 2)/B(1, 1)·1/4 + B(2, 1)/B(1, 1)·(1 − 1/2) = ½·¼ + ½·½ = 3/8
    probabilities = model.purchase_distribution([1.0], 2)[0]
    assert probabilities[0] == pytest.approx(0.5)
    assert probabilities[1] == pytest.approx(3 / 8)
    assert probabilities[2] == pytest.approx(1 - 0.5 - 3 / 8)
    # MBG/NBD: P(X = 0) = B(1, 2)/B(1, 1)·1/2 + B(2, 1)/B(1, 1)·1 = ¼ + ½ = ¾
    assert MbgNbd(r=1, alpha=1, a=1, b=1).purchase_distribution([1.0], 1)[0][0] == pytest.approx(
        0.75
    )


def test_purchase_distribution_rows_sum_to_one() -> None:
    model = BgNbd(r=0.82, alpha=69.4, a=0.0036, b=7.16)
    rows = model.purchase_distribution(np.linspace(1, 400, 50), 10)
    assert np.allclose(rows.sum(axis=1), 1.0)
    assert np.all(rows >= 0)
    with pytest.raises(ValidationError) as error:
        model.purchase_distribution([1.0], 0)
    assert error.value.field == "most"


def test_the_pictures_are_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    sample = sample_repeat_summary()
    model = BgNbd.fit_summary(sample)
    # the expected counts of the picture add up to the customers, as the actual ones do
    expected = model.purchase_distribution(sample.T, 7).sum(axis=0)
    assert math.isclose(float(expected.sum()), len(sample), rel_tol=1e-9)
    for draw, name in ((plot_repeat_purchases, "repeat.png"), (plot_p_alive, "alive.png")):
        path = draw(model, sample, tmp_path / name)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValidationError) as error:
        plot_p_alive("model", sample, tmp_path / "x.png")  # type: ignore[arg-type]
    assert error.value.field == "model"
    with pytest.raises(ValidationError) as error:
        plot_p_alive(model, sample, tmp_path / "missing" / "x.png")
    assert error.value.field == "path"
