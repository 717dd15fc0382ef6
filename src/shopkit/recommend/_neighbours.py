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

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, Self

import attrs
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit import Catalogue, EventKind, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray, IntArray, Recommender, Scores
from shopkit.recommend._cooccurrence import BasketWeight, CooccurrenceCounts, Measure
from shopkit.recommend._history import PurchaseSummary
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._ranking import segments
from shopkit.recommend._request import Resolved

__all__ = ["FrequentlyBoughtTogether", "PurchaseHistory", "ViewedItems"]


def _measure(value: Any) -> Measure:
    # a named converter: mypy's attrs plugin reads its type (it cannot read enum_of's)
    return check.enum_value(Measure, value, "measure")


def _basket_weight(value: Any) -> BasketWeight:
    return check.enum_value(BasketWeight, value, "basket_weight")


_UNIT = check.decimal_between(0, 1)
_AT_LEAST_0 = check.non_negative_decimal()


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
        self.matrix_ = sp.csr_array(
            (self.scores_.astype(np.float64), self.indices_, self.indptr_), shape=(n, n)
        )
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

    def _distinct_anchors(self, resolved: Resolved) -> tuple[IntArray, FloatArray]:
        """The anchors, distinct and ascending, each with its weights summed in input order."""
        items, weights = self.anchors(resolved)
        anchors, where = np.unique(items, return_inverse=True)
        summed = np.zeros(len(anchors))
        np.add.at(summed, where, weights)
        return anchors.astype(np.int64), summed

    def _anchor_matrix(self, resolved: Sequence[Resolved]) -> Any:
        """One row of anchor weights per request, as CSR (rows × items).

        Repeated anchors of a row are summed in input order, as ``_distinct_anchors`` sums
        them for one request.
        """
        n = len(self.items_)
        parts = [self.anchors(one) for one in resolved]
        lengths = np.fromiter((len(a) for a, _ in parts), dtype=np.int64, count=len(parts))
        if not int(lengths.sum()):
            return sp.csr_array((len(resolved), n))
        rows = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)
        keys = rows * n + np.concatenate([a for a, _ in parts])
        distinct, where = np.unique(keys, return_inverse=True)
        summed = np.zeros(len(distinct))
        np.add.at(summed, where, np.concatenate([w for _, w in parts]))
        indptr = np.searchsorted(distinct // n, np.arange(len(parts) + 1)).astype(np.int64)
        return sp.csr_array((summed, distinct % n, indptr), shape=(len(resolved), n))

    def score_many(self, resolved: Sequence[Resolved]) -> FloatArray:
        """Scores of many requests: one sparse product, anchor weights × item-to-item matrix.

        scipy's CSR product sums each row's terms anchor by anchor, in ascending order, as
        ``score`` does for a single request, so the rows are the same to the last bit (the
        property tests check it).
        """
        n = len(self.items_)
        if not resolved:
            return np.zeros((0, n))
        anchors = self._anchor_matrix(resolved)
        scores = np.asarray((anchors @ self.matrix_).toarray(), dtype=np.float64)
        several = np.diff(anchors.indptr) > 1
        scores[~several] *= self.penalty_single_
        scores[several] *= self.penalty_multi_
        return scores

    def _gathered(self, resolved: Resolved) -> tuple[IntArray, FloatArray, IntArray, FloatArray]:
        """The anchors (distinct, ascending) with their summed weights, and their row entries.

        Returns the anchors, their weights, and for every entry of their rows (anchor by
        anchor) its column and its term weight × score.
        """
        anchors, summed = self._distinct_anchors(resolved)
        offsets, lengths = segments(self.indptr_, anchors)
        terms = np.repeat(summed, lengths) * self.matrix_.data[offsets]
        return anchors, summed, self.indices_[offsets], terms

    def score(self, resolved: Resolved) -> Scores:
        # one request: the sums of ``score_many`` for one row, in the same order
        anchors, _, columns, terms = self._gathered(resolved)
        scores = np.bincount(columns, weights=terms, minlength=len(self.items_)).astype(np.float64)
        scores *= self.penalty_single_ if len(anchors) == 1 else self.penalty_multi_
        return Scores.of(scores, self)

    def _triggers(self, items: IntArray, resolved: Resolved) -> IntArray:
        """For each item, the anchor that gives it the most (ties: the lower index), or -1.

        Only the returned items are looked up: each in each anchor's row (rows are sorted by
        column), so the work is anchors × items, not the anchors' whole rows.
        """
        anchors, weights = self._distinct_anchors(resolved)
        if not len(anchors) or not len(items):
            return np.full(len(items), -1, dtype=np.int64)
        # the position of each item in each anchor's row: searchsorted on keys that put the
        # rows one after the other (row rank × n + column), which stay sorted
        n = len(self.items_)
        offsets, lengths = segments(self.indptr_, anchors)
        keys = np.repeat(np.arange(len(anchors)), lengths) * n + self.indices_[offsets]
        wanted = (np.arange(len(anchors))[:, None] * n + items[None, :]).ravel()
        where = np.searchsorted(keys, wanted)
        found = (where < len(keys)) & (keys[np.minimum(where, len(keys) - 1)] == wanted)
        values = np.zeros(len(wanted))
        hit = offsets[where[found]] if len(keys) else where[found]
        values[found] = self.matrix_.data[hit] * np.repeat(weights, len(items))[found]
        block = values.reshape(len(anchors), len(items))
        best = np.argmax(block, axis=0)
        ok = block[best, np.arange(len(items))] > 0
        return np.where(ok, anchors[best], -1).astype(np.int64)

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        result: list[tuple[str, str | None]] = []
        for item, trigger in zip(
            items.tolist(), self._triggers(items, resolved).tolist(), strict=True
        ):
            if trigger < 0:
                result.append(("Recommended for you", None))
            elif trigger == item:
                result.append((self._own_sentence(), self._trigger_sku(trigger)))
            else:
                result.append((self._sentence(self._name(trigger)), self._trigger_sku(trigger)))
        return result

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
        offsets, lengths = segments(self.history_indptr_, np.array([resolved.customer]))
        passed -= int(lengths[0])  # Resolved.history: the request's items, then the fitted ones
        return resolved.history, np.concatenate([np.ones(passed), self.history_weight_[offsets]])

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
