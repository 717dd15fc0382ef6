"""Promotions in array form for ``display_price_table``: the rows each holds for, what it does.

A *plan* is one promotion a catalogue page can show, turned into row sets of a
``ProductTable`` and arrays: the rows the promotion book makes it a candidate for (its index
keys), narrowed to the rows whose currency it has every amount in and the rows its condition
holds for on a cart of one unit of that product, with what its benefit does to one unit (a
percentage, an amount off, a unit price, a set of one unit, a gift, or nothing) and its caps
and price floor. A selector, condition or benefit with no exact array form (a plugin's) raises
``_NoArrayFormError``: the rows the promotion is a candidate for are then priced per product.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import RoundingMode
from shopkit.pricing._benefits import (
    Bundle,
    BuyXGetY,
    CheapestFree,
    FixedOff,
    FixedPrice,
    Gift,
    Per,
    Percentage,
)
from shopkit.pricing._book import PromotionBook, _index_keys
from shopkit.pricing._conditions import (
    AllOfConditions,
    AnyOfConditions,
    Channel,
    CodeEntered,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    LoyaltyTier,
    MinQuantity,
    MinSubtotal,
    NoneOfConditions,
    Region,
    Schedule,
    StockLevel,
)
from shopkit.pricing._kinds import Condition
from shopkit.pricing._product_table import IntArray, ProductTable
from shopkit.pricing._promotion import Promotion
from shopkit.pricing._selectors import (
    AllOf,
    AllProducts,
    AnyOf,
    Attribute,
    Categories,
    NoneOf,
    PriceRange,
    Skus,
    StockRange,
    Tags,
)
from shopkit.pricing._values import Amounts, Context, Selector

__all__ = [
    "BUNDLE",
    "EMPTY",
    "GIFT",
    "HUGE",
    "INT64_MAX",
    "NOTHING",
    "OFF",
    "PERCENT",
    "PRICE",
    "BoolArray",
    "Plan",
    "RowSets",
    "Rows",
    "plan_of",
    "ratio",
    "round_ratios",
    "spread",
]

BoolArray = npt.NDArray[np.bool_]
Rows = IntArray | None
"""A set of rows: sorted, each once; ``None`` for every row."""

INT64_MAX: Final = int(np.iinfo(np.int64).max)
# Amounts from promotions are cut to this: far above every price the arrays take (below), so
# every min() and comparison with a price gives what the exact amount gives.
HUGE: Final = 2**62
# A gift worth more than this has its rows priced per product (sums of gifts stay in 64 bits).
_GIFT_LIMIT: Final = 2**40
EMPTY = np.zeros(0, dtype=np.int64)


class _NoArrayFormError(Exception):
    """A kind the array path cannot express exactly: its rows go to the per-product path."""


# -- row sets ---------------------------------------------------------------------------------


def _and(a: Rows, b: Rows) -> Rows:
    if a is None:
        return b
    if b is None:
        return a
    return np.intersect1d(a, b, assume_unique=True)


def _or(a: Rows, b: Rows) -> Rows:
    if a is None or b is None:
        return None
    return np.union1d(a, b)


def _not(a: Rows, n: int) -> Rows:
    if a is None:
        return EMPTY
    mask = np.ones(n, dtype=bool)
    mask[a] = False
    return np.flatnonzero(mask)


def _within(rows: IntArray, chosen: Rows) -> BoolArray:
    """For each of ``rows`` (sorted), whether it is in ``chosen``."""
    if chosen is None:
        return np.ones(len(rows), dtype=bool)
    if not len(chosen):
        return np.zeros(len(rows), dtype=bool)
    at = np.minimum(np.searchsorted(chosen, rows), len(chosen) - 1)
    found: BoolArray = chosen[at] == rows
    return found


def spread(values: BoolArray, where: BoolArray) -> BoolArray:
    """``values`` (one per true entry of ``where``) put in place, false elsewhere."""
    spread = np.zeros(len(where), dtype=bool)
    spread[where] = values
    return spread


def ratio(value: Decimal) -> tuple[int, int]:
    numerator, denominator = value.as_integer_ratio()
    return numerator, denominator


def round_ratios(numerator: IntArray, denominator: int, rounding: RoundingMode) -> IntArray:
    """``numerator / denominator`` rounded as ``round_ratio`` does (numerators not negative)."""
    floor, remainder = np.divmod(numerator, denominator)
    if rounding is RoundingMode.HALF_UP:
        up = 2 * remainder >= denominator
    elif rounding is RoundingMode.HALF_EVEN:
        twice = 2 * remainder
        up = (twice > denominator) | ((twice == denominator) & (floor % 2 == 1))
    elif rounding is RoundingMode.UP:
        up = remainder > 0
    else:
        return floor  # DOWN: toward zero, and every numerator here is at least zero
    rounded: IntArray = floor + up
    return rounded


# -- selectors and conditions as row sets ---------------------------------------------------


class RowSets:
    """Turns built-in selectors and conditions into the rows they hold for (one unit each)."""

    def __init__(self, table: ProductTable, context: Context) -> None:
        self.table = table
        self.context = context
        self.n = len(table)
        self._named: dict[tuple[str, tuple[str, ...]], IntArray] = {}

    def by_currency(self, amounts: Amounts | None, missing: int) -> IntArray:
        """One amount per currency of the table (``missing`` where none), cut to ``HUGE``."""
        values = [
            missing
            if amounts is None or code not in amounts.by_currency
            else min(amounts.by_currency[code].minor, HUGE)
            for code in self.table.currencies
        ]
        return np.array(values, dtype=np.int64)

    def selector(self, selector: Selector | None) -> Rows:
        """The rows the selector selects (``None`` selects every row)."""
        table = self.table
        kind = type(selector)
        if selector is None or kind is AllProducts:
            return None
        if isinstance(selector, Skus) and kind is Skus:
            return table.sku_rows(selector.skus)
        if isinstance(selector, Categories) and kind is Categories:
            return self.named("category", tuple(sorted(selector.categories)))
        if isinstance(selector, Tags) and kind is Tags:
            return self.named("tag", tuple(sorted(selector.tags)))
        if isinstance(selector, Attribute) and kind is Attribute:
            return table.attribute_rows(selector.name, selector.values)
        if isinstance(selector, PriceRange) and kind is PriceRange:
            price = table.unit_price
            low = self.by_currency(selector.min, -1)[table.currency]
            high = self.by_currency(selector.max, HUGE)[table.currency]
            return np.flatnonzero((price >= low) & (price <= high))
        if isinstance(selector, StockRange) and kind is StockRange:
            return self.stock(selector.min_stock, selector.max_stock)
        if isinstance(selector, AnyOf | AllOf | NoneOf) and kind in (AnyOf, AllOf, NoneOf):
            parts = [self.selector(inner) for inner in selector.selectors]
            if kind is AllOf:
                found = parts[0]
                for part in parts[1:]:
                    found = _and(found, part)
                return found
            union = parts[0]
            for part in parts[1:]:
                union = _or(union, part)
            return union if kind is AnyOf else _not(union, self.n)
        raise _NoArrayFormError(selector)

    def stock(self, low: int | None, high: int | None) -> IntArray:
        """Rows whose tracked stock is within the bounds (both included)."""
        stock = self.table.stock
        held = stock >= 0
        if low is not None:
            held &= stock >= low
        if high is not None:
            held &= stock <= high
        return np.flatnonzero(held)

    def condition(self, condition: Condition | None) -> Rows:
        """The rows for which the condition holds on a cart of one unit of the row's product."""
        kind = type(condition)
        if condition is None:
            return None
        if kind in (
            CustomerSegment,
            FirstOrder,
            LoyaltyTier,
            Region,
            Channel,
            DateWindow,
            Schedule,
            CodeEntered,
        ):
            # These look at the customer, the moment and the codes only: the same for every row.
            return None if condition.check(self.context).ok else EMPTY
        if isinstance(condition, AllOfConditions | AnyOfConditions | NoneOfConditions) and (
            kind in (AllOfConditions, AnyOfConditions, NoneOfConditions)
        ):
            parts = [self.condition(inner) for inner in condition.conditions]
            if kind is AllOfConditions:
                found = parts[0]
                for part in parts[1:]:
                    found = _and(found, part)
                return found
            union = parts[0]
            for part in parts[1:]:
                union = _or(union, part)
            return union if kind is AnyOfConditions else _not(union, self.n)
        if isinstance(condition, MinSubtotal) and kind is MinSubtotal:
            # before any discount, the threshold amount of a one-unit cart is its unit price
            threshold = self.by_currency(condition.amounts, HUGE)[self.table.currency]
            return np.flatnonzero(self.table.unit_price >= threshold)
        if isinstance(condition, MinQuantity) and kind is MinQuantity:
            return self.selector(condition.selector) if condition.quantity <= 1 else EMPTY
        if isinstance(condition, StockLevel) and kind is StockLevel:
            return _and(
                self.selector(condition.selector),
                self.stock(condition.min_stock, condition.max_stock),
            )
        raise _NoArrayFormError(condition)

    def keys(self, promotion: Promotion) -> Rows:
        """The rows the promotion book makes it a candidate for (its index keys)."""
        keys = _index_keys(promotion)
        if keys is None:
            return None
        parts = [self.table.sku_rows(name for kind, name in keys if kind == "sku")]
        for kind in ("category", "tag"):
            names = sorted(name for key, name in keys if key == kind)
            if names:
                parts.append(self.named(kind, tuple(names)))
        parts = [part for part in parts if len(part)]
        if not parts:
            return EMPTY
        return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))

    def named(self, kind: str, names: tuple[str, ...]) -> IntArray:
        """The rows in any of the named categories or tags (kept: plans share them)."""
        key = (kind, names)
        if key not in self._named:
            self._named[key] = self.table.rows_with(kind, names)
        return self._named[key]


# -- promotions as plans --------------------------------------------------------------------

PERCENT, OFF, PRICE, BUNDLE, GIFT, NOTHING = range(6)


@attrs.define
class Plan:
    """One promotion in array form: the rows it is eligible for and what it does to one unit.

    Attributes:
        promotion: The promotion.
        kind: What its benefit does to one unit (``PERCENT`` … ``NOTHING``).
        rows: The rows it is eligible for, sorted.
        acts: For each of ``rows``, whether the benefit's selector selects it.
        value: Per currency: the amount off (``OFF``) or the unit or set price.
        ratio: The percentage as a fraction (``PERCENT``).
        benefit_cap: Per currency, the benefit's own ``max_discount``, if any.
        promotion_cap: Per currency, the promotion's ``max_discount``, if any.
        margin: The promotion's ``min_margin_percent`` as a fraction, if any.
        gift: What the gift is worth (``GIFT``).
    """

    promotion: Promotion
    kind: int
    rows: IntArray
    acts: BoolArray
    value: IntArray | None = None
    ratio: tuple[int, int] = (0, 1)
    benefit_cap: IntArray | None = None
    promotion_cap: IntArray | None = None
    margin: tuple[int, int] | None = None
    gift: int = 0


def _benefit_form(promotion: Promotion, rows: RowSets) -> tuple[int, Rows, dict[str, Any]]:
    """What the benefit does to one unit: its kind, the rows it acts on, its amounts."""
    benefit = promotion.benefit
    kind = type(benefit)
    if isinstance(benefit, Percentage) and kind is Percentage:
        cap = None if benefit.max_discount is None else rows.by_currency(benefit.max_discount, 0)
        # a unit limit keeps the one unit there is: the same discount as without one
        return (
            PERCENT,
            rows.selector(benefit.selector),
            {"ratio": ratio(benefit.percent), "benefit_cap": cap},
        )
    if isinstance(benefit, FixedOff) and kind is FixedOff and benefit.per is not Per.ORDER:
        # per unit or per line, one unit: the amount once
        return (
            OFF,
            rows.selector(benefit.selector),
            {"value": rows.by_currency(benefit.amounts, 0)},
        )
    if isinstance(benefit, FixedPrice) and kind is FixedPrice:
        return (
            PRICE,
            rows.selector(benefit.selector),
            {"value": rows.by_currency(benefit.amounts, HUGE)},
        )
    if isinstance(benefit, Bundle) and kind is Bundle:
        if sum(item.quantity for item in benefit.items) > 1:
            return NOTHING, EMPTY, {}  # a set of two or more units: never from one unit
        return (
            BUNDLE,
            rows.selector(benefit.items[0].selector),
            {"value": rows.by_currency(benefit.amounts, HUGE)},
        )
    if kind in (BuyXGetY, CheapestFree):
        return NOTHING, EMPTY, {}  # a deal takes at least two units
    if isinstance(benefit, Gift) and kind is Gift:
        worth = benefit.product.unit_price.minor * benefit.quantity
        if worth > _GIFT_LIMIT:
            raise _NoArrayFormError(benefit)
        return GIFT, None, {"gift": worth}
    raise _NoArrayFormError(benefit)


def plan_of(promotion: Promotion, book: PromotionBook, rows: RowSets) -> tuple[Plan | None, Rows]:
    """The promotion's plan (``None`` without one), and the rows to price per product for it."""
    table = rows.table
    currencies = [
        code for code, name in enumerate(table.currencies) if book.has_amounts_for(promotion, name)
    ]
    if not currencies:
        return None, EMPTY
    in_currency: Rows = (
        None if len(currencies) == len(table.currencies) else table.currency_rows(currencies)
    )
    candidates = _and(rows.keys(promotion), in_currency)
    try:
        held = _and(
            rows.condition(promotion.benefit.implied_condition()),
            rows.condition(promotion.condition),
        )
        kind, acting, form = _benefit_form(promotion, rows)
    except _NoArrayFormError:
        return None, candidates
    eligible = _and(candidates, held)
    if eligible is None:
        eligible = np.arange(len(table), dtype=np.int64)
    plan = Plan(promotion, kind, eligible, _within(eligible, acting), **form)
    if promotion.max_discount is not None:
        plan.promotion_cap = rows.by_currency(promotion.max_discount, 0)
    per_product: IntArray = EMPTY
    if promotion.min_margin_percent is not None:
        plan.margin = ratio(promotion.min_margin_percent)
        numerator, denominator = plan.margin
        scale = 100 * denominator + numerator
        dear = eligible[table.cost[eligible] > INT64_MAX // scale]
        per_product = dear
    if kind == PERCENT and plan.ratio[0]:
        dear = eligible[table.unit_price[eligible] > INT64_MAX // plan.ratio[0]]
        per_product = np.union1d(per_product, dear)
    return plan, per_product
