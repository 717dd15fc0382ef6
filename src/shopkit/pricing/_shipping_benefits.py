"""Built-in benefits about shipping: free shipping and shipping for less."""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from shopkit import RoundingMode, ValidationError
from shopkit import validators as check
from shopkit.pricing._kinds import Benefit
from shopkit.pricing._line_benefits import (
    _fmt_percent,
    _optional,
    _optional_percent,
    _percent,
    _share,
)
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Amounts, Level, Shortfall

__all__ = ["FreeShipping", "ShippingBasis", "ShippingDiscount"]


class ShippingBasis(enum.StrEnum):
    """Which amount a free-shipping threshold is compared with."""

    AFTER_DISCOUNTS = "after_discounts"
    """The items' total after every line and order discount (the default)."""
    SUBTOTAL = "subtotal"
    """The items' total before any discount."""


def _basis(value: object) -> ShippingBasis:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(ShippingBasis, value, "basis")


@attrs.frozen
class FreeShipping(Benefit):
    """Shipping is free (for some methods, if listed) from a threshold on.

    Attributes:
        threshold: The amount from which shipping is free (inclusive), per currency; ``None``
            for always.
        methods: The shipping option ids it covers; all when empty.
        basis: Whether the threshold is compared after discounts (default) or before.
    """

    threshold: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))
    methods: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    basis: ShippingBasis = attrs.field(default=ShippingBasis.AFTER_DISCOUNTS, converter=_basis)
    level = Level.SHIPPING

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Remove the shipping price when the threshold is met and the method is covered."""
        if _shipping_covered(state, self.methods, self.threshold, self.basis):
            state.discount_shipping(state.shipping)

    def describe(self) -> str:
        """Say "free shipping"."""
        methods = f" ({', '.join(self.methods)})" if self.methods else ""
        return f"free shipping{methods}"

    def nudge(self, state: CartState) -> Shortfall | None:
        """How much more reaches the threshold."""
        return _shipping_nudge(state, self.threshold, self.basis, self.describe())


@attrs.frozen
class ShippingDiscount(Benefit):
    """Shipping for less: a percentage off, an amount off, or a fixed shipping price.

    Exactly one of ``percent``, ``amounts`` (off) and ``price`` (what shipping costs: "delivery
    for 1.00" takes 9.00 off a 10.00 method) is given. Like ``free_shipping``, it covers the
    listed methods (all when none is listed) from a threshold on, compared with the items'
    amount after discounts or before them. A price above the method's price takes nothing
    off: shipping never costs more. Shipping at different prices per method is one promotion
    per method, each listing its method (in a ``group``, so only one applies).

    Attributes:
        percent: The percentage off shipping, if a percentage.
        amounts: The amount off shipping, per currency, if an amount off.
        price: What shipping costs with the promotion, per currency, if a fixed price.
        threshold: The items' amount from which it applies (inclusive), per currency;
            ``None`` for always.
        methods: The shipping option ids it covers; all when empty.
        basis: Whether the threshold is compared after discounts (default) or before.

    Examples:
        >>> from shopkit.pricing import Amounts, ShippingDiscount
        >>> ShippingDiscount(price=Amounts.of(EUR="1.00"), methods=["standard"]).describe()
        'delivery for 1.00 EUR (standard)'
    """

    percent: Decimal | None = attrs.field(
        default=None, converter=_optional_percent, validator=check.optional(_percent)
    )
    amounts: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))
    price: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))
    threshold: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))
    methods: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    basis: ShippingBasis = attrs.field(default=ShippingBasis.AFTER_DISCOUNTS, converter=_basis)
    level = Level.SHIPPING

    def __attrs_post_init__(self) -> None:
        given = [
            name for name in ("percent", "amounts", "price") if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValidationError(
                "a shipping discount gives exactly one of percent, amounts and price",
                field="percent",
                value=given,
            )

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Take the percentage, the amount or the difference to the price off shipping."""
        if not _shipping_covered(state, self.methods, self.threshold, self.basis):
            return
        now = state.shipping - state.pending_shipping
        if self.percent is not None:
            state.discount_shipping(_share(now, self.percent, rounding))
        elif self.amounts is not None:
            state.discount_shipping(self.amounts.get(state.currency).minor)
        elif self.price is not None:
            state.discount_shipping(now - self.price.get(state.currency, "price").minor)

    def describe(self) -> str:
        """Say "10% off shipping", "2.00 EUR off shipping" or "delivery for 1.00 EUR"."""
        methods = f" ({', '.join(self.methods)})" if self.methods else ""
        if self.percent is not None:
            return f"{_fmt_percent(self.percent)} off shipping{methods}"
        if self.amounts is not None:
            return f"{self.amounts.describe()} off shipping{methods}"
        assert self.price is not None  # one of the three, checked at construction
        return f"delivery for {self.price.describe()}{methods}"

    def nudge(self, state: CartState) -> Shortfall | None:
        """How much more reaches the threshold."""
        return _shipping_nudge(state, self.threshold, self.basis, self.describe())


def _items_amount(state: CartState, basis: ShippingBasis) -> int:
    if basis is ShippingBasis.SUBTOTAL:
        return state.subtotal
    return state.total


def _shipping_covered(
    state: CartState,
    methods: tuple[str, ...],
    threshold: Amounts | None,
    basis: ShippingBasis,
) -> bool:
    if methods and state.shipping_method not in methods:
        return False
    if threshold is None:
        return True
    return _items_amount(state, basis) >= threshold.get(state.currency, "threshold").minor


def _shipping_nudge(
    state: CartState, threshold: Amounts | None, basis: ShippingBasis, unlocks: str
) -> Shortfall | None:
    if threshold is None:
        return None
    missing = threshold.get(state.currency, "threshold").minor - _items_amount(state, basis)
    if missing <= 0:
        return None
    return Shortfall.spend(state.money(missing), unlocks=unlocks)
