"""The one interface of every strategy: requests, recommendations, filters, fit, save and load.

A strategy is an attrs class whose keyword-only fields are its parameters, stored unchanged (so
its config is its fields, read and written by the one converter under a ``type`` key). ``fit``
learns state into fields whose names end in ``_``; asking a strategy that was not fitted raises
``NotFittedError``. Scoring is numpy over the item vocabulary: a strategy gives every item a
score (0 means "not a candidate") and, where it has one, the item that triggered it; the
business filters remove items *before* the top k is cut, so a filter never shortens the list
while other candidates remain.
"""

from __future__ import annotations

import abc
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar, Self

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import (
    ConfigError,
    Customer,
    NotFittedError,
    Product,
    Registry,
    ValidationError,
    from_json,
    register_kind,
    to_json,
)
from shopkit import validators as check
from shopkit.recommend._interactions import Interactions

__all__ = [
    "Catalogue",
    "Filters",
    "Recommendation",
    "Recommender",
    "Request",
    "load_model",
    "recommenders",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_FORMAT = "shopkit.recommend/1"


def _ratio(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValidationError(
            f"{value!r} is not a positive decimal ratio", field=attribute.name, value=value
        )


def _optional_decimal(value: Any) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


@attrs.frozen(kw_only=True)
class Filters:
    """Business rules a recommended item must pass, applied before the top k is cut.

    Price ratios compare a candidate's unit price with the priciest cart item whose price the
    catalogue knows (or, if there is none, the priciest such viewed item), exactly, in integer
    minor units; a candidate without a known price in that currency fails a price rule, and so
    does every candidate when no cart or viewed item has a known price.

    Attributes:
        exclude_cart: Leave out items already in the cart.
        exclude_viewed: Leave out items the request says were viewed.
        exclude_bought: Leave out items the customer bought before (in the fitted data, or in
            the request's ``history``).
        in_stock: Leave out items whose catalogue stock is 0 (untracked stock passes).
        max_price_ratio: A candidate costs at most this share of the main item's price
            (``Decimal("0.3")`` for add-ons under 30 %).
        min_price_ratio: A candidate costs at least this share of the main item's price
            (``Decimal("1.1")`` for an upsell at least 10 % dearer).
        excluded_categories: Leave out items in any of these catalogue categories.
        excluded_skus: Leave out these items.

    Examples:
        >>> from decimal import Decimal
        >>> from shopkit.recommend import Filters
        >>> Filters(in_stock=True, max_price_ratio=Decimal("0.5")).max_price_ratio
        Decimal('0.5')
    """

    exclude_cart: bool = attrs.field(default=True, validator=check.instance_of(bool))
    exclude_viewed: bool = attrs.field(default=False, validator=check.instance_of(bool))
    exclude_bought: bool = attrs.field(default=False, validator=check.instance_of(bool))
    in_stock: bool = attrs.field(default=False, validator=check.instance_of(bool))
    max_price_ratio: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_ratio
    )
    min_price_ratio: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_ratio
    )
    excluded_categories: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    excluded_skus: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )


@attrs.frozen(kw_only=True)
class Request:
    """What a shop asks for: the context of one placement.

    Attributes:
        cart: The skus in the cart (or the product on a product page), in cart order.
        viewed: Recently viewed skus, most recent first.
        customer: The customer context (id, segments, region), if known.
        history: Skus the customer bought before that the shop passes itself (added to what the
            fitted data knows of the customer).
        k: How many items to return at most; exactly ``k`` whenever that many candidates pass
            the filters.
        filters: The business filters.
        placement: Where the list is shown (``"product"``, ``"cart"``, ``"checkout"``,
            ``"post_purchase"``); a ``placements`` strategy chooses its chain by it.

    Examples:
        >>> from shopkit.recommend import Request
        >>> Request(cart=["22423", "85123A"], k=5).cart
        ('22423', '85123A')
    """

    cart: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    viewed: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    customer: Customer | None = attrs.field(
        default=None, validator=check.optional(check.instance_of(Customer))
    )
    history: tuple[str, ...] = attrs.field(
        default=(), converter=check.str_tuple, validator=check.name_tuple
    )
    k: int = attrs.field(default=10, validator=check.positive_int)
    filters: Filters = attrs.field(factory=Filters, validator=check.instance_of(Filters))
    placement: str | None = attrs.field(default=None, validator=check.optional(check.non_empty_str))


@attrs.frozen
class Recommendation:
    """One recommended item, with what a shop can show about why.

    Attributes:
        sku: The recommended item.
        score: The strategy's score (higher is better; comparable within one list only).
        strategy: The type name of the strategy that produced it.
        reason: A sentence a shop can show: "Often bought with Regency Cakestand 3 Tier".
        because: The cart, viewed or bought item that triggered it, if one did.
    """

    sku: str
    score: float
    strategy: str
    reason: str
    because: str | None = None


@attrs.frozen
class Catalogue:
    """The products strategies and filters may look up: prices, categories, stock, names.

    Attributes:
        products: The products; skus are unique.

    Examples:
        >>> from shopkit import sample_catalogue
        >>> from shopkit.recommend import Catalogue
        >>> catalogue = Catalogue(sample_catalogue())
        >>> catalogue.get("22423").name
        'Regency Cakestand 3 Tier'
    """

    products: tuple[Product, ...] = attrs.field(
        converter=check.as_tuple, validator=check.tuple_of(Product)
    )
    _by_sku: dict[str, Product] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_sku: dict[str, Product] = {}
        for index, product in enumerate(self.products):
            if product.sku in by_sku:
                raise ValidationError(
                    f"sku {product.sku!r} appears twice",
                    field=f"products[{index}].sku",
                    value=product.sku,
                )
            by_sku[product.sku] = product
        object.__setattr__(self, "_by_sku", by_sku)

    def get(self, sku: str) -> Product | None:
        """Return the product with ``sku``, or ``None``."""
        return self._by_sku.get(sku)

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def __len__(self) -> int:
        return len(self.products)


@attrs.frozen(eq=False)
class _CatalogueIndex:
    """The catalogue laid over a model's item vocabulary, as arrays."""

    price: IntArray  # minor units, -1 where unknown
    currency: tuple[str | None, ...]
    stock: IntArray  # -1 untracked or unknown
    names: tuple[str, ...]
    categories: dict[str, npt.NDArray[np.bool_]]
    by_category: dict[str, IntArray]

    @classmethod
    def of(cls, items: Sequence[str], catalogue: Catalogue | None) -> _CatalogueIndex:
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


@attrs.frozen(eq=False)
class Context:
    """A request resolved against a fitted model's vocabulary: what ``score`` is given.

    Items are indices into the model's ``items_``; skus the model does not know are left out.

    Attributes:
        request: The request as the shop made it.
        cart: The known cart items, in cart order.
        viewed: The known viewed items, most recent first.
        history: The items the customer bought before: in the fitted data, and the request's
            ``history``.
        customer: The customer's index into the fitted customers, ``-1`` if unknown.
    """

    request: Request
    cart: IntArray
    viewed: IntArray
    history: IntArray
    customer: int


@attrs.frozen(eq=False)
class Scores:
    """What a strategy's ``score`` returns: a score for every item of the vocabulary.

    A score of 0 (or less) means "not a candidate". Composite strategies also say which member
    produced each item, so that its reason comes from that member.

    Attributes:
        scores: One score per item of the model's ``items_``.
        origin: For each item, the index into ``strategies`` of the strategy that scored it.
        strategies: The strategies that explain the items.
    """

    scores: FloatArray
    origin: IntArray
    strategies: tuple[Recommender, ...]

    @classmethod
    def of(cls, scores: FloatArray, owner: Recommender) -> Scores:
        """Scores all produced by ``owner``."""
        return cls(scores, np.zeros(len(scores), dtype=np.int64), (owner,))


class Recommender(abc.ABC):
    """Base of every recommendation strategy: fit on interactions, recommend for a request.

    Subclasses are ``attrs.define(kw_only=True)`` classes registered in ``recommenders``; their
    init fields are the parameters. They implement ``fit_model`` and ``_score`` (and
    ``_state``/``_restore`` if they learn arrays) and may override ``_reason``.
    """

    uses_catalogue: ClassVar[bool] = False
    """Whether the strategy needs a catalogue to fit (curated cross-sell, upsell)."""

    # learned state shared by every strategy (set by ``fit``)
    items_: tuple[str, ...]
    index_: dict[str, int]
    customers_: dict[str, int]
    history_indptr_: IntArray
    history_items_: IntArray
    catalogue_: Catalogue | None
    _lookup: _CatalogueIndex

    def fit(self, interactions: Interactions, *, catalogue: Catalogue | None = None) -> Self:
        """Learn from ``interactions`` (and the catalogue, for strategies that use one).

        Args:
            interactions: What customers bought, viewed and put in carts.
            catalogue: The products; needed by price filters, curated cross-sell and upsell,
                and for product names in reasons.

        Returns:
            This strategy, fitted.

        Raises:
            ValidationError: ``interactions`` or ``catalogue`` is not of the right type, or a
                strategy that needs a catalogue got none.
        """
        if not isinstance(interactions, Interactions):
            raise ValidationError(
                f"{interactions!r} is not an Interactions", field="interactions", value=None
            )
        self._fit_vocabulary(interactions.items, catalogue)
        self._fit_histories(interactions)
        self.fit_model(interactions)
        return self

    def _fit_vocabulary(self, items: Sequence[str], catalogue: Catalogue | None) -> None:
        if catalogue is not None and not isinstance(catalogue, Catalogue):
            raise ValidationError(
                f"{catalogue!r} is not a Catalogue", field="catalogue", value=None
            )
        if catalogue is None and self.uses_catalogue:
            raise ValidationError(
                f"{type(self).__name__} needs a catalogue to fit", field="catalogue", value=None
            )
        known = dict.fromkeys(items)
        if catalogue is not None:
            known.update(dict.fromkeys(product.sku for product in catalogue.products))
        self.items_ = tuple(known)
        self.index_ = {sku: index for index, sku in enumerate(self.items_)}
        self.set_catalogue(catalogue)

    def _fit_histories(self, interactions: Interactions) -> None:
        self.customers_ = {name: index for index, name in enumerate(interactions.customers)}
        mask = (interactions.customer >= 0) & (interactions.kind == 0)
        width = max(len(interactions.items), 1)
        keys = np.sort(interactions.customer[mask] * width + interactions.item[mask])
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
        self.history_indptr_ = np.searchsorted(
            keys // width, np.arange(len(interactions.customers) + 1)
        ).astype(np.int64)
        self.history_items_ = (keys % width).astype(np.int64)

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        """Use ``catalogue`` for filters and reasons from now on (fresh stock, new prices).

        Items the model did not see at fit time are not added; fit again for that.
        """
        if catalogue is not None and not isinstance(catalogue, Catalogue):
            raise ValidationError(
                f"{catalogue!r} is not a Catalogue", field="catalogue", value=None
            )
        self.catalogue_ = catalogue
        self._lookup = _CatalogueIndex.of(self.items_, catalogue)

    @abc.abstractmethod
    def fit_model(self, interactions: Interactions) -> None:
        """Learn the strategy's own state; the vocabulary and histories are already set."""

    @abc.abstractmethod
    def score(self, context: Context) -> Scores:
        """Score every item of the vocabulary for the request."""

    def state(self) -> dict[str, npt.NDArray[Any]]:
        """Return the strategy's own learned arrays, for ``save`` (none by default)."""
        return {}

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """Set the strategy's own learned state from what ``state`` returned."""
        del arrays  # the base class learns no arrays of its own

    def explain(self, items: IntArray, context: Context) -> list[tuple[str, str | None]]:
        """The sentence shown for each of ``items`` and the sku that triggered it, if any."""
        return [("Recommended for you", None) for _ in items]

    def _explained(
        self, items: IntArray, context: Context, scored: Scores | None = None
    ) -> list[tuple[str, str | None, str]]:
        """Reason, trigger and the type name of the strategy behind each item."""
        if scored is None or scored.strategies == (self,):
            name = recommenders.name_of(type(self))
            return [(r, b, name) for r, b in self.explain(items, context)]
        found: dict[int, tuple[str, str | None, str]] = {}
        origins = scored.origin[items]
        for origin in np.unique(origins).tolist():
            chosen = items[origins == origin]
            explained = scored.strategies[origin]._explained(chosen, context)
            found.update(zip(chosen.tolist(), explained, strict=True))
        return [found[item] for item in items.tolist()]

    def _name(self, item: int) -> str:
        return self._lookup.names[item]

    def _trigger_sku(self, trigger: int) -> str | None:
        return self.items_[trigger] if trigger >= 0 else None

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` (or ``load_model``) has given the strategy its state."""
        return hasattr(self, "items_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(interactions) first",
                field="model",
                value=type(self).__name__,
            )

    def _resolve(self, request: Request) -> Context:
        if not isinstance(request, Request):
            raise ValidationError(f"{request!r} is not a Request", field="request", value=None)
        index = self.index_

        def known(skus: Iterable[str]) -> IntArray:
            return np.fromiter((index[sku] for sku in skus if sku in index), dtype=np.int64)

        customer = -1
        history = known(request.history)
        if request.customer is not None and request.customer.id is not None:
            customer = self.customers_.get(request.customer.id, -1)
            if customer >= 0:
                bought = self.history_items_[
                    self.history_indptr_[customer] : self.history_indptr_[customer + 1]
                ]
                history = np.concatenate([history, bought]) if len(history) else bought
        return Context(request, known(request.cart), known(request.viewed), history, customer)

    def _mask(self, context: Context) -> npt.NDArray[np.bool_]:
        """Which items pass the request's filters."""
        filters = context.request.filters
        lookup = self._lookup
        ok = np.ones(len(self.items_), dtype=bool)
        if filters.exclude_cart:
            ok[context.cart] = False
        if filters.exclude_viewed:
            ok[context.viewed] = False
        if filters.exclude_bought:
            ok[context.history] = False
        if filters.in_stock:
            ok &= lookup.stock != 0
        for category in filters.excluded_categories:
            mask = lookup.categories.get(category)
            if mask is not None:
                ok &= ~mask
        for sku in filters.excluded_skus:
            if sku in self.index_:
                ok[self.index_[sku]] = False
        if filters.max_price_ratio is not None or filters.min_price_ratio is not None:
            ok &= self._price_mask(context, filters)
        return ok

    def _price_mask(self, context: Context, filters: Filters) -> npt.NDArray[np.bool_]:
        lookup = self._lookup
        priced = [int(item) for item in context.cart if lookup.price[item] >= 0]
        if not priced:
            priced = [int(item) for item in context.viewed if lookup.price[item] >= 0]
        if not priced:
            return np.zeros(len(self.items_), dtype=bool)  # nothing to compare with
        main = max(priced, key=lambda item: (lookup.price[item], -item))
        currency = lookup.currency[main]
        main_minor = int(lookup.price[main])
        same = np.fromiter((code == currency for code in lookup.currency), dtype=bool)
        ok = same & (lookup.price >= 0)
        prices = lookup.price.astype(object)  # Python ints: exact at any size
        if filters.max_price_ratio is not None:
            ratio = Fraction(filters.max_price_ratio)
            ok &= (prices * ratio.denominator <= main_minor * ratio.numerator).astype(bool)
        if filters.min_price_ratio is not None:
            ratio = Fraction(filters.min_price_ratio)
            ok &= (prices * ratio.denominator >= main_minor * ratio.numerator).astype(bool)
        return ok

    def _top(self, context: Context) -> tuple[IntArray, Scores]:
        """The top k items passing the filters: score descending, then vocabulary order."""
        scored = self.score(context)
        scores = np.where(self._mask(context) & (scored.scores > 0), scored.scores, 0.0)
        candidates = np.flatnonzero(scores)
        k = context.request.k
        if len(candidates) > k:
            threshold = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
            candidates = candidates[scores[candidates] >= threshold]
        order = np.lexsort((candidates, -scores[candidates]))[:k]
        return candidates[order], scored

    def recommend(self, request: Request) -> list[Recommendation]:
        """Return up to ``request.k`` items for the request, best first, each with a reason.

        Args:
            request: The cart, viewed items, customer, filters and k.

        Returns:
            Distinct items, none failing the filters; exactly ``k`` whenever ``k`` candidates
            pass them. The same model and request always give the same list.

        Raises:
            NotFittedError: the strategy was not fitted.
            ValidationError: ``request`` is not a ``Request``.
        """
        self._check_fitted()
        context = self._resolve(request)
        top, scored = self._top(context)
        reasons = dict(zip(top.tolist(), self._explained(top, context, scored), strict=True))
        result = []
        for item in top.tolist():
            reason, because, strategy = reasons[item]
            result.append(
                Recommendation(
                    self.items_[item], float(scored.scores[item]), strategy, reason, because
                )
            )
        return result

    def recommend_batch(self, requests: Iterable[Request]) -> list[list[Recommendation]]:
        """Recommend for many requests at once (evaluation, nightly e-mails).

        Returns:
            One list per request, in request order.
        """
        self._check_fitted()
        return [self.recommend(request) for request in requests]

    def recommend_skus(self, request: Request) -> list[str]:
        """Return only the skus ``recommend`` would return, without building reasons."""
        self._check_fitted()
        top, _ = self._top(self._resolve(request))
        return [self.items_[item] for item in top.tolist()]

    def save(self, path: str | Path) -> None:
        """Save the fitted model: its config as JSON and its arrays, in one ``.npz`` file.

        Nothing is pickled: ``load_model`` reads plain arrays and the JSON config only.

        Raises:
            NotFittedError: the strategy was not fitted.
        """
        self._check_fitted()
        arrays = {f"model.{key}": value for key, value in self._all_state().items()}
        meta = {"format": _FORMAT, "config": json.loads(to_json(self, indent=None))}
        if self.catalogue_ is not None:
            meta["catalogue"] = json.loads(to_json(self.catalogue_.products, indent=None))
        arrays["meta"] = np.array(json.dumps(meta))
        with Path(path).open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    def _all_state(self) -> dict[str, npt.NDArray[Any]]:
        return {
            "items_": np.array(self.items_, dtype=str),
            "customers_": np.array(list(self.customers_), dtype=str),
            "history_indptr_": self.history_indptr_,
            "history_items_": self.history_items_,
            **self.state(),
        }

    def _restore_all(
        self, arrays: Mapping[str, npt.NDArray[Any]], catalogue: Catalogue | None
    ) -> None:
        self.items_ = tuple(str(sku) for sku in arrays["items_"].tolist())
        self.index_ = {sku: index for index, sku in enumerate(self.items_)}
        self.customers_ = {str(c): i for i, c in enumerate(arrays["customers_"].tolist())}
        self.history_indptr_ = arrays["history_indptr_"]
        self.history_items_ = arrays["history_items_"]
        self.set_catalogue(catalogue)
        self.restore(arrays)


recommenders: Registry[Recommender] = Registry(
    "shopkit.recommenders",
    Recommender,
    builtins={
        "blend": "shopkit.recommend._blend:Blend",
        "cross_sell": "shopkit.recommend._curated:CrossSell",
        "fallback": "shopkit.recommend._blend:Fallback",
        "frequently_bought_together": "shopkit.recommend._cooccurrence:FrequentlyBoughtTogether",
        "placements": "shopkit.recommend._blend:Placements",
        "popular": "shopkit.recommend._popular:Popular",
        "purchase_history": "shopkit.recommend._cooccurrence:PurchaseHistory",
        "upsell": "shopkit.recommend._curated:Upsell",
        "viewed_items": "shopkit.recommend._cooccurrence:ViewedItems",
    },
)
"""Recommendation strategies by type name (entry-point group ``shopkit.recommenders``)."""

register_kind(recommenders)


def load_model(path: str | Path) -> Recommender:
    """Load a model that ``Recommender.save`` wrote.

    Args:
        path: The ``.npz`` file.

    Returns:
        The fitted strategy, ready to recommend.

    Raises:
        ConfigError: the file is not a saved shopkit model, or its config names an unknown
            strategy type.
    """
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise ConfigError(
            f"cannot read a saved model from {path}: {error}", field="path", value=str(path)
        ) from None
    if "meta" not in arrays:
        raise ConfigError(f"{path} is not a saved shopkit model", field="path", value=str(path))
    meta = json.loads(str(arrays["meta"]))
    if meta.get("format") != _FORMAT:
        raise ConfigError(
            f"{path} has format {meta.get('format')!r}, not {_FORMAT!r}",
            field="format",
            value=meta.get("format"),
        )
    model = from_json(json.dumps(meta["config"]), Recommender)
    catalogue = None
    if "catalogue" in meta:
        catalogue = Catalogue(from_json(json.dumps(meta["catalogue"]), tuple[Product, ...]))
    state = {key.removeprefix("model."): value for key, value in arrays.items() if key != "meta"}
    model._restore_all(state, catalogue)
    return model
