"""The engine's working copy of a cart while promotions are applied, in whole minor units.

Each line keeps its current amount, how many of its units are still *open* (not consumed by a
bundle, buy-X-get-Y or cheapest-item-free deal) and the current amount of those open units. A
benefit records what it would take as *pending* changes; the engine then applies the promotion's
caps and commits them, so a cap never leaves a half-applied promotion behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from shopkit import Money, Product
from shopkit._money import split_minor
from shopkit.pricing._base import Context, Selector

__all__ = ["CartState", "LineState", "Unit"]


@attrs.define
class LineState:
    """One (merged, canonically ordered) line while it is being priced."""

    index: int
    product: Product
    quantity: int
    amount: int
    open_units: int
    open_amount: int
    floor_unit: int
    gift: bool = False

    @property
    def base(self) -> int:
        """The line total before any discount, in minor units."""
        return self.product.unit_price.minor * self.quantity

    def open_unit_values(self) -> list[int]:
        """The current value of each open unit, spread exactly (largest first)."""
        if self.open_units == 0:
            return []
        share, extra = divmod(self.open_amount, self.open_units)
        return [share + 1] * extra + [share] * (self.open_units - extra)


@attrs.frozen
class Unit:
    """One open unit of a line, with its current value, as unit-consuming benefits see it."""

    line: LineState
    value: int


@attrs.define
class _Pending:
    discount: int = 0
    open_discount: int = 0
    consumed_units: int = 0
    consumed_value: int = 0


@attrs.define
class CartState:
    """The cart as the engine prices it; benefits act on it through its methods."""

    currency: str
    lines: list[LineState]
    shipping_price: int
    shipping_method: str | None
    context: Context
    shipping: int = 0
    floor_margin: Callable[[LineState], int] | None = None
    pending: dict[int, _Pending] = attrs.field(factory=dict)
    pending_order: int = 0
    pending_shipping: int = 0
    pending_gifts: list[LineState] = attrs.field(factory=list)

    # -- what benefits read ------------------------------------------------------------------

    def money(self, minor: int) -> Money:
        """An amount in the cart's currency."""
        return Money._trusted(minor, self.currency)

    @property
    def total(self) -> int:
        """The current total of the lines, in minor units."""
        return sum(line.amount for line in self.lines)

    def matching(self, selector: Selector | None) -> list[LineState]:
        """Lines (not gifts) whose product the selector selects (all, for ``None``)."""
        return [
            line
            for line in self.lines
            if not line.gift and (selector is None or selector.matches(line.product))
        ]

    def open_units(self, selector: Selector | None) -> list[Unit]:
        """Every open unit of the selected lines, in canonical line order."""
        return [
            Unit(line, value)
            for line in self.matching(selector)
            for value in line.open_unit_values()
        ]

    def room(self, line: LineState) -> int:
        """How much more a line can be discounted before it reaches its price floor."""
        floor = line.floor_unit
        if self.floor_margin is not None:
            floor = max(floor, self.floor_margin(line))
        pending = self.pending.get(line.index)
        taken = pending.discount if pending is not None else 0
        return max(0, line.amount - taken - floor * line.quantity)

    def _pending(self, line: LineState) -> _Pending:
        return self.pending.setdefault(line.index, _Pending())

    # -- what benefits do --------------------------------------------------------------------

    def discount_open(self, line: LineState, amount: int) -> int:
        """Discount the open units of a line by ``amount`` (capped by its floor); return it."""
        pending = self._pending(line)
        amount = min(amount, line.open_amount - pending.open_discount, self.room(line))
        if amount <= 0:
            return 0
        pending.discount += amount
        pending.open_discount += amount
        return amount

    def take_units(self, units: Iterable[tuple[Unit, int]]) -> int:
        """Consume units, each discounted by the amount paired with it; return the discount.

        A consumed unit is not open any more: no later line-level promotion uses or discounts
        it. Each discount is capped by the unit's value and the line's floor.
        """
        given = 0
        for unit, discount in units:
            pending = self._pending(unit.line)
            cut = max(0, min(discount, unit.value, self.room(unit.line)))
            pending.consumed_units += 1
            pending.consumed_value += unit.value
            pending.discount += cut
            given += cut
        return given

    def discount_order(self, amount: int, lines: Sequence[LineState] | None = None) -> int:
        """Discount the order (or ``lines``) by ``amount``, spread over lines by their amounts.

        The parts are exact (largest remainder, ties by canonical line order) and no line goes
        below its floor; the amount is cut to what the lines can take. Returns what was given.
        """
        targets = [line for line in (lines if lines is not None else self.lines) if not line.gift]
        rooms = [self.room(line) for line in targets]
        amount = min(amount, sum(rooms))
        if amount <= 0:
            return 0
        weights = [
            max(0, line.amount - (p.discount if (p := self.pending.get(line.index)) else 0))
            for line in targets
        ]
        if not any(weights):
            weights = rooms
        parts = split_minor(amount, weights, rooms)
        for line, part in zip(targets, parts, strict=True):
            if part:
                pending = self._pending(line)
                pending.discount += part
                pending.open_discount += min(part, line.open_amount - pending.open_discount)
        self.pending_order += amount
        return amount

    def add_gift(self, product: Product, quantity: int) -> None:
        """Add a gift line at its price, fully discounted; it is committed with the rest."""
        base = product.unit_price.minor * quantity
        line = LineState(
            index=len(self.lines),
            product=product,
            quantity=quantity,
            amount=base,
            open_units=0,
            open_amount=0,
            floor_unit=0,
            gift=True,
        )
        self.lines.append(line)
        self.pending_gifts.append(line)
        self._pending(line).discount = base

    def discount_shipping(self, amount: int) -> int:
        """Discount shipping by ``amount`` (at most what shipping costs now); return it."""
        amount = max(0, min(amount, self.shipping - self.pending_shipping))
        self.pending_shipping += amount
        return amount

    # -- what the engine does ----------------------------------------------------------------

    def pending_total(self) -> int:
        """The discount the pending changes add up to (lines and shipping)."""
        return sum(p.discount for p in self.pending.values()) + self.pending_shipping

    def cap_pending(self, limit: int) -> None:
        """Scale the pending changes down so they add up to at most ``limit``."""
        total = self.pending_total()
        if total <= limit:
            return
        keys = sorted(self.pending)
        weights = [self.pending[key].discount for key in keys] + [self.pending_shipping]
        parts = split_minor(limit, weights, weights)
        for key, part in zip(keys, parts, strict=False):
            pending = self.pending[key]
            pending.discount = part
            pending.open_discount = min(pending.open_discount, part)
        self.pending_shipping = parts[-1]

    def commit(self) -> tuple[dict[int, tuple[int, int]], int]:
        """Apply the pending changes; return {line index: (discount, units)} and shipping."""
        by_line = {}
        for index, pending in sorted(self.pending.items()):
            line = self.lines[index]
            line.amount -= pending.discount
            line.open_amount -= pending.consumed_value + pending.open_discount
            line.open_units -= pending.consumed_units
            line.open_amount = max(0, line.open_amount)
            if pending.discount or pending.consumed_units:
                by_line[index] = (pending.discount, pending.consumed_units)
        shipping = self.pending_shipping
        self.shipping -= shipping
        self.pending_gifts = []  # committed: they stay
        self.discard()
        return by_line, shipping

    def discard(self) -> None:
        """Drop the pending changes (a gift line added by them goes too)."""
        for gift in self.pending_gifts:
            self.lines.remove(gift)
        self.pending_gifts = []
        self.pending = {}
        self.pending_order = 0
        self.pending_shipping = 0
