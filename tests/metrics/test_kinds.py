"""KPIs as config: every registered kind reads and writes through the one converter."""

from __future__ import annotations

import inspect

import pytest

import shopkit.metrics as metrics
from shopkit import ConfigError, from_dict, from_json, to_dict
from shopkit.metrics import AverageOrderValue, Kpi, PaybackPeriod, Retention
from shopkit.metrics.plugin import kpis

IN_CODE_ONLY = {"PredictedChurn", "AttachRate", "FunnelAudiences"}
NEED_ARGUMENTS: dict[str, dict[str, object]] = {
    "incremental_revenue": {"assignment": {"c1": "treatment"}},
    "recommendation_feedback": {"matrix": {"MUG": ["TEA"]}},
}


def test_every_built_in_kpi_is_registered_but_those_built_in_code() -> None:
    built_in = {
        name
        for name, value in vars(metrics).items()
        if inspect.isclass(value) and issubclass(value, Kpi) and value is not Kpi
    }
    registered = {kpis.get(name).__name__ for name in kpis.names()}
    assert registered == built_in - IN_CODE_ONLY


@pytest.mark.parametrize("name", kpis.names())
def test_each_kind_round_trips(name: str) -> None:
    kpi = from_dict({"type": name, **NEED_ARGUMENTS.get(name, {})}, Kpi)
    assert isinstance(kpi, kpis.get(name))
    assert from_dict(to_dict(kpi), Kpi) == kpi


def test_a_dashboard_config() -> None:
    text = '[{"type": "aov", "per": "customer"}, {"type": "retention", "inactive_after_days": 30},'
    text += ' {"type": "payback_period", "margin": "0.4"}]'
    assert from_json(text, list[Kpi]) == [
        AverageOrderValue(per="customer"),
        Retention(inactive_after_days=30),
        PaybackPeriod(margin="0.4"),
    ]


def test_config_mistakes_name_the_field() -> None:
    with pytest.raises(ConfigError, match="per: 'visit' is not one of order, customer"):
        from_dict({"type": "aov", "per": "visit"}, Kpi)
    with pytest.raises(ConfigError, match=r"'bogus' is not a known shopkit\.kpis type"):
        from_dict({"type": "bogus"}, Kpi)
