"""Item-to-item co-occurrence: mergeable counts and the association measures.

``CooccurrenceCounts`` holds, for a set of baskets (or of customers), how many contain each
item and each pair of items. Counts of disjoint chunks add up (``a + b``), so the counting can
run per chunk, on one machine or on many, and be combined before a model is fitted from them.
The sums are exact, so the combined counts equal those of all baskets at once, bit for bit: plain
counts are whole numbers, and a basket weight is rounded to float32 and added in float64, which
holds every partial sum exactly while a weighted count stays below 2^23 (weights of 1/128 and
more; ``max_basket_size`` keeps them there).

From the counts follow the classic association measures for a pair (a, b) over N baskets:
support c_ab / N, confidence c_ab / c_a, lift c_ab·N / (c_a·c_b), and a cosine with free
exponents c_ab / (c_a^α · c_b^β) (α = β = 0.5: the cosine). The strategies that score with
them (frequently bought together, purchase history, viewed items) are in ``_neighbours``,
their shared machinery in ``_item_item``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit import EventKind, ValidationError
from shopkit import validators as check
from shopkit.recommend._base import FloatArray
from shopkit.recommend._interactions import Interactions

__all__ = [
    "Association",
    "BasketWeight",
    "CooccurrenceCounts",
    "Measure",
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
        # Each weight is rounded to float32 and the sums are taken in float64: a float32 weight
        # of at least 2^-k is a multiple of 2^-(k+23), so every partial sum below 2^(30-k) is
        # exact and the counts do not depend on how the baskets were chunked or added up.
        weights = weights.astype(np.float32).astype(np.float64)
        matrix = sp.csr_array(matrix[kept], dtype=np.float64)
        weighted = matrix.copy()
        weighted.data *= np.repeat(weights[kept], np.diff(matrix.indptr))
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
