"""Strategies from catalogue data: a curated cross-sell matrix, and upsell within a price band."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import EventKind, Money, Product, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray, Recommender, Scores
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = ["CrossSell", "CrossSellRule", "Gain", "Upsell", "gains"]


_POSITIVE = check.positive_decimal()


@attrs.frozen(kw_only=True)
class CrossSellRule:
    """Add-ons for one product, or for every product of one category.

    Attributes:
        sku: The main product this rule is for (give it or ``category``, not both).
        category: The category whose products this rule is for.
        add_ons: The skus to offer with it, best first.
        reason: The sentence to show (``"Protect your new phone"``); by default "Goes well
            with <main product>", or for a service "<service> for <main product>: <price>".
        share: Set for a row of services (an extended warranty, installation): each add-on
            is priced at this share of the main product's price, rounded half up to a minor
            unit (``Decimal("0.1")``: a 10 % warranty), whatever its catalogue price; the
            recommendation carries that price and is shown with the main product only.

    Examples:
        >>> from shopkit.recommend import CrossSellRule
        >>> CrossSellRule(category="Kitchen", add_ons=["22699"]).add_ons
        ('22699',)
    """

    sku: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    category: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    add_ons: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=check.name_tuple)
    reason: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))
    share: Decimal | None = attrs.field(
        default=None, converter=check.decimal, validator=check.optional(_POSITIVE)
    )

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

    def _matches(self, resolved: Resolved) -> dict[int, tuple[float, int, int, Money | None]]:
        """Each add-on offered: (score, main item, rule number, service price).

        The first rule that offers an item gives its reason and price.
        """
        catalogue = self.catalogue_
        assert catalogue is not None  # fit requires one
        ratio = Fraction(self.max_share)
        found: dict[int, tuple[float, int, int, Money | None]] = {}
        for main in resolved.cart.tolist():
            product = catalogue.get(self.items_[main])
            if product is None:
                continue
            for number, rule in enumerate(self.rules):
                if rule.sku != product.sku and rule.category not in product.categories:
                    continue
                weight = 2.0 if rule.sku is not None else 1.0
                for position, sku in enumerate(rule.add_ons):
                    price = self._price(rule, product, catalogue.get(sku))
                    if price is None or (
                        price.minor * ratio.denominator > product.unit_price.minor * ratio.numerator
                    ):
                        continue
                    item = self.index_[sku]
                    score = weight / (1 + position)
                    previous = found.get(item)
                    if previous is None:
                        found[item] = (score, main, number, price if rule.share else None)
                    else:
                        found[item] = (previous[0] + score, *previous[1:])
        return found

    @staticmethod
    def _price(rule: CrossSellRule, main: Product, add_on: Product | None) -> Money | None:
        """The add-on's price with ``main``: a service's share of it, else its own price."""
        if add_on is None:
            return None
        if rule.share is not None:
            return main.unit_price.scale(rule.share)
        if add_on.unit_price.currency != main.unit_price.currency:
            return None
        return add_on.unit_price

    def score(self, resolved: Resolved) -> Scores:
        scores = np.zeros(len(self.items_))
        for item, (score, *_) in self._matches(resolved).items():
            scores[item] = score
        return Scores.of(scores, self)

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        found = self._matches(resolved)
        result: list[tuple[str, str | None]] = []
        for item in items.tolist():
            _, main, number, price = found[item]
            rule = self.rules[number]
            if rule.reason:
                reason = rule.reason
            elif price is not None:
                reason = f"{self._name(item)} for {self._name(main)}: {price}"
            else:
                reason = f"Goes well with {self._name(main)}"
            result.append((reason, self.items_[main]))
        return result

    def prices(self, items: IntArray, resolved: Resolved) -> list[Money | None]:
        found = self._matches(resolved)
        return [found[item][3] for item in items.tolist()]


_NUMBER = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(.*?)\s*")


def _quantity(text: str) -> tuple[Decimal, str] | None:
    """``"128 GB"`` → (128, "GB"); ``"2"`` → (2, ""); anything else → None."""
    found = _NUMBER.fullmatch(text)
    if found is None:
        return None
    return Decimal(found.group(1)), found.group(2)


@attrs.frozen
class Gain:
    """What an upsell offers over the main product on one attribute.

    Attributes:
        attribute: The attribute's name (``"storage"``).
        amount: How much more, exact (``Decimal("128")``).
        unit: The unit both values are given in (``"GB"``; empty if none).
    """

    attribute: str
    amount: Decimal
    unit: str

    def __str__(self) -> str:
        amount = f"{self.amount.normalize():f}"
        return (
            f"{amount} {self.unit} more {self.attribute}"
            if self.unit
            else (f"{amount} more {self.attribute}")
        )


def gains(main: Product, candidate: Product, names: Sequence[str] = ()) -> tuple[Gain, ...]:
    """The attributes on which ``candidate`` offers more than ``main``, as data.

    An attribute counts when both products carry it as a number with the same unit
    (``"128 GB"``, ``"2 years"``, ``"5"``) and the candidate's number is larger.

    Args:
        main: The product the shopper looks at.
        candidate: The dearer variant.
        names: The attributes to compare, in this order; empty compares every attribute of
            ``main``, in its order.

    Examples:
        >>> from shopkit import Money, Product
        >>> from shopkit.recommend import gains
        >>> def phone(sku, price, storage):
        ...     return Product(sku, sku, Money.of(price, "EUR"), attributes={"storage": storage})
        >>> small, large = phone("P1", "299", "128 GB"), phone("P2", "329", "256 GB")
        >>> [str(gain) for gain in gains(small, large)]
        ['128 GB more storage']
    """
    result = []
    for name in names or tuple(main.attributes):
        if name not in main.attributes or name not in candidate.attributes:
            continue
        mine, theirs = _quantity(main.attributes[name]), _quantity(candidate.attributes[name])
        if mine is None or theirs is None or mine[1] != theirs[1] or theirs[0] <= mine[0]:
            continue
        result.append(Gain(name, theirs[0] - mine[0], mine[1]))
    return tuple(result)


@attrs.define(kw_only=True)
class Upsell(Recommender):
    """A pricier, better variant: same category, within a price band above the item's price.

    For each item of the cart (or, with an empty cart, each viewed item), a candidate shares a
    catalogue category with it and costs from ``1 + min_step`` to ``1 + max_step`` times its
    price, compared exactly in minor units and in the same currency. Among those, items bought
    in more baskets rank first, then the closer price. Needs a catalogue at fit time.

    Where both products carry numeric attributes with the same unit (``"128 GB"``), the
    reason states the gain and the price step: "128 GB more storage for 30.00 EUR more"
    (``gains``); otherwise it names the main product: "A step up from K1".

    Attributes:
        min_step: How much dearer at least, as a share (default ``0.1``: 10 % more).
        max_step: How much dearer at most, as a share (default ``1``: up to twice the price).
        compare: The attributes whose gain a reason states, in this order; empty (the
            default) states every numeric attribute of the main product that grows.

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
    compare: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
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
        catalogue = self.catalogue_
        assert catalogue is not None  # fit requires one
        result: list[tuple[str, str | None]] = []
        for item in items.tolist():
            main_sku = self.items_[found[item][1]]
            main, candidate = catalogue.get(main_sku), catalogue.get(self.items_[item])
            offered = gains(main, candidate, self.compare) if main and candidate else ()
            if offered and main is not None and candidate is not None:
                step = candidate.unit_price - main.unit_price
                text = f"{' and '.join(str(g) for g in offered)} for {step} more"
                result.append((text[0].upper() + text[1:], main_sku))
            else:
                result.append((f"A step up from {self._name(found[item][1])}", main_sku))
        return result

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {"popularity_": self.popularity_}

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        self.popularity_ = arrays["popularity_"]
