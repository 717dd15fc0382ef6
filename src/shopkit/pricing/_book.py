"""The promotion book: promotions indexed by the products and codes they are about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from shopkit import Product, ValidationError
from shopkit.pricing._codes import normalize_code
from shopkit.pricing._conditions import CodeEntered
from shopkit.pricing._kinds import Condition
from shopkit.pricing._promotion import Promotion
from shopkit.pricing._values import Level, currencies_of

__all__ = ["PromotionBook", "as_book", "by_priority"]

Key = tuple[str, str]


def by_priority(promotion: Promotion) -> tuple[int, str]:
    """The sort key of promotions: highest priority first, then by id."""
    return (-promotion.priority, promotion.id)


def _index_keys(promotion: Promotion) -> frozenset[Key] | None:
    benefit = promotion.benefit
    if benefit.level is Level.LINE:
        selector = benefit.selector_of()
        if selector is not None:
            keys = selector.index_keys()
            if keys is not None:
                return keys
    if promotion.condition is not None:
        return promotion.condition.index_keys()
    return None


def _condition_codes(condition: Condition | None) -> set[str]:
    """The codes (normalised) a condition tree asks for, in ``code`` conditions at any depth."""
    if isinstance(condition, CodeEntered):
        return {normalize_code(condition.code)}
    found: set[str] = set()
    for inner in getattr(condition, "conditions", ()):
        found |= _condition_codes(inner)
    return found


class PromotionBook:
    """Promotions indexed by the products they are about: build once, price many carts.

    A line-level promotion is filed under the skus, categories or tags its selector names
    (and a promotion with a product condition under the condition's), and a promotion that
    needs a code under its code, normalised once here; only promotions that cannot be narrowed
    so are looked at for every cart. Pricing a cart then costs about the same with 100
    promotions as with 10,000.

    Args:
        promotions: The promotions; ids must be unique.

    Raises:
        ValidationError: two promotions share an id, or an item is not a Promotion.

    Examples:
        >>> from shopkit.pricing import Percentage, PromotionBook, Promotion, Skus
        >>> book = PromotionBook([Promotion("p1", "10% off mugs", Percentage(10, Skus(["MUG"])))])
        >>> len(book)
        1
    """

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self.promotions: tuple[Promotion, ...] = tuple(promotions)
        self._by_key: dict[Key, list[Promotion]] = defaultdict(list)
        self._always: list[Promotion] = []
        self._by_id: dict[str, Promotion] = {}
        self._code_of: dict[str, str] = {}
        self._by_condition_code: dict[str, list[Promotion]] = defaultdict(list)
        self._currencies: dict[str, frozenset[str]] = {}
        for index, promotion in enumerate(self.promotions):
            if not isinstance(promotion, Promotion):
                raise ValidationError(
                    f"{promotion!r} is not a Promotion",
                    field=f"promotions[{index}]",
                    value=promotion,
                )
            if promotion.id in self._by_id:
                raise ValidationError(
                    f"promotion id {promotion.id!r} appears twice",
                    field=f"promotions[{index}].id",
                    value=promotion.id,
                )
            self._by_id[promotion.id] = promotion
            currencies = currencies_of(promotion)
            if currencies is not None:
                self._currencies[promotion.id] = currencies
            for code in _condition_codes(promotion.condition):
                self._by_condition_code[code].append(promotion)
            if promotion.needs_code:
                # Only a cart with a code entered can use it: file it under its shared code,
                # if it has one; an issued code reaches it by id, through the code book.
                if promotion.code is not None:
                    normal = normalize_code(promotion.code)
                    self._code_of[promotion.id] = normal
                    self._by_key[("code", normal)].append(promotion)
                continue
            keys = _index_keys(promotion)
            if keys is None:
                self._always.append(promotion)
            else:
                for key in keys:
                    self._by_key[key].append(promotion)
        # each promotion's place in priority order: candidates are sorted by it, a C-level key
        self._rank: dict[str, int] = {
            promotion.id: rank
            for rank, promotion in enumerate(sorted(self.promotions, key=by_priority))
        }
        # the same index by kind, then value: a cart's skus, categories and tags are looked up
        # as plain strings, with no (kind, value) tuple made and hashed for each
        self._by_sku: dict[str, list[Promotion]] = {}
        self._by_category: dict[str, list[Promotion]] = {}
        self._by_tag: dict[str, list[Promotion]] = {}
        kinds = {"sku": self._by_sku, "category": self._by_category, "tag": self._by_tag}
        for (kind, value), filed in self._by_key.items():
            if kind in kinds:
                kinds[kind][value] = filed

    def __len__(self) -> int:
        return len(self.promotions)

    def get(self, promotion_id: str) -> Promotion | None:
        """The promotion with this id, if the book has it."""
        return self._by_id.get(promotion_id)

    def has_amounts_for(self, promotion: Promotion, currency: str) -> bool:
        """Whether every amount of the promotion is given in ``currency`` (or it has none)."""
        currencies = self._currencies.get(promotion.id)
        return currencies is None or currency in currencies

    def code_of(self, promotion: Promotion) -> str | None:
        """The promotion's shared code, normalised, if it has one."""
        return self._code_of.get(promotion.id)

    def shared_code_promotions(self, normalized_code: str) -> list[Promotion]:
        """The promotions a shared code (normalised) unlocks, as ``code`` or in a condition."""
        return [
            *self._by_key.get(("code", normalized_code), ()),
            *self._by_condition_code.get(normalized_code, ()),
        ]

    def candidates(
        self,
        products: Iterable[Product],
        codes: Iterable[str] = (),
        unlocked: Iterable[str] = (),
    ) -> list[Promotion]:
        """The promotions that may concern a cart of these products and entered codes.

        Args:
            products: The cart's products.
            codes: The codes entered, normalised (see ``normalize_code``).
            unlocked: Ids of promotions an issued code unlocks.

        Returns:
            The candidates, by priority (highest first), then id.
        """
        found: dict[str, Promotion] = {p.id: p for p in self._always}
        for promotion_id in unlocked:
            if promotion_id in self._by_id:
                found[promotion_id] = self._by_id[promotion_id]
        by_key = self._by_key
        for code in codes:
            for promotion in by_key.get(("code", code), ()):
                found[promotion.id] = promotion
        by_sku, by_category, by_tag = self._by_sku, self._by_category, self._by_tag
        for product in products:
            filed = by_sku.get(product.sku)
            if filed:
                for promotion in filed:
                    found[promotion.id] = promotion
            for category in product.categories:
                filed = by_category.get(category)
                if filed:
                    for promotion in filed:
                        found[promotion.id] = promotion
            for tag in product.tags:
                filed = by_tag.get(tag)
                if filed:
                    for promotion in filed:
                        found[promotion.id] = promotion
        return [found[key] for key in sorted(found, key=self._rank.__getitem__)]


def as_book(promotions: PromotionBook | Iterable[Promotion]) -> PromotionBook:
    """The promotions as a book: the same book, or a new one built from a list."""
    return promotions if isinstance(promotions, PromotionBook) else PromotionBook(promotions)
