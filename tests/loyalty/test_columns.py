"""A ledger read from columns (``LedgerTable.from_columns``) against the ledger of its events."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from shopkit import Money, Order, OrderLine, ValidationError
from shopkit.loyalty import (
    Adjustment,
    Birthday,
    Ledger,
    LedgerColumns,
    LedgerEvent,
    LedgerTable,
    OrderPlaced,
    Programme,
    Redeemed,
    Referred,
    Refund,
    RefundLine,
    Review,
)

from .helpers import day, order, programme
from .test_replay import CUSTOMERS, PROGRAMMES, accepted, ledgers, moments, same, scenario, slow


def table_of(rules: Programme, events: list[LedgerEvent]) -> LedgerTable:
    return LedgerTable.from_columns(rules, LedgerColumns.of(events, currency="GBP"))


@slow
@given(ledgers(), st.lists(moments, min_size=1, max_size=4))
def test_columns_replay_into_the_ledger_s_statuses(drawn, queries):
    rules, events = drawn
    book = accepted(rules, events)
    columns = LedgerColumns.of(book)
    table = LedgerTable.from_columns(rules, columns)
    for at in queries:
        same(table.statuses(at), book)
    # the way back: the same events give the same columns
    assert LedgerColumns.of(Ledger(rules, list(book.events()))) == columns


def refused_event(error: ValidationError, columns: LedgerColumns) -> str:
    """The id of the event a refusal of ``from_columns`` names (its field: ``column[row]``)."""
    match = re.fullmatch(r"\w+\[(\d+)\]", error.field or "")
    assert match, error.field
    return columns.ids[int(columns.event[int(match.group(1))])]


@st.composite
def extras(draw: Any, events: list[LedgerEvent]) -> LedgerEvent:
    """One more event, often one the ledger refuses."""
    orders = [event for event in events if isinstance(event, OrderPlaced)]
    at = draw(moments)
    who = draw(st.sampled_from(CUSTOMERS))
    target = draw(st.sampled_from([*(o.order.id for o in orders), "nope"]))
    kind = draw(st.sampled_from(["refund", "lines", "review", "redeem", "adjust", "more"]))
    if kind == "refund":
        return Refund("extra", target, at)
    if kind == "lines":
        sku = draw(st.sampled_from(["A", "B", "TEA", "GIFT"]))
        return Refund("extra", target, at, (RefundLine(sku, draw(st.integers(1, 4))),))
    if kind == "review":
        return Review("extra", who, at, order=target)
    if kind == "redeem":
        return Redeemed("extra", who, at, points=draw(st.integers(1, 3000)))
    if kind == "adjust":
        return Adjustment("extra", who, at, points=-draw(st.integers(1, 3000)), reason="x")
    other = draw(st.sampled_from(CUSTOMERS))
    same_id = draw(st.sampled_from([e.event_id for e in events] or ["extra"]))
    chosen: LedgerEvent = draw(
        st.sampled_from(
            [
                Birthday(same_id, who, at),
                Birthday("extra", who, at),
                Referred("extra", who, other, at) if other != who else Birthday("extra", who, at),
            ]
        )
    )
    return chosen


@slow
@given(ledgers(), st.data())
def test_columns_are_refused_exactly_where_the_ledger_refuses(drawn, data):
    rules, events = drawn
    base = list(accepted(rules, events).events())
    extra = data.draw(extras(base))
    batch = [*base, extra]
    columns = LedgerColumns.of(batch, currency="GBP")
    expected: ValidationError | None = None
    try:
        book = Ledger(rules, batch)
    except ValidationError as error:
        expected = error
    event("refused" if expected is not None else "accepted")
    if expected is None:
        table = LedgerTable.from_columns(rules, columns)
        same(table.statuses(data.draw(moments)), book)
        return
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns(rules, columns)
    # the ledger's field names the event: "refund 'r1'.order", "Review 'extra'.order", …
    assert expected.field is not None
    assert f"'{refused_event(raised.value, columns)}'" in expected.field
    event(f"refused at {(raised.value.field or '').split('[')[0]}")


def test_the_scenario_from_columns_by_hand():
    # test_replay.scenario: ana's two orders, an adjustment, two redemptions, two refunds;
    # at day 25: o1's 50 pending to day 14 then available, j1's 30 less x1's 20 = 10, o2's 120
    # pending (silver doubles 60.00): balance 50 + 10 = 60, pending 120
    book = scenario()
    columns = LedgerColumns.of(book)
    assert columns.customers == ("ana",)
    # one row per order line and per other event: 2 orders of one line, 5 others
    assert len(columns) == 7
    assert columns.kind.tolist() == [0, 6, 7, 0, 7, 1, 1]
    table = LedgerTable.from_columns(book.programme, columns).statuses(day(25))
    assert (table.tier_of("ana"), table.balance_of("ana"), int(table.pending[0])) == (
        "silver",
        60,
        120,
    )
    # at day 55 (test_replay): 0 available, 170 reversed, 45 of them unrecovered
    late = LedgerTable.from_columns(book.programme, columns).statuses(day(55))
    assert (int(late.balance[0]), int(late.reversed[0]), int(late.unrecovered[0])) == (0, 170, 45)


def small() -> LedgerColumns:
    """Two orders of ana's and a refund, by hand: o1 is 2 x A at 10.00 and 1 x B at 5.00 with
    1.00 off; o2 is 1 x A at 30.00; r1 returns one A of o1."""
    at = np.array(["2026-01-01T10:00", "2026-01-02T10:00", "2026-01-20T10:00"], "datetime64[us]")
    return LedgerColumns(
        "GBP",
        ids=("o1", "o2", "r1"),
        customers=("ana",),
        skus=("A", "B"),
        categories=(),
        reasons=(),
        event=[0, 0, 1, 2],
        kind=[0, 0, 0, 1],
        customer=[0, 0, 0, 0],
        at=at[[0, 0, 1, 2]],
        referred=[-1, -1, -1, -1],
        order=[-1, -1, -1, 0],
        sku=[0, 1, 0, 0],
        category=[-1, -1, -1, -1],
        quantity=[2, 1, 1, 1],
        unit=[1000, 500, 3000, 0],
        discount=[0, 100, 0, 0],
        shipping=[-1, -1, 395, -1],
        tax=[-1, -1, 0, -1],
        points=[0, 0, 0, 0],
        reason=[-1, -1, -1, -1],
    )


def test_a_small_ledger_by_hand():
    # 1 point per 1.00: o1 earns 20 + 4 = 24 (net 24.00), o2 30; r1 takes back 24 x 1/2 of
    # line A = 10 (the line's 20 points x 1 / 2 units); o1 was pending (14 days) until day 15
    rules = programme()
    table = LedgerTable.from_columns(rules, small())
    status = table.statuses(day(25)).status("ana")
    assert (status.earned, status.reversed, status.balance, status.pending) == (54, 10, 44, 0)
    assert [lot.source for lot in status.lots] == ["o1", "o2"]
    assert [lot.points for lot in status.lots] == [14, 30]
    events = [
        OrderPlaced(
            Order(
                "o1",
                [
                    OrderLine("A", 2, Money.of("10.00", "GBP")),
                    OrderLine("B", 1, Money.of("5.00", "GBP"), discount=Money.of("1.00", "GBP")),
                ],
                day(10 / 24),
                customer="ana",
            )
        ),
        order("o2", "ana", day(1 + 10 / 24), "30.00"),
        Refund("r1", "o1", day(19 + 10 / 24), (RefundLine("A", 1),)),
    ]
    second = events[1]
    assert isinstance(second, OrderPlaced)
    events[1] = OrderPlaced(
        attrs_evolve(second.order, shipping=Money.of("3.95", "GBP"), tax=Money.of("0", "GBP"))
    )
    assert status == Ledger(rules, events).status("ana", day(25))
    assert LedgerColumns.of(Ledger(rules, events)) == small()


def attrs_evolve(value: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(value, **changes)


def with_cells(columns: LedgerColumns, **cells: tuple[int, Any]) -> LedgerColumns:
    """The columns with some cells changed: ``column=(row, value)``."""
    import attrs

    changed = {}
    for name, (row, value) in cells.items():
        array = getattr(columns, name).copy()
        array[row] = value
        changed[name] = array
    return attrs.evolve(columns, **changed)


@pytest.mark.parametrize(
    ("cells", "field", "value", "says"),
    [
        ({"order": (3, 1), "quantity": (3, 2)}, "quantity[3]", 2, "more than is left"),
        ({"quantity": (3, 3)}, "quantity[3]", 3, "more than is left"),
        ({"discount": (1, 600)}, "discount[1]", 600, "between 0 and the line's total"),
        ({"kind": (3, 9)}, "kind[3]", 9, "not a kind"),
        ({"customer": (2, 5)}, "customer[2]", 5, "not a code"),
        ({"at": (1, 5)}, "at[1]", 5, "differs from the event's first row"),
    ],
)
def test_bad_cells_are_refused_naming_column_row_and_value(cells, field, value, says):
    columns = with_cells(small(), **cells)
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns(programme(), columns)
    assert (raised.value.field, raised.value.value) == (field, value)
    assert says in raised.value.message


def test_a_refund_before_its_order_and_an_overdraft_are_refused():
    columns = small()
    early = with_cells(columns, at=(3, np.datetime64("2026-01-01T09:00", "us").astype(np.int64)))
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns(programme(), early)
    assert raised.value.field == "order[3]"
    assert "refund 'r1'" in raised.value.message
    assert "order 'o1' is not in the ledger" in raised.value.message
    # o1 earns 20 points, available from day 14: 21 at day 20 is refused, 20 is not
    rules = programme()
    events = [order("o1", "ana", day(0), "20.00"), Redeemed("x1", "ana", day(20), points=21)]
    with pytest.raises(ValidationError) as raised:
        table_of(rules, events)
    assert (raised.value.field, raised.value.value) == ("points[1]", 21)
    assert "21 points is more than the 20 available then" in raised.value.message
    with pytest.raises(ValidationError):
        Ledger(rules, events)
    events[1] = Redeemed("x1", "ana", day(20), points=20)
    assert table_of(rules, events).statuses(day(21)).balance_of("ana") == 0


def test_bad_arguments_are_refused():
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns("p", small())  # type: ignore[arg-type]
    assert raised.value.field == "programme"
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns(programme(), "c")  # type: ignore[arg-type]
    assert raised.value.field == "columns"
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns(PROGRAMMES[0], attrs_evolve(small(), currency="EUR"))
    assert raised.value.field == "currency"
    with pytest.raises(ValidationError) as raised:
        attrs_evolve(small(), tax=[0])
    assert raised.value.field == "tax"
    assert len(LedgerTable.from_columns(programme(), LedgerColumns.of([])).customers) == 0


@pytest.mark.parametrize(
    ("extra", "field", "value", "says"),
    [
        (Birthday("o1", "a", day(3)), "event[3]", "o1", "id 'o1' is already in the ledger"),
        (Birthday("b2", "a", day(3)), "at[3]", 1767484800000000, "a birthday that year"),
        (Referred("f2", "c", "b", day(2)), "referred[3]", "b", "'b' was already referred"),
        (Review("v", "b", day(2), order="o1"), "order[3]", "o1", "order 'o1' is not 'b''s"),
        (Refund("r", "o9", day(2)), "order[3]", "o9", "order 'o9' is not in the ledger"),
    ],
)
def test_refused_where_the_ledger_refuses(extra, field, value, says):
    # a's order o1 (day 0), birthday (day 1), referral of b (day 1); then one event too many
    # (1767484800000000 µs is 2026-01-04, day 3)
    base = [
        order("o1", "a", day(0), "20.00"),
        Birthday("b1", "a", day(1)),
        Referred("f1", "a", "b", day(1)),
    ]
    with pytest.raises(ValidationError) as by_ledger:
        Ledger(programme(), [*base, extra])
    columns = LedgerColumns.of([*base, extra], currency="GBP")
    with pytest.raises(ValidationError) as raised:
        LedgerTable.from_columns(programme(), columns)
    assert (raised.value.field, raised.value.value) == (field, value)
    assert says in raised.value.message
    assert f"'{extra.event_id}'" in (by_ledger.value.field or "")
