"""Display prices: what a catalogue page shows for each product, without a cart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from shopkit import Cart, Customer, Line, Money, Product, ValidationError
from shopkit import validators as check
from shopkit.pricing._book import PromotionBook, as_book
from shopkit.pricing._choose import choose_best, choose_by_priority
from shopkit.pricing._promotion import Mode, PricingOptions, Promotion
from shopkit.pricing._session import Session
from shopkit.pricing._values import Level

__all__ = ["DisplayPrice", "check_low_stock_at", "display_one", "display_prices"]


@attrs.frozen
class DisplayPrice:
    """A product's price as a catalogue page shows it to one customer at one moment.

    Attributes:
        product: The product.
        price: The price of one unit after the promotions that apply to it alone.
        was: The unit price before them.
        badge: A short label such as ``"-20%"`` when the price is lower, else ``None``.
        promotions: The names of the promotions behind the price, in application order.
        low_stock: Whether the product is low in stock (``display_prices(low_stock_at=…)``):
            its stock is known and at most that many units.
    """

    product: Product
    price: Money
    was: Money
    badge: str | None
    promotions: tuple[str, ...]
    low_stock: bool = False


def display_prices(
    products: Iterable[Product],
    promotions: PromotionBook | Iterable[Promotion],
    *,
    at: dt.datetime,
    customer: Customer | None = None,
    options: PricingOptions | None = None,
    low_stock_at: int | None = None,
) -> tuple[DisplayPrice, ...]:
    """Price one unit of each product, as a catalogue page would show it.

    Only line-level promotions count, and only those that need no code and whose condition
    holds for a cart of that one unit (a "20% off Kitchen" shows; "10% off orders over 50" and
    "2+1" do not, as they need more than the product). Choice among them follows the options'
    mode, as in ``price``.

    Args:
        products: The products, e.g. a whole catalogue.
        promotions: The promotions, best as a ``PromotionBook`` built once.
        at: The moment, with a UTC offset.
        customer: The customer (a guest when ``None``).
        options: The engine's rules.
        low_stock_at: Flag a product as low in stock when its stock is known and at most this
            many units; no flag when ``None``.

    Returns:
        One display price per product, in the order given.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Product
        >>> from shopkit.pricing import Categories, Percentage, Promotion, display_prices
        >>> mug = Product("MUG", "Mug", Money.of("8.00", "EUR"), categories=["Kitchen"])
        >>> sale = Promotion("k20", "Kitchen sale", Percentage(20, Categories(["Kitchen"])))
        >>> now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
        >>> shown = display_prices([mug], [sale], at=now)[0]
        >>> print(shown.price, shown.was, shown.badge, shown.promotions)
        6.40 EUR 8.00 EUR -20% ('Kitchen sale',)
    """
    check.aware_datetime(at, "at")
    check_low_stock_at(low_stock_at)
    customer = customer if customer is not None else Customer()
    options = options if options is not None else PricingOptions()
    book = as_book(promotions)
    shown = []
    for index, product in enumerate(products):
        if not isinstance(product, Product):
            raise ValidationError(
                f"{product!r} is not a Product", field=f"products[{index}]", value=product
            )
        shown.append(display_one(product, book, customer, at, options, low_stock_at)[0])
    return tuple(shown)


def check_low_stock_at(low_stock_at: object) -> None:
    """Refuse a low-stock level that is not a whole number of units (``None`` is no flag)."""
    if low_stock_at is not None and (
        isinstance(low_stock_at, bool) or not isinstance(low_stock_at, int) or low_stock_at < 0
    ):
        raise ValidationError(
            f"{low_stock_at!r} is not a whole number of units",
            field="low_stock_at",
            value=low_stock_at,
        )


def display_one(
    product: Product,
    book: PromotionBook,
    customer: Customer,
    at: dt.datetime,
    options: PricingOptions,
    low_stock_at: int | None,
) -> tuple[DisplayPrice, tuple[str, ...]]:
    """One product's display price, and the ids of the promotions behind it."""
    was = product.unit_price
    cart = Cart(was.currency, (Line(product, 1),))
    session = Session.open(cart, book, customer, at, options)
    eligible = session.screen(
        promotion
        for promotion in book.candidates((product,))
        if promotion.benefit.level is Level.LINE and promotion.code is None
    ).eligible
    low = low_stock_at is not None and product.stock is not None and product.stock <= low_stock_at
    if not eligible:
        return DisplayPrice(product, was, was, None, (), low), ()
    if options.mode is Mode.BEST_FOR_CUSTOMER:
        outcome = choose_best(
            eligible, session.apply, options.best_search_limit, session.money
        ).outcome
    else:
        outcome = choose_by_priority(eligible, session.apply).outcome
    now = Money(outcome.state.lines[0].amount, was.currency)
    badge = None
    if now < was:
        cut = (was.minor - now.minor) * 100 // was.minor
        badge = f"-{cut}%" if cut >= 1 else "sale"
    names = tuple(applied.name for applied in outcome.applied)
    ids = tuple(applied.promotion_id for applied in outcome.applied)
    return DisplayPrice(product, now, was, badge, names, low), ids
