"""Promotions as data, and the options of the engine that applies them."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs

from shopkit import RoundingMode, ValidationError
from shopkit import validators as check
from shopkit.pricing._kinds import Benefit, Condition
from shopkit.pricing._values import Amounts, check_window

__all__ = ["Combination", "Mode", "PricingOptions", "Promotion", "ThresholdBasis"]


class Combination(enum.StrEnum):
    """How a promotion combines with the others that apply to the same cart."""

    STACKABLE = "stackable"
    """Applies together with every other stackable promotion (the default)."""
    EXCLUSIVE = "exclusive"
    """Applies alone: when it is chosen, no other promotion applies to the cart."""
    GROUP = "group"
    """At most one promotion of its ``group`` applies; it combines with the rest."""
    STOP = "stop"
    """Applies, and no promotion of a lower priority is considered after it."""


def _combination(value: object) -> Combination:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(Combination, value, "combination")


@attrs.frozen
class Promotion:
    """A promotion: what it gives, when, to whom, and how it combines.

    Attributes:
        id: A unique id; results refer to the promotion by it.
        name: The name a shopper sees ("Black Friday: 20% off everything").
        benefit: What the customer gets.
        condition: When it applies, besides the window and the code; ``None`` for always.
        priority: Higher goes first; ties go by id. It orders both the choice between
            competing promotions and the order of application within a level.
        combination: Stackable, exclusive, exclusive within ``group``, or stop further rules.
        group: The group, for ``combination="group"``.
        starts_at: The first moment it is active (included), if bounded.
        ends_at: The first moment it is no longer active (excluded), if bounded.
        code: A promo code the customer must enter, if any (compared ignoring case, spaces,
            dashes and underscores).
        min_margin_percent: A price floor: no unit is discounted below its product's cost plus
            this margin (units of products without a cost are not limited by it). A product's
            own ``min_price`` always limits every promotion.
        max_discount: The most this promotion gives on one order, per currency, if capped.
        issued_codes: Whether the promotion needs one of the codes issued for it (a
            ``CodeBook`` passed to ``price``); its shared ``code``, if any, unlocks it too.
        max_uses: How many orders may use it in all, if limited (needs a redemption store).
        max_uses_per_customer: How many orders of one customer may use it, if limited (needs a
            redemption store; a guest cannot use such a promotion).
        budget: The most it may give away over all orders, per currency, if limited (needs a
            redemption store); an order whose discount would pass it does not get it.

    Examples:
        >>> from shopkit.pricing import Categories, Percentage, Promotion
        >>> promotion = Promotion(
        ...     "acc-10", "10% off accessories", Percentage("10", Categories(["Accessories"]))
        ... )
        >>> promotion.combination.value
        'stackable'
    """

    id: str = attrs.field(validator=check.non_empty_str)
    name: str = attrs.field(validator=check.non_empty_str)
    benefit: Benefit = attrs.field(validator=check.instance_of(Benefit))
    condition: Condition | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Condition)), kw_only=True
    )
    priority: int = attrs.field(default=0, validator=check.instance_of(int), kw_only=True)
    combination: Combination = attrs.field(
        default=Combination.STACKABLE, converter=_combination, kw_only=True
    )
    group: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    starts_at: dt.datetime | None = attrs.field(
        default=None, validator=check.optional(check.aware), kw_only=True
    )
    ends_at: dt.datetime | None = attrs.field(
        default=None, validator=check.optional(check.aware), kw_only=True
    )
    code: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    min_margin_percent: Decimal | None = attrs.field(
        default=None,
        converter=check.decimal,
        validator=check.optional(check.decimal_between(0, 1000)),
        kw_only=True,
    )
    max_discount: Amounts | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Amounts)), kw_only=True
    )
    issued_codes: bool = attrs.field(default=False, validator=check.instance_of(bool), kw_only=True)
    max_uses: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int), kw_only=True
    )
    max_uses_per_customer: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int), kw_only=True
    )
    budget: Amounts | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Amounts)), kw_only=True
    )

    @property
    def needs_code(self) -> bool:
        """Whether a code must be entered for the promotion to apply."""
        return self.code is not None or self.issued_codes

    @property
    def limited(self) -> bool:
        """Whether the promotion has a usage limit or budget (and so needs a store)."""
        return (
            self.max_uses is not None
            or self.max_uses_per_customer is not None
            or self.budget is not None
        )

    def __attrs_post_init__(self) -> None:
        check_window(self.starts_at, self.ends_at)
        if (self.combination is Combination.GROUP) != (self.group is not None):
            raise ValidationError(
                "a group is given exactly when combination is 'group'",
                field="group",
                value=self.group,
            )


class Mode(enum.StrEnum):
    """How the engine chooses among promotions that cannot all apply."""

    PRIORITY = "priority"
    """By priority: the first promotion (highest priority, then id) wins each conflict."""
    BEST_FOR_CUSTOMER = "best_for_customer"
    """The combination with the lowest total wins, and the result says which it chose."""


class ThresholdBasis(enum.StrEnum):
    """Which amount order-level spend thresholds (``min_subtotal``, tiers) compare with."""

    AFTER_LINE_DISCOUNTS = "after_line_discounts"
    """The subtotal less every line discount (the default): "from 3000" means 3000 paid."""
    SUBTOTAL = "subtotal"
    """The subtotal before any discount."""
    AFTER_EARLIER_ORDER_DISCOUNTS = "after_earlier_order_discounts"
    """Each order or shipping promotion's threshold is checked again against what is left
    after the line discounts and the order promotions applied before it (Vendure's rule):
    "spend 10, get 10%" no longer applies once an earlier order promotion took the order
    below 10."""


def _mode(value: object) -> Mode:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(Mode, value, "mode")


def _threshold_basis(value: object) -> ThresholdBasis:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(ThresholdBasis, value, "threshold_basis")


def _rounding(value: object) -> RoundingMode:
    # a named converter (attrs' mypy plugin cannot see through validators.enum_of)
    return check.enum_value(RoundingMode, value, "rounding")


@attrs.frozen
class PricingOptions:
    """The engine's rules for one shop.

    Attributes:
        mode: Priority order (default) or best for the customer.
        threshold_basis: What order-level thresholds compare with (after line discounts by
            default).
        rounding: How percentages are rounded to a minor unit (half up by default).
        max_total_discount: The most all promotions together take off one order's items, per
            currency, if capped (shipping discounts are not counted).
        max_total_discount_percent: The same as a percentage of the subtotal, if capped.
        best_search_limit: In best-for-customer mode, the most eligible promotions for which
            every valid combination is tried; above it, each exclusive promotion alone is
            compared with the priority-order choice of the others.
        max_codes_per_order: How many distinct codes one order may use (default 20); the codes
            after that are refused as ``too_many_codes`` without being looked up, which also
            bounds the work a cart of many codes can cause. A shop that takes more raises it.
    """

    mode: Mode = attrs.field(default=Mode.PRIORITY, converter=_mode)
    threshold_basis: ThresholdBasis = attrs.field(
        default=ThresholdBasis.AFTER_LINE_DISCOUNTS, converter=_threshold_basis
    )
    rounding: RoundingMode = attrs.field(default=RoundingMode.HALF_UP, converter=_rounding)
    max_total_discount: Amounts | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Amounts))
    )
    max_total_discount_percent: Decimal | None = attrs.field(
        default=None,
        converter=check.decimal,
        validator=check.optional(check.decimal_between(0, 100)),
    )
    best_search_limit: int = attrs.field(default=10, validator=check.non_negative_int)
    max_codes_per_order: int = attrs.field(default=20, validator=check.positive_int)
