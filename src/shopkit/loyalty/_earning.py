"""Built-in earning rules (points per amount spent, bonus points for an event) and redemption.

Points are whole numbers. An order earns line by line: each line's total after line discounts,
times the rule's rate, times the line's category multiplier and the tier's points multiplier,
rounded down to a whole point. Shipping never earns; excluded skus earn nothing; an order
below the minimum value earns nothing. Because every line's points are known, a refund of a
line takes back exactly what that line earned (see ``shopkit.loyalty.Ledger``).
"""

from __future__ import annotations

import enum
from decimal import Decimal
from fractions import Fraction

import attrs

from shopkit import Money, ValidationError
from shopkit import validators as check
from shopkit.loyalty._kinds import EarnRule

__all__ = ["Bonus", "BonusEvent", "CategoryMultiplier", "PerAmount", "Redemption"]

_MAX_POINTS = 1_000_000


def _points(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    check.positive_int(instance, attribute, value)
    if value > _MAX_POINTS:
        raise ValidationError(
            f"{value} is more than {_MAX_POINTS} points", field=attribute.name, value=value
        )


@attrs.frozen(kw_only=True)
class CategoryMultiplier:
    """A factor on the points earned by lines of some categories.

    Attributes:
        categories: The categories (as the order event records them).
        factor: The multiplier, above 0 (``"2"`` for double points).
    """

    categories: tuple[str, ...] = attrs.field(
        converter=check.str_tuple, validator=check.non_empty(check.name_tuple)
    )
    factor: Decimal = attrs.field(
        converter=check.decimal, validator=check.positive_decimal("multiplier")
    )


@attrs.frozen(kw_only=True)
class PerAmount(EarnRule):
    """``points`` points per ``per`` spent on goods (type ``per_amount``).

    Attributes:
        points: Points per ``per``, a whole number of at least 1.
        per: The amount that earns them, e.g. ``"1.00 GBP"``; in the programme's currency.
        multipliers: Category multipliers; a line in several of them takes the first.
        exclude_skus: Skus that earn nothing (gift cards, say).
        min_order: The order total (after line discounts) below which an order earns nothing.

    Examples:
        >>> from fractions import Fraction
        >>> from shopkit import Money
        >>> from shopkit.loyalty.plugin import PerAmount
        >>> rule = PerAmount(points=1, per=Money.of("1.00", "GBP"))
        >>> rule.describe()
        '1 point per 1.00 GBP'
        >>> rule.line_points(net=1999, category=None, sku="MUG", tier_factor=Fraction(3, 2))
        29
    """

    points: int = attrs.field(validator=_points)
    per: Money = attrs.field(validator=check.money)
    multipliers: tuple[CategoryMultiplier, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(CategoryMultiplier)
    )
    exclude_skus: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    min_order: Money | None = attrs.field(
        default=None, validator=check.optional(check.non_negative_money)
    )

    def __attrs_post_init__(self) -> None:
        if self.per.minor <= 0:
            raise ValidationError(
                f"{self.per} is not a positive amount", field="per", value=str(self.per)
            )
        factors: dict[str, Fraction] = {}
        for multiplier in self.multipliers:
            for category in multiplier.categories:
                factors.setdefault(category, Fraction(multiplier.factor))
        object.__setattr__(self, "_factors", factors)

    _factors: dict[str, Fraction] = attrs.field(init=False, repr=False, eq=False, factory=dict)
    _rates: dict[tuple[str | None, Fraction], tuple[int, int]] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )

    def describe(self) -> str:
        """Say the rate."""
        unit = "point" if self.points == 1 else "points"
        return f"{self.points} {unit} per {self.per}"

    def factor_of(self, category: str | None) -> Fraction:
        """The category multiplier of a line of ``category`` (1 when none applies)."""
        return self._factors.get(category, Fraction(1)) if category is not None else Fraction(1)

    def line_points(
        self, *, net: int, category: str | None, sku: str, tier_factor: Fraction
    ) -> int:
        """The points a line of ``net`` minor units earns, rounded down to a whole point."""
        if net <= 0 or sku in self.exclude_skus:
            return 0
        key = (category, tier_factor)
        rate = self._rates.get(key)
        if rate is None:
            factor = self._factors.get(category, 1) if category is not None else 1
            exact = Fraction(self.points) * factor * tier_factor / self.per.minor
            rate = self._rates[key] = (exact.numerator, exact.denominator)
        return net * rate[0] // rate[1]


class BonusEvent(enum.StrEnum):
    """The events a bonus rule rewards."""

    SIGN_UP = "sign_up"
    """The customer joined the programme."""
    REVIEW = "review"
    """The customer reviewed a product they ordered."""
    BIRTHDAY = "birthday"
    """The customer's birthday (the shop records the event; once a calendar year)."""


def _bonus_event(value: object) -> BonusEvent:
    return check.enum_value(BonusEvent, value, "event")


@attrs.frozen(kw_only=True)
class Bonus(EarnRule):
    """A fixed number of points for an event (type ``bonus``): sign-up, review, birthday.

    Referral rewards are referral rules (``shopkit.loyalty.plugin.Referral``).

    Attributes:
        event: ``"sign_up"``, ``"review"`` or ``"birthday"``.
        points: The points, a whole number of at least 1.
    """

    event: BonusEvent = attrs.field(converter=_bonus_event)
    points: int = attrs.field(validator=_points)

    def describe(self) -> str:
        """Say the points and the event."""
        return f"{self.points} points for a {self.event.value.replace('_', '-')}"


def _share(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    check.decimal_between(0, 1)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Redemption:
    """How points turn into money off an order.

    Attributes:
        point_value: What one point is worth, e.g. ``"0.01 GBP"``; in the programme's currency.
        min_points: The fewest points redeemed at once (default 1).
        min_share: The smallest share of the order's total a redemption may cover, 0 to 1.
        max_share: The largest share of the order's total a redemption may cover, 0 to 1
            (default 1: the whole order).

    Examples:
        >>> from shopkit import Money
        >>> from shopkit.loyalty import Redemption
        >>> rule = Redemption(point_value=Money.of("0.01", "GBP"), max_share="0.5")
        >>> print(rule.value_of(500))
        5.00 GBP
        >>> rule.max_points(Money.of("7.99", "GBP"))
        399
    """

    point_value: Money = attrs.field(validator=check.money)
    min_points: int = attrs.field(default=1, validator=check.positive_int)
    min_share: Decimal = attrs.field(default=Decimal(0), converter=check.decimal, validator=_share)
    max_share: Decimal = attrs.field(default=Decimal(1), converter=check.decimal, validator=_share)

    def __attrs_post_init__(self) -> None:
        if self.point_value.minor <= 0:
            raise ValidationError(
                f"{self.point_value} is not a positive amount",
                field="point_value",
                value=str(self.point_value),
            )
        if self.min_share > self.max_share:
            raise ValidationError(
                f"min_share {self.min_share} is above max_share {self.max_share}",
                field="min_share",
                value=self.min_share,
            )

    def value_of(self, points: int) -> Money:
        """What ``points`` points are worth (exact: a whole number of minor units per point)."""
        return self.point_value * points

    def max_points(self, order_total: Money) -> int:
        """The most points that may be redeemed on an order of ``order_total``."""
        cap = Fraction(order_total.minor) * Fraction(self.max_share)
        return int(cap // self.point_value.minor)

    def check(self, points: int, order_total: Money) -> Money:
        """Return the value of redeeming ``points`` on an order, or say why it is refused.

        Raises:
            ValidationError: fewer than ``min_points``, more than ``max_share`` of the order, or
                less than ``min_share`` of it; the error names ``points``.
        """
        if isinstance(points, bool) or not isinstance(points, int) or points < self.min_points:
            raise ValidationError(
                f"{points!r} is below the {self.min_points} points that may be redeemed at once",
                field="points",
                value=points,
            )
        value = self.value_of(points)
        if points > self.max_points(order_total):
            raise ValidationError(
                f"{points} points ({value}) is more than {self.max_share} of the {order_total} "
                f"order: at most {self.max_points(order_total)}",
                field="points",
                value=points,
            )
        if Fraction(value.minor) < Fraction(order_total.minor) * Fraction(self.min_share):
            raise ValidationError(
                f"{points} points ({value}) is less than {self.min_share} of the {order_total} "
                "order",
                field="points",
                value=points,
            )
        return value
