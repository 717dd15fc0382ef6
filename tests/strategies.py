"""Hypothesis strategies shared by the tests (one module, as attrs keeps them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from shopkit import Cart, Customer, Line, Money, Product, ShippingOption
from shopkit.recommend import Filters, Order, Request
from shopkit.testing.pricing import carts as pricing_carts

# Currencies with 0, 2, 3 and 4 decimals, so no test assumes two.
CURRENCIES = ("JPY", "KRW", "USD", "EUR", "GBP", "KWD", "BHD", "CLF")

currencies = st.sampled_from(CURRENCIES)
names = st.text(
    alphabet=st.characters(categories=("L", "N"), max_codepoint=0x24F), min_size=1, max_size=12
)


def money(
    currency: str | st.SearchStrategy[str] = currencies,
    *,
    min_minor: int = -(10**12),
    max_minor: int = 10**12,
) -> st.SearchStrategy[Money]:
    """Amounts in ``currency`` (a code or a strategy of codes) within the given minor units."""
    codes = st.just(currency) if isinstance(currency, str) else currency
    return st.builds(Money, st.integers(min_minor, max_minor), codes)


def products(currency: str, *, max_price_minor: int = 10**7) -> st.SearchStrategy[Product]:
    """Products priced in ``currency``."""
    return st.builds(
        Product,
        sku=names,
        name=names,
        unit_price=money(currency, min_minor=0, max_minor=max_price_minor),
        categories=st.lists(names, max_size=3),
        tags=st.lists(names, max_size=3),
        attributes=st.dictionaries(names, names, max_size=3),
        stock=st.none() | st.integers(0, 1000),
    )


@st.composite
def carts(draw: st.DrawFn, currency: str | None = None) -> Cart:
    """Carts of up to eight lines with up to three shipping options, one maybe chosen."""
    code = currency if currency is not None else draw(currencies)
    lines = draw(st.lists(st.builds(Line, products(code), st.integers(1, 50)), max_size=8))
    options = draw(
        st.lists(
            st.builds(ShippingOption, names, names, money(code, min_minor=0, max_minor=10**5)),
            max_size=3,
            unique_by=lambda option: option.id,
        )
    )
    method = draw(st.none() | st.sampled_from([o.id for o in options])) if options else None
    return Cart(
        code,
        lines,
        shipping_options=options,
        shipping_method=method,
        codes=draw(st.lists(names, max_size=2)),
        prices_include_tax=draw(st.booleans()),
    )


customers = st.builds(
    Customer,
    id=st.none() | names,
    segments=st.lists(names, max_size=3),
    order_count=st.integers(0, 500),
    loyalty_tier=st.none() | names,
    region=st.none() | names,
    channel=st.none() | names,
    attributes=st.dictionaries(names, names, max_size=3),
)


# -- pricing -----------------------------------------------------------------------------------
# The carts come from shopkit.testing.pricing, whose small pools of skus, categories and tags
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
