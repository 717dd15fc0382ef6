"""``shopkit clv``: predictive customer lifetime value from an orders file.

Reads orders in the Online Retail layout (cancellations are refunds), summarises every
customer's repeat purchases in days, fits BG/NBD (or MBG/NBD) and Gamma-Gamma, and prints the
fitted parameters and the customers of highest predicted value: probability alive, expected
purchases over the horizon and the discounted CLV, rounded half-up to the currency's minor
unit. ``--plot DIR`` writes the pictures of the fit as PNG (matplotlib, the ``plots`` extra).

``shopkit.metrics`` (and with it numpy and scipy) is imported when the command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from shopkit.cli import _io

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    """Add the ``clv`` command to the ``shopkit`` parser's subparsers."""
    command = subparsers.add_parser(
        "clv", help="predictive customer lifetime value (BG/NBD and Gamma-Gamma) from orders"
    )
    command.add_argument("orders", help="orders in the Online Retail CSV layout (gzipped or not)")
    command.add_argument(
        "--at",
        type=_io.moment,
        help="end of the observation (default: the day after the last order)",
    )
    command.add_argument(
        "--model", choices=["bg-nbd", "mbg-nbd"], default="bg-nbd", help="the purchase model"
    )
    command.add_argument(
        "--periods", type=int, default=12, help="how many periods ahead (default: 12)"
    )
    command.add_argument(
        "--period-days", type=float, default=30.0, help="days in a period (default: 30)"
    )
    command.add_argument(
        "--discount-rate",
        type=float,
        default=0.01,
        help="discount rate per period, from 0 to 1 (default: 0.01)",
    )
    command.add_argument("--top", type=int, default=10, help="customers shown (default: 10)")
    command.add_argument("--currency", help="the currency of the spend, if there are several")
    command.add_argument("--format", choices=["table", "json"], default="table")
    command.add_argument("--plot", metavar="DIR", help="write the pictures of the fit to DIR")
    command.add_argument("--locale", default="en_GB", type=_io.locale, help="CLDR locale")
    command.set_defaults(run=_clv)


def _clv(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.table import Table

    from shopkit import ShopkitError, ValidationError
    from shopkit.cli import _render
    from shopkit.datasets import read_online_retail
    from shopkit.metrics import (
        BgNbd,
        CustomerPartial,
        GammaGamma,
        MbgNbd,
        clv,
        plot_p_alive,
        plot_repeat_purchases,
        to_money,
    )

    if args.top < 0:
        raise ValidationError(f"{args.top} is negative", field="--top", value=args.top)
    out = _render.console()
    with _render.progress(out) as progress:
        task = progress.add_task("reading the orders", total=4)
        try:
            data = read_online_retail(args.orders)
        except ShopkitError as error:
            if error.field == "path":
                raise ValidationError(error.message, field="orders", value=args.orders) from None
            raise
        progress.update(task, completed=1, description="summarising the customers")
        if not len(data.orders):
            raise ValidationError("has no orders", field="orders", value=args.orders)
        at = args.at
        if at is None:
            last = dt.datetime.fromtimestamp(int(data.orders.at.max()), dt.UTC)
            at = dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
        summary = CustomerPartial.of(data.orders, data.refunds).repeat(at, currency=args.currency)
        if not len(summary) or summary.currency is None:
            raise ValidationError(
                "has no priced order of a known customer before --at", field="orders"
            )
        progress.update(task, completed=2, description="fitting")
        model = (MbgNbd if args.model == "mbg-nbd" else BgNbd).fit_summary(summary)
        spend = GammaGamma.fit_summary(summary)
        progress.update(task, completed=3, description="predicting")
        horizon = args.periods * args.period_days
        value = clv(
            model,
            spend,
            summary,
            periods=args.periods,
            period_length=args.period_days,
            discount_rate=args.discount_rate,
        )
        alive = model.p_alive(summary.frequency, summary.recency, summary.T)
        expected = model.expected_purchases(horizon, summary.frequency, summary.recency, summary.T)
        progress.update(task, completed=4)
    currency = summary.currency
    order = np.lexsort((np.arange(len(value)), -value))[: args.top]
    rows = [
        {
            "customer": summary.customers[i],
            "frequency": int(summary.frequency[i]),
            "recency_days": int(summary.recency[i]),
            "age_days": int(summary.T[i]),
            "p_alive": round(float(alive[i]), 6),  # float-ok: a prediction
            "expected_purchases": round(float(expected[i]), 6),  # float-ok: a prediction
            "clv": to_money(float(value[i]), currency),  # float-ok: a prediction
        }
        for i in order
    ]
    parameters = {
        model.name: {name: getattr(model, name) for name in ("r", "alpha", "a", "b")},
        "Gamma-Gamma": {"p": spend.p, "q": spend.q, "v": spend.v},
    }
    pictures = []
    if args.plot:
        folder = Path(args.plot)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ValidationError(
                f"cannot make {folder}: {error.strerror or error}", field="--plot"
            ) from None
        pictures = [
            plot_repeat_purchases(model, summary, folder / "repeat_purchases.png"),
            plot_p_alive(model, summary, folder / "p_alive.png"),
        ]
    total = to_money(float(value.sum()), currency)  # float-ok: a prediction
    if args.format == "json":
        _io.write_json(
            {
                "at": at.isoformat(),
                "customers": len(summary),
                "parameters": parameters,
                "horizon_days": horizon,
                "total_clv": total,
                "top": rows,
                "pictures": [str(path) for path in pictures],
            }
        )
        return 0
    out.print(
        f"{len(summary)} customers as of {at.isoformat()}, "
        f"{int((summary.frequency > 0).sum())} with a repeat purchase; days as the time unit"
    )
    fitted = Table(title="Fitted parameters")
    for column in ("model", "parameters"):
        fitted.add_column(column)
    for name, values in parameters.items():
        fitted.add_row(name, ", ".join(f"{key} = {number:.6g}" for key, number in values.items()))
    out.print(fitted)
    table = Table(
        title=f"Highest predicted value over {args.periods} × {args.period_days:g} days, "
        f"discounted at {args.discount_rate:g} per period"
    )
    for column in ("customer", "repeat days", "recency", "age", "p alive", "expected", "CLV"):
        table.add_column(column, justify="left" if column == "customer" else "right")
    for row in rows:
        table.add_row(
            row["customer"],
            str(row["frequency"]),
            str(row["recency_days"]),
            str(row["age_days"]),
            f"{row['p_alive']:.3f}",
            f"{row['expected_purchases']:.2f}",
            row["clv"].format(args.locale),
        )
    out.print(table)
    out.print(f"Total predicted value of all customers: {total.format(args.locale)}")
    for path in pictures:
        out.print(f"wrote {path}")
    return 0
