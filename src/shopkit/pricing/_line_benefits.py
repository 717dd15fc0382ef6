"""Built-in benefits about items: percentages, amounts off and fixed prices.

``Percentage`` and ``FixedOff`` also act on the whole order when given no selector (or
``per="order"``); the helpers for percentages and unit limits live here and are shared by the
deals (``_deals``) and the order and shipping benefits.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import attrs

from shopkit import RoundingMode, ValidationError, to_decimal
from shopkit import validators as check
from shopkit._allocation import split_minor
from shopkit._numbers import round_ratio
from shopkit.pricing._kinds import Benefit
from shopkit.pricing._line_state import Unit
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Amounts, Level, Selector

__all__ = [
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
