"""Built-in benefits about items: percentages, amounts off, fixed prices, deals and bundles.

``Percentage`` and ``FixedOff`` also act on the whole order when given no selector (or
``per="order"``); the helpers for percentages and unit limits live here and are shared by the
order and shipping benefits.
"""

from __future__ import annotations

import enum
import heapq
import operator
from decimal import Decimal
from typing import Any

import attrs

from shopkit import RoundingMode, ValidationError, to_decimal
from shopkit import validators as check
from shopkit._money import round_ratio, split_minor
from shopkit.pricing._kinds import Benefit
from shopkit.pricing._selectors import AnyOf
from shopkit.pricing._state import CartState, LineState, Unit, spread
from shopkit.pricing._values import Amounts, Level, Selector, Shortfall

__all__ = [
    "Bundle",
    "BundleItem",
    "BuyXGetY",
    "CheapestFree",
    "FixedOff",
    "FixedPrice",
    "Per",
    "Percentage",
    "Pick",
]

_percent = check.decimal_between(0, 100)


def _to_percent(value: object) -> Decimal:
    return to_decimal(value, "percent") if not isinstance(value, Decimal) else value


def _optional_percent(value: object) -> Decimal | None:
    return None if value is None else _to_percent(value)


def _share(amount: int, percent: Decimal, rounding: RoundingMode) -> int:
    numerator, denominator = percent.as_integer_ratio()
    return round_ratio(amount * numerator, denominator * 100, rounding)


def _fmt_percent(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


def _optional(kind: type) -> check.Validator:
    return check.optional(check.instance_of(kind))


def _units_need_a_selector(
    selector: Selector | None, max_units: int | None, per_line: int | None
) -> None:
    if selector is None and (max_units is not None or per_line is not None):
        raise ValidationError(
            "a unit limit needs a selector (the units it chooses from)",
            field="max_units" if max_units is not None else "max_units_per_line",
            value=max_units if max_units is not None else per_line,
        )


class Pick(enum.StrEnum):
    """Which units a deal discounts when it could choose."""

    CHEAPEST = "cheapest"
    """The cheapest units get the discount (the usual rule, and the default)."""
    MOST_EXPENSIVE = "most_expensive"
    """The dearest units get the discount (the more generous rule)."""


def _sorted_units(units: list[Unit], pick: Pick) -> list[Unit]:
    # Stable sort over canonical order, so equal values break ties by line order.
    return sorted(units, key=lambda unit: unit.value, reverse=pick is Pick.MOST_EXPENSIVE)


def _open_pairs(state: CartState, selector: Selector) -> list[tuple[LineState, int]]:
    """``state.open_units(selector)`` as (line, value) pairs: the same units, no objects."""
    return [(line, value) for line in state.matching(selector) for value in line.open_unit_values()]


def _sorted_pairs(pairs: list[tuple[LineState, int]], pick: Pick) -> list[tuple[LineState, int]]:
    """``_sorted_units`` for (line, value) pairs: stable, so equal values go by line order."""
    return sorted(pairs, key=_value_of, reverse=pick is Pick.MOST_EXPENSIVE)


_value_of = operator.itemgetter(1)


def _discounted(value: object) -> Pick:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(Pick, value, "discounted")


def _optional_count() -> Any:
    return attrs.field(default=None, validator=check.optional(check.positive_int), kw_only=True)


def _limited_units(
    state: CartState,
    selector: Selector | None,
    max_units: int | None,
    per_line: int | None,
    pick: Pick,
) -> list[list[Unit]]:
    """The open units a unit-capped benefit discounts, grouped by line (canonical order).

    At most ``per_line`` from each line and ``max_units`` in all, the cheapest first (or the
    dearest, with ``Pick.MOST_EXPENSIVE``); equal values go by line order.
    """
    pool: list[Unit] = []
    for line in state.matching(selector):
        units = [Unit(line, value) for value in line.open_unit_values()]
        if per_line is not None:
            units = _sorted_units(units, pick)[:per_line]
        pool += units
    chosen = _sorted_units(pool, pick)
    if max_units is not None:
        chosen = chosen[:max_units]
    grouped: dict[int, list[Unit]] = {}
    for unit in chosen:
        grouped.setdefault(unit.line.index, []).append(unit)
    return [grouped[index] for index in sorted(grouped)]


def _describe_caps(max_units: int | None, per_line: int | None, pick: Pick) -> str:
    parts = []
    if max_units is not None:
        parts.append(f"at most {max_units} {'unit' if max_units == 1 else 'units'}")
    if per_line is not None:
        parts.append(f"at most {per_line} per line")
    if not parts:
        return ""
    first = "cheapest" if pick is Pick.CHEAPEST else "dearest"
    return f" ({', '.join(parts)}, {first} first)"


@attrs.frozen
class Percentage(Benefit):
    """A percentage off the selected items, or off the whole order.

    With a selector, each selected line's open units are discounted by ``percent`` of their
    current amount, rounded per line with the engine's rounding mode (so a line's discount is
    within one minor unit of amount × percent / 100). Without one, ``percent`` of the order's
    current total is taken off and spread over the lines exactly.

    With ``max_units`` or ``max_units_per_line`` (a selector is then needed), only that many
    selected units are discounted, chosen by ``discounted``: the cheapest first (default) or
    the dearest; the percentage is rounded per line on the chosen units' amount.

    Attributes:
        percent: The percentage, from 0 to 100.
        selector: The items discounted; ``None`` for the whole order.
        max_discount: The most this benefit gives on one order, per currency, if capped.
        max_units: The most units it discounts in one order, if limited.
        max_units_per_line: The most units it discounts on one line, if limited.
        discounted: Which units a unit limit keeps: the cheapest (default) or the dearest.

    Examples:
        >>> from shopkit.pricing import Categories, Percentage
        >>> Percentage("10", selector=Categories(["Accessories"])).describe()
        '10% off items from Accessories'
    """

    percent: Decimal = attrs.field(converter=_to_percent, validator=_percent)
    selector: Selector | None = attrs.field(default=None, validator=_optional(Selector))
    max_discount: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))
    max_units: int | None = _optional_count()
    max_units_per_line: int | None = _optional_count()
    discounted: Pick = attrs.field(default=Pick.CHEAPEST, converter=_discounted, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _units_need_a_selector(self.selector, self.max_units, self.max_units_per_line)

    @property
    def level(self) -> Level:  # type: ignore[override]
        """Line level with a selector, order level without."""
        return Level.LINE if self.selector is not None else Level.ORDER

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Take the percentage off each selected line (or its chosen units), or the order."""
        if self.selector is None:
            state.discount_order(_share(state.total, self.percent, rounding))
        elif self.max_units is not None or self.max_units_per_line is not None:
            for units in _limited_units(
                state, self.selector, self.max_units, self.max_units_per_line, self.discounted
            ):
                values = [unit.value for unit in units]
                cut = _share(sum(values), self.percent, rounding)
                parts = split_minor(cut, values, values) if cut else [0] * len(units)
                state.discount_units(zip(units, parts, strict=True))
        else:
            for line in state.matching(self.selector):
                state.discount_open(line, _share(line.open_amount, self.percent, rounding))
        if self.max_discount is not None:
            state.cap_pending(self.max_discount.get(state.currency, "max_discount").minor)

    def describe(self) -> str:
        """Say "10% off …"."""
        what = self.selector.describe() if self.selector else "the order"
        caps = _describe_caps(self.max_units, self.max_units_per_line, self.discounted)
        return f"{_fmt_percent(self.percent)} off {what}{caps}"


class Per(enum.StrEnum):
    """What a fixed amount off is counted per."""

    UNIT = "unit"
    """Per selected unit."""
    LINE = "line"
    """Per selected line, whatever its quantity."""
    ORDER = "order"
    """Once per order, spread over the (selected) lines."""


def _per(value: object) -> Per:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(Per, value, "per")


@attrs.frozen
class FixedOff(Benefit):
    """A fixed amount off, per unit, per line or per order ("500 off from 3000").

    The amount is cut to what the items can take: a discount never makes a line negative.
    Per unit, ``max_units`` and ``max_units_per_line`` limit how many units get it ("3.00 off,
    at most 1 unit"), chosen by ``discounted``: the cheapest first (default) or the dearest.

    Attributes:
        amounts: The amount off, per currency.
        per: Per unit, per line or per order.
        selector: The items it applies to; ``None`` for all.
        max_units: Per unit: the most units that get it in one order, if limited.
        max_units_per_line: Per unit: the most units that get it on one line, if limited.
        discounted: Which units a unit limit keeps: the cheapest (default) or the dearest.
    """

    amounts: Amounts = attrs.field(validator=check.instance_of(Amounts))
    per: Per = attrs.field(default=Per.ORDER, converter=_per)
    selector: Selector | None = attrs.field(default=None, validator=_optional(Selector))
    max_units: int | None = _optional_count()
    max_units_per_line: int | None = _optional_count()
    discounted: Pick = attrs.field(default=Pick.CHEAPEST, converter=_discounted, kw_only=True)

    def __attrs_post_init__(self) -> None:
        limited = self.max_units is not None or self.max_units_per_line is not None
        if limited and self.per is not Per.UNIT:
            raise ValidationError(
                "a unit limit needs per='unit'",
                field="max_units" if self.max_units is not None else "max_units_per_line",
                value=self.max_units if self.max_units is not None else self.max_units_per_line,
            )

    @property
    def level(self) -> Level:  # type: ignore[override]
        """Order level per order, line level otherwise."""
        return Level.ORDER if self.per is Per.ORDER else Level.LINE

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Take the amount off each unit, each line or the order."""
        amount = self.amounts.get(state.currency).minor
        if self.max_units is not None or self.max_units_per_line is not None:
            for units in _limited_units(
                state, self.selector, self.max_units, self.max_units_per_line, self.discounted
            ):
                state.discount_units((unit, amount) for unit in units)
            return
        lines = state.matching(self.selector)
        if self.per is Per.ORDER:
            state.discount_order(amount, lines if self.selector is not None else None)
            return
        for line in lines:
            count = line.open_units if self.per is Per.UNIT else (1 if line.open_units else 0)
            state.discount_open(line, amount * count)

    def describe(self) -> str:
        """Say "5.00 EUR off …"."""
        what = self.selector.describe() if self.selector else "the order"
        per = {Per.UNIT: " per item", Per.LINE: " per line", Per.ORDER: ""}[self.per]
        caps = _describe_caps(self.max_units, self.max_units_per_line, self.discounted)
        return f"{self.amounts.describe()} off {what}{per}{caps}"


@attrs.frozen
class FixedPrice(Benefit):
    """Selected units sell at a fixed unit price (never raising a price that is lower).

    ``max_units`` and ``max_units_per_line`` limit how many units get the price, chosen by
    ``discounted``: the cheapest first (default) or the dearest.

    Attributes:
        amounts: The unit price, per currency.
        selector: The items.
        max_units: The most units at that price in one order, if limited.
        max_units_per_line: The most units at that price on one line, if limited.
        discounted: Which units a unit limit keeps: the cheapest (default) or the dearest.
    """

    amounts: Amounts = attrs.field(validator=check.instance_of(Amounts))
    selector: Selector = attrs.field(validator=check.instance_of(Selector))
    max_units: int | None = _optional_count()
    max_units_per_line: int | None = _optional_count()
    discounted: Pick = attrs.field(default=Pick.CHEAPEST, converter=_discounted, kw_only=True)

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Lower each selected open unit (or each chosen one) to the price."""
        price = self.amounts.get(state.currency).minor
        if self.max_units is not None or self.max_units_per_line is not None:
            for units in _limited_units(
                state, self.selector, self.max_units, self.max_units_per_line, self.discounted
            ):
                state.discount_units((unit, unit.value - price) for unit in units)
            return
        for line in state.matching(self.selector):
            state.discount_open(line, line.open_amount - price * line.open_units)

    def describe(self) -> str:
        """Say "… for 9.99 EUR each"."""
        caps = _describe_caps(self.max_units, self.max_units_per_line, self.discounted)
        return f"{self.selector.describe()} for {self.amounts.describe()} each{caps}"


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
