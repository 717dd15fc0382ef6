"""``shopkit ab``: an experiment's results from each arm's counts.

Reads a JSON or TOML document (``shopkit schema`` does not cover it; see the experiments
guide) with the experiment (arms, weights, holdout, primary metric, guardrails) and each arm's
counts, and prints the sample-ratio check, each arm's conversion and money per visitor, and
each treatment's test against the control with its confidence interval and Holm-adjusted
p-value, the guardrails breached, and the smallest conversion rate the experiment's size
detects with 80 % power.

``shopkit.metrics`` (and with it numpy and scipy) is imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from shopkit.cli import _io

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    """Add the ``ab`` command to the ``shopkit`` parser's subparsers."""
    command = subparsers.add_parser("ab", help="an A/B experiment's results from each arm's counts")
    command.add_argument("counts", help="the experiment and its arms' counts, as JSON or TOML")
    command.add_argument(
        "--alpha", type=float, default=0.05, help="1 − the confidence level (default: 0.05)"
    )
    command.add_argument("--format", choices=["table", "json"], default="table")
    command.add_argument(
        "--plot", metavar="DIR", help="write effects.png, the effects and their intervals, to DIR"
    )
    command.add_argument("--locale", default="en_GB", type=_io.locale, help="CLDR locale")
    command.set_defaults(run=_ab)


def _money(value: Any, locale: str) -> str:
    return "—" if value is None else str(value.format(locale))


def _ab(args: argparse.Namespace) -> int:
    from rich.table import Table

    from shopkit import ValidationError
    from shopkit.cli import _render
    from shopkit.metrics import (
        ExperimentCounts,
        analyse,
        minimum_detectable_effect,
        plot_effects,
    )

    if not 0 < args.alpha < 1:
        raise ValidationError(f"{args.alpha} is not between 0 and 1", field="--alpha")
    document: ExperimentCounts = _io.read(args.counts, ExperimentCounts, "counts")
    result = analyse(document.experiment, document.counts, alpha=args.alpha)
    control = result.arms[0]
    mde = None
    if 0 < control.conversion < 1:
        try:
            mde = minimum_detectable_effect(
                control.conversion,
                control.units,
                ratio=min(arm.units for arm in result.arms[1:]) / control.units,
                alpha=args.alpha,
            )
        except ValidationError:
            mde = None
    picture = None
    if args.plot and any(report.test is not None for report in result.arms):
        folder = Path(args.plot)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ValidationError(
                f"cannot make {folder}: {error.strerror or error}", field="--plot"
            ) from None
        picture = plot_effects(result, folder / "effects.png")
    if args.format == "json":
        _io.write_json(
            {
                "analysis": result,
                "minimum_detectable_rate": mde,
                "pictures": [str(picture)] if picture else [],
            }
        )
        return 0
    out = _render.console()
    experiment = result.experiment
    srm = result.sample_ratio
    out.print(
        f"Experiment {experiment.name!r}: primary metric {experiment.primary_metric.value}"
        + (
            f", guardrails {', '.join(m.value for m in experiment.guardrails)}"
            if experiment.guardrails
            else ""
        )
    )
    verdict = "MISMATCH: do not trust the results" if srm.mismatch else "ok"
    out.print(
        f"Sample ratio: χ² = {srm.statistic:.3f}, p = {srm.p_value:.4g} against the weights "
        f"{':'.join(str(arm.weight) for arm in experiment.arms)} — {verdict}"
    )
    arms = Table(title="Arms")
    for column in (
        "arm", "units", "conversion", "revenue / visitor", "margin / visitor",
        "discount / visitor", "AOV",
    ):  # fmt: skip
        arms.add_column(column, justify="left" if column == "arm" else "right")
    for report in result.arms:
        arms.add_row(
            report.arm,
            str(report.units),
            f"{report.conversion:.4%}",
            _money(report.revenue_per_visitor, args.locale),
            _money(report.gross_margin_per_visitor, args.locale),
            _money(report.discount_per_visitor, args.locale),
            _money(report.average_order_value, args.locale),
        )
    out.print(arms)
    tests = [report for report in result.arms[1:] if report.test is not None]
    if tests:
        level = f"{1 - args.alpha:.0%}"
        table = Table(title=f"Conversion against {control.arm!r} (two-proportion z test)")
        for column in ("arm", "difference", f"{level} interval", "z", "p", "p (Holm)"):
            table.add_column(column, justify="left" if column == "arm" else "right")
        for report in tests:
            test = report.test
            assert test is not None  # filtered above; for the type checker
            table.add_row(
                report.arm,
                f"{test.difference:+.4%}",
                f"{test.low:+.4%} … {test.high:+.4%}",
                f"{test.statistic:.3f}",
                f"{test.p_value:.4g}",
                f"{report.adjusted_p_value:.4g}",
            )
        out.print(table)
    else:
        out.print("The primary metric needs each unit's values to be tested; see the guide.")
    for arm, metric in result.guardrail_breaches:
        out.print(f"Guardrail breached: {arm!r} is worse than the control on {metric.value}")
    if mde is not None:
        out.print(
            f"With these units, the smallest conversion rate detectable against "
            f"{control.conversion:.4%} with 80 % power is {mde:.4%}"
        )
    if picture is not None:
        out.print(f"wrote {picture}")
    return 0
