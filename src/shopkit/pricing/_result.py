"""What the engine returns: a priced cart with every adjustment and explanation."""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections.abc import Callable
from typing import Any, cast

import attrs

from shopkit import Line, Money
from shopkit.pricing._values import Level, Nudge

__all__ = [
    "Adjustment",
    "AppliedPromotion",
    "CodeResult",
    "CodeStatus",
    "FeeCharge",
    "FeeStatus",
    "NotApplied",
    "PricedCart",
    "PricedLine",
    "Reason",
    "UnitPrice",
    "applied_promotion",
]


class Reason(enum.StrEnum):
    """Why a promotion that was considered for a cart gave nothing."""

    NOT_STARTED = "not_started"
    """Its window starts after the moment of pricing."""
    ENDED = "ended"
    """Its window ended at or before the moment of pricing."""
    CONDITION = "condition"
    """Its condition does not hold (the nudge, if any, says what would make it hold)."""
    EXCLUDED = "excluded"
    """It applies only alone and another applies, or another applies alone."""
    GROUP = "group"
    """Another promotion of its exclusive group applies."""
    STOPPED = "stopped"
    """A promotion of a higher priority stops the ones after it."""
    NO_EFFECT = "no_effect"
    """It applies but gives this cart nothing (or a cap leaves it nothing)."""
    NOT_CHOSEN = "not_chosen"
    """In best-for-customer mode, a combination without it gives a lower total."""
    EXHAUSTED = "exhausted"
    """It has been used as often as it may be."""
    EXHAUSTED_FOR_CUSTOMER = "exhausted_for_customer"
    """This customer has used it as often as one customer may (or it needs a signed-in one)."""
    BUDGET_SPENT = "budget_spent"
    """Its budget cannot cover this order's discount."""
    NO_AMOUNT = "no_amount"
    """It has no amount in the cart's currency ("no amount for EUR"): it is not for this cart."""


class CodeStatus(enum.StrEnum):
    """What became of a code the shopper entered."""

    APPLIED = "applied"
    """Its promotion applied."""
    UNKNOWN = "unknown"
    """No promotion or issued code has it."""
    NOT_YET_ACTIVE = "not_yet_active"
    """The code or its promotion starts later."""
    EXPIRED = "expired"
    """The code or its promotion has ended."""
    EXHAUSTED = "exhausted"
    """The code or its promotion has been used as often as it may be."""
    EXHAUSTED_FOR_CUSTOMER = "exhausted_for_customer"
    """This customer has used the promotion as often as one customer may."""
    BOUND_TO_OTHER_CUSTOMER = "bound_to_other_customer"
    """The code was issued to another customer."""
    BUDGET_SPENT = "budget_spent"
    """The promotion's budget cannot cover this order's discount."""
    CANNOT_COMBINE = "cannot_combine"
    """Its promotion does not combine with the ones that applied."""
    TOO_MANY_CODES = "too_many_codes"
    """The order already uses as many codes as it may."""
    NOT_APPLICABLE = "not_applicable"
    """Its promotion's conditions are not met, or it gives nothing to this cart."""


@attrs.frozen
class CodeResult:
    """A code the shopper entered, and what became of it.

    Attributes:
        code: The code as entered.
        status: What became of it.
        message: A sentence a shop can show.
        promotion_id: The promotion it unlocks, if it unlocks one.
    """

    code: str
    status: CodeStatus
    message: str
    promotion_id: str | None = None


@attrs.frozen
class Adjustment:
    """A discount on one line from one promotion.

    Attributes:
        promotion_id: The promotion's id.
        level: ``line`` for a line promotion; ``order`` for this line's share of an order
            discount.
        amount: The discount, zero or more.
        units: How many of the line's units the promotion consumed (bundles, buy-X-get-Y,
            cheapest free); 0 for discounts that consume none.
    """

    promotion_id: str
    level: Level
    amount: Money
    units: int = 0


@attrs.frozen
class UnitPrice:
    """Units of a line that cost the same after discounts: ``count`` units at ``price`` each.

    Attributes:
        price: What one of these units costs after every discount on the line.
        count: How many of the line's units cost that.
    """

    price: Money
    count: int


@attrs.frozen
class PricedLine:
    """A line of the cart after pricing.

    Attributes:
        line: The line as given (for a gift, the gift line the promotion added).
        subtotal: Unit price × quantity, before discounts.
        adjustments: Every discount on the line, line-level first, in application order.
        discount: The sum of the adjustments.
        total: ``subtotal - discount``: what the line costs, never negative. A tax engine can
            use it as the line's discounted amount.
        gift: Whether the line is a gift a promotion added.
        unit_prices: What each unit costs after discounts, dearest first, as runs of units
            at one price: "second at half price" on 2 × 10.00 gives 1 × 10.00 and 1 × 5.00.
            The prices of all units sum exactly to ``total`` (a refund or a return label
            reads them).
    """

    line: Line
    subtotal: Money
    adjustments: tuple[Adjustment, ...]
    discount: Money
    total: Money
    gift: bool = False
    unit_prices: tuple[UnitPrice, ...] = ()

    def each_unit(self) -> tuple[Money, ...]:
        """The price of each unit after discounts, dearest first; they sum to ``total``."""
        return tuple(run.price for run in self.unit_prices for _ in range(run.count))


@attrs.frozen
class AppliedPromotion:
    """A promotion that gave something.

    Attributes:
        promotion_id: The promotion's id.
        name: The promotion's name.
        level: Where it acted: line, order or shipping.
        amount: What it took off, items and shipping together.
        message: A sentence a shop can show: "Mug week: you save 1.30 GBP".
    """

    promotion_id: str
    name: str
    level: Level
    amount: Money
    message: str


_APPLIED_SETTERS = tuple(
    getattr(AppliedPromotion, field.name).__set__ for field in attrs.fields(AppliedPromotion)
)


def applied_promotion(
    promotion_id: str, name: str, level: Level, amount: Money, message: str
) -> AppliedPromotion:
    """``AppliedPromotion(promotion_id, name, level, amount, message)``, built faster.

    The class has no converters or validators, so its slots are set directly (the frozen
    class's ``__init__`` goes through ``object.__setattr__`` once per field); the result is
    equal to the one the class builds. The engine builds one per applied promotion.
    """
    made = object.__new__(AppliedPromotion)
    set_id, set_name, set_level, set_amount, set_message = _APPLIED_SETTERS
    set_id(made, promotion_id)
    set_name(made, name)
    set_level(made, level)
    set_amount(made, amount)
    set_message(made, message)
    return made


@attrs.frozen
class NotApplied:
    """A promotion that was considered for the cart but gave nothing, and why.

    Attributes:
        promotion_id: The promotion's id.
        name: The promotion's name.
        reason: Why, as a stable value to branch on.
        message: Why, in words a shopper can read.
        nudge: What would unlock it, where adding something would: the promotion, the spend
            or units missing and what they unlock (its ``message``: "add 5.00 GBP more for free
            shipping").
    """

    promotion_id: str
    name: str
    reason: Reason
    message: str
    nudge: Nudge | None = None


class FeeStatus(enum.StrEnum):
    """Whether a fee was charged, and if not, why."""

    CHARGED = "charged"
    """It is charged."""
    THRESHOLD_MET = "threshold_met"
    """A small-order fee: the order reaches its threshold."""
    OTHER_PAYMENT = "other_payment"
    """A payment-method fee: the order is paid otherwise."""
    CONDITION = "condition"
    """Its condition does not hold."""
    NO_AMOUNT = "no_amount"
    """It has no amount in the cart's currency."""


@attrs.frozen
class FeeCharge:
    """A fee considered for a priced cart: what it charges, or why it charges nothing.

    Attributes:
        fee_id: The fee's id.
        name: The fee's name.
        status: Charged, or why not.
        amount: What it charges (zero when not charged).
        message: A sentence a shop can show before checkout.
        nudge: For a charged small-order fee, the spend that would avoid it.
    """

    fee_id: str
    name: str
    status: FeeStatus
    amount: Money
    message: str
    nudge: Nudge | None = None

    @property
    def charged(self) -> bool:
        """Whether the fee is charged."""
        return self.status is FeeStatus.CHARGED


@attrs.frozen
class PricedCart:
    """A cart after pricing, with totals that add up to the minor unit.

    ``subtotal - discount + shipping + fee_total == total`` holds exactly, and ``discount`` is
    the sum of every line's adjustments (order discounts are spread over the lines).

    Attributes:
        currency: The cart's currency.
        lines: The priced lines in the cart's order, then any gift lines. ``price`` builds
            them when they are first read (the totals are known without them), so a caller
            that needs only the totals does not pay for them; reading gives the same lines
            either way.
        subtotal: The sum of the lines' subtotals (gifts included at their price).
        discount: Everything taken off the items: line and order discounts, gifts.
        shipping_price: The chosen shipping option's price before discounts (zero if none).
        shipping_discount: What was taken off shipping.
        shipping: ``shipping_price - shipping_discount``.
        total: ``subtotal - discount + shipping + fee_total``.
        applied: The promotions that gave something, in application order.
        not_applied: The promotions considered that gave nothing, with reasons and nudges.
        choice: In best-for-customer mode, which combination was chosen and why.
        at: The moment the cart was priced at.
        prices_include_tax: Copied from the cart: whether the amounts include tax. The engine
            discounts prices as given; a tax engine takes each line's ``total`` as the
            discounted amount (tax included or not, as this says).
        codes: Every code entered, with what became of it.
        fees: Every fee the shop passed, charged or not, with a sentence each (charged ones
            are added to ``total`` after every discount and never discounted).
    """

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Money
    discount: Money
    shipping_price: Money
    shipping_discount: Money
    shipping: Money
    total: Money
    applied: tuple[AppliedPromotion, ...]
    not_applied: tuple[NotApplied, ...]
    choice: str | None
    at: dt.datetime
    prices_include_tax: bool = True
    codes: tuple[CodeResult, ...] = ()
    fees: tuple[FeeCharge, ...] = ()

    @classmethod
    def _deferred(
        cls, build_lines: Callable[[], tuple[PricedLine, ...]], **fields: Any
    ) -> PricedCart:
        """A priced cart whose ``lines`` are built by ``build_lines`` when first read.

        The engine's way out: the totals are known without the lines, and most callers of
        ``price`` (a cart page showing the total, best-for-customer comparing combinations, a
        benchmark) read few lines or none. Once built, the lines are kept; reading them,
        comparing, hashing, printing or dumping the cart gives what eager lines would.
        """
        return cls(lines=cast(tuple[PricedLine, ...], _Deferred(build_lines)), **fields)

    @property
    def fee_total(self) -> Money:
        """What the charged fees add to the total."""
        total = Money._trusted(0, self.currency)
        for fee in self.fees:
            total += fee.amount
        return total

    @property
    def nudges(self) -> tuple[Nudge, ...]:
        """Every nudge of the promotions that did not apply, in their order.

        A charged small-order fee's nudge (the spend that avoids it) is in its ``FeeCharge``.
        """
        return tuple(item.nudge for item in self.not_applied if item.nudge is not None)


_BUILDING = threading.RLock()


class _Deferred:
    """Lines not built yet, and how to build them (what ``PricedCart.lines`` holds at first)."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], tuple[PricedLine, ...]]) -> None:
        self.build = build


class _BuiltOnRead:
    """The descriptor of ``PricedCart.lines``: its slot, built on the first read if deferred.

    Every reader goes through it (attribute access, attrs' ``__eq__``, ``__hash__`` and
    ``__repr__``, ``attrs.evolve``, the converter, pickling), so none ever sees the deferred
    value, and a cart built from JSON and one built by the engine compare equal. The build runs
    under a lock: a priced cart shared between threads is built once, and read whole.
    """

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.slot.__get__(instance, owner)
        if type(value) is _Deferred:
            with _BUILDING:
                value = self.slot.__get__(instance, owner)
                if type(value) is _Deferred:  # not built by another thread meanwhile
                    value = value.build()
                    self.slot.__set__(instance, value)
        return value

    def __set__(self, instance: object, value: object) -> None:
        self.slot.__set__(instance, value)


def _build_on_read(cls: type, name: str) -> None:
    # wrap the slot attrs made for the field ``name``
    setattr(cls, name, _BuiltOnRead(cls.__dict__[name]))


_build_on_read(PricedCart, "lines")
