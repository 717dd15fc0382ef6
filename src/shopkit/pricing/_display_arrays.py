"""Display prices for a whole catalogue at once: the per-product rules, as numpy arrays.

``display_price_table`` gives, for every row of a ``ProductTable``, what ``display_prices``
gives for that product: the price of one unit after the line promotions that apply to it alone,
the price before them, the badge, the promotions behind the price and the low-stock flag. It
follows the same steps, on arrays instead of one cart per product:

1. Each promotion that a catalogue page can show (line level, no code, active at ``at``) is
   turned into a *plan* (``_display_plans``): the rows it is a candidate for (the promotion
   book's index keys), the rows whose currency it has every amount in, the rows its condition
   holds for (a cart of one unit of that product), and what its benefit does to one unit, all
   as row sets and arrays.
2. In priority mode the plans are taken by priority, then id, once, over every row together:
   exclusive, group and stop work per row as ``choose_by_priority`` has them (one that gives a
   row nothing holds no place there), and each benefit
   discounts (or consumes, for a one-unit bundle, or gives, for a gift) exactly as the engine's
   working state does for one unit, with the same rounding, floors and caps.
3. In best-for-customer mode, rows with the same eligible promotions are priced together, for
   every combination ``choose_best`` would try, and the one it would choose is kept per row.

A promotion whose kinds have no array form here (a plugin's selector, condition or benefit) is
never guessed at: every row it is a candidate for is priced by the per-product path, as are
rows whose amounts are too large for 64-bit arithmetic. ``DisplayPriceTable.per_product`` lists
them. The answer is the per-product path's, row by row (the tests check it on generated
catalogues).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import attrs
import numpy as np

from shopkit import Cart, Customer, Money, RoundingMode, ValidationError
from shopkit import validators as check
from shopkit.pricing._book import PromotionBook, as_book, by_priority
from shopkit.pricing._display import DisplayPrice, check_low_stock_at, display_one
from shopkit.pricing._display_plans import (
    EMPTY,
    HUGE,
    INT64_MAX,
    BoolArray,
    Rows,
    RowSets,
    plan_of,
    ratio,
    round_ratios,
)
from shopkit.pricing._display_pricer import Combinations, Pricer, State
from shopkit.pricing._product_table import IntArray, ProductTable
from shopkit.pricing._promotion import Mode, PricingOptions, Promotion
from shopkit.pricing._values import Context, Level

__all__ = ["DisplayPriceTable", "display_price_table"]

# Prices above this are priced per product: badge percentages (saving × 100) stay in 64 bits.
_PRICE_LIMIT: Final = INT64_MAX // 100


@attrs.frozen(eq=False, kw_only=True)
class DisplayPriceTable:
    """The display price of every row of a ``ProductTable``, as arrays.

    Row ``i`` is what ``display_prices`` gives for ``table.product(i)``: ``price[i]`` and
    ``was[i]`` in minor units of the row's currency, the badge from ``percent_off[i]``, the
    promotions behind the price from ``combination[i]``, and ``low_stock[i]``.
    ``display_price(i)`` builds that ``DisplayPrice``.

    Attributes:
        table: The products.
        price: The price of one unit after the promotions that apply to it alone.
        was: The unit price before them.
        percent_off: The saving as a whole percentage of ``was``, rounded down; 0 where the
            price is not lower.
        low_stock: Whether the product is low in stock (``low_stock_at``).
        combination: The promotions behind each price: an index into ``combinations``.
        combinations: Each list of promotion ids behind a price, in application order; the
            first is the empty list.
        combination_names: The same lists, as the promotions' names.
        per_product: The rows priced by the per-product path (a promotion with no array
            form was a candidate for them, or their amounts pass 64-bit arithmetic), sorted.
    """

    table: ProductTable
    price: IntArray
    was: IntArray
    percent_off: IntArray
    low_stock: BoolArray
    combination: IntArray
    combinations: tuple[tuple[str, ...], ...]
    combination_names: tuple[tuple[str, ...], ...]
    per_product: IntArray

    def __len__(self) -> int:
        return len(self.price)

    def badge(self, row: int) -> str | None:
        """The row's badge: ``"-20%"``, ``"sale"`` below 1 %, ``None`` when not lower."""
        if self.price[row] >= self.was[row]:
            return None
        cut = int(self.percent_off[row])
        return f"-{cut}%" if cut >= 1 else "sale"

    def display_price(self, row: int) -> DisplayPrice:
        """The row as the ``DisplayPrice`` that ``display_prices`` gives for its product.

        Raises:
            ValidationError: the row is not in the table.
        """
        product = self.table.product(row)
        currency = product.unit_price.currency
        return DisplayPrice(
            product,
            Money(int(self.price[row]), currency),
            product.unit_price,
            self.badge(row),
            self.combination_names[int(self.combination[row])],
            bool(self.low_stock[row]),
        )


def _budget(table: ProductTable, options: PricingOptions) -> tuple[IntArray | None, Rows]:
    """Each row's cap on all discounts together (the options'), and rows to price per product."""
    if options.max_total_discount is None and options.max_total_discount_percent is None:
        return None, EMPTY
    budget = np.full(len(table), HUGE, dtype=np.int64)
    per_product: Rows = EMPTY
    if options.max_total_discount is not None:
        known = options.max_total_discount.by_currency
        missing = [code for code, name in enumerate(table.currencies) if name not in known]
        rows = table.currency_rows(missing)
        if len(rows):
            # the error the per-product path raises for the first such product
            options.max_total_discount.get(
                table.currencies[int(table.currency[rows[0]])], "max_total_discount"
            )
        caps = np.array(
            [min(known[name].minor, HUGE) if name in known else 0 for name in table.currencies],
            dtype=np.int64,
        )
        budget = np.minimum(budget, caps[table.currency])
    if options.max_total_discount_percent is not None:
        numerator, denominator = ratio(options.max_total_discount_percent)
        price = table.unit_price
        if numerator:
            per_product = np.flatnonzero(price > INT64_MAX // numerator)
        share = round_ratios(
            np.minimum(price, INT64_MAX // max(numerator, 1)) * numerator,
            100 * denominator,
            RoundingMode.DOWN,
        )
        budget = np.minimum(budget, share)
    return budget, per_product


def display_price_table(
    table: ProductTable,
    promotions: PromotionBook | Iterable[Promotion],
    *,
    at: dt.datetime,
    customer: Customer | None = None,
    options: PricingOptions | None = None,
    low_stock_at: int | None = None,
) -> DisplayPriceTable:
    """Price one unit of every product of a table, as ``display_prices`` does, as arrays.

    The answer is ``display_prices``' row by row, exactly: the same promotions (line level, no
    code, a condition that holds for one unit), the same choice (priority or best for the
    customer), rounding, price floors and caps. Promotions whose kinds have no array form (a
    plugin's) are priced by the per-product path for the rows they are candidates for.

    Args:
        table: The products, e.g. a whole catalogue.
        promotions: The promotions, best as a ``PromotionBook`` built once.
        at: The moment, with a UTC offset.
        customer: The customer (a guest when ``None``).
        options: The engine's rules.
        low_stock_at: Flag a product as low in stock when its stock is known and at most this
            many units; no flag when ``None``.

    Returns:
        The display prices, one row per row of ``table``.

    Raises:
        ValidationError: bad arguments (the error names the field), or options capping the
            discount without an amount in a row's currency.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Product
        >>> from shopkit.pricing import (
        ...     Categories, Percentage, ProductTable, Promotion, display_price_table,
        ... )
        >>> mug = Product("MUG", "Mug", Money.of("8.00", "EUR"), categories=["Kitchen"])
        >>> lamp = Product("LAMP", "Lamp", Money.of("30.00", "EUR"), categories=["Lighting"])
        >>> sale = Promotion("k20", "Kitchen sale", Percentage(20, Categories(["Kitchen"])))
        >>> now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
        >>> shown = display_price_table(ProductTable.of([mug, lamp]), [sale], at=now)
        >>> shown.price.tolist(), shown.was.tolist(), shown.badge(0), shown.badge(1)
        ([640, 3000], [800, 3000], '-20%', None)
        >>> shown.combinations[shown.combination[0]], shown.combinations[shown.combination[1]]
        (('k20',), ())
    """
    if not isinstance(table, ProductTable):
        raise ValidationError(f"{table!r} is not a ProductTable", field="table", value=table)
    check.aware_datetime(at, "at")
    check_low_stock_at(low_stock_at)
    customer = customer if customer is not None else Customer()
    if not isinstance(customer, Customer):
        raise ValidationError(f"{customer!r} is not a Customer", field="customer", value=customer)
    options = options if options is not None else PricingOptions()
    if not isinstance(options, PricingOptions):
        raise ValidationError(f"{options!r} is not PricingOptions", field="options", value=options)
    book = as_book(promotions)
    n = len(table)
    combinations = Combinations()
    state = State.fresh(table.unit_price)
    per_product = np.zeros(n, dtype=bool)
    per_product[table.unit_price > _PRICE_LIMIT] = True
    if n:
        budget, dear = _budget(table, options)
        if dear is not None:
            per_product[dear] = True
        first = table.currencies[int(table.currency[0])]
        context = Context(Cart(first), customer, at, frozenset(), Money.zero(first))
        rows = RowSets(table, context)
        plans = []
        for promotion in sorted(book.promotions, key=by_priority):
            if (
                promotion.benefit.level is not Level.LINE
                or promotion.needs_code
                or (promotion.starts_at is not None and at < promotion.starts_at)
                or (promotion.ends_at is not None and at >= promotion.ends_at)
            ):
                continue  # never on a catalogue page, or not active now
            plan, elsewhere = plan_of(promotion, book, rows)
            if elsewhere is None:
                per_product[:] = True
            elif len(elsewhere):
                per_product[elsewhere] = True
            if plan is not None and len(plan.rows):
                plans.append(plan)
        for plan in plans:
            keep = ~per_product[plan.rows]
            if not keep.all():
                plan.rows, plan.acts = plan.rows[keep], plan.acts[keep]
        plans = [plan for plan in plans if len(plan.rows)]
        pricer = Pricer(table, options, budget, combinations)
        if plans:
            if options.mode is Mode.BEST_FOR_CUSTOMER:
                pricer.best(plans, state, options.best_search_limit)
            else:
                pricer.by_priority(plans, state)
        for row in np.flatnonzero(per_product):
            shown, ids = display_one(
                table.product(int(row)), book, customer, at, options, low_stock_at
            )
            state.amount[row] = shown.price.minor
            state.combination[row] = combinations.number(ids)
    was = table.unit_price
    lower = state.amount < was
    percent_off = np.zeros(n, dtype=np.int64)
    percent_off[lower] = (was[lower] - state.amount[lower]) * 100 // was[lower]
    low = np.zeros(n, dtype=bool)
    if low_stock_at is not None:
        low = (table.stock >= 0) & (table.stock <= low_stock_at)
    names = tuple(
        tuple(_name(book, promotion_id) for promotion_id in ids) for ids in combinations.ids
    )
    return DisplayPriceTable(
        table=table,
        price=state.amount,
        was=was,
        percent_off=percent_off,
        low_stock=low,
        combination=state.combination,
        combinations=tuple(combinations.ids),
        combination_names=names,
        per_product=np.flatnonzero(per_product),
    )


def _name(book: PromotionBook, promotion_id: str) -> str:
    promotion = book.get(promotion_id)
    assert promotion is not None  # every id comes from the book
    return promotion.name
