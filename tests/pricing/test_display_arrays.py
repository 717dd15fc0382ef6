"""Display prices as arrays: the per-product answer for every row of a ProductTable."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Cart, Customer, Line, Money, Product, RoundingMode, ValidationError
from shopkit.pricing import (
    AllOf,
    AllOfConditions,
    Amounts,
    AnyOf,
    AnyOfConditions,
    Attribute,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    CheapestFree,
    CustomerSegment,
    DisplayPrice,
    FixedOff,
    FixedPrice,
    Gift,
    MinQuantity,
    MinSubtotal,
    NoneOf,
    NoneOfConditions,
    Percentage,
    PriceRange,
    PricingOptions,
    ProductTable,
    Promotion,
    PromotionBook,
    Skus,
    StockLevel,
    StockRange,
    Tags,
    display_price_table,
    display_prices,
)
from shopkit.pricing import price as price_cart
from shopkit.pricing._display import display_one
from shopkit.pricing.plugin import Benefit, Selector

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
T = TypeVar("T")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def rows_of(shown: Any) -> list[DisplayPrice]:
    return [shown.display_price(row) for row in range(len(shown))]


def assert_same(products: Sequence[Product], promotions: Any, **kwargs: Any) -> Any:
    """The array path gives, row by row, the per-product path's display price and ids."""
    book = promotions if isinstance(promotions, PromotionBook) else PromotionBook(promotions)
    shown = display_price_table(ProductTable.of(products), book, at=NOW, **kwargs)
    assert rows_of(shown) == list(display_prices(products, book, at=NOW, **kwargs))
    customer = kwargs.get("customer") or Customer()
    options = kwargs.get("options") or PricingOptions()
    low = kwargs.get("low_stock_at")
    for row, product in enumerate(products):
        _, ids = display_one(product, book, customer, NOW, options, low)
        assert shown.combinations[shown.combination[row]] == ids
    return shown


# -- worked examples ------------------------------------------------------------------------

MUG = Product("MUG", "Mug", eur("8.00"), categories=["Kitchen"], stock=2)
LAMP = Product("LAMP", "Lamp", eur("30.00"), categories=["Lighting"], tags=["sale"])
BAG = Product("BAG", "Bag", eur("1.65"), categories=["Bags"], stock=40)


def test_a_category_sale_and_a_fixed_price() -> None:
    promotions = [
        Promotion("k20", "Kitchen sale", Percentage(20, Categories(["Kitchen"]))),
        Promotion("lamp", "Lamp price", FixedPrice(Amounts.of(EUR="24.99"), Skus(["LAMP"]))),
        Promotion("bags", "3 for 2", BuyXGetY(2, 1, Categories(["Bags"]))),
    ]
    shown = assert_same([MUG, LAMP, BAG], promotions, low_stock_at=3)
    # mug 8.00 − 20 % = 6.40 (−20 %); lamp 30.00 → 24.99, a cut of 5.01 = 16.7 % → −16 %;
    # the bag's 3 for 2 needs three units: 1.65 stays, no badge
    assert shown.price.tolist() == [640, 2499, 165]
    assert shown.was.tolist() == [800, 3000, 165]
    assert shown.percent_off.tolist() == [20, 16, 0]
    assert [shown.badge(row) for row in range(3)] == ["-20%", "-16%", None]
    assert [shown.combination_names[c] for c in shown.combination] == [
        ("Kitchen sale",),
        ("Lamp price",),
        (),
    ]
    # stock 2 ≤ 3 is low; the lamp's stock is not tracked; 40 is not low
    assert shown.low_stock.tolist() == [True, False, False]
    assert shown.per_product.tolist() == []


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 0.5 % of 5.00 is 2.5 minor units
        (RoundingMode.HALF_UP, 497),  # 2.5 → 3
        (RoundingMode.HALF_EVEN, 498),  # 2.5 → 2, the even one
        (RoundingMode.DOWN, 498),  # 2.5 → 2
        (RoundingMode.UP, 497),  # 2.5 → 3
    ],
)
def test_percentages_round_as_the_options_say(rounding: RoundingMode, expected: int) -> None:
    cap = Product("CAP", "Cap", eur("5.00"), categories=["Hats"])
    tiny = Promotion("t", "Tiny", Percentage("0.5", Categories(["Hats"])))
    shown = assert_same([cap], [tiny], options=PricingOptions(rounding=rounding))
    assert shown.price.tolist() == [expected]
    # 2 or 3 off 500 is below 1 %: the badge says "sale"
    assert shown.badge(0) == "sale"


def test_exclusive_stop_and_group_per_row() -> None:
    promotions = [
        # tried alone first: gives on the lamp (30.00 → 20.00), nothing on the mug (8.00 < 20)
        Promotion(
            "x",
            "Twenty",
            FixedPrice(Amounts.of(EUR="20.00"), AllOf([Categories(["Kitchen", "Lighting"])])),
            priority=9,
            combination="exclusive",
        ),
        # the mug then gets 10 % (7.20) and the group's first, 1.00 off (6.20)
        Promotion("p10", "Ten", Percentage(10, AnyOf([Tags(["sale"]), Skus(["MUG"])])), priority=5),
        Promotion(
            "g1", "One off", FixedOff(Amounts.of(EUR="1.00"), "unit"), priority=4,
            combination="group", group="g",
        ),
        Promotion(
            "g2", "Two off", FixedOff(Amounts.of(EUR="2.00"), "unit"), priority=3,
            combination="group", group="g",
        ),
        # eligible for the mug (the book files it under its condition's key, Kitchen) but giving
        # it nothing (no product has a brand): like price(), it then stops nothing there
        Promotion(
            "s", "Stop", Percentage(5, Attribute("brand", ["none"])), priority=2,
            combination="stop",
            condition=MinQuantity(Categories(["Kitchen"]), 1),
        ),
        Promotion("late", "Late", Percentage(50, Categories(["Kitchen", "Bags"])), priority=1),
    ]  # fmt: skip
    shown = assert_same([MUG, LAMP, BAG], promotions)
    # mug: 7.20, 6.20, the idle stop stops nothing, 50 % of 6.20 = 3.10;
    # bag 1.65: no exclusive, no 10 %, 1.00 off (0.65), the stop does not hold (not Kitchen):
    # 50 % of 0.65 = 0.325 → 0.33 half up, so 0.32
    assert shown.price.tolist() == [310, 2000, 32]
    assert [shown.combinations[c] for c in shown.combination] == [
        ("p10", "g1", "late"),
        ("x",),
        ("g1", "late"),
    ]


def test_a_stop_that_gives_stops_and_an_idle_one_holds_no_place() -> None:
    promotions = [
        # gives the mug nothing (no brand), so it holds group g nowhere and stops nothing
        Promotion(
            "idle", "Idle", Percentage(5, Attribute("brand", ["none"])), priority=9,
            combination="stop", condition=MinQuantity(Categories(["Kitchen"]), 1),
        ),
        # gives the mug 25 % (8.00 → 6.00) and stops what follows there
        Promotion(
            "stop", "Quarter", Percentage(25, Categories(["Kitchen"])), priority=5,
            combination="stop",
        ),
        Promotion("after", "After", Percentage(50, Categories(["Kitchen", "Bags"])), priority=1),
    ]  # fmt: skip
    shown = assert_same([MUG, BAG], promotions)
    # mug 6.00 (the 50 % stopped); bag: neither stop is eligible, 50 % of 1.65 = 0.825 → 0.83
    # half up, so 0.82
    assert shown.price.tolist() == [600, 82]
    assert [shown.combinations[c] for c in shown.combination] == [("stop",), ("after",)]
    # the product page says what the cart says: price() of one mug gives the same 6.00
    priced = price_cart(Cart("EUR", (Line(MUG, 1),)), PromotionBook(promotions), at=NOW)
    assert priced.lines[0].total == eur("6.00")


def test_price_floors_and_caps() -> None:
    floored = Product("F", "Floored", eur("10.00"), min_price=eur("9.00"), tags=["t"])
    costly = Product("C", "Costly", eur("10.00"), cost=eur("7.00"), tags=["t"])
    promotions = [
        Promotion("half", "Half", Percentage(50, Tags(["t"])), min_margin_percent=20),
        Promotion("more", "More", FixedOff(Amounts.of(EUR="5.00"), "line", Tags(["t"]))),
    ]
    options = PricingOptions(max_total_discount=Amounts.of(EUR="1.50"))
    shown = assert_same([floored, costly], promotions, options=options)
    # floored: 50 % would be 5.00, the floor 9.00 leaves 1.00, the budget 1.50 allows it: 9.00;
    # then nothing is left above the floor. costly: cost 7.00 + 20 % = 8.40 floor, so 1.60,
    # cut to the 1.50 budget: 8.50; "more" then has no budget left
    assert shown.price.tolist() == [900, 850]
    assert [shown.combinations[c] for c in shown.combination] == [("half",), ("half",)]


def test_best_for_the_customer_counts_a_gift() -> None:
    tote = Product("TOTE", "Tote", eur("5.00"))
    promotions = [
        Promotion("gift", "Free tote", Gift(tote), combination="exclusive"),
        Promotion("k10", "Kitchen 10", Percentage(10, Categories(["Kitchen"]))),
    ]
    options = PricingOptions(mode="best_for_customer")
    shown = assert_same([MUG, LAMP], promotions, options=options)
    # mug: the 5.00 tote beats 0.80 off; lamp: the tote is all it can get. Both pay full price.
    assert shown.price.tolist() == [800, 3000]
    assert [shown.combinations[c] for c in shown.combination] == [("gift",), ("gift",)]


def test_a_set_of_one_unit_consumes_it() -> None:
    kettle = Product("K1", "Kettle", eur("30.00"), categories=["Kitchen"])
    even = Product("K2", "Kettle at the set price", eur("25.00"), categories=["Kitchen"])
    floored = Product(
        "K3", "Kettle at its floor", eur("40.00"), min_price=eur("40.00"), categories=["Kitchen"]
    )
    promotions = [
        Promotion(
            "set",
            "Set",
            Bundle([BundleItem(Categories(["Kitchen"]))], Amounts.of(EUR="25")),
            priority=1,
        ),
        Promotion("k10", "Kitchen 10", Percentage(10, Categories(["Kitchen"]))),
    ]
    shown = assert_same([kettle, even, floored], promotions)
    # 30.00 → the set price 25.00, and the unit is consumed: no 10 % on it. 25.00 is not above
    # the set price: no set, so 10 % → 22.50. 40.00 is at its floor: the set takes the unit and
    # gives nothing (so it is not applied), and the 10 % finds no open unit.
    assert shown.price.tolist() == [2500, 2250, 4000]
    assert [shown.combinations[c] for c in shown.combination] == [("set",), ("k10",), ()]


def test_a_gift_uses_up_the_budget() -> None:
    tote = Product("TOTE", "Tote", eur("5.00"))
    promotions = [
        Promotion("gift", "Free tote", Gift(tote), priority=1),
        Promotion("k20", "Kitchen sale", Percentage(20, Categories(["Kitchen"]))),
    ]
    options = PricingOptions(max_total_discount=Amounts.of(EUR="6.00"))
    shown = assert_same([MUG], promotions, options=options)
    # the 5.00 tote leaves 1.00 of the 6.00 budget: 20 % of 8.00 (1.60) is cut to 1.00
    assert shown.price.tolist() == [700]
    assert shown.combination_names[shown.combination[0]] == ("Free tote", "Kitchen sale")


def test_a_gift_within_a_promotion_cap_of_one_number() -> None:
    # One currency, so the cap is one number for every row (it was compared as such, and the
    # rows it kept took an extra dimension). tote: 3.00, cap 5.00 → given; pen: 6.00 > cap
    # 5.00 → not given (a gift over the limit is not given at all).
    tote = Product("TOTE", "Tote", eur("3.00"))
    pen = Product("PEN", "Pen", eur("6.00"))
    promotions = [
        Promotion("tote", "Free tote", Gift(tote), max_discount=Amounts.of(EUR="5.00")),
        Promotion("pen", "Free pen", Gift(pen), max_discount=Amounts.of(EUR="5.00")),
    ]
    shown = assert_same([MUG, LAMP], promotions)
    assert shown.price.tolist() == [800, 3000]
    assert [shown.combinations[c] for c in shown.combination] == [("tote",), ("tote",)]


@attrs.frozen
class HalfOffEverything(Benefit):
    """A plugin benefit: the array path has no form for it."""

    category: str = "Lighting"

    def apply(self, state: Any, rounding: RoundingMode) -> None:
        for line in state.matching(None):
            state.discount_open(line, line.open_amount // 2)

    def describe(self) -> str:
        return "half off"

    def selector_of(self) -> Selector | None:
        return Categories([self.category])


def test_a_plugin_kind_is_priced_per_product_for_its_rows() -> None:
    promotions = [
        Promotion("plug", "Plugin", HalfOffEverything()),
        Promotion("k20", "Kitchen sale", Percentage(20, Categories(["Kitchen"]))),
    ]
    shown = assert_same([MUG, LAMP, BAG], promotions)
    # only the lamp is a candidate of the plugin's promotion (its index key is Lighting)
    assert shown.per_product.tolist() == [1]
    assert shown.price.tolist() == [640, 1500, 165]


def test_amounts_past_64_bits_are_priced_per_product() -> None:
    dear = Product("GOLD", "Gold", Money(10**17, "EUR"), categories=["Kitchen"])
    shown = assert_same([MUG, dear], [Promotion("k", "K", Percentage(20, Categories(["Kitchen"])))])
    assert shown.per_product.tolist() == [1]
    assert shown.price.tolist() == [640, 8 * 10**16]


def test_bad_input_names_the_field() -> None:
    table = ProductTable.of([MUG])
    with pytest.raises(ValidationError) as error:
        display_price_table([MUG], [], at=NOW)  # type: ignore[arg-type]
    assert error.value.field == "table"
    with pytest.raises(ValidationError) as error:
        display_price_table(table, [], at=NOW, low_stock_at=-1)
    assert (error.value.field, error.value.value) == ("low_stock_at", -1)
    with pytest.raises(ValidationError) as error:
        ProductTable(skus=["A", "B"], unit_price=[100, -5], currencies=["EUR"])
    assert (error.value.field, error.value.value) == ("unit_price[1]", -5)
    with pytest.raises(ValidationError) as error:
        ProductTable(skus=["A", "A"], unit_price=[1, 2], currencies=["EUR"])
    assert (error.value.field, error.value.value) == ("skus[1]", "A")
    with pytest.raises(ValidationError) as error:
        ProductTable(
            skus=["A"], unit_price=[1], currencies=["EUR"], categories=["K"],
            category_row=[0], category=[3],
        )  # fmt: skip
    assert (error.value.field, error.value.value) == ("category[0]", 3)
    with pytest.raises(ValidationError) as error:
        display_price_table(
            ProductTable.of([MUG, Product("P", "P", Money.of("1", "GBP"))]),
            [],
            at=NOW,
            options=PricingOptions(max_total_discount=Amounts.of(EUR="1")),
        )
    assert (error.value.field, error.value.value) == ("max_total_discount", "GBP")


def test_a_table_built_from_arrays() -> None:
    # two products, one in two categories: entries (row 0, Kitchen), (row 0, Sale), (row 1, Sale)
    table = ProductTable(
        skus=["A", "B"],
        unit_price=np.array([1000, 250]),
        currencies=["EUR"],
        categories=["Kitchen", "Sale"],
        category_row=[0, 0, 1],
        category=[0, 1, 1],
        stock=[-1, 3],
    )
    promotion = Promotion(
        "s", "Sale", FixedOff(Amounts.of(EUR="0.50"), "unit", Categories(["Sale"]))
    )
    shown = display_price_table(table, [promotion], at=NOW)
    # 10.00 − 0.50 = 9.50 (−5 %); 2.50 − 0.50 = 2.00 (−20 %)
    assert shown.price.tolist() == [950, 200]
    assert table.product(0) == Product("A", "A", eur("10.00"), categories=["Kitchen", "Sale"])
    assert table.product(1).stock == 3


# -- generated catalogues and promotions: the array path is the per-product path ------------


class Chooser:
    """Draws the choices of a generated catalogue from hypothesis or from a seeded random."""

    def __init__(self, integer: Callable[[int, int], int]) -> None:
        self.integer = integer

    def pick(self, options: Sequence[T]) -> T:
        return options[self.integer(0, len(options) - 1)]

    def coin(self, one_in: int = 2) -> bool:
        return self.integer(1, one_in) == 1


CURRENCIES = ("EUR", "GBP", "JPY")
CATEGORIES = ("Kitchen", "Garden", "Toys", "Books")
TAGS = ("new", "clearance", "eco")


def product_of(choose: Chooser, index: int) -> Product:
    currency = choose.pick(CURRENCIES)
    price = choose.pick([0, 1, 99, 100, 500, 999, 1650, 2500, 10_000, choose.integer(0, 50_000)])

    def amount(minor: int) -> Money:
        return Money(minor, currency)

    return Product(
        f"S{index}",
        f"Product {index}",
        amount(price),
        categories=[choose.pick(CATEGORIES) for _ in range(choose.integer(0, 2))],
        tags=[choose.pick(TAGS) for _ in range(choose.integer(0, 2))],
        attributes={"brand": choose.pick(["acme", "zeta"])} if choose.coin() else {},
        stock=None if choose.coin() else choose.integer(0, 12),
        cost=amount(choose.integer(0, price)) if choose.coin(4) else None,
        min_price=amount(choose.integer(0, price)) if choose.coin(5) else None,
    )


def amounts(choose: Chooser) -> Amounts:
    # most promotions price every currency; some only one or two
    codes = CURRENCIES if choose.coin(3) is False else CURRENCIES[: choose.integer(1, 2)]
    return Amounts(
        {code: Money(choose.pick([0, 1, 50, 100, 250, 700, 5000]), code) for code in codes}
    )


def selector_of(choose: Chooser, skus: Sequence[str], depth: int = 0) -> Selector:
    kind = choose.integer(0, 8 if depth == 0 else 5)
    if kind == 0:
        return Categories(list({choose.pick(CATEGORIES) for _ in range(choose.integer(1, 2))}))
    if kind == 1:
        return Tags([choose.pick(TAGS)])
    if kind == 2:
        return Skus([choose.pick(skus), "NOT-A-SKU"])
    if kind == 3:
        return Attribute("brand", [choose.pick(["acme", "zeta"])])
    if kind == 4:
        return PriceRange(min=amounts(choose) if choose.coin() else None, max=amounts(choose))
    if kind == 5:
        return StockRange(min_stock=choose.integer(0, 6))
    parts = [selector_of(choose, skus, depth + 1) for _ in range(choose.integer(1, 2))]
    return (AnyOf, AllOf, NoneOf)[kind - 6](parts)


def condition_of(choose: Chooser, skus: Sequence[str], depth: int = 0) -> Any:
    kind = choose.integer(0, 9 if depth == 0 else 5)
    if kind <= 1:
        return None
    if kind == 2:
        return CustomerSegment([choose.pick(["vip", "new"])])
    if kind == 3:
        return MinSubtotal(amounts(choose))
    if kind == 4:
        return MinQuantity(selector_of(choose, skus, 1), choose.integer(1, 2))
    if kind == 5:
        return StockLevel(selector_of(choose, skus, 1), max_stock=choose.integer(0, 8))
    if kind == 6:
        return None
    parts = [condition_of(choose, skus, depth + 1) or CustomerSegment(["vip"]) for _ in range(2)]
    return (AllOfConditions, AnyOfConditions, NoneOfConditions)[kind - 7](parts)


def benefit_of(choose: Chooser, skus: Sequence[str]) -> Benefit:
    kind = choose.integer(0, 9)
    selector = selector_of(choose, skus)
    if kind <= 1:
        return Percentage(
            choose.pick(["5", "10", "12.5", "33.33", "50", "100", "0.5"]),
            selector,
            max_discount=amounts(choose) if choose.coin(4) else None,
            max_units=1 if choose.coin(5) else None,
        )
    if kind == 2:
        return FixedOff(amounts(choose), choose.pick(["unit", "line"]), selector)
    if kind == 3:
        return FixedOff(amounts(choose), "unit", None)
    if kind == 4:
        return FixedPrice(
            amounts(choose), selector, max_units_per_line=1 if choose.coin() else None
        )
    if kind == 5:
        return Bundle([BundleItem(selector)], amounts(choose))
    if kind == 6:
        return Bundle(
            [BundleItem(selector), BundleItem(selector_of(choose, skus))], amounts(choose)
        )
    if kind == 7:
        return BuyXGetY(1, 1, selector) if choose.coin() else CheapestFree(selector, 2)
    if kind == 8:
        currency = choose.pick(CURRENCIES)
        return Gift(Product("GIFT", "Gift", Money(choose.pick([0, 300, 2000]), currency)))
    if choose.coin(3):
        return HalfOffEverything(choose.pick(CATEGORIES))
    return Percentage(20, selector)


def promotions_of(choose: Chooser, skus: Sequence[str], count: int) -> list[Promotion]:
    promotions = []
    for index in range(count):
        combination = choose.pick(["stackable"] * 3 + ["exclusive", "group", "stop"])
        promotions.append(
            Promotion(
                f"p{index}",
                f"Promotion {index}",
                benefit_of(choose, skus),
                condition=condition_of(choose, skus),
                priority=choose.integer(0, 3),
                combination=combination,
                group=choose.pick(["a", "b"]) if combination == "group" else None,
                starts_at=NOW + dt.timedelta(days=1) if choose.coin(8) else None,
                code="CODE" if choose.coin(10) else None,
                min_margin_percent=choose.pick([0, 10, 25]) if choose.coin(6) else None,
                max_discount=amounts(choose) if choose.coin(6) else None,
            )
        )
    return promotions


def options_of(choose: Chooser) -> PricingOptions:
    return PricingOptions(
        mode=choose.pick(["priority", "priority", "best_for_customer"]),
        rounding=choose.pick(list(RoundingMode)),
        max_total_discount=(
            Amounts({code: Money(choose.integer(0, 900), code) for code in CURRENCIES})
            if choose.coin(4)
            else None
        ),
        max_total_discount_percent=choose.pick([10, 25, "33.3"]) if choose.coin(4) else None,
        best_search_limit=choose.pick([10, 2]),
    )


def check_generated(choose: Chooser, products: int, promotions: int) -> None:
    catalogue = [product_of(choose, index) for index in range(products)]
    skus = [product.sku for product in catalogue]
    book = PromotionBook(promotions_of(choose, skus, promotions))
    customer = Customer("c", segments=[choose.pick(["vip", "new", "regular"])])
    assert_same(
        catalogue,
        book,
        customer=customer,
        options=options_of(choose),
        low_stock_at=choose.pick([None, 0, 3]),
    )


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_array_path_is_the_per_product_path(data: st.DataObject) -> None:
    choose = Chooser(lambda low, high: data.draw(st.integers(low, high)))
    check_generated(choose, data.draw(st.integers(1, 10)), data.draw(st.integers(0, 7)))


@pytest.mark.parametrize("seed", range(6))
def test_generated_catalogues_price_alike(seed: int) -> None:
    rng = random.Random(seed)
    check_generated(Chooser(rng.randint), products=400, promotions=40)
