"""``shopkit price``: price a cart with promotions, every discount explained.

``shopkit.pricing`` is imported when the command runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from shopkit.cli import _io

__all__ = ["add_commands"]


def _mode(value: str) -> Any:
    from shopkit.pricing import Mode
    from shopkit.validators import enum_value

    return enum_value(Mode, value, "mode")


def add_commands(subparsers: Any) -> None:
    """Add the ``price`` command to the ``shopkit`` parser's subparsers."""
    price = subparsers.add_parser(
        "price", help="price a cart with promotions, with every discount explained"
    )
    price.add_argument("cart", help="the cart, as JSON or TOML (see `shopkit schema cart`)")
    price.add_argument("promotions", help="the promotions, as a JSON list")
    price.add_argument(
        "--at",
        type=_io.moment,
        help="the moment to price at, ISO 8601 with offset (default: now, UTC)",
    )
    price.add_argument("--customer", help="the customer context, as JSON or TOML")
    price.add_argument(
        "--codes",
        help="codes issued for promotions, as a JSON list (see `shopkit schema promo-codes`)",
    )
    price.add_argument(
        "--mode",
        type=_io.option(_mode),
        default="priority",
        help="how competing promotions are chosen: priority (the default) or best_for_customer",
    )
    price.add_argument("--format", choices=["table", "json"], default="table")
    price.add_argument("--locale", default="en_GB", type=_io.locale, help="CLDR locale")
    price.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from shopkit import Cart, Customer
    from shopkit.pricing import CodeBook, PricingOptions, PromoCode, Promotion, price

    cart = _io.read(args.cart, Cart, "cart")
    promotions = _io.read(args.promotions, list[Promotion], "promotions")
    customer = _io.read(args.customer, Customer, "customer") if args.customer else None
    codes = CodeBook(_io.read(args.codes, list[PromoCode], "codes")) if args.codes else None
    at = args.at if args.at is not None else dt.datetime.now(dt.UTC)
    options = PricingOptions(mode=args.mode)
    priced = price(cart, promotions, at=at, customer=customer, options=options, codes=codes)
    if args.format == "json":
        _io.write_json(priced)
        return 0
    from shopkit.cli import _render

    _render.priced_cart(priced, _render.console(), args.locale)
    return 0
