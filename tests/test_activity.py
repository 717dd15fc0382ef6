"""The shared data of the core: the catalogue, orders, events and their columnar tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import (
    Catalogue,
    CurrencyMismatchError,
    Event,
    EventKind,
    EventTable,
    Money,
    Order,
    OrderLine,
    OrderTable,
    Product,
    ValidationError,
    sample_catalogue,
)
from shopkit.recommend import Interactions

AT = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


# -- catalogue ----------------------------------------------------------------------------------


def test_the_catalogue_looks_products_up_by_sku() -> None:
    catalogue = Catalogue(sample_catalogue())
    assert len(catalogue) == 60
    assert "22423" in catalogue
    assert "nope" not in catalogue
    assert catalogue.get("nope") is None
    assert catalogue.get("22423") == sample_catalogue()[2]  # the cake stand is third
    assert [product.sku for product in catalogue] == list(catalogue.skus)
    assert catalogue.prices["22423"] == gbp("12.75")
    assert catalogue == Catalogue(list(sample_catalogue()))  # equal by its products


def test_a_catalogue_refuses_twice_the_same_sku_and_what_is_not_a_product() -> None:
    mug = Product("MUG", "Mug", gbp("6"))
    with pytest.raises(ValidationError, match="sku 'MUG' appears twice") as caught:
        Catalogue([mug, Product("TEA", "Tea", gbp("3")), mug])
    assert caught.value.field == "products[2]"
    with pytest.raises(ValidationError) as caught:
        Catalogue([mug, "TEA"])
    assert caught.value.field == "products[1]"


# -- orders and events --------------------------------------------------------------------------


def test_an_order_line_totals_exactly() -> None:
    line = OrderLine("MUG", 3, gbp("6.50"), discount=gbp("1.25"))
    assert line.total == gbp("18.25")  # 3 × 6.50 − 1.25
    assert OrderLine("MUG", 2, gbp("6.50")).discount == gbp("0")  # zero by default
    with pytest.raises(ValidationError, match="no unit price") as caught:
        _ = OrderLine("MUG").total
    assert caught.value.field == "unit_price"


def test_bad_order_lines_name_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        OrderLine("MUG", 0, gbp("1"))
    assert caught.value.field == "quantity"
    with pytest.raises(ValidationError) as caught:
        OrderLine("MUG", 1, gbp("-1"))
    assert caught.value.field == "unit_price"
    with pytest.raises(ValidationError, match=r"more than the line's 13\.00 GBP") as caught:
        OrderLine("MUG", 2, gbp("6.50"), discount=gbp("13.01"))
    assert caught.value.field == "discount"
    with pytest.raises(CurrencyMismatchError) as mismatch:
        OrderLine("MUG", 1, gbp("6.50"), discount=Money.of("1", "EUR"))
    assert mismatch.value.field == "discount.currency"
    with pytest.raises(ValidationError) as caught:
        OrderLine("MUG", discount=gbp("1"))
    assert caught.value.field == "discount"


def test_an_order_takes_its_currency_from_its_lines() -> None:
    order = Order(
        "o1",
        [OrderLine("TEA", 2, gbp("3.50")), "MUG", OrderLine("TEA", 1, gbp("3.50"))],
        AT,
        customer="c1",
        channel="web",
        region="UK",
        segment="vip",
    )
    assert order.currency == "GBP"
    assert order.skus == ("TEA", "MUG")  # distinct, first occurrence first
    assert order.lines[1] == OrderLine("MUG")  # a bare sku: one unit, no price
    with pytest.raises(ValidationError, match="'MUG' has no unit price"):
        _ = order.total
    priced = Order("o2", [OrderLine("TEA", 2, gbp("3.50")), OrderLine("MUG", 1, gbp("6"))], AT)
    assert priced.total == gbp("13.00")  # 7.00 + 6.00
    assert Order("o3", ["A"], AT).currency is None
    with pytest.raises(ValidationError, match="no priced line"):
        _ = Order("o3", ["A"], AT).total


def test_bad_orders_name_the_field() -> None:
    with pytest.raises(CurrencyMismatchError) as mismatch:
        Order("o1", [OrderLine("A", 1, gbp("1")), OrderLine("B", 1, Money.of("1", "EUR"))], AT)
    assert mismatch.value.field == "lines[1].unit_price.currency"
    with pytest.raises(CurrencyMismatchError):
        Order("o1", [OrderLine("A", 1, gbp("1"))], AT, currency="EUR")
    with pytest.raises(ValidationError) as caught:
        Order("o1", ["A"], AT, currency="XYZ")
    assert caught.value.field == "currency"
    with pytest.raises(ValidationError) as caught:
        Order("o1", "A", AT)
    assert caught.value.field == "lines"
    with pytest.raises(ValidationError) as caught:
        Order("o1", ["A"], AT, channel="")
    assert caught.value.field == "channel"


def test_event_kinds_keep_their_stored_values() -> None:
    # PURCHASE, VIEW and ADD_TO_CART are stored in arrays saved before the other kinds existed
    assert (EventKind.PURCHASE, EventKind.VIEW, EventKind.ADD_TO_CART) == (0, 1, 2)
    assert [kind.value for kind in EventKind] == list(range(8))
    assert [kind.name for kind in EventKind if kind.is_recommendation] == [
        "RECOMMENDATION_SHOWN",
        "RECOMMENDATION_CLICKED",
        "RECOMMENDATION_DISMISSED",
    ]


def test_events_take_a_kind_by_member_value_or_name() -> None:
    assert Event(EventKind.REFUND, "A", AT, "s").kind is EventKind.REFUND
    assert Event(3, "A", AT, "s").kind is EventKind.CHECKOUT_STARTED
    assert Event("add_to_cart", "A", AT, "s").kind is EventKind.ADD_TO_CART
    shown = Event("recommendation_shown", "A", AT, "s", placement="checkout", channel="app")
    assert (shown.placement, shown.channel) == ("checkout", "app")
    with pytest.raises(ValidationError, match="'jump' is not a valid EventKind") as caught:
        Event("jump", "A", AT, "s")
    assert caught.value.field == "kind"
    with pytest.raises(ValidationError, match="a view event has no placement") as caught:
        Event(EventKind.VIEW, "A", AT, "s", placement="checkout")
    assert caught.value.field == "placement"
    with pytest.raises(ValidationError) as caught:
        Event(EventKind.VIEW, "A", dt.datetime(2024, 5, 1), "s")  # naive on purpose
    assert caught.value.field == "at"


# -- tables -------------------------------------------------------------------------------------


def two_orders() -> list[Order]:
    return [
        Order(
            "o1",
            [OrderLine("TEA", 2, gbp("3.50")), OrderLine("MUG", 1, gbp("6"), discount=gbp("1"))],
            AT,
            customer="ann",
            region="UK",
        ),
        Order(
            "o2",
            [OrderLine("KETTLE", 1, Money.of("30", "EUR")), "MUG"],
            AT + dt.timedelta(hours=1),
            channel="app",
        ),
    ]


def test_an_order_table_holds_lines_as_int64_minor_units() -> None:
    table = OrderTable.of(two_orders())
    assert len(table) == 4
    assert table.orders == ("o1", "o2")
    assert table.order.tolist() == [0, 0, 1, 1]
    assert table.skus == ("TEA", "MUG", "KETTLE")
    assert table.sku.tolist() == [0, 1, 2, 1]
    assert table.quantity.tolist() == [2, 1, 1, 1]
    assert table.unit_price.tolist() == [350, 600, 3000, -1]  # -1: the bare sku has no price
    assert table.discount.tolist() == [0, 100, 0, 0]
    assert table.currencies == ("GBP", "EUR")
    assert table.currency.tolist() == [0, 0, 1, -1]
    start = int(AT.timestamp())
    assert table.at.tolist() == [start, start, start + 3600, start + 3600]
    assert table.customers == ("ann",)
    assert table.customer.tolist() == [0, 0, -1, -1]
    assert table.channel.tolist() == [-1, -1, 0, 0]
    assert table.region.tolist() == [0, 0, -1, -1]
    assert table.unit_price.dtype == np.int64
    with pytest.raises(ValidationError, match="line 3 has no unit price"):
        table.line_total()


def test_revenue_is_exact_per_currency() -> None:
    priced = [two_orders()[0], Order("o3", [OrderLine("KETTLE", 2, Money.of("30", "EUR"))], AT)]
    table = OrderTable.of(priced)
    # TEA 2 × 350 = 700, MUG 600 − 100 = 500, KETTLE 2 × 3000 = 6000
    assert table.line_total().tolist() == [700, 500, 6000]
    assert table.revenue() == {"GBP": gbp("12.00"), "EUR": Money.of("60.00", "EUR")}
    # a sum no float could hold exactly: 3 lines of 2^53 + 1 minor units
    big = 2**53 + 1
    lines = [OrderLine("GOLD", 1, Money(big, "GBP"))] * 3
    assert OrderTable.of([Order("o", lines, AT)]).revenue() == {"GBP": Money(3 * big, "GBP")}


def test_an_order_table_from_arrays_is_checked() -> None:
    base = {
        "orders": ("o1",),
        "order": [0],
        "skus": ("A",),
        "sku": [0],
        "quantity": [1],
        "unit_price": [100],
        "currencies": ("GBP",),
        "currency": [0],
        "at": [0],
    }
    assert OrderTable(**base).discount.tolist() == [0]  # type: ignore[arg-type]
    for change, field in (
        ({"sku": [1]}, "sku"),
        ({"quantity": [0]}, "quantity"),
        ({"at": [0, 0]}, "at"),
        ({"currencies": ("XYZ",)}, "currencies[0]"),
        ({"currency": [-1]}, "currency[0]"),
        ({"discount": [101]}, "discount[0]"),
        ({"unit_price": [2**62], "quantity": [4]}, "unit_price[0]"),
        ({"skus": ("A", "A")}, "skus"),
        ({"unit_price": [[100]]}, "unit_price"),
    ):
        with pytest.raises(ValidationError) as caught:
            OrderTable(**{**base, **change})  # type: ignore[arg-type]
        assert caught.value.field == field, change


def test_an_event_table_of_events() -> None:
    table = EventTable.of(
        [
            Event(EventKind.VIEW, "A", AT, "s1", customer="ann"),
            Event("recommendation_shown", "B", AT, "s1", placement="cart"),
            Event(EventKind.ADD_TO_CART, "A", AT, "s2", region="UK"),
        ]
    )
    assert table.kind.tolist() == [1, 5, 2]
    assert table.sku.tolist() == [0, 1, 0]
    assert table.sessions == ("s1", "s2")
    assert table.session.tolist() == [0, 0, 1]
    assert table.customer.tolist() == [0, -1, -1]
    assert table.placements == ("cart",)
    assert table.placement.tolist() == [-1, 0, -1]
    with pytest.raises(ValidationError) as caught:
        EventTable.of(["view"])  # type: ignore[list-item]
    assert caught.value.field == "events[0]"
    with pytest.raises(ValidationError) as caught:
        EventTable(kind=[9], skus=("A",), sku=[0], at=[0], sessions=("s",), session=[0])
    assert caught.value.field == "kind"


def test_tables_of_chunks_combine_into_the_table_of_the_whole() -> None:
    orders = two_orders()
    whole = OrderTable.of(orders)
    both = OrderTable.of(orders[:1]) + OrderTable.of(orders[1:])
    for name in ("order", "sku", "quantity", "unit_price", "discount", "currency", "at"):
        assert getattr(both, name).tolist() == getattr(whole, name).tolist(), name
    assert both.skus == whole.skus
    assert both.currencies == whole.currencies
    # an order split over two chunks is one order again
    split = OrderTable.concat(
        [OrderTable.of([Order("o1", ["A"], AT)]), OrderTable.of([Order("o1", ["B"], AT)])]
    )
    assert split.orders == ("o1",)
    assert split.order.tolist() == [0, 0]
    with pytest.raises(ValidationError):
        OrderTable.concat([])
    with pytest.raises(ValidationError):
        OrderTable.concat([whole, EventTable.of([])])  # type: ignore[list-item]


skus = st.sampled_from(["A", "B", "C", "D"])
lines = st.builds(
    OrderLine,
    skus,
    st.integers(1, 5),
    st.integers(0, 10_000).map(lambda minor: Money(minor, "GBP")),
)
orders = st.lists(
    st.builds(
        Order,
        st.sampled_from(["o1", "o2", "o3", "o4", "o5"]),
        st.lists(lines | skus, max_size=4),
        st.integers(0, 10**6).map(lambda s: AT + dt.timedelta(seconds=s)),
        customer=st.none() | st.sampled_from(["ann", "bob"]),
        region=st.none() | st.sampled_from(["UK", "FR"]),
    ),
    max_size=8,
)


@settings(max_examples=80, deadline=None)
@given(orders, st.integers(0, 8))
def test_chunks_give_the_revenue_and_the_interactions_of_the_whole(
    records: list[Order], cut: int
) -> None:
    whole = OrderTable.of(records)
    chunks = OrderTable.of(records[:cut]) + OrderTable.of(records[cut:])
    priced = whole.unit_price >= 0
    if priced.all():
        assert chunks.revenue() == whole.revenue()
        expected: dict[str, int] = {}
        for order in records:
            for line in order.lines:
                expected["GBP"] = expected.get("GBP", 0) + line.total.minor
        assert {code: money.minor for code, money in whole.revenue().items()} == expected
    # the vectorised path gives what the one-object-at-a-time path gave
    direct = Interactions.from_orders(records)
    for table in (whole, chunks):
        data = Interactions.from_tables(table)
        assert data.items == direct.items
        assert data.customers == direct.customers
        assert data.regions == direct.regions
        for name in ("item", "basket", "time", "kind", "customer", "region"):
            assert getattr(data, name).tolist() == getattr(direct, name).tolist(), name


# -- shipping and tax: order-level amounts --------------------------------------------------------


def test_an_order_carries_shipping_and_tax_outside_its_total() -> None:
    tea = OrderLine("TEA", 2, gbp("3.50"))
    order = Order("o1", [tea], AT, shipping=gbp("3.95"), tax=gbp("1.40"))
    # total is the lines only: 2 × 3.50 = 7.00; shipping and tax are read on their own
    assert str(order.total) == "7.00 GBP"
    assert (order.shipping, order.tax) == (gbp("3.95"), gbp("1.40"))
    # an order of unpriced lines takes its currency from its shipping
    assert Order("o2", ["TEA"], AT, shipping=gbp("1")).currency == "GBP"


def test_shipping_and_tax_in_another_currency_or_negative_are_refused() -> None:
    tea = OrderLine("TEA", 1, gbp("3.50"))
    with pytest.raises(CurrencyMismatchError) as caught:
        Order("o1", [tea], AT, shipping=Money.of("2", "EUR"))
    assert (caught.value.field, caught.value.value) == ("shipping.currency", "EUR")
    with pytest.raises(CurrencyMismatchError) as caught:
        Order("o1", [tea], AT, tax=Money.of("2", "EUR"))
    assert caught.value.field == "tax.currency"
    with pytest.raises(ValidationError) as refused:
        Order("o1", [tea], AT, shipping=gbp("-1"))
    assert refused.value.field == "shipping"


def test_the_table_carries_shipping_on_the_first_row_of_its_order() -> None:
    tea = OrderLine("TEA", 1, gbp("3.50"))
    table = OrderTable.of(
        [
            Order("o1", [tea, tea, tea], AT, shipping=gbp("2.95"), tax=gbp("0.70")),
            Order("o2", [tea], AT),
            Order("o3", [tea, tea], AT, shipping=gbp("0")),
        ]
    )
    # o1: 295 on its first row, 0 on the two others; o2 does not say (-1); o3 ships free
    assert table.shipping.tolist() == [295, 0, 0, -1, 0, 0]
    assert table.tax.tolist() == [70, 0, 0, -1, -1, 0]
    assert table.per_order("shipping").tolist() == [295, -1, 0]
    assert table.per_order("tax").tolist() == [70, -1, -1]
    with pytest.raises(ValidationError) as caught:
        table.per_order("discount")
    assert (caught.value.field, caught.value.value) == ("column", "discount")


def test_a_table_from_arrays_without_shipping_knows_none() -> None:
    table = OrderTable(
        orders=("o1",), order=[0, 0], skus=("A",), sku=[0, 0], quantity=[1, 1],
        unit_price=[100, 100], currencies=("GBP",), currency=[0, 0], at=[0, 0],
    )  # fmt: skip
    assert table.shipping.tolist() == [-1, -1]
    assert table.per_order("shipping").tolist() == [-1]


shipped_orders = st.lists(
    st.builds(
        Order,
        st.sampled_from(["o1", "o2", "o3", "o4"]),
        st.lists(lines, min_size=1, max_size=4),
        st.just(AT),
        shipping=st.none() | st.integers(0, 999).map(lambda minor: Money(minor, "GBP")),
    ),
    max_size=6,
    unique_by=lambda order: order.id,
)


@settings(max_examples=60, deadline=None)
@given(shipped_orders, st.integers(0, 24))
def test_shipping_per_order_is_the_same_whatever_the_chunking(
    records: list[Order], cut: int
) -> None:
    whole = OrderTable.of(records)
    # rows cut anywhere, even inside an order: the sum per order id is unchanged
    rows = np.arange(len(whole))
    first, second = rows[:cut], rows[cut:]

    def part(keep: np.ndarray) -> OrderTable:
        return OrderTable(
            orders=whole.orders, order=whole.order[keep], skus=whole.skus,
            sku=whole.sku[keep], quantity=whole.quantity[keep],
            unit_price=whole.unit_price[keep], currencies=whole.currencies,
            currency=whole.currency[keep], at=whole.at[keep],
            shipping=whole.shipping[keep], tax=whole.tax[keep],
        )  # fmt: skip

    merged = OrderTable.concat([part(first), part(second)])
    expected = [-1 if o.shipping is None else o.shipping.minor for o in records]
    assert whole.per_order("shipping").tolist() == expected
    by_id = dict(zip(merged.orders, merged.per_order("shipping").tolist(), strict=True))
    assert [by_id[o.id] for o in records] == expected
