"""shopkit against django-oscar: the same 20-line basket, the same offers, in one run.

django-oscar is a whole shop framework: its offers live in a database, and its ``Applicator``
applies them to a basket of database rows. This script configures Django in itself (an
in-memory SQLite database, oscar's apps, ``migrate``), creates the products, ranges,
conditions, benefits and offers, and prices one basket of 20 lines against 10, 100 and 1,000
site offers with both engines:

- 4 offers match the basket, each on its own lines: 10% off lines 1-4, 20% off lines 5-8,
  5.00 off lines 9-12 together, 50% off lines 13-16 (lines 17-20 get nothing);
- the others ("filler" offers) are 10% off one product the basket does not hold.

Every price is a multiple of 0.10 EUR, so each percentage of a line is a whole number of cents
and the two engines' roundings (shopkit rounds each line half up; oscar rounds the offer's
total) cannot differ: the script checks that both discounts agree and prints both totals.

For each offer count it prints the median time per basket of

- oscar: ``Applicator().apply_offers(basket, offers)`` with the offers loaded from the database
  once (as shopkit's ``PromotionBook`` is built once), after ``basket.reset_offer_applications()``
  (which makes the basket read its lines again, as each request does); and, for scale,
  ``Applicator().apply(basket)``, which also loads the offers, as oscar does per request;
- shopkit: ``price(cart, book, at=...)``;

and the ratio oscar time / shopkit time (with the offers loaded once). Oscar's figures include
its database queries (a range's ``contains_product`` asks the database), since that is how it
prices a basket; shopkit prices in memory.

Run it with ``.venv/bin/python benchmarks/pricing_vs_oscar.py`` after installing the
benchmarks extra (``pip install -e ".[benchmarks]"``).
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import django  # type: ignore[import-untyped, import-not-found, unused-ignore]
from django.conf import settings  # type: ignore[import-untyped, import-not-found, unused-ignore]

from shopkit import Cart, Money, Product
from shopkit.pricing import (
    Amounts,
    FixedOff,
    MinQuantity,
    Percentage,
    Promotion,
    PromotionBook,
    Skus,
    price,
)

AT = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
CURRENCY = "EUR"
COUNTS = (10, 100, 1_000)
# (percent off, or None for 5.00 off, the basket lines it covers)
MATCHING: list[tuple[Decimal | None, range]] = [
    (Decimal(10), range(4)),
    (Decimal(20), range(4, 8)),
    (None, range(8, 12)),
    (Decimal(50), range(12, 16)),
]
FIVE_OFF = Decimal("5.00")


def configure_django() -> None:
    """Django for oscar, in this process: in-memory SQLite, oscar's apps, its defaults."""
    import oscar  # type: ignore[import-untyped, import-not-found, unused-ignore]
    import oscar.defaults  # type: ignore[import-untyped, import-not-found, unused-ignore]

    values = {name: getattr(oscar.defaults, name) for name in dir(oscar.defaults) if name.isupper()}
    values.update(
        DEBUG=False,
        SECRET_KEY="benchmark only",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=oscar.INSTALLED_APPS,
        SITE_ID=1,
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        OSCAR_DEFAULT_CURRENCY=CURRENCY,
        HAYSTACK_CONNECTIONS={
            "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}
        },
        MIDDLEWARE=[],
        TEMPLATES=[],
        LOGGING_CONFIG=None,
    )
    settings.configure(**values)
    django.setup()
    from django.core.management import call_command  # type: ignore[import-untyped, import-not-found, unused-ignore]

    call_command("migrate", verbosity=0)


def basket_prices() -> list[tuple[Decimal, int]]:
    """The 20 lines: unit prices (multiples of 0.10 EUR) and quantities."""
    return [(Decimal(f"{3 + (line * 7) % 40}.{line % 10}0"), 1 + line % 3) for line in range(20)]


class Oscar:
    """The basket and the offers as oscar's database rows."""

    def __init__(self) -> None:
        from oscar.apps.catalogue.models import Product as OscarProduct  # type: ignore[import-untyped, import-not-found, unused-ignore]
        from oscar.apps.catalogue.models import ProductClass  # type: ignore[import-untyped, import-not-found, unused-ignore]
        from oscar.apps.partner.models import Partner, StockRecord  # type: ignore[import-untyped, import-not-found, unused-ignore]

        self.product_model = OscarProduct
        self.stock_model = StockRecord
        self.kind = ProductClass.objects.create(name="Things", track_stock=False)
        self.partner = Partner.objects.create(name="Shop")
        self.lines = [
            (self.product(f"B{line:02d}", unit_price), quantity)
            for line, (unit_price, quantity) in enumerate(basket_prices())
        ]
        self.fillers = [self.product(f"F{index:04d}", Decimal("9.90")) for index in range(1_000)]
        self.made = 0

    def product(self, sku: str, unit_price: Decimal) -> Any:
        """A product and its stock record at ``unit_price``."""
        product = self.product_model.objects.create(
            product_class=self.kind, title=sku, upc=sku, structure="standalone"
        )
        self.stock_model.objects.create(
            product=product,
            partner=self.partner,
            partner_sku=sku,
            price=unit_price,
            price_currency=CURRENCY,
            num_in_stock=1_000,
        )
        return product

    def offer(self, products: list[Any], percent: Decimal | None, priority: int) -> Any:
        """A site offer: ``percent`` (or 5.00) off ``products``, with one of them bought."""
        from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range  # type: ignore[import-untyped, import-not-found, unused-ignore]

        self.made += 1
        scope = Range.objects.create(name=f"Range {self.made}", slug=f"range-{self.made}")
        for product in products:
            scope.add_product(product)
        condition = Condition.objects.create(range=scope, type=Condition.COUNT, value=1)
        if percent is None:
            benefit = Benefit.objects.create(range=scope, type=Benefit.FIXED, value=FIVE_OFF)
        else:
            benefit = Benefit.objects.create(range=scope, type=Benefit.PERCENTAGE, value=percent)
        return ConditionalOffer.objects.create(
            name=f"Offer {self.made}",
            offer_type=ConditionalOffer.SITE,
            status=ConditionalOffer.OPEN,
            condition=condition,
            benefit=benefit,
            priority=priority,
            max_basket_applications=1,
        )

    def basket(self) -> Any:
        """The 20-line basket, with oscar's default strategy (no tax)."""
        from oscar.apps.basket.models import Basket  # type: ignore[import-untyped, import-not-found, unused-ignore]
        from oscar.apps.partner.strategy import Default  # type: ignore[import-untyped, import-not-found, unused-ignore]

        basket = Basket.objects.create()
        basket.strategy = Default()
        for product, quantity in self.lines:
            basket.add_product(product, quantity)
        return basket

    def offers(self, count: int) -> list[Any]:
        """Make the offers of the first ``count`` (once each), and load them as oscar does."""
        from oscar.apps.offer.applicator import Applicator  # type: ignore[import-untyped, import-not-found, unused-ignore]
        from oscar.apps.offer.models import ConditionalOffer  # type: ignore[import-untyped, import-not-found, unused-ignore]

        while ConditionalOffer.objects.count() < count:
            made = ConditionalOffer.objects.count()
            if made < len(MATCHING):
                percent, covered = MATCHING[made]
                self.offer([self.lines[line][0] for line in covered], percent, priority=10)
            else:
                self.offer([self.fillers[made - len(MATCHING)]], Decimal(10), priority=0)
        return list(Applicator().get_site_offers())


def shopkit_promotions(count: int) -> PromotionBook:
    """The same offers as shopkit promotions."""
    skus = [f"B{line:02d}" for line in range(20)]
    promotions = []
    for index, (percent, covered) in enumerate(MATCHING):
        chosen = Skus([skus[line] for line in covered])
        if percent is None:
            benefit: Any = FixedOff(Amounts.of(EUR=FIVE_OFF), "order", chosen)
        else:
            benefit = Percentage(percent, chosen)
        promotions.append(
            Promotion(
                f"m{index}",
                f"Offer {index + 1}",
                benefit,
                condition=MinQuantity(chosen, 1),
                priority=10,
            )
        )
    for index in range(count - len(MATCHING)):
        promotions.append(
            Promotion(f"f{index}", f"Filler {index}", Percentage(10, Skus([f"F{index:04d}"])))
        )
    return PromotionBook(promotions)


def shopkit_cart() -> Cart:
    cart = Cart(CURRENCY)
    for line, (unit_price, quantity) in enumerate(basket_prices()):
        cart = cart.add(
            Product(f"B{line:02d}", f"B{line:02d}", Money.of(unit_price, CURRENCY)), quantity
        )
    return cart


def median_seconds(action: Callable[[], object], seconds: float, at_least: int) -> float:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < at_least or time.perf_counter() - start < seconds:
        begin = time.perf_counter()
        action()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def main() -> None:
    import oscar  # type: ignore[import-untyped, import-not-found, unused-ignore]

    begin = time.perf_counter()
    # haystack's simple search backend says, for every product saved, that it indexes nothing
    warnings.filterwarnings("ignore", "update is not implemented", UserWarning)
    configure_django()
    from oscar.apps.offer.applicator import Applicator  # type: ignore[import-untyped, import-not-found, unused-ignore]

    shop = Oscar()
    basket = shop.basket()
    cart = shopkit_cart()
    print(
        f"django-oscar {oscar.get_version()} (Django {django.get_version()}, in-memory SQLite; "
        f"set up in {time.perf_counter() - begin:.1f} s) against shopkit, a 20-line basket "
        f"of {basket.num_items} units, subtotal {basket.total_excl_tax_excl_discounts} "
        f"{CURRENCY} (shopkit: {cart.subtotal})"
    )
    print(
        f"{'offers':>7} {'oscar discount':>15} {'shopkit discount':>17} {'agree':>6} "
        f"{'oscar':>11} {'oscar+load':>11} {'shopkit':>11} {'ratio':>8}"
    )
    applicator = Applicator()
    for count in COUNTS:
        offers = shop.offers(count)
        book = shopkit_promotions(count)

        def with_oscar(offers: list[Any] = offers) -> None:
            basket.reset_offer_applications()
            applicator.apply_offers(basket, offers)

        def with_oscar_loading() -> None:
            basket.reset_offer_applications()
            applicator.apply(basket)

        with_oscar()
        oscar_discount = basket.total_excl_tax_excl_discounts - basket.total_excl_tax
        oscar_total = basket.total_excl_tax
        priced = price(cart, book, at=AT)
        agree = Money.of(oscar_discount, CURRENCY) == priced.discount and (
            Money.of(oscar_total, CURRENCY) == priced.total
        )
        budget = 2.0 if count < 1_000 else 4.0
        oscar_time = median_seconds(with_oscar, budget, 3)
        loading_time = median_seconds(with_oscar_loading, budget, 3)
        shopkit_time = median_seconds(functools.partial(price, cart, book, at=AT), 1.0, 20)
        print(
            f"{count:>7,} {oscar_discount:>11} EUR {priced.discount!s:>17} "
            f"{'yes' if agree else 'NO':>6} {oscar_time * 1000:>8.2f} ms "
            f"{loading_time * 1000:>8.2f} ms {shopkit_time * 1000:>8.3f} ms "
            f"{oscar_time / shopkit_time:>7.0f}x"
        )
        print(f"{'':>7} totals: oscar {oscar_total} {CURRENCY}, shopkit {priced.total}")


if __name__ == "__main__":
    main()
