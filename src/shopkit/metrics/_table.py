"""``KpiTable``: rows of KPI values with named columns, printable and convertible to JSON.

A cell is a label (``str``), a count (``int``), a rate or score (``float``), an amount
(``Money``, written as ``{"amount": "12.50", "currency": "GBP"}`` in JSON) or ``None`` where
the value is not defined or not observed. ``shopkit.to_json(table)`` writes it through the one
converter; ``str(table)`` lays it out for reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from shopkit import Money
from shopkit.errors import ValidationError

__all__ = ["Cell", "KpiTable", "format_cell"]

Cell = str | int | float | Money | None


def _columns(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _rows(value: Iterable[Sequence[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in value)


def format_cell(value: Cell) -> str:
    """A cell as text: rates with four decimals, money as ``12.50 GBP``, ``—`` for ``None``."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


@attrs.frozen
class KpiTable:
    """A table of KPI values: a breakdown, a dashboard, a cohort table.

    Attributes:
        columns: The column names; the first names what a row is (a channel, a month).
        rows: The rows, each with one cell per column.

    Examples:
        >>> from shopkit import Money, to_json
        >>> from shopkit.metrics import KpiTable
        >>> table = KpiTable(["channel", "aov (GBP)"], [["web", Money.of("12.50", "GBP")]])
        >>> print(table)
        channel  aov (GBP)
        web      12.50 GBP
        >>> to_json(table, indent=None)[:40]
        '{"columns": ["channel", "aov (GBP)"], "r'
    """

    columns: tuple[str, ...] = attrs.field(converter=_columns)
    rows: tuple[tuple[Cell, ...], ...] = attrs.field(converter=_rows)

    def __attrs_post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValidationError(
                    f"has {len(row)} cells, not {len(self.columns)}",
                    field=f"rows[{index}]",
                    value=len(row),
                )

    @classmethod
    def of(cls, first: str, records: Sequence[tuple[Cell, Mapping[str, Cell]]]) -> KpiTable:
        """A table from ``(label, {column: value})`` records; a missing value is ``None``.

        Columns come in the order they are first met.
        """
        names: dict[str, None] = {}
        for _, values in records:
            names.update(dict.fromkeys(values))
        return cls(
            (first, *names),
            [(label, *(values.get(name) for name in names)) for label, values in records],
        )

    def column(self, name: str) -> list[Cell]:
        """The cells of one column, top to bottom.

        Raises:
            ValidationError: there is no such column.
        """
        if name not in self.columns:
            raise ValidationError(
                f"is not a column: {', '.join(self.columns)}", field="column", value=name
            )
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of column to cell."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def __str__(self) -> str:
        text = [list(self.columns), *[[format_cell(cell) for cell in row] for row in self.rows]]
        widths = [max(len(line[i]) for line in text) for i in range(len(self.columns))]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in text
        )
