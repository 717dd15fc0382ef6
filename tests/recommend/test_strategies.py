"""Popularity, curated cross-sell, upsell, blend, fallback and placements, on hand-made data.

Popularity counts on the fixture ``four_orders`` (o1: A B C, o2: A B, o3: A D, o4: B C; one
day apart; o1 and o2 in the UK, o3 and o4 in France; o1 and o4 by VIP customers):

    overall: A 3, B 3, C 2, D 1
    UK: A 2, B 2, C 1          FR: A 1, B 1, C 1, D 1          vip: A 1, B 2, C 2
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkit import Catalogue, Customer, Money, Product, ValidationError
from shopkit.recommend import (
    Blend,
    CrossSell,
    CrossSellRule,
    Fallback,
    FrequentlyBoughtTogether,
    Interactions,
    Placements,
    Popular,
    Request,
    Upsell,
)

EMPTY = Interactions((), [], [], [], [])


def product(sku: str, price: str, *categories: str, stock: int | None = None) -> Product:
    return Product(
        sku, f"Product {sku}", Money.of(price, "GBP"), categories=categories, stock=stock
    )


def scores(model: object, request: Request) -> list[tuple[str, float]]:
    return [(r.sku, r.score) for r in model.recommend(request)]  # type: ignore[attr-defined]


def test_popular_overall(four_orders: Interactions) -> None:
    model = Popular().fit(four_orders)
    assert scores(model, Request()) == [("A", 3), ("B", 3), ("C", 2), ("D", 1)]
    assert {r.reason for r in model.recommend(Request())} == {"A best seller"}


def test_popular_per_region_and_segment(four_orders: Interactions) -> None:
    by_region = Popular(by="region").fit(four_orders)
    uk = Request(customer=Customer(region="UK"))
    assert scores(by_region, uk) == [("A", 2), ("B", 2), ("C", 1)]
    assert by_region.recommend(uk)[0].reason == "Popular in UK"
    # an unknown region gets the overall list
    assert [r.sku for r in by_region.recommend(Request(customer=Customer(region="DE")))] == [
        "A", "B", "C", "D",
    ]  # fmt: skip
    by_segment = Popular(by="segment").fit(four_orders)
    vip = Request(customer=Customer(segments=["new", "vip"]))
    assert scores(by_segment, vip) == [("B", 2), ("C", 2), ("A", 1)]
    assert by_segment.recommend(vip)[0].reason == "Popular with vip customers"


def test_popular_with_time_decay(four_orders: Interactions) -> None:
    model = Popular(half_life_days=Decimal("1")).fit(four_orders)
    # o4 is the newest (weight 1); o3 a day older (1/2), o2 1/4, o1 1/8:
    # A 1/8 + 1/4 + 1/2 = 0.875, B 1/8 + 1/4 + 1 = 1.375, C 1/8 + 1 = 1.125, D 1/2
    assert scores(model, Request()) == [("B", 1.375), ("C", 1.125), ("A", 0.875), ("D", 0.5)]
    assert model.recommend(Request())[0].reason == "Trending now"


def test_popular_refuses_bad_parameters() -> None:
    with pytest.raises(ValidationError) as caught:
        Popular(by="city")
    assert caught.value.field == "by"
    with pytest.raises(ValidationError) as caught:
        Popular(half_life_days=Decimal("0"))
    assert caught.value.field == "half_life_days"


PHONES = Catalogue(
    [
        product("PHONE", "300.00", "Phones"),
        product("CASE", "30.00", "Accessories"),
        product("GLASS", "15.00", "Accessories"),
        product("CHARGER", "150.00", "Accessories"),
        product("CHARGER+", "150.01", "Accessories"),
        product("BUDGET", "100.00", "Phones"),
    ]
)


def test_cross_sell_keeps_add_ons_within_the_share_exactly() -> None:
    rules = [
        CrossSellRule(sku="PHONE", add_ons=["CASE", "CHARGER", "CHARGER+"], reason="Protect it"),
        CrossSellRule(category="Phones", add_ons=["GLASS", "CASE"]),
    ]
    model = CrossSell(rules=rules, max_share=Decimal("0.5")).fit(EMPTY, catalogue=PHONES)
    got = model.recommend(Request(cart=["PHONE"]))
    # 50 % of 300.00 is 150.00: CHARGER (150.00) is in, CHARGER+ (150.01) is out.
    # Scores: a product rule counts 2 / (1 + position), a category rule 1 / (1 + position):
    # CASE 2/1 + 1/2 = 2.5, CHARGER 2/2 = 1, GLASS 1/1 = 1 (GLASS is earlier in the catalogue)
    assert [(r.sku, r.score, r.reason, r.because) for r in got] == [
        ("CASE", 2.5, "Protect it", "PHONE"),
        ("GLASS", 1.0, "Goes well with Product PHONE", "PHONE"),
        ("CHARGER", 1.0, "Protect it", "PHONE"),
    ]
    # the budget phone (100.00) allows add-ons up to 50.00: GLASS and CASE by its category
    assert [r.sku for r in model.recommend(Request(cart=["BUDGET"]))] == ["GLASS", "CASE"]


def test_cross_sell_needs_a_catalogue_and_known_add_ons() -> None:
    rule = CrossSellRule(sku="PHONE", add_ons=["CASE", "NOPE"])
    with pytest.raises(ValidationError, match="needs a catalogue") as caught:
        CrossSell(rules=[rule]).fit(EMPTY)
    assert caught.value.field == "catalogue"
    with pytest.raises(ValidationError, match="'NOPE' is not in the catalogue") as caught:
        CrossSell(rules=[rule]).fit(EMPTY, catalogue=PHONES)
    assert caught.value.field == "rules[0].add_ons[1]"
    with pytest.raises(ValidationError, match="give either sku or category"):
        CrossSellRule(sku="PHONE", category="Phones", add_ons=["CASE"])
    with pytest.raises(ValidationError, match="lists no add-ons"):
        CrossSellRule(sku="PHONE", add_ons=[])


KETTLES = Catalogue(
    [
        product("K1", "30.00", "Kettles"),
        product("K2", "33.00", "Kettles"),
        product("K3", "32.99", "Kettles"),
        product("K4", "60.00", "Kettles"),
        product("K5", "60.01", "Kettles"),
        product("T1", "45.00", "Toasters"),
    ]
)


def test_upsell_stays_in_the_category_and_the_price_band() -> None:
    model = Upsell(min_step=Decimal("0.1"), max_step=Decimal("1")).fit(EMPTY, catalogue=KETTLES)
    got = model.recommend(Request(cart=["K1"]))
    # the band is 30.00 × 1.1 = 33.00 to 30.00 × 2 = 60.00, both ends in: K2 and K4, not K3
    # (32.99) nor K5 (60.01); nothing sold, so the closer price ranks first
    assert [(r.sku, r.reason, r.because) for r in got] == [
        ("K2", "A step up from Product K1", "K1"),
        ("K4", "A step up from Product K1", "K1"),
    ]
    # with an empty cart the viewed items anchor the upsell
    assert [r.sku for r in model.recommend(Request(viewed=["K1"]))] == ["K2", "K4"]
    with pytest.raises(ValidationError) as caught:
        Upsell(min_step=Decimal("0.5"), max_step=Decimal("0.2"))
    assert caught.value.field == "max_step"


def test_upsell_ranks_best_sellers_first() -> None:
    import datetime as dt

    from shopkit import Order

    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    sold = Interactions.from_orders([Order("1", ["K4"], at), Order("2", ["K4"], at)])
    model = Upsell().fit(sold, catalogue=KETTLES)
    assert [r.sku for r in model.recommend(Request(cart=["K1"]))] == ["K4", "K2"]


def test_blend_adds_scaled_scores(four_orders: Interactions) -> None:
    fbt = FrequentlyBoughtTogether(measure="count", basket_weight="none")
    blend = Blend(strategies=[fbt, Popular()], weights=["1", "0.5"]).fit(four_orders)
    got = blend.recommend(Request(cart=["D"]))
    # from D, by count: A 1 (scaled 1). Popular: A 3, B 3, C 2 (scaled 1, 1, 2/3), × 0.5.
    # A 1 + 0.5 = 1.5 (mostly from the pairs), B 0.5, C 1/3 (from popularity)
    assert [(r.sku, r.strategy) for r in got] == [
        ("A", "frequently_bought_together"),
        ("B", "popular"),
        ("C", "popular"),
    ]
    assert [r.score for r in got] == pytest.approx([1.5, 0.5, 1 / 3])
    with pytest.raises(ValidationError, match="has 1 weights for 2 strategies"):
        Blend(strategies=[fbt, Popular()], weights=["1"])
    with pytest.raises(ValidationError, match="lists no strategies"):
        Blend(strategies=[])


def test_fallback_fills_from_the_next_strategy(four_orders: Interactions) -> None:
    chain = Fallback(strategies=[FrequentlyBoughtTogether(), Popular()]).fit(four_orders)
    got = chain.recommend(Request(cart=["D"], k=3))
    # D was bought with A only; popularity fills the rest: B, then C
    assert [(r.sku, r.strategy) for r in got] == [
        ("A", "frequently_bought_together"),
        ("B", "popular"),
        ("C", "popular"),
    ]
    assert got[0].reason == "Often bought with D"  # no catalogue: the sku stands for the name
    # a cart of unknown items is a cold start: all popular
    assert {r.strategy for r in chain.recommend(Request(cart=["new"]))} == {"popular"}


def test_placements_route_by_the_request(four_orders: Interactions) -> None:
    shop = Placements(
        routes={"cart": FrequentlyBoughtTogether(measure="count")}, default=Popular()
    ).fit(four_orders)
    assert [r.strategy for r in shop.recommend(Request(cart=["D"], placement="cart"))] == [
        "frequently_bought_together"
    ]
    assert {r.strategy for r in shop.recommend(Request(cart=["D"]))} == {"popular"}


def test_nested_composites_explain_with_the_leaf_strategy(four_orders: Interactions) -> None:
    inner = Fallback(strategies=[FrequentlyBoughtTogether(), Popular()])
    model = Blend(strategies=[inner, Popular(by="region")]).fit(four_orders)
    got = model.recommend(Request(cart=["D"], customer=Customer(region="FR")))
    assert {r.strategy for r in got} <= {"frequently_bought_together", "popular"}
    assert all(r.reason for r in got)
