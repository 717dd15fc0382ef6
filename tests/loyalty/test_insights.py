"""Badges, triggers, analytics and what-if on the sample ledger, numbers worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from shopkit import Money, ValidationError, from_dict, to_dict
from shopkit.loyalty import (
    Ledger,
    Notice,
    Programme,
    analytics,
    customer_context,
    sample_ledger_events,
    sample_programme,
    triggers,
    what_if,
)

END = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger(sample_programme(), sample_ledger_events())


def test_badges_are_earned_on_the_event_that_completes_them(ledger):
    # ana orders on the 15th of every month: the 3-month streak completes with March's order,
    # the 5th order is May's, the first review is on 20 March
    badges = {b.name: b.earned_at for b in ledger.status("ana", END).badges}
    assert badges == {
        "3-month streak": dt.datetime(2025, 3, 15, 12, tzinfo=dt.UTC),
        "first review": dt.datetime(2025, 3, 20, 12, tzinfo=dt.UTC),
        "5 orders": dt.datetime(2025, 5, 15, 12, tzinfo=dt.UTC),
    }
    assert ledger.status("cy", END).badges == ()


def test_triggers_list_each_message_once_within_the_cooldown(ledger):
    # ben: 500.00 on 10 July -> silver; a 100.00 refund on 20 July leaves 400.00, so the
    # 30-day grace ends on 19 August: on 10 August the downgrade is due within 30 days
    at = dt.datetime(2025, 8, 10, tzinfo=dt.UTC)
    first = triggers(ledger, at)
    assert [(n.customer, n.kind.value, n.key) for n in first] == [
        ("ben", "downgrade_pending", "silver")
    ]
    assert first[0].when == dt.datetime(2025, 8, 19, 12, tzinfo=dt.UTC)
    # sent on 10 August: not listed again on 12 August (30-day cooldown)
    sent = [Notice(customer="ben", kind="downgrade_pending", key="silver", at=at)]
    assert triggers(ledger, at + dt.timedelta(days=2), sent=sent) == []
    # ana reached gold on 15 September (1550.00 over the year): listed within the week after
    reached = triggers(ledger, dt.datetime(2025, 9, 20, tzinfo=dt.UTC))
    assert [(n.customer, n.kind.value, n.key) for n in reached] == [("ana", "tier_reached", "gold")]
    with pytest.raises(ValidationError, match="horizon_days"):
        triggers(ledger, at, horizon_days=-1)


def test_points_expiring_are_listed(ledger):
    # ana's first lot left is the referral reward of 10 April 2025 (60 of 500 left after the
    # October redemption), expiring 10 April 2026; on 1 April 2026 it is within 30 days
    at = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    expiring = [
        n for n in triggers(ledger, at) if n.kind.value == "points_expiring" and n.customer == "ana"
    ]
    # lots expiring by 1 May 2026: the referral's 60 (10 Apr) and April's order's 250 (15 Apr)
    assert [(n.key, n.points) for n in expiring] == [("2026-04-10", 310)]


def test_analytics_of_the_sample(ledger):
    figures = analytics(ledger, END)
    # earned: ana 3404 + ben 1050 + cy 270 = 4724; redeemed: ana 1000 + cy 200 = 1200;
    # reversed: ben's refund 125. Redemption rate 1200 / (4724 - 125) = 0.2609...
    assert (figures.earned, figures.redeemed, figures.expired) == (4724, 1200, 0)
    assert figures.redemption_rate == pytest.approx(1200 / 4599)
    assert figures.breakage == 0.0
    assert figures.tiers == {"bronze": 2, "silver": 0, "gold": 1}
    assert figures.movement == {("bronze", "gold"): 1}  # ana, from a year before
    # outstanding points at 0.01 each: 3399 points = 33.99 GBP over the expiry months
    assert figures.outstanding == 3399
    assert sum(figures.liability.values(), Money.zero("GBP")) == Money.of("33.99", "GBP")
    assert figures.active == 1  # only ana ordered in the last 90 days


def test_what_if_a_lower_gold_threshold(ledger):
    # gold from 1000.00 instead of 1500.00. ana's running spend: 120, 200, 350, 550 (silver),
    # 610, 910, 1000 on 15 July -> gold two months early. July's 9 mugs (90.00, "ware") earn
    # 90 x 1.5 = 135 instead of 90 x 1.25 = 112 (+23); August's 250.00 of teapots earn 375
    # instead of 312 (+63); from September she is gold either way. ben and cy never reach
    # 1000.00, so nobody moves tier at the end of the year.
    data = to_dict(ledger.programme)
    data["versions"][0]["tiers"][2]["threshold"] = "1000"
    cheaper = from_dict(data, Programme)
    result = what_if(ledger, cheaper, END)
    assert result.moves == ()  # ana is gold either way, ben and cy bronze
    assert result.after["total"].earned - result.before["total"].earned == 375 - 312 + 23
    # the tier discount on those two orders: 10% instead of 5% of 90.00 (+4.50) and of
    # 250.00 (+12.50): +17.00
    assert result.after["total"].discounts - result.before["total"].discounts == Money.of(
        "17.00", "GBP"
    )


def test_the_tier_reaches_pricing_as_the_customer_context(ledger):
    from shopkit import Cart, Customer, Product, from_json
    from shopkit.pricing import Promotion, price

    context = customer_context(ledger.status("ana", END), Customer("ana", segments=["vip"]))
    assert context.loyalty_tier == "gold"
    assert context.segments == ("vip", "loyalty-gold")
    # the programme's gold benefit, 10% off, is an ordinary promotion with a loyalty_tier
    # condition: on a 50.00 teapot ana pays 45.00, a bronze customer 50.00
    gold = from_json(
        '{"id": "gold-10", "name": "Gold members: 10% off",'
        ' "benefit": {"type": "percentage", "percent": "10"},'
        ' "condition": {"type": "loyalty_tier", "tiers": ["gold"]}}',
        Promotion,
    )
    cart = Cart("GBP").add(Product("POT", "Teapot", Money.of("50.00", "GBP")))
    assert price(cart, [gold], at=END, customer=context).total == Money.of("45.00", "GBP")
    bronze = customer_context(ledger.status("cy", END))
    assert price(cart, [gold], at=END, customer=bronze).total == Money.of("50.00", "GBP")


def test_member_against_non_member_spend(ledger):
    from shopkit import Order, OrderLine, OrderTable

    # everyone's orders: ana's 120.00 (a member), a guest's 30.00 and a non-member's 45.50
    at = dt.datetime(2025, 1, 15, tzinfo=dt.UTC)

    def gbp(amount: str) -> Money:
        return Money.of(amount, "GBP")

    orders = OrderTable.of(
        [
            Order(
                "ana-01",
                [OrderLine("POT", 2, gbp("50.00")), OrderLine("TEA", 2, gbp("10.00"))],
                at,
                customer="ana",
            ),
            Order("g-1", [OrderLine("MUG", 3, gbp("10.00"))], at),
            Order("zed-1", [OrderLine("TEA", 1, gbp("45.50"))], at, customer="zed"),
        ]
    )
    figures = analytics(ledger, END, orders=orders)
    assert figures.member_spend == Money.of("120.00", "GBP")
    assert figures.other_spend == Money.of("75.50", "GBP")  # 30.00 + 45.50
