"""What one pass of the engine made of the cart (``Outcome``), and the priced lines built from it.

``priced_lines`` maps an outcome back to the lines as given, splitting each merged line's
adjustments over its source lines by quantity, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import attrs

from shopkit import Cart, Line, Money
from shopkit._allocation import split_minor
from shopkit.pricing._canonical import CanonicalLine
from shopkit.pricing._line_state import LineState, price_runs
from shopkit.pricing._result import (
    Adjustment,
    AppliedPromotion,
    NotApplied,
    PricedLine,
    UnitPrice,
)
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Level

__all__ = ["Commit", "Outcome", "priced_lines"]


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
        discount: What was taken off the items (the sum of the commits), in minor units.
        threshold: What order-level thresholds were compared with, once the order step ran.
    """

    state: CartState
    applied: list[AppliedPromotion] = attrs.field(factory=list)
    not_applied: list[NotApplied] = attrs.field(factory=list)
    commits: list[Commit] = attrs.field(factory=list)
    shipping_discount: int = 0
    discount: int = 0
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
        return {index: made for index, (made, _) in self._adjusted().items()}

    def _adjusted(self) -> dict[int, tuple[list[Adjustment], int]]:
        """``adjustments`` with their total per line, in minor units."""
        self.state.settle()
        currency = self.state.currency
        made: dict[int, list[Adjustment]] = {}
        taken: dict[int, int] = {}
        for promotion_id, level, lines in self.commits:
            for index, discount, units in lines:
                # built from the slots, as ``Money._trusted`` builds amounts: the values are
                # the engine's own, checked already
                amount = _new(Money)
                _set_minor(amount, discount)
                _set_currency(amount, currency)
                adjustment = _new(Adjustment)
                _set_promotion(adjustment, promotion_id)
                _set_level(adjustment, level)
                _set_amount(adjustment, amount)
                _set_units(adjustment, units)
                if index in made:
                    made[index].append(adjustment)
                    taken[index] += discount
                else:
                    made[index] = [adjustment]
                    taken[index] = discount
        return {index: (found, taken[index]) for index, found in made.items()}


_new = object.__new__
_set_minor = Money.__dict__["minor"].__set__
_set_currency = Money.__dict__["currency"].__set__
_set_promotion = Adjustment.__dict__["promotion_id"].__set__
_set_level = Adjustment.__dict__["level"].__set__
_set_amount = Adjustment.__dict__["amount"].__set__
_set_units = Adjustment.__dict__["units"].__set__


# -- the canonical form out ----------------------------------------------------------------------


Adjusted = tuple[tuple[Adjustment, ...], int, list[tuple[int, int]]]
"""A line's adjustments as given, their total, and its unit prices as (price, count) runs."""


def _deal(prices: list[int], quantities: Sequence[int]) -> list[list[int]]:
    # Deal the merged line's unit prices (dearest first) out to its source lines in
    # proportion to their quantities, so each gets a like share of dear and cheap units.
    total = len(prices)
    dealt: list[list[int]] = [[] for _ in quantities]
    for index, value in enumerate(prices):
        # how far each line is behind its share, times ``total`` (whole numbers)
        due = [q * (index + 1) - len(dealt[k]) * total for k, q in enumerate(quantities)]
        open_lines = [k for k, q in enumerate(quantities) if len(dealt[k]) < q]
        dealt[max(open_lines, key=lambda k: (due[k], -k))].append(value)
    return dealt


def _fit(values: list[int], total: int, unit_price: int) -> list[int]:
    # A source line's dealt unit prices, moved to sum exactly to its own total (which the
    # money split fixed): in proportion to them, no unit above its price before discounts.
    have = sum(values)
    if have == total:
        return values
    if have > total:
        cut = split_minor(have - total, values, values)
        return [value - part for value, part in zip(values, cut, strict=True)]
    room = [unit_price - value for value in values]
    weights = room if any(room) else [1] * len(values)
    added = split_minor(total - have, weights, room)
    return [value + part for value, part in zip(values, added, strict=True)]


def _split_back(
    item: CanonicalLine, adjustments: Sequence[Adjustment], currency: str, state: LineState
) -> dict[int, Adjusted]:
    # Lines of one product were priced together: split each adjustment back over them by
    # quantity, exactly, no line past its own subtotal; the units a deal consumed are split the
    # same way as its money (by quantity, no line past the units it has left), so a line that
    # carries part of a deal's discount also carries its part of the deal's units.
    quantities = [q for _, q in item.sources]
    keys = [source for source, _ in item.sources]
    unit_price = item.product.unit_price.minor
    room = [q * unit_price for q in quantities]
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
    dealt = _deal(sorted(state.unit_prices(), reverse=True), quantities)
    result: dict[int, Adjusted] = {}
    for position, source in enumerate(keys):
        found = split[source]
        taken = sum([a.amount.minor for a in found])
        total = quantities[position] * unit_price - taken
        result[source] = (tuple(found), taken, price_runs(_fit(dealt[position], total, unit_price)))
    return result


_NONE: tuple[list[Adjustment], int] = ([], 0)


def _with_total(adjusted: tuple[list[Adjustment], int], state: LineState) -> Adjusted:
    return tuple(adjusted[0]), adjusted[1], state.unit_runs()


def _priced(line: Line, adjusted: Adjusted, gift: bool = False) -> PricedLine:
    adjustments, taken, runs = adjusted
    unit_price = line.product.unit_price
    currency = unit_price.currency
    base = unit_price.minor * line.quantity
    trusted = Money._trusted
    return PricedLine(
        line,
        trusted(base, currency),
        adjustments,
        trusted(taken, currency),
        trusted(base - taken, currency),
        gift,
        tuple([UnitPrice(trusted(value, currency), count) for value, count in runs]),
    )


def priced_lines(
    cart: Cart, lines: Sequence[CanonicalLine], outcome: Outcome
) -> tuple[PricedLine, ...]:
    """The outcome mapped back to the cart's lines as given, then the gift lines."""
    currency = cart.currency
    by_line = outcome._adjusted()
    states = outcome.state.lines
    by_source: dict[int, Adjusted] = {}
    for index, item in enumerate(lines):
        adjusted = by_line.get(index, _NONE)
        if len(item.sources) == 1:
            by_source[item.sources[0][0]] = _with_total(adjusted, states[index])
        else:
            by_source.update(_split_back(item, adjusted[0], currency, states[index]))
    priced = [_priced(line, by_source[index]) for index, line in enumerate(cart.lines)]
    for state_line in states[len(lines) :]:
        gift = _with_total(by_line.get(state_line.index, _NONE), state_line)
        priced.append(_priced(Line(state_line.product, state_line.quantity), gift, gift=True))
    return tuple(priced)
