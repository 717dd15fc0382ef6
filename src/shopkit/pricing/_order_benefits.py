"""Built-in benefits about the order: tiered spend, a welcome discount, a gift."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from shopkit import Product, RoundingMode, ValidationError
from shopkit import validators as check
from shopkit.pricing._conditions import FirstOrder
from shopkit.pricing._kinds import Benefit, Condition
from shopkit.pricing._line_benefits import (
    _fmt_percent,
    _optional,
    _optional_percent,
    _percent,
    _share,
)
from shopkit.pricing._state import CartState
from shopkit.pricing._values import Amounts, Level, Shortfall

__all__ = ["Gift", "Tier", "TieredSpend", "Welcome"]


@attrs.frozen
class Tier:
    """One step of a tiered offer: from ``threshold`` on, ``percent`` or ``amounts`` off.

    Attributes:
        threshold: The spend from which the tier applies (inclusive), per currency.
        percent: The percentage off the order, if this tier gives one.
        amounts: The amount off the order, per currency, if this tier gives one.
    """

    threshold: Amounts = attrs.field(validator=check.instance_of(Amounts))
    percent: Decimal | None = attrs.field(
        default=None, converter=_optional_percent, validator=check.optional(_percent)
    )
    amounts: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.amounts is None):
            raise ValidationError(
                "a tier gives either percent or amounts", field="percent", value=self.percent
            )

    def describe_off(self) -> str:
        """What the tier takes off, in words: "5%" or "10.00 EUR"."""
        if self.percent is not None:
            return _fmt_percent(self.percent)
        assert self.amounts is not None  # one of the two, checked at construction
        return self.amounts.describe()


_tier_tuple = check.non_empty(check.tuple_of(Tier), "no tiers are given")


def _tiers(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _tier_tuple(instance, attribute, value)
    currencies = set(value[0].threshold.by_currency)
    for index, tier in enumerate(value):
        if set(tier.threshold.by_currency) != currencies:
            raise ValidationError(
                "every tier needs a threshold in the same currencies",
                field=f"tiers[{index}].threshold",
                value=sorted(tier.threshold.by_currency),
            )
    for code in currencies:
        thresholds = [tier.threshold.by_currency[code] for tier in value]
        for index in range(1, len(thresholds)):
            if thresholds[index] <= thresholds[index - 1]:
                raise ValidationError(
                    f"tier thresholds overlap or are out of order: {thresholds[index]} after "
                    f"{thresholds[index - 1]}",
                    field=f"tiers[{index}].threshold.{code}",
                    value=str(thresholds[index]),
                )


@attrs.frozen
class TieredSpend(Benefit):
    """Spend more, save more: the highest tier the order reaches gives its discount.

    The order amount compared is the engine's threshold amount (after line discounts by
    default). Tiers are listed from the lowest threshold up, and thresholds may not repeat.

    Attributes:
        tiers: The tiers, lowest threshold first.
    """

    tiers: tuple[Tier, ...] = attrs.field(converter=check.as_tuple, validator=_tiers)
    level = Level.ORDER

    def _reached(self, state: CartState) -> tuple[Tier | None, Tier | None]:
        amount = state.context.threshold_amount
        reached = None
        following = None
        for index, tier in enumerate(self.tiers):
            if amount >= tier.threshold.get(state.currency, f"tiers[{index}].threshold"):
                reached = tier
            elif following is None:
                following = tier
        return reached, following

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Take the reached tier's discount off the order."""
        tier, _ = self._reached(state)
        if tier is None:
            return
        if tier.percent is not None:
            state.discount_order(_share(state.total, tier.percent, rounding))
        elif tier.amounts is not None:
            where = f"tiers[{self.tiers.index(tier)}].amounts"
            state.discount_order(tier.amounts.get(state.currency, where).minor)

    def describe(self) -> str:
        """List the tiers."""
        return ", ".join(
            f"{tier.describe_off()} off from {tier.threshold.describe()}" for tier in self.tiers
        )

    def nudge(self, state: CartState) -> Shortfall | None:
        """How much more reaches the next tier."""
        _, following = self._reached(state)
        if following is None:
            return None
        where = f"tiers[{self.tiers.index(following)}].threshold"
        missing = following.threshold.get(state.currency, where) - state.context.threshold_amount
        return Shortfall.spend(missing, unlocks=f"{following.describe_off()} off the order")


@attrs.frozen
class Gift(Benefit):
    """A free product added to the order ("a tote bag with every order over 50").

    The gift appears as its own line at its price with a discount of the same amount, so the
    total does not change and a tax or stock system sees the item.

    Attributes:
        product: The gift, priced in the cart's currency.
        quantity: How many units are given.
    """

    product: Product = attrs.field(validator=check.instance_of(Product))
    quantity: int = attrs.field(default=1, validator=check.positive_int)

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Add the gift line, fully discounted."""
        if self.product.unit_price.currency != state.currency:
            return
        state.add_gift(self.product, self.quantity)

    def describe(self) -> str:
        """Say "a free …"."""
        count = f"{self.quantity} × " if self.quantity > 1 else "a free "
        return f"{count}{self.product.name}"


@attrs.frozen
class Welcome(Benefit):
    """A discount on a customer's first order: ``percent`` or ``amounts`` off the order.

    It only ever applies to a customer with no earlier order, whatever the promotion's other
    conditions say.

    Attributes:
        percent: The percentage off the order, if a percentage.
        amounts: The amount off the order, per currency, if an amount.
    """

    percent: Decimal | None = attrs.field(
        default=None, converter=_optional_percent, validator=check.optional(_percent)
    )
    amounts: Amounts | None = attrs.field(default=None, validator=_optional(Amounts))
    level = Level.ORDER

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.amounts is None):
            raise ValidationError(
                "a welcome discount gives either percent or amounts",
                field="percent",
                value=self.percent,
            )

    def implied_condition(self) -> Condition | None:
        """A first order."""
        return FirstOrder()

    def apply(self, state: CartState, rounding: RoundingMode) -> None:
        """Take the discount off the order."""
        if self.percent is not None:
            state.discount_order(_share(state.total, self.percent, rounding))
        elif self.amounts is not None:
            state.discount_order(self.amounts.get(state.currency).minor)

    def describe(self) -> str:
        """Say "10% off your first order"."""
        if self.percent is not None:
            return f"{_fmt_percent(self.percent)} off your first order"
        assert self.amounts is not None  # one of the two, checked at construction
        return f"{self.amounts.describe()} off your first order"
