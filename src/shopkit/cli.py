"""The ``shopkit`` command: ``demo``, ``price``, ``recommend``, ``evaluate`` and ``schema``.

It sits above every domain package (it may import all of them; none imports it). Output that a
person reads is a table; output that a program reads (``schema``) is plain JSON on stdout.
Errors in the input print ``shopkit: field: message`` on stderr and exit with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
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
    sample_catalogue,
    sample_customer,
    to_dict,
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
from shopkit.recommend import (
    Catalogue,
    Fallback,
    Filters,
    FrequentlyBoughtTogether,
    Interactions,
    Popular,
    Recommendation,
    Recommender,
    Request,
    evaluate,
    leave_one_out,
    load_model,
    one_to_rest,
    read_online_retail,
    recommenders,
    sample_orders,
    sample_recommender,
    time_split,
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
    "recommend-request": Request,
    "recommender": Recommender,
    "recommenders": list[Recommender],
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
    _demo_recommendations(console, locale)

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
        console.print(f"[yellow]✗[/yellow] {skipped.name}: {skipped.message}")
    for code in priced.codes:
        mark = "[green]✓[/green]" if code.status == "applied" else "[yellow]✗[/yellow]"
        console.print(f"{mark} code {code.code}: {code.status.value}, {code.message}")
    for nudge in priced.nudges:
        console.print(f"[cyan]→[/cyan] {nudge.message[0].upper()}{nudge.message[1:]}")


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

    _add_recommend_commands(commands)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of a config type, to validate payloads with"
    )
    schema.add_argument("type", choices=sorted(SCHEMA_TYPES), help="the config type")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")
    schema.set_defaults(run=_schema)
    return parser


# -- recommendations ---------------------------------------------------------------------------


def _recommend_model(args: argparse.Namespace) -> Recommender:
    """The fitted model a ``recommend`` run uses: loaded, or fitted on orders (or the samples)."""
    if args.model:
        return load_model(args.model)
    catalogue = Catalogue(
        _read(args.catalogue, tuple[Product, ...], "catalogue")
        if args.catalogue
        else sample_catalogue()
    )
    strategy = (
        _read(args.strategy, Recommender, "strategy") if args.strategy else sample_recommender()
    )
    data = read_online_retail(args.orders) if args.orders else sample_orders()
    model = strategy.fit(data.interactions, catalogue=catalogue)
    if args.save:
        model.save(args.save)
    return model


def _recommend(args: argparse.Namespace, console: Console) -> int:
    model = _recommend_model(args)
    skus = list(args.sku or [])
    if args.cart:
        cart: Cart = _read(args.cart, Cart, "cart")
        skus = [line.product.sku for line in cart.lines] + skus
    customer = _read(args.customer, Customer, "customer") if args.customer else None
    request = Request(
        cart=skus,
        viewed=args.viewed or [],
        customer=customer,
        k=args.k,
        placement=args.placement,
        filters=Filters(in_stock=args.in_stock, exclude_bought=args.exclude_bought),
    )
    found = model.recommend(request)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_dict(found), indent=2, ensure_ascii=False) + "\n")
        return 0
    _print_recommendations(
        found,
        model,
        f"Recommendations for {', '.join(skus) or 'an empty cart'}",
        console,
        args.locale,
    )
    return 0


def _print_recommendations(
    found: Sequence[Recommendation], model: Recommender, title: str, console: Console, locale: str
) -> None:
    table = Table(title=title)
    table.add_column("#", justify="right")
    table.add_column("SKU")
    table.add_column("Product")
    table.add_column("Price", justify="right")
    table.add_column("Why")
    table.add_column("Strategy")
    catalogue = model.catalogue_
    for rank, item in enumerate(found, start=1):
        product = catalogue.get(item.sku) if catalogue is not None else None
        table.add_row(
            str(rank),
            item.sku,
            product.name if product else "",
            product.unit_price.format(locale) if product else "",
            item.reason,
            item.strategy,
        )
    console.print(table)
    if not found:
        console.print("(no candidates pass the filters)")


def _split_moment(data: Interactions, share: float) -> dt.datetime:  # float-ok: a share of time
    """The moment before which the first ``1 - share`` of the baskets started."""
    starts = np.full(data.n_baskets, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(starts, data.basket, data.time)
    ordered = np.sort(starts)
    cut = int(ordered[min(len(ordered) - 1, int(len(ordered) * (1 - share)))])
    return dt.datetime.fromtimestamp(cut, dt.UTC)


def _evaluate(args: argparse.Namespace, console: Console) -> int:
    data = read_online_retail(args.orders)
    catalogue = (
        Catalogue(_read(args.catalogue, tuple[Product, ...], "catalogue"))
        if args.catalogue
        else None
    )
    if args.strategies:
        strategies: list[Recommender] = _read(args.strategies, list[Recommender], "strategies")
    else:
        strategies = [
            Popular(),
            FrequentlyBoughtTogether(),
            Fallback(strategies=[FrequentlyBoughtTogether(), Popular()]),
        ]
    if not 0 < args.test_share < 1:
        raise ValidationError(
            f"{args.test_share} is not between 0 and 1", field="test_share", value=args.test_share
        )
    at = args.split if args.split is not None else _split_moment(data.interactions, args.test_share)
    train, test = time_split(data.interactions, at)
    known = {train.items[item] for item in np.unique(train.item).tolist()}
    protocols = {
        "complete the cart": leave_one_out(test, known=known, seed=args.seed, k=args.k),
        "bought together": one_to_rest(test, known=known, seed=args.seed, k=args.k),
    }
    console.print(
        f"Train: {train.n_baskets} baskets before {at.isoformat()}; "
        f"test: {len(protocols['complete the cart'])} later baskets with at "
        f"least 2 items known in training; k = {args.k}, seed {args.seed}"
    )
    total = len(strategies) * sum(len(cases) for cases in protocols.values())
    results = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("evaluating", total=total)
        done = 0
        for strategy in strategies:
            name = recommenders.name_of(type(strategy))
            progress.update(task, description=f"fitting {name}")
            started = time.perf_counter()
            strategy.fit(train, catalogue=catalogue)
            fitted = time.perf_counter() - started
            reports = []
            for label, cases in protocols.items():
                progress.update(task, description=f"{name}: {label}")
                base = done

                def advance(count: int, base: int = base) -> None:
                    progress.update(task, completed=base + count)

                reports.append((label, evaluate(strategy, cases, k=args.k, progress=advance)))
                done += len(cases)
            results.append((name, strategy, fitted, reports))
    for name, _, fitted, reports in results:
        table = Table(title=f"{name} (fitted in {fitted:.2f} s)")
        table.add_column("Protocol")
        for column in (
            "Cases",
            f"Hit@{args.k}",
            f"Prec@{args.k}",
            f"Recall@{args.k}",
            f"MAP@{args.k}",
            f"NDCG@{args.k}",
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
        console.print(table)
    return 0


def _demo_recommendations(console: Console, locale: str) -> None:
    """The demo's cross-sell and upsell section, on the sample orders and strategies."""
    cart = sample_cart()
    customer = sample_customer()
    model = sample_recommender().fit(
        sample_orders().interactions, catalogue=Catalogue(sample_catalogue())
    )
    skus = [line.product.sku for line in cart.lines]
    console.print("[bold]Recommendations[/bold] fitted on 800 sample orders (UCI Online Retail):")
    checkout = Request(
        cart=skus, customer=customer, k=5, placement="checkout", filters=Filters(in_stock=True)
    )
    _print_recommendations(
        model.recommend(checkout), model, "Cross-sell at checkout", console, locale
    )
    upsell = Request(cart=skus, customer=customer, k=3, placement="product")
    _print_recommendations(
        model.recommend(upsell), model, "Upsell on the product pages", console, locale
    )
    console.print()


def _add_recommend_commands(commands: Any) -> None:
    """The ``recommend`` and ``evaluate`` subcommands."""
    recommend = commands.add_parser(
        "recommend", help="cross-sell and upsell for a cart, with the reason for each item"
    )
    recommend.add_argument("cart", nargs="?", help="the cart, as JSON (see `shopkit schema cart`)")
    recommend.add_argument("--sku", action="append", help="a sku in the cart (repeatable)")
    recommend.add_argument("--viewed", action="append", help="a recently viewed sku (repeatable)")
    recommend.add_argument("--model", help="a model saved with --save (or Recommender.save)")
    recommend.add_argument(
        "--orders", help="fit on these orders (Online Retail CSV layout) instead of the samples"
    )
    recommend.add_argument(
        "--strategy", help="the strategy to fit, as JSON (default: the sample placements)"
    )
    recommend.add_argument("--catalogue", help="the catalogue, as a JSON list of products")
    recommend.add_argument("--save", help="save the fitted model to this .npz file")
    recommend.add_argument("--customer", help="the customer context, as JSON")
    recommend.add_argument("--placement", help="product, cart, checkout, post_purchase, …")
    recommend.add_argument("-k", type=int, default=5, help="how many items (default: 5)")
    recommend.add_argument("--in-stock", action="store_true", help="leave out items out of stock")
    recommend.add_argument(
        "--exclude-bought", action="store_true", help="leave out what the customer bought"
    )
    recommend.add_argument("--format", choices=["table", "json"], default="table")
    recommend.add_argument("--locale", default="en_GB", type=_locale, help="CLDR locale")
    recommend.set_defaults(run=_recommend)

    evaluation = commands.add_parser(
        "evaluate", help="compare strategies offline on your orders, before an A/B test"
    )
    evaluation.add_argument("orders", help="orders in the Online Retail CSV layout")
    evaluation.add_argument(
        "--strategies", help="a JSON list of strategies (default: popular, fbt, fallback)"
    )
    evaluation.add_argument("--catalogue", help="the catalogue, as JSON (for price-aware kinds)")
    evaluation.add_argument(
        "--split", type=_moment, help="test on baskets from this moment on (ISO 8601 with offset)"
    )
    evaluation.add_argument(
        "--test-share",
        type=float,
        default=0.1,
        help="without --split: test on this share of the latest baskets (default: 0.1)",
    )
    evaluation.add_argument("-k", type=int, default=10, help="the cut-off (default: 10)")
    evaluation.add_argument("--seed", type=int, default=0, help="the seed of the held-out items")
    evaluation.set_defaults(run=_evaluate)


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
