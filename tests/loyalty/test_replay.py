"""The columnar replay (``LedgerTable``) against the per-customer ledger replay, and by hand."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Money, Order, OrderLine, ValidationError
from shopkit.loyalty import (
    Adjustment,
    Birthday,
    Ledger,
    LedgerEvent,
    LedgerTable,
    OrderPlaced,
    Programme,
    ProgrammeVersion,
    Redeemed,
    Referred,
    Refund,
    RefundLine,
    Review,
    SignUp,
    StatusTable,
)
from shopkit.loyalty._engine import tier_index
from shopkit.loyalty._summary import _grace_drop, grace_drops
from shopkit.loyalty.plugin import BadgeRule

from .helpers import day, order, programme, version

CUSTOMERS = ("a", "b", "c", "d")
SKUS = ("A", "B", "TEA", "GIFT")
CATEGORIES = {"TEA": "tea", "B": "ware"}

RICH = version(
    earning=[
        {
            "type": "per_amount",
            "points": 3,
            "per": "2.00 GBP",
            "multipliers": [{"categories": ["tea"], "factor": "1.5"}],
            "exclude_skus": ["GIFT"],
            "min_order": "5.00 GBP",
        },
        {"type": "per_amount", "points": 1, "per": "7.00 GBP"},
        {"type": "bonus", "event": "sign_up", "points": 40},
        {"type": "bonus", "event": "review", "points": 15},
        {"type": "bonus", "event": "birthday", "points": 25},
    ],
    referrals=[
        {
            "type": "referral",
            "reward": "both",
            "on": "first_order",
            "referrer_points": 30,
            "referred_points": 20,
            "cap": 2,
        },
        {"type": "referral", "reward": "referrer", "on": "sign_up", "referrer_points": 5},
    ],
    badges=[
        {"type": "order_count", "name": "3 orders", "count": 3},
        {"type": "event_count", "name": "first review", "event": "review"},
        {"type": "event_count", "name": "2 referrals", "event": "referral", "count": 2},
        {"type": "month_streak", "name": "2-month streak", "months": 2},
    ],
)
PROGRAMMES = [
    programme(),
    programme(RICH),
    programme(version(window={"type": "lifetime"}, grace_days=0, expiry_days=None)),
    programme(
        RICH,
        version(
            effective="2026-02-10T00:00:00+00:00",
            grace_days=5,
            expiry_days=20,
            return_window_days=3,
            window={"type": "rolling", "days": 30},
            measure={"type": "spend", "discounts": "gross", "shipping": True},
            tiers=[
                {"name": "bronze", "threshold": "10"},
                {
                    "name": "silver",
                    "threshold": "50",
                    "benefits": [{"type": "points_multiplier", "factor": "3"}],
                },
                {"name": "gold", "threshold": "120"},
            ],
        ),
        version(effective="2026-03-20T00:00:00+00:00", expiry_days=None, return_window_days=0),
    ),
    programme(
        version(
            measure={"type": "orders"},
            window={"type": "rolling", "days": 40},
            tiers=[
                {"name": "bronze", "threshold": "1"},
                {"name": "silver", "threshold": "2"},
                {"name": "gold", "threshold": "4"},
            ],
        )
    ),
]

ZONES = (
    dt.UTC,
    dt.timezone(dt.timedelta(hours=-2)),
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
)
# on the hour mostly (ties between kinds), else anywhere to the microsecond, in three zones
moments = st.one_of(
    st.integers(0, 120 * 24).map(lambda hours: day(hours / 24)),
    st.builds(
        lambda minutes, micro, zone: (
            day(0) + dt.timedelta(minutes=minutes, microseconds=micro)
        ).astimezone(zone),
        st.integers(0, 120 * 24 * 60),
        st.integers(0, 999_999),
        st.sampled_from(ZONES),
    ),
)


@st.composite
def ledgers(draw: Any) -> tuple[Programme, list[LedgerEvent]]:
    events: list[LedgerEvent] = []
    orders: list[OrderPlaced] = []
    for number in range(draw(st.integers(1, 10))):
        lines = [
            OrderLine(
                draw(st.sampled_from(SKUS)),
                draw(st.integers(1, 3)),
                Money(draw(st.integers(1, 9000)), "GBP"),
            )
            for _ in range(draw(st.integers(1, 3)))
        ]
        customer = draw(st.sampled_from(CUSTOMERS))
        shipping, tax = (Money(draw(st.integers(0, 800)), "GBP") for _ in range(2))
        placed = OrderPlaced(
            Order(
                f"o{number}",
                lines,
                draw(moments),
                customer=customer,
                shipping=shipping,
                tax=tax,
            ),
            CATEGORIES,
        )
        events.append(placed)
        orders.append(placed)
    for number in range(draw(st.integers(0, 14))):
        kind = draw(
            st.sampled_from(
                ["refund", "redeem", "adjust", "review", "sign_up", "birthday", "referral"]
            )
        )
        at = draw(moments)
        who = draw(st.sampled_from(CUSTOMERS))
        if kind == "refund":
            target = draw(st.sampled_from(orders))
            line = draw(st.sampled_from(target.order.lines))
            lines = draw(st.sampled_from([(), (RefundLine(line.sku, 1),)]))
            events.append(Refund(f"r{number}", target.order.id, max(at, target.order.at), lines))
        elif kind == "redeem":
            events.append(Redeemed(f"x{number}", who, at, points=draw(st.integers(1, 300))))
        elif kind == "adjust":
            points = draw(st.integers(-80, 80).filter(bool))
            events.append(Adjustment(f"j{number}", who, at, points=points, reason="x"))
        elif kind == "review":
            target = draw(st.sampled_from(orders))
            customer = target.order.customer
            assert customer is not None
            at = max(at, target.order.at)
            events.append(Review(f"v{number}", customer, at, order=target.order.id))
        elif kind == "sign_up":
            events.append(SignUp(f"s{number}", who, at))
        elif kind == "birthday":
            events.append(Birthday(f"b{number}", who, at))
        else:
            other = draw(st.sampled_from(CUSTOMERS))
            if other != who:
                events.append(Referred(f"f{number}", who, other, at))
    return draw(st.sampled_from(PROGRAMMES)), events


def accepted(rules: Programme, events: list[LedgerEvent]) -> Ledger:
    """Append in time order, keeping what the ledger accepts."""
    book = Ledger(rules)
    for event in sorted(events, key=lambda e: e.sort_key()):
        with contextlib.suppress(ValidationError):
            book.append(event)
    return book


def same(table: StatusTable, book: Ledger, programme: Programme | None = None) -> None:
    expected = book.statuses(table.at, programme=programme)
    assert table.customers == book.customers
    for customer, status in zip(table.customers, table.statuses(), strict=True):
        assert status == expected[customer], customer
    for number, customer in enumerate(table.customers):
        status = expected[customer]
        assert table.balance[number] == status.balance
        assert table.pending[number] == status.pending
        assert table.tier_of(customer) == status.tier
        assert table.balance_of(customer) == status.balance


slow = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@slow
@given(ledgers(), st.lists(moments, min_size=1, max_size=4))
def test_the_columnar_replay_equals_the_ledger_status_by_status(drawn, queries):
    rules, events = drawn
    book = accepted(rules, events)
    table = LedgerTable.of(book)
    assert table.events >= len(book)
    for at in queries:
        same(table.statuses(at), book)


@slow
@given(ledgers(), st.sampled_from(PROGRAMMES), moments)
def test_the_columnar_what_if_equals_the_ledger_s(drawn, other, at):
    # under another programme a redemption may be above the balance: both cap it
    rules, events = drawn
    book = accepted(rules, events)
    same(LedgerTable.of(book, programme=other).statuses(at), book, other)


def scenario() -> Ledger:
    """One member, the helpers' programme: 1 point per 1.00, silver (from 100.00 over 90 days)
    earns double, points pending 14 days after an order and expiring 60 days after they were
    earned, a 10-day grace period."""
    return Ledger(
        programme(),
        [
            order("o1", "ana", day(0), "50.00"),  # 50 points, pending to day 14, expire day 60
            Adjustment("j1", "ana", day(1), points=30, reason="welcome"),  # expire day 61
            # o1's lot is older but pending: the 20 come from the adjustment (10 left)
            Redeemed("x1", "ana", day(5), points=20),
            # 50 + 60 = 110.00 in the window: silver at once, so 60 x 2 = 120 points
            order("o2", "ana", day(20), "60.00"),
            # oldest first: o1's 50, then 5 of the adjustment's 10
            Redeemed("x2", "ana", day(30), points=55),
            # o2 cancelled: its 120 come back from its own (pending) lot
            Refund("r2", "o2", day(40)),
            # o1 refunded: its 50 from its own lot (0 left), then the adjustment's 5; 45 lost
            Refund("r1", "o1", day(50)),
        ],
    )


@pytest.mark.parametrize(
    ("at", "tier", "balance", "pending", "redeemed", "reversed", "unrecovered"),
    [
        (day(5), "bronze", 10, 50, 20, 0, 0),
        (day(25), "silver", 60, 120, 20, 0, 0),
        # the cancellation at day 40 drops ana below silver; the grace keeps it to day 50
        (day(45), "silver", 5, 0, 75, 120, 0),
        (day(55), "bronze", 0, 0, 75, 170, 45),
    ],
)
def test_a_member_replayed_by_hand(at, tier, balance, pending, redeemed, reversed, unrecovered):
    book = scenario()
    table = LedgerTable.of(book).statuses(at)
    status = table.status("ana")
    assert (status.tier, status.balance, status.pending) == (tier, balance, pending)
    assert (status.redeemed, status.reversed, status.unrecovered) == (
        redeemed,
        reversed,
        unrecovered,
    )
    assert status.earned == (50 + 30 + 120 if at >= day(20) else 80)
    assert status == book.status("ana", at)


def test_lots_expire_on_their_day():
    # the adjustment's lot (5 left after day 30, taken by r1 at day 50)... without r1: expires
    # at day 61 with 5 left, o1's lot spent, o2's cancelled
    book = scenario()
    events = [event for event in book.events() if event.event_id != "r1"]
    book = Ledger(book.programme, events)
    table = LedgerTable.of(book)
    before, after = table.statuses(day(60)), table.statuses(day(61))
    assert (before.balance_of("ana"), int(before.expired[0])) == (5, 0)
    assert (after.balance_of("ana"), int(after.expired[0])) == (0, 5)
    lot = before.status("ana").lots[0]
    assert (lot.source, lot.earned, lot.points, lot.expires_at) == ("j1", 30, 5, day(61))


def test_the_table_counts_tiers_and_refuses_an_unknown_customer():
    table = LedgerTable.of(scenario()).statuses(day(25))
    assert table.counts() == {"bronze": 0, "silver": 1, "gold": 0}
    assert len(table) == 1
    with pytest.raises(ValidationError) as raised:
        table.status("bob")
    assert raised.value.field == "customer"


def test_bad_input_is_refused():
    with pytest.raises(ValidationError) as raised:
        LedgerTable.of("ledger")  # type: ignore[arg-type]
    assert raised.value.field == "ledger"
    with pytest.raises(ValidationError) as raised:
        LedgerTable.of(scenario(), programme="p")  # type: ignore[arg-type]
    assert raised.value.field == "programme"
    with pytest.raises(ValidationError) as raised:
        LedgerTable.of(scenario()).statuses(dt.datetime(2026, 1, 1))
    assert raised.value.field == "at"


@attrs.frozen(kw_only=True)
class Weekend(BadgeRule):
    """A badge of a kind not built in: the first order placed on a Saturday or Sunday."""

    name: str

    def describe(self) -> str:
        return "an order at the weekend"

    def earned_at(self, orders: Any, events: Any) -> Any:
        return next((at for at in orders if at.weekday() >= 5), None)


@attrs.frozen
class Phoned(OrderPlaced):
    """An order kind of the shop's own: an order to the ledger, the tiers and the earning."""


def test_rules_of_other_kinds_take_the_object_path_and_event_subclasses_earn():
    base = programme()
    weekend = ProgrammeVersion(
        effective=base.versions[0].effective,
        tiers=base.versions[0].tiers,
        earning=base.versions[0].earning,
        badges=(Weekend(name="weekend"),),
    )
    rules = Programme(name="p", currency="GBP", versions=(weekend,))
    # 2026-01-03 is a Saturday; 120.00 by phone makes bob silver, and earns as any order does:
    # 120 points at 1 a pound, doubled by silver, which the order itself reaches: 240
    phoned = Phoned(
        Order("p1", [OrderLine("A", 1, Money.of("120.00", "GBP"))], day(1), customer="bob")
    )
    book = Ledger(rules, [order("o1", "ana", day(2), "20.00"), phoned])
    table = LedgerTable.of(book).statuses(day(3))
    ana, bob = table.status("ana"), table.status("bob")
    assert [badge.name for badge in ana.badges] == ["weekend"]
    assert (bob.tier, bob.earned, table.tier_of("bob")) == ("silver", 240, "silver")
    assert ana == book.status("ana", day(3))
    assert bob == book.status("bob", day(3))
    # the same as a plain order of the same lines
    plain = Ledger(rules, [order("o1", "ana", day(2), "20.00"), OrderPlaced(phoned.order)])
    assert bob == plain.status("bob", day(3))


@slow
@given(ledgers(), moments)
def test_the_grace_drops_at_once_equal_those_one_by_one(drawn, at):
    rules, events = drawn
    book = accepted(rules, events)
    upto = int(at.timestamp())
    histories = [book.history(customer) for customer in book.customers]
    tiers = tier_index(rules, histories, upto)
    everyone = np.arange(len(histories), dtype=np.int64)
    now = np.full(len(histories), upto, dtype=np.int64)
    held = tiers.held(everyone, now)
    # every member with a tier, in grace or not: the drop is defined for each
    rows = np.flatnonzero(held >= 0)
    version = rules.version_at(at)
    dates = np.array([int(v.effective.timestamp()) for v in rules.versions[1:]], dtype=np.int64)
    grace, window = version.grace_days * 86_400, version.window.seconds()
    drops = grace_drops(tiers, rows, held[rows], upto, grace, dates, window)
    one_by_one = [
        _grace_drop(tiers, int(number), int(held[number]), upto, grace, dates, window)
        for number in rows.tolist()
    ]
    assert drops.tolist() == one_by_one
