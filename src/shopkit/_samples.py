"""The sample data that ships with shopkit (see ``shopkit/data/README.md`` for its source)."""

from __future__ import annotations

import functools
from importlib.resources import files

from shopkit._config import from_json
from shopkit._model import Cart, Customer, Product

__all__ = ["sample_cart", "sample_catalogue", "sample_customer"]


def _read(name: str) -> str:
    return files("shopkit").joinpath("data", name).read_text(encoding="utf-8")


@functools.cache
def sample_catalogue() -> tuple[Product, ...]:
    """Return the sample catalogue: 60 best-selling products of the UCI Online Retail data, GBP.

    Examples:
        >>> from shopkit import sample_catalogue
        >>> catalogue = sample_catalogue()
        >>> len(catalogue), catalogue[0].sku, str(catalogue[0].unit_price)
        (60, '85123A', '2.95 GBP')
    """
    return from_json(_read("catalogue.json"), tuple[Product, ...])


@functools.cache
def sample_cart() -> Cart:
    """Return the sample cart: four lines from the sample catalogue and two shipping options.

    Examples:
        >>> from shopkit import sample_cart
        >>> cart = sample_cart()
        >>> str(cart.subtotal), str(cart.shipping)
        ('35.40 GBP', '4.95 GBP')
    """
    return from_json(_read("cart.json"), Cart)


@functools.cache
def sample_customer() -> Customer:
    """Return the sample customer context for ``sample_cart``.

    Examples:
        >>> from shopkit import sample_customer
        >>> sample_customer().segments
        ('regular',)
    """
    return from_json(_read("customer.json"), Customer)
