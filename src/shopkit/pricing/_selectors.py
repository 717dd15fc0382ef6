"""Built-in selectors: which products a promotion is about."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import attrs

from shopkit import Product, ValidationError
from shopkit import validators as check
from shopkit.pricing._values import Amounts, Selector

__all__ = [
    "AllOf",
    "AllProducts",
    "AnyOf",
    "Attribute",
    "Categories",
    "NoneOf",
    "PriceRange",
    "Skus",
    "StockRange",
    "Tags",
    "narrowest_keys",
    "selected_lines",
    "selected_quantity",
    "union_keys",
]

Keys = frozenset[tuple[str, str]]

_non_empty = check.non_empty(check.name_tuple)
_selector_tuple = check.non_empty(check.tuple_of(Selector))
_stock_bound = check.optional(check.non_negative_int)


class _Line(Protocol):
    @property
    def product(self) -> Product: ...

    @property
    def gift(self) -> bool: ...


LineT = TypeVar("LineT", bound=_Line)


def selected_lines(selector: Selector, lines: Sequence[LineT]) -> list[LineT]:
    """The lines (not gifts) whose product ``selector`` selects, in order.

    ``[line for line in lines if not line.gift and selector.matches(line.product)]``, with
    the test of the three plain selectors (skus, categories, tags) made inline: pricing asks
    this for every promotion's selector, and a call per line is most of its cost.
    """
    kind = type(selector)
    if kind is Categories:
        single = selector._single  # type: ignore[attr-defined]
        if single is not None:  # one category: a test of the line's tuple, not a call
            return [line for line in lines if single in line.product.categories and not line.gift]
        lookup = selector._lookup  # type: ignore[attr-defined]
        return [
            line
            for line in lines
            if not line.gift and not lookup.isdisjoint(line.product.categories)
        ]
    if kind is Tags:
        single = selector._single  # type: ignore[attr-defined]
        if single is not None:
            return [line for line in lines if single in line.product.tags and not line.gift]
        lookup = selector._lookup  # type: ignore[attr-defined]
        return [
            line for line in lines if not line.gift and not lookup.isdisjoint(line.product.tags)
        ]
    if kind is Skus:
        lookup = selector._lookup  # type: ignore[attr-defined]
        return [line for line in lines if line.product.sku in lookup and not line.gift]
    matches = selector.matches
    return [line for line in lines if not line.gift and matches(line.product)]


class _CartLine(Protocol):
    @property
    def product(self) -> Product: ...

    @property
    def quantity(self) -> int: ...


def selected_quantity(selector: Selector, lines: Iterable[_CartLine]) -> int:
    """The units of the ``lines`` whose product ``selector`` selects.

    As ``selected_lines``, the three plain selectors are tested inline (a condition counting
    units runs for every cart).
    """
    kind = type(selector)
    if kind is Categories:
        single = selector._single  # type: ignore[attr-defined]
        if single is not None:
            return sum([line.quantity for line in lines if single in line.product.categories])
        lookup = selector._lookup  # type: ignore[attr-defined]
        return sum(
            [line.quantity for line in lines if not lookup.isdisjoint(line.product.categories)]
        )
    if kind is Tags:
        single = selector._single  # type: ignore[attr-defined]
        if single is not None:
            return sum([line.quantity for line in lines if single in line.product.tags])
        lookup = selector._lookup  # type: ignore[attr-defined]
        return sum([line.quantity for line in lines if not lookup.isdisjoint(line.product.tags)])
    if kind is Skus:
        lookup = selector._lookup  # type: ignore[attr-defined]
        return sum([line.quantity for line in lines if line.product.sku in lookup])
    matches = selector.matches
    return sum([line.quantity for line in lines if matches(line.product)])


def union_keys(parts: Iterable[Keys | None]) -> Keys | None:
    """The index keys of "any of" the parts: all their keys, or ``None`` if one has none."""
    keys: set[tuple[str, str]] = set()
    for more in parts:
        if more is None:
            return None
        keys |= more
    return frozenset(keys)


def narrowest_keys(parts: Iterable[Keys | None]) -> Keys | None:
    """The index keys of "all of" the parts: the smallest key set of any one part."""
    options = [keys for keys in parts if keys is not None]
    return min(options, key=len) if options else None


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


@attrs.frozen
class AllProducts(Selector):
    """Every product.

    Examples:
        >>> from shopkit.pricing import AllProducts
        >>> AllProducts().describe()
        'all items'
    """

    def matches(self, product: Product) -> bool:
        """Every product matches."""
        return True

    def describe(self) -> str:
        """Say "all items"."""
        return "all items"


@attrs.frozen
class Skus(Selector):
    """Products with one of the given skus.

    Attributes:
        skus: The skus.
    """

    skus: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_non_empty)
    _lookup: frozenset[str] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_lookup", frozenset(self.skus))

    def matches(self, product: Product) -> bool:
        """Whether the product's sku is listed."""
        return product.sku in self._lookup

    def describe(self) -> str:
        """Name the skus."""
        return f"item {_quoted(self.skus)}"

    def index_keys(self) -> frozenset[tuple[str, str]]:
        """One key per sku."""
        return frozenset(("sku", sku) for sku in self.skus)


@attrs.frozen
class Categories(Selector):
    """Products in at least one of the given categories.

    Attributes:
        categories: The categories.
    """

    categories: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_non_empty)
    _lookup: frozenset[str] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _single: str | None = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_lookup", frozenset(self.categories))
        # the one category, if just one: ``in`` on the product's tuple tests it
        object.__setattr__(self, "_single", self.categories[0] if len(self._lookup) == 1 else None)

    def matches(self, product: Product) -> bool:
        """Whether the product is in a listed category."""
        return not self._lookup.isdisjoint(product.categories)

    def describe(self) -> str:
        """Name the categories."""
        return f"items from {_quoted(self.categories)}"

    def index_keys(self) -> frozenset[tuple[str, str]]:
        """One key per category."""
        return frozenset(("category", category) for category in self.categories)


@attrs.frozen
class Tags(Selector):
    """Products with at least one of the given tags.

    Attributes:
        tags: The tags.
    """

    tags: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_non_empty)
    _lookup: frozenset[str] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _single: str | None = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_lookup", frozenset(self.tags))
        # the one tag, if just one: ``in`` on the product's tuple tests it
        object.__setattr__(self, "_single", self.tags[0] if len(self._lookup) == 1 else None)

    def matches(self, product: Product) -> bool:
        """Whether the product has a listed tag."""
        return not self._lookup.isdisjoint(product.tags)

    def describe(self) -> str:
        """Name the tags."""
        return f"items tagged {_quoted(self.tags)}"

    def index_keys(self) -> frozenset[tuple[str, str]]:
        """One key per tag."""
        return frozenset(("tag", tag) for tag in self.tags)


@attrs.frozen
class Attribute(Selector):
    """Products whose attribute ``name`` has one of the given values.

    Attributes:
        name: The attribute ("brand", "colour").
        values: The accepted values.
    """

    name: str = attrs.field(validator=check.non_empty_str)
    values: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=_non_empty)

    def matches(self, product: Product) -> bool:
        """Whether the product's attribute has an accepted value."""
        return product.attributes.get(self.name) in self.values

    def describe(self) -> str:
        """Name the attribute and values."""
        return f"items with {self.name} {_quoted(self.values)}"


@attrs.frozen
class PriceRange(Selector):
    """Products whose unit price (before discounts) is within a range, bounds included.

    Attributes:
        min: The lowest price selected, per currency, if any.
        max: The highest price selected, per currency, if any.
    """

    min: Amounts | None = None
    max: Amounts | None = None

    def __attrs_post_init__(self) -> None:
        if self.min is None and self.max is None:
            raise ValidationError("give min, max or both", field="min", value=None)

    def matches(self, product: Product) -> bool:
        """Whether the price is within the range (a currency without a bound is unbounded)."""
        price = product.unit_price
        low = self.min.by_currency.get(price.currency) if self.min else None
        high = self.max.by_currency.get(price.currency) if self.max else None
        return (low is None or price >= low) and (high is None or price <= high)

    def describe(self) -> str:
        """Name the bounds."""
        parts = []
        if self.min is not None:
            parts.append("from " + self.min.describe())
        if self.max is not None:
            parts.append("up to " + self.max.describe())
        return "items priced " + " ".join(parts)


@attrs.frozen
class StockRange(Selector):
    """Products whose stock is within a range, bounds included.

    Steer promotions by stock, product by product: discount only what is overstocked
    (``min_stock``: 50), or keep the last units at full price (``min_stock``: 5 leaves a product
    with 4 or fewer out). Products whose stock the shop does not track are never selected.

    Attributes:
        min_stock: The lowest stock selected, if bounded.
        max_stock: The highest stock selected, if bounded.
    """

    min_stock: int | None = attrs.field(default=None, validator=_stock_bound)
    max_stock: int | None = attrs.field(default=None, validator=_stock_bound)

    def __attrs_post_init__(self) -> None:
        if self.min_stock is None and self.max_stock is None:
            raise ValidationError("give min_stock, max_stock or both", field="min_stock")
        if (
            self.min_stock is not None
            and self.max_stock is not None
            and self.max_stock < self.min_stock
        ):
            raise ValidationError(
                f"max_stock {self.max_stock} is below min_stock {self.min_stock}",
                field="max_stock",
                value=self.max_stock,
            )

    def matches(self, product: Product) -> bool:
        """Whether the product's tracked stock is within the range."""
        stock = product.stock
        if stock is None:
            return False
        return (self.min_stock is None or stock >= self.min_stock) and (
            self.max_stock is None or stock <= self.max_stock
        )

    def describe(self) -> str:
        """Say which stock levels."""
        if self.max_stock is None:
            return f"items with at least {self.min_stock} in stock"
        if self.min_stock is None:
            return f"items with at most {self.max_stock} in stock"
        return f"items with {self.min_stock} to {self.max_stock} in stock"


@attrs.frozen
class AnyOf(Selector):
    """Products any of the given selectors selects.

    Attributes:
        selectors: The selectors.
    """

    selectors: tuple[Selector, ...] = attrs.field(
        converter=check.as_tuple, validator=_selector_tuple
    )

    def matches(self, product: Product) -> bool:
        """Whether any selector selects the product."""
        return any(selector.matches(product) for selector in self.selectors)

    def describe(self) -> str:
        """Join the descriptions with "or"."""
        return " or ".join(selector.describe() for selector in self.selectors)

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """The union of the keys, if every selector has keys."""
        return union_keys(selector.index_keys() for selector in self.selectors)


@attrs.frozen
class AllOf(Selector):
    """Products every one of the given selectors selects.

    Attributes:
        selectors: The selectors.
    """

    selectors: tuple[Selector, ...] = attrs.field(
        converter=check.as_tuple, validator=_selector_tuple
    )

    def matches(self, product: Product) -> bool:
        """Whether every selector selects the product."""
        return all(selector.matches(product) for selector in self.selectors)

    def describe(self) -> str:
        """Join the descriptions with "and"."""
        return " and ".join(selector.describe() for selector in self.selectors)

    def index_keys(self) -> frozenset[tuple[str, str]] | None:
        """The smallest key set of any one selector (a product must pass them all)."""
        return narrowest_keys(selector.index_keys() for selector in self.selectors)


@attrs.frozen
class NoneOf(Selector):
    """Products none of the given selectors selects ("everything but Gift cards").

    Attributes:
        selectors: The selectors to exclude.
    """

    selectors: tuple[Selector, ...] = attrs.field(
        converter=check.as_tuple, validator=_selector_tuple
    )

    def matches(self, product: Product) -> bool:
        """Whether no selector selects the product."""
        return not any(selector.matches(product) for selector in self.selectors)

    def describe(self) -> str:
        """Say what is excluded."""
        return "items except " + " or ".join(s.describe() for s in self.selectors)
