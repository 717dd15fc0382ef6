"""Array helpers every strategy shares: gather rows of a CSR layout, and the top k of many rows.

``top_k`` is the one place that cuts a ranked list: a single request is a batch of one, so
``recommend``, ``recommend_skus`` and ``recommend_batch`` give the same lists by construction.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["segments", "top_k"]

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
