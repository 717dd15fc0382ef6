"""A shop's own subclass of a built-in ledger event is read as that event, on both paths; a
refused batch names its first bad event in evaluation order."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from shopkit import Money, Order, OrderLine, ValidationError
from shopkit.loyalty import (
    Ledger,
    LedgerTable,
    OrderPlaced,
    Redeemed,
    SignUp,
    sample_programme,
)

AT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@attrs.frozen
class PlacedInStore(OrderPlaced):
    """An order with a field of the shop's own."""

    store: str = "Leeds"


@attrs.frozen
class JoinedAtTill(SignUp):
    """A sign-up with a field of the shop's own."""

    till: int = 3


def ledger_of(order_event: type[OrderPlaced], sign_up: type[SignUp]) -> Ledger:
    mug = OrderLine("MUG", 2, Money.of("30.00", "GBP"))
    ledger = Ledger(sample_programme())
    ledger.append(sign_up("s1", "c1", AT))
    ledger.append(order_event(Order("o1", [mug], AT + dt.timedelta(hours=1), customer="c1")))
    return ledger


def test_a_subclass_earns_exactly_what_its_base_earns() -> None:
    at = AT + dt.timedelta(hours=2)
    base = ledger_of(OrderPlaced, SignUp).status("c1", at)
    mine = ledger_of(PlacedInStore, JoinedAtTill).status("c1", at)
    # the sample programme: 1 point per pound on 60.00 of mugs = 60 points, pending (its
    # pending period has not passed), and the sign-up bonus of 100 points in the balance; the
    # subclasses give the same (before the fix they earned nothing: pending 0, balance 0)
    assert (base.tier, base.pending, base.balance) == ("bronze", 60, 100)
    assert (mine.tier, mine.pending, mine.balance) == (base.tier, base.pending, base.balance)
    assert mine == base


def test_the_columnar_replay_reads_the_subclass_as_the_object_path_does() -> None:
    at = AT + dt.timedelta(hours=2)
    ledger = ledger_of(PlacedInStore, JoinedAtTill)
    table = LedgerTable.of(ledger).statuses(at)
    status = table.status("c1")
    assert (status.pending, status.balance) == (60, 100)
    assert status == ledger.status("c1", at)


def test_a_refused_batch_names_its_first_bad_event_in_evaluation_order() -> None:
    ledger = Ledger(sample_programme())
    # six customers with no points each redeem 50: all six are refused; the batch is given
    # latest first, and the error must name the earliest (customer c0, at AT + 0 h), whatever
    # order a set of customer ids would iterate in
    batch = [Redeemed(f"r{n}", f"c{n}", AT + dt.timedelta(hours=n), points=50) for n in range(6)][
        ::-1
    ]
    refused = "of 50 points is more than the 0 available"
    with pytest.raises(ValidationError, match=refused) as raised:
        ledger.extend(batch)
    assert raised.value.field == "redemption 'r0'.points"
    # nothing is stored
    assert ledger.customers == ()
