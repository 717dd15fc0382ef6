"""Hypothesis strategies for pricing: carts of a small product pool, and promotions of every kind.

The pools are small (five skus, three categories, two tags) so that generated selectors,
conditions and carts meet often. Every amount is given in each of ``CURRENCIES``, so no
generated promotion lacks an amount for a generated cart.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from shopkit import Cart, Customer, Line, Money, Product, ShippingOption
from shopkit.pricing import (
    AllOf,
    AllOfConditions,
    AllProducts,
    Amounts,
    AnyOf,
    AnyOfConditions,
    Attribute,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    Channel,
    CheapestFree,
    CodeEntered,
    Combination,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    FixedOff,
    FixedPrice,
    FreeShipping,
    Gift,
    LoyaltyTier,
    MinQuantity,
    MinSubtotal,
    NoneOf,
    NoneOfConditions,
    Percentage,
    PriceRange,
    Promotion,
    Region,
    Schedule,
    ShippingDiscount,
    Skus,
    StockLevel,
    Tags,
    Tier,
    TieredSpend,
    Welcome,
)
from shopkit.pricing.plugin import Benefit, Condition, Selector

__all__ = [
    "CATEGORIES",
    "CURRENCIES",
    "NOW",
    "SKUS",
    "TAGS",
    "amounts",
    "benefits",
    "carts",
    "conditions",
    "customers",
    "percents",
    "products",
    "promotion_sets",
    "selectors",
    "simple_conditions",
    "simple_selectors",
    "tiered",
]

SKUS = ("S1", "S2", "S3", "S4", "S5")
"""The skus generated products have: few, so that selectors and carts meet often."""
CATEGORIES = ("Phones", "Accessories", "Kitchen")
"""The categories generated products are in; a kind under test may select them."""
TAGS = ("sale", "new")
"""The tags generated products carry."""
CURRENCIES = ("EUR", "JPY", "KWD")
"""The currencies of generated carts and amounts: 2, 0 and 3 decimals."""
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
"""The moment generated promotions' windows are placed around (a Friday noon, UTC)."""


@st.composite
def products(draw: st.DrawFn, currency: str = "EUR") -> Product:
    """Products of the pools priced in ``currency``; some with a cost, a floor, stock, a colour."""
    price_minor = draw(st.integers(0, 200_000))
    cost = draw(st.none() | st.integers(0, price_minor))
    floor = draw(st.none() | st.integers(0, price_minor))
    sku = draw(st.sampled_from(SKUS))
    return Product(
        sku,
        f"Product {sku}",
        Money(price_minor, currency),
        cost=None if cost is None else Money(cost, currency),
        min_price=None if floor is None else Money(floor, currency),
        categories=draw(st.lists(st.sampled_from(CATEGORIES), max_size=2)),
        tags=draw(st.lists(st.sampled_from(TAGS), max_size=2)),
        attributes=draw(st.dictionaries(st.just("colour"), st.sampled_from(["red", "blue"]))),
        stock=draw(st.none() | st.integers(0, 20)),
    )


@st.composite
def carts(
    draw: st.DrawFn,
    currencies: tuple[str, ...] = CURRENCIES,
    codes: tuple[str, ...] = (),
) -> Cart:
    """Carts of up to six lines of ``products``, in one of ``currencies``.

    A "standard" or "express" shipping option is chosen or not; up to two of ``codes`` are
    entered.
    """
    currency = draw(st.sampled_from(currencies))
    # one product per SKU: a cart refuses two different products under one SKU
    lines = draw(
        st.lists(
            st.builds(Line, products(currency), st.integers(1, 6)),
            max_size=6,
            unique_by=lambda line: line.product.sku,
        )
    )
    options = [
        ShippingOption("standard", "Standard", Money(draw(st.integers(0, 2_000)), currency)),
        ShippingOption("express", "Express", Money(draw(st.integers(0, 5_000)), currency)),
    ]
    method = draw(st.sampled_from([None, "standard", "express"]))
    entered = draw(st.lists(st.sampled_from(codes), max_size=2)) if codes else []
    return Cart(currency, lines, shipping_options=options, shipping_method=method, codes=entered)


customers: st.SearchStrategy[Customer] = st.builds(
    Customer,
    id=st.sampled_from([None, "c-1"]),
    segments=st.lists(st.sampled_from(["vip", "new"]), max_size=2),
    order_count=st.integers(0, 3),
    loyalty_tier=st.sampled_from([None, "gold", "silver"]),
    region=st.sampled_from([None, "EU", "UK"]),
    channel=st.sampled_from([None, "web", "app"]),
)
"""Customers whose segments, tier, region and channel the generated conditions name."""


def amounts(low: int = 0, high: int = 100_000) -> st.SearchStrategy[Amounts]:
    """An amount for every one of ``CURRENCIES``, from ``low`` to ``high`` minor units."""
    return st.builds(
        lambda values: Amounts({c: Money(v, c) for c, v in zip(CURRENCIES, values, strict=True)}),
        st.tuples(*[st.integers(low, high) for _ in CURRENCIES]),
    )


percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
"""Percentages from 0 to 100 with two decimals."""

simple_selectors: st.SearchStrategy[Selector] = st.one_of(
    st.just(AllProducts()),
    st.builds(Skus, st.lists(st.sampled_from(SKUS), min_size=1, max_size=2)),
    st.builds(Categories, st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2)),
    st.builds(Tags, st.lists(st.sampled_from(TAGS), min_size=1, max_size=2)),
    st.builds(Attribute, st.just("colour"), st.lists(st.sampled_from(["red", "blue"]), min_size=1)),
    st.builds(PriceRange, min=st.none() | amounts(0, 50_000), max=amounts(50_000, 200_000)),
)
"""Selectors of every non-composite built-in kind, over the pools."""
selectors: st.SearchStrategy[Selector] = st.one_of(
    simple_selectors,
    st.builds(AnyOf, st.lists(simple_selectors, min_size=1, max_size=2)),
    st.builds(AllOf, st.lists(simple_selectors, min_size=1, max_size=2)),
    st.builds(NoneOf, st.lists(simple_selectors, min_size=1, max_size=1)),
)
"""Selectors of every built-in kind, composites one level deep."""

simple_conditions: st.SearchStrategy[Condition] = st.one_of(
    st.builds(MinSubtotal, amounts(0, 300_000)),
    st.builds(MinQuantity, selectors, st.integers(1, 6)),
    st.builds(CustomerSegment, st.lists(st.sampled_from(["vip", "new"]), min_size=1)),
    st.just(FirstOrder()),
    st.builds(LoyaltyTier, st.lists(st.sampled_from(["gold", "silver"]), min_size=1)),
    st.builds(Region, st.lists(st.sampled_from(["EU", "UK"]), min_size=1)),
    st.builds(Channel, st.lists(st.sampled_from(["web", "app"]), min_size=1)),
    st.builds(
        DateWindow,
        starts_at=st.sampled_from([None, NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=1)]),
    ),
    st.builds(Schedule, weekdays=st.lists(st.sampled_from(["fri", "sat", "mon"]), max_size=2)),
    st.builds(CodeEntered, st.sampled_from(["SAVE10", "VIP"])),
    st.builds(StockLevel, selectors, min_stock=st.integers(0, 10)),
)
"""Conditions of every non-composite built-in kind."""
conditions: st.SearchStrategy[Condition] = st.one_of(
    simple_conditions,
    st.builds(AllOfConditions, st.lists(simple_conditions, min_size=1, max_size=2)),
    st.builds(AnyOfConditions, st.lists(simple_conditions, min_size=1, max_size=2)),
    st.builds(NoneOfConditions, st.lists(simple_conditions, min_size=1, max_size=1)),
)
"""Conditions of every built-in kind, composites one level deep."""


@st.composite
def tiered(draw: st.DrawFn) -> TieredSpend:
    """Tiered spend of one to three tiers, each a percentage or an amount off."""
    steps = sorted(set(draw(st.lists(st.integers(1, 300_000), min_size=1, max_size=3))))
    tiers = []
    for step in steps:
        threshold = Amounts({c: Money(step, c) for c in CURRENCIES})
        if draw(st.booleans()):
            tiers.append(Tier(threshold, percent=draw(percents)))
        else:
            tiers.append(Tier(threshold, amounts=draw(amounts(0, 20_000))))
    return TieredSpend(tiers)


benefits: st.SearchStrategy[Benefit] = st.one_of(
    st.builds(Percentage, percents, st.none() | selectors, st.none() | amounts(0, 50_000)),
    st.builds(
        FixedOff,
        amounts(0, 50_000),
        st.sampled_from(["unit", "line", "order"]),
        st.none() | selectors,
    ),
    st.builds(FixedPrice, amounts(0, 100_000), selectors),
    st.builds(
        FixedOff,
        amounts(0, 50_000),
        st.just("unit"),
        st.none() | selectors,
        max_units=st.none() | st.integers(1, 4),
        max_units_per_line=st.integers(1, 3),
        discounted=st.sampled_from(["cheapest", "most_expensive"]),
    ),
    st.builds(
        Percentage,
        percents,
        selectors,
        max_units=st.integers(1, 4),
        max_units_per_line=st.none() | st.integers(1, 3),
        discounted=st.sampled_from(["cheapest", "most_expensive"]),
    ),
    st.builds(
        FixedPrice,
        amounts(0, 100_000),
        selectors,
        max_units=st.integers(1, 4),
        discounted=st.sampled_from(["cheapest", "most_expensive"]),
    ),
    st.builds(
        Bundle,
        st.lists(st.builds(BundleItem, selectors, st.integers(1, 2)), min_size=1, max_size=3),
        amounts(0, 200_000),
        st.none() | st.integers(1, 2),
    ),
    st.builds(
        BuyXGetY,
        buy=st.integers(1, 3),
        get=st.integers(1, 2),
        selector=selectors,
        reward=st.none() | selectors,
        percent=percents,
        discounted=st.sampled_from(["cheapest", "most_expensive"]),
        max_applications=st.none() | st.integers(1, 3),
    ),
    st.builds(CheapestFree, selectors, st.integers(2, 4), st.booleans()),
    tiered(),
    st.builds(
        FreeShipping,
        st.none() | amounts(0, 300_000),
        st.lists(st.sampled_from(["standard", "express"]), max_size=1),
        st.sampled_from(["after_discounts", "subtotal"]),
    ),
    st.builds(
        ShippingDiscount,
        percent=percents,
        threshold=st.none() | amounts(0, 300_000),
        methods=st.lists(st.sampled_from(["standard", "express"]), max_size=1),
    ),
    st.builds(ShippingDiscount, amounts=amounts(0, 3_000), threshold=st.none() | amounts()),
    st.builds(
        ShippingDiscount,
        price=amounts(0, 3_000),
        basis=st.sampled_from(["after_discounts", "subtotal"]),
    ),
    st.builds(Welcome, percent=percents),
    st.builds(Welcome, amounts=amounts(0, 20_000)),
    st.builds(Gift, st.just(Product("GIFT", "Tote bag", Money(500, "EUR"))), st.integers(1, 2)),
)
"""Benefits of every built-in kind."""


@st.composite
def promotion_sets(
    draw: st.DrawFn, max_size: int = 6, combinations: bool = True
) -> list[Promotion]:
    """Up to ``max_size`` promotions of every kind, with unique ids.

    With ``combinations``, they are stackable, exclusive, grouped or stop further rules;
    windows lie around ``NOW``; some need the code "save10" or "VIP".
    """
    count = draw(st.integers(0, max_size))
    result = []
    for index in range(count):
        combination = (
            draw(st.sampled_from(list(Combination))) if combinations else Combination.STACKABLE
        )
        result.append(
            Promotion(
                f"p{index}",
                f"Promotion {index}",
                draw(benefits),
                condition=draw(st.none() | conditions),
                priority=draw(st.integers(0, 3)),
                combination=combination,
                group=draw(st.sampled_from(["g1", "g2"])) if combination == "group" else None,
                starts_at=draw(st.sampled_from([None, NOW - dt.timedelta(hours=1), NOW])),
                ends_at=draw(st.sampled_from([None, NOW + dt.timedelta(hours=1)])),
                code=draw(st.sampled_from([None, None, None, "save10", "VIP"])),
                min_margin_percent=draw(st.none() | st.decimals(0, 50, places=0)),
                max_discount=draw(st.none() | amounts(0, 50_000)),
            )
        )
    return result
