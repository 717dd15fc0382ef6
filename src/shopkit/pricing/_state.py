"""The engine's working copy of the cart: its lines in whole minor units, and what benefits do.

Each line (``LineState``) keeps its current amount, how many of its units are still *open* (not
consumed by a bundle, buy-X-get-Y or cheapest-item-free deal) and the current amount of those
open units. A benefit records what it would take as *pending* changes on the ``CartState``; the
engine then applies the promotion's caps and commits them, so a cap never leaves a
half-applied promotion behind. The canonical form it starts from is ``_canonical``'s; what one
pass made of the cart, and the priced lines built from it, are ``_outcome``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs

from shopkit import Money, Product
from shopkit._money import split_minor
from shopkit.pricing._selectors import selected_lines
from shopkit.pricing._values import Context, Selector

__all__ = ["CartState", "LineState", "Unit", "fresh_line", "spread"]


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
        return _runs(self.unit_prices())

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


def _runs(prices: Iterable[int]) -> list[tuple[int, int]]:
    """Prices as (price, count) runs, dearest first."""
    counts: dict[int, int] = {}
    for value in prices:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), reverse=True)


# -- the canonical form in -----------------------------------------------------------------------
