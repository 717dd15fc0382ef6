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
from collections.abc import Iterable, Sequence
from typing import Final

import attrs
import numpy as np

from shopkit import Cart, Customer, Money, RoundingMode, ValidationError
from shopkit import validators as check
from shopkit.pricing._book import PromotionBook, as_book, by_priority
from shopkit.pricing._choose import pick_by_priority, valid_combinations
from shopkit.pricing._display import DisplayPrice, check_low_stock_at, display_one
from shopkit.pricing._display_plans import (
    BUNDLE,
    EMPTY,
    GIFT,
    HUGE,
    INT64_MAX,
    OFF,
    PERCENT,
    PRICE,
    BoolArray,
    Plan,
    Rows,
    RowSets,
    plan_of,
    ratio,
    round_ratios,
    spread,
)
from shopkit.pricing._outcome import Outcome
from shopkit.pricing._product_table import IntArray, ProductTable
from shopkit.pricing._promotion import Combination, Mode, PricingOptions, Promotion
from shopkit.pricing._values import Context, Level

__all__ = ["DisplayPriceTable", "display_price_table"]

# Prices above this are priced per product: badge percentages (saving × 100) stay in 64 bits.
_PRICE_LIMIT: Final = INT64_MAX // 100

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
        plan: Plan,
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
        if plan.kind in (PERCENT, OFF, PRICE, BUNDLE) and (everywhere or acts.any()):
            on, where = (at, rows) if everywhere else (at[acts], rows[acts])
            currency = None if one else table.currency[where]
            open_amount, amount = state.open_amount[on], state.amount[on]
            floor = None if self.floor is None else self.floor[where]
            if plan.margin is not None:
                numerator, denominator = plan.margin
                cost = np.maximum(table.cost[where], 0)
                margin = round_ratios(
                    cost * (100 * denominator + numerator), 100 * denominator, RoundingMode.UP
                )
                floor = margin if floor is None else np.maximum(floor, margin)
            room = amount if floor is None else np.maximum(0, amount - floor)
            if plan.kind == PERCENT:
                numerator, denominator = plan.ratio
                # at most the open amount: a percentage is at most 100
                cut = np.minimum(
                    round_ratios(open_amount * numerator, 100 * denominator, self.rounding), room
                )
            else:
                assert plan.value is not None
                value = plan.value[0] if currency is None else plan.value[currency]
                want = value if plan.kind == OFF else open_amount - value
                cut = np.maximum(0, np.minimum(np.minimum(want, open_amount), room))
                if plan.kind == BUNDLE:
                    # a set of one unit, formed only while the unit is worth more than the set
                    # price (a consumed unit is worth 0 here)
                    taken = open_amount > value
                    cut = np.where(taken, cut, 0)
                    consumed = taken if everywhere else spread(taken, acts)
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
        if plan.kind == GIFT:
            # a gift over the limit is not given at all
            gave = np.ones(len(at), dtype=bool)
            if limit is not None:
                gave &= plan.gift <= limit  # the limit may be one number for every row
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

    def by_priority(self, plans: Sequence[Plan], state: _State) -> None:
        """Choose and apply as ``choose_by_priority`` does, for every row."""
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
            # as choose_by_priority: a promotion that gave a row nothing neither keeps a later
            # exclusive one out of it, nor holds its group's place there, nor stops the others
            gave = self.give(plan, state, rows, rows, acts)
            if not gave.any():
                continue
            given = rows if gave.all() else rows[gave]
            if later[index]:
                chosen[given] = True
            if taken is not None:
                taken[given] = True
            if combination is Combination.STOP:
                stopped[given] = any_stopped = True

    def best(self, plans: Sequence[Plan], state: _State, search_limit: int) -> None:
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
        by_id: dict[str, Plan],
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
        best_saving = best_total = best_rank = best_amount = best_combination = EMPTY
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
