"""The cart in canonical form, in and out, and the engine's working copy of it.

In: lines of the same product are merged and sorted (``canonical``), so the result depends
neither on the order of the lines nor on how units are split over lines, and each merged line
becomes a ``LineState`` in whole minor units (``fresh_state``). Each line keeps its current
amount, how many of its units are still *open* (not consumed by a bundle, buy-X-get-Y or
cheapest-item-free deal) and the current amount of those open units. A benefit records what it
would take as *pending* changes; the engine then applies the promotion's caps and commits them,
so a cap never leaves a half-applied promotion behind. What one pass of the engine made of the
cart is an ``Outcome``.

Out: ``priced_lines`` maps an outcome back to the lines as given, splitting each merged line's
adjustments over its source lines by quantity, exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import attrs

from shopkit import Cart, Line, Money, Product
from shopkit._money import split_minor
from shopkit.pricing._result import Adjustment, AppliedPromotion, NotApplied, PricedLine
from shopkit.pricing._values import Context, Level, Selector

__all__ = [
    "CanonicalLine",
    "CartState",
    "Commit",
    "LineState",
    "Outcome",
    "Unit",
    "canonical",
    "fresh_state",
    "priced_lines",
]


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


# -- the canonical form in -----------------------------------------------------------------------


@attrs.frozen
class CanonicalLine:
    """The lines of one product, merged.

    Attributes:
        product: The product.
        quantity: The units of all its lines.
        sources: Each line it merges, as (index of the line as given, its quantity).
    """

    product: Product
    quantity: int
    sources: tuple[tuple[int, int], ...]


def _full_key(product: Product) -> tuple[object, ...]:
    # Two lines can share a sku and a price and still differ (a cost, a floor or a stock level
    # given on one only): they stay apart, in an order fixed by every field, so the canonical
    # form (and with it every tie-break) does not depend on the order of the lines.
    return (
        product.sku,
        product.unit_price.minor,
        product.name,
        product.categories,
        product.tags,
        tuple(product.attributes.items()),
        product.cost.minor if product.cost else -1,
        product.min_price.minor if product.min_price else -1,
        -1 if product.stock is None else product.stock,
    )


def canonical(cart: Cart) -> tuple[CanonicalLine, ...]:
    """The cart's lines merged by product and sorted by sku and price (then every field)."""
    merged: dict[Product, list[tuple[int, int]]] = {}
    for index, line in enumerate(cart.lines):
        merged.setdefault(line.product, []).append((index, line.quantity))
    # Sort by sku and price; only products that tie on both need the full key.
    items = sorted(merged.items(), key=lambda item: (item[0].sku, item[0].unit_price.minor))
    if any(
        (a.sku, a.unit_price.minor) == (b.sku, b.unit_price.minor)
        for (a, _), (b, _) in itertools.pairwise(items)
    ):
        items.sort(key=lambda item: _full_key(item[0]))
    return tuple(
        CanonicalLine(product, sum(q for _, q in sources), tuple(sources))
        for product, sources in items
    )


def fresh_state(lines: Sequence[CanonicalLine], cart: Cart, context: Context) -> CartState:
    """A working copy of the canonical lines, nothing discounted yet."""
    states = []
    for index, item in enumerate(lines):
        product = item.product
        base = product.unit_price.minor * item.quantity
        states.append(
            LineState(
                index=index,
                product=product,
                quantity=item.quantity,
                amount=base,
                open_units=item.quantity,
                open_amount=base,
                floor_unit=product.min_price.minor if product.min_price else 0,
            )
        )
    return CartState(
        currency=cart.currency,
        lines=states,
        shipping_method=cart.shipping_method,
        context=context,
        shipping=cart.shipping.minor,
    )


# -- one pass of the engine ----------------------------------------------------------------------


class Commit(NamedTuple):
    """What one promotion committed: its lines as ``CartState.commit`` returns them.

    The best-for-customer search prices many combinations and keeps one, so an outcome records
    one commit per promotion, and it is spread into adjustments per line only for the outcome
    that is kept (``Outcome.adjustments``).

    Attributes:
        promotion_id: The promotion.
        level: ``line``, or ``order`` for an order or shipping promotion's part of the lines.
        lines: Each line it changed: (line index, discount, units consumed).
    """

    promotion_id: str
    level: Level
    lines: list[tuple[int, int, int]]


@attrs.define
class Outcome:
    """What applying a list of promotions made of the cart.

    Attributes:
        state: The working copy after the last promotion.
        applied: The promotions that gave something, in application order.
        not_applied: The chosen promotions that gave nothing, with why.
        commits: What each promotion that gave something committed, in application order.
        shipping_discount: What was taken off shipping, in minor units.
        threshold: What order-level thresholds were compared with, once the order step ran.
    """

    state: CartState
    applied: list[AppliedPromotion] = attrs.field(factory=list)
    not_applied: list[NotApplied] = attrs.field(factory=list)
    commits: list[Commit] = attrs.field(factory=list)
    shipping_discount: int = 0
    threshold: int | None = None

    @property
    def total(self) -> int:
        """The total the customer would pay: lines and shipping, in minor units."""
        return self.state.total + self.state.shipping

    @property
    def saving(self) -> int:
        """What the customer gets, in minor units: everything taken off items and shipping.

        A gift counts at its price: its line is in the cart at its price and discounted in
        full.
        """
        state = self.state
        return sum(line.base for line in state.lines) - state.total + self.shipping_discount

    def adjustments(self) -> dict[int, list[Adjustment]]:
        """The adjustments per line index (canonical lines, then gifts), in application order."""
        trusted = Money._trusted
        currency = self.state.currency
        by_line: dict[int, list[Adjustment]] = {}
        for promotion_id, level, lines in self.commits:
            for index, discount, units in lines:
                made = Adjustment(promotion_id, level, trusted(discount, currency), units)
                if index in by_line:
                    by_line[index].append(made)
                else:
                    by_line[index] = [made]
        return by_line


# -- the canonical form out ----------------------------------------------------------------------


def _split_back(
    item: CanonicalLine, adjustments: Sequence[Adjustment], currency: str
) -> dict[int, tuple[tuple[Adjustment, ...], int]]:
    # Lines of one product were priced together: split each adjustment back over them by
    # quantity, exactly, no line past its own subtotal; the units a deal consumed are split the
    # same way as its money (by quantity, no line past the units it has left), so a line that
    # carries part of a deal's discount also carries its part of the deal's units.
    quantities = [q for _, q in item.sources]
    keys = [source for source, _ in item.sources]
    room = [q * item.product.unit_price.minor for q in quantities]
    units_left = list(quantities)
    split: dict[int, list[Adjustment]] = {source: [] for source in keys}
    for merged in adjustments:
        parts = split_minor(merged.amount.minor, quantities, room, keys)
        takes = split_minor(merged.units, quantities, units_left, keys)
        for position, source in enumerate(keys):
            part = parts[position]
            room[position] -= part
            take = takes[position]
            units_left[position] -= take
            if part or take:
                split[source].append(
                    Adjustment(
                        merged.promotion_id, merged.level, Money._trusted(part, currency), take
                    )
                )
    return {
        source: (tuple(found), sum([a.amount.minor for a in found]))
        for source, found in split.items()
    }


def _with_total(adjustments: Sequence[Adjustment]) -> tuple[tuple[Adjustment, ...], int]:
    return tuple(adjustments), sum([a.amount.minor for a in adjustments])


_NONE: tuple[tuple[Adjustment, ...], int] = ((), 0)


def _priced(
    line: Line, adjusted: tuple[tuple[Adjustment, ...], int], gift: bool = False
) -> PricedLine:
    adjustments, taken = adjusted
    currency = line.product.unit_price.currency
    base = line.product.unit_price.minor * line.quantity
    return PricedLine(
        line,
        Money._trusted(base, currency),
        adjustments,
        Money._trusted(taken, currency),
        Money._trusted(base - taken, currency),
        gift=gift,
    )


def priced_lines(
    cart: Cart, lines: Sequence[CanonicalLine], outcome: Outcome
) -> tuple[PricedLine, ...]:
    """The outcome mapped back to the cart's lines as given, then the gift lines."""
    currency = cart.currency
    by_line = outcome.adjustments()
    by_source: dict[int, tuple[tuple[Adjustment, ...], int]] = {}
    for index, item in enumerate(lines):
        adjustments = by_line.get(index, ())
        if len(item.sources) == 1:
            by_source[item.sources[0][0]] = _with_total(adjustments)
        else:
            by_source.update(_split_back(item, adjustments, currency))
    priced = [_priced(line, by_source.get(index, _NONE)) for index, line in enumerate(cart.lines)]
    for state_line in outcome.state.lines[len(lines) :]:
        adjusted = _with_total(by_line.get(state_line.index, ()))
        priced.append(_priced(Line(state_line.product, state_line.quantity), adjusted, gift=True))
    return tuple(priced)
