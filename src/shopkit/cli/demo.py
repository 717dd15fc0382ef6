"""``shopkit demo``: what shopkit does, on the bundled sample data.

The story itself is ``shopkit.storefront.demo_story()``; this module only prints it. The
storefront (and with it pricing and recommend) is imported when the command runs, not when the
parser is built.
"""

from __future__ import annotations

import argparse
import typing
from typing import Any

import shopkit
from shopkit.cli import _io

if typing.TYPE_CHECKING:
    from rich.console import Console

    from shopkit.storefront import DemoStory

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    """Add the ``demo`` command to the ``shopkit`` parser's subparsers."""
    demo = subparsers.add_parser("demo", help="show what shopkit does, on the bundled sample data")
    demo.add_argument(
        "--locale",
        default="en_GB",
        type=_io.locale,
        help="CLDR locale for amounts (default: en_GB)",
    )
    demo.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from shopkit import storefront
    from shopkit.cli import _render

    story = storefront.demo_story()
    _print(story, _render.console(), args.locale)
    return 0


def _kpi_value(value: object, locale: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, shopkit.Money):
        return value.format(locale)
    if isinstance(value, float):  # float-ok: a rate, not money
        return f"{value:.1%}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _print(story: DemoStory, out: Console, locale: str) -> None:
    from rich.table import Table

    from shopkit import currency_exponent
    from shopkit.cli import _render

    def money(value: shopkit.Money) -> str:
        return value.format(locale)

    cart, customer = story.cart, story.customer
    out.print(f"[bold]shopkit {shopkit.__version__}[/bold] — demo on the bundled sample data")
    out.print(
        "Products and prices: UCI Online Retail data set (Chen, Sain and Guo, 2012); "
        "shipping options are sample configuration.\n"
    )
    out.print(
        f"Customer [bold]{customer.id}[/bold]: segments {', '.join(customer.segments)}, "
        f"{customer.order_count} earlier orders, {customer.region}, {customer.channel}"
    )
    table = Table(title=f"Cart ({cart.currency}, prices include tax: {cart.prices_include_tax})")
    table.add_column("SKU")
    table.add_column("Product")
    table.add_column("Categories")
    table.add_column("Qty", justify="right")
    table.add_column("Unit price", justify="right")
    table.add_column("Line total", justify="right")
    for line in cart.lines:
        table.add_row(
            line.product.sku,
            line.product.name,
            ", ".join(line.product.categories),
            str(line.quantity),
            money(line.unit_price),
            money(line.total),
        )
    out.print(table)
    option = cart.shipping_option
    out.print(f"Subtotal            {money(cart.subtotal)}")
    out.print(f"Shipping            {money(cart.shipping)}  ({option.name if option else '-'})")
    out.print(f"[bold]Total               {money(cart.subtotal + cart.shipping)}[/bold]\n")

    split = Table(title=f"A {money(story.voucher)} order amount spread over the lines, exactly")
    split.add_column("SKU")
    split.add_column("Line total", justify="right")
    split.add_column("Share", justify="right")
    for line, part in zip(cart.lines, story.shares, strict=True):
        split.add_row(line.product.sku, money(line.total), money(part))
    split.add_row(
        "[bold]sum[/bold]",
        money(cart.subtotal),
        money(sum(story.shares, shopkit.Money.zero(cart.currency))),
    )
    out.print(split)

    out.print(
        f"\n[bold]Pricing[/bold] with the {len(story.promotions)} sample promotions "
        f"at {story.at.isoformat()}:"
    )
    _render.priced_cart(story.priced, out, locale)
    out.print()

    out.print(
        f"[bold]Recommendations[/bold] fitted on {story.orders} sample orders (UCI Online Retail):"
    )
    for title, suggestions in (
        ("Cross-sell at checkout", story.cross_sell),
        ("Upsell on the product pages", story.upsell),
    ):
        found = [(item.recommendation, item.product) for item in suggestions]
        _render.recommendations(found, title, out, locale)
    out.print()

    if story.offers:
        _render.offers(story.offers, out, locale)
        out.print()

    members = Table(
        title=f"Loyalty: the sample programme's members on {story.loyalty_at.date().isoformat()}"
    )
    members.add_column("Member")
    members.add_column("Tier")
    members.add_column("Points", justify="right")
    members.add_column("Pending", justify="right")
    members.add_column("What it takes")
    for status in story.members:
        steps = []
        if status.next_tier is not None:
            steps.append(status.next_tier.describe())
        if status.keep is not None:
            keep = status.keep.describe().removesuffix(f" for {status.keep.tier}")
            steps.append(f"{keep} to keep {status.keep.tier}")
        members.add_row(
            status.customer,
            status.tier or "-",
            f"{status.balance:,}",
            f"{status.pending:,}",
            "; ".join(steps) or "-",
        )
    out.print(members)
    out.print()

    kpis = Table(title=f"KPIs of the {story.orders} sample orders")
    kpis.add_column("KPI")
    kpis.add_column("Value", justify="right")
    for name, value in story.kpis.rows:
        kpis.add_row(str(name), _kpi_value(value, locale))
    out.print(kpis)
    out.print()

    out.print(
        "Minor units come from ISO 4217 via CLDR: "
        + ", ".join(f"{m.currency} {currency_exponent(m.currency)}" for m in story.currencies)
        + " decimals; "
        + ", ".join(m.format(locale) for m in story.currencies)
    )
