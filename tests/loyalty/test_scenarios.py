"""Scenarios with numbers worked out by hand (in each test's comment)."""

from __future__ import annotations

import datetime as dt

from shopkit import Order, OrderLine
from shopkit.loyalty import (
    Ledger,
    OrderPlaced,
    Redeemed,
    Referred,
    Refund,
    RefundLine,
    SignUp,
)

from .helpers import day, gbp, order, programme, version


def test_upgrade_on_the_order_that_crosses_the_threshold():
    # silver from 100.00 over 90 days. 60.00 on day 1 -> 60.00, bronze; 50.00 on day 5 ->
    # 110.00, silver from that very order: it earns at silver's 2x, 50 x 2 = 100 points,
    # while the first earned 60 x 1 = 60; both pending (14-day return window).
    ledger = Ledger(
        programme(), [order("o1", "c", day(1), "60.00"), order("o2", "c", day(5), "50.00")]
    )
    before = ledger.status("c", day(5) - dt.timedelta(seconds=1))
    assert before.tier == "bronze"
    assert before.measure == gbp("60.00")
    assert before.next_tier is not None
    assert before.next_tier.amount == gbp("40.00")
    after = ledger.status("c", day(5))
    assert after.tier == "silver"
    assert after.measure == gbp("110.00")
    assert [lot.earned for lot in after.pending_lots] == [60, 100]
    assert after.next_tier is not None
    assert after.next_tier.amount == gbp("190.00")


def test_downgrade_only_after_the_grace_period():
    # 120.00 on day 0 -> silver. A 90-day window: the order counts until day 90, so from day
    # 90 the customer qualifies for bronze only; the 10-day grace keeps silver until day 100.
    ledger = Ledger(programme(), [order("o1", "c", day(0), "120.00")])
    assert ledger.status("c", day(89)).tier == "silver"
    in_grace = ledger.status("c", day(95))
    assert in_grace.tier == "silver"
    assert in_grace.measure == gbp("0.00")
    assert in_grace.downgrade_at == day(100)
    # to keep silver: 100.00 (the threshold) - 0.00 left in the window at day 100
    assert in_grace.keep is not None
    assert in_grace.keep.amount == gbp("100.00")
    assert in_grace.keep.by == day(100)
    assert ledger.status("c", day(100) - dt.timedelta(seconds=1)).tier == "silver"
    assert ledger.status("c", day(100)).tier == "bronze"


def test_an_order_in_the_grace_period_keeps_the_tier():
    # 120.00 on day 0, then 100.00 on day 95 (in grace): qualifies again at once, silver stays.
    ledger = Ledger(
        programme(), [order("o1", "c", day(0), "120.00"), order("o2", "c", day(95), "100.00")]
    )
    status = ledger.status("c", day(120))
    assert status.tier == "silver"
    assert status.measure == gbp("100.00")


def test_points_expire_on_their_day():
    # 80.00 on day 0 earns 80 points, available from day 14, expiring on day 60 (60 days).
    ledger = Ledger(programme(), [order("o1", "c", day(0), "80.00")])
    assert ledger.status("c", day(60) - dt.timedelta(seconds=1)).balance == 80
    assert ledger.status("c", day(50)).expiring_within(10) == 80  # day 60 is within 10 days
    assert ledger.status("c", day(49)).expiring_within(10) == 0  # day 59: not yet
    gone = ledger.status("c", day(60))
    assert gone.balance == 0
    assert gone.expired == 80


def test_pending_points_become_available_after_the_return_window():
    # 80.00 on day 0: 80 points pending for 14 days, then available.
    ledger = Ledger(programme(), [order("o1", "c", day(0), "80.00")])
    waiting = ledger.status("c", day(14) - dt.timedelta(seconds=1))
    assert (waiting.pending, waiting.balance) == (80, 0)
    ready = ledger.status("c", day(14))
    assert (ready.pending, ready.balance) == (0, 80)


def test_referral_rewards_both_sides_on_the_first_order():
    # "both, on the first order": 500 to the referrer, 250 to the referred customer, given at
    # the referred customer's first order after the referral (day 3), not at the second.
    rules = version(
        referrals=[
            {
                "type": "referral",
                "reward": "both",
                "on": "first_order",
                "referrer_points": 500,
                "referred_points": 250,
            }
        ]
    )
    ledger = Ledger(
        programme(rules),
        [
            Referred("ref", "ana", "ben", day(1)),
            SignUp("su", "ben", day(2)),
            order("b1", "ben", day(3), "20.00"),
            order("b2", "ben", day(4), "20.00"),
        ],
    )
    ana, ben = ledger.status("ana", day(5)), ledger.status("ben", day(5))
    assert ana.balance == 500
    assert ben.balance == 250  # the orders' 20 + 20 points are pending
    assert ben.pending == 40
    assert ledger.status("ana", day(3) - dt.timedelta(seconds=1)).balance == 0


def test_referral_cap_per_referrer():
    # "referrer, on sign-up, cap 1": ana referred ben and cy; only the first sign-up (ben on
    # day 2) rewards her: 100 points, not 200.
    rules = version(
        referrals=[
            {
                "type": "referral",
                "reward": "referrer",
                "on": "sign_up",
                "referrer_points": 100,
                "cap": 1,
            }
        ]
    )
    ledger = Ledger(
        programme(rules),
        [
            Referred("r1", "ana", "ben", day(1)),
            Referred("r2", "ana", "cy", day(1)),
            SignUp("s1", "ben", day(2)),
            SignUp("s2", "cy", day(3)),
        ],
    )
    assert ledger.status("ana", day(4)).balance == 100


def test_a_version_takes_effect_on_its_date():
    # Version 2 from day 30 earns 3 points per 1.00 instead of 1. An order of 10.00 on day 29
    # earns 10 points (version 1), one on day 30 earns 30 (version 2): history is not rewritten.
    second = version(
        effective="2026-01-31T00:00:00+00:00",
        earning=[{"type": "per_amount", "points": 3, "per": "1.00 GBP"}],
    )
    ledger = Ledger(
        programme(version(), second),
        [
            order("o1", "c", day(29), "10.00"),
            order("o2", "c", day(30), "10.00"),
        ],
    )
    status = ledger.status("c", day(31))
    assert [lot.earned for lot in status.pending_lots] == [10, 30]


def test_a_threshold_change_applies_from_its_date():
    # Silver needs 100.00 until day 30, then 200.00. 150.00 on day 0: silver; from day 30 the
    # customer qualifies for bronze only, and the 10-day grace keeps silver until day 40.
    second = version(
        effective="2026-01-31T00:00:00+00:00",
        tiers=[
            {"name": "bronze", "threshold": "0"},
            {"name": "silver", "threshold": "200"},
            {"name": "gold", "threshold": "300"},
        ],
    )
    ledger = Ledger(programme(version(), second), [order("o1", "c", day(0), "150.00")])
    assert ledger.status("c", day(29)).tier == "silver"
    assert ledger.status("c", day(39)).tier == "silver"
    assert ledger.status("c", day(40)).tier == "bronze"


def test_redemption_spends_the_oldest_lot_first():
    # 30 points (day 0) and 50 points (day 1), both available from day 15; redeeming 40 on
    # day 20 takes all 30 of the first lot and 10 of the second: 0 and 40 left.
    ledger = Ledger(
        programme(),
        [
            order("o1", "c", day(0), "30.00"),
            order("o2", "c", day(1), "50.00"),
            Redeemed("x", "c", day(20), points=40),
        ],
    )
    status = ledger.status("c", day(21))
    assert [(lot.source, lot.points) for lot in status.lots] == [("o2", 40)]
    assert status.redeemed == 40


def test_a_refund_reverses_what_each_line_earned():
    # Tea in category "tea" earns double: 3 x 10.00 tea = 60 points, 1 x 20.00 mug = 20.
    # Returning 1 tea takes back 60 x 1/3 = 20; returning the mug later takes back 20. Spend:
    # 50.00 - 10.00 - 20.00 = 20.00.
    rules = version(
        earning=[
            {
                "type": "per_amount",
                "points": 1,
                "per": "1.00 GBP",
                "multipliers": [{"categories": ["tea"], "factor": "2"}],
            }
        ]
    )
    placed = OrderPlaced(
        Order(
            "o1",
            [OrderLine("TEA", 3, gbp("10.00")), OrderLine("MUG", 1, gbp("20.00"))],
            day(0),
            customer="c",
        ),
        {"TEA": "tea", "MUG": "ware"},
    )
    ledger = Ledger(programme(rules), [placed])
    assert ledger.status("c", day(1)).pending == 80
    ledger.append(Refund("r1", "o1", day(2), [RefundLine("TEA", 1)]))
    assert ledger.status("c", day(2)).pending == 60
    ledger.append(Refund("r2", "o1", day(3), [RefundLine("MUG", 1)]))
    status = ledger.status("c", day(3))
    assert (status.pending, status.reversed, status.measure) == (40, 40, gbp("20.00"))


def test_min_order_and_excluded_skus_earn_nothing():
    # min order 25.00: a 20.00 order earns nothing; a 30.00 order of which 10.00 is a gift
    # card (excluded) earns 20.
    rules = version(
        earning=[
            {
                "type": "per_amount",
                "points": 1,
                "per": "1.00 GBP",
                "exclude_skus": ["GIFT"],
                "min_order": "25.00 GBP",
            }
        ]
    )
    both = OrderPlaced(
        Order(
            "o2",
            [OrderLine("A", 1, gbp("20.00")), OrderLine("GIFT", 1, gbp("10.00"))],
            day(1),
            customer="c",
        )
    )
    ledger = Ledger(programme(rules), [order("o1", "c", day(0), "20.00"), both])
    assert [lot.earned for lot in ledger.status("c", day(2)).pending_lots] == [20]


def test_spend_basis_with_shipping_and_orders_measure():
    # A gross basis with shipping: 2 x 50.00 less 10.00 discount, 5.00 shipping counts
    # 100.00 + 5.00 = 105.00; an orders measure counts 1.
    rules = version(measure={"type": "spend", "discounts": "gross", "shipping": True})
    placed = OrderPlaced(
        Order(
            "o1",
            [OrderLine("A", 2, gbp("50.00"), discount=gbp("10.00"))],
            day(0),
            customer="c",
            shipping=gbp("5.00"),
        )
    )
    assert Ledger(programme(rules), [placed]).status("c", day(0)).measure == gbp("105.00")
    counted = version(
        measure={"type": "orders"},
        tiers=[
            {"name": "bronze", "threshold": "0"},
            {"name": "silver", "threshold": "2"},
            {"name": "gold", "threshold": "5"},
        ],
    )
    ledger = Ledger(programme(counted), [placed, order("o2", "c", day(1), "1.00")])
    status = ledger.status("c", day(1))
    assert (status.measure, status.tier) == (2, "silver")
    assert status.next_tier is not None
    assert status.next_tier.orders == 3


def test_a_redemption_spends_at_most_the_max_share():
    # 0.01 per point, at most half of a 7.99 order: 399 points (3.99), not 400 (4.00).
    rule = programme(version(redemption={"point_value": "0.01 GBP", "max_share": "0.5"}))
    redemption = rule.versions[0].redemption
    assert redemption is not None
    assert redemption.check(399, gbp("7.99")) == gbp("3.99")
    assert redemption.max_points(gbp("7.99")) == 399
