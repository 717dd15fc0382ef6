"""One request of an item-neighbourhood strategy, compiled: sums, filters, top k, triggers.

A single request to ``FrequentlyBoughtTogether``, ``PurchaseHistory`` or ``ViewedItems`` adds
up a few rows of the item-to-item matrix, drops the filtered items, keeps the k best and finds
which anchor gave each of them the most. In numpy that is a dozen small array operations, each
costing a microsecond or two of call overhead whatever its size; compiled, the whole request is
one loop over the anchors' entries and one over the vocabulary. With numba installed (the
``jit`` extra) the loop is compiled on first use (about a second, then cached on disk next to
this module, or in numba's cache directory when that is not writable) and every single request
goes through it; without numba, or with ``SHOPKIT_JIT=0`` in the environment, the numpy path
is used. Both give the same items, scores (to the last bit) and triggers: the sums add each
candidate's terms in ascending anchor order starting from 0.0, as ``np.bincount`` does, then
multiply by the candidate factor; the ranking is score descending, then item ascending; the
trigger is the first anchor with the largest term (``tests/recommend/test_kernel.py``).
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["jit_top"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

Kernel = Callable[..., tuple[IntArray, FloatArray, IntArray]]


def _top_with_triggers(
    indptr: IntArray,
    indices: IntArray,
    data: FloatArray,
    items: IntArray,
    given: FloatArray,
    penalty_single: FloatArray,
    penalty_multi: FloatArray,
    failing: IntArray,
    k: int,
    explain: bool,
) -> tuple[IntArray, FloatArray, IntArray]:  # pragma: no cover - run compiled by numba
    """The k best items of one request, their scores and (with ``explain``) their triggers.

    ``items`` are the request's anchors as the strategy gives them (in any order, an item
    perhaps more than once) and ``given`` their weights, or empty when every anchor weighs 1
    (its terms are then not multiplied, as the numpy path does not multiply them). Anchors are
    made distinct and ascending, the weights of one anchor summed in input order (as
    ``np.add.at`` sums them). ``failing`` lists items that may not be returned.
    """
    weighted = len(given) > 0
    order = np.argsort(items, kind="mergesort")  # stable: one anchor's weights in input order
    anchors = np.empty(len(items), np.int64)
    weights = np.zeros(len(items), np.float64)
    m = 0
    for position in order:
        anchor = items[position]
        if m == 0 or anchors[m - 1] != anchor:
            anchors[m] = anchor
            m += 1
        if weighted:
            weights[m - 1] += given[position]
    penalty = penalty_single if m == 1 else penalty_multi
    n = len(penalty)
    sums = np.zeros(n)
    for position in range(m):
        anchor = anchors[position]
        weight = weights[position]
        if weighted:
            for entry in range(indptr[anchor], indptr[anchor + 1]):
                sums[indices[entry]] += weight * data[entry]
        else:
            for entry in range(indptr[anchor], indptr[anchor + 1]):
                sums[indices[entry]] += data[entry]
    for item in failing:
        sums[item] = 0.0
    top = np.empty(k, np.int64)
    values = np.empty(k, np.float64)
    count = 0
    threshold = 0.0  # what a score must beat to enter: 0 until k are found, then the k-th
    for item in range(n):
        value = sums[item] * penalty[item]
        if value > threshold:
            # insert, keeping score descending; an equal score stays after (item ascending)
            slot = count if count < k else k - 1
            while slot > 0 and values[slot - 1] < value:
                values[slot] = values[slot - 1]
                top[slot] = top[slot - 1]
                slot -= 1
            values[slot] = value
            top[slot] = item
            if count < k:
                count += 1
            if count == k:
                threshold = values[k - 1]
    triggers = np.full(count, -1, np.int64)
    if explain and count:
        entries = 0
        for position in range(m):
            entries += indptr[anchors[position] + 1] - indptr[anchors[position]]
        if entries <= 64 * count * m:
            # a second walk over the same entries (now in cache), looking at the top items only
            rank_of = np.full(n, -1, np.int32)
            for rank in range(count):
                rank_of[top[rank]] = rank
            best = np.zeros(count)
            for position in range(m):
                anchor = anchors[position]
                weight = weights[position]
                for entry in range(indptr[anchor], indptr[anchor + 1]):
                    rank = rank_of[indices[entry]]
                    if rank >= 0:
                        term = weight * data[entry] if weighted else data[entry]
                        if term > best[rank]:  # the first anchor with the largest term
                            best[rank] = term
                            triggers[rank] = anchor
        else:
            # long rows: look each top item up in each anchor's row (columns ascending)
            for rank in range(count):
                item = top[rank]
                largest = 0.0
                for position in range(m):
                    anchor = anchors[position]
                    low = indptr[anchor]
                    high = indptr[anchor + 1]
                    while low < high:
                        middle = (low + high) >> 1
                        if indices[middle] < item:
                            low = middle + 1
                        else:
                            high = middle
                    if low < indptr[anchor + 1] and indices[low] == item:
                        term = weights[position] * data[low] if weighted else data[low]
                        if term > largest:  # the first anchor with the largest term
                            largest = term
                            triggers[rank] = anchor
    return top[:count], values[:count], triggers


@functools.cache
def jit_top() -> Kernel | None:
    """The compiled kernel, or ``None`` without numba or with ``SHOPKIT_JIT=0``.

    Looked up once per process; the kernel itself is compiled on its first call.
    """
    if os.environ.get("SHOPKIT_JIT", "1").strip().lower() in {"0", "false", "no", "off"}:
        return None
    try:
        numba: Any = importlib.import_module("numba")
    except ImportError:
        return None
    try:
        compiled: Kernel = numba.njit(cache=True, nogil=True)(_top_with_triggers)
    except RuntimeError:  # no writable place for the cache: compile in memory, each process
        compiled = numba.njit(cache=False, nogil=True)(_top_with_triggers)
    return compiled
