"""The one interface of every strategy: fit, score, the filters and the top k, and the registry.

A strategy is an attrs class whose keyword-only fields are its parameters, stored unchanged (so
its config is its fields, read and written by the one converter under a ``type`` key). ``fit``
learns state into attributes whose names end in ``_``; asking a strategy that was not fitted
raises ``NotFittedError``. Scoring is numpy over the item vocabulary: a strategy gives every
item a score (0 means "not a candidate") and, where it has one, the item that triggered it; the
business filters remove items *before* the top k is cut, so a filter never shortens the list
while other candidates remain.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

import attrs
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit import Catalogue, Money, NotFittedError, Registry, ValidationError, register_kind
from shopkit.recommend._filters import CatalogueIndex, failing_one, passing_many
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._ranking import top_k, top_k_csr, top_one
from shopkit.recommend._request import (
    Filters,
    Recommendation,
    Request,
    Resolved,
    make_recommendation,
)

__all__ = ["FloatArray", "IntArray", "Recommender", "Scores", "recommenders"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_NONE = np.zeros(0, dtype=np.int64)
_NONE.setflags(write=False)


@functools.cache
def _zeros(n: int) -> IntArray:
    """A read-only array of ``n`` zeros, shared: the origin of scores from one strategy."""
    zeros = np.zeros(n, dtype=np.int64)
    zeros.setflags(write=False)
    return zeros


def _known(get: Any, skus: tuple[str, ...]) -> IntArray:
    """The vocabulary indices of the ``skus`` the model knows, in order (``get``: index.get)."""
    if not skus:
        return _NONE
    return np.array([i for sku in skus if (i := get(sku)) is not None], dtype=np.int64)


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
        """Scores all produced by ``owner`` (``origin`` is a shared read-only array of 0s)."""
        return cls(scores, _zeros(len(scores)), (owner,))


class Recommender(abc.ABC):
    """Base of every recommendation strategy: fit on interactions, recommend for a request.

    A strategy is an ``attrs.define(kw_only=True)`` subclass registered in ``recommenders``
    (``shopkit.recommend.plugin``); its init fields are its parameters. It implements
    ``fit_model`` (learn its own state; the vocabulary and the customers' histories are set
    before) and ``score`` (a score for every item, given a ``Resolved`` request). If it learns
    arrays it also implements ``state`` and ``restore`` so that ``save_model`` and
    ``load_model`` keep them, and it may override ``explain`` for its reasons. The rest —
    filters, the top k, the reasons' strategy names — is done here, the same for every strategy.
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
    catalogue_index_: CatalogueIndex

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
        self.catalogue_index_ = CatalogueIndex.of(self.items_, catalogue)
        # the items each Filters leaves out depend on the catalogue (stock, categories)
        self.__dict__.pop("_failing_", None)
        self.__dict__.pop("_failing_sets_", None)

    @abc.abstractmethod
    def fit_model(self, interactions: Interactions) -> None:
        """Learn the strategy's own state; the vocabulary and histories are already set."""

    @abc.abstractmethod
    def score(self, resolved: Resolved) -> Scores:
        """Score every item of the vocabulary for the request."""

    def score_many(self, resolved: Sequence[Resolved]) -> FloatArray:
        """Score every item for each of many requests: one row per request (rows × items).

        The default stacks ``score``; a strategy that can score many requests at once (a
        sparse matrix product) overrides it, and its ``score`` must give the same row.
        """
        if not resolved:
            return np.zeros((0, len(self.items_)))
        return np.vstack([self.score(one).scores for one in resolved])

    def state(self) -> dict[str, npt.NDArray[Any]]:
        """Return the strategy's own learned arrays, for ``save_model`` (none by default)."""
        return {}

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """Set the strategy's own learned state from what ``state`` returned."""
        del arrays  # the base class learns no arrays of its own

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        """The sentence shown for each of ``items`` and the sku that triggered it, if any."""
        return [("Recommended for you", None) for _ in items]

    def prices(self, items: IntArray, resolved: Resolved) -> list[Money | None]:
        """Each item's price when bought as recommended, if not its catalogue price.

        A service priced as a share of the main product has one; ``None`` for the others.
        """
        return [None for _ in items]

    def _explained(
        self, items: IntArray, resolved: Resolved, scored: Scores | None = None
    ) -> list[tuple[str, str | None, str, Money | None]]:
        """Reason, trigger, the type name of the strategy behind each item, and its price."""
        if scored is None or scored.strategies == (self,):
            name = recommenders.name_of(type(self))
            return [
                (r, b, name, p)
                for (r, b), p in zip(
                    self.explain(items, resolved), self.prices(items, resolved), strict=True
                )
            ]
        found: dict[int, tuple[str, str | None, str, Money | None]] = {}
        origins = scored.origin[items]
        for origin in np.unique(origins).tolist():
            chosen = items[origins == origin]
            explained = scored.strategies[origin]._explained(chosen, resolved)
            found.update(zip(chosen.tolist(), explained, strict=True))
        return [found[item] for item in items.tolist()]

    def _name(self, item: int) -> str:
        return self.catalogue_index_.names[item]

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

    def resolve(self, request: Request) -> Resolved:
        """Resolve ``request`` against the fitted vocabulary: what ``score`` is given.

        Raises:
            NotFittedError: the strategy was not fitted.
            ValidationError: ``request`` is not a ``Request``.
        """
        self._check_fitted()
        if not isinstance(request, Request):
            raise ValidationError(f"{request!r} is not a Request", field="request", value=None)
        get = self.index_.get
        customer = -1
        history = _known(get, request.history)
        if request.customer is not None and request.customer.id is not None:
            customer = self.customers_.get(request.customer.id, -1)
            if customer >= 0:
                bought = self.history_items_[
                    self.history_indptr_[customer] : self.history_indptr_[customer + 1]
                ]
                history = np.concatenate([history, bought]) if len(history) else bought
        return Resolved(
            request, _known(get, request.cart), _known(get, request.viewed), history, customer
        )

    def _top(self, resolved: Resolved) -> tuple[IntArray, list[float], Scores | None]:
        """The top k items passing the filters (score descending, then vocabulary order).

        Returns the items, their scores and what ``score`` returned (for the reasons; a
        strategy that ranks without it may return ``None``).
        """
        scored = self.score(resolved)
        scores = scored.scores.copy()
        cache: dict[Filters, IntArray] = self.__dict__.setdefault("_failing_", {})
        for failing in failing_one(resolved, self.catalogue_index_, self.index_, cache):
            scores[failing] = 0.0
        top = top_one(scores, resolved.request.k)
        return top, scores[top].tolist(), scored

    def recommend(self, request: Request) -> list[Recommendation]:
        """Return up to ``request.k`` items for the request, best first, each with a reason.

        This is the one way to ask a strategy; ``recommend_skus`` is the same ranking without
        the reasons, for evaluation loops. Reasons are worked out for the returned items only.

        Args:
            request: The cart, viewed items, customer, filters and k.

        Returns:
            Distinct items, none failing the filters; exactly ``k`` whenever ``k`` candidates
            pass them. The same model and request always give the same list.

        Raises:
            NotFittedError: the strategy was not fitted.
            ValidationError: ``request`` is not a ``Request``.
        """
        return self._recommend_resolved(self.resolve(request))

    def _recommend_resolved(self, resolved: Resolved) -> list[Recommendation]:
        """``recommend`` for a request already resolved."""
        top, values, scored = self._top(resolved)
        items = self.items_
        return [
            make_recommendation(items[item], value, strategy, reason, because, price)
            for item, value, (reason, because, strategy, price) in zip(
                top.tolist(), values, self._explained(top, resolved, scored), strict=True
            )
        ]

    def recommend_skus(self, request: Request) -> list[str]:
        """Return the skus ``recommend`` returns for ``request``, in order, without the reasons.

        The fast path for evaluation, where reasons are never read; the list is the same.
        """
        top, _, _ = self._top(self.resolve(request))
        items = self.items_
        return [items[item] for item in top.tolist()]

    def recommend_batch(self, requests: Sequence[Request], *, chunk: int = 512) -> list[list[str]]:
        """Return, for each request, the skus ``recommend_skus`` returns for it, many at once.

        Requests are scored ``chunk`` at a time with ``score_many`` (a sparse matrix product
        for the co-occurrence strategies and buy again), filtered and cut with array
        operations over the whole chunk; no reasons are built. The lists are the same as one
        request at a time gives.

        Args:
            requests: The requests.
            chunk: How many requests are scored together (memory: chunk × items floats).

        Returns:
            One list of skus per request, in order.

        Raises:
            NotFittedError: the strategy was not fitted.
            ValidationError: an entry is not a ``Request``, or ``chunk`` is not at least 1.

        Examples:
            >>> import datetime as dt
            >>> from shopkit import Order
            >>> from shopkit.recommend import FrequentlyBoughtTogether, Interactions, Request
            >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
            >>> orders = [Order("1", ["a", "b"], at), Order("2", ["a", "c", "b"], at)]
            >>> model = FrequentlyBoughtTogether().fit(Interactions.from_orders(orders))
            >>> model.recommend_batch([Request(cart=["a"]), Request(cart=["c"], k=1)])
            [['b', 'c'], ['a']]
        """
        if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
            raise ValidationError(f"{chunk!r} is not at least 1", field="chunk", value=chunk)
        resolved = [self.resolve(request) for request in requests]
        items = self.items_
        result: list[list[str]] = []
        for start in range(0, len(resolved), chunk):
            part = resolved[start : start + chunk]
            ks = np.fromiter((one.request.k for one in part), dtype=np.int64, count=len(part))
            sparse = self.score_sparse(part)
            if sparse is None:
                scores = self.score_many(part)
                ok = passing_many(part, self.catalogue_index_, self.index_)
                rows = top_k(scores, ok, ks)
            else:
                indptr, indices, data = self._filtered(sparse, part)
                rows = top_k_csr(indptr, indices, data, ks)
            result.extend([items[item] for item in row.tolist()] for row in rows)
        return result

    def score_sparse(self, resolved: Sequence[Resolved]) -> Any | None:
        """``score_many`` as a sparse matrix (``scipy.sparse.csr_array``), or ``None``.

        A strategy whose scores are sparse (few candidates per request out of many items)
        returns them here, and ``recommend_batch`` then filters and cuts them without ever
        making the dense rows × items array; the entries must equal ``score_many``'s (absent
        entries are 0). ``None`` (the default) means ``score_many`` is used.
        """
        del resolved  # the default has no sparse scores
        return None

    def _filtered(self, sparse: Any, part: Sequence[Resolved]) -> tuple[IntArray, IntArray, Any]:
        """The CSR arrays of ``sparse`` with every entry failing its row's filters at -inf."""
        cache: dict[Filters, IntArray] = self.__dict__.setdefault("_failing_", {})
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        for row, one in enumerate(part):
            for failing in failing_one(one, self.catalogue_index_, self.index_, cache):
                rows.append(np.full(len(failing), row, dtype=np.int64))
                cols.append(failing)
        if rows:
            blocked = sp.csr_array(
                (
                    np.full(sum(len(r) for r in rows), -np.inf),
                    (np.concatenate(rows), np.concatenate(cols)),
                ),
                shape=sparse.shape,
            )
            sparse = sp.csr_array(sparse + blocked)
        return (
            sparse.indptr.astype(np.int64, copy=False),
            sparse.indices.astype(np.int64, copy=False),
            sparse.data,
        )

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
        "buy_again": "shopkit.recommend._buy_again:BuyAgain",
        "cross_sell": "shopkit.recommend._curated:CrossSell",
        "fallback": "shopkit.recommend._blend:Fallback",
        "feedback": "shopkit.recommend._feedback:Feedback",
        "frequently_bought_together": "shopkit.recommend._neighbours:FrequentlyBoughtTogether",
        "placements": "shopkit.recommend._blend:Placements",
        "popular": "shopkit.recommend._popular:Popular",
        "purchase_history": "shopkit.recommend._neighbours:PurchaseHistory",
        "upsell": "shopkit.recommend._curated:Upsell",
        "viewed_items": "shopkit.recommend._neighbours:ViewedItems",
    },
)
"""Recommendation strategies by type name (entry-point group ``shopkit.recommenders``)."""

register_kind(recommenders)
