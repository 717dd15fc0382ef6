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
    """One (merged, canonically ordered) line while it is being priced.

    The ``pending_*`` fields hold what the promotion being applied would change, until the
    engine commits or discards it.
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
class CartState:
    """The cart as the engine prices it; benefits act on it through its methods."""

    currency: str
    lines: list[LineState]
    shipping_price: int
    shipping_method: str | None
    context: Context
    shipping: int = 0
    floor_margin: Callable[[LineState], int] | None = None
    touched: dict[int, LineState] = attrs.field(factory=dict)
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
        if selector is None:
            return [line for line in self.lines if not line.gift]
        matches = selector.matches
        return [line for line in self.lines if not line.gift and matches(line.product)]

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
        return max(0, line.amount - line.pending_discount - floor * line.quantity)

    # -- what benefits do --------------------------------------------------------------------

    def discount_open(self, line: LineState, amount: int) -> int:
        """Discount the open units of a line by ``amount`` (capped by its floor); return it."""
        amount = min(amount, line.open_amount - line.pending_open, self.room(line))
        if amount <= 0:
            return 0
        line.pending_discount += amount
        line.pending_open += amount
        self.touched[line.index] = line
        return amount

    def take_units(self, units: Iterable[tuple[Unit, int]]) -> int:
        """Consume units, each discounted by the amount paired with it; return the discount.

        A consumed unit is not open any more: no later line-level promotion uses or discounts
        it. Each discount is capped by the unit's value and the line's floor.
        """
        given = 0
        for unit, discount in units:
            line = unit.line
            cut = max(0, min(discount, unit.value, self.room(line)))
            line.pending_units += 1
            line.pending_value += unit.value
            line.pending_discount += cut
            self.touched[line.index] = line
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
        weights = [max(0, line.amount - line.pending_discount) for line in targets]
        if not any(weights):
            weights = rooms
        parts = split_minor(amount, weights, rooms)
        touched = self.touched
        for line, part in zip(targets, parts, strict=True):
            if part:
                line.pending_discount += part
                line.pending_open += min(part, line.open_amount - line.pending_open)
                touched[line.index] = line
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
            pending_discount=base,
        )
        self.lines.append(line)
        self.pending_gifts.append(line)
        self.touched[line.index] = line

    def discount_shipping(self, amount: int) -> int:
        """Discount shipping by ``amount`` (at most what shipping costs now); return it."""
        amount = max(0, min(amount, self.shipping - self.pending_shipping))
        self.pending_shipping += amount
        return amount

    # -- what the engine does ----------------------------------------------------------------

    def pending_total(self) -> int:
        """The discount the pending changes add up to (lines and shipping)."""
        return sum(line.pending_discount for line in self.touched.values()) + self.pending_shipping

    def cap_pending(self, limit: int) -> None:
        """Scale the pending changes down so they add up to at most ``limit``."""
        if self.pending_total() <= limit:
            return
        lines = [self.touched[index] for index in sorted(self.touched)]
        weights = [line.pending_discount for line in lines] + [self.pending_shipping]
        parts = split_minor(limit, weights, weights)
        for line, part in zip(lines, parts, strict=False):
            line.pending_discount = part
            line.pending_open = min(line.pending_open, part)
        self.pending_shipping = parts[-1]

    def commit(self) -> tuple[list[tuple[int, int, int]], int]:
        """Apply the pending changes; return [(line index, discount, units)] and shipping."""
        by_line = []
        for index in sorted(self.touched):
            line = self.touched[index]
            line.amount -= line.pending_discount
            line.open_amount = max(0, line.open_amount - line.pending_value - line.pending_open)
            line.open_units -= line.pending_units
            if line.pending_discount or line.pending_units:
                by_line.append((index, line.pending_discount, line.pending_units))
        shipping = self.pending_shipping
        self.shipping -= shipping
        self.pending_gifts = []  # committed: they stay
        self.discard()
        return by_line, shipping

    def discard(self) -> None:
        """Drop the pending changes (a gift line added by them goes too)."""
        for line in self.touched.values():
            line.pending_discount = line.pending_open = 0
            line.pending_units = line.pending_value = 0
        for gift in self.pending_gifts:
            self.lines.remove(gift)
        self.pending_gifts = []
        self.touched = {}
        self.pending_shipping = 0
