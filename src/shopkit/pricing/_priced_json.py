"""The stable JSON form of a priced cart, for a service's answers.

``to_dict(priced)`` writes a ``PricedCart`` as the converter reads it back: nested as the
objects are, every amount with its currency, fields at their defaults left out. A client of a
service wants something else: one flat shape that never changes with the defaults, each amount
written once as a decimal string in the one currency given at the top, and everything the shop
shows (messages, reasons, nudges) included. ``PricedCartJSON`` is that shape as attrs types,
so its JSON Schema comes from the same place as everything else's (``json_schema``), and a
Python client can read an answer back with ``from_json``. ``priced_cart_json`` writes it.

The form carries ``version: 1``. Within version 1 fields are only ever added, never renamed,
removed or given another meaning.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import attrs

from shopkit import Money, ValidationError, to_dict
from shopkit.pricing._kinds import Selector
from shopkit.pricing._result import (
    Adjustment,
    AppliedPromotion,
    CodeResult,
    CodeStatus,
    FeeCharge,
    FeeStatus,
    NotApplied,
    PricedCart,
    PricedLine,
    Reason,
    UnitPrice,
)
from shopkit.pricing._values import Level, Nudge

__all__ = [
    "AdjustmentJSON",
    "AppliedPromotionJSON",
    "CodeResultJSON",
    "FeeChargeJSON",
    "NotAppliedJSON",
    "NudgeJSON",
    "PricedCartJSON",
    "PricedLineJSON",
    "UnitPriceJSON",
    "priced_cart_json",
]


def _amount(money: Money) -> Decimal:
    return money.amount


@attrs.frozen
class AdjustmentJSON:
    """A discount on a line from one promotion (``Adjustment``), in the JSON form.

    Attributes:
        promotion_id: The promotion's id.
        level: ``line``, or ``order`` for the line's share of an order discount.
        amount: The discount, in the cart's currency.
        units: How many of the line's units the promotion consumed; 0 for none.
    """

    promotion_id: str
    level: Level
    amount: Decimal
    units: int

    @classmethod
    def of(cls, adjustment: Adjustment) -> AdjustmentJSON:
        """The JSON form of an adjustment."""
        return cls(
            adjustment.promotion_id, adjustment.level, _amount(adjustment.amount), adjustment.units
        )


@attrs.frozen
class UnitPriceJSON:
    """``count`` units of a line at ``price`` each after discounts (``UnitPrice``).

    Attributes:
        price: What one of these units costs after every discount on the line.
        count: How many of the line's units cost that.
    """

    price: Decimal
    count: int


@attrs.frozen
class PricedLineJSON:
    """A priced line, flat: the product's sku and name beside the amounts (``PricedLine``).

    Attributes:
        sku: The product's sku.
        name: The product's name.
        quantity: How many units.
        unit_price: The price of one unit before discounts.
        subtotal: ``unit_price × quantity``.
        discount: The sum of the adjustments.
        total: ``subtotal - discount``.
        gift: Whether a promotion added the line as a gift.
        adjustments: Every discount on the line, line level first.
        unit_prices: What the units cost after discounts, dearest first, as runs.
    """

    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    gift: bool
    adjustments: tuple[AdjustmentJSON, ...]
    unit_prices: tuple[UnitPriceJSON, ...]

    @classmethod
    def of(cls, line: PricedLine) -> PricedLineJSON:
        """The JSON form of a priced line."""
        return cls(
            sku=line.line.product.sku,
            name=line.line.product.name,
            quantity=line.line.quantity,
            unit_price=_amount(line.line.product.unit_price),
            subtotal=_amount(line.subtotal),
            discount=_amount(line.discount),
            total=_amount(line.total),
            gift=line.gift,
            adjustments=tuple(AdjustmentJSON.of(item) for item in line.adjustments),
            unit_prices=tuple(_unit_price(run) for run in line.unit_prices),
        )


def _unit_price(run: UnitPrice) -> UnitPriceJSON:
    return UnitPriceJSON(_amount(run.price), run.count)


@attrs.frozen
class AppliedPromotionJSON:
    """A promotion that gave something (``AppliedPromotion``).

    Attributes:
        promotion_id: The promotion's id.
        name: The promotion's name.
        level: Where it acted: ``line``, ``order`` or ``shipping``.
        amount: What it took off, items and shipping together.
        message: A sentence a shop can show.
    """

    promotion_id: str
    name: str
    level: Level
    amount: Decimal
    message: str

    @classmethod
    def of(cls, applied: AppliedPromotion) -> AppliedPromotionJSON:
        """The JSON form of an applied promotion."""
        return cls(
            applied.promotion_id,
            applied.name,
            applied.level,
            _amount(applied.amount),
            applied.message,
        )


@attrs.frozen
class NudgeJSON:
    """What would unlock a promotion, or avoid a fee (``Nudge``); every key always present.

    Exactly one of ``missing_amount`` and ``missing_units`` is set.

    Attributes:
        promotion_id: The promotion it would unlock (for a fee's nudge, the fee's id).
        missing_amount: The spend still needed, in the cart's currency, or ``null``.
        missing_units: The units still needed, or ``null``.
        selector: Which products those units must be (a selector, by its ``type``), or
            ``null``.
        unlocks: What the shopper would get, in words.
        reward: Whether the units earn a deal's own reward.
        message: The nudge as a sentence: "add 5.00 GBP more for free shipping".
    """

    promotion_id: str
    missing_amount: Decimal | None
    missing_units: int | None
    selector: Selector | None
    unlocks: str
    reward: bool
    message: str

    @classmethod
    def of(cls, nudge: Nudge) -> NudgeJSON:
        """The JSON form of a nudge."""
        return cls(
            nudge.promotion_id,
            None if nudge.missing_amount is None else _amount(nudge.missing_amount),
            nudge.missing_units,
            nudge.selector,
            nudge.unlocks,
            nudge.reward,
            nudge.message,
        )


def _nudge(nudge: Nudge | None) -> NudgeJSON | None:
    return None if nudge is None else NudgeJSON.of(nudge)


@attrs.frozen
class NotAppliedJSON:
    """A promotion considered that gave nothing, why, and what would unlock it (``NotApplied``).

    Attributes:
        promotion_id: The promotion's id.
        name: The promotion's name.
        reason: Why, as a stable value to branch on.
        message: Why, in words a shopper can read.
        nudge: What would unlock it, or ``null``.
    """

    promotion_id: str
    name: str
    reason: Reason
    message: str
    nudge: NudgeJSON | None

    @classmethod
    def of(cls, refused: NotApplied) -> NotAppliedJSON:
        """The JSON form of a promotion that did not apply."""
        return cls(
            refused.promotion_id,
            refused.name,
            refused.reason,
            refused.message,
            _nudge(refused.nudge),
        )


@attrs.frozen
class CodeResultJSON:
    """A code the shopper entered and what became of it (``CodeResult``).

    Attributes:
        code: The code as entered.
        status: What became of it.
        message: A sentence a shop can show.
        promotion_id: The promotion it unlocks, or ``null``.
    """

    code: str
    status: CodeStatus
    message: str
    promotion_id: str | None

    @classmethod
    def of(cls, result: CodeResult) -> CodeResultJSON:
        """The JSON form of a code's result."""
        return cls(result.code, result.status, result.message, result.promotion_id)


@attrs.frozen
class FeeChargeJSON:
    """A fee considered: what it charges, or why it charges nothing (``FeeCharge``).

    Attributes:
        fee_id: The fee's id.
        name: The fee's name.
        status: ``charged``, or why not.
        amount: What it charges (0 when not charged).
        message: A sentence a shop can show before checkout.
        nudge: For a charged small-order fee, the spend that would avoid it, or ``null``.
    """

    fee_id: str
    name: str
    status: FeeStatus
    amount: Decimal
    message: str
    nudge: NudgeJSON | None

    @classmethod
    def of(cls, fee: FeeCharge) -> FeeChargeJSON:
        """The JSON form of a fee charge."""
        return cls(
            fee.fee_id, fee.name, fee.status, _amount(fee.amount), fee.message, _nudge(fee.nudge)
        )


@attrs.frozen
class PricedCartJSON:
    """The stable JSON form of a priced cart: flat lines, each amount once, nothing left out.

    Every amount is a decimal string in ``currency`` with the currency's decimals ("36.00";
    "1000" in JPY). Every key is always present: a value that is absent is ``null``, a list
    that is empty is ``[]``. ``subtotal - discount + shipping + fee_total == total`` holds
    exactly. The nudges are those of ``not_applied`` (and of ``fees``), each given once.

    Attributes:
        version: The form's version, 1; within it, fields are only ever added.
        currency: The ISO 4217 code of every amount in the form.
        at: The moment the cart was priced at.
        prices_include_tax: Whether the amounts include tax, as the cart said.
        subtotal: The lines' subtotals together, before discounts.
        discount: Everything taken off the items.
        shipping_price: The chosen shipping's price before discounts (0 when none).
        shipping_discount: What was taken off shipping.
        shipping: ``shipping_price - shipping_discount``.
        fee_total: What the charged fees add.
        total: What the customer pays.
        lines: The priced lines in the cart's order, then any gift lines.
        applied: The promotions that gave something, in application order.
        not_applied: The promotions considered that gave nothing, with reasons and nudges.
        codes: Every code entered, with what became of it.
        fees: Every fee considered, charged or not.
        choice: In best-for-customer mode, which combination was chosen and why; else
            ``null``.
    """

    version: Literal[1]
    currency: str
    at: dt.datetime
    prices_include_tax: bool
    subtotal: Decimal
    discount: Decimal
    shipping_price: Decimal
    shipping_discount: Decimal
    shipping: Decimal
    fee_total: Decimal
    total: Decimal
    lines: tuple[PricedLineJSON, ...]
    applied: tuple[AppliedPromotionJSON, ...]
    not_applied: tuple[NotAppliedJSON, ...]
    codes: tuple[CodeResultJSON, ...]
    fees: tuple[FeeChargeJSON, ...]
    choice: str | None

    @classmethod
    def of(cls, priced: PricedCart) -> PricedCartJSON:
        """The JSON form of a priced cart.

        Raises:
            ValidationError: ``priced`` is not a ``PricedCart``.
        """
        if not isinstance(priced, PricedCart):
            raise ValidationError(f"{priced!r} is not a PricedCart", field="priced", value=priced)
        return cls(
            version=1,
            currency=priced.currency,
            at=priced.at,
            prices_include_tax=priced.prices_include_tax,
            subtotal=_amount(priced.subtotal),
            discount=_amount(priced.discount),
            shipping_price=_amount(priced.shipping_price),
            shipping_discount=_amount(priced.shipping_discount),
            shipping=_amount(priced.shipping),
            fee_total=_amount(priced.fee_total),
            total=_amount(priced.total),
            lines=tuple(PricedLineJSON.of(line) for line in priced.lines),
            applied=tuple(AppliedPromotionJSON.of(item) for item in priced.applied),
            not_applied=tuple(NotAppliedJSON.of(item) for item in priced.not_applied),
            codes=tuple(CodeResultJSON.of(item) for item in priced.codes),
            fees=tuple(FeeChargeJSON.of(item) for item in priced.fees),
            choice=priced.choice,
        )


def priced_cart_json(priced: PricedCart) -> dict[str, Any]:
    """Return a priced cart in its stable JSON form (``PricedCartJSON``), as plain data.

    ``json.dumps`` writes it; ``json_schema(PricedCartJSON)`` (``shopkit schema
    priced-cart-json``) is its schema; ``from_json(text, PricedCartJSON)`` reads it back.

    Args:
        priced: The priced cart.

    Returns:
        Dicts, lists, strings, numbers, booleans and ``null``; every amount a decimal string.

    Raises:
        ValidationError: ``priced`` is not a ``PricedCart``.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Money, Product
        >>> from shopkit.pricing import Percentage, Promotion, price, priced_cart_json
        >>> lamp = Product("LAMP", "Lamp", Money.of("40.00", "EUR"))
        >>> now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.timezone.utc)
        >>> answer = priced_cart_json(price(Cart("EUR").add(lamp), [
        ...     Promotion("w10", "Welcome", Percentage(10))], at=now))
        >>> answer["total"], answer["lines"][0]["sku"], answer["lines"][0]["discount"]
        ('36.00', 'LAMP', '4.00')
    """
    data: dict[str, Any] = to_dict(PricedCartJSON.of(priced))
    return data
