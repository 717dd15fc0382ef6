"""Item-neighbourhood strategies: frequently bought together, purchase history, viewed items.

Each scores a candidate by summing an item-to-item measure (``CooccurrenceCounts``' support,
confidence, lift or cosine) over the request's *anchors* — the cart, what the customer bought,
what they viewed — each anchor weighted: a cart item counts once, a bought item by how often
and how recently it was bought (a recency-weighted count), a viewed item by how recently it was
viewed. Scoring is a sparse matrix product (anchor weights × the item-to-item matrix), so many
requests are scored as one product (``recommend_batch``), and reasons are computed only for the
items returned. ``neighbours`` prunes each item's row to its best K entries at fit time.
"""

from __future__ import annotations

import heapq
import itertools
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
from shopkit.recommend._history import PurchaseSummary
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._kernel import jit_top
from shopkit.recommend._request import (
    Filters,
    Recommendation,
    Request,
    Resolved,
    make_recommendation,
)

__all__ = ["FrequentlyBoughtTogether", "PurchaseHistory", "ViewedItems"]


def _measure(value: Any) -> Measure:
    # a named converter: mypy's attrs plugin reads its type (it cannot read enum_of's)
    return check.enum_value(Measure, value, "measure")


def _basket_weight(value: Any) -> BasketWeight:
    return check.enum_value(BasketWeight, value, "basket_weight")


_UNIT = check.decimal_between(0, 1)
_AT_LEAST_0 = check.non_negative_decimal()

_FAST_ENTRIES = 64
"""The most row entries (summed over a request's anchors) the pure-Python path adds up.

Above it a request with several anchors is scored by numpy (``_ItemItem._top``). Measured with
callgrind on the Online Retail carts, neighbours 100: a dict costs about 1,600 instructions
an entry against numpy's ~0.15 million fixed, so two anchors of 100 entries already cost
0.73 million instructions in Python against 0.39 million with numpy.
"""

_EAGER_ENTRIES = 0
"""The most matrix entries whose rows are all made Python dicts at the first single request.

0: rows are made one by one on first use. Making all of them (neighbours 100: 350,000
entries, 35 MB) so that triggers are dict lookups measured slower with callgrind (0.94 against
0.89 million instructions a cart with reasons): the many dicts cost the garbage collector.
"""

_PYTHON_LOOKUPS = 200
"""The most (item, anchor) lookups of the triggers done in Python dicts; more use ``_triggers``."""

_FAST_ROW = 3000
"""The longest row whose sorted entries the single-anchor walk keeps (as Python tuples)."""

_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
"""What the compiled kernel is given for weights when every anchor weighs 1."""

_NO_ITEMS = np.zeros(0, dtype=np.int64)
"""What the compiled kernel is given when no item fails the filters."""

_Fast = tuple[list[int], list[float], list[int]]
"""A request answered by the pure-Python path: items, their scores and their triggers."""


def _similarity(
    counts: CooccurrenceCounts,
    measure: Measure,
    alpha: float,
    min_count: float,
    self_weight: float = 0.0,
) -> Any:
    """The item-to-item score matrix (row a, column b: the score of b given a) as CSR.

    For the cosine the candidate's factor c_b^-β is left out: it is applied per request. With
    ``self_weight`` above 0 each item keeps its link to itself: the measure of the pair (a, a),
    whose count is c_a (count c_a, confidence 1, lift N / c_a, cosine c_a^(1-α)), times it.
    """
    pairs = sp.csr_array(counts.pairs)
    if min_count > 0:
        pairs = sp.csr_array(pairs.multiply(pairs >= min_count))
        pairs.eliminate_zeros()
    pairs.sort_indices()
    n_items = np.maximum(counts.item_counts, 1e-300)
    rows = np.repeat(np.arange(pairs.shape[0]), np.diff(pairs.indptr))
    cols = pairs.indices
    count = pairs.data
    if measure is Measure.COUNT:
        score = count.copy()
    elif measure is Measure.CONFIDENCE:
        score = count / n_items[rows]
    elif measure is Measure.LIFT:
        score = count * (counts.n_baskets / n_items)[rows] / n_items[cols]
    else:
        score = count / (n_items**alpha)[rows]
    matrix = sp.csr_array((score, cols, pairs.indptr), shape=pairs.shape)
    if self_weight > 0:
        seen = counts.item_counts > 0
        c = np.where(seen, counts.item_counts, 1.0)
        if measure is Measure.COUNT:
            own = c
        elif measure is Measure.CONFIDENCE:
            own = np.ones(len(c))
        elif measure is Measure.LIFT:
            own = counts.n_baskets / c
        else:
            own = c ** (1.0 - alpha)
        diagonal = sp.diags_array(np.where(seen, own * self_weight, 0.0), format="csr")
        matrix = sp.csr_array(matrix + diagonal)
        matrix.eliminate_zeros()
        matrix.sort_indices()
    return matrix


def _prune(
    matrix: Any, keep: int | None, factor: FloatArray | None = None
) -> tuple[IntArray, IntArray, FloatArray]:
    """Keep the ``keep`` best entries of every row (ties: lower column first).

    With ``factor``, entries are ranked by score × ``factor[column]`` (the candidate factor a
    request applies), so a row keeps the neighbours a request would rank first; the scores
    kept are unchanged.
    """
    matrix = sp.csr_array(matrix)
    matrix.sort_indices()
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices.astype(np.int64)
    data = matrix.data.astype(np.float32)
    if keep is None or not len(data):
        return indptr, indices, data
    ranked = data if factor is None else data * factor[indices]
    chosen = np.ones(len(data), dtype=bool)
    for row in np.flatnonzero(np.diff(indptr) > keep).tolist():
        start, end = int(indptr[row]), int(indptr[row + 1])
        values = ranked[start:end]
        threshold = np.partition(values, len(values) - keep)[len(values) - keep]
        above = values > threshold
        ties = np.flatnonzero(values == threshold)[: keep - int(above.sum())]
        above[ties] = True
        chosen[start:end] = above
    new_indptr = np.concatenate([[0], np.cumsum(chosen)]).astype(np.int64)[indptr]
    return new_indptr, indices[chosen], data[chosen]


@attrs.define(kw_only=True)
class _ItemItem(Recommender):
    """Shared machinery: score candidates by summing an item-to-item measure over anchors."""

    measure: Measure = attrs.field(default=Measure.COSINE, converter=_measure)
    alpha: Decimal = attrs.field(default=Decimal("0.7"), converter=check.decimal, validator=_UNIT)
    basket_weight: BasketWeight = attrs.field(
        default=BasketWeight.INVERSE, converter=_basket_weight
    )
    beta: Decimal = attrs.field(default=Decimal("0.1"), converter=check.decimal, validator=_UNIT)
    beta_cart: Decimal = attrs.field(
        default=Decimal("0.4"), converter=check.decimal, validator=_UNIT
    )
    min_count: Decimal = attrs.field(
        default=Decimal("0"), converter=check.decimal, validator=_AT_LEAST_0
    )
    max_basket_size: int | None = attrs.field(
        default=100, validator=check.optional(check.positive_int)
    )
    neighbours: int | None = attrs.field(default=None, validator=check.optional(check.positive_int))
    self_weight: Decimal = attrs.field(
        default=Decimal("0"), converter=check.decimal, validator=_AT_LEAST_0
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
        matrix = _similarity(
            counts, self.measure, alpha, float(self.min_count), float(self.self_weight)
        )
        n = len(self.items_)
        matrix.resize((n, n))
        self.item_counts_ = np.zeros(n)
        self.item_counts_[: len(counts.item_counts)] = counts.item_counts
        factor = None
        if self.measure is Measure.COSINE:  # rank neighbours as a request with several anchors
            factor = np.maximum(self.item_counts_, 1e-12) ** -float(self.beta_cart)
        self.indptr_, self.indices_, self.scores_ = _prune(matrix, self.neighbours, factor)
        self._derived()

    def _derived(self) -> None:
        """The matrix built from the learned arrays, and the candidate factors c_b^-β."""
        n = len(self.items_)
        data = self.data_ = self.scores_.astype(np.float64)
        self.matrix_ = sp.csr_array((data, self.indices_, self.indptr_), shape=(n, n))
        # each row's entries as views, for gathering a request's few rows without index maths
        bounds = self.indptr_.tolist()
        self.row_columns_ = [self.indices_[a:b] for a, b in itertools.pairwise(bounds)]
        self.row_data_ = [data[a:b] for a, b in itertools.pairwise(bounds)]
        self.row_lengths_ = np.diff(self.indptr_).tolist()
        self.cosine_ = self.measure is Measure.COSINE
        self.__dict__.pop("keys_", None)  # of the matrix before, if any (see ``_keys``)
        self.ranked_rows_: dict[int, list[tuple[float, int]]] = {}  # see ``_ranked_row``
        self.python_rows_: dict[int, dict[int, float]] = {}  # see ``_row``
        self.__dict__.pop("penalty_lists_", None)
        if self.measure is not Measure.COSINE:
            self.penalty_single_ = self.penalty_multi_ = np.ones(n)
            return
        counts = np.maximum(self.item_counts_, 1e-12)
        self.penalty_single_ = counts ** -float(self.beta)
        self.penalty_multi_ = counts ** -float(self.beta_cart)

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

    def _penalties(self) -> tuple[list[float], list[float]] | None:
        """The candidate factors (one anchor, several) as Python floats; ``None`` if not cosine."""
        if not self.cosine_:
            return None
        lists: tuple[list[float], list[float]] | None = self.__dict__.get("penalty_lists_")
        if lists is None:
            lists = (self.penalty_single_.tolist(), self.penalty_multi_.tolist())
            self.__dict__["penalty_lists_"] = lists
        return lists

    def _row(self, anchor: int) -> dict[int, float]:
        """Row ``anchor`` as a dict column → score (columns ascending), in Python.

        The first call makes every row's dict at once when the matrix holds at most
        ``_EAGER_ENTRIES`` entries (about 100 bytes each), else each row on its first use;
        either way they are kept, so only single requests pay for them, once.
        """
        rows = self.python_rows_
        row = rows.get(anchor)
        if row is not None:
            return row
        if not rows and len(self.indices_) <= _EAGER_ENTRIES:
            columns = self.indices_.tolist()
            terms = self.data_.tolist()
            bounds = self.indptr_.tolist()
            for item, (start, end) in enumerate(itertools.pairwise(bounds)):
                if end > start:
                    rows[item] = dict(zip(columns[start:end], terms[start:end], strict=True))
            row = rows.get(anchor)
        if row is None:
            columns_ = self.row_columns_[anchor].tolist()
            row = rows[anchor] = dict(zip(columns_, self.row_data_[anchor].tolist(), strict=True))
        return row

    def _ranked_row(self, anchor: int) -> list[tuple[float, int]]:
        """Row ``anchor``'s candidates as (score, item), ranked as a one-anchor request ranks them.

        Score (times the one-anchor candidate factor) descending, then item ascending; positive
        scores only. Made on first use and kept, so batch-only users never pay for it.
        """
        ranked = self.ranked_rows_.get(anchor)
        if ranked is None:
            columns = self.row_columns_[anchor]
            values = self.row_data_[anchor]
            if self.cosine_:
                values = values * self.penalty_single_[columns]
            positive = values > 0
            columns, values = columns[positive], values[positive]
            order = np.lexsort((columns, -values))
            ranked = list(zip(values[order].tolist(), columns[order].tolist(), strict=True))
            self.ranked_rows_[anchor] = ranked
        return ranked

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

    def _fast(self, resolved: Resolved, *, explain: bool = True) -> _Fast | None:
        """One request's top k, their scores and (with ``explain``) triggers, or ``None``.

        What ``_top`` and ``_triggers`` give, to the last bit: a candidate's sum adds its
        anchors' terms in ascending anchor order starting from 0.0 (as ``np.bincount`` and
        scipy's product do), then multiplies by the same candidate factor; the ranking is
        score descending, then item ascending; the trigger is the first anchor with the
        largest term. One anchor of weight 1 walks its row, pre-sorted at first use, skipping
        failing items until k are found; a few anchors (at most ``_FAST_ENTRIES`` row entries
        in all) add up their rows in a dict, in Python. ``None`` (the caller then uses
        ``_top``, and ``_fast_triggers`` for the reasons) for more, for a price rule, or for
        one anchor with a row longer than ``_FAST_ROW``.
        """
        filters = resolved.request.filters
        if filters.max_price_ratio is not None or filters.min_price_ratio is not None:
            return None
        anchors, weights = self._anchor_lists(resolved)
        if not anchors:
            return [], [], []
        lengths = self.row_lengths_
        k = resolved.request.k
        if len(anchors) == 1 and (weights is None or weights[0] == 1.0):
            anchor = anchors[0]
            if lengths[anchor] > _FAST_ROW:
                return None
            failing = self._failing_set(resolved)
            items: list[int] = []
            values: list[float] = []
            for value, item in self._ranked_row(anchor):
                if item not in failing:
                    items.append(item)
                    values.append(value)
                    if len(items) == k:
                        break
            return items, values, [anchor] * len(items)
        if sum(lengths[a] for a in anchors) > _FAST_ENTRIES:
            return None
        sums: dict[int, float] = {}
        get = sums.get
        rows = [self._row(anchor) for anchor in anchors]
        if weights is None:
            for row in rows:
                for item, term in row.items():
                    sums[item] = get(item, 0.0) + term
        else:
            for row, weight in zip(rows, weights, strict=True):
                for item, term in row.items():
                    sums[item] = get(item, 0.0) + weight * term
        failing = self._failing_set(resolved)
        if len(failing) <= len(sums):
            for item in failing:
                sums.pop(item, None)
        else:
            sums = {item: value for item, value in sums.items() if item not in failing}
        penalties = self._penalties()
        if penalties is None:
            top = heapq.nlargest(k, [(value, -item) for item, value in sums.items()])
        else:
            penalty = penalties[0] if len(anchors) == 1 else penalties[1]
            top = heapq.nlargest(
                k, [(value * penalty[item], -item) for item, value in sums.items()]
            )
        while top and not top[-1][0] > 0:  # not a candidate (every other one ranks first)
            top.pop()
        chosen = [-negative for _, negative in top]
        triggers = self._python_triggers(chosen, anchors, weights, rows) if explain else []
        return chosen, [value for value, _ in top], triggers

    def _fast_triggers(self, top: IntArray, resolved: Resolved) -> list[int]:
        """``_triggers`` of the items ``_top`` returned, looked up in Python dicts when few.

        With the rows kept as dicts (``_row``) and at most ``_PYTHON_LOOKUPS`` (item, anchor)
        pairs, dict lookups cost less than the vectorised binary search; the result is the same.
        """
        chosen = top.tolist()
        if len(self.indices_) <= _EAGER_ENTRIES:
            anchors, weights = self._anchor_lists(resolved)
            if len(chosen) * len(anchors) <= _PYTHON_LOOKUPS:
                rows = [self._row(anchor) for anchor in anchors]
                return self._python_triggers(chosen, anchors, weights, rows)
        return list(self._triggers(top, resolved).tolist())

    def _python_triggers(
        self,
        items: list[int],
        anchors: list[int],
        weights: list[float] | None,
        rows: list[dict[int, float]],
    ) -> list[int]:
        """For each item, the first anchor whose term is largest (``_triggers``), or -1."""
        triggers = []
        for item in items:
            best = 0.0
            trigger = -1
            for position, row in enumerate(rows):
                term = row.get(item)
                if term is None:
                    continue
                if weights is not None:
                    term = weights[position] * term
                if term > best:
                    best = term
                    trigger = anchors[position]
            triggers.append(trigger)
        return triggers

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

    def _compiled(self, resolved: Resolved, *, explain: bool) -> _Fast | None:
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


@attrs.define(kw_only=True)
class FrequentlyBoughtTogether(_ItemItem):
    """Items often bought in the same basket as the cart's items ("often bought with …").

    A candidate's score is the sum, over the cart's items a, of the measure of a → candidate;
    the cart item with the largest share is named in the reason. Counts are per basket.

    Attributes:
        measure: ``cosine`` (default), ``lift``, ``confidence`` or ``count``.
        alpha: The cosine's exponent on the cart item's count (default 0.7): how much a
            rare cart item's partners weigh against a common one's.
        beta: The cosine's exponent on the candidate's count for a request with one item
            (default 0): how much a best seller is held back (0 ranks as confidence does,
            0.5 as the cosine).
        beta_cart: The same exponent for a request with two or more items (default 0.5): a
            best seller collects votes from many cart items, so it is held back more. The
            defaults were chosen on a validation split of the Online Retail data (the month
            before the benchmark's test split) by ``benchmarks/tune_recommend.py``.
        basket_weight: How much a basket counts by its size: ``inverse`` (default), ``log``
            or ``none`` (plain counts, as support, confidence and lift are defined).
        min_count: Pairs seen in fewer (weighted) baskets are ignored.
        max_basket_size: Baskets with more distinct items are left out (default 100):
            wholesale orders that pair everything with everything.
        neighbours: How many best partners each item keeps at fit time, ranked as a request
            with several items ranks them (with the cosine, the score × c_b^-β_cart);
            ``None`` (default) keeps all. Pruning only removes entries, so it never adds a
            candidate.
        self_weight: How much an item's link to itself counts (default 0: a cart item is not
            its own partner).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import FrequentlyBoughtTogether, Interactions, Request
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> orders = [Order("1", ["phone", "case"], at), Order("2", ["phone", "case", "glass"], at)]
        >>> model = FrequentlyBoughtTogether().fit(Interactions.from_orders(orders))
        >>> [(r.sku, r.reason) for r in model.recommend(Request(cart=["phone"]))]
        [('case', 'Often bought with phone'), ('glass', 'Often bought with phone')]
    """

    # Tuned for baskets on a validation split (benchmarks/tune_recommend.py); purchase history
    # and viewed items keep the shared defaults, which that tuning did not look at.
    beta: Decimal = attrs.field(default=Decimal("0"), converter=check.decimal, validator=_UNIT)
    beta_cart: Decimal = attrs.field(
        default=Decimal("0.5"), converter=check.decimal, validator=_UNIT
    )

    def _distinct_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray | None]:
        # the cart's distinct items, each weighing 1 (what ``anchors`` gives, found faster)
        cart = resolved.cart
        if len(cart) < 2:
            return cart, None
        return np.array(sorted(set(cart.tolist())), dtype=np.int64), None

    def _anchor_lists(self, resolved: Resolved) -> tuple[list[int], list[float] | None]:
        return sorted(set(resolved.cart.tolist())), None

    def _raw_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray | None]:
        return resolved.cart, None

    def _sentence(self, name: str) -> str:
        return f"Often bought with {name}"


@attrs.define(kw_only=True)
class PurchaseHistory(_ItemItem):
    """Items close to what the customer bought, each bought item weighed by how often and when.

    Items count as close when the same customers buy both, over all their orders. The
    customer's history is what the fitted data holds for ``request.customer.id`` plus
    ``request.history``; a bought item is an anchor with the weight ``Σ 0.5^(age/half-life)``
    over the days it was bought (ages at the newest purchase of the fitted data), so an item
    bought every month outweighs one bought once a year ago. An item passed in
    ``request.history`` adds 1. With ``self_weight`` above 0 each bought item is also a
    candidate itself (a repeat purchase), scored through its link to itself; exclude repeats
    with ``Filters(exclude_bought=True)``.

    The defaults of ``alpha``, ``beta``, ``beta_cart``, ``half_life_days`` and ``neighbours``
    were chosen on a validation split of Online Retail (the month before the next-order
    benchmark's test cut) by ``benchmarks/recommend_tune_next_order.py``.

    Attributes:
        measure: The association measure (see ``FrequentlyBoughtTogether``).
        alpha: The cosine's exponent on the history item's count (default 0.1).
        beta: The cosine's exponent on the candidate's count, for one history item (default
            0.55: a customer's taste shows in the less common items they share with others).
        beta_cart: The same, for two or more history items (default 0.55).
        basket_weight: How much a customer counts by the number of items they bought.
        min_count: Pairs bought by fewer (weighted) customers are ignored.
        max_basket_size: Customers with more distinct items are left out (default: none).
        neighbours: How many closest items each item keeps; ``None`` keeps all.
        self_weight: How much an item's link to itself counts (default 1).
        half_life_days: The half-life of a purchase's weight in days (default 30); ``None``
            counts every purchase day as 1 (frequency without recency).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Customer, Order
        >>> from shopkit.recommend import Interactions, PurchaseHistory, Request
        >>> day = lambda d: dt.datetime(2024, 1, d, tzinfo=dt.UTC)
        >>> orders = [
        ...     Order("1", ["tea", "mug"], day(1), customer="ann"),
        ...     Order("2", ["tea", "biscuits"], day(2), customer="bob"),
        ...     Order("3", ["tea"], day(3), customer="ann"),
        ... ]
        >>> model = PurchaseHistory().fit(Interactions.from_orders(orders))
        >>> [r.sku for r in model.recommend(Request(customer=Customer("ann"), k=3))]
        ['tea', 'mug', 'biscuits']
    """

    # chosen on the next-order validation split (benchmarks/recommend_tune_next_order.py)
    alpha: Decimal = attrs.field(default=Decimal("0.1"), converter=check.decimal, validator=_UNIT)
    beta: Decimal = attrs.field(default=Decimal("0.55"), converter=check.decimal, validator=_UNIT)
    beta_cart: Decimal = attrs.field(
        default=Decimal("0.55"), converter=check.decimal, validator=_UNIT
    )
    max_basket_size: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int)
    )
    self_weight: Decimal = attrs.field(
        default=Decimal("1"), converter=check.decimal, validator=_AT_LEAST_0
    )
    half_life_days: Decimal | None = attrs.field(
        default=Decimal("30"),
        converter=check.decimal,
        validator=check.optional(check.positive_decimal(what="number of days")),
    )

    by: ClassVar[str] = "customer"

    history_weight_: FloatArray = attrs.field(init=False, repr=False, eq=False)

    def fit_model(self, interactions: Interactions) -> None:
        super().fit_model(interactions)
        self._fit_weights(interactions)

    def _fit_weights(self, interactions: Interactions) -> None:
        half_life = None if self.half_life_days is None else float(self.half_life_days)
        summary = PurchaseSummary.of(interactions, len(self.items_), half_life)
        self.history_weight_ = summary.weight

    def state(self) -> dict[str, npt.NDArray[Any]]:
        return {**super().state(), "history_weight_": self.history_weight_}

    def restore(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        super().restore(arrays)
        self.history_weight_ = arrays["history_weight_"]

    def anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        passed = len(resolved.history)
        if resolved.customer < 0:
            return resolved.history, np.ones(passed)
        start = int(self.history_indptr_[resolved.customer])
        end = int(self.history_indptr_[resolved.customer + 1])
        fitted = self.history_weight_[start:end]
        passed -= end - start  # Resolved.history: the request's items, then the fitted ones
        return resolved.history, np.concatenate([np.ones(passed), fitted]) if passed else fitted

    def _sentence(self, name: str) -> str:
        return f"Because you bought {name}"

    def _own_sentence(self) -> str:
        return "You bought this before"


@attrs.define(kw_only=True)
class ViewedItems(_ItemItem):
    """Items close to what the customer just viewed, each viewed item weighed by how recently.

    Items count as close when they are viewed, carted or bought in the same session or order.
    The viewed list is most recent first: the item at position p (from 0) weighs
    ``recency ** p``, and an item viewed twice adds both weights.

    Attributes:
        measure: The association measure (see ``FrequentlyBoughtTogether``).
        alpha: The cosine's exponent on the viewed item's count.
        beta: The cosine's exponent on the candidate's count, for one viewed item.
        beta_cart: The same, for two or more viewed items.
        basket_weight: How much a session counts by its number of items.
        min_count: Pairs met in fewer (weighted) sessions are ignored.
        max_basket_size: Sessions with more distinct items are left out.
        neighbours: How many closest items each item keeps; ``None`` keeps all.
        self_weight: How much a viewed item's link to itself counts (default 0).
        recency: The weight factor per position down the viewed list (default 0.8; 1 weighs
            every view the same).
    """

    recency: Decimal = attrs.field(
        default=Decimal("0.8"), converter=check.decimal, validator=check.decimal_between(0, 1)
    )

    # what a customer does with an item in a session; refunds and recommendation feedback
    # (shown, clicked, dismissed) are not co-views
    kinds: ClassVar[tuple[EventKind, ...]] = (
        EventKind.PURCHASE,
        EventKind.VIEW,
        EventKind.ADD_TO_CART,
        EventKind.CHECKOUT_STARTED,
    )

    def __attrs_post_init__(self) -> None:
        if self.recency <= 0:
            raise ValidationError(
                f"{self.recency} is not above 0", field="recency", value=self.recency
            )

    def anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        viewed = resolved.viewed
        return viewed, float(self.recency) ** np.arange(len(viewed), dtype=np.float64)

    def _sentence(self, name: str) -> str:
        return f"Because you viewed {name}"

    def _own_sentence(self) -> str:
        return "You looked at this"
