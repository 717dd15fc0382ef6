"""A programme is data: read through the one converter, every rule kind a registered type."""

from __future__ import annotations

from typing import Any

import pytest

from shopkit import ConfigError, from_dict, from_json, to_json
from shopkit.loyalty import Programme, sample_programme
from shopkit.loyalty.plugin import (
    badge_rules,
    benefits,
    earn_rules,
    measures,
    referral_rules,
    windows,
)

from .helpers import version


def load(*versions: dict[str, Any]) -> Programme:
    return from_dict({"name": "t", "currency": "GBP", "versions": list(versions)}, Programme)


def test_every_rule_kind_is_a_registered_type():
    assert measures.names() == ("orders", "spend")
    assert windows.names() == ("lifetime", "rolling")
    assert benefits.names() == ("discount", "free_shipping", "points_multiplier")
    assert earn_rules.names() == ("bonus", "per_amount")
    assert referral_rules.names() == ("referral",)
    assert set(badge_rules.names()) >= {"event_count", "month_streak", "order_count"}


def test_the_sample_round_trips_through_json():
    programme = sample_programme()
    assert from_json(to_json(programme), Programme) == programme


def test_unsorted_or_overlapping_thresholds_are_refused_with_field_and_value():
    tiers = [
        {"name": "a", "threshold": "0"},
        {"name": "b", "threshold": "500"},
        {"name": "c", "threshold": "300"},
    ]
    with pytest.raises(ConfigError) as caught:
        load(version(tiers=tiers))
    assert caught.value.errors[0].startswith("versions[0].tiers[2].threshold: 300 is not above")
    same = [{"name": "a", "threshold": "0"}, {"name": "b", "threshold": "0"}]
    with pytest.raises(ConfigError, match=r"tiers\[1\].threshold: 0 is not above"):
        load(version(tiers=same))


def test_an_unknown_kind_lists_the_known_ones():
    with pytest.raises(ConfigError, match="known: orders, spend"):
        load(version(measure={"type": "visits"}))


def test_a_threshold_with_too_many_decimals_is_refused():
    with pytest.raises(ConfigError, match=r"versions\[0\].tiers\[1\].threshold"):
        load(version(tiers=[{"name": "a", "threshold": "0"}, {"name": "b", "threshold": "1.001"}]))


def test_versions_must_be_by_date_and_keep_the_tier_names():
    later = version(effective="2026-06-01T00:00:00+00:00")
    with pytest.raises(ConfigError, match=r"versions\[1\].effective"):
        load(later, version())
    renamed = version(
        effective="2026-06-01T00:00:00+00:00", tiers=[{"name": "x", "threshold": "0"}]
    )
    with pytest.raises(ConfigError, match=r"versions\[1\].tiers"):
        load(version(), renamed)


def test_expiry_before_the_return_window_is_refused():
    with pytest.raises(ConfigError, match="expiry_days: points would expire"):
        load(version(expiry_days=10, return_window_days=14))


def test_a_rate_in_another_currency_is_refused():
    with pytest.raises(ConfigError, match=r"versions\[0\].earning\[0\].per"):
        load(version(earning=[{"type": "per_amount", "points": 1, "per": "1.00 EUR"}]))
