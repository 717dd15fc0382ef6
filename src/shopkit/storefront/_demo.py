"""The story ``shopkit demo`` tells, as a value: the sample shop priced and recommended for."""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

from shopkit import (
    Cart,
    Catalogue,
    Customer,
    Money,
    Product,
    allocate,
    sample_cart,
    sample_catalogue,
    sample_customer,
)
from shopkit.loyalty import Ledger, Status, sample_ledger_events, sample_programme
from shopkit.metrics import Dashboard, KpiTable, Refunds, ShopData
from shopkit.pricing import PricedCart, Promotion, price, sample_promotions
from shopkit.recommend import (
    Filters,
    Recommendation,
    Request,
    sample_interactions,
    sample_orders,
    sample_recommender,
)
from shopkit.storefront._offers import UnlockOffer, unlock_offers
from shopkit.validators import aware_datetime

__all__ = ["DEMO_AT", "LOYALTY_AT", "DemoStory", "Suggestion", "demo_story"]

DEMO_AT: Final = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
"""The moment the demo prices at: Black Friday 2026, when the sample Black Friday offer runs."""

LOYALTY_AT: Final = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
"""The moment the demo reads the sample loyalty ledger at: the end of the year it covers."""

_VOUCHER: Final = "5.00"
"""The order-level amount the demo spreads over the cart's lines, in the cart's currency."""

_CURRENCIES: Final = (("1999", "JPY"), ("19.99", "USD"), ("1.999", "KWD"))
"""One amount in each of three currencies with 0, 2 and 3 decimals."""


@attrs.frozen
class Suggestion:
    """A recommended item with the product a shop shows for it.

    Attributes:
        recommendation: The item, its score, strategy and reason.
        product: The catalogue's product for the item's sku, or ``None`` if it has none.
    """

    recommendation: Recommendation
    product: Product | None


@attrs.frozen
class DemoStory:
    """What ``shopkit demo`` shows, computed once; the command only renders it.

    Attributes:
        customer: The sample customer.
        cart: The sample cart, before pricing.
        voucher: An order-level amount to spread over the cart's lines.
        shares: ``voucher`` allocated over the lines in proportion to their totals, one part
            per line in cart order; the parts add up to ``voucher`` exactly.
        at: The moment the cart is priced at.
        promotions: The sample promotions.
        priced: The cart priced with ``promotions`` at ``at`` for ``customer``.
        orders: How many sample orders the recommendations were fitted on.
        cross_sell: Add-ons for the cart at checkout (in stock only), best first.
        upsell: Better, dearer variants of the cart's items for the product pages, best first.
        offers: Items that would unlock a promotion the cart is short of, ranked by the same
            recommender and confirmed by pricing the cart again with each (at most two a nudge).
        loyalty_at: The moment the members' statuses are read at (``LOYALTY_AT``).
        members: The status of each member of the sample loyalty ledger at ``loyalty_at``, in
            the sample programme: tier, points, and what it takes to reach the next tier or
            keep this one.
        kpis: The KPI dashboard of the sample orders, their cancellations counted as refunds.
        currencies: One amount in each of a few currencies with different numbers of decimals.
    """

    customer: Customer
    cart: Cart
    voucher: Money
    shares: tuple[Money, ...]
    at: dt.datetime
    promotions: tuple[Promotion, ...]
    priced: PricedCart
    orders: int
    cross_sell: tuple[Suggestion, ...]
    upsell: tuple[Suggestion, ...]
    offers: tuple[UnlockOffer, ...]
    loyalty_at: dt.datetime
    members: tuple[Status, ...]
    kpis: KpiTable
    currencies: tuple[Money, ...]


def demo_story(*, at: dt.datetime = DEMO_AT) -> DemoStory:
    """Price and recommend for the bundled sample cart, as ``shopkit demo`` shows it.

    Args:
        at: The moment to price at (with a UTC offset); Black Friday 2026 by default.

    Returns:
        The story: the cart, an exact split of an order amount, the priced cart, cross-sell and
        upsell with reasons, the items that would unlock a promotion, the loyalty members'
        statuses, a KPI summary of the sample orders, and a few currencies' decimals.

    Raises:
        ValidationError: ``at`` has no UTC offset.

    Examples:
        >>> from shopkit.storefront import demo_story
        >>> story = demo_story()
        >>> print(story.priced.subtotal, story.priced.discount, story.priced.total)
        35.40 GBP 5.49 GBP 34.86 GBP
        >>> [item.recommendation.sku for item in story.upsell]
        ['85099B', '23203', '23298']
        >>> [(member.customer, member.tier) for member in story.members]
        [('ana', 'gold'), ('ben', 'bronze'), ('cy', 'bronze')]
    """
    at = aware_datetime(at, "at")
    cart = sample_cart()
    customer = sample_customer()
    totals = [line.total for line in cart.lines]
    voucher = Money.of(_VOUCHER, cart.currency)
    shares = allocate(voucher, totals, caps=totals, keys=[line.product.sku for line in cart.lines])
    promotions = sample_promotions()
    priced = price(cart, promotions, at=at, customer=customer)

    orders = sample_interactions()
    catalogue = Catalogue(sample_catalogue())
    model = sample_recommender().fit(orders, catalogue=catalogue)
    skus = [line.product.sku for line in cart.lines]
    checkout = Request(
        cart=skus, customer=customer, k=5, placement="checkout", filters=Filters(in_stock=True)
    )
    product_page = Request(cart=skus, customer=customer, k=3, placement="product")

    ledger = Ledger(sample_programme(), sample_ledger_events())
    members = tuple(ledger.status(member, LOYALTY_AT) for member in ledger.customers)
    retail = sample_orders()
    shop = ShopData(orders=retail.orders, refunds=Refunds.from_table(retail.refunds))

    def suggest(request: Request) -> tuple[Suggestion, ...]:
        return tuple(Suggestion(item, catalogue.get(item.sku)) for item in model.recommend(request))

    return DemoStory(
        customer=customer,
        cart=cart,
        voucher=voucher,
        shares=tuple(shares),
        at=at,
        promotions=tuple(promotions),
        priced=priced,
        orders=orders.n_baskets,
        cross_sell=suggest(checkout),
        upsell=suggest(product_page),
        offers=unlock_offers(
            cart,
            promotions,
            catalogue,
            at=at,
            recommender=model,
            customer=customer,
            per_nudge=2,
        ),
        loyalty_at=LOYALTY_AT,
        members=members,
        kpis=Dashboard().compute(shop),
        currencies=tuple(Money.of(amount, code) for amount, code in _CURRENCIES),
    )
