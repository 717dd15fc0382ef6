"""Mergeable partial results: per-key ``int64`` columns that combine exactly, whatever the chunking.

A partial is a small table with one row per key (an order, a session and sku, a day). Its other
columns say how rows with the same key combine: by sum (counts, amounts in minor units), by
minimum (a first time) or by maximum (a last time, a flag, a name every row agrees on). Names
(order ids, customers, skus) are held once in a vocabulary per column, as in the core tables,
so two chunks' partials merge by remapping their vocabularies and reducing the rows that share
a key. Integer sums are exact and every rule is associative and commutative, so partials merged
in any grouping, from chunks cut anywhere, give the same rows — which is what lets a
distributed engine map ``partial`` over partitions and ``merge`` the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Self

import attrs
import numpy as np
import numpy.typing as npt

from shopkit.errors import ValidationError

__all__ = ["IntArray", "Keyed", "Rule"]

IntArray = npt.NDArray[np.int64]
Rule = Literal["key", "sum", "min", "max"]


def _reducer(rule: Rule) -> np.ufunc:
    if rule == "sum":
        return np.add
    if rule == "min":
        return np.minimum
    return np.maximum


@attrs.frozen(eq=False)
class Keyed:
    """A partial result: one row per key, columns that merge by a rule (the base of summaries).

    A subclass names its columns in ``RULES`` (``"key"``, ``"sum"``, ``"min"`` or ``"max"``)
    and the columns that index a vocabulary in ``NAMED``. Rows are kept reduced: no key twice.

    Attributes:
        columns: Each column's ``int64`` values, one per row.
        vocabularies: For each named column, the names its values index (``-1``: none).
    """

    RULES: ClassVar[Mapping[str, Rule]] = {}
    NAMED: ClassVar[frozenset[str]] = frozenset()

    columns: Mapping[str, IntArray]
    vocabularies: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @classmethod
    def empty(cls) -> Self:
        """A partial with no rows (what an empty chunk gives)."""
        return cls(
            {name: np.zeros(0, dtype=np.int64) for name in cls.RULES},
            dict.fromkeys(cls.NAMED, ()),
        )

    @classmethod
    def build(
        cls, columns: Mapping[str, IntArray], vocabularies: Mapping[str, Sequence[str]]
    ) -> Self:
        """The partial of raw rows: rows with the same key reduced to one by each column's rule.

        Args:
            columns: Every column in ``RULES``, equally long ``int64`` arrays.
            vocabularies: The names of every column in ``NAMED``.
        """
        keys = [name for name, rule in cls.RULES.items() if rule == "key"]
        n = len(columns[keys[0]])
        if n == 0:
            return cls.empty()
        if len(keys) == 1:
            key = columns[keys[0]]
            ordered = bool(np.all(key[1:] >= key[:-1]))
            order = None if ordered else np.argsort(key, kind="stable")
            sorted_key = key if order is None else key[order]
            change = sorted_key[1:] != sorted_key[:-1]
        else:
            order = np.lexsort([columns[name] for name in reversed(keys)])
            change = np.zeros(n - 1, dtype=bool)
            for name in keys:
                column = columns[name][order]
                change |= column[1:] != column[:-1]
        starts = np.flatnonzero(np.concatenate(([True], change)))
        inner = ~change  # neighbouring rows of the same key
        reduced: dict[str, IntArray] = {}
        for name, rule in cls.RULES.items():
            column = np.asarray(columns[name], dtype=np.int64)
            if order is not None:
                column = column[order]
            if rule == "key" or len(starts) == n:
                reduced[name] = column[starts] if rule == "key" else column
            elif rule == "sum" and not column.any():
                reduced[name] = np.zeros(len(starts), dtype=np.int64)
            elif rule != "sum" and not np.any((column[1:] != column[:-1]) & inner):
                reduced[name] = column[starts]  # the same on every row of a key: min = max
            else:
                reduced[name] = _reducer(rule).reduceat(column, starts)
        return cls(reduced, {name: tuple(vocabularies[name]) for name in cls.NAMED})

    @classmethod
    def merge(cls, parts: Sequence[Self]) -> Self:
        """Combine partials of chunks into one; the same rows whatever the grouping or order.

        Raises:
            ValidationError: an entry is not a partial of this type.
        """
        parts = list(parts)
        for index, part in enumerate(parts):
            if not isinstance(part, cls):
                raise ValidationError(
                    f"{part!r} is not a {cls.__name__}", field=f"partials[{index}]", value=None
                )
        if not parts:
            return cls.empty()
        parts = [part for part in parts if len(part)] or parts[:1]  # an empty chunk adds nothing
        if len(parts) == 1:
            return parts[0]
        vocabularies: dict[str, tuple[str, ...]] = {}
        remapped: dict[str, list[IntArray]] = {name: [] for name in cls.RULES}
        for name in cls.NAMED:
            first = parts[0].vocabularies[name]
            if all(
                part.vocabularies[name] is first or part.vocabularies[name] == first
                for part in parts
            ):  # chunks cut from one table share its vocabularies: nothing to remap
                vocabularies[name] = first
                remapped[name] = [part.columns[name] for part in parts]
                continue
            merged: dict[str, None] = {}
            for part in parts:
                merged.update(dict.fromkeys(part.vocabularies[name]))
            position = {value: index for index, value in enumerate(merged)}
            vocabularies[name] = tuple(merged)
            for part in parts:
                where = np.fromiter(
                    (position[value] for value in part.vocabularies[name]),
                    dtype=np.int64,
                    count=len(part.vocabularies[name]),
                )
                column = part.columns[name]
                if len(where):
                    remapped[name].append(np.where(column >= 0, where[np.maximum(column, 0)], -1))
                else:
                    remapped[name].append(np.full(len(column), -1, dtype=np.int64))
        for name in cls.RULES:
            if name not in cls.NAMED:
                remapped[name] = [part.columns[name] for part in parts]
        return cls.build(
            {name: np.concatenate(arrays) for name, arrays in remapped.items()}, vocabularies
        )

    def __add__(self, other: Self) -> Self:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.merge([self, other])

    def canonical(self) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """The rows as a plain mapping from the key's names to the other columns' values.

        Named columns are given as names (``None`` for ``-1``), so two partials with the same
        content compare equal whatever their vocabularies' order (what the chunking tests use).
        """
        keys = [name for name, rule in self.RULES.items() if rule == "key"]
        others = [name for name, rule in self.RULES.items() if rule != "key"]

        def value(name: str, row: int) -> Any:
            number = int(self.columns[name][row])
            if name in self.NAMED:
                return None if number < 0 else self.vocabularies[name][number]
            return number

        return {
            tuple(value(name, row) for name in keys): tuple(value(name, row) for name in others)
            for row in range(len(self))
        }
