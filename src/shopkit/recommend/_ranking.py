"""Array helpers every strategy shares: gather rows of a CSR layout, and the top k of many rows.

``top_k`` is the one place that cuts a ranked list: a single request is a batch of one, so
``recommend``, ``recommend_skus`` and ``recommend_batch`` give the same lists by construction.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["segments", "top_k", "top_k_csr", "top_of", "top_one"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def segments(indptr: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The positions of ``rows``' entries in a CSR layout, concatenated, and each row's length.

    Examples:
        >>> import numpy as np
        >>> offsets, lengths = segments(np.array([0, 2, 2, 5]), np.array([2, 0]))
        >>> offsets.tolist(), lengths.tolist()
        ([2, 3, 4, 0, 1], [3, 2])
    """
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    return offsets.astype(np.int64), lengths.astype(np.int64)


def top_k(scores: FloatArray, ok: BoolArray, ks: IntArray) -> list[IntArray]:
    """For each row, the columns of its ``ks[row]`` best positive scores where ``ok`` holds.

    Order: score descending, then column ascending. Vectorised over the rows: the candidate
    entries (positive and passing) of all rows are sorted together by (row, score, column) —
    work in proportion to the candidates, not to rows × items — and each row keeps its first k.

    Args:
        scores: One row of scores per request (rows × items).
        ok: Which entries pass the filters (same shape).
        ks: How many to keep per row (each at least 1).

    Returns:
        One array of item indices per row.

    Examples:
        >>> import numpy as np
        >>> scores = np.array([[0.0, 2.0, 1.0, 2.0], [3.0, 1.0, 0.0, 0.0]])
        >>> ok = np.array([[True, True, True, True], [False, True, True, True]])
        >>> [row.tolist() for row in top_k(scores, ok, np.array([2, 3]))]
        [[1, 3], [1]]
    """
    n_rows = scores.shape[0]
    if n_rows == 0:
        return []
    rows, cols = np.nonzero(scores > 0)  # row-major: rows ascending
    passing = ok[rows, cols]
    rows, cols = rows[passing], cols[passing]
    values = scores[rows, cols]
    # by score descending, stable: equal scores keep the row-major order, columns ascending;
    # then by row, stable (two stable sorts cost less than a three-key lexsort)
    order = np.argsort(-values, kind="stable")
    order = order[np.argsort(rows[order], kind="stable")]
    rows, cols = rows[order], cols[order]
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    rank = np.arange(len(rows)) - bounds[rows]
    chosen = rank < ks[rows]
    rows, cols = rows[chosen], cols[chosen].astype(np.int64)
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    return [cols[bounds[row] : bounds[row + 1]] for row in range(n_rows)]


def top_one(scores: FloatArray, k: int) -> IntArray:
    """The columns of the ``k`` best positive scores of one row, as ``top_k`` orders them.

    Score descending, then column ascending (see ``top_of``).

    Examples:
        >>> import numpy as np
        >>> top_one(np.array([0.0, 2.0, 1.0, 2.0, 3.0]), 3).tolist()
        [4, 1, 3]
    """
    candidates = (scores > 0).nonzero()[0]
    return top_of(candidates, scores[candidates], k, positive=True)


def top_of(candidates: IntArray, values: FloatArray, k: int, *, positive: bool = False) -> IntArray:
    """The ``k`` best ``candidates`` (ascending, distinct) by ``values``, positive ones only.

    Value descending, then candidate ascending: a stable sort of the values. When there are
    many more than k, a partition first keeps those at least as good as the k-th best (all
    of its ties), so the work on a long row is linear and the sort is short.

    Examples:
        >>> import numpy as np
        >>> top_of(np.array([1, 3, 4, 7]), np.array([2.0, 2.0, 0.0, 5.0]), 3).tolist()
        [7, 1, 3]
    """
    if not positive:  # else the caller knows every value is above 0
        above = values > 0
        if not above.all():
            candidates, values = candidates[above], values[above]
    if len(candidates) > 4 * k + 32:
        cut = len(values) - k
        threshold = np.partition(values, cut)[cut]
        keep = values >= threshold
        candidates, values = candidates[keep], values[keep]
    order = (-values).argsort(kind="stable")[:k]
    return candidates[order].astype(np.int64, copy=False)


def top_k_csr(
    indptr: IntArray, indices: IntArray, data: FloatArray, ks: IntArray
) -> list[IntArray]:
    """``top_k`` for rows held sparse (CSR): each row's ``ks[row]`` best positive entries.

    Entries at 0 or below are not candidates (a filter sets a failing entry to 0 or below);
    the columns of a row need not be sorted. Order: score descending, then column ascending.

    Examples:
        >>> import numpy as np
        >>> indptr = np.array([0, 3, 5])
        >>> indices = np.array([3, 1, 2, 0, 1])
        >>> data = np.array([2.0, 2.0, 1.0, 3.0, -1.0])
        >>> [row.tolist() for row in top_k_csr(indptr, indices, data, np.array([2, 3]))]
        [[1, 3], [0]]
    """
    result: list[IntArray] = []
    bounds = indptr.tolist()
    wanted = ks.tolist()
    for row, k in enumerate(wanted):
        start, end = bounds[row], bounds[row + 1]
        values = data[start:end]
        columns = indices[start:end]
        positive = values > 0
        if not positive.all():
            values, columns = values[positive], columns[positive]
        if len(values) > k:
            cut = len(values) - k
            threshold = np.partition(values, cut)[cut]
            keep = values >= threshold
            values, columns = values[keep], columns[keep]
        order = np.lexsort((columns, -values))[:k]
        result.append(columns[order].astype(np.int64, copy=False))
    return result
