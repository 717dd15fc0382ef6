"""Hypothesis strategies for promotions of every kind (imported by the pricing tests)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from shopkit import Money, Product
from shopkit.pricing import (
    All,
    AllOf,
    AllProducts,
    Amounts,
    Any,
    AnyOf,
    Attribute,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    Channel,
    CheapestFree,
    CodeEntered,
    Combination,
    Condition,
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
    Not,
    Percentage,
    PriceRange,
    Promotion,
    Region,
    Schedule,
    Selector,
    Skus,
    StockLevel,
    Tags,
    Tier,
    TieredSpend,
    Welcome,
)
from shopkit.pricing.testing import CATEGORIES, SKUS, TAGS

CURRENCIES = ("EUR", "JPY", "KWD")
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def amounts(low: int = 0, high: int = 100_000) -> st.SearchStrategy[Amounts]:
    """An amount for every currency the carts use (so no promotion lacks one)."""
    return st.builds(
        lambda values: Amounts({c: Money(v, c) for c, v in zip(CURRENCIES, values, strict=True)}),
        st.tuples(*[st.integers(low, high) for _ in CURRENCIES]),
    )


percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)

simple_selectors: st.SearchStrategy[Selector] = st.one_of(
    st.just(AllProducts()),
    st.builds(Skus, st.lists(st.sampled_from(SKUS), min_size=1, max_size=2)),
    st.builds(Categories, st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2)),
    st.builds(Tags, st.lists(st.sampled_from(TAGS), min_size=1, max_size=2)),
    st.builds(Attribute, st.just("colour"), st.lists(st.sampled_from(["red", "blue"]), min_size=1)),
    st.builds(PriceRange, min=st.none() | amounts(0, 50_000), max=amounts(50_000, 200_000)),
)
selectors: st.SearchStrategy[Selector] = st.one_of(
    simple_selectors,
    st.builds(AnyOf, st.lists(simple_selectors, min_size=1, max_size=2)),
    st.builds(AllOf, st.lists(simple_selectors, min_size=1, max_size=2)),
    st.builds(NoneOf, st.lists(simple_selectors, min_size=1, max_size=1)),
)

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
conditions: st.SearchStrategy[Condition] = st.one_of(
    simple_conditions,
    st.builds(All, st.lists(simple_conditions, min_size=1, max_size=2)),
    st.builds(Any, st.lists(simple_conditions, min_size=1, max_size=2)),
    st.builds(Not, simple_conditions),
)


@st.composite
def tiered(draw: st.DrawFn) -> TieredSpend:
    steps = sorted(set(draw(st.lists(st.integers(1, 300_000), min_size=1, max_size=3))))
    tiers = []
    for step in steps:
        threshold = Amounts({c: Money(step, c) for c in CURRENCIES})
        if draw(st.booleans()):
            tiers.append(Tier(threshold, percent=draw(percents)))
        else:
            tiers.append(Tier(threshold, amounts=draw(amounts(0, 20_000))))
    return TieredSpend(tiers)


benefits = st.one_of(
    st.builds(Percentage, percents, st.none() | selectors, st.none() | amounts(0, 50_000)),
    st.builds(
        FixedOff,
        amounts(0, 50_000),
        st.sampled_from(["unit", "line", "order"]),
        st.none() | selectors,
    ),
    st.builds(FixedPrice, amounts(0, 100_000), selectors),
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
    st.builds(Welcome, percent=percents),
    st.builds(Welcome, amounts=amounts(0, 20_000)),
    st.builds(Gift, st.just(Product("GIFT", "Tote bag", Money(500, "EUR"))), st.integers(1, 2)),
)


@st.composite
def promotion_sets(
    draw: st.DrawFn, max_size: int = 6, combinations: bool = True
) -> list[Promotion]:
    """Up to ``max_size`` promotions of every kind, with unique ids."""
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
