"""A catalogue as numpy arrays: one row per product, money in int64 minor units.

What ``display_price_table`` reads: skus, prices and currencies, the categories, tags and
attributes selectors look at, stock (for ``stock_range`` selectors, ``stock_level`` conditions
and the low-stock flag), and cost and minimum price (the price floors). Names are stored once
in a vocabulary tuple and rows hold ``int64`` indices into it, as in ``shopkit.OrderTable``;
a product in several categories (or with several tags, or attributes) has one entry per
category in two parallel arrays (``category_row``, ``category``).

This module needs numpy (``pip install "shopkit[data]"``); ``import shopkit.pricing`` does not
import it, and ``shopkit.pricing.ProductTable`` loads it on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Money, Product, ValidationError, validate_currency

__all__ = ["IntArray", "ProductTable"]

IntArray = npt.NDArray[np.int64]
_EMPTY = np.zeros(0, dtype=np.int64)


def _column(value: Any) -> Any:
    """Attrs converter: a 1-d int64 array (``None`` stays ``None``; the checks fill it in)."""
    if value is None or (isinstance(value, np.ndarray) and value.dtype == np.int64):
        return value
    try:
        return np.asarray(value, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        return value  # the table's check reports it


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _optional_names(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _check_names(names: Sequence[object], field: str, unique: bool = True) -> None:
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                f"{name!r} is not a non-empty string", field=f"{field}[{index}]", value=name
            )
    if unique and len(set(names)) != len(names):
        seen: set[object] = set()
        for index, name in enumerate(names):
            if name in seen:
                raise ValidationError(
                    f"{name!r} appears twice", field=f"{field}[{index}]", value=name
                )
            seen.add(name)


def _check_array(array: object, field: str, size: int | None, low: int, high: int | None) -> int:
    """Check a 1-d int64 column of ``size`` entries within [low, high); return its length."""
    if not isinstance(array, np.ndarray) or array.dtype != np.int64:
        raise ValidationError(f"{array!r} is not a list of whole numbers", field=field, value=None)
    if array.ndim != 1 or (size is not None and len(array) != size):
        raise ValidationError(
            f"has shape {array.shape}, not one entry per product ({size})", field=field, value=size
        )
    if len(array):
        below = np.flatnonzero(array < low)
        if len(below):
            row = int(below[0])
            raise ValidationError(
                f"{int(array[row])} is below {low}", field=f"{field}[{row}]", value=int(array[row])
            )
        if high is not None:
            over = np.flatnonzero(array >= high)
            if len(over):
                row = int(over[0])
                raise ValidationError(
                    f"{int(array[row])} is not an index into {high} names",
                    field=f"{field}[{row}]",
                    value=int(array[row]),
                )
    return len(array)


class _Postings:
    """The rows of each name of a vocabulary, from (row, name) entries: built once, on demand.

    The rows of one name are sorted and each there once, so one name's rows are a slice.
    """

    def __init__(self, rows: IntArray, names: IntArray, size: int) -> None:
        order = np.lexsort((rows, names))
        rows, names = rows[order], names[order]
        if len(rows):
            fresh = np.r_[True, (rows[1:] != rows[:-1]) | (names[1:] != names[:-1])]
            rows, names = rows[fresh], names[fresh]
        self.rows = rows
        self.starts = np.searchsorted(names, np.arange(size + 1))

    def of(self, codes: Iterable[int]) -> IntArray:
        """The rows holding any of the names ``codes`` (indices), sorted, each once."""
        parts = [self.rows[self.starts[code] : self.starts[code + 1]] for code in set(codes)]
        if not parts:
            return _EMPTY
        if len(parts) == 1:
            return parts[0]
        return np.unique(np.concatenate(parts))


@attrs.frozen(eq=False, kw_only=True)
class ProductTable:
    """A catalogue as parallel numpy arrays, one row per product; money in int64 minor units.

    Row ``i`` is one product: ``skus[i]``, ``unit_price[i]`` minor units of
    ``currencies[currency[i]]``, and so on. Categories, tags and attributes are entries in
    parallel arrays: entry ``k`` of ``category_row`` and ``category`` puts row
    ``category_row[k]`` in category ``categories[category[k]]``. ``-1`` in ``stock``, ``cost``
    and ``min_price`` means the product has none.

    Attributes:
        skus: The skus, one per row, each once.
        unit_price: The price of one unit, in minor units of the row's currency.
        currencies: The ISO 4217 codes; ``currency`` indexes it.
        currency: The currency of each row (all ``0`` when not given and there is one
            currency).
        names: The display names, one per row; the skus when not given.
        categories: The category names; ``category`` indexes it.
        category_row: The row of each category entry.
        category: The category of each entry.
        tags: The tag names; ``tag`` indexes it.
        tag_row: The row of each tag entry.
        tag: The tag of each entry.
        attribute_names: The attribute names ("brand"); ``attribute_name`` indexes it.
        attribute_values: The attribute values ("Acme"); ``attribute_value`` indexes it.
        attribute_row: The row of each attribute entry (a row has a name at most once).
        attribute_name: The attribute name of each entry.
        attribute_value: The attribute value of each entry.
        stock: Units in stock, ``-1`` where not tracked.
        cost: What one unit costs the shop, in minor units, ``-1`` where not known.
        min_price: The lowest unit price the shop sells at, in minor units, ``-1`` where none.

    Examples:
        >>> from shopkit import Money, Product
        >>> from shopkit.pricing import ProductTable
        >>> mug = Product("MUG", "Mug", Money.of("8.00", "EUR"), categories=["Kitchen"], stock=2)
        >>> table = ProductTable.of([mug])
        >>> table.unit_price.tolist(), table.categories, table.stock.tolist()
        ([800], ('Kitchen',), [2])
        >>> table.product(0) == mug
        True
    """

    skus: tuple[str, ...] = attrs.field(converter=_names)
    unit_price: IntArray = attrs.field(converter=_column)
    currencies: tuple[str, ...] = attrs.field(converter=_names)
    currency: IntArray = attrs.field(default=None, converter=_column)
    names: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_names)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_names)
    category_row: IntArray = attrs.field(default=None, converter=_column)
    category: IntArray = attrs.field(default=None, converter=_column)
    tags: tuple[str, ...] = attrs.field(default=(), converter=_names)
    tag_row: IntArray = attrs.field(default=None, converter=_column)
    tag: IntArray = attrs.field(default=None, converter=_column)
    attribute_names: tuple[str, ...] = attrs.field(default=(), converter=_names)
    attribute_values: tuple[str, ...] = attrs.field(default=(), converter=_names)
    attribute_row: IntArray = attrs.field(default=None, converter=_column)
    attribute_name: IntArray = attrs.field(default=None, converter=_column)
    attribute_value: IntArray = attrs.field(default=None, converter=_column)
    stock: IntArray = attrs.field(default=None, converter=_column)
    cost: IntArray = attrs.field(default=None, converter=_column)
    min_price: IntArray = attrs.field(default=None, converter=_column)
    _cache: dict[str, Any] = attrs.field(init=False, factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        _check_names(self.skus, "skus", unique=False)
        n = _check_array(self.unit_price, "unit_price", len(self.skus), 0, None)
        _check_names(self.currencies, "currencies")
        for index, code in enumerate(self.currencies):
            validate_currency(code, f"currencies[{index}]")
        if self.currency is None:
            if len(self.currencies) != 1:
                raise ValidationError(
                    "a currency per row is needed unless there is exactly one currency",
                    field="currency",
                    value=len(self.currencies),
                )
            object.__setattr__(self, "currency", np.zeros(n, dtype=np.int64))
        _check_array(self.currency, "currency", n, 0, len(self.currencies))
        if self.names is not None:
            if len(self.names) != n:
                raise ValidationError(
                    f"{len(self.names)} names for {n} products", field="names", value=n
                )
            _check_names(self.names, "names", unique=False)
        for vocabulary, rows, codes in (
            ("categories", "category_row", "category"),
            ("tags", "tag_row", "tag"),
        ):
            self._check_entries(vocabulary, rows, [(codes, vocabulary)], n)
        self._check_entries(
            "attribute_names",
            "attribute_row",
            [("attribute_name", "attribute_names"), ("attribute_value", "attribute_values")],
            n,
        )
        _check_names(self.attribute_values, "attribute_values")
        if len(self.attribute_row):
            keys = self.attribute_row * max(1, len(self.attribute_names)) + self.attribute_name
            if len(np.unique(keys)) != len(keys):
                raise ValidationError(
                    "a product has an attribute twice", field="attribute_name", value=None
                )
        for name in ("stock", "cost", "min_price"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(n, -1, dtype=np.int64))
            _check_array(getattr(self, name), name, n, -1, None)
        by_sku = dict(zip(self.skus, range(n), strict=True))
        if len(by_sku) != n:
            _check_names(self.skus, "skus")  # names the repeated sku
        self._cache["sku"] = by_sku

    def _check_entries(
        self, vocabulary: str, rows: str, columns: list[tuple[str, str]], n: int
    ) -> None:
        _check_names(getattr(self, vocabulary), vocabulary)
        if getattr(self, rows) is None:
            object.__setattr__(self, rows, _EMPTY)
        size = _check_array(getattr(self, rows), rows, None, 0, n)
        for column, names in columns:
            if getattr(self, column) is None:
                object.__setattr__(self, column, _EMPTY)
            _check_array(getattr(self, column), column, size, 0, len(getattr(self, names)))

    def __len__(self) -> int:
        return len(self.skus)

    @classmethod
    def of(cls, products: Iterable[Product]) -> ProductTable:
        """Build the table of some products, in the order given.

        Raises:
            ValidationError: an item is not a Product, or two products share a sku.
        """
        columns: dict[str, list[int]] = {
            name: []
            for name in (
                "unit_price",
                "currency",
                "stock",
                "cost",
                "min_price",
                "category_row",
                "category",
                "tag_row",
                "tag",
                "attribute_row",
                "attribute_name",
                "attribute_value",
            )
        }
        vocabularies: dict[str, dict[str, int]] = {
            name: {} for name in ("currencies", "categories", "tags", "names", "values")
        }

        def code(vocabulary: str, name: str) -> int:
            found = vocabularies[vocabulary]
            return found.setdefault(name, len(found))

        skus, names = [], []
        for row, product in enumerate(products):
            if not isinstance(product, Product):
                raise ValidationError(
                    f"{product!r} is not a Product", field=f"products[{row}]", value=product
                )
            skus.append(product.sku)
            names.append(product.name)
            columns["unit_price"].append(product.unit_price.minor)
            columns["currency"].append(code("currencies", product.unit_price.currency))
            columns["stock"].append(-1 if product.stock is None else product.stock)
            columns["cost"].append(-1 if product.cost is None else product.cost.minor)
            columns["min_price"].append(
                -1 if product.min_price is None else product.min_price.minor
            )
            for category in product.categories:
                columns["category_row"].append(row)
                columns["category"].append(code("categories", category))
            for tag in product.tags:
                columns["tag_row"].append(row)
                columns["tag"].append(code("tags", tag))
            for name, value in product.attributes.items():
                columns["attribute_row"].append(row)
                columns["attribute_name"].append(code("names", name))
                columns["attribute_value"].append(code("values", value))
        arrays = {name: np.array(values, dtype=np.int64) for name, values in columns.items()}
        return cls(
            skus=skus,
            names=names,
            currencies=tuple(vocabularies["currencies"]),
            categories=tuple(vocabularies["categories"]),
            tags=tuple(vocabularies["tags"]),
            attribute_names=tuple(vocabularies["names"]),
            attribute_values=tuple(vocabularies["values"]),
            **arrays,
        )

    def product(self, row: int) -> Product:
        """The product of a row, as a ``Product``.

        Raises:
            ValidationError: the row is not in the table.
        """
        if (
            isinstance(row, bool)
            or not isinstance(row, int | np.integer)
            or not (0 <= row < len(self))
        ):
            raise ValidationError(f"{row!r} is not a row of the table", field="row", value=row)
        row = int(row)
        currency = self.currencies[int(self.currency[row])]
        stock, cost, floor = (int(self.stock[row]), int(self.cost[row]), int(self.min_price[row]))
        return Product(
            self.skus[row],
            self.names[row] if self.names is not None else self.skus[row],
            Money(int(self.unit_price[row]), currency),
            cost=None if cost < 0 else Money(cost, currency),
            min_price=None if floor < 0 else Money(floor, currency),
            categories=[self.categories[int(c)] for c in self._entries("category", row)],
            tags=[self.tags[int(t)] for t in self._entries("tag", row)],
            attributes={
                self.attribute_names[int(name)]: self.attribute_values[int(value)]
                for name, value in zip(
                    self._entries("attribute_name", row),
                    self._entries("attribute_value", row),
                    strict=True,
                )
            },
            stock=None if stock < 0 else stock,
        )

    # -- lookups for the display path: rows by sku, category, tag, attribute, currency ---------

    def _entries(self, column: str, row: int) -> IntArray:
        """The entries of one row in a category, tag or attribute column, in entry order."""
        rows = {"category": "category_row", "tag": "tag_row"}.get(column, "attribute_row")
        key = f"entries:{rows}"
        if key not in self._cache:
            array = getattr(self, rows)
            order = np.argsort(array, kind="stable")
            self._cache[key] = (order, np.searchsorted(array[order], np.arange(len(self) + 1)))
        order, starts = self._cache[key]
        picked: IntArray = getattr(self, column)[order[starts[row] : starts[row + 1]]]
        return picked

    def sku_rows(self, skus: Iterable[str]) -> IntArray:
        """The rows of the skus the table has, sorted."""
        by_sku: Mapping[str, int] = self._cache["sku"]
        found = {by_sku[sku] for sku in skus if sku in by_sku}
        return np.array(sorted(found), dtype=np.int64)

    def rows_with(self, kind: str, names: Iterable[str]) -> IntArray:
        """The rows in any of the named categories (``kind="category"``) or tags, sorted."""
        vocabulary = self.categories if kind == "category" else self.tags
        postings = self._postings(kind, vocabulary)
        index = self._index(kind, vocabulary)
        return postings.of(index[name] for name in names if name in index)

    def attribute_rows(self, name: str, values: Iterable[str]) -> IntArray:
        """The rows whose attribute ``name`` is one of ``values``, sorted."""
        names = self._index("attribute_names", self.attribute_names)
        if name not in names:
            return _EMPTY
        known = self._index("attribute_values", self.attribute_values)
        width = len(self.attribute_values)
        key = "postings:attribute"
        if key not in self._cache:
            combined = self.attribute_name * width + self.attribute_value
            self._cache[key] = _Postings(
                self.attribute_row, combined, len(self.attribute_names) * width
            )
        postings: _Postings = self._cache[key]
        return postings.of(names[name] * width + known[value] for value in values if value in known)

    def currency_rows(self, codes: Iterable[int]) -> IntArray:
        """The rows priced in any of the currencies (indices into ``currencies``), sorted."""
        key = "postings:currency"
        if key not in self._cache:
            self._cache[key] = _Postings(
                np.arange(len(self), dtype=np.int64), self.currency, len(self.currencies)
            )
        postings: _Postings = self._cache[key]
        return postings.of(codes)

    def _postings(self, kind: str, vocabulary: tuple[str, ...]) -> _Postings:
        key = f"postings:{kind}"
        if key not in self._cache:
            self._cache[key] = _Postings(
                getattr(self, f"{kind}_row"), getattr(self, kind), len(vocabulary)
            )
        postings: _Postings = self._cache[key]
        return postings

    def _index(self, key: str, vocabulary: tuple[str, ...]) -> dict[str, int]:
        key = f"index:{key}"
        if key not in self._cache:
            self._cache[key] = {name: code for code, name in enumerate(vocabulary)}
        index: dict[str, int] = self._cache[key]
        return index
