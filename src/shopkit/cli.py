"""The ``shopkit`` command: ``demo`` and ``schema``.

It sits above every domain package (it may import all of them; none imports it). Output that a
person reads is a table; output that a program reads (``schema``) is plain JSON on stdout.
Errors in the input print ``shopkit: field: message`` on stderr and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

import shopkit
from shopkit import (
    Cart,
    Customer,
    Money,
    Product,
    ShippingOption,
    ShopkitError,
    allocate,
    currency_exponent,
    json_schema,
    sample_cart,
    sample_customer,
)

__all__ = ["SCHEMA_TYPES", "main"]

SCHEMA_TYPES: dict[str, Any] = {
    "cart": Cart,
    "catalogue": tuple[Product, ...],
    "customer": Customer,
    "money": Money,
    "product": Product,
    "shipping-option": ShippingOption,
}
"""The config types ``shopkit schema`` exports, by the name given on the command line."""


def _demo(args: argparse.Namespace, console: Console) -> int:
    cart = sample_cart()
    customer = sample_customer()
    locale = args.locale

    def money(value: Money) -> str:
        return value.format(locale)

    console.print(f"[bold]shopkit {shopkit.__version__}[/bold] — demo on the bundled sample data")
    console.print(
        "Products and prices: UCI Online Retail data set (Chen, Sain and Guo, 2012); "
        "shipping options are sample configuration.\n"
    )
    console.print(
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
    console.print(table)
    option = cart.shipping_option
    console.print(f"Subtotal            {money(cart.subtotal)}")
    console.print(f"Shipping            {money(cart.shipping)}  ({option.name if option else '-'})")
    console.print(f"[bold]Total               {money(cart.subtotal + cart.shipping)}[/bold]\n")

    voucher = Money.of("5.00", cart.currency)
    parts = allocate(
        voucher,
        [line.total for line in cart.lines],
        caps=[line.total for line in cart.lines],
        keys=[line.product.sku for line in cart.lines],
    )
    split = Table(title=f"A {money(voucher)} order amount spread over the lines, exactly")
    split.add_column("SKU")
    split.add_column("Line total", justify="right")
    split.add_column("Share", justify="right")
    for line, part in zip(cart.lines, parts, strict=True):
        split.add_row(line.product.sku, money(line.total), money(part))
    split.add_row(
        "[bold]sum[/bold]", money(cart.subtotal), money(sum(parts, Money.zero(cart.currency)))
    )
    console.print(split)

    console.print(
        "Minor units come from ISO 4217 via CLDR: "
        + ", ".join(f"{code} {currency_exponent(code)}" for code in ("JPY", "USD", "KWD"))
        + " decimals; "
        + ", ".join(
            Money.of(amount, code).format(locale)
            for amount, code in (("1999", "JPY"), ("19.99", "USD"), ("1.999", "KWD"))
        )
    )
    return 0


def _schema(args: argparse.Namespace, console: Console) -> int:
    text = json.dumps(json_schema(SCHEMA_TYPES[args.type]), indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


def _locale(value: str) -> str:
    try:
        Money.zero("EUR").format(value)
    except ShopkitError as error:
        raise argparse.ArgumentTypeError(error.message) from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopkit",
        description="Exact pricing, promotions, recommendations, loyalty and KPIs for shops.",
    )
    parser.add_argument("--version", action="version", version=f"shopkit {shopkit.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="show what shopkit does, on the bundled sample data")
    demo.add_argument("--locale", default="en_GB", help="CLDR locale for amounts (default: en_GB)")
    demo.set_defaults(run=_demo)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of a config type, to validate payloads with"
    )
    schema.add_argument("type", choices=sorted(SCHEMA_TYPES), help="the config type")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    schema.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``shopkit`` command.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        The exit status: 0 on success, 1 when the input is bad, 2 on a usage error.
    """
    args = _parser().parse_args(argv)
    console = Console(highlight=False)
    run: Callable[[argparse.Namespace, Console], int] = args.run
    try:
        return run(args, console)
    except ShopkitError as error:
        Console(stderr=True, highlight=False).print(f"shopkit: {error}", markup=False)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
