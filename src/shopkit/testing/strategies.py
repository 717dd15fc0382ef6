"""Hypothesis strategies for the core's values: money, products, carts and customers.

They draw across currencies with 0, 2, 3 and 4 decimals, so that no test assumes two, and from
every corner of the validators (empty lists, unicode names, big amounts). A plugin author's
property tests use them as they are or narrow them (``carts(currency="EUR")``).

Examples:
    >>> from hypothesis import given
    >>> from shopkit.testing.strategies import carts
    >>> @given(carts(currency="JPY"))
    ... def test_subtotal_is_the_sum_of_the_lines(cart):
    ...     assert cart.subtotal.minor == sum(line.total.minor for line in cart.lines)
    >>> test_subtotal_is_the_sum_of_the_lines()
"""

from __future__ import annotations

from hypothesis import strategies as st

from shopkit import Cart, Customer, Line, Money, Product, ShippingOption

__all__ = [
    "CURRENCIES",
    "carts",
    "currencies",
    "customers",
    "money",
    "names",
    "products",
]

CURRENCIES = ("JPY", "KRW", "USD", "EUR", "GBP", "KWD", "BHD", "CLF")
"""Currencies with 0 (JPY, KRW), 2 (USD, EUR, GBP), 3 (KWD, BHD) and 4 (CLF) decimals."""

currencies: st.SearchStrategy[str] = st.sampled_from(CURRENCIES)
"""One of ``CURRENCIES``."""

names: st.SearchStrategy[str] = st.text(
    alphabet=st.characters(categories=("L", "N"), max_codepoint=0x24F), min_size=1, max_size=12
)
"""Short non-empty names of letters and digits (Latin, with accents): skus, ids, categories."""


def money(
    currency: str | st.SearchStrategy[str] = currencies,
    *,
    min_minor: int = -(10**12),
    max_minor: int = 10**12,
) -> st.SearchStrategy[Money]:
    """Amounts in ``currency`` (a code or a strategy of codes) within the given minor units.

    Args:
        currency: A currency code, or a strategy drawing one.
        min_minor: The smallest amount, in minor units.
        max_minor: The largest amount, in minor units.

    Returns:
        A strategy of ``Money``.
    """
    codes = st.just(currency) if isinstance(currency, str) else currency
    return st.builds(Money, st.integers(min_minor, max_minor), codes)


def products(currency: str, *, max_price_minor: int = 10**7) -> st.SearchStrategy[Product]:
    """Products priced in ``currency``, with categories, tags, attributes and maybe stock.

    Args:
        currency: The currency of the unit price.
        max_price_minor: The highest unit price, in minor units.

    Returns:
        A strategy of ``Product``.
    """
    return st.builds(
        Product,
        sku=names,
        name=names,
        unit_price=money(currency, min_minor=0, max_minor=max_price_minor),
        categories=st.lists(names, max_size=3),
        tags=st.lists(names, max_size=3),
        attributes=st.dictionaries(names, names, max_size=3),
        stock=st.none() | st.integers(0, 1000),
    )


@st.composite
def carts(draw: st.DrawFn, currency: str | None = None) -> Cart:
    """Carts of up to eight lines with up to three shipping options, one maybe chosen.

    Args:
        draw: Supplied by hypothesis.
        currency: The cart's currency; drawn from ``CURRENCIES`` when ``None``.

    Returns:
        A cart (as a strategy, through ``st.composite``).
    """
    code = currency if currency is not None else draw(currencies)
    lines = draw(
        st.lists(
            st.builds(Line, products(code), st.integers(1, 50)),
            max_size=8,
            unique_by=lambda line: line.product.sku,  # one product per SKU, as a cart requires
        )
    )
    options = draw(
        st.lists(
            st.builds(ShippingOption, names, names, money(code, min_minor=0, max_minor=10**5)),
            max_size=3,
            unique_by=lambda option: option.id,
        )
    )
    method = draw(st.none() | st.sampled_from([o.id for o in options])) if options else None
    return Cart(
        code,
        lines,
        shipping_options=options,
        shipping_method=method,
        codes=draw(st.lists(names, max_size=2)),
        prices_include_tax=draw(st.booleans()),
    )


customers: st.SearchStrategy[Customer] = st.builds(
    Customer,
    id=st.none() | names,
    segments=st.lists(names, max_size=3),
    order_count=st.integers(0, 500),
    loyalty_tier=st.none() | names,
    region=st.none() | names,
    channel=st.none() | names,
    attributes=st.dictionaries(names, names, max_size=3),
)
"""Customer contexts: guests and signed-in customers with segments, tiers, regions, channels."""
