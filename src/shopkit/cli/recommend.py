"""``shopkit recommend`` and ``shopkit evaluate``: cross-sell and upsell, and comparing strategies.

``shopkit evaluate`` runs the basket protocols (complete the cart, bought together) or, with
``--protocol next-order``, the per-customer next-order protocol (``--exclude-repeats`` for
discovery alone), with a progress bar while the strategies are fitted and asked.

``shopkit.recommend`` (and with it numpy and scipy) is imported when one of these commands
runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import time
import typing
from typing import Any, Final, TypeVar

from shopkit.cli import _io

if typing.TYPE_CHECKING:
    from collections.abc import Callable

    from shopkit.recommend import Interactions, Recommender

_T = TypeVar("_T")

__all__ = ["EVALUATE_STRATEGIES", "NEXT_ORDER_STRATEGIES", "add_commands"]

EVALUATE_STRATEGIES: Final = (
    {"type": "popular"},
    {"type": "frequently_bought_together"},
    {
        "type": "fallback",
        "strategies": [{"type": "frequently_bought_together"}, {"type": "popular"}],
    },
)
"""The strategies ``shopkit evaluate`` compares when ``--strategies`` is not given, as config.

Best sellers (the baseline any strategy has to beat), frequently bought together, and the two
chained (frequently bought together, then best sellers for what it cannot fill): each read
with ``from_dict(..., Recommender)``, so the defaults are what a ``--strategies`` file with
the same content gives.
"""

NEXT_ORDER_STRATEGIES: Final = (
    {"type": "popular"},
    {"type": "buy_again"},
    {"type": "purchase_history"},
    {
        "type": "fallback",
        "strategies": [{"type": "buy_again"}, {"type": "purchase_history", "self_weight": "0"}],
    },
)
"""The strategies ``shopkit evaluate --protocol next-order`` compares without ``--strategies``.

Best sellers (the baseline), buy again (the customer's own items), purchase history (items
close to what they bought, their own items included), and buy again followed by purchase
history without the items' links to themselves (repeats first, then discoveries).
"""


def add_commands(subparsers: Any) -> None:
    """Add the ``recommend`` and ``evaluate`` commands to the ``shopkit`` parser's subparsers."""
    recommend = subparsers.add_parser(
        "recommend", help="cross-sell and upsell for a cart, with the reason for each item"
    )
    recommend.add_argument(
        "cart", nargs="?", help="the cart, as JSON or TOML (see `shopkit schema cart`)"
    )
    recommend.add_argument("--sku", action="append", help="a sku in the cart (repeatable)")
    recommend.add_argument("--viewed", action="append", help="a recently viewed sku (repeatable)")
    recommend.add_argument("--model", help="a model saved with --save (or Recommender.save)")
    recommend.add_argument(
        "--orders", help="fit on these orders (Online Retail CSV layout) instead of the samples"
    )
    recommend.add_argument(
        "--strategy", help="the strategy to fit, as JSON or TOML (default: the sample placements)"
    )
    recommend.add_argument("--catalogue", help="the catalogue, as a JSON list of products")
    recommend.add_argument("--save", help="save the fitted model to this .npz file")
    recommend.add_argument("--customer", help="the customer context, as JSON or TOML")
    recommend.add_argument("--placement", help="product, cart, checkout, post_purchase, …")
    recommend.add_argument("-k", type=int, default=5, help="how many items (default: 5)")
    recommend.add_argument("--in-stock", action="store_true", help="leave out items out of stock")
    recommend.add_argument(
        "--exclude-bought", action="store_true", help="leave out what the customer bought"
    )
    recommend.add_argument("--format", choices=["table", "json"], default="table")
    recommend.add_argument("--locale", default="en_GB", type=_io.locale, help="CLDR locale")
    recommend.set_defaults(run=_recommend)

    evaluation = subparsers.add_parser(
        "evaluate", help="compare strategies offline on your orders, before an A/B test"
    )
    evaluation.add_argument("orders", help="orders in the Online Retail CSV layout")
    evaluation.add_argument(
        "--strategies", help="a JSON list of strategies (default: popular, fbt, fallback)"
    )
    evaluation.add_argument("--catalogue", help="the catalogue, as JSON (for price-aware kinds)")
    evaluation.add_argument(
        "--split",
        type=_io.moment,
        help="test on baskets from this moment on (ISO 8601 with offset)",
    )
    evaluation.add_argument(
        "--test-share",
        type=float,  # float-ok: a share of the baskets, not an amount
        default=0.1,
        help="without --split: test on this share of the latest baskets (default: 0.1)",
    )
    evaluation.add_argument("-k", type=int, default=10, help="the cut-off (default: 10)")
    evaluation.add_argument("--seed", type=int, default=0, help="the seed of the held-out items")
    evaluation.add_argument(
        "--protocol",
        choices=["baskets", "next-order"],
        default="baskets",
        help="baskets: complete the cart and bought together (default); next-order: each "
        "customer's history before the split, their next order after it",
    )
    evaluation.add_argument(
        "--exclude-repeats",
        action="store_true",
        help="with --protocol next-order: leave out of the next orders, and of every list, "
        "the items the customer bought before (discovery alone)",
    )
    evaluation.set_defaults(run=_evaluate)


def _from(what: str, read: Callable[[str], _T], path: str) -> _T:
    """``read(path)``, with an error about its ``path`` named after the input it came from.

    ``read_online_retail`` and ``load_model`` name the file ``path``; on the command line it is
    ``orders`` or ``model``.
    """
    from shopkit import ShopkitError

    try:
        return read(path)
    except ShopkitError as error:
        if error.field != "path":
            raise
        renamed = copy.copy(error)
        renamed.field = what
        renamed.args = (f"{what}: {error.message}",)
        raise renamed from None


def _model(args: argparse.Namespace) -> Recommender:
    """The fitted model a ``recommend`` run uses: loaded, or fitted on orders (or the samples)."""
    from shopkit import Catalogue, Product, ValidationError, sample_catalogue
    from shopkit.datasets import read_online_retail
    from shopkit.recommend import (
        Interactions,
        Recommender,
        load_model,
        sample_interactions,
        sample_recommender,
        save_model,
    )

    if args.model:
        return _from("model", load_model, args.model)
    catalogue = Catalogue(
        _io.read(args.catalogue, tuple[Product, ...], "catalogue")
        if args.catalogue
        else sample_catalogue()
    )
    strategy = (
        _io.read(args.strategy, Recommender, "strategy") if args.strategy else sample_recommender()
    )
    interactions = (
        Interactions.from_tables(_from("orders", read_online_retail, args.orders).orders)
        if args.orders
        else sample_interactions()
    )
    model = strategy.fit(interactions, catalogue=catalogue)
    if args.save:
        try:
            save_model(model, args.save)
        except OSError as error:
            raise ValidationError(
                f"cannot write {args.save}: {error.strerror or error}",
                field="save",
                value=args.save,
            ) from None
    return model


def _recommend(args: argparse.Namespace) -> int:
    from shopkit import Cart, Customer
    from shopkit.recommend import Filters, Request

    model = _model(args)
    skus = list(args.sku or [])
    if args.cart:
        cart: Cart = _io.read(args.cart, Cart, "cart")
        skus = [line.product.sku for line in cart.lines] + skus
    customer = _io.read(args.customer, Customer, "customer") if args.customer else None
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
        _io.write_json(found)
        return 0
    from shopkit.cli import _render

    catalogue = model.catalogue_
    rows = [(item, catalogue.get(item.sku) if catalogue else None) for item in found]
    title = f"Recommendations for {', '.join(skus) or 'an empty cart'}"
    _render.recommendations(rows, title, _render.console(), args.locale)
    return 0


def _split_moment(data: Interactions, share: float) -> dt.datetime:  # float-ok: a share
    """The moment before which the first ``1 - share`` of the baskets started.

    A basket starts at its earliest event; the baskets are ordered by that start and the split
    falls on the start of the first basket in the test share.
    """
    import numpy as np

    starts = np.full(data.n_baskets, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(starts, data.basket, data.time)
    ordered = np.sort(starts)
    cut = int(ordered[min(len(ordered) - 1, int(len(ordered) * (1 - share)))])
    return dt.datetime.fromtimestamp(cut, dt.UTC)


def _label(args: argparse.Namespace) -> str:
    """The protocol's row label of a next-order evaluation."""
    return f"next order, repeats {'excluded' if args.exclude_repeats else 'counted'}"


def _next_orders(
    data: Interactions, at: dt.datetime, args: argparse.Namespace
) -> tuple[Interactions, dict[str, list[Any]]]:
    """The training part (history before ``at``) and the next-order cases, by their label."""
    from shopkit.recommend import next_order

    cases = next_order(data, at, k=args.k, exclude_repeats=args.exclude_repeats)
    return data.before(at), {_label(args): cases}


def _evaluate(args: argparse.Namespace) -> int:
    from shopkit import Catalogue, Product, ValidationError, from_dict
    from shopkit.cli import _render
    from shopkit.datasets import read_online_retail
    from shopkit.recommend import (
        Interactions,
        Recommender,
        evaluate,
        leave_one_out,
        one_to_rest,
        time_split,
    )
    from shopkit.recommend.plugin import recommenders

    if not 0 < args.test_share < 1:
        raise ValidationError(
            f"{args.test_share} is not between 0 and 1", field="test_share", value=args.test_share
        )
    if args.exclude_repeats and args.protocol != "next-order":
        raise ValidationError(
            "--exclude-repeats needs --protocol next-order", field="exclude_repeats", value=True
        )
    data = Interactions.from_tables(_from("orders", read_online_retail, args.orders).orders)
    catalogue = (
        Catalogue(_io.read(args.catalogue, tuple[Product, ...], "catalogue"))
        if args.catalogue
        else None
    )
    defaults = NEXT_ORDER_STRATEGIES if args.protocol == "next-order" else EVALUATE_STRATEGIES
    strategies: list[Recommender] = (
        _io.read(args.strategies, list[Recommender], "strategies")
        if args.strategies
        else from_dict(list(defaults), list[Recommender])
    )
    at = args.split if args.split is not None else _split_moment(data, args.test_share)
    out = _render.console()
    if args.protocol == "next-order":
        train, protocols = _next_orders(data, at, args)
        variant = "excluded" if args.exclude_repeats else "counted"
        out.print(
            f"Train: {train.n_baskets} baskets before {at.isoformat()}; test: the next "
            f"order of {len(protocols[_label(args)])} customers who bought before it, "
            f"repeats {variant}; k = {args.k}"
        )
    else:
        train, test = time_split(data, at)
        known = {train.items[item] for item in set(train.item.tolist())}
        protocols = {
            "complete the cart": leave_one_out(test, known=known, seed=args.seed, k=args.k),
            "bought together": one_to_rest(test, known=known, seed=args.seed, k=args.k),
        }
        out.print(
            f"Train: {train.n_baskets} baskets before {at.isoformat()}; "
            f"test: {len(protocols['complete the cart'])} later baskets with at "
            f"least 2 items known in training; k = {args.k}, seed {args.seed}"
        )
    total = len(strategies) * sum(len(cases) for cases in protocols.values())
    results = []
    with _render.progress(out) as progress:
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
            results.append((name, fitted, reports))
    for name, fitted, reports in results:
        _render.evaluation(name, fitted, reports, args.k, out)
    return 0
