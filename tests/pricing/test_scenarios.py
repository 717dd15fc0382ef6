"""Scenarios: concrete carts priced by the engine, every number worked out by hand.

Each test prices one small cart and checks line totals, adjustments, discount, shipping, total
and the explanations (applied, not applied with their ``reason``, nudges). The comment in each
test is the hand calculation the assertions come from; amounts are in minor units where the
rounding matters (EUR cents, JPY yen, KWD fils).
"""

from __future__ import annotations

import datetime as dt
import typing
from zoneinfo import ZoneInfo

import pytest

from shopkit import (
    Cart,
    ConfigError,
    Customer,
    Line,
    Money,
    Product,
    ShippingOption,
    ValidationError,
    from_json,
)
from shopkit.pricing import (
    Adjustment,
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
    NotApplied,
    Nudge,
    Percentage,
    PricedCart,
    PriceRange,
    PricingOptions,
    Promotion,
    Region,
    Schedule,
    Skus,
    StockLevel,
    StockRange,
    Tags,
    Tier,
    TieredSpend,
    Welcome,
    price,
)
from shopkit.pricing.plugin import Level, Selector

# A Tuesday noon, UTC: inside no window unless a test says otherwise.
AT = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)

STANDARD = ShippingOption("standard", "Standard", Money.of("4.95", "EUR"))
EXPRESS = ShippingOption("express", "Express", Money.of("9.90", "EUR"))


# -- helpers -----------------------------------------------------------------------------------


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def off(**amounts: str) -> Amounts:
    return Amounts.of(**amounts)


def item(
    sku: str, unit_price: str, *categories: str, currency: str = "EUR", **extra: typing.Any
) -> Product:
    """A product named after its sku, in the given categories."""
    return Product(sku, sku.title(), Money.of(unit_price, currency), categories=categories, **extra)


def cart(
    *lines: tuple[Product, int],
    currency: str = "EUR",
    ship: str | None = None,
    codes: tuple[str, ...] = (),
) -> Cart:
    """A cart of these (product, quantity) lines, as given; EUR carts offer two shipping options."""
    options = (STANDARD, EXPRESS) if currency == "EUR" else ()
    return Cart(
        currency,
        [Line(product, quantity) for product, quantity in lines],
        shipping_options=options,
        shipping_method=ship,
        codes=codes,
    )


def run(
    the_cart: Cart,
    *promotions: Promotion,
    at: dt.datetime = AT,
    customer: Customer | None = None,
    **options: typing.Any,
) -> PricedCart:
    return price(
        the_cart,
        list(promotions),
        at=at,
        customer=customer,
        options=PricingOptions(**options) if options else None,
    )


def totals(priced: PricedCart) -> list[str]:
    return [str(line.total) for line in priced.lines]


def line_discounts(priced: PricedCart) -> list[str]:
    return [str(line.discount) for line in priced.lines]


def applied(priced: PricedCart) -> dict[str, str]:
    """Applied promotions in application order: id -> amount saved."""
    return {a.promotion_id: str(a.amount) for a in priced.applied}


def refused(priced: PricedCart) -> dict[str, str]:
    """Promotions that did not apply: id -> reason."""
    return {n.promotion_id: n.reason for n in priced.not_applied}


def said(nudge: Nudge | None) -> str | None:
    """A nudge's message, if there is a nudge."""
    return None if nudge is None else nudge.message


def messages(nudges: tuple[Nudge, ...]) -> tuple[str, ...]:
    """The nudges' messages."""
    return tuple(nudge.message for nudge in nudges)


def refusal(priced: PricedCart, promotion_id: str) -> NotApplied:
    (found,) = [n for n in priced.not_applied if n.promotion_id == promotion_id]
    return found


def says(priced: PricedCart, name: str, saving: str) -> bool:
    """The first applied promotion's message names it and what the customer saves."""
    message = priced.applied[0].message
    return message.startswith(name) and message.endswith(saving)


def check_sums(priced: PricedCart) -> None:
    """The totals and the adjustments add up, to the minor unit."""
    assert priced.total == priced.subtotal - priced.discount + priced.shipping
    assert priced.discount.minor == sum(
        a.amount.minor for line in priced.lines for a in line.adjustments
    )


# -- percentage --------------------------------------------------------------------------------


def test_ten_percent_off_a_category():
    # Kitchen: 2 × 8.00 = 16.00, 10% = 1.60 → 14.40. The lamp (Home) keeps 30.00.
    # discount 1.60; total 14.40 + 30.00 = 44.40.
    mug = item("MUG", "8.00", "Kitchen")
    lamp = item("LAMP", "30.00", "Home")
    promo = Promotion("k10", "Kitchen week", Percentage(10, Categories(["Kitchen"])))
    priced = run(cart((mug, 2), (lamp, 1)), promo)
    assert totals(priced) == ["14.40 EUR", "30.00 EUR"]
    assert priced.lines[0].adjustments == (Adjustment("k10", Level.LINE, eur("1.60")),)
    assert priced.lines[1].adjustments == ()
    assert priced.discount == eur("1.60")
    assert priced.total == eur("44.40")
    assert says(priced, "Kitchen week", "you save 1.60 EUR")
    check_sums(priced)


def test_twenty_percent_off_a_category_rounds_each_line():
    # Shirts: 3 × 3.33 = 9.99, 20% = 199.8 cents → 2.00 (half up) → 7.99.
    # Hat: 4.99, 20% = 99.8 cents → 1.00 → 3.99. Socks (Underwear) untouched: 5.00.
    # discount 3.00; subtotal 19.98; total 16.98.
    shirt = item("SHIRT", "3.33", "Clothing")
    hat = item("HAT", "4.99", "Clothing")
    socks = item("SOCKS", "5.00", "Underwear")
    promo = Promotion("c20", "Clothing sale", Percentage(20, Categories(["Clothing"])))
    priced = run(cart((shirt, 3), (hat, 1), (socks, 1)), promo)
    assert line_discounts(priced) == ["2.00 EUR", "1.00 EUR", "0.00 EUR"]
    assert totals(priced) == ["7.99 EUR", "3.99 EUR", "5.00 EUR"]
    assert priced.subtotal == eur("19.98")
    assert priced.total == eur("16.98")
    check_sums(priced)


def test_percentage_on_the_order_is_spread_over_the_lines():
    # 15% of 60.00 = 9.00, spread 40:20 → 6.00 and 3.00 (level "order" on each line).
    # totals 34.00 and 17.00; total 51.00.
    a = item("A", "40.00")
    b = item("B", "20.00")
    promo = Promotion("o15", "15% off", Percentage(15))
    priced = run(cart((a, 1), (b, 1)), promo)
    assert priced.lines[0].adjustments == (Adjustment("o15", Level.ORDER, eur("6.00")),)
    assert priced.lines[1].adjustments == (Adjustment("o15", Level.ORDER, eur("3.00")),)
    assert totals(priced) == ["34.00 EUR", "17.00 EUR"]
    assert priced.applied[0].level is Level.ORDER
    assert priced.total == eur("51.00")
    check_sums(priced)


def test_percentage_on_the_order_with_max_discount():
    # 20% of 200.00 = 40.00, capped at 25.00. The uncapped parts 30.00 : 10.00 (150:50) are
    # scaled to 25.00 in the same 3:1 proportion → 18.75 and 6.25.
    # totals 131.25 and 43.75; total 175.00.
    a = item("A", "150.00")
    b = item("B", "50.00")
    promo = Promotion("o20", "20% off, up to 25", Percentage(20, max_discount=off(EUR="25.00")))
    priced = run(cart((a, 1), (b, 1)), promo)
    assert line_discounts(priced) == ["18.75 EUR", "6.25 EUR"]
    assert totals(priced) == ["131.25 EUR", "43.75 EUR"]
    assert applied(priced) == {"o20": "25.00 EUR"}
    assert priced.total == eur("175.00")
    check_sums(priced)


def test_percentage_on_a_selection_with_max_discount():
    # 50% off Kitchen: pot 28.00 → 14.00, pan 12.00 → 6.00; 20.00 capped at 10.00, scaled
    # 14:6 → 7.00 and 3.00. The book (no Kitchen) keeps 9.00.
    # totals 21.00, 9.00, 9.00; total 39.00.
    pot = item("POT", "28.00", "Kitchen")
    pan = item("PAN", "12.00", "Kitchen")
    book = item("BOOK", "9.00", "Books")
    promo = Promotion(
        "k50",
        "Half off Kitchen, up to 10",
        Percentage(50, Categories(["Kitchen"]), max_discount=off(EUR="10.00")),
    )
    priced = run(cart((pot, 1), (pan, 1), (book, 1)), promo)
    assert line_discounts(priced) == ["7.00 EUR", "3.00 EUR", "0.00 EUR"]
    assert totals(priced) == ["21.00 EUR", "9.00 EUR", "9.00 EUR"]
    assert priced.total == eur("39.00")
    check_sums(priced)


# -- fixed amounts -----------------------------------------------------------------------------


def test_fixed_off_per_unit_is_cut_to_the_unit_price():
    # 2.00 off each mug: 3 × 8.00 = 24.00 − 3 × 2.00 = 18.00.
    # 2.00 off each sticker too, but a sticker costs 1.50: 2 × 1.50 = 3.00, cut to 3.00 → 0.00.
    # discount 6.00 + 3.00 = 9.00; total 18.00.
    mug = item("MUG", "8.00", "Kitchen")
    sticker = item("STICKER", "1.50", "Kitchen")
    promo = Promotion(
        "u2", "2 off each", FixedOff(off(EUR="2.00"), per="unit", selector=Categories(["Kitchen"]))
    )
    priced = run(cart((mug, 3), (sticker, 2)), promo)
    assert line_discounts(priced) == ["6.00 EUR", "3.00 EUR"]
    assert totals(priced) == ["18.00 EUR", "0.00 EUR"]
    assert priced.total == eur("18.00")
    check_sums(priced)


def test_fixed_off_per_line():
    # 5.00 off each Accessories line whatever its quantity: cases 3 × 29.00 = 87.00 → 82.00;
    # glass 19.00 → 14.00. The phone (Phones) keeps 699.00.
    # discount 10.00; total 795.00.
    phone = item("PHONE", "699.00", "Phones")
    case = item("CASE", "29.00", "Accessories")
    glass = item("GLASS", "19.00", "Accessories")
    promo = Promotion(
        "l5",
        "5 off per line",
        FixedOff(off(EUR="5.00"), per="line", selector=Categories(["Accessories"])),
    )
    priced = run(cart((phone, 1), (case, 3), (glass, 1)), promo)
    assert totals(priced) == ["699.00 EUR", "82.00 EUR", "14.00 EUR"]
    assert applied(priced) == {"l5": "10.00 EUR"}
    assert priced.total == eur("795.00")
    check_sums(priced)


def test_500_off_from_3000_applies_at_exactly_3000():
    # 2500.00 + 500.00 = 3000.00 reaches "from 3000" (inclusive).
    # 500.00 spread 2500:500: 50000 × 5/6 = 41666.67 → 41666, 50000 × 1/6 = 8333.33 → 8333;
    # the one cent left goes to the larger remainder (.67, the TV) → 416.67 and 83.33.
    # totals 2083.33 and 416.67; total 2500.00.
    tv = item("TV", "2500.00", "Electronics")
    bar = item("SOUNDBAR", "500.00", "Electronics")
    promo = Promotion(
        "500",
        "500 off from 3000",
        FixedOff(off(EUR="500.00")),
        condition=MinSubtotal(off(EUR="3000.00")),
    )
    priced = run(cart((tv, 1), (bar, 1)), promo)
    assert line_discounts(priced) == ["416.67 EUR", "83.33 EUR"]
    assert totals(priced) == ["2083.33 EUR", "416.67 EUR"]
    assert priced.total == eur("2500.00")
    assert priced.not_applied == ()
    check_sums(priced)


def test_500_off_from_3000_does_not_apply_at_2999_99():
    # 2499.99 + 500.00 = 2999.99: 0.01 short of the threshold, so nothing is taken off and the
    # nudge says what is missing.
    tv = item("TV", "2499.99", "Electronics")
    bar = item("SOUNDBAR", "500.00", "Electronics")
    promo = Promotion(
        "500",
        "500 off from 3000",
        FixedOff(off(EUR="500.00")),
        condition=MinSubtotal(off(EUR="3000.00")),
    )
    priced = run(cart((tv, 1), (bar, 1)), promo)
    assert priced.applied == ()
    assert priced.discount == eur("0.00")
    assert priced.total == eur("2999.99")
    reason = refusal(priced, "500")
    assert reason.reason == "condition"
    assert reason.message == "the order is 2999.99 EUR, below the 3000.00 EUR threshold"
    assert said(reason.nudge) == "add 0.01 EUR more for 500.00 EUR off the order"
    assert messages(priced.nudges) == ("add 0.01 EUR more for 500.00 EUR off the order",)


def test_500_from_3000_nudge_is_not_moved_by_another_order_discount():
    # Documented rule: an order promotion's threshold is the subtotal after *line* discounts
    # (engine rule 5, ThresholdBasis), and its reason and nudge speak of that amount.
    # TV 2999.99, no line discount; "2% off the order" applies: 2% of 299999 cents = 5999.98
    # → 6000 → 60.00 off → 2939.99. "500 off from 3000" compares 2999.99 (after line
    # discounts): the reason says 2999.99 and the nudge "add 0.01 EUR more".
    two = Promotion("two", "2% off", Percentage(2))
    promo = Promotion(
        "500",
        "500 off from 3000",
        FixedOff(off(EUR="500.00")),
        condition=MinSubtotal(off(EUR="3000.00")),
    )
    priced = run(cart((item("TV", "2999.99"), 1)), two, promo)
    assert applied(priced) == {"two": "60.00 EUR"}
    assert priced.total == eur("2939.99")
    reason = refusal(priced, "500")
    assert reason.reason == "condition"
    assert reason.message == "the order is 2999.99 EUR, below the 3000.00 EUR threshold"
    assert said(reason.nudge) == "add 0.01 EUR more for 500.00 EUR off the order"
    # And one cent more does unlock it: 3000.00 → 500 off ("500" before "two" by id) → 2500.00,
    # then 2% of 2500.00 = 50.00 → 2450.00.
    unlocked = run(cart((item("TV", "3000.00"), 1)), two, promo)
    assert applied(unlocked) == {"500": "500.00 EUR", "two": "50.00 EUR"}
    assert unlocked.total == eur("2450.00")


def test_fixed_discount_larger_than_the_cart():
    # 100.00 off a 30.00 cart: cut to 30.00, the items cost 0.00; shipping 4.95 is not an item
    # and stays. total 0.00 + 4.95 = 4.95.
    scarf = item("SCARF", "30.00")
    promo = Promotion("100", "100 off", FixedOff(off(EUR="100.00")))
    priced = run(cart((scarf, 1), ship="standard"), promo)
    assert totals(priced) == ["0.00 EUR"]
    assert priced.discount == eur("30.00")
    assert applied(priced) == {"100": "30.00 EUR"}
    assert priced.shipping == eur("4.95")
    assert priced.shipping_discount == eur("0.00")
    assert priced.total == eur("4.95")
    check_sums(priced)


def test_fixed_price_never_raises_a_lower_price():
    # Clearance items for 9.99 each: t-shirts 2 × 15.00 = 30.00 → 2 × 9.99 = 19.98 (10.02 off);
    # the cap costs 8.00, below 9.99, and keeps 8.00 with no adjustment.
    # total 19.98 + 8.00 = 27.98.
    tee = Product("TEE", "T-shirt", eur("15.00"), tags=["clearance"])
    cap = Product("CAP", "Cap", eur("8.00"), tags=["clearance"])
    promo = Promotion("fp", "Clearance 9.99", FixedPrice(off(EUR="9.99"), Tags(["clearance"])))
    priced = run(cart((tee, 2), (cap, 1)), promo)
    assert line_discounts(priced) == ["10.02 EUR", "0.00 EUR"]
    assert priced.lines[1].adjustments == ()
    assert totals(priced) == ["19.98 EUR", "8.00 EUR"]
    assert priced.total == eur("27.98")
    check_sums(priced)


def test_order_discount_split_over_three_equal_lines():
    # 10.00 off three 10.00 lines: 1000 / 3 = 333 each, 1 cent left. The remainders tie, so the
    # first line in canonical (sku) order, A, gets it: A 3.34, B 3.33, C 3.33. Given as C, A, B:
    # parts 3.33, 3.34, 3.33 (differ by at most a cent, sum 10.00); totals 6.67, 6.66, 6.67.
    a, b, c = item("A", "10.00"), item("B", "10.00"), item("C", "10.00")
    promo = Promotion("ten", "10 off", FixedOff(off(EUR="10.00")))
    priced = run(cart((c, 1), (a, 1), (b, 1)), promo)
    assert line_discounts(priced) == ["3.33 EUR", "3.34 EUR", "3.33 EUR"]
    assert totals(priced) == ["6.67 EUR", "6.66 EUR", "6.67 EUR"]
    assert priced.discount == eur("10.00")
    assert priced.total == eur("20.00")
    check_sums(priced)


# -- deals that consume units ------------------------------------------------------------------


def test_two_plus_one_free():
    # 3 mugs at 10.00: buy 2, get 1 free → one mug free, all 3 units consumed.
    # discount 10.00; total 20.00.
    mug = item("MUG", "10.00", "Kitchen")
    promo = Promotion("2+1", "2+1 free", BuyXGetY(buy=2, get=1, selector=Skus(["MUG"])))
    priced = run(cart((mug, 3)), promo)
    assert priced.lines[0].adjustments == (Adjustment("2+1", Level.LINE, eur("10.00"), 3),)
    assert priced.total == eur("20.00")
    assert says(priced, "2+1 free", "you save 10.00 EUR")
    check_sums(priced)


def test_second_item_at_half_price():
    # Buy 1, get 1 at 50%: the cheaper shirt (19.99) is the discounted one:
    # 1999 × 50% = 999.5 cents → 1000 (half up) → 10.00 off, that shirt costs 9.99.
    # The 24.99 shirt is paid in full. total 9.99 + 24.99 = 34.98.
    blue = item("BLUE", "19.99", "Shirts")
    red = item("RED", "24.99", "Shirts")
    promo = Promotion(
        "half", "Second at 50%", BuyXGetY(buy=1, get=1, selector=Categories(["Shirts"]), percent=50)
    )
    priced = run(cart((blue, 1), (red, 1)), promo)
    assert totals(priced) == ["9.99 EUR", "24.99 EUR"]
    assert priced.lines[0].adjustments == (Adjustment("half", Level.LINE, eur("10.00"), 1),)
    assert priced.lines[1].adjustments == (Adjustment("half", Level.LINE, eur("0.00"), 1),)
    assert priced.total == eur("34.98")
    check_sums(priced)


def test_buy_three_pay_for_two():
    # Three books 12.00, 8.00, 15.00 (35.00): the cheapest of 3, 8.00, is free.
    # total 35.00 − 8.00 = 27.00.
    a = item("BOOK-A", "12.00", "Books")
    b = item("BOOK-B", "8.00", "Books")
    c = item("BOOK-C", "15.00", "Books")
    promo = Promotion("3for2", "3 for 2", CheapestFree(Categories(["Books"]), min_items=3))
    priced = run(cart((a, 1), (b, 1), (c, 1)), promo)
    assert line_discounts(priced) == ["0.00 EUR", "8.00 EUR", "0.00 EUR"]
    assert totals(priced) == ["12.00 EUR", "0.00 EUR", "15.00 EUR"]
    assert priced.total == eur("27.00")
    check_sums(priced)


def test_buy_x_get_y_discounting_the_most_expensive():
    # Buy 1, get 1 at 50%, dearest discounted: of 10.00 and 30.00, the 30.00 one is half off
    # → 15.00 off. total 10.00 + 15.00 = 25.00.
    cheap = item("CHEAP", "10.00", "Shoes")
    dear = item("DEAR", "30.00", "Shoes")
    promo = Promotion(
        "bogo",
        "Second at 50%, dearest",
        BuyXGetY(
            buy=1, get=1, selector=Categories(["Shoes"]), percent=50, discounted="most_expensive"
        ),
    )
    priced = run(cart((cheap, 1), (dear, 1)), promo)
    assert line_discounts(priced) == ["0.00 EUR", "15.00 EUR"]
    assert priced.total == eur("25.00")
    check_sums(priced)


def test_buy_x_get_y_max_applications():
    # 9 mugs at 10.00 would make three 2+1 deals; max_applications=2 gives two: 20.00 off,
    # 6 units consumed. total 90.00 − 20.00 = 70.00.
    mug = item("MUG", "10.00", "Kitchen")
    promo = Promotion(
        "2+1", "2+1, twice", BuyXGetY(buy=2, get=1, selector=Skus(["MUG"]), max_applications=2)
    )
    priced = run(cart((mug, 9)), promo)
    assert priced.lines[0].adjustments == (Adjustment("2+1", Level.LINE, eur("20.00"), 6),)
    assert priced.total == eur("70.00")
    check_sums(priced)


def test_buy_x_get_y_with_a_separate_reward():
    # Buy 2 shirts, get 1 pair of socks free: 2 shirts make one application (2 // 2 = 1; socks
    # 2 // 1 = 2), so one pair (5.00) is free; the two shirts are consumed at no discount.
    # total 2 × 20.00 + 2 × 5.00 − 5.00 = 45.00.
    shirt = item("SHIRT", "20.00", "Shirts")
    socks = item("SOCKS", "5.00", "Socks")
    promo = Promotion(
        "socks",
        "Free socks",
        BuyXGetY(buy=2, get=1, selector=Categories(["Shirts"]), reward=Categories(["Socks"])),
    )
    priced = run(cart((shirt, 2), (socks, 2)), promo)
    assert priced.lines[0].adjustments == (Adjustment("socks", Level.LINE, eur("0.00"), 2),)
    assert priced.lines[1].adjustments == (Adjustment("socks", Level.LINE, eur("5.00"), 1),)
    assert totals(priced) == ["40.00 EUR", "5.00 EUR"]
    assert priced.total == eur("45.00")
    check_sums(priced)


def test_buy_x_get_y_nudges_for_the_missing_unit():
    # 2 cases in the cart, 2+1 needs 3 → nothing given, and the nudge asks for 1 more.
    case = item("CASE", "29.00", "Accessories")
    promo = Promotion(
        "acc", "Accessories 2+1", BuyXGetY(buy=2, get=1, selector=Categories(["Accessories"]))
    )
    priced = run(cart((case, 2)), promo)
    assert priced.total == eur("58.00")
    reason = refusal(priced, "acc")
    assert reason.reason == "no_effect"
    assert said(reason.nudge) == ("add 1 more items from Accessories to get 1 free")


def test_cheapest_free_without_repeat():
    # Cheapest of 2 free, once: books 5, 10, 15, 20 → only the 5.00 one is free.
    # total 50.00 − 5.00 = 45.00.
    books = [item(f"B{euros}", f"{euros}.00", "Books") for euros in (5, 10, 15, 20)]
    promo = Promotion("c2", "Cheapest of 2 free", CheapestFree(Categories(["Books"])))
    priced = run(cart(*[(book, 1) for book in books]), promo)
    assert line_discounts(priced) == ["5.00 EUR", "0.00 EUR", "0.00 EUR", "0.00 EUR"]
    assert priced.total == eur("45.00")
    check_sums(priced)


def test_cheapest_free_with_repeat():
    # With repeat, one free per 2 units: 4 books → 2 free, the cheapest two (5.00 and 10.00).
    # Canonical (sku) order B10, B15, B20, B5 does not matter: the lines are given as 5, 10,
    # 15, 20. total 50.00 − 15.00 = 35.00.
    books = [item(f"B{euros}", f"{euros}.00", "Books") for euros in (5, 10, 15, 20)]
    promo = Promotion(
        "c2", "Cheapest of each 2 free", CheapestFree(Categories(["Books"]), repeat=True)
    )
    priced = run(cart(*[(book, 1) for book in books]), promo)
    assert line_discounts(priced) == ["5.00 EUR", "10.00 EUR", "0.00 EUR", "0.00 EUR"]
    assert priced.total == eur("35.00")
    check_sums(priced)


PHONE = item("PHONE", "699.00", "Phones")
CASE = item("CASE", "29.00", "Accessories")
GLASS = item("GLASS", "19.00", "Accessories")
SET = Bundle(
    [BundleItem(Skus(["PHONE"])), BundleItem(Skus(["CASE"])), BundleItem(Skus(["GLASS"]))],
    off(EUR="699.00"),
)


def test_phone_case_glass_bundle():
    # Set value 699.00 + 29.00 + 19.00 = 747.00, set price 699.00 → 48.00 (4800 cents) off,
    # spread by value (69900 : 2900 : 1900 of 74700):
    #   phone 4800 × 69900 / 74700 = 4491.566 → 4491
    #   case  4800 ×  2900 / 74700 =  186.345 →  186
    #   glass 4800 ×  1900 / 74700 =  122.088 →  122   (sum 4799)
    # the last cent goes to the largest remainder (.566, the phone) → 44.92, 1.86, 1.22.
    # The second case is not in a set and pays 29.00.
    # totals 654.08, 2 × 29.00 − 1.86 = 56.14, 17.78; total 699.00 + 29.00 = 728.00.
    priced = run(cart((PHONE, 1), (CASE, 2), (GLASS, 1)), Promotion("set", "Phone set", SET))
    assert line_discounts(priced) == ["44.92 EUR", "1.86 EUR", "1.22 EUR"]
    assert [a.units for line in priced.lines for a in line.adjustments] == [1, 1, 1]
    assert totals(priced) == ["654.08 EUR", "56.14 EUR", "17.78 EUR"]
    assert priced.total == eur("728.00")
    check_sums(priced)


def test_units_in_a_bundle_are_not_used_again_by_a_deal():
    # The bundle (priority 10) takes the phone, one case and the glass; 2 cases are left open,
    # and accessories 2+1 needs 3 → it gives nothing and nudges for 1 more.
    # total: 699.00 (set) + 2 × 29.00 = 757.00.
    deal = Promotion(
        "acc", "Accessories 2+1", BuyXGetY(buy=2, get=1, selector=Categories(["Accessories"]))
    )
    priced = run(
        cart((PHONE, 1), (CASE, 3), (GLASS, 1)),
        Promotion("set", "Phone set", SET, priority=10),
        deal,
    )
    assert applied(priced) == {"set": "48.00 EUR"}
    assert priced.total == eur("757.00")
    assert refused(priced) == {"acc": "no_effect"}
    assert said(refusal(priced, "acc").nudge) == ("add 1 more items from Accessories to get 1 free")
    check_sums(priced)


def test_units_taken_by_a_deal_are_not_discounted_again():
    # 4 mugs at 10.00. 2+1 (priority 5) consumes 3 units, one free (10.00); 10% off Kitchen
    # (priority 1) sees only the 1 open unit: 10% of 10.00 = 1.00.
    # discount 11.00; total 40.00 − 11.00 = 29.00.
    mug = item("MUG", "10.00", "Kitchen")
    deal = Promotion("2+1", "2+1 free", BuyXGetY(buy=2, get=1, selector=Skus(["MUG"])), priority=5)
    ten = Promotion("k10", "Kitchen 10%", Percentage(10, Categories(["Kitchen"])), priority=1)
    priced = run(cart((mug, 4)), ten, deal)
    assert priced.lines[0].adjustments == (
        Adjustment("2+1", Level.LINE, eur("10.00"), 3),
        Adjustment("k10", Level.LINE, eur("1.00"), 0),
    )
    assert priced.total == eur("29.00")
    check_sums(priced)


# -- tiers, shipping, gifts, welcome -----------------------------------------------------------

TIERS = TieredSpend(
    [
        Tier(off(EUR="50.00"), percent=5),
        Tier(off(EUR="100.00"), percent=10),
        Tier(off(EUR="200.00"), percent=15),
    ]
)


def test_tiered_spend_gives_the_highest_tier_reached():
    # 120.00 reaches the 100.00 tier (10%), not 200.00: 12.00 off. total 108.00.
    priced = run(cart((item("COAT", "120.00"), 1)), Promotion("tiers", "Spend more", TIERS))
    assert applied(priced) == {"tiers": "12.00 EUR"}
    assert priced.total == eur("108.00")
    check_sums(priced)


def test_tiered_spend_below_the_first_tier_nudges():
    # 40.00 is below the 50.00 tier: nothing off; 10.00 more reaches it.
    priced = run(cart((item("COAT", "40.00"), 1)), Promotion("tiers", "Spend more", TIERS))
    assert priced.total == eur("40.00")
    reason = refusal(priced, "tiers")
    assert reason.reason == "no_effect"
    # the nudge names the next tier's reward: 5 % off the order from 50.00
    assert said(reason.nudge) == "add 10.00 EUR more for 5% off the order"


def test_tiered_spend_with_amounts():
    # 5.00 off from 50.00, 15.00 off from 100.00: exactly 100.00 reaches the second tier.
    # total 85.00.
    tiers = TieredSpend(
        [
            Tier(off(EUR="50.00"), amounts=off(EUR="5.00")),
            Tier(off(EUR="100.00"), amounts=off(EUR="15.00")),
        ]
    )
    priced = run(cart((item("COAT", "100.00"), 1)), Promotion("tiers", "Spend more", tiers))
    assert applied(priced) == {"tiers": "15.00 EUR"}
    assert priced.total == eur("85.00")
    check_sums(priced)


def test_free_shipping_from_a_threshold():
    # 50.00 of items reaches "free from 50.00": shipping 4.95 → 0.00. total 50.00.
    promo = Promotion("ship", "Free shipping from 50", FreeShipping(off(EUR="50.00")))
    priced = run(cart((item("COAT", "50.00"), 1), ship="standard"), promo)
    assert priced.shipping_price == eur("4.95")
    assert priced.shipping_discount == eur("4.95")
    assert priced.shipping == eur("0.00")
    assert priced.discount == eur("0.00")
    assert priced.applied[0].level is Level.SHIPPING
    assert applied(priced) == {"ship": "4.95 EUR"}
    assert priced.total == eur("50.00")
    check_sums(priced)


def test_free_shipping_below_the_threshold_nudges():
    # 35.00 of items, 15.00 short of 50.00: shipping stays 4.95; total 39.95.
    promo = Promotion("ship", "Free shipping from 50", FreeShipping(off(EUR="50.00")))
    priced = run(cart((item("COAT", "35.00"), 1), ship="standard"), promo)
    assert priced.shipping == eur("4.95")
    assert priced.total == eur("39.95")
    assert refused(priced) == {"ship": "no_effect"}
    assert messages(priced.nudges) == ("add 15.00 EUR more for free shipping",)


def test_free_shipping_for_some_methods_only():
    # Free standard shipping, no threshold. With express chosen nothing is given (and there is
    # nothing to add to get it); with standard, 4.95 is taken off.
    promo = Promotion("std", "Free standard shipping", FreeShipping(methods=["standard"]))
    coat = item("COAT", "20.00")
    express = run(cart((coat, 1), ship="express"), promo)
    assert express.shipping == eur("9.90")
    assert express.total == eur("29.90")
    assert refused(express) == {"std": "no_effect"}
    assert refusal(express, "std").nudge is None
    standard = run(cart((coat, 1), ship="standard"), promo)
    assert standard.shipping == eur("0.00")
    assert standard.total == eur("20.00")


def test_free_shipping_after_discounts_versus_on_the_subtotal():
    # A 60.00 jacket, 20% off Jackets → 48.00.
    # basis after_discounts (default): 48.00 < 50.00 → shipping 4.95 stays, 2.00 missing;
    #   total 52.95.
    # basis subtotal: 60.00 ≥ 50.00 → free shipping; total 48.00.
    jacket = item("JACKET", "60.00", "Jackets")
    sale = Promotion("j20", "Jackets 20%", Percentage(20, Categories(["Jackets"])))
    after = Promotion("ship", "Free shipping from 50", FreeShipping(off(EUR="50.00")))
    before = Promotion(
        "ship", "Free shipping from 50", FreeShipping(off(EUR="50.00"), basis="subtotal")
    )
    the_cart = cart((jacket, 1), ship="standard")
    priced = run(the_cart, sale, after)
    assert priced.total == eur("52.95")
    assert messages(priced.nudges) == ("add 2.00 EUR more for free shipping",)
    priced = run(the_cart, sale, before)
    assert priced.shipping == eur("0.00")
    assert priced.total == eur("48.00")
    check_sums(priced)


def test_shipping_promotion_threshold_is_after_line_discounts_only():
    # Documented rule (engine rule 5, Context.threshold_amount, ThresholdBasis): order and
    # shipping promotions compare spend thresholds with the subtotal less *line* discounts.
    # A 100.00 coat, 10% off the order (an order discount, not a line discount) → 90.00.
    # The shipping promotion's condition "from 95.00" compares 100.00 − 0 line discounts =
    # 100.00 ≥ 95.00 → shipping free. total 90.00 + 0.00 = 90.00.
    coat = item("COAT", "100.00")
    order = Promotion("o10", "10% off", Percentage(10))
    ship = Promotion(
        "ship", "Free shipping from 95", FreeShipping(), condition=MinSubtotal(off(EUR="95.00"))
    )
    priced = run(cart((coat, 1), ship="standard"), order, ship)
    assert applied(priced) == {"o10": "10.00 EUR", "ship": "4.95 EUR"}
    assert priced.total == eur("90.00")


def test_gift_with_an_order_from_50():
    # A 60.00 order gets a tote (5.00) as its own line, fully discounted: subtotal 65.00,
    # discount 5.00, total 60.00.
    tote = Product("TOTE", "Tote bag", eur("5.00"))
    promo = Promotion("tote", "Tote from 50", Gift(tote), condition=MinSubtotal(off(EUR="50.00")))
    priced = run(cart((item("COAT", "60.00"), 1)), promo)
    assert len(priced.lines) == 2
    gift = priced.lines[1]
    assert gift.gift
    assert gift.line == Line(tote, 1)
    assert (gift.subtotal, gift.discount, gift.total) == (eur("5.00"), eur("5.00"), eur("0.00"))
    assert priced.subtotal == eur("65.00")
    assert priced.discount == eur("5.00")
    assert priced.total == eur("60.00")
    assert says(priced, "Tote from 50", "you save 5.00 EUR")
    check_sums(priced)
    # 40.00: no gift line, 10.00 short.
    priced = run(cart((item("COAT", "40.00"), 1)), promo)
    assert len(priced.lines) == 1
    assert messages(priced.nudges) == ("add 10.00 EUR more for a free Tote bag",)


def test_welcome_discount_on_a_first_order_only():
    # First order: 10% of 80.00 = 8.00 → 72.00. Second order: nothing, reason "condition".
    promo = Promotion("hello", "Welcome", Welcome(percent=10))
    the_cart = cart((item("COAT", "80.00"), 1))
    first = run(the_cart, promo, customer=Customer("c-1", order_count=0))
    assert applied(first) == {"hello": "8.00 EUR"}
    assert first.total == eur("72.00")
    assert says(first, "Welcome", "you save 8.00 EUR")
    second = run(the_cart, promo, customer=Customer("c-1", order_count=1))
    assert second.applied == ()
    assert second.total == eur("80.00")
    reason = refusal(second, "hello")
    assert (reason.reason, reason.message) == ("condition", "only for a customer's first order")


def test_welcome_amount_off():
    # 10.00 off a guest's first order of 25.00 + 15.00, spread 25:15 → 6.25 and 3.75.
    promo = Promotion("hello", "Welcome", Welcome(amounts=off(EUR="10.00")))
    priced = run(cart((item("A", "25.00"), 1), (item("B", "15.00"), 1)), promo)
    assert line_discounts(priced) == ["6.25 EUR", "3.75 EUR"]
    assert priced.total == eur("30.00")
    check_sums(priced)


# -- conditions --------------------------------------------------------------------------------


def test_min_quantity_of_a_selection():
    # 10% off Kitchen from 3 Kitchen items. 2 mugs: not met, 1 more needed. 3 mugs at 8.00:
    # 10% of 24.00 = 2.40 → 21.60.
    mug = item("MUG", "8.00", "Kitchen")
    promo = Promotion(
        "k3",
        "Kitchen 10% from 3",
        Percentage(10, Categories(["Kitchen"])),
        condition=MinQuantity(Categories(["Kitchen"]), 3),
    )
    two = run(cart((mug, 2)), promo)
    assert two.total == eur("16.00")
    reason = refusal(two, "k3")
    assert reason.reason == "condition"
    assert said(reason.nudge) == "add 1 more items from Kitchen for 10% off items from Kitchen"
    three = run(cart((mug, 3)), promo)
    assert three.total == eur("21.60")


def test_vip_only_discount():
    # 15% off the order for VIPs: 15% of 40.00 = 6.00 → 34.00. A regular customer pays 40.00.
    promo = Promotion("vip", "VIP 15%", Percentage(15), condition=CustomerSegment(["vip"]))
    the_cart = cart((item("COAT", "40.00"), 1))
    vip = run(the_cart, promo, customer=Customer("c-1", segments=["vip"]))
    assert vip.total == eur("34.00")
    regular = run(the_cart, promo, customer=Customer("c-2", segments=["regular"]))
    assert regular.total == eur("40.00")
    reason = refusal(regular, "vip")
    assert (reason.reason, reason.message) == ("condition", "only for vip customers")


def test_first_order_condition():
    # Free shipping on a first order, as a condition rather than a welcome benefit.
    promo = Promotion("first", "Free first shipping", FreeShipping(), condition=FirstOrder())
    the_cart = cart((item("COAT", "20.00"), 1), ship="express")
    first = run(the_cart, promo, customer=Customer(order_count=0))
    assert first.total == eur("20.00")
    again = run(the_cart, promo, customer=Customer(order_count=3))
    assert again.total == eur("29.90")
    assert refused(again) == {"first": "condition"}


def test_loyalty_tier_discount():
    # Gold members: 5% of 60.00 = 3.00 → 57.00. Silver: 60.00, "only for gold members".
    promo = Promotion("gold", "Gold 5%", Percentage(5), condition=LoyaltyTier(["gold"]))
    the_cart = cart((item("COAT", "60.00"), 1))
    gold = run(the_cart, promo, customer=Customer("c-1", loyalty_tier="gold"))
    assert gold.total == eur("57.00")
    silver = run(the_cart, promo, customer=Customer("c-2", loyalty_tier="silver"))
    assert silver.total == eur("60.00")
    assert refusal(silver, "gold").message == "only for gold members"


def test_region_and_channel():
    # 10% off in DE or AT through the app: 10% of 50.00 = 5.00 → 45.00.
    # DE on the web fails the channel; FR in the app fails the region.
    promo = Promotion(
        "app",
        "App week",
        Percentage(10),
        condition=AllOfConditions([Region(["DE", "AT"]), Channel(["app"])]),
    )
    the_cart = cart((item("COAT", "50.00"), 1))
    ok = run(the_cart, promo, customer=Customer(region="DE", channel="app"))
    assert ok.total == eur("45.00")
    web = run(the_cart, promo, customer=Customer(region="DE", channel="web"))
    assert web.total == eur("50.00")
    assert refusal(web, "app").message == "only on app"
    france = run(the_cart, promo, customer=Customer(region="FR", channel="app"))
    assert refusal(france, "app").message == "only in DE, AT"


def test_any_all_and_not():
    # (VIP or gold) and not in CH: 20% of 50.00 = 10.00 → 40.00.
    promo = Promotion(
        "club",
        "Club 20%",
        Percentage(20),
        condition=AllOfConditions(
            [
                AnyOfConditions([CustomerSegment(["vip"]), LoyaltyTier(["gold"])]),
                NoneOfConditions([Region(["CH"])]),
            ]
        ),
    )
    the_cart = cart((item("COAT", "50.00"), 1))
    gold_de = run(the_cart, promo, customer=Customer(loyalty_tier="gold", region="DE"))
    assert gold_de.total == eur("40.00")
    vip_ch = run(the_cart, promo, customer=Customer(segments=["vip"], region="CH"))
    assert vip_ch.total == eur("50.00")
    assert refusal(vip_ch, "club").message == "not for this cart or customer"
    nobody = run(the_cart, promo, customer=Customer(region="DE"))
    assert refusal(nobody, "club").message == "only for vip customers; or only for gold members"


BF_START = dt.datetime(2026, 11, 27, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
BF_END = dt.datetime(2026, 11, 30, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
BLACK_FRIDAY = Promotion("bf", "Black Friday", Percentage(30), starts_at=BF_START, ends_at=BF_END)


def test_black_friday_is_active_at_its_start():
    # 00:00 Berlin = 2026-11-26 23:00 UTC, the first moment: 30% of 100.00 = 30.00 → 70.00.
    at = dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)
    priced = run(cart((item("TV", "100.00"), 1)), BLACK_FRIDAY, at=at)
    assert applied(priced) == {"bf": "30.00 EUR"}
    assert priced.total == eur("70.00")


def test_black_friday_is_inactive_one_minute_before_it_starts():
    at = dt.datetime(2026, 11, 26, 22, 59, tzinfo=dt.UTC)  # 23:59 Berlin
    priced = run(cart((item("TV", "100.00"), 1)), BLACK_FRIDAY, at=at)
    assert priced.total == eur("100.00")
    reason = refusal(priced, "bf")
    assert reason.reason == "not_started"
    assert reason.message == "starts at 2026-11-27T00:00:00+01:00"


def test_black_friday_is_inactive_at_its_end():
    at = BF_END.astimezone(dt.UTC)  # the end is excluded
    priced = run(cart((item("TV", "100.00"), 1)), BLACK_FRIDAY, at=at)
    assert priced.total == eur("100.00")
    reason = refusal(priced, "bf")
    assert (reason.reason, reason.message) == ("ended", "ended at 2026-11-30T00:00:00+01:00")


def test_date_window_condition():
    # The same window as a condition: inside it, 30.00 off; after it, a "condition" refusal.
    promo = Promotion("bf", "Black Friday", Percentage(30), condition=DateWindow(BF_START, BF_END))
    the_cart = cart((item("TV", "100.00"), 1))
    inside = run(the_cart, promo, at=dt.datetime(2026, 11, 29, 23, 59, tzinfo=BF_END.tzinfo))
    assert inside.total == eur("70.00")
    after = run(the_cart, promo, at=BF_END)
    assert after.total == eur("100.00")
    assert refused(after) == {"bf": "condition"}


NIGHT = Promotion(
    "night",
    "Night owls",
    Percentage(10),
    condition=Schedule(from_time="22:00", until_time="02:00", timezone="Europe/Berlin"),
)


@pytest.mark.parametrize(
    ("at", "total"),
    [
        # 21:00 UTC = 22:00 Berlin (winter, +01:00): the start is included → 90.00.
        (dt.datetime(2026, 1, 16, 21, 0, tzinfo=dt.UTC), "90.00 EUR"),
        # 00:30 UTC = 01:30 Berlin: past midnight, still inside → 90.00.
        (dt.datetime(2026, 1, 17, 0, 30, tzinfo=dt.UTC), "90.00 EUR"),
        # 01:30 UTC = 02:30 Berlin: after the end (it would be inside in UTC) → 100.00.
        (dt.datetime(2026, 1, 17, 1, 30, tzinfo=dt.UTC), "100.00 EUR"),
        # 20:59 UTC = 21:59 Berlin: before the start → 100.00.
        (dt.datetime(2026, 1, 16, 20, 59, tzinfo=dt.UTC), "100.00 EUR"),
    ],
)
def test_overnight_schedule_in_a_time_zone(at: dt.datetime, total: str):
    priced = run(cart((item("TV", "100.00"), 1)), NIGHT, at=at)
    assert str(priced.total) == total
    if total == "100.00 EUR":
        assert refusal(priced, "night").message == "only from 22:00–02:00 (Europe/Berlin)"


def test_weekend_schedule_in_new_york():
    # Weekends in New York (EST, −05:00). 2026-01-17 03:00 UTC is Friday 22:00 there → no;
    # 06:00 UTC is Saturday 01:00 there → 10% of 100.00 = 10.00 off → 90.00.
    promo = Promotion(
        "wknd",
        "Weekend",
        Percentage(10),
        condition=Schedule(weekdays=["sat", "sun"], timezone="America/New_York"),
    )
    the_cart = cart((item("TV", "100.00"), 1))
    friday = run(the_cart, promo, at=dt.datetime(2026, 1, 17, 3, 0, tzinfo=dt.UTC))
    assert friday.total == eur("100.00")
    assert refusal(friday, "wknd").message == "only on sat, sun"
    saturday = run(the_cart, promo, at=dt.datetime(2026, 1, 17, 6, 0, tzinfo=dt.UTC))
    assert saturday.total == eur("90.00")


def test_promo_code_ignores_case_spaces_and_dashes():
    # Code SPRING-10 gives 5.00 off 30.00 → 25.00, however it is typed.
    promo = Promotion("spring", "Spring code", FixedOff(off(EUR="5.00")), code="SPRING-10")
    coat = item("COAT", "30.00")
    for typed in ("spring10", " Spring 10 ", "s-p-r-i-n-g-1-0", "SPRING-10"):
        priced = run(cart((coat, 1), codes=(typed,)), promo)
        assert priced.total == eur("25.00"), typed


def test_promotion_whose_code_was_not_entered_is_not_listed():
    # No code, or another code: not applied, and not in not_applied either (codes do not leak).
    promo = Promotion("spring", "Spring code", FixedOff(off(EUR="5.00")), code="SPRING-10")
    coat = item("COAT", "30.00")
    for codes in ((), ("WINTER",)):
        priced = run(cart((coat, 1), codes=codes), promo)
        assert priced.total == eur("30.00")
        assert priced.applied == ()
        assert priced.not_applied == ()


def test_code_condition():
    # The code as a condition (type "code"): entered as "vip night" → 20% of 30.00 = 6.00 off.
    promo = Promotion("night", "VIP night", Percentage(20), condition=CodeEntered("VIP-NIGHT"))
    priced = run(cart((item("COAT", "30.00"), 1), codes=("vip night",)), promo)
    assert priced.total == eur("24.00")


def test_code_condition_not_entered_does_not_reveal_the_code():
    # Codes do not leak (engine rule 3): a promotion that needs the code SECRET-1, priced
    # without it, gives nothing (30.00) and no reason or nudge in the result contains the code.
    promo = Promotion("secret", "Secret sale", Percentage(10), condition=CodeEntered("SECRET-1"))
    priced = run(cart((item("COAT", "30.00"), 1)), promo)
    assert priced.total == eur("30.00")
    assert priced.applied == ()
    words = [f"{n.message} {said(n.nudge) or ''}" for n in priced.not_applied]
    assert not [text for text in words if "SECRET" in text.upper()]


def test_stock_level_clears_overstock_and_spares_the_last_units():
    # 20% off the bench while more than 100 are in stock: stock 150 → 20% of 50.00 = 10.00.
    # 10% off the chair only while at least 5 are left: 4 left → no discount.
    bench = Product("BENCH", "Bench", eur("50.00"), stock=150)
    chair = Product("CHAIR", "Chair", eur("40.00"), stock=4)
    clear = Promotion(
        "clear",
        "Overstock",
        Percentage(20, Skus(["BENCH"])),
        condition=StockLevel(Skus(["BENCH"]), min_stock=100),
    )
    keep = Promotion(
        "keep",
        "Chair 10%",
        Percentage(10, Skus(["CHAIR"])),
        condition=StockLevel(Skus(["CHAIR"]), min_stock=5),
    )
    priced = run(cart((bench, 1), (chair, 1)), clear, keep)
    assert totals(priced) == ["40.00 EUR", "40.00 EUR"]
    assert applied(priced) == {"clear": "10.00 EUR"}
    reason = refusal(priced, "keep")
    assert (reason.reason, reason.message) == (
        "condition",
        "stock of item CHAIR is outside the set range",
    )


# -- selectors ---------------------------------------------------------------------------------

MUG = Product(
    "MUG", "Mug", eur("10.00"), categories=["Kitchen"], tags=["new"], attributes={"brand": "Acme"}
)
LAMP = Product(
    "LAMP", "Lamp", eur("30.00"), categories=["Home"], tags=["sale"], attributes={"brand": "Lumo"}
)
CARD = Product("CARD", "Gift card", eur("25.00"), categories=["Gift cards"])
PEN = Product("PEN", "Pen", eur("2.00"), categories=["Office"], attributes={"brand": "Acme"})


@pytest.mark.parametrize(
    ("selector", "discounts"),
    [
        # 10% of mug 10.00, lamp 30.00, card 25.00, pen 2.00 = 1.00, 3.00, 2.50, 0.20.
        (AllProducts(), ["1.00", "3.00", "2.50", "0.20"]),
        (Skus(["LAMP"]), ["0.00", "3.00", "0.00", "0.00"]),
        (Categories(["Kitchen", "Office"]), ["1.00", "0.00", "0.00", "0.20"]),
        (Tags(["sale"]), ["0.00", "3.00", "0.00", "0.00"]),
        (Attribute("brand", ["Acme"]), ["1.00", "0.00", "0.00", "0.20"]),
        # bounds included: 10.00 (mug) and 25.00 (card) are in, 30.00 and 2.00 out.
        (PriceRange(min=off(EUR="10.00"), max=off(EUR="25.00")), ["1.00", "0.00", "2.50", "0.00"]),
        (AnyOf([Tags(["new"]), Categories(["Home"])]), ["1.00", "3.00", "0.00", "0.00"]),
        (
            AllOf([Attribute("brand", ["Acme"]), Categories(["Office"])]),
            ["0.00", "0.00", "0.00", "0.20"],
        ),
        (NoneOf([Categories(["Gift cards"])]), ["1.00", "3.00", "0.00", "0.20"]),
    ],
)
def test_each_selector_picks_its_lines(selector: Selector, discounts: list[str]):
    promo = Promotion("ten", "10% off", Percentage(10, selector))
    priced = run(cart((MUG, 1), (LAMP, 1), (CARD, 1), (PEN, 1)), promo)
    assert line_discounts(priced) == [f"{d} EUR" for d in discounts]
    check_sums(priced)


# -- stacking ----------------------------------------------------------------------------------

TEN_PERCENT = Promotion("pct", "Ten percent", Percentage(10), combination="exclusive", priority=10)
FIFTEEN_OFF = Promotion(
    "fix", "Fifteen off", FixedOff(off(EUR="15.00")), combination="exclusive", priority=5
)


def test_exclusive_promotions_best_for_the_customer():
    # On 100.00: 10% → 90.00; 15.00 off → 85.00. Valid combinations of two exclusives:
    # none, either alone = 3. The better one, 15.00 off, is chosen; the other is "not_chosen".
    priced = run(
        cart((item("COAT", "100.00"), 1)), TEN_PERCENT, FIFTEEN_OFF, mode="best_for_customer"
    )
    assert applied(priced) == {"fix": "15.00 EUR"}
    assert priced.total == eur("85.00")
    assert refused(priced) == {"pct": "not_chosen"}
    assert priced.choice == (
        "best for the customer: Fifteen off, giving 15.00 EUR in all (gifts at their price), "
        "total 85.00 EUR, out of all 3 valid combinations "
        "of the 2 eligible promotions"
    )


def test_exclusive_promotions_by_priority():
    # Priority mode: 10% has priority 10 and wins although 15.00 off is better. total 90.00.
    priced = run(cart((item("COAT", "100.00"), 1)), TEN_PERCENT, FIFTEEN_OFF)
    assert applied(priced) == {"pct": "10.00 EUR"}
    assert priced.total == eur("90.00")
    reason = refusal(priced, "fix")
    assert (reason.reason, reason.message) == ("excluded", "Ten percent applies alone")
    assert priced.choice is None


def test_percentage_and_fixed_stacked_in_both_orders():
    # One 100.00 coat, 10% off Coats and 10.00 off each coat, both line level.
    # Percentage first: 100.00 − 10.00 = 90.00, then − 10.00 = 80.00.
    # Fixed first:      100.00 − 10.00 = 90.00, then 10% of 90.00 = 9.00 → 81.00.
    coat = item("COAT", "100.00", "Coats")
    the_cart = cart((coat, 1))

    def both(pct_priority: int, fixed_priority: int) -> PricedCart:
        pct = Promotion(
            "pct", "10% coats", Percentage(10, Categories(["Coats"])), priority=pct_priority
        )
        fixed = Promotion(
            "fix",
            "10 off coats",
            FixedOff(off(EUR="10.00"), per="unit", selector=Categories(["Coats"])),
            priority=fixed_priority,
        )
        return run(the_cart, pct, fixed)

    pct_first = both(2, 1)
    assert applied(pct_first) == {"pct": "10.00 EUR", "fix": "10.00 EUR"}
    assert [a.promotion_id for a in pct_first.applied] == ["pct", "fix"]
    assert pct_first.total == eur("80.00")
    fixed_first = both(1, 2)
    assert applied(fixed_first) == {"fix": "10.00 EUR", "pct": "9.00 EUR"}
    assert [a.promotion_id for a in fixed_first.applied] == ["fix", "pct"]
    assert fixed_first.total == eur("81.00")


def test_group_lets_only_one_apply():
    # Group "spring": 10% (priority 5) applies, 5.00 off (priority 1) is refused; the
    # stackable free shipping is not in the group and applies too.
    # 10% of 80.00 = 8.00 → 72.00; shipping free. total 72.00.
    the_cart = cart((item("COAT", "80.00"), 1), ship="standard")
    ten = Promotion(
        "s10", "Spring 10%", Percentage(10), combination="group", group="spring", priority=5
    )
    five = Promotion(
        "s5",
        "Spring 5 off",
        FixedOff(off(EUR="5.00")),
        combination="group",
        group="spring",
        priority=1,
    )
    ship = Promotion("ship", "Free shipping", FreeShipping())
    priced = run(the_cart, ten, five, ship)
    assert applied(priced) == {"s10": "8.00 EUR", "ship": "4.95 EUR"}
    assert priced.total == eur("72.00")
    reason = refusal(priced, "s5")
    assert reason.reason == "group"
    assert reason.message == "only one promotion of group 'spring' applies: Spring 10%"


def test_a_group_member_that_gives_nothing_does_not_block_its_group():
    # Group "g": G1 (priority 5) "10.00 off from 95.00", G2 (priority 1) "5.00 off".
    # 10% off Coats takes the 100.00 coat to 90.00 at line level, so G1's threshold (after line
    # discounts) is not met and G1 gives nothing. At most one of the group applies; none does,
    # so G2 is free to: 90.00 − 5.00 = 85.00 (the total best_for_customer finds too). A reason
    # "only one promotion of group 'g' applies: G1" would be false, as G1 does not apply.
    coat = item("COAT", "100.00", "Coats")
    pct = Promotion("pct", "10% coats", Percentage(10, Categories(["Coats"])))
    g1 = Promotion(
        "g1",
        "G1 10 off from 95",
        FixedOff(off(EUR="10.00")),
        condition=MinSubtotal(off(EUR="95.00")),
        combination="group",
        group="g",
        priority=5,
    )
    g2 = Promotion(
        "g2", "G2 5 off", FixedOff(off(EUR="5.00")), combination="group", group="g", priority=1
    )
    best = run(cart((coat, 1)), pct, g1, g2, mode="best_for_customer")
    assert best.total == eur("85.00")
    priced = run(cart((coat, 1)), pct, g1, g2)
    assert refusal(priced, "g1").reason == "condition"
    assert applied(priced) == {"pct": "10.00 EUR", "g2": "5.00 EUR"}
    assert priced.total == eur("85.00")


def test_stop_promotion_ends_consideration():
    # Priority 20: 10% off Kitchen (mug 20.00 → 18.00). Priority 10, stop: 5.00 off the order
    # (18.00 → 13.00). Priority 1: 2.00 off the order, never considered ("stopped").
    mug = item("MUG", "20.00", "Kitchen")
    first = Promotion("k10", "Kitchen 10%", Percentage(10, Categories(["Kitchen"])), priority=20)
    stop = Promotion(
        "stop", "Five off", FixedOff(off(EUR="5.00")), priority=10, combination=Combination.STOP
    )
    later = Promotion("two", "Two off", FixedOff(off(EUR="2.00")), priority=1)
    priced = run(cart((mug, 1)), later, stop, first)
    assert applied(priced) == {"k10": "2.00 EUR", "stop": "5.00 EUR"}
    assert priced.total == eur("13.00")
    reason = refusal(priced, "two")
    assert (reason.reason, reason.message) == (
        "stopped",
        "no promotion after Five off is considered",
    )


def test_max_total_discount():
    # Cap 25.00 on the order. 20% off Coats on 100.00 = 20.00 (5.00 of the cap left); then
    # 10.00 off the order is cut to 5.00. discount 25.00; total 75.00.
    coat = item("COAT", "100.00", "Coats")
    pct = Promotion("pct", "20% coats", Percentage(20, Categories(["Coats"])))
    fixed = Promotion("fix", "10 off", FixedOff(off(EUR="10.00")))
    priced = run(cart((coat, 1)), pct, fixed, max_total_discount=off(EUR="25.00"))
    assert applied(priced) == {"pct": "20.00 EUR", "fix": "5.00 EUR"}
    assert priced.discount == eur("25.00")
    assert priced.total == eur("75.00")
    check_sums(priced)


def test_max_total_discount_percent():
    # Cap 15% of the 100.00 subtotal = 15.00. 20% off Coats (20.00) is cut to 15.00, and the
    # 10.00 off the order finds the cap used up: it gives nothing ("no_effect").
    # Shipping (4.95, not counted against the cap) is freed anyway. total 85.00.
    coat = item("COAT", "100.00", "Coats")
    pct = Promotion("pct", "20% coats", Percentage(20, Categories(["Coats"])))
    fixed = Promotion("fix", "10 off", FixedOff(off(EUR="10.00")))
    ship = Promotion("ship", "Free shipping", FreeShipping())
    priced = run(cart((coat, 1), ship="standard"), pct, fixed, ship, max_total_discount_percent=15)
    assert applied(priced) == {"pct": "15.00 EUR", "ship": "4.95 EUR"}
    assert refused(priced) == {"fix": "no_effect"}
    assert priced.discount == eur("15.00")
    assert priced.total == eur("85.00")
    check_sums(priced)


def test_threshold_basis_after_line_discounts_versus_subtotal():
    # 100.00 coat, 10% off Coats → 90.00 after line discounts. "10.00 off from 95.00":
    # default (after line discounts): 90.00 < 95.00 → refused, 5.00 short; total 90.00.
    # threshold_basis "subtotal": 100.00 ≥ 95.00 → 10.00 off; total 80.00.
    coat = item("COAT", "100.00", "Coats")
    pct = Promotion("pct", "10% coats", Percentage(10, Categories(["Coats"])))
    fixed = Promotion(
        "fix", "10 off from 95", FixedOff(off(EUR="10.00")), condition=MinSubtotal(off(EUR="95.00"))
    )
    default = run(cart((coat, 1)), pct, fixed)
    assert default.total == eur("90.00")
    reason = refusal(default, "fix")
    assert reason.reason == "condition"
    assert said(reason.nudge) == "add 5.00 EUR more for 10.00 EUR off the order"
    on_subtotal = run(cart((coat, 1)), pct, fixed, threshold_basis="subtotal")
    assert applied(on_subtotal) == {"pct": "10.00 EUR", "fix": "10.00 EUR"}
    assert on_subtotal.total == eur("80.00")


# -- price floors ------------------------------------------------------------------------------


def test_min_price_cuts_a_discount():
    # Speaker 100.00 with min_price 90.00: 20% would be 20.00, cut to 10.00 → 90.00.
    speaker = Product("SPK", "Speaker", eur("100.00"), min_price=eur("90.00"))
    promo = Promotion("p20", "20% off", Percentage(20, Skus(["SPK"])))
    priced = run(cart((speaker, 1)), promo)
    assert applied(priced) == {"p20": "10.00 EUR"}
    assert priced.total == eur("90.00")


def test_min_margin_cuts_a_discount():
    # 50% off all, keeping a 25% margin over cost. Speaker 100.00, cost 60.00: floor
    # 60.00 × 1.25 = 75.00, so 50.00 is cut to 25.00. Cable 20.00 has no cost: full 10.00.
    # discount 35.00; total 75.00 + 10.00 = 85.00.
    speaker = Product("SPK", "Speaker", eur("100.00"), cost=eur("60.00"))
    cable = Product("CBL", "Cable", eur("20.00"))
    promo = Promotion("half", "Half off", Percentage(50, AllProducts()), min_margin_percent=25)
    priced = run(cart((speaker, 1), (cable, 1)), promo)
    assert line_discounts(priced) == ["25.00 EUR", "10.00 EUR"]
    assert totals(priced) == ["75.00 EUR", "10.00 EUR"]
    assert priced.total == eur("85.00")
    check_sums(priced)


# -- currencies --------------------------------------------------------------------------------


def test_jpy_percentage_rounds_to_whole_yen():
    # 10% of 1005 JPY = 100.5 yen: half up → 101 (total 904); half even → 100 (total 905).
    tea = item("TEA", "1005", currency="JPY")
    promo = Promotion("t10", "Tea 10%", Percentage(10, Skus(["TEA"])))
    the_cart = cart((tea, 1), currency="JPY")
    half_up = run(the_cart, promo)
    assert half_up.discount == Money(101, "JPY")
    assert str(half_up.total) == "904 JPY"
    half_even = run(the_cart, promo, rounding="half_even")
    assert str(half_even.total) == "905 JPY"


def test_kwd_percentage_rounds_to_the_fils():
    # 15% per line: 1.333 KWD → 1333 × 0.15 = 199.95 fils → 200; 2.250 KWD → 337.5 → 338.
    # totals 1.133 and 1.912; total 3.045.
    a = item("A", "1.333", "Food", currency="KWD")
    b = item("B", "2.250", "Food", currency="KWD")
    promo = Promotion("f15", "Food 15%", Percentage(15, Categories(["Food"])))
    priced = run(cart((a, 1), (b, 1), currency="KWD"), promo)
    assert line_discounts(priced) == ["0.200 KWD", "0.338 KWD"]
    assert totals(priced) == ["1.133 KWD", "1.912 KWD"]
    assert str(priced.total) == "3.045 KWD"
    check_sums(priced)


# -- lines as given ----------------------------------------------------------------------------


def test_two_units_as_one_line_or_two_lines():
    # 10% off 2 × 9.95 = 19.90 → 1.99 (computed on the merged units either way); total 17.91.
    # As two lines the 1.99 is split 1:1 → 1.00 (first line, ties to the earlier) and 0.99.
    tin = item("TIN", "9.95", "Kitchen")
    promo = Promotion("k10", "Kitchen 10%", Percentage(10, Categories(["Kitchen"])))
    one = run(cart((tin, 2)), promo)
    two = run(Cart("EUR", [Line(tin, 1), Line(tin, 1)]), promo)
    assert one.discount == two.discount == eur("1.99")
    assert one.total == two.total == eur("17.91")
    assert totals(one) == ["17.91 EUR"]
    assert totals(two) == ["8.95 EUR", "8.96 EUR"]
    check_sums(two)


def test_a_deal_over_two_lines_of_the_same_product():
    # 2+1 on 3 mugs at 10.00 given as a line of 2 and a line of 1: one mug free (10.00),
    # spread 2:1 → 6.67 and 3.33 (the larger remainder, .67, gets the cent). total 20.00.
    mug = item("MUG", "10.00", "Kitchen")
    promo = Promotion("2+1", "2+1 free", BuyXGetY(buy=2, get=1, selector=Skus(["MUG"])))
    priced = run(Cart("EUR", [Line(mug, 2), Line(mug, 1)]), promo)
    assert priced.lines[0].adjustments == (Adjustment("2+1", Level.LINE, eur("6.67"), 2),)
    assert priced.lines[1].adjustments == (Adjustment("2+1", Level.LINE, eur("3.33"), 1),)
    assert priced.total == eur("20.00")


# -- promotions from JSON ----------------------------------------------------------------------

PROMOTIONS_JSON = """
[
  {
    "id": "kitchen-10",
    "name": "Kitchen week",
    "priority": 2,
    "benefit": {
      "type": "percentage",
      "percent": 10,
      "selector": {"type": "categories", "categories": ["Kitchen"]}
    }
  },
  {
    "id": "five-from-40",
    "name": "5 off from 40",
    "benefit": {"type": "fixed_off", "amounts": {"EUR": "5.00"}},
    "condition": {"type": "min_subtotal", "amounts": {"EUR": 40.00}}
  },
  {
    "id": "ship-50",
    "name": "Free shipping from 50",
    "benefit": {"type": "free_shipping", "threshold": {"EUR": "50.00"}}
  }
]
"""


def test_promotions_read_from_json_and_priced():
    # Mugs 4 × 8.00 = 32.00 (Kitchen), lamp 30.00; shipping 4.95.
    # line: 10% of 32.00 = 3.20 → mugs 28.80; after line discounts 58.80 ≥ 40.00, so
    # order: 5.00 spread 2880 : 3000 → 244.90 → 244, 255.10 → 255 (499), the cent to the larger
    #   remainder (.90, the mugs) → 2.45 and 2.55 → mugs 26.35, lamp 27.45 (53.80);
    # shipping: 53.80 ≥ 50.00 → free. total 53.80.
    promotions = from_json(PROMOTIONS_JSON, list[Promotion])
    mug = item("MUG", "8.00", "Kitchen")
    lamp = item("LAMP", "30.00", "Home")
    priced = run(cart((mug, 4), (lamp, 1), ship="standard"), *promotions)
    assert applied(priced) == {
        "kitchen-10": "3.20 EUR",
        "five-from-40": "5.00 EUR",
        "ship-50": "4.95 EUR",
    }
    assert line_discounts(priced) == ["5.65 EUR", "2.55 EUR"]
    assert totals(priced) == ["26.35 EUR", "27.45 EUR"]
    assert priced.total == eur("53.80")
    check_sums(priced)


# -- bad input ---------------------------------------------------------------------------------


def test_unknown_benefit_type_in_json_lists_the_known_types():
    text = '[{"id": "x", "name": "X", "benefit": {"type": "percent_off", "percent": "10"}}]'
    with pytest.raises(ConfigError) as caught:
        from_json(text, list[Promotion])
    message = str(caught.value)
    assert "percent_off" in message
    for known in ("bundle", "buy_x_get_y", "fixed_off", "percentage", "welcome"):
        assert known in message


def test_percent_over_100_is_refused():
    with pytest.raises(ValidationError) as caught:
        Percentage(120)
    assert caught.value.field == "percent"
    assert caught.value.value == 120
    text = '[{"id": "x", "name": "X", "benefit": {"type": "percentage", "percent": 120}}]'
    with pytest.raises(ConfigError) as config:
        from_json(text, list[Promotion])
    assert "percent" in str(config.value)
    assert "120" in str(config.value)


def test_negative_amount_is_refused():
    with pytest.raises(ValidationError) as caught:
        FixedOff(off(EUR="-5.00"))
    assert caught.value.field == "amounts.EUR"
    assert caught.value.value == "-5.00 EUR"


def test_empty_bundle_is_refused():
    with pytest.raises(ValidationError) as caught:
        Bundle([], off(EUR="10.00"))
    assert caught.value.field == "items"


def test_end_before_start_is_refused():
    with pytest.raises(ValidationError) as caught:
        Promotion("x", "X", Percentage(10), starts_at=BF_END, ends_at=BF_START)
    assert caught.value.field == "ends_at"
    assert caught.value.value == "2026-11-27T00:00:00+01:00"


def test_promotion_without_an_amount_in_the_cart_currency():
    # A EUR-only 5.00 off priced on a USD cart of 30.00: not for this cart (reason no_amount,
    # "no amount for USD"), never a silent zero, and the cart is priced: total 30.00.
    promo = Promotion("eur5", "5 off", FixedOff(off(EUR="5.00")))
    usd_cart = cart((item("COAT", "30.00", currency="USD"), 1), currency="USD")
    priced = run(usd_cart, promo)
    assert refused(priced) == {"eur5": "no_amount"}
    assert refusal(priced, "eur5").message == "no amount for USD"
    assert priced.total == Money.of("30.00", "USD")


def test_stock_range_selector_decides_product_by_product():
    # 20% off Kitchen items with at least 20 in stock: the mug (stock 40, 10.00) gets 2.00 off;
    # the pan (stock 3, 30.00) keeps its last units at full price, though both are in the cart.
    mug = item("MUG", "10.00", "Kitchen", stock=40)
    pan = item("PAN", "30.00", "Kitchen", stock=3)
    selector = AllOf([Categories(["Kitchen"]), StockRange(min_stock=20)])
    overstock = Promotion("over", "Overstock", Percentage(20, selector))
    priced = run(cart((mug, 1), (pan, 1)), overstock)
    assert [str(line.discount) for line in priced.lines] == ["2.00 EUR", "0.00 EUR"]
    assert priced.total == eur("38.00")


def test_a_stop_promotion_that_gives_nothing_stops_nothing():
    # Priority 10, stop: 10% off Lighting, but the cart has no lighting, so it gives nothing;
    # the 5.00 off below it still applies: 40.00 − 5.00 = 35.00.
    lamp_sale = Promotion(
        "lamps",
        "Lamps",
        Percentage(10, Categories(["Lighting"])),
        combination="stop",
        priority=10,
    )
    five = Promotion("five", "5 off", FixedOff(off(EUR="5.00")))
    priced = run(cart((item("COAT", "40.00", "Coats"), 1)), lamp_sale, five)
    assert priced.total == eur("35.00")
    assert applied(priced) == {"five": "5.00 EUR"}
