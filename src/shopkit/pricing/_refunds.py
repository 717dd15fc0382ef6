"""Refunds of returned units: what to give back when a return breaks a deal or a threshold.

The rule: the order keeps what it would cost if the customer had bought only the units they keep
(priced again with the same promotions at the moment of the order), plus the shipping and fees
paid; everything else of what is still held is refunded. So the discount the kept units no
longer earn (a 3-for-2 broken, a threshold no longer met) is kept back, a refund is never
negative and never more than is held, and returns made one after another telescope: refunding
every unit, in any order and in any steps, gives back exactly what was paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from shopkit import Cart, Customer, Line, Money, ValidationError
from shopkit._allocation import split_minor
from shopkit.pricing._book import PromotionBook
from shopkit.pricing._codes import CodeBook
from shopkit.pricing._engine import price
from shopkit.pricing._promotion import PricingOptions, Promotion
from shopkit.pricing._result import PricedCart

__all__ = ["Refund", "refund"]


@attrs.frozen
class Refund:
    """What to refund for the units returned so far, and why.

    Attributes:
        amount: What to pay back now.
        returned_paid: What the returned units were paid (their share of their lines' totals,
            by quantity).
        kept_back: ``returned_paid`` less ``amount``, when positive: the discount the kept units
            no longer earn; zero otherwise.
        kept: The units kept, priced again as an order of their own at the order's moment;
            ``None`` when every unit is returned.
        lost: The promotions the order had that the kept units no longer get.
        message: A sentence a shop can show.
    """

    amount: Money
    returned_paid: Money
    kept_back: Money
    kept: PricedCart | None
    lost: tuple[str, ...]
    message: str


def _returned_counts(order: PricedCart, returned: Sequence[int]) -> list[int]:
    if isinstance(returned, str | bytes) or not isinstance(returned, Sequence):
        raise ValidationError(
            "returned is a list of units per line of the order", field="returned", value=returned
        )
    if len(returned) != len(order.lines):
        raise ValidationError(
            f"returned gives {len(returned)} counts for {len(order.lines)} lines",
            field="returned",
            value=list(returned),
        )
    counts = []
    for index, (line, count) in enumerate(zip(order.lines, returned, strict=True)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationError(
                f"{count!r} is not a whole number of units", field=f"returned[{index}]", value=count
            )
        if count > line.line.quantity:
            raise ValidationError(
                f"{count} units returned of a line of {line.line.quantity}",
                field=f"returned[{index}]",
                value=count,
            )
        counts.append(count)
    return counts


def refund(
    order: PricedCart,
    returned: Sequence[int],
    promotions: PromotionBook | Iterable[Promotion],
    *,
    refunded: Money | None = None,
    customer: Customer | None = None,
    options: PricingOptions | None = None,
    codes: CodeBook | None = None,
    at: dt.datetime | None = None,
) -> Refund:
    """Work out the refund for the units returned so far of a priced order.

    ``returned`` counts, for each line of ``order`` (gift lines included), the units returned
    so far, in all; ``refunded`` is what earlier refunds of this order paid back. The kept
    units are priced again as an order of their own (same promotions, customer, options and
    codes, at the order's moment unless ``at`` says otherwise; no store is read, so usage
    limits are not checked again); the order keeps that, plus its shipping and fees, and the
    rest of what it still holds is refunded. A kept gift the kept units no longer earn is kept
    back at its price.

    Args:
        order: The order as it was priced.
        returned: Units returned so far, per line of ``order``.
        promotions: The promotions the order was priced with.
        refunded: What was refunded for this order before; zero when ``None``.
        customer: The customer the order was priced for.
        options: The options it was priced with.
        codes: The issued codes it was priced with.
        at: The moment to price the kept units at; the order's own when ``None``.

    Returns:
        The refund.

    Raises:
        ValidationError: ``returned`` does not fit the order, or ``refunded`` is not an amount
            in its currency from zero to its total.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Money, Product
        >>> from shopkit.pricing import BuyXGetY, Promotion, Skus, price, refund
        >>> mug = Product("MUG", "Mug", Money.of("10.00", "EUR"))
        >>> deal = Promotion("3for2", "3 for 2", BuyXGetY(buy=2, get=1, selector=Skus(["MUG"])))
        >>> now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
        >>> order = price(Cart("EUR").add(mug, 3), [deal], at=now)
        >>> print(order.total, refund(order, [1], [deal]).amount)
        20.00 EUR 0.00 EUR
    """
    if not isinstance(order, PricedCart):
        raise ValidationError(f"{order!r} is not a PricedCart", field="order", value=order)
    currency = order.currency
    counts = _returned_counts(order, returned)
    done = refunded if refunded is not None else Money._trusted(0, currency)
    if (
        not isinstance(done, Money)
        or done.currency != currency
        or not (0 <= done.minor <= order.total.minor)
    ):
        raise ValidationError(
            f"{done!r} is not an amount in {currency} from 0 to the order's total",
            field="refunded",
            value=str(done),
        )
    held = order.total.minor - done.minor
    returned_paid = 0
    for line, count in zip(order.lines, counts, strict=True):
        if count:
            quantity = line.line.quantity
            returned_paid += split_minor(line.total.minor, [count, quantity - count])[0]
    kept_lines = [
        Line(line.line.product, line.line.quantity - count)
        for line, count in zip(order.lines, counts, strict=True)
        if not line.gift and line.line.quantity > count
    ]
    money = Money._trusted
    if not kept_lines:
        amount = held
        kept = None
        lost = tuple(applied.promotion_id for applied in order.applied)
    else:
        cart = Cart(currency, kept_lines, codes=tuple(code.code for code in order.codes))
        kept = price(
            cart,
            promotions,
            at=at if at is not None else order.at,
            customer=customer,
            options=options,
            codes=codes,
        )
        given = {line.line.product.sku for line in kept.lines if line.gift}
        gifts_kept_back = sum(
            line.line.product.unit_price.minor * (line.line.quantity - count)
            for line, count in zip(order.lines, counts, strict=True)
            if line.gift and line.line.product.sku not in given
        )
        due = (
            kept.subtotal.minor
            - kept.discount.minor
            + order.shipping.minor
            + order.fee_total.minor
            + gifts_kept_back
        )
        amount = max(0, held - due)
        still = {applied.promotion_id for applied in kept.applied}
        lost = tuple(a.promotion_id for a in order.applied if a.promotion_id not in still)
    kept_back = max(0, returned_paid - amount)
    names = {a.promotion_id: a.name for a in order.applied}
    message = f"refund {money(amount, currency)} for units paid {money(returned_paid, currency)}"
    if kept_back and lost and kept is not None:
        message += (
            f"; {money(kept_back, currency)} is kept back, as the kept units no longer get "
            + ", ".join(names[promotion_id] for promotion_id in lost)
        )
    elif kept_back and kept is not None:
        message += f"; {money(kept_back, currency)} is kept back, the discount the kept units lose"
    return Refund(
        money(amount, currency),
        money(returned_paid, currency),
        money(kept_back, currency),
        kept,
        lost,
        message,
    )
