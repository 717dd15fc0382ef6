"""The invariants of a loyalty ledger, each a hypothesis property over generated histories."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import ValidationError
from shopkit.loyalty import (
    Adjustment,
    Ledger,
    LedgerEvent,
    Programme,
    Redeemed,
    Refund,
    RefundLine,
    Review,
    Status,
)
from shopkit.loyalty._compile import seconds
from shopkit.loyalty._tiers import OrderFacts, RefundFacts, TierIndex, reference_rank

from .helpers import day, order, programme, version

CUSTOMERS = ("a", "b", "c")
PROGRAMMES = [
    programme(),
    programme(version(window={"type": "lifetime"}, grace_days=0, expiry_days=None)),
    programme(
        version(),
        version(
            effective="2026-02-15T00:00:00+00:00",
            grace_days=5,
            window={"type": "rolling", "days": 30},
            measure={"type": "spend", "discounts": "gross"},
            tiers=[
                {"name": "bronze", "threshold": "10"},
                {"name": "silver", "threshold": "50"},
                {"name": "gold", "threshold": "120"},
            ],
        ),
    ),
]

moments = st.floats(0, 120, allow_nan=False).map(lambda days: day(round(days, 2)))


@st.composite
def histories(draw):
    events: list[LedgerEvent] = []
    orders = []
    for number in range(draw(st.integers(1, 8))):
        customer = draw(st.sampled_from(CUSTOMERS))
        placed = order(
            f"o{number}",
            customer,
            draw(moments),
            f"{draw(st.integers(1, 150))}.00",
            quantity=draw(st.integers(1, 4)),
        )
        events.append(placed)
        orders.append(placed)
    for number in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["refund", "redeem", "adjust", "review"]))
        at = draw(moments)
        if kind == "refund":
            target = draw(st.sampled_from(orders))
            lines = draw(st.sampled_from([(), (RefundLine("A", 1),)]))
            late = max(at, target.order.at)
            events.append(Refund(f"r{number}", target.order.id, late, lines))
        elif kind == "redeem":
            events.append(
                Redeemed(
                    f"x{number}",
                    draw(st.sampled_from(CUSTOMERS)),
                    at,
                    points=draw(st.integers(1, 200)),
                )
            )
        elif kind == "adjust":
            events.append(
                Adjustment(
                    f"j{number}",
                    draw(st.sampled_from(CUSTOMERS)),
                    at,
                    points=draw(st.integers(-50, 50).filter(bool)),
                    reason="x",
                )
            )
        else:
            target = draw(st.sampled_from(orders))
            events.append(
                Review(
                    f"v{number}",
                    target.order.customer,
                    max(at, target.order.at),
                    order=target.order.id,
                )
            )
    return draw(st.sampled_from(PROGRAMMES)), events


def accepted(rules: Programme, events: list[LedgerEvent]) -> Ledger:
    """Append in time order, keeping what the ledger accepts."""
    book = Ledger(rules)
    for event in sorted(events, key=lambda e: e.sort_key()):
        with contextlib.suppress(ValidationError):
            book.append(event)
    return book


def statuses(book: Ledger, at: dt.datetime) -> dict[str, Status]:
    return {customer: book.status(customer, at) for customer in CUSTOMERS}


common = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(histories(), moments)
def test_a_balance_is_never_negative(history, at):
    book = accepted(*history)
    for status in statuses(book, at).values():
        assert status.balance >= 0
        assert status.pending >= 0
        assert all(lot.points >= 0 for lot in (*status.lots, *status.pending_lots))


@common
@given(histories(), moments, st.randoms(use_true_random=False))
def test_the_order_of_arrival_does_not_matter(history, at, random):
    book = accepted(*history)
    events = list(book.events())
    random.shuffle(events)
    assert statuses(Ledger(book.programme, events), at) == statuses(book, at)


@common
@given(histories(), moments)
def test_status_as_of_t_uses_no_event_after_t(history, at):
    book = accepted(*history)
    earlier = [event for event in book.events() if event.moment <= at]
    assert statuses(Ledger(book.programme, earlier), at) == statuses(book, at)


@common
@given(histories(), moments, moments, st.integers(1, 300))
def test_spending_more_never_lowers_a_tier(history, at, extra_at, amount):
    rules, events = history
    book = accepted(rules, events)
    ranks = {name: rank for rank, name in enumerate(rules.tier_names)}
    richer = Ledger(rules, [*book.events(), order("extra", "a", min(extra_at, at), f"{amount}.00")])
    before = book.status("a", at).tier
    after = richer.status("a", at).tier
    assert ranks.get(after, -1) >= ranks.get(before, -1)


@common
@given(histories(), moments)
def test_the_oldest_lots_are_spent_and_expire_first(history, at):
    rules, events = history
    book = accepted(rules, [event for event in events if not isinstance(event, Refund)])
    for status in statuses(book, at).values():
        lots = sorted(status.lots, key=lambda lot: lot.earned_at)
        spent = [index for index, lot in enumerate(lots) if lot.points < lot.earned]
        if spent:  # a lot was spent from: every older available lot is used up (so absent)
            assert spent == [0]
        every = sorted((*status.lots, *status.pending_lots), key=lambda lot: lot.earned_at)
        for days in (5, 20, 40):
            until = at + dt.timedelta(days=days)
            flags = [lot.expires_at is not None and lot.expires_at <= until for lot in every]
            assert flags == sorted(flags, reverse=True)  # the expiring ones come first


@common
@given(
    st.integers(1, 5),
    st.lists(st.integers(1, 999), min_size=1, max_size=3),
    st.lists(st.integers(1, 5), max_size=5),
)
def test_a_refund_reverses_exactly_what_it_earned(quantity, prices, parts):
    from shopkit import Money, Order, OrderLine
    from shopkit.loyalty import OrderPlaced

    lines = [OrderLine(f"S{i}", quantity, Money(price, "GBP")) for i, price in enumerate(prices)]
    rules = programme(version(earning=[{"type": "per_amount", "points": 3, "per": "2.00 GBP"}]))
    book = Ledger(rules, [OrderPlaced(Order("o", lines, day(0), customer="c"))])
    earned = book.status("c", day(0)).pending
    # refund the lines in parts, then whatever is left: everything earned comes back
    left = {line.sku: quantity for line in lines}
    for number, part in enumerate(parts):
        sku = f"S{number % len(prices)}"
        take = min(part, left[sku])
        if take:
            left[sku] -= take
            book.append(Refund(f"r{number}", "o", day(1), [RefundLine(sku, take)]))
    if any(left.values()):
        book.append(Refund("rest", "o", day(2)))
    status = book.status("c", day(3))
    assert status.reversed == earned
    assert status.pending == 0
    assert status.unrecovered == 0


@common
@given(histories(), st.lists(moments, min_size=1, max_size=6))
def test_the_vectorised_tiers_equal_the_per_customer_ones(history, queries):
    rules, events = history
    book = accepted(rules, events)
    facts: dict[str, tuple[list[Any], list[Any]]] = {c: ([], []) for c in CUSTOMERS}
    for customer in CUSTOMERS:
        compiled = book.history(customer)
        facts[customer] = (
            [(o.at, o.gross, o.net, o.shipping, o.tax) for o in compiled.orders.values()],
            [
                (r.order_at, r.at, r.gross, r.net, r.shipping, r.tax, r.cancels)
                for r in compiled.refunds
            ],
        )
    columns: list[list[int]] = [[] for _ in range(6)]
    refund_columns: list[list[int]] = [[] for _ in range(8)]
    for number, customer in enumerate(CUSTOMERS):
        for row in facts[customer][0]:
            for column, value in zip(columns, (number, *row), strict=True):
                column.append(value)
        for row in facts[customer][1]:
            for column, value in zip(refund_columns, (number, *row), strict=True):
                column.append(int(value))
    index = TierIndex(
        rules,
        OrderFacts(*(np.array(c, dtype=np.int64) for c in columns)),
        RefundFacts._make(
            [
                *(np.array(c, dtype=np.int64) for c in refund_columns[:7]),
                np.array(refund_columns[7], dtype=bool),
            ]
        ),
    )
    who = np.array([n for n in range(len(CUSTOMERS)) for _ in queries])
    when = np.array([seconds(at) for _ in CUSTOMERS for at in queries])
    vector = index.held(who, when).tolist()
    by_hand = [
        reference_rank(rules, *facts[CUSTOMERS[n]], int(t)) for n, t in zip(who, when, strict=True)
    ]
    assert vector == by_hand


@common
@given(histories(), moments)
def test_a_what_if_of_a_programme_against_itself_shows_no_change(history, at):
    from shopkit import from_dict, to_dict
    from shopkit.loyalty import Programme, what_if

    book = accepted(*history)
    copy = from_dict(to_dict(book.programme), Programme)  # equal, not the same object
    result = what_if(book, copy, at)
    assert not result.changed
    assert result.moves == ()
    assert result.before == result.after


@common
@given(histories(), moments)
def test_the_order_table_path_equals_the_ledger(history, at):
    from shopkit import OrderTable
    from shopkit.loyalty import OrderPlaced, tier_table

    rules, events = history
    placed = [event for event in events if isinstance(event, OrderPlaced)]
    book = Ledger(rules, placed)
    table = tier_table(rules, OrderTable.of([event.order for event in placed]), at)
    for customer in table.customers:
        status = book.status(customer, at)
        assert table.tier_of(customer) == status.tier
        assert table.measure_of(customer) == status.measure


@common
@given(histories(), moments, st.sampled_from(CUSTOMERS))
def test_a_refused_append_changes_nothing(history, at, customer):
    book = accepted(*history)
    before = (len(book), list(book.events()), statuses(book, at))
    too_much = book.status(customer, at).balance + 1
    refused = [
        Redeemed("overdraw", customer, at, points=too_much),
        Refund("unknown", "no-such-order", at),
        *(event for event in list(book.events())[:1]),  # an id already in the ledger
    ]
    for event in refused:
        try:
            book.extend([order("fresh", customer, at, "5.00"), event])
        except ValidationError:
            pass
        else:  # pragma: no cover - every one of them is refused
            raise AssertionError(f"{event!r} was accepted")
        assert (len(book), list(book.events()), statuses(book, at)) == before
