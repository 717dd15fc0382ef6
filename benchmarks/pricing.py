"""How fast the pricing engine prices a cart, as the number of promotions grows.

Prints, on this machine, one core, median of repeated calls (for the 20-line cart, the lowest
of three such medians, each over a second of calls):

1. the time to price a 20-line cart against 10, 100, 1,000 and 10,000 active promotions of
   mixed kinds, of which the same 10 match the cart, and the ratio t(10,000) / t(100) (the
   index by sku, category, tag and code keeps it near 1: promotions about products the cart
   does not hold are never looked at);
2. the time to price a 200-line cart against 1,000 promotions, then the time per line of carts
   of 50, 100, 200, 250 and 500 lines (issue 12: linear up to 500 lines), with and without
   reading every priced line;
3. the time best-for-customer mode takes to search every valid combination of the 10 matching
   promotions (its default search limit), for scale: it prices the cart once per combination;
4. display prices per second over a 10,000-product catalogue against 1,000 promotions;
5. display prices as arrays (``display_price_table``) per second for a catalogue of 1,000,000
   products (a ``ProductTable`` of the same make: 200 categories, 50 tags) against the same
   1,000 promotions, in priority and best-for-customer mode, the best of three runs, beside the
   per-product path's rate on the table's first 10,000 rows (where both answers are compared).
   Issue 12 asks for at least 1,000,000 products per second.

Goals (issue "Pricing engine"): at most 0.5 ms per 20-line cart at 1,000 promotions, a ratio
of at most 1.5, a 200-line cart under 10 ms. Issue 12 asks for 0.2 ms and under 5 ms; the
figures print both goals. ``price()`` builds the priced lines when they are first read, so the
20-line and 200-line figures are printed twice: the call alone, and the call with every line
read. On a busy machine wall times move 3-4x; ``benchmarks/pricing_callgrind.py`` counts the
instructions of one call instead, which do not. For best-for-customer mode it prints the cost
at k = 4, 8 and 12 promotions, all stackable and half of them exclusive, with the number of
valid combinations made (only those are made; see ``valid_combinations``).

The catalogue, carts and promotions are generated with a fixed seed. The 10 promotions that
match the 20-line cart are: 10% off its category, 3 for 2 on a second category, a fixed 1.00 off
per unit of a tag, a bundle, a fixed unit price on two skus, 5.00 off from 100.00, tiered spend,
free shipping from 50.00, a welcome offer and a cheapest-item-free deal. The others select
products the cart does not hold, or need a code nobody entered.

Run it with ``.venv/bin/python benchmarks/pricing.py`` after ``make check``. There is no peer
printed here: the promotion engines we compare ourselves with (django-oscar, Saleor, Medusa,
Magento) are parts of whole shop frameworks with a database, not libraries that price a cart
in memory. ``benchmarks/pricing_vs_oscar.py`` runs django-oscar's offers, database and all,
beside shopkit on one basket.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import statistics
import time
from collections.abc import Callable

import attrs

from shopkit import Cart, Line, Money, Product, ShippingOption
from shopkit.pricing import (
    Amounts,
    Bundle,
    BundleItem,
    BuyXGetY,
    Categories,
    CheapestFree,
    FixedOff,
    FixedPrice,
    FreeShipping,
    MinQuantity,
    MinSubtotal,
    Percentage,
    PricingOptions,
    Promotion,
    PromotionBook,
    Skus,
    Tags,
    Tier,
    TieredSpend,
    Welcome,
    display_prices,
    price,
)
from shopkit.pricing._choose import valid_combinations
from shopkit.pricing.plugin import Benefit

AT = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
CURRENCY = "EUR"


def eur(amount: str) -> Amounts:
    return Amounts.of(EUR=amount)


def catalogue(rng: random.Random, size: int) -> list[Product]:
    return [
        Product(
            f"P{index:05d}",
            f"Product {index}",
            Money(rng.randint(100, 20_000), CURRENCY),
            categories=[f"C{index % 200:03d}"],
            tags=[f"T{index % 50:02d}"],
        )
        for index in range(size)
    ]


def matching_promotions(cart: Cart) -> list[Promotion]:
    skus = [line.product.sku for line in cart.lines]
    return [
        Promotion("m-cat", "10% off C000", Percentage(10, Categories(["C000"]))),
        Promotion("m-3for2", "3 for 2 on C001", BuyXGetY(2, 1, Categories(["C001"]))),
        Promotion("m-tag", "1.00 off T02", FixedOff(eur("1.00"), "unit", Tags(["T02"]))),
        Promotion(
            "m-bundle",
            "Set",
            Bundle(
                [BundleItem(Categories(["C003"])), BundleItem(Categories(["C004"]))],
                eur("50.00"),
            ),
        ),
        Promotion("m-fixed", "Fixed price", FixedPrice(eur("9.99"), Skus(skus[:2]))),
        Promotion(
            "m-5off",
            "5 off from 100",
            FixedOff(eur("5.00")),
            condition=MinSubtotal(eur("100.00")),
            priority=-1,
        ),
        Promotion(
            "m-tiers",
            "Spend more",
            TieredSpend([Tier(eur("200"), percent=2), Tier(eur("500"), percent=4)]),
            condition=MinQuantity(Categories(["C000"]), 1),
            priority=-2,
        ),
        Promotion("m-ship", "Free shipping", FreeShipping(eur("50.00"))),
        Promotion("m-welcome", "Welcome", Welcome(percent=5), priority=-3),
        Promotion("m-cheap", "Cheapest free", CheapestFree(Categories(["C002"]), 3)),
    ]


def other_promotions(rng: random.Random, count: int) -> list[Promotion]:
    """Promotions of mixed kinds about products the cart does not hold, or behind a code."""
    result: list[Promotion] = []
    for index in range(count):
        category = Categories([f"C{rng.randint(10, 199):03d}"])
        sku = Skus([f"P{rng.randint(0, 9_999):05d}X"])  # no product has this sku
        kind = index % 8
        benefit: Benefit
        condition = None
        code = None
        if kind == 0:
            benefit = Percentage(rng.randint(5, 30), category)
        elif kind == 1:
            benefit = BuyXGetY(rng.randint(1, 3), 1, category)
        elif kind == 2:
            benefit = FixedOff(eur("2.00"), "unit", sku)
        elif kind == 3:
            benefit = Bundle([BundleItem(category), BundleItem(sku)], eur("10.00"))
        elif kind == 4:
            benefit = FixedPrice(eur("4.99"), category)
        elif kind == 5:
            benefit = FixedOff(eur("10.00"))
            condition = MinQuantity(category, 2)
        elif kind == 6:
            benefit = Percentage(15)
            code = f"CODE{index:05d}"
        else:
            benefit = CheapestFree(category, 3)
        result.append(
            Promotion(
                f"o-{index}",
                f"Other {index}",
                benefit,
                condition=condition,
                code=code,
            )
        )
    return result


def cart_of(products: list[Product], rng: random.Random, lines: int) -> Cart:
    # Lines from the five categories the matching promotions are about (C000 … C004).
    pool = [p for p in products if p.categories[0] in {"C000", "C001", "C002", "C003", "C004"}]
    chosen = rng.sample(pool, lines)
    return Cart(
        CURRENCY,
        [Line(product, rng.randint(1, 4)) for product in chosen],
        shipping_options=[ShippingOption("std", "Standard", Money(495, CURRENCY))],
        shipping_method="std",
    )


def median_ms(
    action: Callable[[], object], seconds: float = 1.0, at_least: int = 20, runs: int = 1
) -> float:
    """The median time of one call in ms, over ``seconds`` of calls; the lowest of ``runs``.

    With ``runs`` above 1, a run that a burst of other work on the shared machine slowed down
    (a median 20 % above the others' is common on a busy day) does not decide the figure.
    """
    medians = []
    for _ in range(runs):
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < at_least or time.perf_counter() - start < seconds:
            begin = time.perf_counter()
            action()
            times.append(time.perf_counter() - begin)
        medians.append(statistics.median(times) * 1000)
    return min(medians)


def main() -> None:
    rng = random.Random(20261127)
    products = catalogue(rng, 10_000)
    small = cart_of(products, rng, 20)
    large = cart_of(products, rng, 200)
    matching = matching_promotions(small)
    others = other_promotions(rng, 10_000)

    print("shopkit pricing benchmark (one core; median per call)")
    print(f"{'promotions':>12} {'20-line cart':>14} {'applied':>8}")
    timings = {}
    for total in (10, 100, 1_000, 10_000):
        book = PromotionBook(matching + others[: total - len(matching)])
        result = price(small, book, at=AT)
        timings[total] = median_ms(functools.partial(price, small, book, at=AT), runs=3)
        print(f"{total:>12,} {timings[total]:>11.3f} ms {len(result.applied):>8}")
    print(f"ratio t(10,000) / t(100): {timings[10_000] / timings[100]:.2f}  (goal ≤ 1.5)")
    print(f"20-line cart at 1,000 promotions: {timings[1_000]:.3f} ms  (goals ≤ 0.5 ms, ≤ 0.2 ms)")
    # price() builds the priced lines when they are first read: the figure above is the
    # call alone (a cart page showing the total); this one reads every line too.
    book = PromotionBook(matching + others[:990])
    read = median_ms(lambda: price(small, book, at=AT).lines, runs=3)
    print(f"20-line cart at 1,000 promotions, every line read: {read:.3f} ms")

    book = PromotionBook(matching_promotions(large) + others[:990])
    big = median_ms(lambda: price(large, book, at=AT), seconds=2.0, at_least=10)
    print(f"200-line cart at 1,000 promotions: {big:.3f} ms  (goal < 10 ms; issue 12: < 5 ms)")
    big_read = median_ms(lambda: price(large, book, at=AT).lines, seconds=2.0, at_least=10)
    print(f"200-line cart at 1,000 promotions, every line read: {big_read:.3f} ms")
    # the cost per line as carts grow, up to 500 lines: from a catalogue twice as large (100
    # products in each of the five categories the carts are drawn from), so that a 500-line
    # cart holds 500 distinct products; the same 1,000 promotions, 10 of them matching
    wide = catalogue(random.Random(500), 20_000)
    for lines in (50, 100, 200, 250, 500):
        cart = cart_of(wide, random.Random(lines), lines)
        lined = PromotionBook(matching_promotions(cart) + others[:990])
        took = median_ms(lambda: price(cart, lined, at=AT), seconds=1.0, at_least=5)  # noqa: B023
        read = median_ms(lambda: price(cart, lined, at=AT).lines, seconds=1.0, at_least=5)  # noqa: B023
        print(
            f"  {lines:>4} lines: {took:8.3f} ms, {took * 1000 / lines:6.1f} µs per line; "
            f"every line read {read:8.3f} ms, {read * 1000 / lines:6.1f} µs per line"
        )

    # Best for the customer: only valid combinations are made (valid_combinations), never
    # 2^k subsets filtered afterwards. k stackable promotions have 2^k valid combinations;
    # with every other one exclusive, far fewer. Printed at k = 4, 8, 12.
    for k in (4, 8, 12):
        pool = (matching * 2)[:k]
        stackable = [attrs.evolve(p, id=f"{p.id}-{i}") for i, p in enumerate(pool)]
        mixed = [
            attrs.evolve(p, combination="exclusive") if i % 2 else p
            for i, p in enumerate(stackable)
        ]
        for label, promotions in (("stackable", stackable), ("half exclusive", mixed)):
            options = PricingOptions(mode="best_for_customer", best_search_limit=k)
            made = sum(1 for _ in valid_combinations(promotions))
            searched = median_ms(
                functools.partial(price, small, promotions, at=AT, options=options),
                seconds=1.0,
                at_least=3,
            )
            print(
                f"best-for-customer, k={k:>2} {label:<14}: {made:>5,} valid combinations "
                f"(of {2**k:,} subsets), {searched:8.1f} ms, "
                f"{searched * 1000 / made:6.1f} µs per combination"
            )

    book = PromotionBook(matching + others[:990])
    start = time.perf_counter()
    display_prices(products, book, at=AT)
    elapsed = time.perf_counter() - start
    print(
        f"display prices: {len(products) / elapsed:,.0f} products per second "
        f"({len(products):,} products, 1,000 promotions, {elapsed:.2f} s)"
    )
    display_arrays(book)


def display_arrays(book: PromotionBook, size: int = 1_000_000, sample: int = 10_000) -> None:
    """Section 5: display prices as arrays for ``size`` products, beside the per-product path."""
    import numpy as np

    from shopkit.pricing import ProductTable, display_price_table

    rows = np.arange(size)
    table = ProductTable(
        skus=[f"P{row:05d}" for row in range(size)],
        unit_price=np.random.default_rng(20261127).integers(100, 20_001, size),
        currencies=[CURRENCY],
        categories=[f"C{index:03d}" for index in range(200)],
        category_row=rows,
        category=rows % 200,
        tags=[f"T{index:02d}" for index in range(50)],
        tag_row=rows,
        tag=rows % 50,
    )
    products = [table.product(row) for row in range(sample)]
    warm = 0.0
    for mode in ("priority", "best_for_customer"):
        options = PricingOptions(mode=mode)
        took: list[float] = []
        for _ in range(4):
            # a fresh table each time: the first call on a table also builds its indexes (the
            # rows of each category and tag), which later calls on the same table reuse
            fresh = attrs.evolve(table) if took else table
            start = time.perf_counter()
            shown = display_price_table(fresh, book, at=AT, options=options)
            took.append(time.perf_counter() - start)
            if mode == "priority" and len(took) == 1:
                again = time.perf_counter()
                display_price_table(fresh, book, at=AT, options=options)
                warm = time.perf_counter() - again
        start = time.perf_counter()
        one_by_one = display_prices(products, book, at=AT, options=options)
        per_product = time.perf_counter() - start
        same = all(shown.display_price(row) == one_by_one[row] for row in range(sample))
        best = min(took[1:])
        print(
            f"display prices as arrays: {size / best:,.0f} products/s ({mode}; {size:,} "
            f"products, 1,000 promotions, best of 3: {best:.2f} s; "
            f"{len(shown.per_product):,} rows on the per-product path)"
        )
        if mode == "priority":
            print(f"  again on the same table (its indexes built): {size / warm:,.0f} products/s")
        print(
            f"  per-product path: {sample / per_product:,.0f} products/s on the first "
            f"{sample:,} rows; ratio {per_product / sample * size / best:,.0f}x; "
            f"answers {'identical' if same else 'DIFFERENT'}"
        )


if __name__ == "__main__":
    main()
