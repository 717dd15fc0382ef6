"""Rich tables for people: a priced cart, recommendations, evaluation reports.

The only place where the command reads the fields of domain results; the domain types are
imported for type checking only, so importing this module loads rich and nothing of a domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopkit.cli._io import stdout

if TYPE_CHECKING:
    from shopkit import Money, Product
    from shopkit.pricing import PricedCart
    from shopkit.recommend import Recommendation, Report
    from shopkit.storefront import UnlockOffer

__all__ = ["console", "evaluation", "offers", "priced_cart", "progress", "recommendations"]


def console() -> Console:
    """Return a console on standard output, without rich's guesses at highlighting.

    Raises:
        ShopkitError: standard output is closed.
    """
    return Console(file=stdout(), highlight=False)


def offers(found: Sequence[UnlockOffer], out: Console, locale: str) -> None:
    """Print the items that would unlock a promotion: what each closes, costs and saves."""
    table = Table(title="Add one of these to unlock an offer (each checked by pricing again)")
    table.add_column("Unlocks")
    table.add_column("Add")
    table.add_column("Qty", justify="right")
    table.add_column("Pays more", justify="right")
    table.add_column("Saves", justify="right")
    table.add_column("Why this item")
    for offer in found:
        table.add_row(
            offer.nudge.unlocks,
            f"{offer.product.sku} {offer.product.name}",
            str(offer.quantity),
            offer.extra.format(locale),
            offer.saving.format(locale),
            offer.recommendation.reason if offer.recommendation else "closes the gap cheapest",
        )
    out.print(table)


def priced_cart(priced: PricedCart, out: Console, locale: str) -> None:
    """Print a priced cart: its lines and discounts, totals, and what applied and what not."""

    def money(value: Money) -> str:
        return value.format(locale)

    table = Table(title=f"Priced cart ({priced.currency}) at {priced.at.isoformat()}")
    table.add_column("Item")
    table.add_column("Qty", justify="right")
    table.add_column("Subtotal", justify="right")
    table.add_column("Discounts")
    table.add_column("Total", justify="right")
    for line in priced.lines:
        discounts = "\n".join(
            f"-{money(a.amount)} {a.promotion_id}" + (f" ({a.units} units)" if a.units else "")
            for a in line.adjustments
        )
        name = line.line.product.name + (" (gift)" if line.gift else "")
        table.add_row(
            name, str(line.line.quantity), money(line.subtotal), discounts, money(line.total)
        )
    out.print(table)
    out.print(f"Subtotal   {money(priced.subtotal)}")
    out.print(f"Discount  -{money(priced.discount)}")
    shipping = f"Shipping   {money(priced.shipping)}"
    if priced.shipping_discount.minor:
        shipping += f"  (was {money(priced.shipping_price)})"
    out.print(shipping)
    out.print(f"[bold]Total      {money(priced.total)}[/bold]")
    if priced.choice:
        out.print(f"Chosen: {priced.choice}")
    for applied in priced.applied:
        out.print(f"[green]✓[/green] {applied.message}")
    for skipped in priced.not_applied:
        out.print(f"[yellow]✗[/yellow] {skipped.name}: {skipped.message}")
    for code in priced.codes:
        mark = "[green]✓[/green]" if code.status == "applied" else "[yellow]✗[/yellow]"
        out.print(f"{mark} code {code.code}: {code.status.value}, {code.message}")
    for nudge in priced.nudges:
        out.print(f"[cyan]→[/cyan] {nudge.message[0].upper()}{nudge.message[1:]}")


def recommendations(
    found: Sequence[tuple[Recommendation, Product | None]],
    title: str,
    out: Console,
    locale: str,
) -> None:
    """Print a ranked list of recommendations, each with its product (where known) and reason."""
    table = Table(title=title)
    table.add_column("#", justify="right")
    table.add_column("SKU")
    table.add_column("Product")
    table.add_column("Price", justify="right")
    table.add_column("Why")
    table.add_column("Strategy")
    for rank, (item, product) in enumerate(found, start=1):
        table.add_row(
            str(rank),
            item.sku,
            product.name if product else "",
            product.unit_price.format(locale) if product else "",
            item.reason,
            item.strategy,
        )
    out.print(table)
    if not found:
        out.print("(no candidates pass the filters)")


def progress(out: Console) -> Progress:
    """Return a progress bar for a long run; it shows on a terminal only and then vanishes."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
        disable=not out.is_terminal,
    )


def evaluation(
    name: str,
    seconds: float,  # float-ok: a duration
    reports: Sequence[tuple[str, Report]],
    k: int,
    out: Console,
) -> None:
    """Print one strategy's evaluation: a row of metrics per protocol.

    Args:
        name: The strategy's type name.
        seconds: How long fitting it took.
        reports: ``(protocol, report)`` pairs, in the order to show.
        k: The cut-off the metrics are at.
        out: Where to print.
    """
    table = Table(title=f"{name} (fitted in {seconds:.2f} s)")
    table.add_column("Protocol")
    for column in (
        "Cases",
        f"Hit@{k}",
        f"Prec@{k}",
        f"Recall@{k}",
        f"MAP@{k}",
        f"NDCG@{k}",
        "Cover",
    ):
        table.add_column(column, justify="right")
    for label, report in reports:
        table.add_row(
            label,
            str(report.cases),
            *(
                f"{value:.3f}"
                for value in (
                    report.hit_rate,
                    report.precision,
                    report.recall,
                    report.map,
                    report.ndcg,
                    report.coverage,
                )
            ),
        )
    out.print(table)
