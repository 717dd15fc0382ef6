"""The built-in referral rule: reward the referrer, the referred or both, on a trigger, capped.

A ``referral`` event records that one customer referred another. The reward is given when the
referred customer signs up, places their first order, or places each order (``on``), at that
moment, under the version then in force. A referrer is rewarded for at most ``cap`` referred
customers (counted in the order they first earned the referrer a reward). A customer cannot
refer themselves and is referred once (the ledger refuses anything else).
"""

from __future__ import annotations

import enum

import attrs

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.loyalty._kinds import ReferralRule

__all__ = ["Referral", "ReferralReward", "ReferralTrigger"]


class ReferralReward(enum.StrEnum):
    """Who is rewarded."""

    REFERRER = "referrer"
    """The customer who referred."""
    REFERRED = "referred"
    """The customer who was referred."""
    BOTH = "both"
    """Both."""


class ReferralTrigger(enum.StrEnum):
    """What the referred customer does that gives the reward."""

    SIGN_UP = "sign_up"
    """Signs up (after the referral)."""
    FIRST_ORDER = "first_order"
    """Places their first order, after the referral."""
    EVERY_ORDER = "every_order"
    """Places an order (each one after the referral)."""


def _reward(value: object) -> ReferralReward:
    return check.enum_value(ReferralReward, value, "reward")


def _trigger(value: object) -> ReferralTrigger:
    return check.enum_value(ReferralTrigger, value, "on")


@attrs.frozen(kw_only=True)
class Referral(ReferralRule):
    """Points for a referral (type ``referral``).

    Attributes:
        reward: ``"referrer"``, ``"referred"`` or ``"both"``.
        on: ``"sign_up"``, ``"first_order"`` or ``"every_order"``.
        referrer_points: The referrer's points per reward (0 when only the referred gets some).
        referred_points: The referred customer's points per reward.
        cap: The most referred customers a referrer is rewarded for (``None``: no cap).

    Examples:
        >>> from shopkit.loyalty.plugin import Referral
        >>> Referral(reward="both", on="first_order", referrer_points=500,
        ...          referred_points=200).describe()
        '500 points to the referrer and 200 to the referred customer on the first order'
    """

    reward: ReferralReward = attrs.field(converter=_reward)
    on: ReferralTrigger = attrs.field(converter=_trigger)
    referrer_points: int = attrs.field(default=0, validator=check.non_negative_int)
    referred_points: int = attrs.field(default=0, validator=check.non_negative_int)
    cap: int | None = attrs.field(default=None, validator=check.optional(check.positive_int))

    def __attrs_post_init__(self) -> None:
        for side, points in (
            ("referrer", self.referrer_points),
            ("referred", self.referred_points),
        ):
            wanted = self.reward in (ReferralReward.BOTH, ReferralReward(side))
            if wanted and points == 0:
                raise ValidationError(
                    f"the {side} is rewarded with 0 points", field=f"{side}_points", value=0
                )
            if not wanted and points:
                raise ValidationError(
                    f"the {side} is not rewarded ({self.reward.value}), yet has points",
                    field=f"{side}_points",
                    value=points,
                )

    def points(self) -> tuple[int, int]:
        """The referrer's and the referred customer's points per reward."""
        return self.referrer_points, self.referred_points

    def describe(self) -> str:
        """Say who gets what, when."""
        when = {"sign_up": "on sign-up", "first_order": "on the first order"}.get(
            self.on.value, "on every order"
        )
        parts = []
        if self.referrer_points:
            parts.append(f"{self.referrer_points} points to the referrer")
        if self.referred_points:
            parts.append(
                f"{self.referred_points} to the referred customer"
                if parts
                else f"{self.referred_points} points to the referred customer"
            )
        return f"{' and '.join(parts)} {when}"
