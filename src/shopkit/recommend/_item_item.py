"""Shared machinery of the item-neighbourhood strategies: fit, score, one request, reasons.

Each scores a candidate by summing an item-to-item measure (``CooccurrenceCounts``' support,
confidence, lift or cosine) over the request's *anchors* — the cart, what the customer bought,
what they viewed — each anchor weighted as the strategy says (``anchors``). Scoring many
requests is one sparse matrix product (``score_sparse``); one request goes through the
compiled kernel (``_kernel``, with numba), else through the rows kept as Python containers
(``_python_rows``) for the smallest requests, else through numpy. Reasons are worked out for
the items returned only. The strategies themselves are in ``_neighbours``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, Self

import attrs
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit import Catalogue, EventKind, Money, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray, Recommender, Scores, recommenders
from shopkit.recommend._cooccurrence import BasketWeight, CooccurrenceCounts, Measure
from shopkit.recommend._filters import failing_one, static_mask
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._item_matrix import prune, similarity
from shopkit.recommend._kernel import jit_top
from shopkit.recommend._python_rows import Fast, PythonRows, row_views
from shopkit.recommend._request import (
    Filters,
    Recommendation,
    Request,
    Resolved,
    make_recommendation,
)

__all__ = ["AT_LEAST_0", "UNIT"]


def _measure(value: Any) -> Measure:
    # a named converter: mypy's attrs plugin reads its type (it cannot read enum_of's)
    return check.enum_value(Measure, value, "measure")


def _basket_weight(value: Any) -> BasketWeight:
    return check.enum_value(BasketWeight, value, "basket_weight")


UNIT = check.decimal_between(0, 1)
"""The validator of a parameter between 0 and 1."""

AT_LEAST_0 = check.non_negative_decimal()
"""The validator of a parameter of at least 0."""

_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
"""What the compiled kernel is given for weights when every anchor weighs 1."""

_NO_ITEMS = np.zeros(0, dtype=np.int64)
"""What the compiled kernel is given when no item fails the filters."""


@attrs.define(kw_only=True)
class _ItemItem(Recommender):
    """Shared machinery: score candidates by summing an item-to-item measure over anchors."""

    measure: Measure = attrs.field(default=Measure.COSINE, converter=_measure)
    alpha: Decimal = attrs.field(default=Decimal("0.7"), converter=check.decimal, validator=UNIT)
    basket_weight: BasketWeight = attrs.field(
        default=BasketWeight.INVERSE, converter=_basket_weight
    )
    beta: Decimal = attrs.field(default=Decimal("0.1"), converter=check.decimal, validator=UNIT)
    beta_cart: Decimal = attrs.field(
        default=Decimal("0.4"), converter=check.decimal, validator=UNIT
    )
    min_count: Decimal = attrs.field(
        default=Decimal("0"), converter=check.decimal, validator=AT_LEAST_0
    )
    max_basket_size: int | None = attrs.field(
        default=100, validator=check.optional(check.positive_int)
    )
    neighbours: int | None = attrs.field(default=None, validator=check.optional(check.positive_int))
    self_weight: Decimal = attrs.field(
        default=Decimal("0"), converter=check.decimal, validator=AT_LEAST_0
    )

    by: ClassVar[str] = "basket"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.PURCHASE,)

    indptr_: IntArray = attrs.field(init=False, repr=False, eq=False)
    indices_: IntArray = attrs.field(init=False, repr=False, eq=False)
    scores_: FloatArray = attrs.field(init=False, repr=False, eq=False)
    item_counts_: FloatArray = attrs.field(init=False, repr=False, eq=False)

    def counts(self, interactions: Interactions) -> CooccurrenceCounts:
        """Count ``interactions`` the way this strategy does (for fitting from chunks)."""
        return CooccurrenceCounts.of(
            interactions,
            by=self.by,
            kinds=self.kinds,
            basket_weight=self.basket_weight,
            max_basket_size=self.max_basket_size,
        )

    def fit_model(self, interactions: Interactions) -> None:
        self._fit_from(self.counts(interactions))

    def fit_counts(self, counts: CooccurrenceCounts, *, catalogue: Catalogue | None = None) -> Self:
        """Fit from counts already made, e.g. per chunk with ``counts`` and added up.

        The model knows no customer histories then (``exclude_bought`` and purchase history
        use the request's ``history`` only).

        Raises:
            ValidationError: the counts are weighted differently from ``basket_weight``.
        """
        if not isinstance(counts, CooccurrenceCounts):
            raise ValidationError(
                f"{counts!r} is not a CooccurrenceCounts", field="counts", value=None
            )
        self._fit_vocabulary(counts.items, catalogue)
        empty = Interactions((), [], [], [], [])
        self._fit_histories(empty)
        self._fit_from(counts)
        self._fit_weights(empty)
        return self

    def _fit_weights(self, interactions: Interactions) -> None:
        """Learn how much each fitted history item weighs (none by default)."""
        del interactions

    def _fit_from(self, counts: CooccurrenceCounts) -> None:
        if counts.basket_weight is not self.basket_weight:
            raise ValidationError(
                f"the counts are weighted {counts.basket_weight}, not {self.basket_weight}",
                field="basket_weight",
                value=str(counts.basket_weight),
            )
        alpha = float(self.alpha)
        matrix = similarity(
            counts, self.measure, alpha, float(self.min_count), float(self.self_weight)
        )
        n = len(self.items_)
        matrix.resize((n, n))
        self.item_counts_ = np.zeros(n)
        self.item_counts_[: len(counts.item_counts)] = counts.item_counts
        factor = None
        if self.measure is Measure.COSINE:  # rank neighbours as a request with several anchors
            factor = np.maximum(self.item_counts_, 1e-12) ** -float(self.beta_cart)
        self.indptr_, self.indices_, self.scores_ = prune(matrix, self.neighbours, factor)
        self._derived()

    def _derived(self) -> None:
        """The matrix built from the learned arrays, and the candidate factors c_b^-β."""
        n = len(self.items_)
        data = self.data_ = self.scores_.astype(np.float64)
        self.matrix_ = sp.csr_array((data, self.indices_, self.indptr_), shape=(n, n))
        # each row's entries as views, for gathering a request's few rows without index maths
        self.row_columns_, self.row_data_ = row_views(self.indptr_, self.indices_, data)
        self.row_lengths_ = np.diff(self.indptr_).tolist()
        self.cosine_ = self.measure is Measure.COSINE
        self.__dict__.pop("keys_", None)  # of the matrix before, if any (see ``_keys``)
        if self.measure is not Measure.COSINE:
            self.penalty_single_ = self.penalty_multi_ = np.ones(n)
        else:
            counts = np.maximum(self.item_counts_, 1e-12)
            self.penalty_single_ = counts ** -float(self.beta)
            self.penalty_multi_ = counts ** -float(self.beta_cart)
        # the rows as Python containers, made on first use by single requests without numba
        self.python_rows_ = PythonRows(
            self.indptr_,
            self.row_columns_,
            self.row_data_,
            self.penalty_single_,
            self.penalty_multi_,
            cosine=self.cosine_,
        )

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {
            "indptr_": self.indptr_,
            "indices_": self.indices_,
            "scores_": self.scores_,
            "item_counts_": self.item_counts_,
        }

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        self.indptr_ = arrays["indptr_"]
        self.indices_ = arrays["indices_"]
        self.scores_ = arrays["scores_"]
        self.item_counts_ = arrays["item_counts_"]
        self._derived()

    def anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        """The request's anchor items and their weights (an item may repeat: weights add)."""
        cart = np.unique(resolved.cart)
        return cart, np.ones(len(cart))

    def _raw_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray | None]:
        """``anchors``, for the compiled kernel (which makes them distinct); ``None``: all weigh 1.

        The kernel sums the weights of an anchor given twice, in input order.
        """
        return self.anchors(resolved)

    def _distinct_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray | None]:
        """The anchors, distinct and ascending, each with its weights summed in input order.

        ``None`` for the weights means every anchor weighs 1.
        """
        items, weights = self.anchors(resolved)
        if len(items) < 2 or bool((items[1:] > items[:-1]).all()):
            return items.astype(np.int64, copy=False), weights.astype(np.float64, copy=False)
        anchors, where = np.unique(items, return_inverse=True)
        summed = np.zeros(len(anchors))
        np.add.at(summed, where, weights)
        return anchors.astype(np.int64), summed

    def _anchor_matrix(self, resolved: Sequence[Resolved]) -> Any:
        """One row of anchor weights per request, as CSR (rows × items).

        Each row holds the request's distinct anchors, ascending, with their weights summed
        as ``_distinct_anchors`` sums them for one request.
        """
        n = len(self.items_)
        parts = [self._distinct_anchors(one) for one in resolved]
        lengths = np.fromiter((len(a) for a, _ in parts), dtype=np.int64, count=len(parts))
        if not int(lengths.sum()):
            return sp.csr_array((len(resolved), n))
        indptr = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        columns = np.concatenate([a for a, _ in parts])
        weights = np.concatenate([np.ones(len(a)) if w is None else w for a, w in parts])
        matrix = sp.csr_array((weights, columns, indptr), shape=(len(resolved), n))
        matrix.has_sorted_indices = True
        return matrix

    def score_sparse(self, resolved: Sequence[Resolved]) -> Any:
        """Scores of many requests: one sparse product, anchor weights × item-to-item matrix.

        scipy's CSR product sums each row's terms anchor by anchor, in ascending order, as
        ``score`` does for a single request, so the entries are the same to the last bit (the
        property tests check it); each entry is then multiplied by its candidate factor.
        """
        anchors = self._anchor_matrix(resolved)
        product = sp.csr_array(anchors @ self.matrix_)
        if self.cosine_ and product.nnz:
            columns = product.indices
            factor = self.penalty_multi_[columns]
            single = np.diff(anchors.indptr) == 1
            if single.any():  # rows of one anchor: their own factor
                entries = np.repeat(single, np.diff(product.indptr))
                factor[entries] = self.penalty_single_[columns[entries]]
            product.data *= factor
        return product

    def score_many(self, resolved: Sequence[Resolved]) -> FloatArray:
        """Scores of many requests, dense: ``score_sparse`` as a rows × items array."""
        n = len(self.items_)
        if not resolved:
            return np.zeros((0, n))
        return np.asarray(self.score_sparse(resolved).toarray(), dtype=np.float64)

    def _sums(self, resolved: Resolved) -> tuple[FloatArray, FloatArray]:
        """One request's sums over its anchors' rows, before the candidate factor, and that factor.

        The sums of ``score_sparse`` for one row, in the same order (a weight of 1 is not
        multiplied: x × 1 is x, to the last bit).
        """
        anchors, weights = self._distinct_anchors(resolved)
        chosen = anchors.tolist()
        n = len(self.items_)
        penalty = self.penalty_single_ if len(chosen) == 1 else self.penalty_multi_
        if not chosen:
            return np.zeros(n), penalty
        if len(chosen) == 1:  # one row: its entries are the candidates, each once
            sums = np.zeros(n)
            columns = self.row_columns_[chosen[0]]
            terms = self.row_data_[chosen[0]]
            sums[columns] = terms if weights is None else weights[0] * terms
            return sums, penalty
        if len(chosen) <= 16:  # a few rows: joined as they are
            columns = np.concatenate([self.row_columns_[a] for a in chosen])
            terms = np.concatenate([self.row_data_[a] for a in chosen])
            if weights is not None:
                lengths = np.array([self.row_lengths_[a] for a in chosen], dtype=np.int64)
                terms = np.repeat(weights, lengths) * terms
        else:  # many rows: their entries' positions, worked out at once
            starts = self.indptr_[anchors]
            lengths = self.indptr_[anchors + 1] - starts
            ends = lengths.cumsum()
            offsets = np.arange(int(ends[-1])) + np.repeat(starts - ends + lengths, lengths)
            columns = self.indices_[offsets]
            terms = self.data_[offsets]
            if weights is not None:
                terms = np.repeat(weights, lengths) * terms
        summed = np.asarray(np.bincount(columns, weights=terms, minlength=n), dtype=np.float64)
        return summed, penalty

    def _anchor_lists(self, resolved: Resolved) -> tuple[list[int], list[float] | None]:
        """``_distinct_anchors`` as Python lists."""
        anchors, weights = self._distinct_anchors(resolved)
        return anchors.tolist(), None if weights is None else weights.tolist()

    def _failing_set(self, resolved: Resolved) -> set[int] | frozenset[int]:
        """The items failing the request's filters (no price rule), as a Python set."""
        filters = resolved.request.filters
        cache: dict[Filters, frozenset[int]] = self.__dict__.setdefault("_failing_sets_", {})
        static = cache.get(filters)
        if static is None:
            mask = static_mask(filters, self.catalogue_index_, self.index_)
            static = cache[filters] = frozenset(np.flatnonzero(~mask).tolist())
        if not (filters.exclude_cart or filters.exclude_viewed or filters.exclude_bought):
            return static
        failing = set(static)
        if filters.exclude_cart:
            failing.update(resolved.cart.tolist())
        if filters.exclude_viewed:
            failing.update(resolved.viewed.tolist())
        if filters.exclude_bought:
            failing.update(resolved.history.tolist())
        return failing

    def _fast(self, resolved: Resolved, *, explain: bool = True) -> Fast | None:
        """One request's top k, scores and (with ``explain``) triggers, without numpy, or ``None``.

        See ``PythonRows.top``: one anchor walks its sorted row, a few small rows are added up
        in a dict; ``None`` (the caller then uses ``_top``, and ``_fast_triggers`` for the
        reasons) for larger requests and for a price rule.
        """
        filters = resolved.request.filters
        if filters.max_price_ratio is not None or filters.min_price_ratio is not None:
            return None
        anchors, weights = self._anchor_lists(resolved)
        return self.python_rows_.top(
            anchors,
            weights,
            lambda: self._failing_set(resolved),
            resolved.request.k,
            explain=explain,
        )

    def _fast_triggers(self, top: IntArray, resolved: Resolved) -> list[int]:
        """``_triggers`` of the items ``_top`` returned, from Python dicts when that is cheaper."""
        chosen = top.tolist()
        anchors, weights = self._anchor_lists(resolved)
        found = self.python_rows_.triggers_if_cheap(chosen, anchors, weights)
        return list(self._triggers(top, resolved).tolist()) if found is None else found

    def _reasons(
        self, items: list[int], triggers: list[int]
    ) -> list[tuple[str, str | None, str, Money | None]]:
        """Reason, trigger sku, strategy name and price of each item, from its trigger."""
        name = recommenders.name_of(type(self))
        skus = self.items_
        own = self._own_sentence()
        result: list[tuple[str, str | None, str, Money | None]] = []
        for item, trigger in zip(items, triggers, strict=True):
            if trigger < 0:
                result.append(("Recommended for you", None, name, None))
            elif trigger == item:
                result.append((own, skus[trigger], name, None))
            else:
                result.append((self._sentence(self._name(trigger)), skus[trigger], name, None))
        return result

    def _compiled(self, resolved: Resolved, *, explain: bool) -> Fast | None:
        """One request's top k, scores and (with ``explain``) triggers from the compiled kernel.

        ``None`` when numba is not there (see ``_kernel``); the answer is ``_top``'s and
        ``_triggers``' to the last bit.
        """
        kernel = jit_top()
        if kernel is None:
            return None
        items, weights = self._raw_anchors(resolved)
        if not len(items):
            return [], [], []
        cache: dict[Filters, IntArray] = self.__dict__.setdefault("_failing_", {})
        failing = failing_one(resolved, self.catalogue_index_, self.index_, cache)
        top, values, triggers = kernel(
            self.indptr_,
            self.indices_,
            self.data_,
            items,
            _NO_WEIGHTS if weights is None else weights,
            self.penalty_single_,
            self.penalty_multi_,
            _NO_ITEMS
            if not failing
            else failing[0]
            if len(failing) == 1
            else np.concatenate(failing),
            min(resolved.request.k, len(self.items_)),  # k beyond the vocabulary: all of it
            explain,
        )
        return top.tolist(), values.tolist(), triggers.tolist()

    def recommend(self, request: Request) -> list[Recommendation]:
        resolved = self.resolve(request)
        fast = self._compiled(resolved, explain=True)
        if fast is None:
            fast = self._fast(resolved)
        if fast is None:
            top, scores, _ = self._top(resolved)
            items, values, triggers = top.tolist(), scores, self._fast_triggers(top, resolved)
        else:
            items, values, triggers = fast
        skus = self.items_
        return [
            make_recommendation(skus[item], value, strategy, reason, because, price)
            for item, value, (reason, because, strategy, price) in zip(
                items, values, self._reasons(items, triggers), strict=True
            )
        ]

    def recommend_skus(self, request: Request) -> list[str]:
        resolved = self.resolve(request)
        fast = self._compiled(resolved, explain=False)
        if fast is None:
            fast = self._fast(resolved, explain=False)
        chosen = self._top(resolved)[0].tolist() if fast is None else fast[0]
        skus = self.items_
        return [skus[item] for item in chosen]

    def score(self, resolved: Resolved) -> Scores:
        sums, penalty = self._sums(resolved)
        if self.cosine_:
            sums *= penalty
        return Scores.of(sums, self)

    def _explained(
        self, items: IntArray, resolved: Resolved, scored: Scores | None = None
    ) -> list[tuple[str, str | None, str, Money | None]]:
        return self._reasons(items.tolist(), self._triggers(items, resolved).tolist())

    def _keys(self) -> tuple[IntArray, FloatArray]:
        """The key ``row × n + column`` of every entry of the matrix and its score, ascending.

        Both end with a sentinel (the largest key, score 0), so a binary search always lands
        on an entry. Made the first time a reason is asked for and kept (16 bytes an entry): a
        model used for batches and evaluation alone never needs them.
        """
        keyed: tuple[IntArray, FloatArray] | None = self.__dict__.get("keys_")
        if keyed is None:
            n = len(self.items_)
            rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.indptr_))
            keys = np.concatenate([rows * n + self.indices_, [np.iinfo(np.int64).max]])
            keyed = self.__dict__["keys_"] = (keys, np.concatenate([self.data_, [0.0]]))
        return keyed

    def _triggers(self, items: IntArray, resolved: Resolved) -> IntArray:
        """For each item, the anchor that gives it the most (ties: the lower index), or -1.

        Only the returned items are looked up: every (anchor, item) pair at once, by binary
        search in the keys ``row × n + column`` of the matrix's entries (sorted, since the
        rows are in order and each row's columns are sorted), so the work is anchors × items.
        """
        anchors, weights = self._distinct_anchors(resolved)
        if not len(anchors) or not len(items):
            return np.full(len(items), -1, dtype=np.int64)
        keys, data = self._keys()
        if len(keys) == 1:
            return np.full(len(items), -1, dtype=np.int64)
        wanted = (anchors[:, None] * len(self.items_) + items[None, :]).ravel()
        where = keys.searchsorted(wanted)  # the keys end with a sentinel: always in range
        values = np.where(keys[where] == wanted, data[where], 0.0)
        block = values.reshape(len(anchors), len(items))
        if weights is not None:
            block *= weights[:, None]
        return np.where(block.max(axis=0) > 0, anchors[block.argmax(axis=0)], -1)

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        return [(reason, because) for reason, because, _, _ in self._explained(items, resolved)]

    def _sentence(self, name: str) -> str:
        return f"Goes with {name}"

    def _own_sentence(self) -> str:
        return "You may want it again"
