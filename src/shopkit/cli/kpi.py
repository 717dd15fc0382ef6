"""``shopkit kpi``: the KPI dashboard of an orders file, broken down, as a table or JSON.

A breakdown (``--by``) shows orders, revenue, AOV, repeat purchase rate and retention per
group as a table, and every KPI of the dashboard in JSON.

``shopkit.metrics`` (and numpy) is imported when the command runs. The orders are read with
``shopkit.metrics.load_orders`` (the plain layout, or Online Retail with its cancellations as
refunds), cut into chunks whose partial results are merged — the same code a distributed run
maps over partitions — with a progress bar on a terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import typing
from pathlib import Path
from typing import Any, Final

from shopkit.cli import _io
from shopkit.errors import ValidationError

if typing.TYPE_CHECKING:
    from rich.console import Console

    from shopkit.metrics import KpiTable, ShopData

__all__ = ["BY_CHOICES", "CHUNK_ROWS", "add_commands"]

BY_CHOICES: Final = ("channel", "region", "segment", "day", "week", "month")
"""What ``--by`` can break the dashboard down by."""

CHUNK_ROWS: Final = 100_000
"""Order lines per chunk: each chunk's partial is computed on its own, then all are merged."""


def _day(value: str) -> dt.datetime:
    """A date (``2011-01-31``, midnight UTC) or a date-time with a UTC offset."""
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not an ISO 8601 date or date-time", value=value
        ) from None
    if at.tzinfo is None:
        if len(value) > 10:
            raise ValidationError(f"{value!r} has no UTC offset (add +00:00 or Z)", value=value)
        at = at.replace(tzinfo=dt.UTC)
    return at


_day_option = _io.option(_day)


def add_commands(subparsers: Any) -> None:
    """Add the ``kpi`` command to the ``shopkit`` parser's subparsers."""
    kpi = subparsers.add_parser(
        "kpi", help="the KPI dashboard of an orders file (plain layout or Online Retail)"
    )
    kpi.add_argument("orders", help="the orders CSV (gzipped or not)")
    kpi.add_argument(
        "--from", dest="start", type=_day_option, help="the first day counted (2011-01-01, UTC)"
    )
    kpi.add_argument("--to", dest="end", type=_day_option, help="the first day not counted")
    kpi.add_argument("--by", choices=BY_CHOICES, help="break the KPIs down by this too")
    kpi.add_argument("--kpis", help='the dashboard\'s KPIs, a JSON list such as [{"type": "aov"}]')
    kpi.add_argument("--format", choices=["table", "json"], default="table")
    kpi.add_argument(
        "--plot", metavar="DIR", help="write cohorts.png and trend.png (matplotlib) into DIR"
    )
    kpi.set_defaults(run=_kpi)


def _chunks(data: ShopData) -> list[ShopData]:
    """The data cut into chunks of ``CHUNK_ROWS`` order lines; the refunds go in the first."""
    import attrs
    import numpy as np

    from shopkit.metrics import ShopData

    orders = data.orders
    if orders is None or len(orders) <= CHUNK_ROWS:
        return [data]
    chunks = []
    for start in range(0, len(orders), CHUNK_ROWS):
        part = slice(start, start + CHUNK_ROWS)
        columns = {
            field.name: getattr(orders, field.name)[part]
            for field in attrs.fields(type(orders))
            if isinstance(getattr(orders, field.name), np.ndarray)
        }
        chunks.append(
            ShopData(
                orders=attrs.evolve(orders, **columns), refunds=data.refunds if not start else None
            )
        )
    return chunks


def _show(table: KpiTable, title: str, out: Console) -> None:
    from rich.table import Table

    from shopkit.metrics import format_cell

    shown = Table(title=title)
    for index, column in enumerate(table.columns):
        shown.add_column(column, justify="left" if index == 0 else "right")
    for row in table.rows:
        shown.add_row(*(format_cell(cell) for cell in row))
    out.print(shown)


def _kpi(args: argparse.Namespace) -> int:
    from shopkit.cli import _render
    from shopkit.metrics import (
        AverageOrderValue,
        Breakdown,
        CohortRetention,
        Dashboard,
        GrossMerchandiseValue,
        Kpi,
        OrderCount,
        RepeatPurchaseRate,
        Retention,
        Revenue,
        Window,
        load_orders,
        plot_cohorts,
        plot_trend,
    )

    window = None
    if args.start is not None or args.end is not None:
        if args.start is None or args.end is None:
            raise ValidationError("--from and --to go together", field="--from", value=None)
        window = Window(args.start, args.end)
    out = _render.console()
    reading = out.status(f"reading {args.orders}") if out.is_terminal else contextlib.nullcontext()
    with reading:
        data = load_orders(args.orders)
    chunks = _chunks(data)
    dashboard = Dashboard(_io.read(args.kpis, list[Kpi], "kpis")) if args.kpis else Dashboard()
    shown = (OrderCount(), Revenue(), AverageOrderValue(), RepeatPurchaseRate(), Retention())
    breakdown = (
        Breakdown(shown if args.format == "table" else dashboard.kpis, args.by) if args.by else None
    )
    cohorts = CohortRetention()
    partials, broken, cohort_parts = [], [], []
    with _render.progress(out) as progress:
        task = progress.add_task("summarising", total=len(chunks))
        for chunk in chunks:
            partials.append(dashboard.partial(chunk))
            if breakdown is not None:
                broken.append(breakdown.partial(chunk))
            if args.plot:
                cohort_parts.append(cohorts.partial(chunk))
            progress.advance(task)
    table = dashboard.merge(partials).result(window)
    by = None if breakdown is None else breakdown.merge(broken).result(window)
    if args.format == "json":
        _io.write_json({"kpis": table, **({} if by is None else {"by": by})})
    else:
        _show(table, f"KPIs of {Path(args.orders).name}", out)
        if by is not None:
            _show(by, f"by {args.by}", out)
    if args.plot:
        folder = Path(args.plot)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ValidationError(
                f"cannot make {folder}: {error.strerror or error}", field="--plot", value=args.plot
            ) from None
        period = args.by if args.by in ("day", "week", "month") else "month"
        trend = Breakdown([Revenue(), GrossMerchandiseValue()], period).compute(data, window)
        found = cohorts.merge(cohort_parts).result(window)
        written = []
        if found.cohorts:
            written.append(plot_cohorts(found, folder / "cohorts.png"))
        if len(trend.columns) > 1:
            written.append(plot_trend(trend, trend.columns[1], folder / "trend.png"))
        if args.format == "table":
            for path in written:
                out.print(f"wrote {path}")
    return 0
