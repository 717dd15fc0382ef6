"""What a plugin author needs to write a loyalty rule kind: the base classes and registries.

Every rule of a programme is a kind registered under a type name: measures and windows (what a
tier threshold counts, over which period), tier benefits, earning rules, referral rules and
badge rules. The built-in kinds are here too, as models. A new kind subclasses a base, is a
frozen attrs class whose fields are its config, and registers itself (``@measures.register``)
or is declared as an entry point in the group of its registry.

Examples:
    >>> import attrs
    >>> from shopkit.loyalty.plugin import BadgeRule, badge_rules
    >>> @badge_rules.register("night_owl")
    ... @attrs.frozen(kw_only=True)
    ... class NightOwl(BadgeRule):
    ...     "An order placed between midnight and 5 a.m., UTC."
    ...     name: str = "night owl"
    ...     def describe(self) -> str:
    ...         return "an order after midnight"
    ...     def earned_at(self, orders, events):
    ...         return next((at for at in orders if at.hour < 5), None)
    >>> "night_owl" in badge_rules.names()
    True
"""

from shopkit.loyalty._badges import BadgeEvent, EventCount, MonthStreak, OrderCount
from shopkit.loyalty._benefits import Discount, FreeShipping, PointsMultiplier
from shopkit.loyalty._earning import Bonus, BonusEvent, CategoryMultiplier, PerAmount
from shopkit.loyalty._events import LedgerEvent, events
from shopkit.loyalty._kinds import (
    BadgeRule,
    EarnRule,
    Measure,
    ReferralRule,
    TierBenefit,
    Window,
    badge_rules,
    benefits,
    earn_rules,
    measures,
    referral_rules,
    windows,
)
from shopkit.loyalty._measures import Basis, Lifetime, Orders, Rolling, Spend
from shopkit.loyalty._referrals import Referral, ReferralReward, ReferralTrigger

__all__ = [
    "BadgeEvent",
    "BadgeRule",
    "Basis",
    "Bonus",
    "BonusEvent",
    "CategoryMultiplier",
    "Discount",
    "EarnRule",
    "EventCount",
    "FreeShipping",
    "LedgerEvent",
    "Lifetime",
    "Measure",
    "MonthStreak",
    "OrderCount",
    "Orders",
    "PerAmount",
    "PointsMultiplier",
    "Referral",
    "ReferralReward",
    "ReferralRule",
    "ReferralTrigger",
    "Rolling",
    "Spend",
    "TierBenefit",
    "Window",
    "badge_rules",
    "benefits",
    "earn_rules",
    "events",
    "measures",
    "referral_rules",
    "windows",
]
