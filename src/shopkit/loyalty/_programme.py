"""A loyalty programme as data: tiers, earning, redemption, expiry, referrals, badges — by version.

A ``Programme`` is a list of ``ProgrammeVersion`` s, each in force from its ``effective``
moment until the next one's. Whatever happened before a version's date is evaluated under the
version then in force: a new version never rewrites history. Read one from JSON with
``shopkit.from_json(text, Programme)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from shopkit import Money, ValidationError
from shopkit import validators as check
from shopkit.loyalty._earning import Bonus, BonusEvent, PerAmount, Redemption
from shopkit.loyalty._kinds import (
    BadgeRule,
    EarnRule,
    Measure,
    ReferralRule,
    TierBenefit,
    Window,
)
from shopkit.loyalty._measures import Rolling, Spend

__all__ = ["Programme", "ProgrammeVersion", "Tier"]

_DAY = 86_400
_MAX_TIERS = 50
_MAX_VERSIONS = 200
_MAX_DAYS = 36_600


def _days(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    check.non_negative_int(instance, attribute, value)
    if value > _MAX_DAYS:
        raise ValidationError(
            f"{value} days is more than {_MAX_DAYS}", field=attribute.name, value=value
        )


@attrs.frozen(kw_only=True)
class Tier:
    """One tier of a programme: its name, threshold and benefits.

    Attributes:
        name: The tier's name ("silver"); what pricing sees as ``Customer.loyalty_tier``.
        threshold: What the measure must reach over the window to qualify: an amount in the
            programme's currency for a spend measure (``"500"``), a whole number of orders for
            an orders measure. ``0`` makes an entry tier every customer holds.
        benefits: What members get.
    """

    name: str = attrs.field(validator=check.non_empty_str)
    threshold: Decimal = attrs.field(
        converter=check.decimal, validator=check.non_negative_decimal("threshold")
    )
    benefits: tuple[TierBenefit, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(TierBenefit)
    )

    def points_factor(self) -> Fraction:
        """The product of the tier's points multipliers (1 without one)."""
        factor = Fraction(1)
        for benefit in self.benefits:
            factor *= Fraction(benefit.points_multiplier())
        return factor


def _tiers(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    check.non_empty(check.tuple_of(Tier))(instance, attribute, value)
    if len(value) > _MAX_TIERS:
        raise ValidationError(
            f"{len(value)} tiers is more than {_MAX_TIERS}", field="tiers", value=len(value)
        )
    check.unique_by(lambda tier: tier.name, "tier name")(instance, attribute, value)
    for index in range(1, len(value)):
        low, high = value[index - 1].threshold, value[index].threshold
        if high <= low:
            raise ValidationError(
                f"{high} is not above the threshold {low} of tiers[{index - 1}] "
                f"({value[index - 1].name}): list the tiers from the lowest threshold up, "
                "without overlaps",
                field=f"tiers[{index}].threshold",
                value=high,
            )


@attrs.frozen(kw_only=True)
class ProgrammeVersion:
    """The rules of a programme from one moment on.

    Attributes:
        effective: When the version comes into force (with a UTC offset).
        tiers: The tiers, from the lowest threshold up (strictly increasing).
        measure: What the thresholds count (default: ``spend``, net of line discounts,
            without shipping and tax, net of refunds).
        window: Over which period (default: ``rolling`` 365 days).
        grace_days: How long a member keeps a tier after no longer qualifying for it: the tier
            held at ``t`` is the highest one qualified for at any moment of ``[t - grace, t]``.
        earning: The earning rules; ``per_amount`` rules apply to orders, ``bonus`` rules to
            their events.
        redemption: How points turn into money, or ``None`` when they cannot be redeemed.
        expiry_days: Points expire this many days after they were earned (``None``: never).
        return_window_days: Points from an order are pending, and cannot be spent, until the
            order can no longer be returned: this many days after it was placed.
        referrals: Referral rules.
        badges: Badge rules.
    """

    effective: dt.datetime = attrs.field(validator=check.aware)
    tiers: tuple[Tier, ...] = attrs.field(converter=check.as_tuple, validator=_tiers)
    measure: Measure = attrs.field(factory=Spend, validator=check.instance_of(Measure))
    window: Window = attrs.field(
        factory=lambda: Rolling(days=365), validator=check.instance_of(Window)
    )
    grace_days: int = attrs.field(default=0, validator=_days)
    earning: tuple[EarnRule, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(EarnRule)
    )
    redemption: Redemption | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Redemption))
    )
    expiry_days: int | None = attrs.field(default=None, validator=check.optional(_days))
    return_window_days: int = attrs.field(default=0, validator=_days)
    referrals: tuple[ReferralRule, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(ReferralRule)
    )
    badges: tuple[BadgeRule, ...] = attrs.field(
        default=(), converter=check.as_tuple, validator=check.tuple_of(BadgeRule)
    )

    def __attrs_post_init__(self) -> None:
        if self.expiry_days is not None and self.expiry_days <= self.return_window_days:
            raise ValidationError(
                f"points would expire ({self.expiry_days} days) before they stop being pending "
                f"({self.return_window_days} days)",
                field="expiry_days",
                value=self.expiry_days,
            )
        if self.measure.unit == "orders":
            for index, tier in enumerate(self.tiers):
                if tier.threshold != tier.threshold.to_integral_value():
                    raise ValidationError(
                        f"{tier.threshold} is not a whole number of orders",
                        field=f"tiers[{index}].threshold",
                        value=tier.threshold,
                    )

    @property
    def names(self) -> tuple[str, ...]:
        """The tier names, lowest first."""
        return tuple(tier.name for tier in self.tiers)

    def bonus_points(self, event: BonusEvent) -> int:
        """The points the version's bonus rules give for ``event`` (summed; 0 without one)."""
        return sum(
            rule.points for rule in self.earning if isinstance(rule, Bonus) and rule.event is event
        )

    def per_amount(self) -> tuple[PerAmount, ...]:
        """The version's per-amount earning rules."""
        return tuple(rule for rule in self.earning if isinstance(rule, PerAmount))


def _versions(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    check.non_empty(check.tuple_of(ProgrammeVersion))(instance, attribute, value)
    if len(value) > _MAX_VERSIONS:
        raise ValidationError(
            f"{len(value)} versions is more than {_MAX_VERSIONS}",
            field="versions",
            value=len(value),
        )
    for index in range(1, len(value)):
        if value[index].effective <= value[index - 1].effective:
            raise ValidationError(
                f"{value[index].effective.isoformat()} is not after the previous version's "
                f"{value[index - 1].effective.isoformat()}: list versions by date",
                field=f"versions[{index}].effective",
                value=value[index].effective.isoformat(),
            )
        if value[index].names != value[0].names:
            raise ValidationError(
                f"tiers {list(value[index].names)} differ from the first version's "
                f"{list(value[0].names)}: a version changes thresholds and benefits, not the "
                "tier names",
                field=f"versions[{index}].tiers",
                value=list(value[index].names),
            )
        if value[index].measure.unit != value[0].measure.unit:
            raise ValidationError(
                "every version's measure counts the same unit (money or orders)",
                field=f"versions[{index}].measure",
                value=value[index].measure.unit,
            )


@attrs.frozen(kw_only=True)
class Programme:
    """A loyalty programme: its currency and its versions, each in force from its date.

    Attributes:
        name: The programme's name.
        currency: The ISO 4217 code of its thresholds, rates and point values.
        versions: The versions, by effective date; each is in force from its date until the
            next one's, and the first also applies to what came before its date (so a new
            programme can count the past year of orders).

    Examples:
        >>> from shopkit import from_dict
        >>> from shopkit.loyalty import Programme
        >>> programme = from_dict(
        ...     {"name": "club", "currency": "GBP", "versions": [{
        ...         "effective": "2026-01-01T00:00:00+00:00",
        ...         "tiers": [{"name": "bronze", "threshold": "0"},
        ...                   {"name": "silver", "threshold": "500"}]}]},
        ...     Programme,
        ... )
        >>> programme.tier_names, programme.threshold_units(0)
        (('bronze', 'silver'), (0, 50000))
    """

    name: str = attrs.field(validator=check.non_empty_str)
    currency: str = attrs.field(validator=check.currency)
    versions: tuple[ProgrammeVersion, ...] = attrs.field(
        converter=check.as_tuple, validator=_versions
    )

    def __attrs_post_init__(self) -> None:
        for position, version in enumerate(self.versions):
            where = f"versions[{position}]"
            for index, tier in enumerate(version.tiers):
                if version.measure.unit == "minor":
                    try:
                        Money.of(tier.threshold, self.currency)
                    except ValidationError as error:
                        raise error.at(f"{where}.tiers[{index}].threshold") from None
            money: list[tuple[str, Money | None]] = [
                (
                    f"{where}.redemption.point_value",
                    version.redemption.point_value if version.redemption else None,
                )
            ]
            for index, rule in enumerate(version.earning):
                if isinstance(rule, PerAmount):
                    money.append((f"{where}.earning[{index}].per", rule.per))
                    money.append((f"{where}.earning[{index}].min_order", rule.min_order))
            for field, amount in money:
                if amount is not None and amount.currency != self.currency:
                    raise ValidationError(
                        f"{amount} is not in the programme's currency {self.currency}",
                        field=field,
                        value=str(amount),
                    )

    @property
    def tier_names(self) -> tuple[str, ...]:
        """The tier names, lowest first (the same in every version)."""
        return self.versions[0].names

    @property
    def start(self) -> dt.datetime:
        """When the first version comes into force."""
        return self.versions[0].effective

    def version_index(self, at: dt.datetime) -> int:
        """The position of the version in force at ``at`` (the first one before the start)."""
        check.aware_datetime(at, "at")
        found = 0
        for index, version in enumerate(self.versions):
            if version.effective <= at:
                found = index
        return found

    def version_at(self, at: dt.datetime) -> ProgrammeVersion:
        """The version in force at ``at``."""
        return self.versions[self.version_index(at)]

    def threshold_units(self, index: int) -> tuple[int, ...]:
        """Version ``index``'s thresholds in the measure's units (minor units, or orders)."""
        version = self.versions[index]
        if version.measure.unit == "minor":
            return tuple(Money.of(tier.threshold, self.currency).minor for tier in version.tiers)
        return tuple(int(tier.threshold) for tier in version.tiers)

    def measure_value(self, units: int) -> Money | int:
        """A measure value in its units as money (spend) or a count (orders)."""
        if self.versions[0].measure.unit == "minor":
            return Money(units, self.currency)
        return units
