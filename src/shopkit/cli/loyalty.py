"""``shopkit loyalty``: a customer's status, the tier distribution, and a what-if replay.

``shopkit.loyalty`` (and numpy) is imported when one of these commands runs, not when the
parser is built.

- ``shopkit loyalty status PROGRAMME LEDGER --customer C --at TIME``: the tier, what it takes
  to reach the next one and to keep this one, the points by lot, pending and expiring;
- ``shopkit loyalty tiers PROGRAMME ORDERS --at TIME``: every customer's tier from an orders
  file in the Online Retail layout, as a table and a bar chart;
- ``shopkit loyalty what-if PROGRAMME NEW_PROGRAMME LEDGER [--at TIME]``: who moves tier and
  how points, liability and tier discounts change, per tier and in total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import typing
from typing import Any

from shopkit.cli import _io

if typing.TYPE_CHECKING:
    from rich.console import Console

    from shopkit.loyalty import Ledger, Programme

__all__ = ["add_commands"]

_BAR = 40


def add_commands(subparsers: Any) -> None:
    """Add the ``loyalty`` command family to the ``shopkit`` parser's subparsers."""
    loyalty = subparsers.add_parser("loyalty", help="loyalty status, tiers and what-if replays")
    commands = loyalty.add_subparsers(dest="loyalty_command", required=True, metavar="COMMAND")

    status = commands.add_parser("status", help="a customer's status as of a moment")
    status.add_argument("programme", help="the programme, as JSON or TOML")
    status.add_argument("ledger", help="the ledger's events, as a JSON list")
    status.add_argument("--customer", required=True, help="the customer id")
    status.add_argument("--at", type=_io.moment, required=True, help="ISO 8601 with an offset")
    status.add_argument("--expiring-days", type=int, default=30, help="(default: 30)")
    status.add_argument("--format", choices=["table", "json"], default="table")
    status.add_argument("--locale", default="en_GB", type=_io.locale, help="CLDR locale")
    status.set_defaults(run=_status)

    tiers = commands.add_parser("tiers", help="every customer's tier from an orders file")
    tiers.add_argument("programme", help="the programme, as JSON or TOML")
    tiers.add_argument("orders", help="orders in the Online Retail CSV layout")
    tiers.add_argument("--at", type=_io.moment, help="the moment (default: the last order's)")
    tiers.add_argument("--format", choices=["table", "json"], default="table")
    tiers.set_defaults(run=_tiers)

    what_if = commands.add_parser("what-if", help="replay a changed programme over a ledger")
    what_if.add_argument("programme", help="the current programme")
    what_if.add_argument("new_programme", metavar="NEW_PROGRAMME", help="the changed programme")
    what_if.add_argument("ledger", help="the ledger's events, as a JSON list")
    what_if.add_argument("--at", type=_io.moment, help="the moment (default: the last event's)")
    what_if.add_argument("--format", choices=["table", "json"], default="table")
    what_if.add_argument("--locale", default="en_GB", type=_io.locale, help="CLDR locale")
    what_if.set_defaults(run=_what_if)


def _programme(path: str, what: str = "programme") -> Programme:
    from shopkit.loyalty import Programme

    programme: Programme = _io.read(path, Programme, what)
    return programme


def _ledger(programme: Programme, path: str) -> Ledger:
    from shopkit.loyalty import Ledger, LedgerEvent

    events = _io.read(path, list[LedgerEvent], "ledger")
    try:
        return Ledger(programme, events)
    except Exception as error:
        from shopkit import ShopkitError

        if isinstance(error, ShopkitError):
            raise error.at("ledger") from None
        raise


def _console() -> Console:
    from shopkit.cli import _render

    return _render.console()


def _status(args: argparse.Namespace) -> int:
    programme = _programme(args.programme)
    ledger = _ledger(programme, args.ledger)
    status = ledger.status(args.customer, args.at)
    if args.format == "json":
        from shopkit import converter

        _io.write_json(converter.unstructure(status))
        return 0
    from rich.table import Table

    out = _console()
    money = programme.measure_value
    shown = money(0)
    measure = (
        status.measure.format(args.locale)
        if hasattr(status.measure, "format")
        else f"{status.measure} orders"
    )
    out.print(
        f"[bold]{status.customer}[/bold] as of {status.at.isoformat()}: "
        f"tier [bold]{status.tier or 'none'}[/bold] ({measure} counted)"
    )
    if status.next_tier is not None:
        out.print(f"  next: {status.next_tier.describe()}")
    if status.keep is not None:
        out.print(f"  keep: {status.keep.describe()}")
    out.print(
        f"  points: {status.balance} available, {status.pending} pending, "
        f"{status.expiring_within(args.expiring_days)} expiring within "
        f"{args.expiring_days} days"
    )
    table = Table(title="Lots of points, oldest first")
    for column in ("From", "Earned", "Left", "Available", "Expires"):
        table.add_column(column, justify="right" if column in ("Earned", "Left") else "left")
    for lot in (*status.lots, *status.pending_lots):
        table.add_row(
            lot.source,
            str(lot.earned),
            str(lot.points),
            lot.available_at.date().isoformat(),
            lot.expires_at.date().isoformat() if lot.expires_at else "never",
        )
    out.print(table)
    if status.badges:
        out.print(
            "  badges: " + ", ".join(f"{b.name} ({b.earned_at.date()})" for b in status.badges)
        )
    del shown
    return 0


def _tiers(args: argparse.Namespace) -> int:
    from shopkit.datasets import read_online_retail
    from shopkit.loyalty import tier_table

    programme = _programme(args.programme)
    from shopkit.cli.recommend import _from

    data = _from("orders", read_online_retail, args.orders)
    at = args.at
    if at is None:
        last = int(data.orders.at.max()) if len(data.orders.at) else 0
        at = dt.datetime.fromtimestamp(last, dt.UTC)
    table = tier_table(programme, data.orders, at, refunds=data.refunds)
    counts = table.counts()
    if args.format == "json":
        _io.write_json(
            {
                "at": at.isoformat(),
                "customers": len(table.customers),
                "tiers": {str(name): count for name, count in counts.items()},
            }
        )
        return 0
    from rich.table import Table

    out = _console()
    total = max(sum(counts.values()), 1)
    widest = max(counts.values(), default=1) or 1
    chart = Table(title=f"Tiers of {len(table.customers):,} customers as of {at.isoformat()}")
    chart.add_column("Tier")
    chart.add_column("Customers", justify="right")
    chart.add_column("Share", justify="right")
    chart.add_column("")
    for name, count in counts.items():
        bar = "█" * round(_BAR * count / widest)
        chart.add_row(name or "(none)", f"{count:,}", f"{100 * count / total:.1f}%", bar)
    out.print(chart)
    return 0


def _what_if(args: argparse.Namespace) -> int:
    from shopkit.loyalty import what_if

    programme = _programme(args.programme)
    changed = _programme(args.new_programme, "new_programme")
    ledger = _ledger(programme, args.ledger)
    at = args.at
    if at is None:
        events = list(ledger.events())
        at = events[-1].moment if events else programme.start
    result = what_if(ledger, changed, at)
    if args.format == "json":
        from shopkit import converter

        _io.write_json(
            {
                "at": at.isoformat(),
                "moves": [converter.unstructure(move) for move in result.moves],
                "before": {str(k): converter.unstructure(v) for k, v in result.before.items()},
                "after": {str(k): converter.unstructure(v) for k, v in result.after.items()},
            }
        )
        return 0
    from rich.table import Table

    out = _console()
    out.print(f"What if, as of {at.isoformat()}: {len(result.moves)} customers move tier")
    if result.moves:
        moves = Table(title="Who moves")
        for column in ("Customer", "Now", "With the change"):
            moves.add_column(column)
        for move in result.moves:
            moves.add_row(move.customer, move.before or "(none)", move.after or "(none)")
        out.print(moves)
    table = Table(title="Per tier: now → with the change")
    for column in ("Tier", "Members", "Points earned", "Liability", "Tier discounts"):
        table.add_column(column, justify="left" if column == "Tier" else "right")
    for name in result.after:
        now, then = result.before.get(name), result.after[name]
        if now is None:
            continue
        table.add_row(
            str(name or "(none)"),
            f"{now.members} → {then.members}",
            f"{now.earned:,} → {then.earned:,}",
            f"{now.liability.format(args.locale)} → {then.liability.format(args.locale)}",
            f"{now.discounts.format(args.locale)} → {then.discounts.format(args.locale)}",
        )
    out.print(table)
    return 0
