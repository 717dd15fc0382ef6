"""Points redeemed on a priced cart: a tender, allocated exactly over the lines.

Loyalty says what a customer's points are worth and how many may be spent on an order (the
programme's ``Redemption``: the value of a point, the minimum points, the minimum and maximum
share of the order); pricing says what the order costs. This module joins the two: the amount
the points pay is spread over the priced lines in proportion to their totals (the largest
remainder method, ``shopkit.allocate``, each part at most its line's total), so a refund of one
line later knows what the points paid of it. Prices are not changed — points are a tender, like
a gift card, paid against the total.
"""

from __future__ import annotations

import datetime as dt

import attrs

from shopkit import Money, ValidationError, allocate
from shopkit.loyalty import Programme, Redeemed, Redemption, Status
from shopkit.pricing import PricedCart

__all__ = ["PointsTender", "max_points", "redeem_points"]


@attrs.frozen(kw_only=True)
class PointsTender:
    """Points paying part of a priced cart.

    Attributes:
        customer: Whose points.
        points: How many are redeemed.
        amount: What they pay.
        lines: What they pay of each priced line, in the cart's line order; the parts sum to
            ``amount`` exactly and none exceeds its line's total.
        due: What is left to pay: the cart's total less ``amount``.
    """

    customer: str
    points: int
    amount: Money
    lines: tuple[Money, ...]
    due: Money

    def event(self, id: str, at: dt.datetime, *, order: str | None = None) -> Redeemed:
        """The ledger event recording the redemption (append it when the order is placed)."""
        return Redeemed(id, self.customer, at, points=self.points, order=order)


def _rule(programme: Programme, priced: PricedCart) -> Redemption:
    if priced.currency != programme.currency:
        raise ValidationError(
            f"the cart is in {priced.currency}, the programme in {programme.currency}",
            field="priced.currency",
            value=priced.currency,
        )
    rule = programme.version_at(priced.at).redemption
    if rule is None:
        raise ValidationError(
            "the programme's points cannot be redeemed", field="programme.redemption", value=None
        )
    return rule


def max_points(priced: PricedCart, status: Status, programme: Programme) -> int:
    """The most points ``status``'s customer may redeem on ``priced`` (0 when below the minimum).

    The least of: the available balance, the maximum share of the total, and the items'
    total (points never pay for shipping).
    """
    rule = _rule(programme, priced)
    items = sum((line.total for line in priced.lines), Money.zero(priced.currency))
    cap = min(status.balance, rule.max_points(priced.total), items.minor // rule.point_value.minor)
    return cap if cap >= rule.min_points else 0


def redeem_points(
    priced: PricedCart, status: Status, programme: Programme, points: int
) -> PointsTender:
    """Pay part of ``priced`` with ``points`` of the customer's available balance.

    Args:
        priced: The priced cart.
        status: The customer's status (``Ledger.status`` at the moment of the checkout).
        programme: The programme (its version in force at ``priced.at`` gives the rules).
        points: How many points to redeem.

    Raises:
        ValidationError: more points than the balance, fewer than the minimum, more than the
            maximum share of the order, less than its minimum share, or more than the items
            cost; the error names ``points``.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Product, Money
        >>> from shopkit.loyalty import Ledger, sample_ledger_events, sample_programme
        >>> from shopkit.pricing import price
        >>> from shopkit.storefront import redeem_points
        >>> at = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
        >>> ledger = Ledger(sample_programme(), sample_ledger_events())
        >>> cart = (Cart("GBP").add(Product("POT", "Teapot", Money.of("50.00", "GBP")))
        ...         .add(Product("TEA", "Tea", Money.of("10.00", "GBP")), 2))
        >>> tender = redeem_points(price(cart, [], at=at), ledger.status("ana", at),
        ...                        ledger.programme, 1000)
        >>> print(tender.amount, [str(part) for part in tender.lines], tender.due)
        10.00 GBP ['7.14 GBP', '2.86 GBP'] 60.00 GBP
    """
    rule = _rule(programme, priced)
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(
            f"{points!r} is not a whole number of points", field="points", value=points
        )
    if points > status.balance:
        raise ValidationError(
            f"{points} points is more than the {status.balance} available",
            field="points",
            value=points,
        )
    amount = rule.check(points, priced.total)
    totals = [line.total for line in priced.lines]
    items = sum(totals, Money.zero(priced.currency))
    if amount > items:
        raise ValidationError(
            f"{amount} is more than the items' {items}: points do not pay for shipping",
            field="points",
            value=points,
        )
    parts = allocate(amount, totals, caps=totals, keys=list(range(len(totals)))) if totals else ()
    return PointsTender(
        customer=status.customer,
        points=points,
        amount=amount,
        lines=tuple(parts),
        due=priced.total - amount,
    )
