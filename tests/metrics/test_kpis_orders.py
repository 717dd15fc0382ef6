"""Order KPIs on a hand-made order book; every expected number is worked out in a comment."""

from __future__ import annotations

import datetime as dt

import pytest

from shopkit import Event, EventTable, Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.metrics import (
    AverageOrderValue,
    CustomerCount,
    GrossMerchandiseValue,
    OrderCount,
    RefundRate,
    Refunds,
    RepeatPurchaseRate,
    Revenue,
    RevenuePerVisitor,
    ShopData,
    Window,
)

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
JANUARY = Window(T0, dt.datetime(2024, 2, 1, tzinfo=dt.UTC))


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


# o1 (c1, 1 Jan): 2 × 10.00 − 2.00 discount = 18.00 net, 20.00 gross, shipping 3.00, tax 3.60
# o2 (c1, 10 Jan): 1 × 5.00 = 5.00, shipping 0.00, tax 1.00
# o3 (c2, 20 Jan): 3 × 4.00 − 1.00 = 11.00 net, 12.00 gross, shipping 2.00, tax 2.20
# o4 (guest, 5 Feb): 1 × 7.00 = 7.00, shipping not known
ORDERS = [
    Order(
        "o1",
        [OrderLine("MUG", 2, gbp("10"), discount=gbp("2"))],
        day(0),
        customer="c1",
        shipping=gbp("3"),
        tax=gbp("3.60"),
    ),
    Order("o2", [OrderLine("TEA", 1, gbp("5"))], day(9), customer="c1", shipping=gbp("0"),
          tax=gbp("1")),
    Order(
        "o3",
        [OrderLine("TEA", 3, gbp("4"), discount=gbp("1"))],
        day(19),
        customer="c2",
        shipping=gbp("2"),
        tax=gbp("2.20"),
    ),
    Order("o4", [OrderLine("MUG", 1, gbp("7"))], day(35)),
]  # fmt: skip
TABLE = OrderTable.of(ORDERS)


def test_gmv_is_before_discounts_and_revenue_after() -> None:
    # GMV all: 20 + 5 + 12 + 7 = 44.00; net of discounts: 44 − 2 − 1 = 41.00
    assert GrossMerchandiseValue().compute(TABLE) == {"GBP": gbp("44")}
    assert GrossMerchandiseValue(net_of_discounts=True).compute(TABLE) == {"GBP": gbp("41")}
    # January only (o1, o2, o3): revenue 18 + 5 + 11 = 34.00
    assert Revenue().compute(TABLE, JANUARY) == {"GBP": gbp("34")}
    assert OrderCount().compute(TABLE, JANUARY) == 3
    assert CustomerCount().compute(TABLE) == 2  # c1, c2; the guest is not counted


def test_net_revenue_takes_off_refunds_by_refund_date() -> None:
    # refunds: 4.00 of o1 on 15 Jan, 6.00 of o3 on 3 Feb (outside January)
    refunds = Refunds.of([("o1", day(14), gbp("4")), ("o3", day(33), gbp("6"))])
    data = ShopData(orders=TABLE, refunds=refunds)
    # January: 34.00 − 4.00 = 30.00
    assert Revenue(less_refunds=True).compute(data, JANUARY) == {"GBP": gbp("30")}
    # without refunds data the net revenue is not known: empty, never the gross
    assert Revenue(less_refunds=True).compute(TABLE, JANUARY) == {}


def test_aov_per_order_and_per_customer() -> None:
    # per order, January: 34.00 / 3 = 11.333… → 11.33 (half-even)
    assert AverageOrderValue().compute(TABLE, JANUARY) == {"GBP": gbp("11.33")}
    # per customer, January: (18 + 5 + 11) / 2 customers = 17.00
    assert AverageOrderValue(per="customer").compute(TABLE, JANUARY) == {"GBP": gbp("17")}
    # all time, per customer: the guest's 7.00 is left out of both sides: 34 / 2 = 17.00
    assert AverageOrderValue(per="customer").compute(TABLE) == {"GBP": gbp("17")}


def test_aov_with_shipping_and_tax() -> None:
    # January with shipping: (18 + 3) + (5 + 0) + (11 + 2) = 39.00 / 3 = 13.00
    assert AverageOrderValue(shipping=True).compute(TABLE, JANUARY) == {"GBP": gbp("13")}
    # and tax: 39.00 + 3.60 + 1.00 + 2.20 = 45.80 / 3 = 15.2666… → 15.27
    with_tax = AverageOrderValue(shipping=True, tax=True).compute(TABLE, JANUARY)
    assert with_tax == {"GBP": gbp("15.27")}
    # o4 does not say its shipping: all time with shipping is an error naming it
    with pytest.raises(ValidationError, match="o4") as error:
        AverageOrderValue(shipping=True).compute(TABLE)
    assert error.value.field == "shipping"


def test_revenue_per_visitor() -> None:
    # January sessions: c1 twice (s1, s2), a guest (s3): 2 visitors; 34.00 / 2 = 17.00
    events = EventTable.of(
        [
            Event("view", "MUG", day(0), "s1", customer="c1"),
            Event("view", "TEA", day(9), "s2", customer="c1"),
            Event("view", "TEA", day(19), "s3"),
        ]
    )
    data = ShopData(orders=TABLE, events=events)
    assert RevenuePerVisitor().compute(data, JANUARY) == {"GBP": gbp("17")}


def test_refund_rate_by_order_date_and_by_refund_date() -> None:
    # o1 refunded 4.00 (15 Jan) and 20.00 more (capped at its 18.00), o3 6.00 on 3 Feb;
    # a 1.00 refund of no known order on 2 Feb
    refunds = Refunds.of(
        [
            ("o1", day(14), gbp("4")),
            ("o1", day(15), gbp("20")),
            ("o3", day(33), gbp("6")),
            (None, day(32), gbp("1")),
        ]
    )
    data = ShopData(orders=TABLE, refunds=refunds)
    # by order date, January's orders (34.00): o1 min(24, 18) = 18 + o3 6 = 24 / 34 = 0.70588…
    assert RefundRate().compute(data, JANUARY) == {"GBP": pytest.approx(24 / 34)}
    # by refund date, February: refunds 6 + 1 = 7.00 over February's sales (o4, 7.00) = 1.0
    february = Window(day(31), day(60))
    assert RefundRate(by="refund_date").compute(data, february) == {"GBP": 1.0}
    # January: refunds 4 + 20 = 24.00 / 34.00 sold: 0.70588…
    assert RefundRate(by="refund_date").compute(data, JANUARY) == {"GBP": pytest.approx(24 / 34)}
    # no refunds data: not known (empty), not 0
    assert RefundRate().compute(TABLE, JANUARY) == {}


def test_repeat_purchase_rate() -> None:
    # January: c1 has 2 orders, c2 has 1 → 1 / 2 = 0.5
    assert RepeatPurchaseRate().compute(TABLE, JANUARY) == 0.5
    # February: only the guest: no customer → not defined
    assert RepeatPurchaseRate().compute(TABLE, Window(day(31), day(60))) is None


def test_bad_variants_and_unpriced_orders_are_errors() -> None:
    with pytest.raises(ValidationError, match="per: 'visit' is not one of order, customer"):
        AverageOrderValue(per="visit")
    with pytest.raises(ValidationError, match="by: "):
        RefundRate(by="ship_date")
    unpriced = OrderTable.of([Order("u1", ["MUG"], T0)])
    with pytest.raises(ValidationError, match="u1") as error:
        GrossMerchandiseValue().compute(unpriced)
    assert error.value.field == "orders"


def test_a_mixed_currency_book_gives_one_value_per_currency() -> None:
    # EUR order 9.99: GMV per currency, never added across currencies
    eur = Order("e1", [OrderLine("MUG", 1, Money.of("9.99", "EUR"))], day(1), customer="c3")
    table = OrderTable.of([*ORDERS, eur])
    assert GrossMerchandiseValue().compute(table, JANUARY) == {
        "GBP": gbp("37"),  # 20 + 5 + 12
        "EUR": Money.of("9.99", "EUR"),
    }
