"""The engine's working copy of the cart, and what benefits do to it.

A benefit records what it would take as *pending* changes on the ``CartState`` (on its lines,
``LineState``, in ``_line_state``); the engine then applies the promotion's caps and commits
them, so a cap never leaves a half-applied promotion behind. The canonical form it starts from
is ``_canonical``'s; what one pass made of the cart, and the priced lines built from it, are
``_outcome``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from shopkit import Money, Product
from shopkit._allocation import split_minor
from shopkit.pricing._line_state import LineState, Unit, spread
from shopkit.pricing._selectors import selected_lines
from shopkit.pricing._values import Context, Selector

__all__ = ["CartState"]


@attrs.define
class CartState:
    """The cart as the engine prices it; benefits act on it through its methods.

    Attributes:
        currency: The cart's currency.
        lines: The lines in canonical order, then any gift lines.
        shipping_method: The chosen shipping option's id, if any.
        context: What the conditions see at this step (the threshold amount changes at the
            order step).
        shipping: The current shipping price, in minor units.
        floor_margin: The price floor the promotion being applied sets per line, if any.
        touched: The lines with pending changes, by index.
        pending_shipping: The shipping discount pending.
        pending_gifts: The gift lines pending.
        committed: What the last ``commit`` took off the lines, in minor units.
    """

    currency: str
    lines: list[LineState]
    shipping_method: str | None
    context: Context
    shipping: int = 0
    floor_margin: Callable[[LineState], int] | None = None
    touched: dict[int, LineState] = attrs.field(factory=dict)
    pending_shipping: int = 0
    pending_gifts: list[LineState] = attrs.field(factory=list)
    _floors: bool = attrs.field(default=True, init=False, repr=False)
    _direct: list[tuple[int, int]] | None = attrs.field(default=None, init=False, repr=False)
    _queued: list[tuple[int, list[tuple[int, int, int]]]] = attrs.field(
        factory=list, init=False, repr=False
    )
    _queued_total: int = attrs.field(default=0, init=False, repr=False)
    _deferred: list[tuple[int, int, int]] | None = attrs.field(default=None, init=False, repr=False)
    committed: int = attrs.field(default=0, init=False)
    _subtotal: int = attrs.field(default=0, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        floors = False
        subtotal = 0
        for line in self.lines:
            floors = floors or line.floor_unit > 0
            if not line.gift:
                subtotal += line.product.unit_price.minor * line.quantity
        self._floors = floors
        self._subtotal = subtotal

    # -- what benefits read ------------------------------------------------------------------

    def money(self, minor: int) -> Money:
        """An amount in the cart's currency."""
        return Money._trusted(minor, self.currency)

    @property
    def subtotal(self) -> int:
        """The lines' total before any discount (gifts left out), in minor units."""
        return self._subtotal

    @property
    def total(self) -> int:
        """The current total of the lines, in minor units."""
        return sum([line.amount for line in self.lines]) - self._queued_total

    def matching(self, selector: Selector | None) -> list[LineState]:
        """Lines (not gifts) whose product the selector selects (all, for ``None``)."""
        if self._queued:
            self.settle()
        if selector is None:
            return [line for line in self.lines if not line.gift]
        return selected_lines(selector, self.lines)

    def open_units(self, selector: Selector | None) -> list[Unit]:
        """Every open unit of the selected lines, in canonical line order."""
        if self._queued:
            self.settle()
        return [
            Unit(line, value)
            for line in self.matching(selector)
            for value in line.open_unit_values()
        ]

    def room(self, line: LineState) -> int:
        """How much more a line can be discounted before it reaches its price floor."""
        if self._queued:
            self.settle()
        floor = line.floor_unit
        if self.floor_margin is not None:
            floor = max(floor, self.floor_margin(line))
        return max(0, line.amount - line.pending_discount - floor * line.quantity)

    # -- what benefits do --------------------------------------------------------------------

    def discount_open(self, line: LineState, amount: int) -> int:
        """Discount the open units of a line by ``amount`` (capped by its floor); return it."""
        if self._queued:
            self.settle()
        # the least of the amount, what the open units cost now, and the line's room (without
        # a floor, what the line costs now); compared inline, as this runs once per line
        room = (
            self.room(line)
            if self._floors or self.floor_margin is not None
            else line.amount - line.pending_discount
        )
        left = line.open_amount - line.pending_open
        if left < room:
            room = left
        if room < amount:
            amount = room
        if amount <= 0:
            return 0
        line.pending_discount += amount
        line.pending_open += amount
        self.touched[line.index] = line
        return amount

    def discount_units(self, units: Iterable[tuple[Unit, int]]) -> int:
        """Discount some open units, each by the amount paired with it, without consuming them.

        For a benefit limited to some units ("3.00 off, at most 1 unit"): the units keep their
        own values from then on, so the per-unit results show which units got it. Each cut is
        capped by the unit's value and the line's floor. Returns the discount.
        """
        if self._queued:
            self.settle()
        given = 0
        for unit, discount in units:
            line = unit.line
            if line.unit_values is None:
                line.unit_values = line.open_unit_values()
            values = line.unit_values
            position = next(
                (
                    index
                    for index, value in enumerate(values)
                    if value == unit.value and index not in line.pending_cuts
                ),
                None,
            )
            if position is None:
                continue
            cut = max(
                0,
                min(discount, unit.value, self.room(line), line.open_amount - line.pending_open),
            )
            if cut == 0:
                continue
            line.pending_cuts[position] = cut
            line.pending_discount += cut
            line.pending_open += cut
            self.touched[line.index] = line
            given += cut
        return given

    def take_units(self, units: Iterable[tuple[Unit, int]]) -> int:
        """Consume units, each discounted by the amount paired with it; return the discount.

        A consumed unit is not open any more: no later line-level promotion uses or discounts
        it. Each discount is capped by the unit's value and the line's floor.
        """
        return self.take_values([(unit.line, unit.value, discount) for unit, discount in units])

    def take_values(self, units: Iterable[tuple[LineState, int, int]]) -> int:
        """``take_units`` for units given as (line, value, discount), without ``Unit`` objects.

        For benefits that pick units by value themselves (a bundle's sets): the same
        consumption, the same caps, in the order given.
        """
        if self._queued:
            self.settle()
        given = 0
        floored = self._floors or self.floor_margin is not None
        touched = self.touched
        for line, value, discount in units:
            # without a floor, what a line can take is what it costs now
            room = self.room(line) if floored else line.amount - line.pending_discount
            # max(0, min(discount, value, room)), without the calls (once per unit)
            cut = discount if discount < value else value
            if cut > room:
                cut = room
            if cut < 0:
                cut = 0
            line.pending_units += 1
            line.pending_value += value
            line.pending_discount += cut
            line.pending_taken.append((value, cut))
            touched[line.index] = line
            given += cut
        return given

    def discount_order(self, amount: int, lines: Sequence[LineState] | None = None) -> int:
        """Discount the order (or ``lines``) by ``amount``, spread over lines by their amounts.

        The parts are exact (largest remainder, ties by canonical line order) and no line goes
        below its floor; the amount is cut to what the lines can take. Returns what was given.
        """
        if (
            lines is None
            and self._direct is not None
            and self._deferred is None
            and not self.touched
            and self.floor_margin is None
            and not self._floors
            and [line.unit_values for line in self.lines].count(None) == len(self.lines)
        ):
            return self._defer(amount)
        if self._queued:
            self.settle()
        targets = [line for line in (lines if lines is not None else self.lines) if not line.gift]
        weights = [line.amount - line.pending_discount for line in targets]
        if min(weights, default=0) < 0:  # a line below 0 (only a plugin can make one) weighs 0
            weights = [weight if weight > 0 else 0 for weight in weights]
        if self.floor_margin is None and not self._floors:
            # no floor: what a line can take is what it costs now, so the caps of the split
            # are its weights, and only the whole amount reaches them
            rooms = weights
            room = sum(weights)
            amount = min(amount, room)
            if amount <= 0:
                return 0
            parts = list(weights) if amount == room else spread(amount, weights, room)
        else:
            rooms = [self.room(line) for line in targets]
            amount = min(amount, sum(rooms))
            if amount <= 0:
                return 0
            if not any(weights):
                weights = rooms
            parts = split_minor(amount, weights, rooms)
        touched = self.touched
        direct = self._direct
        for line, part in zip(targets, parts, strict=True):
            if not part:
                continue
            if direct is not None and line.unit_values is None and line.index not in touched:
                # committed at once (``commit_directly``): the open units are alike, so only
                # the amounts change, and what the open units cannot take spills over the
                # consumed ones (spread over them once, when unit prices are read)
                line.amount -= part
                open_amount = line.open_amount
                if part <= open_amount:
                    line.open_amount = open_amount - part
                else:
                    line.open_amount = 0
                    if line.taken:
                        line.taken_spill += part - open_amount
                direct.append((line.index, part))
            else:
                line.pending_discount += part
                left = line.open_amount - line.pending_open
                line.pending_open += part if part < left else left
                touched[line.index] = line
        return amount

    def add_gift(self, product: Product, quantity: int) -> None:
        """Add a gift line at its price, fully discounted; it is committed with the rest."""
        if self._queued:
            self.settle()
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

    def _defer(self, amount: int) -> int:
        """Take ``amount`` off the order now, and split it over the lines when they are read.

        For an order discount committed directly (``commit_directly``) on lines that are all
        plain and have no floor, what the lines can take is their total, and what each takes
        matters only to the lines themselves: the split waits in a queue, and ``settle`` makes
        the splits in order (each over the amounts the ones before it left) the first time a
        line is read, so they are exactly the splits made at once. Most carts priced for their
        total are never split.
        """
        amount = min(amount, self.total)
        if amount <= 0:
            return 0
        lines: list[tuple[int, int, int]] = []
        self._queued.append((amount, lines))
        self._queued_total += amount
        self._deferred = lines
        return amount

    def settle(self) -> None:
        """Split the order discounts that wait (``_defer``) over the lines, in order.

        Every method that reads or changes lines calls it first; the engine calls it before
        a benefit that is not built in, and before reading the lines of an outcome.
        """
        queued = self._queued
        if not queued:
            return
        self._queued = []
        self._queued_total = 0
        targets = [line for line in self.lines if not line.gift]
        for amount, by_line in queued:
            weights = [line.amount for line in targets]
            room = sum(weights)
            parts = list(weights) if amount == room else spread(amount, weights, room)
            for line, part in zip(targets, parts, strict=True):
                if not part:
                    continue
                line.amount -= part
                open_amount = line.open_amount
                if part <= open_amount:
                    line.open_amount = open_amount - part
                else:
                    line.open_amount = 0
                    if line.taken:
                        line.taken_spill += part - open_amount
                by_line.append((line.index, part, 0))

    def commit_directly(self) -> None:
        """Let the next promotion's order discounts on plain lines be committed as they are made.

        The engine calls it for a built-in order benefit no cap can cut (no ``max_discount``,
        no order budget): its pending changes would be committed unchanged, so its parts on
        lines whose units are alike (nothing consumed, no unit discounted alone) are written
        straight away, in the same pass that splits them, and ``commit`` reports them with the
        rest. Such changes cannot be discarded, and ``total`` includes them at once.
        """
        self._direct = []

    def pending_total(self) -> int:
        """The discount the pending changes add up to (lines and shipping)."""
        direct = sum([part for _, part in self._direct]) if self._direct else 0
        if self._deferred is not None and self._queued and self._queued[-1][1] is self._deferred:
            direct += self._queued[-1][0]
        return (
            sum(line.pending_discount for line in self.touched.values())
            + self.pending_shipping
            + direct
        )

    def cap_pending(self, limit: int) -> None:
        """Scale the pending changes down so they add up to at most ``limit``."""
        if self._queued:
            self.settle()
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
        """Apply the pending changes; return [(line index, discount, units)] and shipping.

        The lines of an order discount split later (``settle``) are in the list once settled.
        """
        if self._queued and self.touched:
            self.settle()
        by_line: list[tuple[int, int, int]] = []
        touched = self.touched
        committed = 0  # what the lines took, unless merged with more below
        merged = False
        for index in sorted(touched):
            line = touched[index]
            discount = line.pending_discount
            if not line.gift and (
                line.pending_taken
                or line.pending_cuts
                or line.unit_values is not None
                or (line.taken and discount != line.pending_open)
            ):
                # only then do the per-unit values change otherwise than evenly
                line._commit_units()
            units = line.pending_units
            line.amount -= discount
            left = line.open_amount - line.pending_value - line.pending_open
            line.open_amount = left if left > 0 else 0
            committed += discount
            if units:
                line.open_units -= units
                by_line.append((index, discount, units))
                line.pending_units = line.pending_value = 0
            elif discount:
                by_line.append((index, discount, 0))
            line.pending_discount = line.pending_open = 0
            if line.pending_taken:
                line.pending_taken = []
            if line.pending_cuts:
                line.pending_cuts = {}
        direct = self._direct
        if direct is not None:
            self._direct = None
            if direct:
                by_line = _merged(by_line, direct)
                merged = True
        deferred = self._deferred
        if deferred is not None and self._queued and self._queued[-1][1] is deferred:
            # an order discount whose split waits (``_defer``): no line changed besides, as
            # any change to one settles it first; its lines are filled in when settled
            by_line = deferred
            self.committed = self._queued[-1][0]
        else:
            if deferred is not None:
                # settled while the promotion was applied: its parts are on the lines already
                by_line = _merged(by_line, [(index, part) for index, part, _ in deferred])
                merged = True
            if merged:
                committed = sum([discount for _, discount, _ in by_line])
            self.committed = committed
        self._deferred = None
        shipping = self.pending_shipping
        self.shipping -= shipping
        self.pending_shipping = 0
        self.pending_gifts = []  # committed: they stay
        self.touched = {}
        return by_line, shipping

    def discard(self) -> None:
        """Drop the pending changes (a gift line added by them goes too)."""
        deferred = self._deferred
        if deferred is not None:
            self._deferred = None
            if self._queued and self._queued[-1][1] is deferred:  # its split waits: drop it
                amount, _ = self._queued.pop()
                self._queued_total -= amount
        for line in self.touched.values():
            line.pending_discount = line.pending_open = 0
            line.pending_units = line.pending_value = 0
            if line.pending_taken:
                line.pending_taken = []
            if line.pending_cuts:
                line.pending_cuts = {}
        for gift in self.pending_gifts:
            self.lines.remove(gift)
        self.pending_gifts = []
        self.touched = {}
        self.pending_shipping = 0
        self._direct = None  # what was committed directly stays (no cap could cut it)


def _merged(
    by_line: list[tuple[int, int, int]], direct: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """The lines ``commit`` reports, with those committed directly, by line index."""
    direct.sort()
    if not by_line and len(dict(direct)) == len(direct):
        return [(index, part, 0) for index, part in direct]  # one split: each line once
    amounts: dict[int, int] = {}
    for index, part in direct:
        amounts[index] = amounts.get(index, 0) + part
    units = {}
    for index, discount, consumed in by_line:
        amounts[index] = amounts.get(index, 0) + discount
        units[index] = consumed
    return [(index, amounts[index], units.get(index, 0)) for index in sorted(amounts)]
