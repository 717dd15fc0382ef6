"""The ledger refuses bad events with the field and value, and a refused append changes nothing."""

from __future__ import annotations

import pytest

from shopkit import ValidationError
from shopkit.loyalty import (
    Adjustment,
    Birthday,
    Ledger,
    Redeemed,
    Referred,
    Refund,
    RefundLine,
    Review,
)

from .helpers import day, order, programme


def ledger() -> Ledger:
    # one order of 80.00: 80 points, available from day 14
    return Ledger(programme(), [order("o1", "c", day(0), "40.00", quantity=2, sku="A")])


def refused(book: Ledger, event: object, field: str) -> ValidationError:
    before = (len(book), list(book.events()), book.status("c", day(30)))
    with pytest.raises(ValidationError) as caught:
        book.append(event)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert (len(book), list(book.events()), book.status("c", day(30))) == before
    return caught.value


def test_no_points_from_an_unknown_order():
    book = ledger()
    refused(book, Review("rv", "c", day(1), order="nope"), "Review 'rv'.order")
    refused(book, Refund("rf", "nope", day(1)), "Refund 'rf'.order")


def test_a_review_of_another_customers_order_is_refused():
    refused(ledger(), Review("rv", "someone", day(1), order="o1"), "Review 'rv'.order")


def test_no_negative_balance():
    book = ledger()
    # 80 available from day 14: 81 is refused, and so is anything before day 14
    error = refused(book, Redeemed("x", "c", day(20), points=81), "redemption 'x'.points")
    assert error.value == 81
    refused(book, Redeemed("y", "c", day(13), points=1), "redemption 'y'.points")
    refused(book, Adjustment("z", "c", day(20), points=-81, reason="fix"), "adjustment 'z'.points")
    book.append(Redeemed("ok", "c", day(20), points=80))
    assert book.status("c", day(21)).balance == 0


def test_a_refund_after_the_points_were_spent_is_stored_and_counted_unrecovered():
    book = ledger()
    book.append(Redeemed("x", "c", day(20), points=80))
    # the 80 points were spent on day 20; a refund on day 25 should take 80 back, finds 0:
    # a refund is a fact, so it is stored, and the 80 it could not take are "unrecovered"
    book.append(Refund("r", "o1", day(25)))
    status = book.status("c", day(26))
    assert (status.balance, status.reversed, status.unrecovered) == (0, 80, 80)


def test_a_refund_bigger_than_its_order_is_refused():
    book = ledger()
    error = refused(
        book, Refund("r", "o1", day(1), [RefundLine("A", 3)]), "refund 'r'.lines[0].quantity"
    )
    assert error.value == 3
    book.append(Refund("r1", "o1", day(1), [RefundLine("A", 2)]))
    refused(book, Refund("r2", "o1", day(2)), "refund 'r2'.order")


def test_a_refund_before_its_order_is_refused():
    refused(ledger(), Refund("r", "o1", day(-1)), "refund 'r'.at")


def test_a_failed_extend_stores_nothing():
    book = ledger()
    with pytest.raises(ValidationError):
        book.extend([order("o2", "c", day(1), "10.00"), Redeemed("x", "c", day(20), points=1000)])
    assert len(book) == 1
    assert [event.event_id for event in book.events()] == ["o1"]


def test_ids_are_unique_and_referrals_and_birthdays_once():
    book = ledger()
    refused(book, order("o1", "c", day(3), "5.00"), "OrderPlaced 'o1'.id")
    book.append(Referred("r", "a", "c", day(1)))
    refused(book, Referred("r2", "b", "c", day(2)), "Referred 'r2'.referred")
    with pytest.raises(ValidationError, match="themselves"):
        Referred("r3", "c", "c", day(2))
    book.append(Birthday("b1", "c", day(5)))
    refused(book, Birthday("b2", "c", day(6)), "Birthday 'b2'.at")


def test_an_order_in_another_currency_is_refused():
    from shopkit import Money, Order, OrderLine
    from shopkit.loyalty import OrderPlaced

    euros = OrderPlaced(Order("e", [OrderLine("A", 1, Money.of("1", "EUR"))], day(1), customer="c"))
    refused(ledger(), euros, "OrderPlaced 'e'.order.currency")


def test_bad_arguments_are_shopkit_errors_naming_the_field():
    import datetime as dt

    book = ledger()
    with pytest.raises(ValidationError) as caught:
        book.status("", day(1))
    assert caught.value.field == "customer"
    with pytest.raises(ValidationError) as caught:
        book.status("c", dt.datetime(2026, 1, 1))  # no UTC offset
    assert caught.value.field == "at"
    with pytest.raises(ValidationError) as caught:
        book.append("an order")  # type: ignore[arg-type]
    assert caught.value.field == "events[0]"
    with pytest.raises(ValidationError) as caught:
        Adjustment("a", "c", day(1), points=0, reason="nothing")
    assert caught.value.field == "points"
    assert len(book) == 1
