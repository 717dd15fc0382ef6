"""The engine's working copy of one line, in whole minor units, and how amounts are split.

A ``LineState`` keeps a line's current amount, how many of its units are still *open* (not
consumed by a bundle, buy-X-get-Y or cheapest-item-free deal), the current amount of those open
units and, once they differ, each unit's value; the changes the promotion being applied would
make wait in its ``pending_*`` fields until the engine commits or discards them
(``CartState``, in ``_state``). ``spread`` splits an amount by weights exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from shopkit import Product
from shopkit._allocation import split_minor

__all__ = ["LineState", "Unit", "fresh_line", "price_runs", "spread"]


@attrs.define
class LineState:
    """One (merged, canonically ordered) line while it is being priced, in minor units.

    The ``pending_*`` fields hold what the promotion being applied would change, until the
    engine commits or discards it; a benefit changes them only through ``CartState``.

    Attributes:
        index: The line's position in the canonical form (gift lines come after).
        product: The product.
        quantity: How many units.
        amount: The line's current amount, after the discounts committed so far.
        open_units: How many units no deal has consumed yet.
        open_amount: The current amount of the open units.
        floor_unit: The lowest price one unit may be discounted to (the product's min price).
        gift: Whether a promotion added the line as a gift.
        pending_discount: The discount the promotion being applied would give the line.
        pending_open: The part of it taken off open units without consuming them.
        pending_units: The units it would consume.
        pending_value: The value of the units it would consume.
        taken: The current value of each unit a deal consumed, in the order consumed.
        unit_values: The current value of each open unit, once the open units differ (a
            discount on some of them only); ``None`` while they are alike and
            ``open_amount`` is spread evenly over them.
        pending_taken: Each unit the promotion being applied would consume: (value, cut).
        pending_cuts: The cut the promotion being applied would make on some open units, by
            position in ``unit_values``.
        taken_spill: What order discounts took off the consumed units beyond ``taken``'s
            values, spread over them in proportion once the unit prices are read.
    """

    index: int
    product: Product
    quantity: int
    amount: int
    open_units: int
    open_amount: int
    floor_unit: int
    gift: bool = False
    pending_discount: int = 0
    pending_open: int = 0
    pending_units: int = 0
    pending_value: int = 0
    taken: list[int] = attrs.field(factory=list)
    unit_values: list[int] | None = None
    pending_taken: list[tuple[int, int]] = attrs.field(factory=list)
    pending_cuts: dict[int, int] = attrs.field(factory=dict)
    taken_spill: int = 0

    @property
    def base(self) -> int:
        """The line total before any discount, in minor units."""
        return self.product.unit_price.minor * self.quantity

    def open_unit_values(self) -> list[int]:
        """The current value of each open unit, spread exactly (largest first)."""
        if self.open_units == 0:
            return []
        if self.unit_values is not None:
            return sorted(self.unit_values, reverse=True)
        share, extra = divmod(self.open_amount, self.open_units)
        return [share + 1] * extra + [share] * (self.open_units - extra)

    def unit_prices(self) -> list[int]:
        """What each unit costs now, consumed units first: they sum exactly to ``amount``."""
        taken = self.taken
        spill = self.taken_spill
        if spill:
            # capped by the units' values, which only the whole of them reach
            whole = sum(taken)
            parts = list(taken) if spill >= whole else spread(spill, taken, whole)
            taken = [value - part for value, part in zip(taken, parts, strict=True)]
        prices = [*taken, *self.open_unit_values()]
        if len(prices) != self.quantity or sum(prices) != self.amount:
            # a line whose units were not tracked one by one (a gift, or a plugin that changed
            # amounts without the state's calls): its amount spread evenly
            share, extra = divmod(self.amount, self.quantity)
            prices = [share + 1] * extra + [share] * (self.quantity - extra)
        return prices

    def unit_runs(self) -> list[tuple[int, int]]:
        """``unit_prices`` as (price, count) runs, dearest first."""
        if not self.taken and self.unit_values is None:
            # nothing consumed and the open units alike: the amount spread evenly
            share, extra = divmod(self.amount, self.quantity)
            return (
                [(share + 1, extra), (share, self.quantity - extra)]
                if extra
                else [(share, self.quantity)]
            )
        return price_runs(self.unit_prices())

    def _commit_units(self) -> None:
        """Carry the pending discount into the per-unit values (``taken``, ``unit_values``).

        The pending discount (after the engine's caps) is ``pending_discount``; its part on
        open units is ``pending_open``; the rest is on consumed units: first the cuts of the
        units consumed now (scaled down if a cap cut them), then any remainder (an order
        discount spilling past the open units) spread over the units consumed before, in
        proportion to their values.
        """
        on_consumed = self.pending_discount - self.pending_open
        cuts = [cut for _, cut in self.pending_taken]
        spill = on_consumed - sum(cuts)
        if spill < 0:
            cuts = split_minor(on_consumed, cuts, cuts)
            spill = 0
        if spill and self.taken:
            # spread once, when the unit prices are read (``unit_prices``)
            self.taken_spill += spill
        if self.pending_cuts or self.unit_values is not None:
            self._commit_open()
        self.taken += [
            value - cut for (value, _), cut in zip(self.pending_taken, cuts, strict=True)
        ]

    def _commit_open(self) -> None:
        values = self.unit_values if self.unit_values is not None else self.open_unit_values()
        positions = sorted(self.pending_cuts)
        wanted = [self.pending_cuts[position] for position in positions]
        targeted = sum(wanted)
        uniform = self.pending_open - targeted
        if uniform < 0:
            wanted = split_minor(self.pending_open, wanted, wanted)
            uniform = 0
        values = list(values)
        for position, cut in zip(positions, wanted, strict=True):
            values[position] -= cut
        cut_at = set(positions)
        for value, _ in self.pending_taken:
            for position, have in enumerate(values):
                if have == value and position not in cut_at:
                    values[position] = -1
                    break
        values = [value for value in values if value >= 0]
        if uniform and sum(values):
            parts = split_minor(uniform, values, values)
            values = [value - part for value, part in zip(values, parts, strict=True)]
        self.unit_values = values


_new = object.__new__


def fresh_line(index: int, product: Product, quantity: int, floor_unit: int) -> LineState:
    """A line nothing has discounted yet, its slots set directly.

    Equal to ``LineState(index, product, quantity, base, quantity, base, floor_unit)``, with
    ``base`` the unit price times the quantity, at a third of the cost of the generated
    ``__init__`` (17 arguments, three factories): ``price`` makes one per line, every pass.
    """
    line = _new(LineState)
    base = product.unit_price.minor * quantity
    line.index = index
    line.product = product
    line.quantity = quantity
    line.amount = base
    line.open_units = quantity
    line.open_amount = base
    line.floor_unit = floor_unit
    line.gift = False
    line.pending_discount = 0
    line.pending_open = 0
    line.pending_units = 0
    line.pending_value = 0
    line.taken = []
    line.unit_values = None
    line.pending_taken = []
    line.pending_cuts = {}
    line.taken_spill = 0
    return line


@attrs.frozen
class Unit:
    """One open unit of a line, with its current value, as unit-consuming benefits see it.

    Attributes:
        line: The line the unit belongs to.
        value: The unit's current value, in minor units.
    """

    line: LineState
    value: int


def spread(amount: int, weights: Sequence[int], total: int) -> list[int]:
    """``amount`` (below ``total``, the sum of the non-negative ``weights``) split by weight.

    Largest remainder, ties to the earlier part: ``split_minor`` without caps, as no part can
    reach its weight. Only parts of a positive weight ever get the extra units (the remainders
    add up to ``leftover × total``, each below ``total``, so more than ``leftover`` are positive).
    """
    parts = []
    remainders = []
    given = 0
    for weight in weights:  # a loop, not two comprehensions: this runs once per set, per split
        part, remainder = divmod(amount * weight, total)
        parts.append(part)
        remainders.append(remainder)
        given += part
    leftover = amount - given
    if leftover == 1:
        parts[remainders.index(max(remainders))] += 1  # the first of the largest remainders
    elif leftover:
        order = sorted(range(len(parts)), key=remainders.__getitem__, reverse=True)
        for index in order[:leftover]:
            parts[index] += 1
    return parts


def price_runs(prices: Iterable[int]) -> list[tuple[int, int]]:
    """Prices as (price, count) runs, dearest first."""
    counts: dict[int, int] = {}
    for value in prices:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), reverse=True)
