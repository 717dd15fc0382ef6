"""Applying display plans to one unit per row of a product table, as the engine would.

``Pricer`` gives each plan's benefit to the rows it concerns exactly as ``CartState`` does for
a one-unit line (the same rounding, floors, caps and budgets), and chooses as the engine's
modes do: by priority over every row at once (exclusive, group, stop per row), or, for the
best for the customer, over every valid combination for rows that share their eligible
promotions. ``State`` holds the rows' amounts as they go; ``Combinations`` numbers the lists
of promotions that gave something. ``_display_arrays`` drives it.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from shopkit import RoundingMode
from shopkit.pricing._book import by_priority
from shopkit.pricing._choose import pick_by_priority, valid_combinations
from shopkit.pricing._display_plans import (
    BUNDLE,
    EMPTY,
    GIFT,
    OFF,
    PERCENT,
    PRICE,
    BoolArray,
    Plan,
    round_ratios,
    spread,
)
from shopkit.pricing._outcome import Outcome
from shopkit.pricing._product_table import IntArray, ProductTable
from shopkit.pricing._promotion import Combination, PricingOptions, Promotion

__all__ = ["Combinations", "Pricer", "State"]


@attrs.define
class State:
    """The one line of each row's cart while it is priced, in minor units.

    Attributes:
        amount: The line's amount after the discounts so far.
        open_amount: The amount of its unit while no deal consumed it (then 0).
        spent: What the promotions so far gave (gifts included), for the options' budget.
        gifts: What the gifts given so far are worth.
        combination: The promotions that gave something, an index into ``Combinations``.
    """

    amount: IntArray
    open_amount: IntArray
    spent: IntArray
    gifts: IntArray
    combination: IntArray

    def copy(self) -> State:
        """A copy to go on from."""
        return State(
            self.amount.copy(),
            self.open_amount.copy(),
            self.spent.copy(),
            self.gifts.copy(),
            self.combination.copy(),
        )

    @classmethod
    def fresh(cls, price: IntArray) -> State:
        """Nothing discounted yet."""
        n = len(price)
        zero = np.zeros(n, dtype=np.int64)
        return cls(price.copy(), price.copy(), zero, zero.copy(), zero.copy())


class Combinations:
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


class Pricer:
    """Applies plans to the rows' one-unit lines as ``Session._apply_one`` does."""

    def __init__(
        self,
        table: ProductTable,
        options: PricingOptions,
        budget: IntArray | None,
        combinations: Combinations,
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
        state: State,
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

    def by_priority(self, plans: Sequence[Plan], state: State) -> None:
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

    def best(self, plans: Sequence[Plan], state: State, search_limit: int) -> None:
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
        state: State,
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
        path: list[tuple[tuple[str, ...], State]] = []
        for at, option in enumerate(options):
            ordered = sorted(option, key=by_priority)
            ids = tuple(p.id for p in ordered)
            while path and path[-1][0] != ids[: len(path[-1][0])]:
                path.pop()
            if path and len(path[-1][0]) == len(ids) - 1:
                trial = path[-1][1].copy()
                todo = ordered[-1:]
            else:
                trial = State.fresh(price)
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
