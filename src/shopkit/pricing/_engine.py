"""The engine: price(cart, promotions, at=...) -> PricedCart.

The rules, in the order the engine follows them (docs/pricing/stacking.md explains each):

1. The cart is put in canonical form: lines of the same product are merged and sorted by sku,
   so the result does not depend on the order of the lines or on how units are split over
   lines. Results are mapped back to the lines as given at the end (``_outcome``).
2. Candidates come from the ``PromotionBook`` index: a promotion about products the cart
   does not have is never looked at.
3. Each candidate is screened: active at ``at``, its code entered (a code promotion whose code
   was not entered is not reported at all, so codes do not leak), within its usage limits, its
   condition held on the cart before discounts.
4. The screened promotions are chosen by priority (or, in best-for-customer mode, the
   combination with the lowest total is searched for), respecting exclusive, group and stop
   (``_choose``).
5. The chosen ones are applied line level first, then order level, then shipping; within a
   level by priority, then id. Order and shipping promotions are checked again at the order
   step, against spend thresholds after line discounts (configurable), and a refusal of theirs
   speaks of that amount. Caps and price floors cut each promotion before it is committed.

``price`` reads top to bottom: resolve the codes, open a ``Session`` (everything fixed for the
call, and the screening and applying: ``_session``), screen, choose, assemble.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence

from shopkit import Cart, Customer, ValidationError
from shopkit import validators as check
from shopkit.pricing._book import PromotionBook, as_book
from shopkit.pricing._canonical import canonical
from shopkit.pricing._codes import CodeBook, EnteredCodes, code_results
from shopkit.pricing._fees import Fee, charge_fees
from shopkit.pricing._outcome import Outcome, priced_lines
from shopkit.pricing._promotion import PricingOptions, Promotion
from shopkit.pricing._redemption import ClaimKey, RedemptionStore
from shopkit.pricing._result import (
    CodeResult,
    FeeCharge,
    NotApplied,
    PricedCart,
)
from shopkit.pricing._session import Session

__all__ = ["price"]

_GUEST = Customer()
_DEFAULTS = PricingOptions()


def _usage_keys(
    candidates: Sequence[Promotion], customer: Customer, currency: str, codes: EnteredCodes
) -> list[str]:
    keys = []
    for promotion in candidates:
        if promotion.max_uses is not None:
            keys.append(str(ClaimKey.promotion(promotion.id)))
        if promotion.max_uses_per_customer is not None and customer.id is not None:
            keys.append(str(ClaimKey.customer(promotion.id, customer.id)))
        if promotion.budget is not None:
            keys.append(str(ClaimKey.budget(promotion.id, currency)))
    keys += [str(ClaimKey.code(code.normal)) for code in codes.issued_limited()]
    return keys


def price(
    cart: Cart,
    promotions: PromotionBook | Iterable[Promotion],
    *,
    at: dt.datetime,
    customer: Customer | None = None,
    options: PricingOptions | None = None,
    codes: CodeBook | None = None,
    store: RedemptionStore | None = None,
    fees: Sequence[Fee] = (),
    payment_method: str | None = None,
) -> PricedCart:
    """Price a cart: apply the promotions and explain every one of them.

    Pure: the same cart, promotions, customer, time, options and store contents give the same
    result, and nothing passed in is changed. The store, if given, is read once (what the
    limited promotions and codes have used) and never written: reserving happens at checkout
    (``reserve_checkout``).

    Args:
        cart: The cart.
        promotions: The promotions, best as a ``PromotionBook`` built once and reused.
        at: The moment to price at, with a UTC offset (the engine never reads the clock).
        customer: The customer context; a guest with no earlier order when ``None``.
        options: The engine's rules; the defaults when ``None``.
        codes: The codes issued for promotions with ``issued_codes``; shared codes
            (``Promotion.code``) need no book.
        store: Where usage is counted; without one, usage limits and single-use codes are not
            checked here (the checkout step, which needs a store, still enforces them).
        fees: The shop's fees (a small-order fee, a payment-method fee); each is decided after
            every discount and reported in ``PricedCart.fees``, charged or not.
        payment_method: How the order is paid ("card", "cod"), for payment-method fees.

    Returns:
        The priced cart.

    Raises:
        ValidationError: bad arguments, or options capping the discount without an amount in
            the cart's currency (the error names the field). A promotion without an amount in
            the cart's currency does not apply to it (reason ``no_amount``, "no amount for
            EUR"), and the rest of the cart is priced.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Money, Product
        >>> from shopkit.pricing import Categories, Percentage, Promotion, price
        >>> mug = Product("MUG", "Mug", Money.of("8.00", "EUR"), categories=["Kitchen"])
        >>> promotion = Promotion("k10", "Kitchen week", Percentage(10, Categories(["Kitchen"])))
        >>> now = dt.datetime(2026, 11, 27, 12, tzinfo=dt.timezone.utc)
        >>> priced = price(Cart("EUR").add(mug, 2), [promotion], at=now)
        >>> print(priced.total, "|", priced.applied[0].message)
        14.40 EUR | Kitchen week: you save 1.60 EUR
    """
    if not isinstance(cart, Cart):
        raise ValidationError(f"{cart!r} is not a Cart", field="cart", value=cart)
    check.aware_datetime(at, "at")
    if customer is None:
        customer = _GUEST
    elif not isinstance(customer, Customer):
        raise ValidationError(f"{customer!r} is not a Customer", field="customer", value=customer)
    if payment_method is not None and (
        not isinstance(payment_method, str) or not payment_method.strip()
    ):
        raise ValidationError(
            f"{payment_method!r} is not a non-empty string",
            field="payment_method",
            value=payment_method,
        )
    options = options if options is not None else _DEFAULTS
    book = as_book(promotions)
    entered = EnteredCodes.resolve(cart, book, codes, customer, at, options)
    lines = canonical(cart)
    candidates = book.candidates(
        (item.product for item in lines), entered.counting, entered.unlocked.keys()
    )
    usage = None
    if store is not None:
        keys = _usage_keys(candidates, customer, cart.currency, entered)
        usage = store.used(keys, at=at) if keys else {}
        entered = entered.used_up(
            code
            for code in entered.issued_limited()
            if code.issued is not None
            and code.issued.max_uses is not None
            and usage.get(str(ClaimKey.code(code.normal)), 0) >= code.issued.max_uses
        )
    session = Session.open(
        cart,
        book,
        customer,
        at,
        options,
        lines=lines,
        codes=entered.counting,
        unlocked=frozenset(entered.unlocked),
        usage=usage,
    )
    screened = session.screen(candidates)
    choice = session.choose(screened.eligible)
    outcome = choice.outcome
    refused = [session.explain(refusal, outcome.threshold) for refusal in screened.refused]
    not_applied = (*refused, *choice.refused, *outcome.not_applied)
    results = code_results(entered, book, outcome.applied, not_applied)
    return _assemble(session, outcome, not_applied, choice.text, results, fees, payment_method)


def _assemble(
    session: Session,
    outcome: Outcome,
    not_applied: tuple[NotApplied, ...],
    choice: str | None,
    codes: tuple[CodeResult, ...],
    fees: Sequence[Fee],
    payment_method: str | None,
) -> PricedCart:
    cart = session.cart
    # The totals come from the working copy and the commits (what each line cost before, what
    # each promotion took off it), so the lines as given are built only when read
    # (``PricedCart.lines``): their subtotals and adjustments sum to the same.
    # the cart's lines (the session's subtotal), then any gift lines: they come after
    gifts = outcome.state.lines[len(session.lines) :]
    subtotal = session.money(session.subtotal + sum([line.base for line in gifts]))
    discount = session.money(outcome.discount)
    shipping_discount = session.money(outcome.shipping_discount)
    shipping = cart.shipping - shipping_discount
    charges: tuple[FeeCharge, ...] = ()
    fee_total = 0
    if fees:
        items = subtotal.minor - discount.minor
        charges = charge_fees(
            fees,
            session.context(items),
            items,
            items + shipping.minor,
            payment_method,
            session.options.rounding,
        )
        fee_total = sum(charge.amount.minor for charge in charges)
    return PricedCart._deferred(
        functools.partial(priced_lines, cart, session.lines, outcome),
        currency=cart.currency,
        subtotal=subtotal,
        discount=discount,
        shipping_price=cart.shipping,
        shipping_discount=shipping_discount,
        shipping=shipping,
        total=subtotal - discount + shipping + session.money(fee_total),
        applied=tuple(outcome.applied),
        not_applied=not_applied,
        choice=choice,
        at=session.at,
        prices_include_tax=cart.prices_include_tax,
        codes=codes,
        fees=charges,
    )
