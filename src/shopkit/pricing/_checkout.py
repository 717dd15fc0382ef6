"""The checkout step: turn a priced cart's promotions and codes into one atomic reservation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from shopkit import Customer, ShopkitError, ValidationError
from shopkit import validators as check
from shopkit.pricing._book import PromotionBook, as_book
from shopkit.pricing._codes import CodeBook, normalize_code
from shopkit.pricing._promotion import Promotion
from shopkit.pricing._redemption import (
    Claim,
    ClaimKey,
    Counter,
    LimitReachedError,
    RedemptionStore,
    ReservationError,
)
from shopkit.pricing._result import CodeStatus, PricedCart

__all__ = ["CheckoutError", "Reservation", "claims_for", "reserve_checkout"]


class CheckoutError(ShopkitError, RuntimeError):
    """A promotion or code of the order cannot be reserved: a limit was reached since pricing.

    Nothing was reserved. Price the cart again: the promotion will show as not applied, with
    its reason, and the shopper sees the new total before paying.

    Attributes:
        reason: What ran out, as a code status: ``exhausted``, ``exhausted_for_customer``,
            ``budget_spent``.
        promotion_id: The promotion concerned, where known.
    """

    code = "checkout"
    http_status = 409

    def __init__(
        self, message: str, *, reason: CodeStatus, promotion_id: str | None, field: str
    ) -> None:
        super().__init__(message, field=field, value=promotion_id)
        self.reason = reason
        self.promotion_id = promotion_id


@attrs.frozen
class Reservation:
    """What an order holds in the store until it is committed, released or expires.

    Attributes:
        order_id: The order.
        claims: Every claim held.
        expires_at: When the claims stop counting if the order is not committed.
    """

    order_id: str
    claims: tuple[Claim, ...]
    expires_at: dt.datetime


def claims_for(
    priced: PricedCart,
    promotions: PromotionBook | Iterable[Promotion],
    *,
    customer: Customer | None = None,
    codes: CodeBook | None = None,
) -> tuple[Claim, ...]:
    """The claims a priced cart makes on a redemption store.

    One use of each limited promotion that applied, the customer's use, the discount against
    each budget, and a use of each issued code used.

    A promotion that gave nothing applied nothing, so it claims nothing.

    Raises:
        ValidationError: a promotion limited per customer applied to a guest.
    """
    book = as_book(promotions)
    claims: list[Claim] = []
    for applied in priced.applied:
        promotion = book.get(applied.promotion_id)
        if promotion is None:
            raise ValidationError(
                f"promotion {applied.promotion_id!r} applied but is not among the promotions",
                field="promotions",
                value=applied.promotion_id,
            )
        if promotion.max_uses is not None:
            claims.append(Claim(str(ClaimKey.promotion(promotion.id)), 1, promotion.max_uses))
        if promotion.max_uses_per_customer is not None:
            if customer is None or customer.id is None:
                raise ValidationError(
                    "is limited per customer and the order has no customer id",
                    field="customer.id",
                    value=promotion.id,
                )
            key = ClaimKey.customer(promotion.id, customer.id)
            claims.append(Claim(str(key), 1, promotion.max_uses_per_customer))
        if promotion.budget is not None and applied.amount.minor > 0:
            limit = promotion.budget.get(priced.currency, "budget").minor
            key = ClaimKey.budget(promotion.id, priced.currency)
            claims.append(Claim(str(key), applied.amount.minor, limit))
    for result in priced.codes:
        if result.status is not CodeStatus.APPLIED or codes is None:
            continue
        issued = codes.get(result.code)
        if issued is not None and issued.max_uses is not None:
            key = ClaimKey.code(normalize_code(result.code))
            claims.append(Claim(str(key), 1, issued.max_uses))
    return tuple(claims)


def _reason(claim: Claim) -> tuple[CodeStatus, str | None, str]:
    key = ClaimKey.parse(claim.key)
    if key.counter is Counter.CODE:
        return CodeStatus.EXHAUSTED, None, "the code has been used up since the cart was priced"
    if key.counter is Counter.BUDGET:
        return CodeStatus.BUDGET_SPENT, key.subject, "the promotion's budget is spent"
    if key.counter is Counter.CUSTOMER:
        return (
            CodeStatus.EXHAUSTED_FOR_CUSTOMER,
            key.subject,
            "the customer has used the promotion as often as one customer may",
        )
    return CodeStatus.EXHAUSTED, key.subject, "the promotion has been used up"


def reserve_checkout(
    priced: PricedCart,
    promotions: PromotionBook | Iterable[Promotion],
    store: RedemptionStore,
    *,
    order_id: str,
    at: dt.datetime,
    customer: Customer | None = None,
    codes: CodeBook | None = None,
    hold: dt.timedelta = dt.timedelta(minutes=15),
) -> Reservation:
    """Reserve everything a priced cart's promotions and codes use, all at once or not at all.

    Call it when the shopper confirms the order, then ``store.commit(order_id, at=...)`` when
    the payment succeeds, or ``store.release(order_id)`` if it fails, the order is cancelled or
    refunded. A reservation never committed stops counting after ``hold``.

    Retrying is safe: called again with an ``order_id`` that already holds a live or committed
    reservation of the same claims (a client that timed out and sent the checkout again), it
    changes nothing and returns that earlier reservation, expiry included. A live reservation of
    other claims (the cart was priced again) is replaced.

    Raises:
        CheckoutError: a limit was reached since the cart was priced; nothing was reserved.
        ReservationError: the order is already committed with other claims.
        ValidationError: a bad argument (``order_id``, ``at``, ``hold``, …).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Customer, Money, Product
        >>> from shopkit.pricing import (
        ...     InMemoryRedemptionStore, Percentage, Promotion, price, reserve_checkout
        ... )
        >>> once = Promotion("first", "10% once per customer", Percentage(10),
        ...                  max_uses_per_customer=1)
        >>> store = InMemoryRedemptionStore()
        >>> now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
        >>> cart = Cart("EUR").add(Product("A", "Lamp", Money.of("40.00", "EUR")))
        >>> alice = Customer("alice")
        >>> priced = price(cart, [once], at=now, customer=alice, store=store)
        >>> held = reserve_checkout(priced, [once], store, order_id="o-1", at=now, customer=alice)
        >>> store.commit("o-1", at=now)
        >>> again = price(cart, [once], at=now, customer=alice, store=store)
        >>> again.not_applied[0].reason.value, str(again.total)
        ('exhausted_for_customer', '40.00 EUR')
    """
    if not isinstance(priced, PricedCart):
        raise ValidationError(f"{priced!r} is not a PricedCart", field="priced", value=priced)
    if not isinstance(order_id, str) or not order_id.strip() or not order_id.isprintable():
        raise ValidationError(f"{order_id!r} is not an order id", field="order_id", value=order_id)
    if customer is not None and not isinstance(customer, Customer):
        raise ValidationError(f"{customer!r} is not a Customer", field="customer", value=customer)
    if codes is not None and not isinstance(codes, CodeBook):
        raise ValidationError(f"{codes!r} is not a CodeBook", field="codes", value=codes)
    claims = claims_for(priced, promotions, customer=customer, codes=codes)
    if not isinstance(hold, dt.timedelta) or hold <= dt.timedelta(0):
        raise ValidationError(f"{hold!r} is not a positive duration", field="hold", value=hold)
    expires_at = check.aware_datetime(at, "at") + hold
    earlier = _earlier(store, order_id, claims, at)
    if earlier is not None:
        return earlier
    try:
        store.reserve(order_id, claims, at=at, expires_at=expires_at)
    except LimitReachedError as error:
        reason, promotion_id, message = _reason(error.claim)
        raise CheckoutError(
            message, reason=reason, promotion_id=promotion_id, field=error.claim.key
        ) from error
    except ReservationError:
        # committed by a retry running at the same time: answer as that retry did
        earlier = _earlier(store, order_id, claims, at)
        if earlier is None:
            raise
        return earlier
    return Reservation(order_id, claims, expires_at)


def _earlier(
    store: RedemptionStore, order_id: str, claims: tuple[Claim, ...], at: dt.datetime
) -> Reservation | None:
    """The reservation a retried checkout already made, if the store holds one for the order.

    Raises:
        ReservationError: the order is committed with other claims than these.
    """
    lookup = getattr(store, "held", None)
    if not callable(lookup):  # a store written before ``held`` was part of the protocol
        return None
    held = lookup(order_id, at=at)
    if held is None:
        return None
    wanted = {claim.key: claim.amount for claim in claims}
    if held.amounts == wanted:
        return Reservation(order_id, claims, held.expires_at)
    # Priced again for the retry, the order's own uses count against it: a single-use code it
    # holds shows as used up, and drops out of the new claims. What the retry claims is then a
    # part of what the order holds, and it answers with what it holds.
    dropped = [key for key in held.amounts if key not in wanted]
    retried = (
        bool(dropped)
        and all(held.amounts.get(key) == amount for key, amount in wanted.items())
        and set(held.limits) >= set(held.amounts)
    )
    if retried:
        # each dropped claim fits with the order's own use and not beside it: that use is
        # the only reason it dropped
        used = store.used(dropped, at=at)
        retried = all(
            used[key] <= held.limits[key] < used[key] + held.amounts[key] for key in dropped
        )
    if retried:
        kept = {claim.key: claim for claim in claims}
        earlier = tuple(
            kept.get(key) or Claim(key, amount, held.limits[key])
            for key, amount in held.amounts.items()
        )
        return Reservation(order_id, earlier, held.expires_at)
    if held.committed:
        raise ReservationError(
            f"order {order_id} is already committed with other promotions or amounts",
            field="order_id",
            value=order_id,
        )
    return None  # a live reservation of an order priced again: reserving replaces it
