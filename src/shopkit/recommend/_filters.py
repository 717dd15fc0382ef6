"""The business filters as numpy masks over a model's vocabulary, and the catalogue behind them."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Catalogue
from shopkit.recommend._request import Filters, Resolved

__all__ = ["CatalogueIndex", "failing_one", "passing_many", "static_mask"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class CatalogueIndex:
    """The catalogue laid over a model's item vocabulary, as arrays.

    Attributes:
        price: Unit prices in minor units, ``-1`` where unknown.
        currency: The currency of each price, ``None`` where unknown.
        stock: Units in stock, ``-1`` where untracked or unknown.
        names: Product names (the sku where the catalogue has none).
        categories: For each category, a mask of its items.
        by_category: For each category, its items' indices.
    """

    price: IntArray
    currency: tuple[str | None, ...]
    stock: IntArray
    names: tuple[str, ...]
    categories: dict[str, BoolArray]
    by_category: dict[str, IntArray]

    @classmethod
    def of(cls, items: Sequence[str], catalogue: Catalogue | None) -> CatalogueIndex:
        """Lay ``catalogue`` (or nothing) over the vocabulary ``items``."""
        n = len(items)
        price = np.full(n, -1, dtype=np.int64)
        stock = np.full(n, -1, dtype=np.int64)
        currency: list[str | None] = [None] * n
        names = list(items)
        members: dict[str, list[int]] = {}
        for index, sku in enumerate(items):
            product = catalogue.get(sku) if catalogue is not None else None
            if product is None:
                continue
            price[index] = product.unit_price.minor
            currency[index] = product.unit_price.currency
            stock[index] = -1 if product.stock is None else product.stock
            names[index] = product.name
            for category in product.categories:
                members.setdefault(category, []).append(index)
        masks = {}
        by_category = {}
        for category, indices in members.items():
            mask = np.zeros(n, dtype=bool)
            mask[indices] = True
            masks[category] = mask
            by_category[category] = np.asarray(indices, dtype=np.int64)
        return cls(price, tuple(currency), stock, tuple(names), masks, by_category)


def static_mask(filters: Filters, index: CatalogueIndex, vocabulary: dict[str, int]) -> BoolArray:
    """The part of the filters that does not depend on the request's items."""
    ok = np.ones(len(index.price), dtype=bool)
    if filters.in_stock:
        ok &= index.stock != 0
    for category in filters.excluded_categories:
        mask = index.categories.get(category)
        if mask is not None:
            ok &= ~mask
    for sku in filters.excluded_skus:
        if sku in vocabulary:
            ok[vocabulary[sku]] = False
    return ok


def passing_many(
    resolved: Sequence[Resolved], index: CatalogueIndex, vocabulary: dict[str, int]
) -> BoolArray:
    """Which items pass each request's filters: one row per request (rows × items).

    The masks that depend on the filters alone are built once per distinct ``Filters``; the
    cart, viewed and bought exclusions of all rows are set with one fancy-indexed assignment.
    """
    n = len(index.price)
    ok = np.ones((len(resolved), n), dtype=bool)
    groups: dict[Filters, list[int]] = {}
    for row, one in enumerate(resolved):
        groups.setdefault(one.request.filters, []).append(row)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    for filters, members in groups.items():
        static = static_mask(filters, index, vocabulary)
        if not static.all():
            ok[members] &= static
        for flag, name in (
            (filters.exclude_cart, "cart"),
            (filters.exclude_viewed, "viewed"),
            (filters.exclude_bought, "history"),
        ):
            if not flag:
                continue
            for row in members:
                items: IntArray = getattr(resolved[row], name)
                if len(items):
                    rows.append(np.full(len(items), row, dtype=np.int64))
                    cols.append(items)
        if filters.max_price_ratio is not None or filters.min_price_ratio is not None:
            for row in members:
                ok[row] &= _price_mask(resolved[row], filters, index)
    if rows:
        ok[np.concatenate(rows), np.concatenate(cols)] = False
    return ok


def _price_mask(resolved: Resolved, filters: Filters, index: CatalogueIndex) -> BoolArray:
    priced = [int(item) for item in resolved.cart if index.price[item] >= 0]
    if not priced:
        priced = [int(item) for item in resolved.viewed if index.price[item] >= 0]
    if not priced:
        return np.zeros(len(index.price), dtype=bool)  # nothing to compare with
    main = max(priced, key=lambda item: (index.price[item], -item))
    currency = index.currency[main]
    main_minor = int(index.price[main])
    same = np.fromiter((code == currency for code in index.currency), dtype=bool)
    ok = same & (index.price >= 0)
    prices = index.price.astype(object)  # Python ints: exact at any size
    if filters.max_price_ratio is not None:
        ratio = Fraction(filters.max_price_ratio)
        ok &= (prices * ratio.denominator <= main_minor * ratio.numerator).astype(bool)
    if filters.min_price_ratio is not None:
        ratio = Fraction(filters.min_price_ratio)
        ok &= (prices * ratio.denominator >= main_minor * ratio.numerator).astype(bool)
    return ok


def failing_one(
    resolved: Resolved,
    index: CatalogueIndex,
    vocabulary: dict[str, int],
    cache: dict[Filters, IntArray],
) -> list[IntArray]:
    """The items failing one request's filters, as a few index arrays (they may overlap).

    What ``passing_many`` computes for one row, without a mask over the whole vocabulary: the
    items the filters alone leave out (kept in ``cache`` per distinct ``Filters``, since
    they do not depend on the request's items), the excluded cart, viewed and bought items,
    and, with a price rule, the items it leaves out.
    """
    filters = resolved.request.filters
    static = cache.get(filters)
    if static is None:
        static = np.flatnonzero(~static_mask(filters, index, vocabulary)).astype(np.int64)
        cache[filters] = static
    failing = [static] if len(static) else []
    if filters.exclude_cart and len(resolved.cart):
        failing.append(resolved.cart)
    if filters.exclude_viewed and len(resolved.viewed):
        failing.append(resolved.viewed)
    if filters.exclude_bought and len(resolved.history):
        failing.append(resolved.history)
    if filters.max_price_ratio is not None or filters.min_price_ratio is not None:
        failing.append(np.flatnonzero(~_price_mask(resolved, filters, index)).astype(np.int64))
    return failing
