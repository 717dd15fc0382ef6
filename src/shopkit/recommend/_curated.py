"""Strategies from catalogue data: a curated cross-sell matrix, and upsell within a price band."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import EventKind, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray, Recommender, Scores
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = ["CrossSell", "CrossSellRule", "Upsell"]


_POSITIVE = check.positive_decimal()


@attrs.frozen(kw_only=True)
class CrossSellRule:
    """Add-ons for one product, or for every product of one category.

    Attributes:
        sku: The main product this rule is for (give it or ``category``, not both).
        category: The category whose products this rule is for.
        add_ons: The skus to offer with it, best first.
        reason: The sentence to show (``"Protect your new phone"``); by default "Goes well
            with <main product>".

    Examples:
        >>> from shopkit.recommend import CrossSellRule
        >>> CrossSellRule(category="Kitchen", add_ons=["22699"]).add_ons
        ('22699',)
    """

    sku: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    category: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    add_ons: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=check.name_tuple)
    reason: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))

    def __attrs_post_init__(self) -> None:
        if (self.sku is None) == (self.category is None):
            raise ValidationError(
                "give either sku or category", field="sku", value=self.sku or self.category
            )
        if not self.add_ons:
            raise ValidationError("lists no add-ons", field="add_ons", value=())


@attrs.define(kw_only=True)
class CrossSell(Recommender):
    """A curated cross-sell matrix: main product or category → add-ons, given as data.

    An add-on is offered only if it costs at most ``max_share`` of the main product's price,
    compared exactly in minor units (``add_on × denominator ≤ main × numerator``) and in the
    same currency: the seeds' rule that an add-on should be much cheaper than what it goes
    with. Rules for the product itself come before rules for its categories; within a rule
    the add-ons keep their order. Needs a catalogue at fit time.

    Attributes:
        rules: The rules.
        max_share: The most an add-on may cost, as a share of the main product's price
            (default ``0.5``).

    Examples:
        >>> from shopkit import sample_catalogue
        >>> from shopkit import Catalogue
        >>> from shopkit.recommend import CrossSell, CrossSellRule, Interactions
        >>> from shopkit.recommend import Request
        >>> rule = CrossSellRule(sku="22423", add_ons=["22699", "21212"], reason="Serve in style")
        >>> empty = Interactions((), [], [], [], [])
        >>> model = CrossSell(rules=[rule]).fit(empty, catalogue=Catalogue(sample_catalogue()))
        >>> [(r.sku, r.reason, r.because) for r in model.recommend(Request(cart=["22423"]))]
        [('22699', 'Serve in style', '22423'), ('21212', 'Serve in style', '22423')]
    """

    rules: tuple[CrossSellRule, ...] = attrs.field(
        converter=check.as_tuple, validator=check.tuple_of(CrossSellRule)
    )
    max_share: Decimal = attrs.field(
        default=Decimal("0.5"), converter=check.decimal, validator=_POSITIVE
    )

    uses_catalogue: ClassVar[bool] = True

    def fit_model(self, interactions: Interactions) -> None:
        for number, rule in enumerate(self.rules):
            for position, sku in enumerate(rule.add_ons):
                if sku not in self.index_:
                    raise ValidationError(
                        f"{sku!r} is not in the catalogue",
                        field=f"rules[{number}].add_ons[{position}]",
                        value=sku,
                    )

    def _matches(self, resolved: Resolved) -> dict[int, tuple[float, int, int]]:
        """Each add-on offered: (score, main item, rule number); first match wins the reason."""
        catalogue = self.catalogue_
        assert catalogue is not None  # fit requires one
        ratio = Fraction(self.max_share)
        found: dict[int, tuple[float, int, int]] = {}
        for main in resolved.cart.tolist():
            product = catalogue.get(self.items_[main])
            if product is None:
                continue
            for number, rule in enumerate(self.rules):
                if rule.sku != product.sku and rule.category not in product.categories:
                    continue
                weight = 2.0 if rule.sku is not None else 1.0
                for position, sku in enumerate(rule.add_ons):
                    add_on = catalogue.get(sku)
                    if add_on is None or add_on.unit_price.currency != product.unit_price.currency:
                        continue
                    if (
                        add_on.unit_price.minor * ratio.denominator
                        > product.unit_price.minor * ratio.numerator
                    ):
                        continue
                    item = self.index_[sku]
                    score = weight / (1 + position)
                    previous = found.get(item)
                    if previous is None:
                        found[item] = (score, main, number)
                    else:
                        found[item] = (previous[0] + score, previous[1], previous[2])
        return found

    def score(self, resolved: Resolved) -> Scores:
        scores = np.zeros(len(self.items_))
        for item, (score, _, _) in self._matches(resolved).items():
            scores[item] = score
        return Scores.of(scores, self)

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        found = self._matches(resolved)
        result: list[tuple[str, str | None]] = []
        for item in items.tolist():
            _, main, number = found[item]
            reason = self.rules[number].reason or f"Goes well with {self._name(main)}"
            result.append((reason, self.items_[main]))
        return result


@attrs.define(kw_only=True)
class Upsell(Recommender):
    """A pricier, better variant: same category, within a price band above the item's price.

    For each item of the cart (or, with an empty cart, each viewed item), a candidate shares a
    catalogue category with it and costs from ``1 + min_step`` to ``1 + max_step`` times its
    price, compared exactly in minor units and in the same currency. Among those, items bought
    in more baskets rank first, then the closer price. Needs a catalogue at fit time.

    Attributes:
        min_step: How much dearer at least, as a share (default ``0.1``: 10 % more).
        max_step: How much dearer at most, as a share (default ``1``: up to twice the price).

    Examples:
        >>> from shopkit import Catalogue, Money, Product
        >>> from shopkit.recommend import Interactions, Request, Upsell
        >>> def item(sku, price):
        ...     return Product(sku, sku, Money.of(price, "EUR"), categories=["Kettles"])
        >>> kettles = Catalogue([item("K1", "30"), item("K2", "45"), item("K3", "90")])
        >>> empty = Interactions((), [], [], [], [])
        >>> model = Upsell().fit(empty, catalogue=kettles)
        >>> [(r.sku, r.reason) for r in model.recommend(Request(cart=["K1"]))]
        [('K2', 'A step up from K1')]
    """

    min_step: Decimal = attrs.field(
        default=Decimal("0.1"), converter=check.decimal, validator=_POSITIVE
    )
    max_step: Decimal = attrs.field(
        default=Decimal("1"), converter=check.decimal, validator=_POSITIVE
    )

    uses_catalogue: ClassVar[bool] = True

    popularity_: FloatArray = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.max_step < self.min_step:
            raise ValidationError(
                f"{self.max_step} is below min_step {self.min_step}",
                field="max_step",
                value=self.max_step,
            )

    def fit_model(self, interactions: Interactions) -> None:
        mask = interactions.kind == int(EventKind.PURCHASE)
        self.popularity_ = np.bincount(interactions.item[mask], minlength=len(self.items_)).astype(
            np.float64
        )

    def _anchors(self, resolved: Resolved) -> IntArray:
        return resolved.cart if len(resolved.cart) else resolved.viewed

    def _band(self, main: int) -> IntArray:
        """The items in the main item's band, sharing one of its categories."""
        lookup = self.catalogue_index_
        catalogue = self.catalogue_
        assert catalogue is not None  # fit requires one
        product = catalogue.get(self.items_[main])
        if product is None:
            return np.zeros(0, dtype=np.int64)
        members = [lookup.by_category[c] for c in product.categories if c in lookup.by_category]
        if not members:
            return np.zeros(0, dtype=np.int64)
        pool = np.unique(np.concatenate(members))
        currency = product.unit_price.currency
        pool = pool[[lookup.currency[i] == currency for i in pool.tolist()]]
        low, high = Fraction(1 + self.min_step), Fraction(1 + self.max_step)
        price = product.unit_price.minor
        prices = lookup.price[pool].astype(object)
        ok = (prices * low.denominator >= price * low.numerator) & (
            prices * high.denominator <= price * high.numerator
        )
        return np.asarray(pool[ok.astype(bool)], dtype=np.int64)

    def _candidates(self, resolved: Resolved) -> dict[int, tuple[float, int]]:
        found: dict[int, tuple[float, int]] = {}
        for main in np.unique(self._anchors(resolved)).tolist():
            main_price = int(self.catalogue_index_.price[main])
            for item in self._band(main).tolist():
                closeness = main_price / max(
                    int(self.catalogue_index_.price[item]), 1
                )  # float-ok: rank
                score = 1.0 + float(self.popularity_[item]) + closeness / 2
                if item not in found or score > found[item][0]:
                    found[item] = (score, main)
        return found

    def score(self, resolved: Resolved) -> Scores:
        scores = np.zeros(len(self.items_))
        for item, (score, _) in self._candidates(resolved).items():
            scores[item] = score
        return Scores.of(scores, self)

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        found = self._candidates(resolved)
        return [
            (f"A step up from {self._name(found[item][1])}", self.items_[found[item][1]])
            for item in items.tolist()
        ]

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {"popularity_": self.popularity_}

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        self.popularity_ = arrays["popularity_"]
