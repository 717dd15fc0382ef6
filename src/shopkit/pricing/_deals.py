"""Built-in deals: benefits that consume units (buy X get Y, the cheapest free, bundles).

A deal takes the units it uses out of the open ones (``CartState.take_values``), so no later
line-level promotion uses or discounts them. Units are picked by value, as (line, value) pairs
rather than ``Unit`` objects: a deal runs over every unit of the lines it selects.
"""

from __future__ import annotations

import heapq
import operator
from decimal import Decimal

import attrs

from shopkit import RoundingMode, ValidationError
from shopkit import validators as check
from shopkit._numbers import round_ratio
from shopkit.pricing._kinds import Benefit
from shopkit.pricing._line_benefits import (
    Pick,
    _discounted,
    _fmt_percent,
    _optional,
    _percent,
    _to_percent,
)
from shopkit.pricing._line_state import LineState, Unit, spread
from shopkit.pricing._selectors import AnyOf
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Amounts, Selector, Shortfall

__all__ = ["Bundle", "BundleItem", "BuyXGetY", "CheapestFree"]


def _open_pairs(state: CartState, selector: Selector) -> list[tuple[LineState, int]]:
    """``state.open_units(selector)`` as (line, value) pairs: the same units, no objects."""
    return [(line, value) for line in state.matching(selector) for value in line.open_unit_values()]


def _sorted_pairs(pairs: list[tuple[LineState, int]], pick: Pick) -> list[tuple[LineState, int]]:
    """``_sorted_units`` for (line, value) pairs: stable, so equal values go by line order."""
    return sorted(pairs, key=_value_of, reverse=pick is Pick.MOST_EXPENSIVE)


_value_of = operator.itemgetter(1)


@attrs.frozen
class BuyXGetY(Benefit):
    """Buy ``buy`` units, get ``get`` more at ``percent`` off: "2+1", "second at 50%", "3 for 2".

    Each application uses ``buy + get`` open units. With one pool (no ``reward``), the
    ``get`` units of every application are the cheapest of the selected units (or the dearest,
    with ``discounted="most_expensive"``), and the ``buy`` units are the next ones; with a
    separate ``reward`` selector the ``buy`` units come from ``selector`` and the discounted
    ones from ``reward``. All used units are consumed: no later line promotion uses them.

    Attributes:
        buy: Units to pay for in each application.
        get: Units discounted in each application.
        selector: The units that count as bought (and as rewards, without ``reward``).
        reward: The units that can be discounted, if different.
        percent: The discount on a rewarded unit; 100 makes it free.
        discounted: Which units are discounted: the cheapest (default) or the dearest.
        max_applications: How many times it applies to one order, if limited.

    Examples:
        >>> from shopkit.pricing import BuyXGetY, Categories
        >>> BuyXGetY(buy=2, get=1, selector=Categories(["Mugs"])).describe()
        'buy 2 items from Mugs, get 1 free'
    """

    buy: int = attrs.field(validator=check.positive_int)
    get: int = attrs.field(validator=check.positive_int)
    selector: Selector = attrs.field(validator=check.instance_of(Selector))
    reward: Selector | None = attrs.field(default=None, validator=_optional(Selector))
    percent: Decimal = attrs.field(default=Decimal(100), converter=_to_percent, validator=_percent)
    discounted: Pick = attrs.field(default=Pick.CHEAPEST, converter=_discounted)
    max_applications: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int)
    )

    def _applications(self, buy_units: int, reward_units: int | None) -> int:
        if reward_units is None:
            count = buy_units // (self.buy + self.get)
        else:
            count = min(buy_units // self.buy, reward_units // self.get)
        if self.max_applications is not None:
            count = min(count, self.max_applications)
        return count

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Consume ``buy + get`` units per application and discount the ``get`` ones."""
        pool = _open_pairs(state, self.selector)
        if self.reward is None:
            count = self._applications(len(pool), None)
            if count == 0:
                return
            ordered = _sorted_pairs(pool, self.discounted)
            rewarded = ordered[: count * self.get]
            paid = ordered[count * self.get : count * (self.get + self.buy)]
        else:
            buys = self.selector
            rewards = [
                pair
                for pair in _open_pairs(state, self.reward)
                if not buys.matches(pair[0].product)
            ]
            count = self._applications(len(pool), len(rewards))
            if count == 0:
                return
            rewarded = _sorted_pairs(rewards, self.discounted)[: count * self.get]
            # pay with the cheapest qualifying units, keeping dearer ones open
            paid = _sorted_pairs(pool, Pick.CHEAPEST)[: count * self.buy]
        numerator, denominator = self.percent.as_integer_ratio()  # ``_share``, ratio read once
        denominator *= 100
        taken = [
            (line, value, round_ratio(value * numerator, denominator, rounding))
            for line, value in rewarded
        ]
        taken += [(line, value, 0) for line, value in paid]
        state.take_values(taken)

    def _reward_words(self) -> str:
        return "free" if self.percent == 100 else f"at {_fmt_percent(self.percent)} off"

    def describe(self) -> str:
        """Say "buy 2 …, get 1 free" or "… at 50% off"."""
        target = f" {self.reward.describe()}" if self.reward is not None else ""
        return (
            f"buy {self.buy} {self.selector.describe()}, get {self.get}{target} "
            f"{self._reward_words()}"
        )

    def selector_of(self) -> Selector | None:
        """The buy selector (or both, with a separate reward)."""
        if self.reward is None:
            return self.selector
        return AnyOf((self.selector, self.reward))

    def nudge(self, state: CartState) -> Shortfall | None:
        """How many more units would earn the next application (one pool only)."""
        if self.reward is not None:
            return None
        have = sum([line.open_units for line in state.matching(self.selector)])
        limit = self.max_applications
        if limit is not None and self._applications(have, None) >= limit:
            return None
        group = self.buy + self.get
        return Shortfall.of_units(
            group - have % group,
            self.selector,
            unlocks=f"{self.get} {self._reward_words()}",
            reward=True,
        )


@attrs.frozen
class CheapestFree(Benefit):
    """With at least ``min_items`` selected units, the cheapest one is free.

    With ``repeat``, one unit is free for every ``min_items`` (the cheapest ones).

    Attributes:
        selector: The units counted.
        min_items: How many selected units earn a free one.
        repeat: Whether every further ``min_items`` units earn another.
    """

    selector: Selector = attrs.field(validator=check.instance_of(Selector))
    min_items: int = attrs.field(default=2, validator=check.positive_int)
    repeat: bool = attrs.field(default=False, validator=check.instance_of(bool))
    _deal: BuyXGetY = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        if self.min_items < 2:
            raise ValidationError(
                f"{self.min_items} is below 2: a deal needs a paid unit and a free one",
                field="min_items",
                value=self.min_items,
            )
        # the same deal as buy min_items - 1, get 1 free, built once
        deal = BuyXGetY(
            buy=self.min_items - 1,
            get=1,
            selector=self.selector,
            max_applications=None if self.repeat else 1,
        )
        object.__setattr__(self, "_deal", deal)

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """The cheapest selected unit of each group of ``min_items`` is free."""
        self._deal.apply(state, rounding)

    def describe(self) -> str:
        """Say "cheapest of 3 … free"."""
        return f"the cheapest of {self.min_items} {self.selector.describe()} free"

    def nudge(self, state: CartState) -> Shortfall | None:
        """How many more units would earn a free one."""
        return self._deal.nudge(state)


@attrs.frozen
class BundleItem:
    """One component of a bundle: ``quantity`` units of the selected products.

    Attributes:
        selector: The products that can fill this component.
        quantity: How many units of them one set needs.
    """

    selector: Selector = attrs.field(validator=check.instance_of(Selector))
    quantity: int = attrs.field(default=1, validator=check.positive_int)


_items = check.non_empty(check.tuple_of(BundleItem), "a bundle needs at least one item")


def _dearest_free(
    heap: list[tuple[int, int, int]], values: dict[int, list[int]], used: dict[int, int]
) -> tuple[int, int] | None:
    """Take the dearest free unit of a heap: (line index, value); ties to the earlier line.

    The heap holds (minus the value of the line's dearest free unit, the line's position in the
    component, the line's index). Another component may have taken units of a line since it
    was pushed: its entry is then stale (its key is the value of a unit already gone) and is
    pushed again with the line's next free unit, so the top is always right when it is taken.
    """
    while heap:
        key, order, index = heap[0]
        line_values = values[index]
        taken = used[index]
        if taken >= len(line_values):
            heapq.heappop(heap)
            continue
        value = line_values[taken]
        if -key != value:
            heapq.heapreplace(heap, (-value, order, index))
            continue
        used[index] = taken + 1
        if taken + 1 < len(line_values):
            heapq.heapreplace(heap, (-line_values[taken + 1], order, index))
        else:
            heapq.heappop(heap)
        return index, value
    return None


@attrs.frozen
class Bundle(Benefit):
    """A set of items for one price: "phone + case + glass for 999".

    Complete sets are formed from open units, dearest units first, as long as a set's current
    value is above the set price (and up to ``max_sets``). The saving of each set is spread
    over its units in proportion to their values, exactly. The units of a set are consumed.

    Attributes:
        items: The components of one set.
        amounts: The set price, per currency.
        max_sets: How many sets one order can get, if limited.
    """

    items: tuple[BundleItem, ...] = attrs.field(converter=check.as_tuple, validator=_items)
    amounts: Amounts = attrs.field(validator=check.instance_of(Amounts))
    max_sets: int | None = attrs.field(default=None, validator=check.optional(check.positive_int))

    def _next_set(
        self,
        candidates: list[list[LineState]],
        values: dict[int, list[int]],
        used: dict[int, int],
    ) -> tuple[list[Unit], dict[int, int], BundleItem | None, int]:
        """The dearest free units for one more set; the first component short, and by how many."""
        trial = dict(used)
        chosen: list[Unit] = []
        for item, lines in zip(self.items, candidates, strict=True):
            for found in range(item.quantity):
                # the dearest unit still free; ties go to the earlier line
                best = None
                best_value = -1
                for line in lines:
                    taken = trial[line.index]
                    line_values = values[line.index]
                    if taken < len(line_values) and line_values[taken] > best_value:
                        best, best_value = line, line_values[taken]
                if best is None:
                    return chosen, trial, item, item.quantity - found
                chosen.append(Unit(best, best_value))
                trial[best.index] += 1
        return chosen, trial, None, 0

    def _pool(self, state: CartState) -> tuple[list[list[LineState]], dict[int, list[int]]]:
        values = {line.index: line.open_unit_values() for line in state.matching(None)}
        return [state.matching(item.selector) for item in self.items], values

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Form complete sets and price each at the set price.

        Each component keeps a heap of its lines by the value of their dearest free unit, so
        forming a set costs a few heap steps per unit, not a scan of every line: the cost
        grows with the cart's units, not with units × lines.
        """
        price = self.amounts.get(state.currency).minor
        lines_of: dict[int, LineState] = {}
        values: dict[int, list[int]] = {}
        heaps = []
        for item in self.items:
            heap = []
            for order, line in enumerate(state.matching(item.selector)):
                index = line.index
                line_values = values.get(index)
                if line_values is None:
                    line_values = values[index] = line.open_unit_values()
                    lines_of[index] = line
                if line_values:
                    heap.append((-line_values[0], order, index))
            heapq.heapify(heap)
            heaps.append(heap)
        used = dict.fromkeys(values, 0)
        components = [(item.quantity, heap) for item, heap in zip(self.items, heaps, strict=True)]
        taken: list[tuple[LineState, int, int]] = []
        sets = 0
        last: list[int] = []
        parts: list[int] = []
        while self.max_sets is None or sets < self.max_sets:
            chosen: list[LineState] = []
            unit_values: list[int] = []
            for quantity, heap in components:
                for _ in range(quantity):
                    unit = _dearest_free(heap, values, used)
                    if unit is None:
                        break
                    chosen.append(lines_of[unit[0]])
                    unit_values.append(unit[1])
                else:
                    continue
                break
            else:
                value = sum(unit_values)
                if value > price:
                    # the saving is below the set's value unless the set price is 0: no unit's
                    # part reaches its value, so the split needs no caps. Sets of the same
                    # units in a row (a line's units are alike) share their split.
                    if unit_values != last:
                        last = unit_values
                        parts = (
                            unit_values if price == 0 else spread(value - price, unit_values, value)
                        )
                    taken += zip(chosen, unit_values, parts, strict=True)
                    sets += 1
                    continue
            # a set short, or not worth it: no set after it (of cheaper units) is either
            break
        if taken:
            state.take_values(taken)

    def describe(self) -> str:
        """Say "… + … for 999.00 EUR"."""
        parts = " + ".join(
            f"{item.quantity} × {item.selector.describe()}"
            if item.quantity > 1
            else item.selector.describe()
            for item in self.items
        )
        return f"{parts} for {self.amounts.describe()}"

    def selector_of(self) -> Selector | None:
        """Any of the components' selectors."""
        return AnyOf(tuple(item.selector for item in self.items))

    def nudge(self, state: CartState) -> Shortfall | None:
        """The first component short of a set: its selector and the units it lacks."""
        candidates, values = self._pool(state)
        _, _, short, missing = self._next_set(candidates, values, dict.fromkeys(values, 0))
        if short is None:
            return None
        return Shortfall.of_units(missing, short.selector)
