"""The item-to-item matrix's rows as Python containers, and one small request answered on them.

Used by the item-neighbourhood strategies for a single request when numba is not installed
(with numba the compiled kernel of ``_kernel`` answers every single request): a request with
one anchor walks that anchor's row, pre-sorted at first use, and a request with a few anchors
(at most ``_FAST_ENTRIES`` row entries in all) adds their rows up in a dict. Both give what
the numpy path gives, to the last bit (``tests/recommend/test_fast_path.py``). Rows are made on
first use and kept, so a model used for batches alone never pays for them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Collection

import numpy as np
import numpy.typing as npt

__all__ = ["Fast", "PythonRows", "row_views"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

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
"""The most (item, anchor) lookups of the triggers done in Python dicts; more use numpy."""

_FAST_ROW = 3000
"""The longest row whose sorted entries the single-anchor walk keeps (as Python tuples)."""

Fast = tuple[list[int], list[float], list[int]]
"""A request answered without numpy: items, their scores and their triggers."""


class PythonRows:
    """The rows of one fitted item-to-item matrix as Python dicts and sorted lists, on demand.

    Args:
        indptr: The CSR row bounds of the matrix.
        columns: Each row's columns (ascending), as views of the CSR indices.
        data: Each row's scores, as views of the CSR data.
        penalty_single: The candidate factor of a request with one anchor.
        penalty_multi: The candidate factor of a request with several anchors.
        cosine: Whether the factors apply (the cosine measure); otherwise they are 1.
    """

    def __init__(
        self,
        indptr: IntArray,
        columns: list[IntArray],
        data: list[FloatArray],
        penalty_single: FloatArray,
        penalty_multi: FloatArray,
        *,
        cosine: bool,
    ) -> None:
        self.indptr = indptr
        self.columns = columns
        self.data = data
        self.lengths: list[int] = np.diff(indptr).tolist()
        self.penalty_single = penalty_single
        self.penalty_multi = penalty_multi
        self.cosine = cosine
        self.entries = int(indptr[-1]) if len(indptr) else 0
        self._dicts: dict[int, dict[int, float]] = {}
        self._ranked: dict[int, list[tuple[float, int]]] = {}
        self._penalty_lists: tuple[list[float], list[float]] | None = None

    def penalties(self) -> tuple[list[float], list[float]] | None:
        """The candidate factors (one anchor, several) as Python floats; ``None`` if not cosine."""
        if not self.cosine:
            return None
        if self._penalty_lists is None:
            self._penalty_lists = (self.penalty_single.tolist(), self.penalty_multi.tolist())
        return self._penalty_lists

    def row(self, anchor: int) -> dict[int, float]:
        """Row ``anchor`` as a dict column → score (columns ascending).

        The first call makes every row's dict at once when the matrix holds at most
        ``_EAGER_ENTRIES`` entries (about 100 bytes each), else each row on its first use;
        either way they are kept.
        """
        rows = self._dicts
        row = rows.get(anchor)
        if row is not None:
            return row
        if not rows and self.entries <= _EAGER_ENTRIES:
            for item, (columns, data) in enumerate(zip(self.columns, self.data, strict=True)):
                if len(columns):
                    rows[item] = dict(zip(columns.tolist(), data.tolist(), strict=True))
            row = rows.get(anchor)
        if row is None:
            columns_ = self.columns[anchor].tolist()
            row = rows[anchor] = dict(zip(columns_, self.data[anchor].tolist(), strict=True))
        return row

    def ranked_row(self, anchor: int) -> list[tuple[float, int]]:
        """Row ``anchor``'s candidates as (score, item), ranked as a one-anchor request ranks them.

        Score (times the one-anchor candidate factor) descending, then item ascending; positive
        scores only.
        """
        ranked = self._ranked.get(anchor)
        if ranked is None:
            columns = self.columns[anchor]
            values = self.data[anchor]
            if self.cosine:
                values = values * self.penalty_single[columns]
            positive = values > 0
            columns, values = columns[positive], values[positive]
            order = np.lexsort((columns, -values))
            ranked = list(zip(values[order].tolist(), columns[order].tolist(), strict=True))
            self._ranked[anchor] = ranked
        return ranked

    def top(
        self,
        anchors: list[int],
        weights: list[float] | None,
        failing: Callable[[], Collection[int]],
        k: int,
        *,
        explain: bool = True,
    ) -> Fast | None:
        """One request's top k, their scores and (with ``explain``) triggers, or ``None``.

        ``anchors`` are distinct and ascending, with their ``weights`` (``None``: all 1);
        ``failing`` gives the items the filters leave out (asked only when this path answers).
        What the numpy path gives, to the last bit: a candidate's sum adds its anchors' terms in
        ascending anchor order starting from 0.0 (as ``np.bincount`` and scipy's product do),
        then multiplies by the same candidate factor; the ranking is score descending, then item
        ascending; the trigger is the first anchor with the largest term. ``None`` (the numpy
        path answers) for more than ``_FAST_ENTRIES`` entries, or for one anchor with a row
        longer than ``_FAST_ROW``.
        """
        if not anchors:
            return [], [], []
        lengths = self.lengths
        if len(anchors) == 1 and (weights is None or weights[0] == 1.0):
            anchor = anchors[0]
            if lengths[anchor] > _FAST_ROW:
                return None
            left_out = failing()
            items: list[int] = []
            values: list[float] = []
            for value, item in self.ranked_row(anchor):
                if item not in left_out:
                    items.append(item)
                    values.append(value)
                    if len(items) == k:
                        break
            return items, values, [anchor] * len(items)
        if sum(lengths[a] for a in anchors) > _FAST_ENTRIES:
            return None
        sums: dict[int, float] = {}
        get = sums.get
        rows = [self.row(anchor) for anchor in anchors]
        if weights is None:
            for row in rows:
                for item, term in row.items():
                    sums[item] = get(item, 0.0) + term
        else:
            for row, weight in zip(rows, weights, strict=True):
                for item, term in row.items():
                    sums[item] = get(item, 0.0) + weight * term
        left_out = failing()
        if len(left_out) <= len(sums):
            for item in left_out:
                sums.pop(item, None)
        else:
            sums = {item: value for item, value in sums.items() if item not in left_out}
        penalties = self.penalties()
        if penalties is None:
            best = heapq.nlargest(k, [(value, -item) for item, value in sums.items()])
        else:
            penalty = penalties[0] if len(anchors) == 1 else penalties[1]
            best = heapq.nlargest(
                k, [(value * penalty[item], -item) for item, value in sums.items()]
            )
        while best and not best[-1][0] > 0:  # not a candidate (every other one ranks first)
            best.pop()
        chosen = [-negative for _, negative in best]
        triggers = self.triggers(chosen, anchors, weights, rows) if explain else []
        return chosen, [value for value, _ in best], triggers

    def triggers_if_cheap(
        self, items: list[int], anchors: list[int], weights: list[float] | None
    ) -> list[int] | None:
        """``triggers`` when the rows are kept as dicts and the lookups few; else ``None``.

        With every row a dict (``_EAGER_ENTRIES``) and at most ``_PYTHON_LOOKUPS`` (item,
        anchor) pairs, dict lookups cost less than numpy's binary search; the result is the same.
        """
        if self.entries > _EAGER_ENTRIES or len(items) * len(anchors) > _PYTHON_LOOKUPS:
            return None
        return self.triggers(items, anchors, weights, [self.row(a) for a in anchors])

    @staticmethod
    def triggers(
        items: list[int],
        anchors: list[int],
        weights: list[float] | None,
        rows: list[dict[int, float]],
    ) -> list[int]:
        """For each item, the first anchor whose (weighted) term is largest, or -1."""
        found = []
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
            found.append(trigger)
        return found


def row_views(
    indptr: IntArray, indices: IntArray, data: FloatArray
) -> tuple[list[IntArray], list[FloatArray]]:
    """Each row's columns and scores as views of the CSR arrays."""
    bounds = indptr.tolist()
    pairs = list(itertools.pairwise(bounds))
    return [indices[a:b] for a, b in pairs], [data[a:b] for a, b in pairs]
