"""Map a per-chunk function over a Dask DataFrame's partitions and merge the partials in a tree.

``run`` builds one task per partition (the chunk's partial, from shopkit's own per-chunk
function) and merges them ``FAN_IN`` at a time, neighbours with neighbours, so the merged
vocabularies list names in the order of the partitions — the order of first appearance that
the single-machine path gives over the same rows. Only the merged partial comes back to the
caller; the scheduler is whatever Dask uses (a ``distributed.Client``, or the one set with
``dask.config.set(scheduler=...)``).

A computation that needs a key kept whole (an order's lines for baskets, a customer's orders
for per-customer results) gets it from ``whole``: the partitioning the caller promises, or else
a shuffle on the key. A shuffle scatters the rows, so each row is numbered first (``_row``:
the partition's number, then the row's place in it); a chunk puts its rows back in that order,
and the first row of every name is carried with the partial (``Firsts``) so that the merged
vocabularies can be put back into order of first appearance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import dask.dataframe as dd
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from dask.base import compute
from dask.delayed import delayed

from shopkit.errors import ValidationError

__all__ = [
    "FAN_IN",
    "ROW",
    "Firsts",
    "Whole",
    "check_frame",
    "check_whole",
    "firsts_order",
    "kept_whole",
    "run",
]

FAN_IN: Final = 8
"""How many partials one merge task combines."""
ROW: Final = "_row"
"""The column a shuffled row's original place is carried in."""

Whole = Literal["order", "customer"] | None
Firsts = dict[str, dict[str, int]]
"""For some name columns, each name's first row (``ROW`` value) in a chunk."""

_SATISFIES: Mapping[str, frozenset[str]] = {
    "order": frozenset({"order", "customer"}),  # a customer's orders whole: each order too
    "customer": frozenset({"customer"}),
}


def check_frame(frame: object, field: str, columns: Iterable[str]) -> dd.DataFrame:
    """``frame`` if it is a Dask DataFrame with ``columns``.

    Raises:
        ValidationError: it is something else, or a column is missing.
    """
    if not isinstance(frame, dd.DataFrame):
        raise ValidationError(
            f"{type(frame).__name__} is not a Dask DataFrame", field=field, value=None
        )
    for name in columns:
        if name not in frame.columns:
            raise ValidationError(f"has no column {name!r}", field=f"{field}.columns", value=name)
    return frame


def check_whole(whole: object) -> Whole:
    """``whole`` if it is ``"order"``, ``"customer"`` or ``None``.

    Raises:
        ValidationError: it is something else.
    """
    if whole is not None and whole not in _SATISFIES:
        raise ValidationError(
            f"{whole!r} is not 'order', 'customer' or None", field="whole", value=whole
        )
    return whole  # type: ignore[return-value]


def _number(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    rows = (np.int64(number) << np.int64(32)) + np.arange(len(part), dtype=np.int64)
    return part.assign(**{ROW: rows})


def kept_whole(frame: dd.DataFrame, key: str, whole: Whole) -> tuple[dd.DataFrame, bool]:
    """``frame`` partitioned so that every value of ``key`` is in one partition.

    Returns:
        The frame as it is when ``whole`` already promises it, else the frame numbered and
        shuffled on ``key``; and whether it was shuffled.
    """
    if whole is not None and whole in _SATISFIES[key]:
        return frame, False
    meta = frame._meta.assign(**{ROW: np.zeros(0, dtype=np.int64)})
    numbered = frame.map_partitions(_number, meta=meta)  # type: ignore[no-untyped-call]
    return numbered.shuffle(on=key), True  # rows without a key (guests) go to one partition


def in_order(part: pd.DataFrame) -> pd.DataFrame:
    """A shuffled chunk's rows back in their original order, without the ``ROW`` column."""
    return part.sort_values(ROW, kind="stable").drop(columns=[ROW])


def firsts_of(part: pd.DataFrame, columns: Sequence[str]) -> Firsts:
    """The first row of every name in each of ``columns`` of a numbered chunk."""
    result: Firsts = {}
    for name in columns:
        if name not in part.columns:
            result[name] = {}
            continue
        first = part.groupby(part[name], sort=False, dropna=True)[ROW].min()
        result[name] = {str(key): int(value) for key, value in first.items()}
    return result


def merge_firsts(parts: Sequence[Firsts]) -> Firsts:
    """The earliest first row of every name over chunks."""
    result: Firsts = {}
    for part in parts:
        for name, rows in part.items():
            into = result.setdefault(name, {})
            for key, row in rows.items():
                if key not in into or row < into[key]:
                    into[key] = row
    return result


def firsts_order(names: Sequence[str], firsts: Mapping[str, int]) -> np.ndarray[Any, Any]:
    """The permutation that lists ``names`` by their first row (the single-machine order)."""
    rows = np.fromiter((firsts[name] for name in names), dtype=np.int64, count=len(names))
    return np.argsort(rows, kind="stable")


def _chunk(part: pd.DataFrame, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return function(part, *args)


def _numbered_chunk(
    part: pd.DataFrame, function: Callable[..., Any], args: tuple[Any, ...], names: Sequence[str]
) -> tuple[Any, Firsts]:
    return function(in_order(part), *args), firsts_of(part, names)


def _merge(parts: list[Any], merge: Callable[[list[Any]], Any]) -> Any:
    return merge(parts)


def _numbered_merge(
    parts: list[tuple[Any, Firsts]], merge: Callable[[list[Any]], Any]
) -> tuple[Any, Firsts]:
    return merge([part for part, _ in parts]), merge_firsts([firsts for _, firsts in parts])


def run(
    frame: dd.DataFrame,
    chunk: Callable[..., Any],
    merge: Callable[[list[Any]], Any],
    *args: Any,
    names: Sequence[str] | None = None,
) -> Any:
    """Compute ``chunk(partition, *args)`` for every partition and merge the results in a tree.

    Args:
        frame: The partitions.
        chunk: The per-chunk function (a module-level function: workers unpickle it).
        merge: Merges a list of partials, in order, into one.
        args: Passed to ``chunk`` after the partition.
        names: For a shuffled frame: the name columns whose first rows to carry; the result is
            then ``(partial, Firsts)``.

    Returns:
        The merged partial (with its ``Firsts`` when ``names`` is given).
    """
    partitions = frame.to_delayed()  # type: ignore[no-untyped-call]
    if names is None:
        tasks = [delayed(_chunk)(part, chunk, args) for part in partitions]
        combine: Callable[..., Any] = _merge
    else:
        tasks = [delayed(_numbered_chunk)(part, chunk, args, names) for part in partitions]
        combine = _numbered_merge
    while len(tasks) > 1:
        tasks = [
            delayed(combine)(tasks[start : start + FAN_IN], merge)
            for start in range(0, len(tasks), FAN_IN)
        ]
    (result,) = compute(tasks[0])  # type: ignore[no-untyped-call]
    return result
