"""Display prices: one unit of each product, the line promotions that apply to it alone."""

from __future__ import annotations

import datetime as dt

from shopkit import Customer, Money, Product
from shopkit.pricing import (
    Amounts,
    BuyXGetY,
    Categories,
    CustomerSegment,
    FixedPrice,
    MinSubtotal,
    Percentage,
    Promotion,
    PromotionBook,
    Skus,
    display_prices,
)

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


MUG = Product("MUG", "Mug", gbp("8.00"), categories=["Kitchen"])
LAMP = Product("LAMP", "Lamp", gbp("30.00"), categories=["Lighting"])
BAG = Product("BAG", "Bag", gbp("1.65"), categories=["Bags"])

PROMOTIONS = PromotionBook(
    [
        Promotion("k20", "Kitchen sale", Percentage(20, Categories(["Kitchen"]))),
        # needs 3 units: never shown on a catalogue page
        Promotion("bags", "3 for 2", BuyXGetY(2, 1, Categories(["Bags"]))),
        # needs an order amount: never shown either
        Promotion(
            "o10", "10% over 50", Percentage(10), condition=MinSubtotal(Amounts.of(GBP="50"))
        ),
        Promotion(
            "vip-lamp",
            "VIP lamp price",
            FixedPrice(Amounts.of(GBP="24.00"), Skus(["LAMP"])),
            condition=CustomerSegment(["vip"]),
        ),
        Promotion("code", "Code", Percentage(50, Categories(["Kitchen"])), code="HALF"),
    ]
)


def test_display_prices_for_a_guest() -> None:
    shown = display_prices([MUG, LAMP, BAG], PROMOTIONS, at=NOW)
    # mug: 8.00 − 20 % = 6.40, badge −20 %; lamp and bag: no promotion applies to one unit
    assert [(d.product.sku, str(d.price), d.badge) for d in shown] == [
        ("MUG", "6.40 GBP", "-20%"),
        ("LAMP", "30.00 GBP", None),
        ("BAG", "1.65 GBP", None),
    ]
    assert shown[0].was == gbp("8.00")
    assert shown[0].promotions == ("Kitchen sale",)
    assert shown[1].promotions == ()


def test_display_prices_follow_the_customer() -> None:
    vip = Customer("c-1", segments=["vip"])
    shown = display_prices([LAMP], PROMOTIONS, at=NOW, customer=vip)[0]
    # 30.00 → 24.00 fixed price: 6.00 off is 20 % of 30.00
    assert (str(shown.price), shown.badge, shown.promotions) == (
        "24.00 GBP",
        "-20%",
        ("VIP lamp price",),
    )


def test_display_prices_never_use_code_promotions() -> None:
    # the 50 % code offer would beat the 20 % sale, but a catalogue page has no code
    assert display_prices([MUG], PROMOTIONS, at=NOW)[0].price == gbp("6.40")


def test_display_prices_badge_rounds_down() -> None:
    tiny = Promotion("t", "Tiny", Percentage("0.5", Skus(["LAMP"])))
    shown = display_prices([LAMP], [tiny], at=NOW)[0]
    # 0.5 % of 30.00 = 0.15 → 29.85; 0.5 % rounds down to 0 %, so the badge just says "sale"
    assert (str(shown.price), shown.badge) == ("29.85 GBP", "sale")
