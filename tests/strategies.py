"""Hypothesis strategies shared by the tests: the shipped ones of shopkit.testing, plus pools.

The core strategies (money, products, carts, customers) are the ones shipped for plugin authors
in ``shopkit.testing.strategies``; this module adds the pools the domain tests draw from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from shopkit import Cart, Customer, Money, Order, Product
from shopkit.recommend import Filters, Request
from shopkit.testing.pricing import carts as pricing_carts
from shopkit.testing.strategies import (
    CURRENCIES,
    carts,
    currencies,
    customers,
    money,
    names,
    products,
)

__all__ = [
    "CURRENCIES",
    "carts",
    "currencies",
    "customers",
    "money",
    "names",
    "products",
    "rec_catalogues",
    "rec_filters",
    "rec_orders",
    "rec_requests",
    "shop_carts",
]

# -- pricing -----------------------------------------------------------------------------------
# The carts come from shopkit.pricing.testing, whose small pools of skus, categories and tags
# make generated selectors and carts meet often.


def shop_carts() -> st.SearchStrategy[Cart]:
    """Carts of the shipped pricing strategy, with the codes the promotion strategies use."""
    return pricing_carts(codes=("SAVE10", "save-10", "VIP"))


# -- recommend ---------------------------------------------------------------------------------
# A pool of ten items in three categories, so that generated baskets and requests meet often.

REC_SKUS = tuple(f"R{number}" for number in range(10))
REC_CATEGORIES = ("Mugs", "Tea", "Gifts")


@st.composite
def rec_catalogues(draw: st.DrawFn) -> tuple[Product, ...]:
    """A catalogue of the ten pool items (plus two never bought), prices in GBP, some stock."""
    products = []
    for sku in (*REC_SKUS, "NEW1", "NEW2"):
        products.append(
            Product(
                sku,
                f"Item {sku}",
                Money(draw(st.integers(0, 5_000)), "GBP"),
                categories=draw(st.lists(st.sampled_from(REC_CATEGORIES), max_size=2)),
                stock=draw(st.none() | st.integers(0, 3)),
            )
        )
    return tuple(products)


@st.composite
def rec_orders(draw: st.DrawFn) -> list[Order]:
    """Up to 15 orders of one to five pool items, by three customers or guests, in two regions."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    orders = []
    for number in range(draw(st.integers(1, 15))):
        orders.append(
            Order(
                f"o{number}",
                draw(st.lists(st.sampled_from(REC_SKUS), min_size=1, max_size=5)),
                start + dt.timedelta(days=draw(st.integers(0, 60))),
                customer=draw(st.sampled_from([None, "c1", "c2", "c3"])),
                region=draw(st.sampled_from([None, "UK", "FR"])),
                segment=draw(st.sampled_from([None, "vip", "new"])),
            )
        )
    return orders


rec_filters = st.builds(
    Filters,
    exclude_cart=st.booleans(),
    exclude_viewed=st.booleans(),
    exclude_bought=st.booleans(),
    in_stock=st.booleans(),
    max_price_ratio=st.none() | st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("2")]),
    min_price_ratio=st.none() | st.sampled_from([Decimal("0.5"), Decimal("1.1")]),
    excluded_categories=st.lists(st.sampled_from(REC_CATEGORIES), max_size=1),
    excluded_skus=st.lists(st.sampled_from(REC_SKUS), max_size=2),
)

rec_requests = st.builds(
    Request,
    cart=st.lists(st.sampled_from((*REC_SKUS, "NEW1", "UNKNOWN")), max_size=4),
    viewed=st.lists(st.sampled_from(REC_SKUS), max_size=3),
    customer=st.none()
    | st.builds(
        Customer,
        id=st.sampled_from([None, "c1", "c2", "c9"]),
        segments=st.lists(st.sampled_from(["vip", "new"]), max_size=1),
        region=st.sampled_from([None, "UK", "FR"]),
    ),
    history=st.lists(st.sampled_from(REC_SKUS), max_size=2),
    k=st.integers(1, 8),
    filters=rec_filters,
)
