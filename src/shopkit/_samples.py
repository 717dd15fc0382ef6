"""The sample data that ships with shopkit (see ``shopkit/data/README.md`` for its source).

``read_sample`` is the one reader of shipped sample files: the core's samples live in
``shopkit/data/``, and each domain package keeps its own in its ``data/`` folder.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from shopkit._config import from_json
from shopkit._model import Cart, Customer, Product
from shopkit.errors import ValidationError

__all__ = ["read_sample", "sample_cart", "sample_catalogue", "sample_customer"]


def read_sample(package: str, name: str) -> str:
    """Return the text of the sample file ``name`` in the ``data/`` folder of ``package``.

    Args:
        package: The package that ships it (``"shopkit"``, ``"shopkit.recommend"``, …).
        name: The file name (``"catalogue.json"``).

    Returns:
        The file's text, decoded as UTF-8.

    Raises:
        ValidationError: the package ships no such file.

    Examples:
        >>> from shopkit import read_sample
        >>> read_sample("shopkit", "customer.json").startswith("{")
        True
    """
    try:
        return files(package).joinpath("data", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as error:
        raise ValidationError(
            f"{package} ships no sample {name!r}: {error}", field="name", value=name
        ) from None


def _read(name: str) -> str:
    """The core's sample file ``name`` (kept for readers written before ``read_sample``)."""
    return read_sample("shopkit", name)


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
