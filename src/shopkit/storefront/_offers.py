"""Offers that unlock a promotion: the items that would close each nudge of a priced cart.

This is the storefront's first cross-domain feature. Pricing says, as data, what a cart is short
of (a ``Nudge``: so much more spend, or so many more units of a selection, for a named
promotion); a recommender says which items the shopper is likely to want; this module joins the
two and confirms every offer by pricing the cart again with the item added, so an offer is never
a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from shopkit import Cart, Catalogue, Customer, Money, Product, ValidationError
from shopkit import validators as check
from shopkit.pricing import (
    CodeBook,
    Nudge,
    PricedCart,
    PricingOptions,
    Promotion,
    PromotionBook,
    RedemptionStore,
    price,
)
from shopkit.recommend import Filters, Recommendation, Recommender, Request

__all__ = ["UnlockOffer", "unlock_offers"]

_MAX_TRIES = 50
"""How many candidate items are priced at most per nudge, so a request's work is bounded."""


@attrs.frozen
class UnlockOffer:
    """An item that, added to the cart, makes a promotion apply that does not apply yet.

    Attributes:
        nudge: The nudge the item closes (which promotion, and what the cart was short of).
        product: The item to add.
        quantity: How many units to add.
        saving: What the unlocked promotion takes off once the item is added.
        extra: How much more the shopper pays in all with the item added (the new total minus
            the old); it can be less than the item's price, or even negative.
        total: The cart's total with the item added.
        recommendation: The recommender's entry for the item (score and reason), when the
            recommender ranked it; ``None`` for an item ranked by price alone.
    """

    nudge: Nudge
    product: Product
    quantity: int
    saving: Money
    extra: Money
    total: Money
    recommendation: Recommendation | None = None

    @property
    def message(self) -> str:
        """A sentence a shop can show: "Add 1 × Jam jar (2.10 GBP) for free shipping"."""
        units = f"{self.quantity} × " if self.quantity > 1 else ""
        return (
            f"add {units}{self.product.name} ({self.product.unit_price * self.quantity}) "
            f"for {self.nudge.unlocks}: you save {self.saving}"
        )


def _positive_bound(value: object, field: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValidationError(
            f"{value!r} is not a whole number from 1 to {high}", field=field, value=value
        )
    return value


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def unlock_offers(
    cart: Cart,
    promotions: PromotionBook | Iterable[Promotion],
    catalogue: Catalogue,
    *,
    at: dt.datetime,
    recommender: Recommender | None = None,
    customer: Customer | None = None,
    options: PricingOptions | None = None,
    codes: CodeBook | None = None,
    store: RedemptionStore | None = None,
    per_nudge: int = 3,
    max_units: int = 5,
) -> tuple[UnlockOffer, ...]:
    """The catalogue items that, added to ``cart``, would make a promotion apply that does not.

    The cart is priced; each of its nudges (a spend threshold not reached, a bundle not
    complete, a buy-X-get-Y one unit short, …) names its promotion and what is missing. For a
    units nudge the candidates are the products its selector matches, ``missing_units`` of
    them; for a spend nudge every product, as many units as close the gap (at most
    ``max_units``). Candidates are tried in the recommender's order (items it does not rank
    come after, cheapest first), and each is confirmed by pricing the cart again with it added:
    an item becomes an offer only if the nudge's promotion then applies, and the offer shows
    what that promotion takes off. A spend offer whose own discounts keep the cart short is
    tried again with more units, up to ``max_units``. At most 50 pricings are spent on one
    nudge, so the work a request causes is bounded.

    Pure, like ``price``: nothing passed in is changed, and the store (if any) is only read.

    Args:
        cart: The cart.
        promotions: The promotions, best as a ``PromotionBook`` built once.
        catalogue: The products that may be offered; only those in the cart's currency, with
            a price above zero and in stock (untracked stock counts as in stock) are.
        at: The moment to price at, with a UTC offset.
        recommender: A fitted strategy that ranks the candidates (any of them: frequently
            bought together, buy again, a ``Feedback`` wrapper that hides what the customer
            dismissed, …), asked for the cart at ``at``; without one they are ranked by what
            they add to the total, then by sku.
        customer: The customer context, for pricing and for the recommender.
        options: The pricing options.
        codes: The issued codes, for pricing.
        store: The redemption store, for pricing (read only).
        per_nudge: At most this many offers for each nudge (1 to 50).
        max_units: At most this many units of one item in one offer (1 to 100).

    Returns:
        The offers, nudge by nudge in the priced cart's order, each nudge's best first.

    Raises:
        ValidationError: a bad argument, named.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Cart, Catalogue, Money, Product, ShippingOption
        >>> from shopkit.pricing import Amounts, FreeShipping, Promotion
        >>> from shopkit.storefront import unlock_offers
        >>> lamp = Product("LAMP", "Lamp", Money.of("35.00", "GBP"))
        >>> jam = Product("JAM", "Jam jar", Money.of("6.00", "GBP"))
        >>> post = ShippingOption("post", "Post", Money.of("4.95", "GBP"))
        >>> cart = Cart("GBP", shipping_options=[post], shipping_method="post").add(lamp)
        >>> free = Promotion("ship", "Free shipping", FreeShipping(Amounts.of(GBP="40.00")))
        >>> at = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
        >>> (offer,) = unlock_offers(cart, [free], Catalogue([lamp, jam]), at=at, per_nudge=1)
        >>> print(offer.nudge.message)
        add 5.00 GBP more for free shipping
        >>> print(offer.message)
        add Jam jar (6.00 GBP) for free shipping: you save 4.95 GBP
        >>> print(offer.extra)  # 35.00 + 4.95 before; 41.00 with free shipping after
        1.05 GBP
    """
    if not isinstance(cart, Cart):
        raise ValidationError(f"{cart!r} is not a Cart", field="cart", value=None)
    if not isinstance(catalogue, Catalogue):
        raise ValidationError(f"{catalogue!r} is not a Catalogue", field="catalogue", value=None)
    check.aware_datetime(at, "at")
    if recommender is not None and not isinstance(recommender, Recommender):
        raise ValidationError(
            f"{recommender!r} is not a Recommender", field="recommender", value=None
        )
    per_nudge = _positive_bound(per_nudge, "per_nudge", 50)
    max_units = _positive_bound(max_units, "max_units", 100)
    book = promotions if isinstance(promotions, PromotionBook) else PromotionBook(promotions)

    def priced_with(candidate: Cart) -> PricedCart:
        return price(
            candidate, book, at=at, customer=customer, options=options, codes=codes, store=store
        )

    before = priced_with(cart)
    if not before.nudges:
        return ()
    ranked = _ranking(cart, catalogue, recommender, customer, at)
    in_cart = {line.product.sku: line.quantity for line in cart.lines}
    offers: list[UnlockOffer] = []
    seen: set[str] = set()
    for nudge in before.nudges:
        if nudge.promotion_id in seen:
            continue
        seen.add(nudge.promotion_id)
        tries = _MAX_TRIES
        found = 0
        for product in _candidates(nudge, cart, catalogue, ranked):
            if found == per_nudge or tries == 0:
                break
            quantity: int | None = _first_quantity(nudge, product)
            while (
                quantity is not None
                and quantity <= max_units
                and _stock_allows(product, in_cart, quantity)
                and tries
            ):
                tries -= 1
                after = priced_with(cart.add(product, quantity))
                applied = next(
                    (a for a in after.applied if a.promotion_id == nudge.promotion_id), None
                )
                if applied is not None:
                    offers.append(
                        UnlockOffer(
                            nudge,
                            product,
                            quantity,
                            applied.amount,
                            after.total - before.total,
                            after.total,
                            ranked.get(product.sku),
                        )
                    )
                    found += 1
                    break
                quantity = _next_quantity(nudge, product, quantity, after)
    return tuple(offers)


def _ranking(
    cart: Cart,
    catalogue: Catalogue,
    recommender: Recommender | None,
    customer: Customer | None,
    at: dt.datetime,
) -> dict[str, Recommendation]:
    """The recommender's entries by sku, in its order (a dict keeps insertion order).

    The request is for the pricing moment ``at``, so buy again measures how long ago an item
    was bought, and a ``Feedback`` strategy's windows (dismissed items hidden for N days) end,
    at the moment the offers are for.
    """
    if recommender is None or not len(catalogue):
        return {}
    request = Request.from_cart(
        cart,
        customer=customer,
        k=min(len(catalogue), 200),
        filters=Filters(exclude_cart=False),
        placement="cart",
        at=at,
    )
    return {item.sku: item for item in recommender.recommend(request)}


def _candidates(
    nudge: Nudge, cart: Cart, catalogue: Catalogue, ranked: dict[str, Recommendation]
) -> list[Product]:
    """The products that may close ``nudge``: recommended ones first, then the cheapest."""
    pool: Sequence[Product] = [
        product
        for product in catalogue
        if product.unit_price.currency == cart.currency
        and product.unit_price.minor > 0
        and product.stock != 0
        and (nudge.selector is None or nudge.selector.matches(product))
    ]
    order = {sku: position for position, sku in enumerate(ranked)}
    unranked = len(order)
    return sorted(
        pool,
        key=lambda product: (
            order.get(product.sku, unranked),
            _first_quantity(nudge, product) * product.unit_price.minor,
            product.sku,
        ),
    )


def _first_quantity(nudge: Nudge, product: Product) -> int:
    """The units a nudge asks for, or as many of ``product`` as cover the missing spend."""
    if nudge.missing_amount is None:
        return nudge.missing_units or 1
    return max(1, _ceil_div(nudge.missing_amount.minor, product.unit_price.minor))


def _next_quantity(nudge: Nudge, product: Product, quantity: int, after: PricedCart) -> int | None:
    """More units when the item's own discounts kept a spend nudge open; else ``None``.

    A units nudge that its units did not close is not tried with more of them: more of the
    same would only repeat what the selector already said.
    """
    if nudge.missing_amount is None:
        return None
    still = next((n for n in after.nudges if n.promotion_id == nudge.promotion_id), None)
    if still is None or still.missing_amount is None:
        return None
    return quantity + _first_quantity(still, product)


def _stock_allows(product: Product, in_cart: dict[str, int], quantity: int) -> bool:
    return product.stock is None or product.stock >= in_cart.get(product.sku, 0) + quantity
