"""Hypothesis strategies shared by the tests (one module, as attrs keeps them)."""

from __future__ import annotations

from hypothesis import strategies as st

from shopkit import Cart, Customer, Line, Money, Product, ShippingOption

# Currencies with 0, 2, 3 and 4 decimals, so no test assumes two.
CURRENCIES = ("JPY", "KRW", "USD", "EUR", "GBP", "KWD", "BHD", "CLF")

currencies = st.sampled_from(CURRENCIES)
names = st.text(
    alphabet=st.characters(categories=("L", "N"), max_codepoint=0x24F), min_size=1, max_size=12
)


def money(
    currency: str | st.SearchStrategy[str] = currencies,
    *,
    min_minor: int = -(10**12),
    max_minor: int = 10**12,
) -> st.SearchStrategy[Money]:
    """Amounts in ``currency`` (a code or a strategy of codes) within the given minor units."""
    codes = st.just(currency) if isinstance(currency, str) else currency
    return st.builds(Money, st.integers(min_minor, max_minor), codes)


def products(currency: str, *, max_price_minor: int = 10**7) -> st.SearchStrategy[Product]:
    """Products priced in ``currency``."""
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
    """Carts of up to eight lines with up to three shipping options, one maybe chosen."""
    code = currency if currency is not None else draw(currencies)
    lines = draw(st.lists(st.builds(Line, products(code), st.integers(1, 50)), max_size=8))
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


customers = st.builds(
    Customer,
    id=st.none() | names,
    segments=st.lists(names, max_size=3),
    order_count=st.integers(0, 500),
    loyalty_tier=st.none() | names,
    region=st.none() | names,
    channel=st.none() | names,
    attributes=st.dictionaries(names, names, max_size=3),
)
