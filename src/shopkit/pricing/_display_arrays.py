"""Display prices for a whole catalogue at once: the per-product rules, as numpy arrays.

``display_price_table`` gives, for every row of a ``ProductTable``, what ``display_prices``
gives for that product: the price of one unit after the line promotions that apply to it alone,
the price before them, the badge, the promotions behind the price and the low-stock flag. It
follows the same steps, on arrays instead of one cart per product:

1. Each promotion that a catalogue page can show (line level, no code, active at ``at``) is
   turned into a *plan*: the rows it is a candidate for (the promotion book's index keys), the
   rows whose currency it has every amount in, the rows its condition holds for (a cart of one
   unit of that product), and what its benefit does to one unit, all as row sets and arrays.
2. In priority mode the plans are taken by priority, then id, once, over every row together:
   exclusive, group and stop work per row as ``pick_by_priority`` does, and each benefit
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
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Cart, Customer, Money, RoundingMode, ValidationError
from shopkit import validators as check
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
from shopkit.pricing._book import PromotionBook, _index_keys, as_book, by_priority
from shopkit.pricing._choose import pick_by_priority, valid_combinations
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
from shopkit.pricing._display import DisplayPrice, check_low_stock_at, display_one
from shopkit.pricing._kinds import Condition
from shopkit.pricing._product_table import IntArray, ProductTable
from shopkit.pricing._promotion import Combination, Mode, PricingOptions, Promotion
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
from shopkit.pricing._state import Outcome
from shopkit.pricing._values import Amounts, Context, Level, Selector

__all__ = ["DisplayPriceTable", "display_price_table"]

BoolArray = npt.NDArray[np.bool_]
Rows = IntArray | None
"""A set of rows: sorted, each once; ``None`` for every row."""

_INT64_MAX: Final = int(np.iinfo(np.int64).max)
# Amounts from promotions are cut to this: far above every price the arrays take (below), so
# every min() and comparison with a price gives what the exact amount gives.
_HUGE: Final = 2**62
# Prices above this are priced per product: badge percentages (saving × 100) stay in 64 bits.
_PRICE_LIMIT: Final = _INT64_MAX // 100
# A gift worth more than this has its rows priced per product (sums of gifts stay in 64 bits).
_GIFT_LIMIT: Final = 2**40
_EMPTY = np.zeros(0, dtype=np.int64)


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
        return _EMPTY
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


def _spread(values: BoolArray, where: BoolArray) -> BoolArray:
    """``values`` (one per true entry of ``where``) put in place, false elsewhere."""
    spread = np.zeros(len(where), dtype=bool)
    spread[where] = values
    return spread


def _ratio(value: Decimal) -> tuple[int, int]:
    numerator, denominator = value.as_integer_ratio()
    return numerator, denominator


def _round(numerator: IntArray, denominator: int, rounding: RoundingMode) -> IntArray:
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


class _Rows:
    """Turns built-in selectors and conditions into the rows they hold for (one unit each)."""

    def __init__(self, table: ProductTable, context: Context) -> None:
        self.table = table
        self.context = context
        self.n = len(table)
        self._named: dict[tuple[str, tuple[str, ...]], IntArray] = {}

    def by_currency(self, amounts: Amounts | None, missing: int) -> IntArray:
        """One amount per currency of the table (``missing`` where none), cut to ``_HUGE``."""
        values = [
            missing
            if amounts is None or code not in amounts.by_currency
            else min(amounts.by_currency[code].minor, _HUGE)
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
            high = self.by_currency(selector.max, _HUGE)[table.currency]
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
            return None if condition.check(self.context).ok else _EMPTY
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
            threshold = self.by_currency(condition.amounts, _HUGE)[self.table.currency]
            return np.flatnonzero(self.table.unit_price >= threshold)
        if isinstance(condition, MinQuantity) and kind is MinQuantity:
            return self.selector(condition.selector) if condition.quantity <= 1 else _EMPTY
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
            return _EMPTY
        return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))

    def named(self, kind: str, names: tuple[str, ...]) -> IntArray:
        """The rows in any of the named categories or tags (kept: plans share them)."""
        key = (kind, names)
        if key not in self._named:
            self._named[key] = self.table.rows_with(kind, names)
        return self._named[key]


# -- promotions as plans --------------------------------------------------------------------

_PERCENT, _OFF, _PRICE, _BUNDLE, _GIFT, _NOTHING = range(6)


@attrs.define
class _Plan:
    """One promotion in array form: the rows it is eligible for and what it does to one unit.

    Attributes:
        promotion: The promotion.
        kind: What its benefit does to one unit (``_PERCENT`` … ``_NOTHING``).
        rows: The rows it is eligible for, sorted.
        acts: For each of ``rows``, whether the benefit's selector selects it.
        value: Per currency: the amount off (``_OFF``) or the unit or set price.
        ratio: The percentage as a fraction (``_PERCENT``).
        benefit_cap: Per currency, the benefit's own ``max_discount``, if any.
        promotion_cap: Per currency, the promotion's ``max_discount``, if any.
        margin: The promotion's ``min_margin_percent`` as a fraction, if any.
        gift: What the gift is worth (``_GIFT``).
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


def _benefit_form(promotion: Promotion, rows: _Rows) -> tuple[int, Rows, dict[str, Any]]:
    """What the benefit does to one unit: its kind, the rows it acts on, its amounts."""
    benefit = promotion.benefit
    kind = type(benefit)
    if isinstance(benefit, Percentage) and kind is Percentage:
        cap = None if benefit.max_discount is None else rows.by_currency(benefit.max_discount, 0)
        # a unit limit keeps the one unit there is: the same discount as without one
        return (
            _PERCENT,
            rows.selector(benefit.selector),
            {"ratio": _ratio(benefit.percent), "benefit_cap": cap},
        )
    if isinstance(benefit, FixedOff) and kind is FixedOff and benefit.per is not Per.ORDER:
        # per unit or per line, one unit: the amount once
        return (
            _OFF,
            rows.selector(benefit.selector),
            {"value": rows.by_currency(benefit.amounts, 0)},
        )
    if isinstance(benefit, FixedPrice) and kind is FixedPrice:
        return (
            _PRICE,
            rows.selector(benefit.selector),
            {"value": rows.by_currency(benefit.amounts, _HUGE)},
        )
    if isinstance(benefit, Bundle) and kind is Bundle:
        if sum(item.quantity for item in benefit.items) > 1:
            return _NOTHING, _EMPTY, {}  # a set of two or more units: never from one unit
        return (
            _BUNDLE,
            rows.selector(benefit.items[0].selector),
            {"value": rows.by_currency(benefit.amounts, _HUGE)},
        )
    if kind in (BuyXGetY, CheapestFree):
        return _NOTHING, _EMPTY, {}  # a deal takes at least two units
    if isinstance(benefit, Gift) and kind is Gift:
        worth = benefit.product.unit_price.minor * benefit.quantity
        if worth > _GIFT_LIMIT:
            raise _NoArrayFormError(benefit)
        return _GIFT, None, {"gift": worth}
    raise _NoArrayFormError(benefit)


def _plan(promotion: Promotion, book: PromotionBook, rows: _Rows) -> tuple[_Plan | None, Rows]:
    """The promotion's plan (``None`` without one), and the rows to price per product for it."""
    table = rows.table
    currencies = [
        code for code, name in enumerate(table.currencies) if book.has_amounts_for(promotion, name)
    ]
    if not currencies:
        return None, _EMPTY
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
    plan = _Plan(promotion, kind, eligible, _within(eligible, acting), **form)
    if promotion.max_discount is not None:
        plan.promotion_cap = rows.by_currency(promotion.max_discount, 0)
    per_product: IntArray = _EMPTY
    if promotion.min_margin_percent is not None:
        plan.margin = _ratio(promotion.min_margin_percent)
        numerator, denominator = plan.margin
        scale = 100 * denominator + numerator
        dear = eligible[table.cost[eligible] > _INT64_MAX // scale]
        per_product = dear
    if kind == _PERCENT and plan.ratio[0]:
        dear = eligible[table.unit_price[eligible] > _INT64_MAX // plan.ratio[0]]
        per_product = np.union1d(per_product, dear)
    return plan, per_product


# -- applying plans to one unit per row -----------------------------------------------------


@attrs.define
class _State:
    """The one line of each row's cart while it is priced, in minor units.

    Attributes:
        amount: The line's amount after the discounts so far.
        open_amount: The amount of its unit while no deal consumed it (then 0).
        spent: What the promotions so far gave (gifts included), for the options' budget.
        gifts: What the gifts given so far are worth.
        combination: The promotions that gave something, an index into ``_Combinations``.
    """

    amount: IntArray
    open_amount: IntArray
    spent: IntArray
    gifts: IntArray
    combination: IntArray

    def copy(self) -> _State:
        """A copy to go on from."""
        return _State(
            self.amount.copy(),
            self.open_amount.copy(),
            self.spent.copy(),
            self.gifts.copy(),
            self.combination.copy(),
        )

    @classmethod
    def fresh(cls, price: IntArray) -> _State:
        """Nothing discounted yet."""
        n = len(price)
        zero = np.zeros(n, dtype=np.int64)
        return cls(price.copy(), price.copy(), zero, zero.copy(), zero.copy())


class _Combinations:
    """The lists of promotion ids that gave something, each once, numbered."""

    def __init__(self) -> None:
        self.ids: list[tuple[str, ...]] = [()]
        self._number: dict[tuple[str, ...], int] = {(): 0}

    def number(self, ids: tuple[str, ...]) -> int:
        """The number of a list of ids, given one if new."""
        found = self._number.get(ids)
        if found is None:
            found = self._number[ids] = len(self.ids)
            self.ids.append(ids)
        return found

    def extend(self, numbers: IntArray, promotion_id: str) -> IntArray:
        """The numbers of the lists ``numbers`` with one more promotion at the end."""
        first = int(numbers[0])
        if (numbers == first).all():
            return np.full(len(numbers), self.number((*self.ids[first], promotion_id)))
        distinct, where = np.unique(numbers, return_inverse=True)
        longer = np.array(
            [self.number((*self.ids[int(known)], promotion_id)) for known in distinct],
            dtype=np.int64,
        )
        extended: IntArray = longer[where]
        return extended


class _Pricer:
    """Applies plans to the rows' one-unit lines as ``Session._apply_one`` does."""

    def __init__(
        self,
        table: ProductTable,
        options: PricingOptions,
        budget: IntArray | None,
        combinations: _Combinations,
    ) -> None:
        self.table = table
        self.rounding = options.rounding
        self.budget = budget
        self.combinations = combinations
        self.one_currency = len(table.currencies) == 1
        # the products' own price floors (min_price), if any product has one
        self.floor = np.maximum(table.min_price, 0) if (table.min_price > 0).any() else None

    def give(
        self,
        plan: _Plan,
        state: _State,
        at: IntArray,
        rows: IntArray,
        acts: BoolArray,
        trial: bool = False,
    ) -> BoolArray:
        """Apply ``plan`` to the lines ``at`` of ``state`` (of table rows ``rows``).

        Returns, for each, whether the promotion gave something. With ``trial`` (an exclusive
        promotion tried alone) only the lines it gave something to are changed.

        A consumed unit has an open amount of 0, so "the open units' amount" is all a benefit
        needs: a percentage of it, an amount off or a unit price capped by it, and a set of
        one unit formed only while it is above the set price, all give nothing once consumed.
        """
        table = self.table
        one = self.one_currency
        everywhere = bool(acts.all())
        discount: IntArray = np.zeros(len(at), dtype=np.int64)
        consumed: BoolArray | None = None
        if plan.kind in (_PERCENT, _OFF, _PRICE, _BUNDLE) and (everywhere or acts.any()):
            on, where = (at, rows) if everywhere else (at[acts], rows[acts])
            currency = None if one else table.currency[where]
            open_amount, amount = state.open_amount[on], state.amount[on]
            floor = None if self.floor is None else self.floor[where]
            if plan.margin is not None:
                numerator, denominator = plan.margin
                cost = np.maximum(table.cost[where], 0)
                margin = _round(
                    cost * (100 * denominator + numerator), 100 * denominator, RoundingMode.UP
                )
                floor = margin if floor is None else np.maximum(floor, margin)
            room = amount if floor is None else np.maximum(0, amount - floor)
            if plan.kind == _PERCENT:
                numerator, denominator = plan.ratio
                # at most the open amount: a percentage is at most 100
                cut = np.minimum(
                    _round(open_amount * numerator, 100 * denominator, self.rounding), room
                )
            else:
                assert plan.value is not None
                value = plan.value[0] if currency is None else plan.value[currency]
                want = value if plan.kind == _OFF else open_amount - value
                cut = np.maximum(0, np.minimum(np.minimum(want, open_amount), room))
                if plan.kind == _BUNDLE:
                    # a set of one unit, formed only while the unit is worth more than the set
                    # price (a consumed unit is worth 0 here)
                    taken = open_amount > value
                    cut = np.where(taken, cut, 0)
                    consumed = taken if everywhere else _spread(taken, acts)
            if plan.benefit_cap is not None:
                cap = plan.benefit_cap
                cut = np.minimum(cut, cap[0] if currency is None else cap[currency])
            if everywhere:
                discount = cut
            else:
                discount[acts] = cut
        limit = None
        if plan.promotion_cap is not None:
            cap = plan.promotion_cap
            limit = cap[0] if one else cap[table.currency[rows]]
        if self.budget is not None:
            left = np.maximum(0, self.budget[rows] - state.spent[at])
            limit = left if limit is None else np.minimum(limit, left)
        if plan.kind == _GIFT:
            # a gift over the limit is not given at all
            gave = np.ones(len(at), dtype=bool) if limit is None else plan.gift <= limit
            won = at[gave]
            state.spent[won] += plan.gift
            state.gifts[won] += plan.gift
        else:
            if limit is not None:
                discount = np.minimum(discount, limit)
            gave = discount > 0
            changed, taken_off = (at[gave], discount[gave]) if trial else (at, discount)
            state.amount[changed] -= taken_off
            state.open_amount[changed] -= taken_off
            if self.budget is not None:
                state.spent[changed] += taken_off
            if consumed is not None:
                gone = at[consumed & gave] if trial else at[consumed]
                state.open_amount[gone] = 0
        won = at[gave]
        if len(won):
            state.combination[won] = self.combinations.extend(
                state.combination[won], plan.promotion.id
            )
        return gave

    def by_priority(self, plans: Sequence[_Plan], state: _State) -> None:
        """Choose and apply as ``pick_by_priority`` then ``Session.apply``, for every row."""
        n = len(self.table)
        alone = np.zeros(n, dtype=bool)
        stopped = np.zeros(n, dtype=bool)
        any_alone = any_stopped = False
        # what was chosen matters only to an exclusive promotion that comes later
        exclusive = [plan.promotion.combination is Combination.EXCLUSIVE for plan in plans]
        later = [any(exclusive[index + 1 :]) for index in range(len(plans))]
        chosen = np.zeros(n, dtype=bool)
        groups: dict[str, BoolArray] = {}
        for index, plan in enumerate(plans):
            eligible = plan.rows
            out = None
            if any_alone:
                out = alone[eligible]
            if any_stopped:
                out = stopped[eligible] if out is None else out | stopped[eligible]
            combination = plan.promotion.combination
            taken = None
            if combination is Combination.EXCLUSIVE:
                out = chosen[eligible] if out is None else out | chosen[eligible]
            elif combination is Combination.GROUP:
                taken = groups.setdefault(str(plan.promotion.group), np.zeros(n, dtype=bool))
                out = taken[eligible] if out is None else out | taken[eligible]
            if out is None or not out.any():
                rows, acts = eligible, plan.acts
            else:
                rows, acts = eligible[~out], plan.acts[~out]
            if not len(rows):
                continue
            if combination is Combination.EXCLUSIVE:
                # tried alone on a line nothing was chosen for: it applies alone where it gives
                gave = self.give(plan, state, rows, rows, acts, trial=True)
                if gave.any():
                    alone[rows[gave]] = any_alone = True
                continue
            if later[index]:
                chosen[rows] = True
            if taken is not None:
                taken[rows] = True
            if combination is Combination.STOP:
                stopped[rows] = any_stopped = True
            self.give(plan, state, rows, rows, acts)

    def best(self, plans: Sequence[_Plan], state: _State, search_limit: int) -> None:
        """Choose as ``choose_best``: rows with the same eligible promotions together."""
        n = len(self.table)
        signature = np.zeros(n, dtype=np.int64)
        lists: list[tuple[int, ...]] = [()]
        for index, plan in enumerate(plans):
            if not len(plan.rows):
                continue
            distinct, where = np.unique(signature[plan.rows], return_inverse=True)
            fresh = np.arange(len(lists), len(lists) + len(distinct), dtype=np.int64)
            lists += [(*lists[int(known)], index) for known in distinct]
            signature[plan.rows] = fresh[where]
        by_id = {plan.promotion.id: plan for plan in plans}
        order = np.argsort(signature, kind="stable")
        numbers = signature[order]
        starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])
        for start, end in zip(starts, [*starts[1:], n], strict=True):
            chosen = lists[int(numbers[start])]
            if chosen:
                rows = np.sort(order[start:end])
                eligible = [plans[index].promotion for index in chosen]
                self._best_of(eligible, by_id, rows, state, search_limit)

    def _best_of(
        self,
        eligible: list[Promotion],
        by_id: dict[str, _Plan],
        rows: IntArray,
        state: _State,
        search_limit: int,
    ) -> None:
        if len(eligible) <= search_limit:
            options = list(valid_combinations(eligible))
        else:
            others = [p for p in eligible if p.combination is not Combination.EXCLUSIVE]
            chosen, _, _ = pick_by_priority(others, _never_applied)
            options = [chosen] + [[p] for p in eligible if p.combination is Combination.EXCLUSIVE]
        # the key of choose_best: most given, then lowest total, then fewest, then by ids; the
        # last two are the same for every row, so they are a rank of each option
        ranked = sorted(
            range(len(options)),
            key=lambda at: (len(options[at]), tuple(sorted(p.id for p in options[at]))),
        )
        rank = dict.fromkeys(ranked, 0)
        for place, at in enumerate(ranked):
            rank[at] = place
        price = self.table.unit_price[rows]
        everywhere = np.arange(len(rows), dtype=np.int64)
        acting = {
            promotion.id: by_id[promotion.id].acts[np.searchsorted(by_id[promotion.id].rows, rows)]
            for promotion in eligible
        }
        best_saving = best_total = best_rank = best_amount = best_combination = _EMPTY
        # The options come as valid_combinations makes them, depth first, each in priority
        # order: an option is its prefix plus one promotion, so it is priced from the prefix's
        # state (kept on a stack of the current path) with one more promotion applied.
        path: list[tuple[tuple[str, ...], _State]] = []
        for at, option in enumerate(options):
            ordered = sorted(option, key=by_priority)
            ids = tuple(p.id for p in ordered)
            while path and path[-1][0] != ids[: len(path[-1][0])]:
                path.pop()
            if path and len(path[-1][0]) == len(ids) - 1:
                trial = path[-1][1].copy()
                todo = ordered[-1:]
            else:
                trial = _State.fresh(price)
                todo = ordered
            for promotion in todo:
                self.give(by_id[promotion.id], trial, everywhere, rows, acting[promotion.id])
            path.append((ids, trial))
            saving = price - trial.amount + trial.gifts
            total = trial.amount
            if not at:
                best_saving, best_total = saving, total
                best_rank = np.full(len(rows), rank[at])
                best_amount, best_combination = total.copy(), trial.combination.copy()
                continue
            better = (saving > best_saving) | (
                (saving == best_saving)
                & ((total < best_total) | ((total == best_total) & (rank[at] < best_rank)))
            )
            if better.any():
                best_saving = np.where(better, saving, best_saving)
                best_total = np.where(better, total, best_total)
                best_rank = np.where(better, rank[at], best_rank)
                best_amount = np.where(better, total, best_amount)
                best_combination = np.where(better, trial.combination, best_combination)
        state.amount[rows] = best_amount
        state.combination[rows] = best_combination


def _never_applied(chosen: Sequence[Promotion]) -> Outcome:  # pragma: no cover - never called
    # pick_by_priority applies only exclusive promotions (to try them alone); it is given none
    raise AssertionError(chosen)


# -- the result -----------------------------------------------------------------------------


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
        return None, _EMPTY
    budget = np.full(len(table), _HUGE, dtype=np.int64)
    per_product: Rows = _EMPTY
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
            [min(known[name].minor, _HUGE) if name in known else 0 for name in table.currencies],
            dtype=np.int64,
        )
        budget = np.minimum(budget, caps[table.currency])
    if options.max_total_discount_percent is not None:
        numerator, denominator = _ratio(options.max_total_discount_percent)
        price = table.unit_price
        if numerator:
            per_product = np.flatnonzero(price > _INT64_MAX // numerator)
        share = _round(
            np.minimum(price, _INT64_MAX // max(numerator, 1)) * numerator,
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
    combinations = _Combinations()
    state = _State.fresh(table.unit_price)
    per_product = np.zeros(n, dtype=bool)
    per_product[table.unit_price > _PRICE_LIMIT] = True
    if n:
        budget, dear = _budget(table, options)
        if dear is not None:
            per_product[dear] = True
        first = table.currencies[int(table.currency[0])]
        context = Context(Cart(first), customer, at, frozenset(), Money.zero(first))
        rows = _Rows(table, context)
        plans = []
        for promotion in sorted(book.promotions, key=by_priority):
            if (
                promotion.benefit.level is not Level.LINE
                or promotion.needs_code
                or (promotion.starts_at is not None and at < promotion.starts_at)
                or (promotion.ends_at is not None and at >= promotion.ends_at)
            ):
                continue  # never on a catalogue page, or not active now
            plan, elsewhere = _plan(promotion, book, rows)
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
        pricer = _Pricer(table, options, budget, combinations)
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
