"""Fees: positive charges added to an order after every discount, explained like discounts.

A small-order fee ("2.00 on orders below 15.00") and a payment-method fee ("cash on delivery:
1.50", "card: 1.5 %") are shown before checkout with a sentence each, because unexpected extra
costs at the end are why buyers leave. A fee is charged after every promotion has been applied
and is never discounted: it cannot change a discount, and it is never below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from shopkit import Money, RoundingMode, ShopkitError, ValidationError, to_decimal
from shopkit import validators as check
from shopkit._numbers import round_ratio
from shopkit.pricing._kinds import Condition
from shopkit.pricing._result import FeeCharge, FeeStatus
from shopkit.pricing._values import Amounts, Context, Nudge, currencies_of

__all__ = ["Fee", "charge_fees"]


def _optional_percent(value: object) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return to_decimal(value, "percent")


@attrs.frozen
class Fee:
    """A charge added to an order: a fixed amount or a percentage, when its rules say so.

    Exactly one of ``amounts`` and ``percent`` is given. A percentage is taken of what the
    customer pays before fees (the items after discounts, and shipping), rounded with the
    engine's rounding mode.

    Attributes:
        id: A unique id; results refer to the fee by it.
        name: The name a shopper sees ("Small-order fee").
        amounts: The fee, per currency, if a fixed amount.
        percent: The fee as a percentage, from 0 to 100, if a percentage.
        below: A small-order fee: charged only while the items after discounts cost less than
            this, per currency; the result nudges by how much more avoids it.
        payment_methods: A payment-method fee: charged only when the order is paid by one of
            these (``price(..., payment_method=...)``); for every payment method when empty.
        condition: Any further condition (region, channel, …); ``None`` for none.

    Examples:
        >>> from shopkit.pricing import Amounts, Fee
        >>> small = Fee("small", "Small-order fee", Amounts.of(EUR="2.00"),
        ...             below=Amounts.of(EUR="15.00"))
        >>> small.describe()
        'Small-order fee: 2.00 EUR on orders below 15.00 EUR'
    """

    id: str = attrs.field(validator=check.non_empty_str)
    name: str = attrs.field(validator=check.non_empty_str)
    amounts: Amounts | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Amounts))
    )
    percent: Decimal | None = attrs.field(
        default=None,
        converter=_optional_percent,
        validator=check.optional(check.decimal_between(0, 100)),
        kw_only=True,
    )
    below: Amounts | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Amounts)), kw_only=True
    )
    payment_methods: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple, kw_only=True
    )
    condition: Condition | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Condition)), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if (self.amounts is None) == (self.percent is None):
            raise ValidationError(
                "a fee is either amounts or percent", field="amounts", value=self.amounts
            )

    def describe(self) -> str:
        """The fee in words: "Small-order fee: 2.00 EUR on orders below 15.00 EUR"."""
        what = (
            self.amounts.describe()
            if self.amounts is not None
            else f"{Decimal(self.percent or 0).normalize():f}%"
        )
        rules = []
        if self.below is not None:
            rules.append(f"on orders below {self.below.describe()}")
        if self.payment_methods:
            rules.append(f"when paying by {', '.join(self.payment_methods)}")
        return " ".join([f"{self.name}: {what}", *rules])


def charge_fees(
    fees: Sequence[Fee],
    context: Context,
    items: int,
    before_fees: int,
    payment_method: str | None,
    rounding: RoundingMode,
) -> tuple[FeeCharge, ...]:
    """Decide every fee for a priced cart.

    Args:
        fees: The shop's fees.
        context: What conditions see (the threshold amount is the items after discounts).
        items: What the items cost after discounts, in minor units.
        before_fees: What the customer pays before fees (items and shipping), in minor units.
        payment_method: How the order is paid, if known.
        rounding: How a percentage is rounded.

    Returns:
        One ``FeeCharge`` per fee, in the order given.
    """
    currency = context.cart.currency
    zero = Money._trusted(0, currency)
    result = []
    for index, fee in enumerate(fees):
        if not isinstance(fee, Fee):
            raise ValidationError(f"{fee!r} is not a Fee", field=f"fees[{index}]", value=fee)

        def no(status: FeeStatus, message: str, fee: Fee = fee) -> FeeCharge:
            return FeeCharge(fee.id, fee.name, status, zero, message)

        currencies = currencies_of(fee)
        if currencies is not None and currency not in currencies:
            result.append(no(FeeStatus.NO_AMOUNT, f"no amount for {currency}"))
            continue
        if fee.payment_methods and payment_method not in fee.payment_methods:
            result.append(
                no(FeeStatus.OTHER_PAYMENT, f"only when paying by {', '.join(fee.payment_methods)}")
            )
            continue
        nudge = None
        rule = ""
        if fee.below is not None:
            bar = fee.below.get(currency, "below").minor
            if items >= bar:
                bar_money = Money._trusted(bar, currency)
                result.append(
                    no(FeeStatus.THRESHOLD_MET, f"no {fee.name} on orders from {bar_money}")
                )
                continue
            rule = f" (orders below {Money._trusted(bar, currency)})"
            nudge = Nudge(
                fee.id,
                missing_amount=Money._trusted(bar - items, currency),
                unlocks=f"no {fee.name}",
            )
        if fee.condition is not None:
            try:
                verdict = fee.condition.check(context)
            except ShopkitError as error:
                raise error.at(f"fees[{fee.id}].condition") from None
            if not verdict.ok:
                result.append(no(FeeStatus.CONDITION, verdict.message))
                continue
        if fee.amounts is not None:
            minor = fee.amounts.get(currency).minor
        else:
            numerator, denominator = Decimal(fee.percent or 0).as_integer_ratio()
            minor = round_ratio(before_fees * numerator, denominator * 100, rounding)
        amount = Money._trusted(minor, currency)
        result.append(
            FeeCharge(
                fee.id, fee.name, FeeStatus.CHARGED, amount, f"{fee.name}: {amount}{rule}", nudge
            )
        )
    return tuple(result)
