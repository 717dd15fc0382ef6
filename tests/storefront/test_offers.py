"""unlock_offers: hand-worked scenarios (a threshold, a bundle, a buy-2-get-1) and a property."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import (
    Cart,
    Catalogue,
    Money,
    Order,
    Product,
    ShippingOption,
    ValidationError,
)
from shopkit.pricing import (
    Amounts,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    FreeShipping,
    MinSubtotal,
    Percentage,
    Promotion,
    PromotionBook,
    Skus,
    price,
)
from shopkit.recommend import Interactions, Popular
from shopkit.storefront import unlock_offers

AT = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
POST = ShippingOption("post", "Post", Money.of("4.95", "GBP"))


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def item(sku: str, amount: str, *categories: str, stock: int | None = None) -> Product:
    return Product(sku, sku.title(), gbp(amount), categories=categories, stock=stock)


LAMP = item("LAMP", "35.00")
JAM = item("JAM", "6.00")
TEA = item("TEA", "3.00")
CARD = item("CARD", "2.00")
BULB = item("BULB", "1.00", stock=0)  # out of stock: never offered
EURO = Product("EURO", "Euro vase", Money.of("5.00", "EUR"))  # another currency: never offered
SHOP = Catalogue([LAMP, JAM, TEA, CARD, BULB])
FREE_SHIPPING = Promotion("ship", "Free shipping from £40", FreeShipping(Amounts.of(GBP="40.00")))


def lamp_cart() -> Cart:
    return Cart("GBP", shipping_options=[POST], shipping_method="post").add(LAMP)


def test_a_spend_threshold_is_closed_by_the_items_that_reach_it() -> None:
    # 35.00 of items, 4.95 shipping: 39.95; free shipping from 40.00, so 5.00 is missing.
    # Units that cover 5.00: JAM 1 × 6.00, TEA 2 × 3.00, CARD 3 × 2.00 (each 6.00 in all),
    # LAMP 1 × 35.00; BULB is out of stock. Without a recommender, cheapest first, then sku.
    offers = unlock_offers(lamp_cart(), [FREE_SHIPPING], SHOP, at=AT, per_nudge=4)
    assert [(o.product.sku, o.quantity) for o in offers] == [
        ("CARD", 3),
        ("JAM", 1),
        ("TEA", 2),
        ("LAMP", 1),
    ]
    card, _, _, lamp = offers
    assert card.nudge.promotion_id == "ship"
    assert card.nudge.missing_amount == gbp("5.00")
    # with 3 cards: 41.00 of items, shipping free: 41.00, which is 1.05 more than 39.95
    assert (card.saving, card.total, card.extra) == (gbp("4.95"), gbp("41.00"), gbp("1.05"))
    assert card.recommendation is None
    # with a second lamp: 70.00, shipping free: 30.05 more
    assert (lamp.total, lamp.extra) == (gbp("70.00"), gbp("30.05"))
    assert card.message == "add 3 × Card (6.00 GBP) for free shipping: you save 4.95 GBP"


def test_the_recommender_ranks_the_offers() -> None:
    # Popular counts baskets: TEA in 3, LAMP in 2, JAM in 1, CARD in none (so it is not ranked
    # and comes after every ranked item). The cart's own LAMP may be offered again.
    orders = [
        Order("o1", ["TEA", "LAMP"], AT - dt.timedelta(days=3)),
        Order("o2", ["TEA", "LAMP", "JAM"], AT - dt.timedelta(days=2)),
        Order("o3", ["TEA"], AT - dt.timedelta(days=1)),
    ]
    model = Popular().fit(Interactions.from_orders(orders), catalogue=SHOP)
    offers = unlock_offers(
        lamp_cart(), [FREE_SHIPPING], SHOP, at=AT, recommender=model, per_nudge=4
    )
    assert [(o.product.sku, o.quantity) for o in offers] == [
        ("TEA", 2),
        ("LAMP", 1),
        ("JAM", 1),
        ("CARD", 3),
    ]
    assert offers[0].recommendation is not None
    assert offers[0].recommendation.sku == "TEA"
    assert offers[3].recommendation is None


def test_an_item_whose_own_discount_keeps_the_cart_short_gets_more_units() -> None:
    # Teas are 50 % off, so 2 teas add 3.00, not 6.00: 38.00 < 40.00, still 2.00 short after
    # line discounts; one more tea (1.50 after the discount) is not enough either (39.50), and
    # a fourth reaches 41.00 — each round adds the units the new nudge says are missing.
    half_tea = Promotion("tea50", "Half-price tea", Percentage(50, Skus(["TEA"])))
    only_tea = Catalogue([TEA])
    (offer,) = unlock_offers(lamp_cart(), [FREE_SHIPPING, half_tea], only_tea, at=AT)
    assert offer.quantity == 4
    # 35.00 + 4 × 1.50 = 41.00, shipping free; before: 39.95
    assert (offer.total, offer.extra, offer.saving) == (gbp("41.00"), gbp("1.05"), gbp("4.95"))


def test_a_bundle_is_completed_by_its_missing_component() -> None:
    # Phone 450.00 and case 40.00 are in the cart; the set of phone, case and a screen
    # protector costs 500.00. Protector A (20.00) makes the set worth 510.00: 10.00 off;
    # protector B (15.00) makes it 505.00: 5.00 off. Either way the cart costs 500.00, 10.00
    # more than the 490.00 it costs now. Without a recommender, the cheaper B comes first.
    phone = item("PHONE", "450.00", "Phones")
    case = item("CASE", "40.00", "Cases")
    glass_a = item("GLASS-A", "20.00", "Protectors")
    glass_b = item("GLASS-B", "15.00", "Protectors")
    bundle = Promotion(
        "set",
        "Phone, case and protector for £500",
        Bundle(
            [
                BundleItem(Categories(["Phones"])),
                BundleItem(Categories(["Cases"])),
                BundleItem(Categories(["Protectors"])),
            ],
            Amounts.of(GBP="500.00"),
        ),
    )
    cart = Cart("GBP").add(phone).add(case)
    shop = Catalogue([phone, case, glass_a, glass_b, JAM])
    offers = unlock_offers(cart, [bundle], shop, at=AT)
    assert [(o.product.sku, o.quantity) for o in offers] == [("GLASS-B", 1), ("GLASS-A", 1)]
    assert offers[0].nudge.missing_units == 1
    assert offers[0].nudge.selector == Categories(["Protectors"])
    assert [(o.saving, o.extra, o.total) for o in offers] == [
        (gbp("5.00"), gbp("10.00"), gbp("500.00")),
        (gbp("10.00"), gbp("10.00"), gbp("500.00")),
    ]


def test_buy_two_get_one_is_completed_by_a_third_unit() -> None:
    # Two red mugs (8.00) in the cart; buy 2 mugs, get the cheapest of 3 free. A blue mug
    # (6.00) would be the free one: 6.00 off, the cart still 16.00. A third red: 8.00 off,
    # still 16.00. The big mug (10.00): a red one is the cheapest, 8.00 off, 18.00 (2.00 more).
    red = item("MUG-RED", "8.00", "Mugs")
    blue = item("MUG-BLUE", "6.00", "Mugs")
    big = item("MUG-BIG", "10.00", "Mugs")
    deal = Promotion("mugs", "Mugs: 3 for 2", BuyXGetY(buy=2, get=1, selector=Categories(["Mugs"])))
    cart = Cart("GBP").add(red, 2)
    offers = unlock_offers(cart, [deal], Catalogue([red, blue, big, JAM]), at=AT)
    assert [(o.product.sku, o.saving, o.extra) for o in offers] == [
        ("MUG-BLUE", gbp("6.00"), gbp("0.00")),
        ("MUG-RED", gbp("8.00"), gbp("0.00")),
        ("MUG-BIG", gbp("8.00"), gbp("2.00")),
    ]
    assert all(o.quantity == 1 and o.nudge.missing_units == 1 for o in offers)


def test_a_cart_without_nudges_gets_no_offers() -> None:
    cart = Cart("GBP", shipping_options=[POST], shipping_method="post").add(LAMP, 2)  # 70.00
    assert unlock_offers(cart, [FREE_SHIPPING], SHOP, at=AT) == ()


def test_nothing_is_offered_beyond_max_units_or_in_another_currency() -> None:
    # 5.00 short, and only cards (2.00: 3 needed) and a euro vase: with max_units 2, none.
    shop = Catalogue([CARD, EURO])
    assert unlock_offers(lamp_cart(), [FREE_SHIPPING], shop, at=AT, max_units=2) == ()


@pytest.mark.parametrize(
    ("argument", "value", "field"),
    [
        ("per_nudge", 0, "per_nudge"),
        ("per_nudge", 51, "per_nudge"),
        ("max_units", True, "max_units"),
        ("at", dt.datetime(2026, 11, 27), "at"),  # no UTC offset
        ("catalogue", [LAMP], "catalogue"),
        ("recommender", "popular", "recommender"),
    ],
)
def test_bad_arguments_are_named(argument: str, value: object, field: str) -> None:
    arguments: dict[str, object] = {"at": AT, "catalogue": SHOP}
    arguments[argument] = value
    catalogue = arguments.pop("catalogue")
    with pytest.raises(ValidationError) as caught:
        unlock_offers(lamp_cart(), [FREE_SHIPPING], catalogue, **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


# -- the property: every offer, added, really unlocks what it claims ---------------------------

POOL = (
    item("A1", "4.00", "Mugs"),
    item("A2", "7.50", "Mugs"),
    item("B1", "12.00", "Tea"),
    item("B2", "2.25", "Tea", stock=3),
    item("C1", "25.00", "Gifts"),
    item("C2", "0.99", "Gifts", stock=0),
)


@st.composite
def shop_carts(draw: st.DrawFn) -> Cart:
    cart = Cart(
        "GBP", shipping_options=[POST], shipping_method=draw(st.sampled_from([None, "post"]))
    )
    for product in draw(st.lists(st.sampled_from(POOL), max_size=4)):
        cart = cart.add(product, draw(st.integers(1, 3)))
    return cart


def promotion_sets() -> st.SearchStrategy[list[Promotion]]:
    threshold = st.sampled_from(["10.00", "30.00", "55.00"])
    choices = [
        threshold.map(
            lambda t: Promotion("ship", "Free shipping", FreeShipping(Amounts.of(GBP=t)))
        ),
        st.integers(1, 3).map(
            lambda buy: Promotion(
                "mugs", "Mugs deal", BuyXGetY(buy=buy, get=1, selector=Categories(["Mugs"]))
            )
        ),
        st.just(
            Promotion(
                "set",
                "Tea and a gift",
                Bundle(
                    [BundleItem(Categories(["Tea"])), BundleItem(Categories(["Gifts"]))],
                    Amounts.of(GBP="20.00"),
                ),
            )
        ),
        threshold.map(
            lambda t: Promotion(
                "ten",
                "10% off from a threshold",
                Percentage(10),
                condition=MinSubtotal(Amounts.of(GBP=t)),
            )
        ),
    ]
    return st.lists(st.one_of(choices), max_size=3, unique_by=lambda p: p.id)


@settings(max_examples=60, deadline=None)
@given(shop_carts(), promotion_sets(), st.integers(1, 3))
def test_every_offer_added_really_unlocks_what_it_claims(
    cart: Cart, promotions: list[Promotion], per_nudge: int
) -> None:
    book = PromotionBook(promotions)
    before = price(cart, book, at=AT)
    offers = unlock_offers(cart, book, Catalogue(POOL), at=AT, per_nudge=per_nudge)
    nudged = {nudge.promotion_id for nudge in before.nudges}
    for offer in offers:
        promotion_id = offer.nudge.promotion_id
        assert promotion_id in nudged
        assert promotion_id not in {a.promotion_id for a in before.applied}
        if offer.nudge.selector is not None:
            assert offer.nudge.selector.matches(offer.product)
        assert offer.product.stock is None or offer.product.stock > 0
        after = price(cart.add(offer.product, offer.quantity), book, at=AT)
        applied = {a.promotion_id: a.amount for a in after.applied}
        assert applied.get(promotion_id) == offer.saving
        assert after.total == offer.total
        assert offer.extra == after.total - before.total
    for promotion_id in nudged:
        assert sum(o.nudge.promotion_id == promotion_id for o in offers) <= per_nudge
