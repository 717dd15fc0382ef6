"""Item-to-item co-occurrence: mergeable counts, association measures and three strategies.

``CooccurrenceCounts`` holds, for a set of baskets (or of customers), how many contain each
item and each pair of items. Counts of disjoint chunks add up (``a + b``), so the counting can
run per chunk, on one machine or on many, and be combined before a model is fitted from them.

From the counts follow the classic association measures for a pair (a, b) over N baskets:
support c_ab / N, confidence c_ab / c_a, lift c_ab·N / (c_a·c_b), and a cosine with free
exponents c_ab / (c_a^α · c_b^β) (α = β = 0.5: the cosine). Three strategies score
candidates by summing a measure over the items of the request: frequently bought together (over
the cart), purchase history (over what the customer bought) and viewed items (over what the
customer viewed).
"""

from __future__ import annotations

import enum
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
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Resolved

__all__ = [
    "Association",
    "BasketWeight",
    "CooccurrenceCounts",
    "FrequentlyBoughtTogether",
    "Measure",
    "PurchaseHistory",
    "ViewedItems",
]


class BasketWeight(enum.StrEnum):
    """How much one basket counts, by its number of distinct items n.

    Very large baskets (a wholesaler's order of 500 lines) pair every item with every other and
    would drown the signal of ordinary baskets; a weight below 1 for them keeps that in check.
    Because the weight depends on the basket alone, weighted counts still add up over chunks.
    """

    NONE = "none"
    """Every basket counts 1: plain counts."""
    LOG = "log"
    """1 / log2(1 + n): a basket of 1 counts 1, of 3 counts 0.5, of 255 counts 0.125."""
    INVERSE = "inverse"
    """1 / n: each basket spreads one unit of weight over its items."""


class Measure(enum.StrEnum):
    """The association measure a co-occurrence strategy scores a pair (a → b) with."""

    COUNT = "count"
    """c_ab: how many baskets hold both."""
    CONFIDENCE = "confidence"
    """c_ab / c_a: the share of baskets with a that also hold b."""
    LIFT = "lift"
    """c_ab·N / (c_a·c_b): how much more often than by chance they meet."""
    COSINE = "cosine"
    """c_ab / (c_a^α · c_b^β); α = β = 0.5 is the cosine, β = 0 ranks like confidence."""


@attrs.frozen
class Association:
    """The association measures of one pair of items (a → b).

    Attributes:
        count: Baskets holding both (weighted, if the counts are).
        support: ``count`` / number of baskets.
        confidence: ``count`` / baskets holding a.
        lift: ``confidence`` / (baskets holding b / number of baskets).
    """

    count: float
    support: float
    confidence: float
    lift: float


def _weights(sizes: npt.NDArray[np.int64], scheme: BasketWeight) -> FloatArray:
    sizes = np.maximum(sizes, 1).astype(np.float64)
    if scheme is BasketWeight.LOG:
        return np.asarray(1.0 / np.log2(1.0 + sizes), dtype=np.float64)
    if scheme is BasketWeight.INVERSE:
        return np.asarray(1.0 / sizes, dtype=np.float64)
    return np.ones(len(sizes))


@attrs.frozen(eq=False)
class CooccurrenceCounts:
    """How many baskets hold each item and each pair of items; counts of chunks add up.

    Attributes:
        items: The skus; the arrays index them.
        n_baskets: The (weighted) number of baskets counted, baskets left out not included.
        item_counts: The (weighted) number of baskets holding each item.
        pairs: A symmetric sparse matrix (``scipy.sparse.csr_array``): baskets holding both
            items; the diagonal is 0.
        basket_weight: How each basket was weighted.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import CooccurrenceCounts, Interactions
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> first = Interactions.from_orders([Order("1", ["A", "B"], at)])
        >>> second = Interactions.from_orders([Order("2", ["B", "C"], at)])
        >>> both = CooccurrenceCounts.of(first) + CooccurrenceCounts.of(second)
        >>> both.items, both.item_counts.tolist(), both.pair("B", "C")
        (('A', 'B', 'C'), [1.0, 2.0, 1.0], 1.0)
    """

    items: tuple[str, ...]
    n_baskets: float
    item_counts: FloatArray
    pairs: Any
    basket_weight: BasketWeight = BasketWeight.NONE

    @classmethod
    def of(
        cls,
        interactions: Interactions,
        *,
        by: str = "basket",
        kinds: Sequence[EventKind] = (EventKind.PURCHASE,),
        basket_weight: BasketWeight | str = BasketWeight.NONE,
        max_basket_size: int | None = None,
    ) -> CooccurrenceCounts:
        """Count the items and pairs of ``interactions``.

        Args:
            interactions: The events.
            by: ``"basket"`` (items in one order or session) or ``"customer"`` (items one
                customer interacted with, over all their baskets; guests are left out).
            kinds: The event kinds that count.
            basket_weight: How one basket (or customer) counts by its number of items.
            max_basket_size: Baskets with more distinct items than this are left out
                entirely (not counted in ``n_baskets`` either); ``None`` keeps all.

        Returns:
            The counts.

        Raises:
            ValidationError: ``by`` or ``basket_weight`` is not one of the choices.
        """
        weight = check.enum_value(BasketWeight, basket_weight, "basket_weight")
        mask = np.isin(interactions.kind, [int(kind) for kind in kinds])
        if by == "basket":
            rows = interactions.basket[mask]
            n_rows = interactions.n_baskets
        elif by == "customer":
            mask &= interactions.customer >= 0
            rows = interactions.customer[mask]
            n_rows = len(interactions.customers)
        else:
            raise ValidationError(f"{by!r} is not 'basket' or 'customer'", field="by", value=by)
        n_items = len(interactions.items)
        matrix = sp.csr_array(
            (np.ones(int(mask.sum()), dtype=np.float32), (rows, interactions.item[mask])),
            shape=(n_rows, n_items),
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        sizes = np.diff(matrix.indptr)
        weights = _weights(sizes, weight)
        if max_basket_size is not None:
            weights[sizes > max_basket_size] = 0.0
        weights[sizes == 0] = 0.0  # an empty basket (all of its events of other kinds) is none
        kept = np.flatnonzero(weights > 0)
        matrix = matrix[kept]
        weighted = matrix.copy()
        weighted.data *= np.repeat(weights[kept], np.diff(matrix.indptr)).astype(np.float32)
        product = sp.csr_array(matrix.T.tocsr() @ weighted)
        # the product is symmetric, and transposing sorts each row's columns in linear time
        product = sp.csr_array(product.T.tocsr())
        item_counts = np.asarray(product.diagonal(), dtype=np.float64)
        pairs = _without_diagonal(product)
        return cls(tuple(interactions.items), float(weights.sum()), item_counts, pairs, weight)

    def __add__(self, other: CooccurrenceCounts) -> CooccurrenceCounts:
        if not isinstance(other, CooccurrenceCounts):
            return NotImplemented
        if other.basket_weight is not self.basket_weight:
            raise ValidationError(
                f"cannot add counts weighted {self.basket_weight} and {other.basket_weight}",
                field="basket_weight",
                value=str(other.basket_weight),
            )
        merged = dict.fromkeys(self.items)
        merged.update(dict.fromkeys(other.items))
        items = tuple(merged)
        position = {sku: index for index, sku in enumerate(items)}
        n = len(items)

        def lift(counts: CooccurrenceCounts) -> tuple[FloatArray, Any]:
            where = np.fromiter((position[sku] for sku in counts.items), dtype=np.int64)
            item_counts = np.zeros(n)
            item_counts[where] = counts.item_counts
            coo = counts.pairs.tocoo()
            pairs = sp.csr_array((coo.data, (where[coo.row], where[coo.col])), shape=(n, n))
            return item_counts, pairs

        mine, my_pairs = lift(self)
        theirs, their_pairs = lift(other)
        return CooccurrenceCounts(
            items,
            self.n_baskets + other.n_baskets,
            mine + theirs,
            sp.csr_array(my_pairs + their_pairs),
            self.basket_weight,
        )

    def pair(self, a: str, b: str) -> float:
        """Return the (weighted) number of baskets holding both ``a`` and ``b``."""
        index = {sku: i for i, sku in enumerate(self.items)}
        for sku in (a, b):
            if sku not in index:
                raise ValidationError(f"{sku!r} is not a counted item", field="sku", value=sku)
        return float(self.pairs[index[a], index[b]])

    def association(self, a: str, b: str) -> Association:
        """Return support, confidence and lift of the rule ``a`` → ``b``.

        Raises:
            ValidationError: ``a`` or ``b`` was never counted.

        Examples:
            >>> import datetime as dt
            >>> from shopkit import Order
        >>> from shopkit.recommend import CooccurrenceCounts, Interactions
            >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
            >>> orders = [Order("1", ["A", "B"], at), Order("2", ["A"], at), Order("3", ["B"], at)]
            >>> counts = CooccurrenceCounts.of(Interactions.from_orders(orders))
            >>> counts.association("A", "B")  # doctest: +ELLIPSIS
            Association(count=1.0, support=0.333..., confidence=0.5, lift=0.75)
        """
        count = self.pair(a, b)
        index = {sku: i for i, sku in enumerate(self.items)}
        n_a = float(self.item_counts[index[a]])
        n_b = float(self.item_counts[index[b]])
        confidence = count / n_a if n_a else 0.0
        return Association(
            count,
            count / self.n_baskets if self.n_baskets else 0.0,
            confidence,
            confidence * self.n_baskets / n_b if n_b else 0.0,
        )


def _without_diagonal(matrix: Any) -> Any:
    """A square CSR matrix with its diagonal entries removed (indices stay sorted)."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    keep = matrix.indices != rows
    removed = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    removed[rows[~keep] + 1] = 1
    indptr = matrix.indptr - np.cumsum(removed)
    result = sp.csr_array((matrix.data[keep], matrix.indices[keep], indptr), shape=matrix.shape)
    result.has_sorted_indices = True
    return result


def _measure(value: Any) -> Measure:
    # a named converter: mypy's attrs plugin reads its type (it cannot read enum_of's)
    return check.enum_value(Measure, value, "measure")


def _basket_weight(value: Any) -> BasketWeight:
    return check.enum_value(BasketWeight, value, "basket_weight")


_UNIT = check.decimal_between(0, 1)
_AT_LEAST_0 = check.non_negative_decimal()


def _similarity(
    counts: CooccurrenceCounts, measure: Measure, alpha: float, min_count: float
) -> Any:
    """The item-to-item score matrix (row a, column b: the score of b given a) as CSR.

    For the cosine the candidate's factor c_b^-β is left out: it is applied per request.
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
    return sp.csr_array((score, cols, pairs.indptr), shape=pairs.shape)


def _prune(matrix: Any, keep: int | None) -> tuple[IntArray, IntArray, FloatArray]:
    """Keep the ``keep`` best entries of every row (ties: lower column first)."""
    matrix = sp.csr_array(matrix)
    matrix.sort_indices()
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices.astype(np.int64)
    data = matrix.data.astype(np.float32)
    if keep is None or not len(data):
        return indptr, indices, data
    chosen = np.ones(len(data), dtype=bool)
    for row in np.flatnonzero(np.diff(indptr) > keep).tolist():
        start, end = int(indptr[row]), int(indptr[row + 1])
        values = data[start:end]
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

        The model knows no customer histories then (``exclude_bought`` uses the request's
        ``history`` only).

        Raises:
            ValidationError: the counts are weighted differently from ``basket_weight``.
        """
        if not isinstance(counts, CooccurrenceCounts):
            raise ValidationError(
                f"{counts!r} is not a CooccurrenceCounts", field="counts", value=None
            )
        self._fit_vocabulary(counts.items, catalogue)
        self._fit_histories(Interactions((), [], [], [], []))
        self._fit_from(counts)
        return self

    def _fit_from(self, counts: CooccurrenceCounts) -> None:
        if counts.basket_weight is not self.basket_weight:
            raise ValidationError(
                f"the counts are weighted {counts.basket_weight}, not {self.basket_weight}",
                field="basket_weight",
                value=str(counts.basket_weight),
            )
        alpha = float(self.alpha)
        matrix = _similarity(counts, self.measure, alpha, float(self.min_count))
        n = len(self.items_)
        matrix.resize((n, n))
        self.indptr_, self.indices_, self.scores_ = _prune(matrix, self.neighbours)
        self.item_counts_ = np.zeros(n)
        self.item_counts_[: len(counts.item_counts)] = counts.item_counts
        self._penalties()

    def _penalties(self) -> None:
        """The candidate factors c_b^-β for one anchor and for several (1 if not the cosine)."""
        if self.measure is not Measure.COSINE:
            self.penalty_single_ = self.penalty_multi_ = np.ones(len(self.items_))
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
        self._penalties()

    def _anchors(self, resolved: Resolved) -> IntArray:
        return resolved.cart

    def _rows(self, anchors: IntArray) -> tuple[IntArray, IntArray]:
        """The positions in ``indices_``/``scores_`` of the anchors' rows, and their lengths."""
        starts = self.indptr_[anchors]
        lengths = self.indptr_[anchors + 1] - starts
        total = int(lengths.sum())
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return offsets, lengths

    def score(self, resolved: Resolved) -> Scores:
        n = len(self.items_)
        anchors = np.unique(self._anchors(resolved))
        if not len(anchors):
            return Scores.of(np.zeros(n), self)
        offsets, _ = self._rows(anchors)
        summed = np.bincount(self.indices_[offsets], weights=self.scores_[offsets], minlength=n)
        scores = summed.astype(np.float64) * (
            self.penalty_single_ if len(anchors) == 1 else self.penalty_multi_
        )
        return Scores.of(scores, self)

    def _triggers(self, items: IntArray, resolved: Resolved) -> IntArray:
        """For each item, the anchor whose row gives it the most (ties: the lower index)."""
        anchors = np.unique(self._anchors(resolved))
        best = np.full(len(items), -1, dtype=np.int64)
        best_value = np.zeros(len(items), dtype=np.float64)
        for anchor in anchors.tolist():
            start, end = int(self.indptr_[anchor]), int(self.indptr_[anchor + 1])
            row = self.indices_[start:end]
            where = np.minimum(np.searchsorted(row, items), max(len(row) - 1, 0))
            if not len(row):
                continue
            found = row[where] == items
            values = np.where(found, self.scores_[start:end][where], 0.0)
            better = values > best_value
            best[better] = anchor
            best_value[better] = values[better]
        return best

    def explain(self, items: IntArray, resolved: Resolved) -> list[tuple[str, str | None]]:
        return [
            (
                self._sentence(self._name(trigger)) if trigger >= 0 else "",
                self._trigger_sku(trigger),
            )
            for trigger in self._triggers(items, resolved).tolist()
        ]

    def _sentence(self, name: str) -> str:
        return f"Goes with {name}"


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
        neighbours: How many best partners each item keeps; ``None`` (default) keeps all.

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
    """Items close to what the customer bought before (an item neighbourhood over customers).

    Items count as close when the same customers buy both, over all their orders. The
    customer's history is what the fitted data holds for ``request.customer.id`` plus
    ``request.history``.

    Attributes:
        measure: The association measure (see ``FrequentlyBoughtTogether``).
        alpha: The cosine's exponent on the history item's count.
        beta: The cosine's exponent on the candidate's count, for one history item.
        beta_cart: The same, for two or more history items.
        basket_weight: How much a customer counts by the number of items they bought.
        min_count: Pairs bought by fewer (weighted) customers are ignored.
        max_basket_size: Customers with more distinct items are left out (default: none).
        neighbours: How many closest items each item keeps; ``None`` keeps all.
    """

    max_basket_size: int | None = attrs.field(
        default=None, validator=check.optional(check.positive_int)
    )

    by: ClassVar[str] = "customer"

    def _anchors(self, resolved: Resolved) -> IntArray:
        return resolved.history

    def _sentence(self, name: str) -> str:
        return f"Because you bought {name}"


@attrs.define(kw_only=True)
class ViewedItems(_ItemItem):
    """Items close to what the customer just viewed (views, carts and orders of one session).

    Items count as close when they are viewed, carted or bought in the same session or order.

    Attributes:
        measure: The association measure (see ``FrequentlyBoughtTogether``).
        alpha: The cosine's exponent on the viewed item's count.
        beta: The cosine's exponent on the candidate's count, for one viewed item.
        beta_cart: The same, for two or more viewed items.
        basket_weight: How much a session counts by its number of items.
        min_count: Pairs met in fewer (weighted) sessions are ignored.
        max_basket_size: Sessions with more distinct items are left out.
        neighbours: How many closest items each item keeps; ``None`` keeps all.
    """

    kinds: ClassVar[tuple[EventKind, ...]] = tuple(EventKind)

    def _anchors(self, resolved: Resolved) -> IntArray:
        return resolved.viewed

    def _sentence(self, name: str) -> str:
        return f"Because you viewed {name}"
