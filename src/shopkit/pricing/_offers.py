"""What a customer can get now, without a cart: the promotions available, the shipping offers.

``available_promotions`` lists the promotions a customer can get now, with their terms (their
segment, tier, region and channel, and the date, decide; conditions that need a cart, such as a
minimum spend, become part of the terms); ``shipping_offers`` gives a region's shipping
promotions and their thresholds. The words are ``_terms``'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from shopkit import Cart, Customer, Money
from shopkit import validators as check
from shopkit.pricing._benefits import FreeShipping, ShippingDiscount
from shopkit.pricing._book import PromotionBook, as_book
from shopkit.pricing._conditions import (
    AllOfConditions,
    AnyOfConditions,
    Channel,
    CodeEntered,
    CustomerSegment,
    DateWindow,
    FirstOrder,
    LoyaltyTier,
    MinSubtotal,
    NoneOfConditions,
    Region,
    Schedule,
)
from shopkit.pricing._kinds import Condition
from shopkit.pricing._promotion import Promotion
from shopkit.pricing._terms import _ENGLISH, PromotionTerms, TermsTemplates, _benefit_text, terms
from shopkit.pricing._values import Context, Level

__all__ = ["ShippingOffer", "available_promotions", "shipping_offers"]


_CUSTOMER_LEVEL = (CustomerSegment, FirstOrder, LoyaltyTier, Region, Channel, DateWindow, Schedule)


def _may_hold(condition: Condition | None, context: Context) -> bool | None:
    """True, False, or None when it depends on a cart (a spend, a quantity, a code, stock)."""
    if condition is None:
        return True
    if isinstance(condition, AllOfConditions):
        answers = [_may_hold(c, context) for c in condition.conditions]
        if False in answers:
            return False
        return None if None in answers else True
    if isinstance(condition, AnyOfConditions):
        answers = [_may_hold(c, context) for c in condition.conditions]
        if True in answers:
            return True
        return None if None in answers else False
    if isinstance(condition, NoneOfConditions):
        answers = [_may_hold(c, context) for c in condition.conditions]
        if True in answers:
            return False
        return None if None in answers else True
    if isinstance(condition, _CUSTOMER_LEVEL):
        return condition.check(context).ok
    if isinstance(condition, CodeEntered):
        return False  # only for those who have the code: never listed, so codes do not leak
    return None


def available_promotions(
    promotions: PromotionBook | Iterable[Promotion],
    *,
    at: dt.datetime,
    currency: str,
    customer: Customer | None = None,
    templates: TermsTemplates | None = None,
    timezone: str = "UTC",
) -> tuple[PromotionTerms, ...]:
    """The promotions this customer can get now, without a cart, each with its terms.

    A promotion is listed when it is active at ``at``, needs no code (as ``code`` or in a
    condition), has its amounts in
    ``currency``, and its customer conditions (segment, first order, tier, region, channel,
    date window, schedule) hold; a condition that needs a cart (a minimum spend or quantity,
    stock) does not hide it, it is written into its terms. By priority, then id.

    Args:
        promotions: The promotions.
        at: The moment, with a UTC offset.
        currency: The customer's currency.
        customer: The customer; a guest with no earlier order when ``None``.
        templates: The words; English when ``None``.
        timezone: The time zone the days are written in.

    Returns:
        The terms of each promotion available.
    """
    check.aware_datetime(at, "at")
    customer = customer if customer is not None else Customer()
    book = as_book(promotions)
    context = Context(Cart(currency), customer, at, frozenset(), Money.zero(currency))
    found = []
    for promotion in sorted(book.promotions, key=lambda p: (-p.priority, p.id)):
        if promotion.needs_code or not book.has_amounts_for(promotion, currency):
            continue
        if promotion.starts_at is not None and at < promotion.starts_at:
            continue
        if promotion.ends_at is not None and at >= promotion.ends_at:
            continue
        implied = promotion.benefit.implied_condition()
        if _may_hold(implied, context) is False or _may_hold(promotion.condition, context) is False:
            continue
        found.append(
            terms(promotion, at=at, currency=currency, templates=templates, timezone=timezone)
        )
    return tuple(found)


@attrs.frozen
class ShippingOffer:
    """A shipping promotion a region's customers can get, as a delivery page shows it.

    Attributes:
        promotion_id: The promotion's id.
        name: The promotion's name.
        offer: What it gives, in words: "free shipping (standard)", "delivery for 1.00 EUR".
        methods: The shipping option ids it covers; all when empty.
        threshold: The items' amount from which it applies (its own threshold, or its
            ``min_subtotal`` condition's), if any.
        text: The offer with its threshold, from the shop's templates: "free shipping on
            orders from 40.00 GBP".
        terms: The promotion's full terms.
    """

    promotion_id: str
    name: str
    offer: str
    methods: tuple[str, ...]
    threshold: Money | None
    text: str
    terms: PromotionTerms


def _threshold(promotion: Promotion, currency: str) -> Money | None:
    benefit = promotion.benefit
    found: list[Money] = []
    if isinstance(benefit, FreeShipping | ShippingDiscount) and benefit.threshold is not None:
        found.append(benefit.threshold.get(currency, "threshold"))
    pending = [promotion.condition]
    while pending:
        condition = pending.pop()
        if isinstance(condition, MinSubtotal):
            found.append(condition.amounts.get(currency, "amounts"))
        elif isinstance(condition, AllOfConditions):
            pending.extend(condition.conditions)
    return max(found) if found else None


def shipping_offers(
    promotions: PromotionBook | Iterable[Promotion],
    *,
    at: dt.datetime,
    currency: str,
    region: str | None = None,
    customer: Customer | None = None,
    templates: TermsTemplates | None = None,
    timezone: str = "UTC",
) -> tuple[ShippingOffer, ...]:
    """The shipping promotions and free-shipping thresholds for a region, without a cart.

    The shipping-level promotions ``available_promotions`` lists for a customer in ``region``
    (``customer``'s region is replaced by it when given), each with what it gives, the methods
    it covers and the spend from which it applies, lowest threshold first.

    Args:
        promotions: The promotions.
        at: The moment, with a UTC offset.
        currency: The region's currency.
        region: The region; the customer's own when ``None``.
        customer: The customer; a guest when ``None``.
        templates: The words; English when ``None``.
        timezone: The time zone the days are written in.

    Returns:
        The offers.
    """
    words = templates if templates is not None else _ENGLISH
    customer = customer if customer is not None else Customer()
    if region is not None:
        customer = attrs.evolve(customer, region=region)
    book = as_book(promotions)
    listed = {
        found.promotion_id: found
        for found in available_promotions(
            book,
            at=at,
            currency=currency,
            customer=customer,
            templates=templates,
            timezone=timezone,
        )
    }
    offers = []
    for promotion in book.promotions:
        if promotion.id not in listed or promotion.benefit.level is not Level.SHIPPING:
            continue
        benefit = promotion.benefit
        offer = _benefit_text(benefit, words)
        threshold = _threshold(promotion, currency)
        text = (
            offer
            if threshold is None
            else words.shipping_from.format(offer=offer, amount=threshold)
        )
        methods = tuple(getattr(benefit, "methods", ()))
        offers.append(
            ShippingOffer(
                promotion.id, promotion.name, offer, methods, threshold, text, listed[promotion.id]
            )
        )
    offers.sort(
        key=lambda o: (o.threshold.minor if o.threshold is not None else -1, o.promotion_id)
    )
    return tuple(offers)
