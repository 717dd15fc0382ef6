"""The experiment pictures: effects with intervals, and p-values look by look."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopkit import ValidationError
from shopkit.metrics import (
    Arm,
    ArmCounts,
    Experiment,
    Metric,
    analyse,
    plot_effects,
    plot_sequential,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_effects_and_peeking_are_drawn(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    test = Experiment(name="banner", arms=[Arm("control"), Arm("banner"), Arm("banner-10")])
    result = analyse(
        test,
        [
            ArmCounts(arm="control", units=1000, conversions=100),
            ArmCounts(arm="banner", units=1000, conversions=115),
            ArmCounts(arm="banner-10", units=1000, conversions=140),
        ],
    )
    assert plot_effects(result, tmp_path / "effects.png").read_bytes()[:8] == PNG
    # the first look has no conversions yet: its fixed-horizon p-value is drawn as 1
    looks = [(0, 100, 0, 100), (10, 1000, 12, 1000), (20, 2000, 31, 2000)]
    assert plot_sequential(looks, tmp_path / "peeking.png").read_bytes()[:8] == PNG


def test_pictures_refuse_what_they_cannot_draw(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    money_only = Experiment(
        name="aov", arms=[Arm("a"), Arm("b")], primary_metric=Metric.AVERAGE_ORDER_VALUE
    )
    result = analyse(
        money_only,
        [ArmCounts(arm="a", units=10, conversions=1), ArmCounts(arm="b", units=10, conversions=2)],
    )
    with pytest.raises(ValidationError) as error:
        plot_effects(result, tmp_path / "x.png")
    assert error.value.field == "analysis"
    with pytest.raises(ValidationError) as error:
        plot_sequential([], tmp_path / "x.png")
    assert error.value.field == "looks"
