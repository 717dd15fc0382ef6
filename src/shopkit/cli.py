"""The ``shopkit`` command: ``demo``, ``price`` and ``schema``.

It sits above every domain package (it may import all of them; none imports it). Output that a
person reads is a table; output that a program reads (``schema``) is plain JSON on stdout.
Errors in the input print ``shopkit: field: message`` on stderr and exit with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

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
    ValidationError,
    allocate,
    currency_exponent,
    from_json,
    json_schema,
    sample_cart,
    sample_customer,
    to_json,
)
from shopkit.pricing import (
    CodeBook,
    Mode,
    PricedCart,
    PricingOptions,
    PromoCode,
    Promotion,
    price,
    sample_promotions,
)

T = TypeVar("T")

__all__ = ["SCHEMA_TYPES", "main"]

SCHEMA_TYPES: dict[str, Any] = {
    "cart": Cart,
    "catalogue": tuple[Product, ...],
    "customer": Customer,
    "money": Money,
    "priced-cart": PricedCart,
    "product": Product,
    "promo-codes": list[PromoCode],
    "promotion": Promotion,
    "promotions": list[Promotion],
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
        f"\n[bold]Pricing[/bold] with the {len(sample_promotions())} sample promotions "
        f"at {DEMO_AT.isoformat()}:"
    )
    priced = price(cart, sample_promotions(), at=DEMO_AT, customer=customer)
    _print_priced(priced, console, locale)
    console.print()

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


DEMO_AT = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
"""The moment the demo prices at: Black Friday 2026, when the sample Black Friday offer runs."""


def _print_priced(priced: PricedCart, console: Console, locale: str) -> None:
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
    console.print(table)
    console.print(f"Subtotal   {money(priced.subtotal)}")
    console.print(f"Discount  -{money(priced.discount)}")
    shipping = f"Shipping   {money(priced.shipping)}"
    if priced.shipping_discount.minor:
        shipping += f"  (was {money(priced.shipping_price)})"
    console.print(shipping)
    console.print(f"[bold]Total      {money(priced.total)}[/bold]")
    if priced.choice:
        console.print(f"Chosen: {priced.choice}")
    for applied in priced.applied:
        console.print(f"[green]✓[/green] {applied.message}")
    for skipped in priced.not_applied:
        console.print(f"[yellow]✗[/yellow] {skipped.name}: {skipped.reason}")
    for code in priced.codes:
        mark = "[green]✓[/green]" if code.status == "applied" else "[yellow]✗[/yellow]"
        console.print(f"{mark} code {code.code}: {code.status.value}, {code.message}")
    for nudge in priced.nudges:
        console.print(f"[cyan]→[/cyan] {nudge[0].upper()}{nudge[1:]}")


def _read(path: str, kind: type[T] | Any, what: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            f"cannot read {path}: {error.strerror}", field=what, value=path
        ) from None
    return from_json(text, kind)


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} has no UTC offset (add +00:00 or Z)")
    return moment


def _price(args: argparse.Namespace, console: Console) -> int:
    cart = _read(args.cart, Cart, "cart")
    promotions = _read(args.promotions, list[Promotion], "promotions")
    customer = _read(args.customer, Customer, "customer") if args.customer else None
    codes = CodeBook(_read(args.codes, list[PromoCode], "codes")) if args.codes else None
    at = args.at if args.at is not None else dt.datetime.now(dt.UTC)
    options = PricingOptions(mode=Mode(args.mode))
    priced = price(cart, promotions, at=at, customer=customer, options=options, codes=codes)
    if args.format == "json":
        sys.stdout.write(to_json(priced) + "\n")
    else:
        _print_priced(priced, console, args.locale)
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

    pricing = commands.add_parser(
        "price", help="price a cart with promotions, with every discount explained"
    )
    pricing.add_argument("cart", help="the cart, as JSON (see `shopkit schema cart`)")
    pricing.add_argument("promotions", help="the promotions, as a JSON list")
    pricing.add_argument(
        "--at",
        type=_moment,
        help="the moment to price at, ISO 8601 with offset (default: now, UTC)",
    )
    pricing.add_argument("--customer", help="the customer context, as JSON")
    pricing.add_argument(
        "--codes",
        help="codes issued for promotions, as a JSON list (see `shopkit schema promo-codes`)",
    )
    pricing.add_argument(
        "--mode",
        choices=[mode.value for mode in Mode],
        default=Mode.PRIORITY.value,
        help="how competing promotions are chosen (default: priority)",
    )
    pricing.add_argument("--format", choices=["table", "json"], default="table")
    pricing.add_argument("--locale", default="en_GB", type=_locale, help="CLDR locale")
    pricing.set_defaults(run=_price)

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
