"""RFM segments: the rules by hand, thresholds as data, segments on the customer context."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import (
    ConfigError,
    Customer,
    Money,
    Order,
    OrderLine,
    OrderTable,
    ValidationError,
    from_json,
    to_json,
)
from shopkit.metrics import (
    CustomerPartial,
    CustomerSummary,
    RfmRules,
    Segment,
    rfm_segments,
    with_segments,
)

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def day(number: int) -> dt.datetime:
    return START + dt.timedelta(days=number)


def order(name: str, customer: str, when: int, pounds: str = "10.00") -> Order:
    return Order(name, [OrderLine("TEA", 1, Money.of(pounds, "GBP"))], day(when), customer=customer)


def summary() -> CustomerSummary:
    return CustomerPartial.of(
        OrderTable.of(
            [
                order("o1", "lost", 0),  # last order 200 days before day 200: > 180, lost
                order("o2", "risky", 50),  # 150 days: > 90, at risk
                order("o3", "risky", 100),  # its last order is 100 days old: still at risk
                order("o4", "fresh", 190),  # first order 10 days old: new
                order("o5", "steady", 120),  # first 80 days old, last 20: regular
                order("o6", "steady", 180),
                order("o7", "whale", 195, "900.00"),  # new, and 900 GBP ≥ 500: VIP
            ]
        )
    ).summary()


def test_segments_by_hand() -> None:
    rules = RfmRules(vip_spend=[Money.of("500", "GBP")])
    assert rfm_segments(summary(), day(200), rules) == {
        "fresh": ("new",),
        "lost": ("lost",),
        "risky": ("at_risk",),
        "steady": ("regular",),
        "whale": ("new", "vip"),
    }


def test_thresholds_change_the_segments() -> None:
    # at_risk after 10 days, lost after 100: steady's last order (20 days) is now at risk and
    # risky's (100 days) is at risk still (not more than 100); two orders make a VIP
    rules = RfmRules(new_days=5, at_risk_days=10, lost_days=100, vip_orders=2)
    found = rfm_segments(summary(), day(200), rules)
    assert found["steady"] == ("at_risk", "vip")
    assert found["risky"] == ("at_risk", "vip")
    assert found["fresh"] == ("regular",)  # 10 days old, new only for 5
    assert found["lost"] == ("lost",)


def test_refunds_count_against_the_vip_spend() -> None:
    orders = OrderTable.of([order("o1", "c1", 0, "600.00")])
    refund = OrderTable.of([order("C1", "c1", 1, "200.00")])
    rules = RfmRules(vip_spend=[Money.of("500", "GBP")])
    # spend 600 − refund 200 = 400 net: below 500, not a VIP
    found = rfm_segments(CustomerPartial.of(orders, refund).summary(), day(2), rules)
    assert found == {"c1": ("new",)}


def test_rules_are_data() -> None:
    rules = RfmRules(at_risk_days=60, lost_days=120, vip_spend=[Money.of("500", "GBP")])
    assert from_json(to_json(rules), RfmRules) == rules
    with pytest.raises(ConfigError) as error:
        from_json('{"at_risk_days": 200}', RfmRules)
    assert "lost_days" in str(error.value)
    with pytest.raises(ConfigError) as error:
        from_json('{"new_days": 0}', RfmRules)
    assert "new_days" in str(error.value)
    with pytest.raises(ValidationError) as invalid:
        RfmRules(vip_spend=[Money.of("5", "GBP"), Money.of("6", "GBP")])
    assert invalid.value.field == "vip_spend[1]"


def test_segments_reach_the_customer_context() -> None:
    found = rfm_segments(summary(), day(200))
    customer = with_segments(Customer("whale", segments=["staff"]), found)
    assert customer.segments == ("staff", "new")
    assert with_segments(Customer(), found) == Customer()
    with pytest.raises(ValidationError) as error:
        rfm_segments(summary(), dt.datetime(2024, 1, 1))
    assert error.value.field == "at"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 300)), min_size=1, max_size=15),
    st.integers(301, 700),
)
def test_every_customer_gets_exactly_one_recency_segment(rows, now) -> None:
    orders = OrderTable.of(
        [order(f"o{i}", customer, when) for i, (customer, when) in enumerate(rows)]
    )
    found = rfm_segments(CustomerPartial.of(orders).summary(), day(now))
    recency = {Segment.NEW, Segment.REGULAR, Segment.AT_RISK, Segment.LOST}
    assert set(found) == {customer for customer, _ in rows}
    for segments in found.values():
        assert sum(name in recency for name in segments) == 1
        assert set(segments) <= {s.value for s in Segment}
