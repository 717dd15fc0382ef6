"""Built-in tier benefits: a discount, free shipping, a points multiplier.

A discount and free shipping are given by pricing, not here: a member's tier reaches pricing as
``Customer.loyalty_tier``, and a promotion with a ``loyalty_tier`` condition gives them. The
programme states them so that members can be told and what-if replays can cost them
(``cost_share`` below). A points multiplier is applied by the programme itself, to the points
an order earns.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._kinds import TierBenefit

__all__ = ["Discount", "FreeShipping", "PointsMultiplier"]

_MAX_MULTIPLIER = Decimal(100)


@attrs.frozen(kw_only=True)
class Discount(TierBenefit):
    """A percentage off a member's orders (type ``discount``), given by a pricing promotion.

    Attributes:
        percent: The percentage, 0 to 100.

    Examples:
        >>> from shopkit.loyalty.plugin import Discount
        >>> Discount(percent="5").describe()
        '5% off every order'
    """

    percent: Decimal = attrs.field(converter=check.decimal, validator=check.decimal_between(0, 100))

    def describe(self) -> str:
        """Say the percentage."""
        return f"{self.percent}% off every order"


@attrs.frozen(kw_only=True)
class FreeShipping(TierBenefit):
    """Free shipping on a member's orders (type ``free_shipping``), given by pricing."""

    def describe(self) -> str:
        """Say it."""
        return "free shipping"


@attrs.frozen(kw_only=True)
class PointsMultiplier(TierBenefit):
    """Points earned on orders are multiplied (type ``points_multiplier``).

    The multiplier of the tier the customer holds when the order is placed applies (the order
    that crosses a threshold already earns at the new tier's rate); points are rounded down to
    a whole point per line.

    Attributes:
        factor: The multiplier, above 0 and at most 100 (``"1.5"``).

    Examples:
        >>> from shopkit.loyalty.plugin import PointsMultiplier
        >>> PointsMultiplier(factor="1.5").describe()
        '1.5× points'
    """

    factor: Decimal = attrs.field(
        converter=check.decimal, validator=check.positive_decimal("multiplier")
    )

    def __attrs_post_init__(self) -> None:
        if self.factor > _MAX_MULTIPLIER:
            raise ValidationError(
                f"{self.factor} is above {_MAX_MULTIPLIER}", field="factor", value=self.factor
            )

    def describe(self) -> str:
        """Say the factor."""
        return f"{self.factor}× points"

    def points_multiplier(self) -> Decimal:
        """The factor."""
        return self.factor
