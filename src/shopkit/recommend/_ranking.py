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

    Order: score descending, then column ascending. Vectorised over the rows: the threshold
    of each row is found with one ``np.partition``, and only the entries at or above it are
    sorted.

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
    n_rows, n_items = scores.shape
    if n_rows == 0:
        return []
    masked = np.where(ok & (scores > 0), scores, 0.0)
    widest = int(min(int(ks.max()), n_items))
    if n_items == 0 or widest == 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(n_rows)]
    if widest < n_items:
        threshold = np.partition(masked, n_items - widest, axis=1)[:, n_items - widest]
        keep = (masked >= threshold[:, None]) & (masked > 0)
    else:
        keep = masked > 0
    rows, cols = np.nonzero(keep)
    values = masked[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols = rows[order], cols[order]
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    rank = np.arange(len(rows)) - bounds[rows]
    chosen = rank < ks[rows]
    rows, cols = rows[chosen], cols[chosen].astype(np.int64)
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    return [cols[bounds[row] : bounds[row + 1]] for row in range(n_rows)]
