"""The catalogue: the products a shop sells, by sku, for every part that looks one up."""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping

import attrs

from shopkit import validators as check
from shopkit._model import Product
from shopkit._money import Money

__all__ = ["Catalogue"]


@attrs.frozen
class Catalogue:
    """The products a shop sells, looked up by sku: prices, categories, stock and names.

    Recommendations filter and explain with it, and a feature that spans two parts (an add-on
    that unlocks free shipping, points on an order) reads prices from it. It holds plain
    products and does no I/O; build a new one for new prices or stock.

    Attributes:
        products: The products, in the order given; skus are unique.

    Examples:
        >>> from shopkit import Catalogue, sample_catalogue
        >>> catalogue = Catalogue(sample_catalogue())
        >>> catalogue.get("22423").name, "22423" in catalogue, len(catalogue)
        ('Regency Cakestand 3 Tier', True, 60)
        >>> str(catalogue.prices["22423"])
        '12.75 GBP'
        >>> catalogue.get("no such sku") is None
        True
    """

    products: tuple[Product, ...] = attrs.field(
        converter=check.as_tuple,
        validator=[check.tuple_of(Product), check.unique_by(lambda product: product.sku, "sku")],
    )
    _by_sku: Mapping[str, Product] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_sku = {product.sku: product for product in self.products}
        object.__setattr__(self, "_by_sku", types.MappingProxyType(by_sku))

    def get(self, sku: str) -> Product | None:
        """Return the product with ``sku``, or ``None`` if the catalogue has none."""
        return self._by_sku.get(sku)

    @property
    def skus(self) -> tuple[str, ...]:
        """The skus, in catalogue order."""
        return tuple(self._by_sku)

    @property
    def prices(self) -> Mapping[str, Money]:
        """Each product's unit price by sku (a read-only view)."""
        return types.MappingProxyType(
            {product.sku: product.unit_price for product in self.products}
        )

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)
