"""The item-to-item matrix of the neighbourhood strategies, built from co-occurrence counts.

``similarity`` turns ``CooccurrenceCounts`` into the score matrix of a measure (support,
confidence, lift or cosine, with an item's link to itself where asked); ``prune`` keeps each
row's best K entries, ranked as a request with several anchors ranks them. Both run at fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit.recommend._cooccurrence import CooccurrenceCounts, Measure

__all__ = ["prune", "similarity"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def similarity(
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


def prune(
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
