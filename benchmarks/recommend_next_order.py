"""The per-customer next-order protocol and the speed figures, for ``benchmarks/recommend.py``.

Protocol (issue "Recommendations, second round"):

1. Data: the Online Retail orders as ``benchmarks/recommend.py`` reads them (one basket per
   invoice, a stock code once per basket), with the customer of each invoice.
2. Cut at a moment: fit on the invoices before it; for each customer who bought before it and
   ordered again from it on, the relevant items are the distinct items of their first order
   from the cut on that were bought by someone before it (``shopkit.recommend.next_order``).
3. Two variants: *repeats counted* (an item the customer bought before counts like any other)
   and *repeats excluded* (those items are removed from the relevant ones and from every list;
   customers left with nothing relevant are skipped).
4. Metrics at 10: hit rate, precision, recall, MAP, NDCG (``shopkit.recommend``'s
   definitions) and catalogue coverage (distinct items recommended / items of the fitted data).
5. Peers, fitted on the same customer × item matrix (entry: the number of invoices of the
   customer holding the item): implicit's ``BM25Recommender`` (K = 100, its defaults
   otherwise) and ``AlternatingLeastSquares`` (64 factors, 15 iterations, random_state 0,
   its defaults otherwise); each recommends with ``filter_already_liked_items`` off when repeats
   count and on when they are excluded. The baseline "own most-bought items" ranks the
   customer's own items by that count (ties: the item first seen in the data); it has nothing
   to say when repeats are excluded.
6. The test cut is 2011-11-09 (the basket benchmark's). Defaults are chosen on the validation
   cut 2011-10-09 with the data from 2011-11-09 on removed first, by
   ``benchmarks/recommend_tune_next_order.py``; the peers are not tuned on either.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from shopkit.recommend import (
    Blend,
    BuyAgain,
    Case,
    Fallback,
    Interactions,
    Popular,
    PurchaseHistory,
    Recommender,
    Request,
    average_precision,
    hit_rate,
    ndcg,
    next_order,
    precision,
    recall,
)
from shopkit.recommend._kernel import jit_top

TEST_CUT = dt.datetime(2011, 11, 9, tzinfo=dt.UTC)
VALIDATION_CUT = dt.datetime(2011, 10, 9, tzinfo=dt.UTC)
K = 10
METRICS = ("hit rate", "precision", "recall", "MAP", "NDCG", "coverage")

Metrics = dict[str, float]


def split(
    interactions: Interactions, cut: dt.datetime
) -> tuple[Interactions, list[Case], list[Case]]:
    """The training part and the cases of both variants (repeats counted, excluded)."""
    train = interactions.before(cut)
    counted = next_order(interactions, cut, k=K)
    excluded = next_order(interactions, cut, k=K, exclude_repeats=True)
    return train, counted, excluded


def measure(lists: Sequence[Sequence[str]], cases: Sequence[Case], n_items: int) -> Metrics:
    """The six metrics of ``lists`` against ``cases`` (means over the cases)."""
    totals = np.zeros(5)
    for got, case in zip(lists, cases, strict=True):
        relevant = set(case.relevant)
        totals += (
            hit_rate(got, relevant, K),
            precision(got, relevant, K),
            recall(got, relevant, K),
            average_precision(got, relevant, K),
            ndcg(got, relevant, K),
        )
    means = totals / max(len(cases), 1)
    seen = {sku for got in lists for sku in got}
    return {**dict(zip(METRICS[:5], means.tolist(), strict=True)), "coverage": len(seen) / n_items}


DISCOVERY = (Decimal("0.7"), Decimal("10"), Decimal("3"), Decimal("0.4"))
"""Discovery with a trend: purchase history's β (= β_cart) and half-life, the trend's half-life
and its weight; chosen on the validation split by ``recommend_tune_next_order.py`` (4b)."""


def discovery() -> PurchaseHistory:
    """Purchase history for new items: the defaults, without the items' links to themselves."""
    return PurchaseHistory(self_weight=Decimal("0"))


def discovery_blend(
    beta: Decimal, half_life: Decimal, trend_half_life: Decimal, weight: Decimal
) -> Blend:
    """New items: purchase history without self-links, blended with what sells now."""
    return Blend(
        strategies=[
            PurchaseHistory(
                beta=beta, beta_cart=beta, half_life_days=half_life, self_weight=Decimal("0")
            ),
            Popular(half_life_days=trend_half_life),
        ],
        weights=[Decimal("1"), weight],
    )


def shopkit_models() -> dict[str, Callable[[], Recommender]]:
    """The shopkit strategies in the next-order table: defaults, and the tuned discovery blend."""
    return {
        "buy_again": BuyAgain,
        "purchase_history": PurchaseHistory,
        "purchase_history (neighbours 100)": lambda: PurchaseHistory(neighbours=100),
        "fallback (buy_again, then purchase_history without repeats)": lambda: Fallback(
            strategies=[BuyAgain(), discovery()]
        ),
        "blend (purchase_history without repeats, trend)": lambda: discovery_blend(*DISCOVERY),
        "fallback (buy_again, then the blend)": lambda: Fallback(
            strategies=[BuyAgain(), discovery_blend(*DISCOVERY)]
        ),
    }


def user_items(train: Interactions) -> Any:
    """Customers × items, each entry the number of the customer's invoices holding the item."""
    import scipy.sparse as sp  # type: ignore[import-untyped]

    mask = (train.kind == 0) & (train.customer >= 0)
    matrix = sp.csr_matrix(
        (np.ones(int(mask.sum())), (train.customer[mask], train.item[mask])),
        shape=(len(train.customers), len(train.items)),
    )
    matrix.sum_duplicates()
    return matrix


def run_shopkit(
    train: Interactions,
    counted: list[Case],
    excluded: list[Case],
    models: dict[str, Callable[[], Recommender]] | None = None,
) -> dict[str, tuple[float, Metrics, Metrics]]:
    """Fit time, and the metrics with repeats counted and excluded, per shopkit strategy."""
    results = {}
    for name, make in (models or shopkit_models()).items():
        start = time.perf_counter()
        model = make().fit(train)
        fit_time = time.perf_counter() - start
        both = [
            measure(
                model.recommend_batch([case.request for case in cases]), cases, len(train.items)
            )
            for cases in (counted, excluded)
        ]
        results[name] = (fit_time, both[0], both[1])
    return results


def _implicit_lists(
    model: Any, matrix: Any, users: Any, filter_liked: bool, items: Any
) -> list[list[str]]:
    ids, _ = model.recommend(users, matrix[users], N=K, filter_already_liked_items=filter_liked)
    return [[items[i] for i in row if i >= 0] for row in ids.tolist()]


def run_peers(
    train: Interactions, counted: list[Case], excluded: list[Case]
) -> dict[str, tuple[float, Metrics | None, Metrics | None]]:
    """The peers' fit time and metrics (``None`` where a peer has nothing to offer)."""
    results: dict[str, tuple[float, Metrics | None, Metrics | None]] = {}
    matrix = user_items(train)
    index = {name: number for number, name in enumerate(train.customers)}
    n_items = len(train.items)

    def users(cases: list[Case]) -> Any:
        return np.array([index[str(case.request.customer.id)] for case in cases])  # type: ignore[union-attr]

    # own most-bought items
    lists = []
    for user in users(counted).tolist():
        row = matrix[user]
        order = np.lexsort((row.indices, -row.data))[:K]
        lists.append([train.items[i] for i in row.indices[order].tolist()])
    results["own most-bought items"] = (0.0, measure(lists, counted, n_items), None)
    try:
        from implicit.als import AlternatingLeastSquares  # type: ignore[import-untyped, import-not-found, unused-ignore]
        from implicit.nearest_neighbours import BM25Recommender  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as error:
        print(f"implicit is not installed ({error}); skipping its recommenders")
        return results
    makers: dict[str, Callable[[], Any]] = {
        "implicit BM25": lambda: BM25Recommender(K=100),
        "implicit ALS": lambda: AlternatingLeastSquares(factors=64, iterations=15, random_state=0),
    }
    for name, make in makers.items():
        start = time.perf_counter()
        model = make()
        model.fit(matrix, show_progress=False)
        fit_time = time.perf_counter() - start
        got = [
            measure(
                _implicit_lists(model, matrix, users(cases), filtered, train.items),
                cases,
                n_items,
            )
            for cases, filtered in ((counted, False), (excluded, True))
        ]
        results[name] = (fit_time, got[0], got[1])
    return results


def print_next_order(
    ours: dict[str, tuple[float, Metrics, Metrics]],
    peers: dict[str, tuple[float, Metrics | None, Metrics | None]],
) -> None:
    """The table of both variants, then the ratio of shopkit's best to the best peer."""
    for variant, column in (("repeats counted", 1), ("repeats excluded", 2)):
        header = f"{variant:<60} {'fit s':>6} " + " ".join(f"{m:>9}" for m in METRICS)
        print(header)
        print("-" * len(header))
        table: dict[str, tuple[float, Metrics | None]] = {}
        for name, (fit_time, counted, excluded) in {**ours, **peers}.items():
            table[name] = (fit_time, counted if column == 1 else excluded)
        for name, (fit_time, metrics) in table.items():
            cells = " ".join(
                f"{metrics[m]:>9.4f}" if metrics is not None else f"{'-':>9}" for m in METRICS
            )
            print(f"{name:<60} {fit_time:>6.2f} {cells}")
        print()
        for metric in METRICS:
            mine = {name: row[column][metric] for name, row in ours.items()}  # type: ignore[index]
            theirs = {
                name: row[column][metric]  # type: ignore[index]
                for name, row in peers.items()
                if row[column] is not None
            }
            if not theirs:
                continue
            best_ours = max(mine, key=mine.__getitem__)
            best_peer = max(theirs, key=theirs.__getitem__)
            ratio = mine[best_ours] / theirs[best_peer] if theirs[best_peer] else float("inf")
            print(
                f"{variant}, {metric:<10} ratio to best peer {ratio:.2f}: shopkit "
                f"{mine[best_ours]:.4f} ({best_ours}) / {theirs[best_peer]:.4f} ({best_peer})"
            )
        print()


def speed(
    label: str,
    model: Recommender,
    requests: list[Request],
    peer: Any,
    peer_rows: Any,
) -> None:
    """Single-request latency and batch throughput of ``model`` and a fitted implicit peer.

    ``peer_rows`` holds one row of the peer's user-item matrix per request (the same carts or
    customers). Prints medians over up to 1,000 single requests and the best of three batches.
    """
    sample = requests[:1000]
    compiled = [model.recommend(r) for r in sample]  # also compiles the kernel, if any
    with_reasons = statistics.median(_each(model.recommend, sample))
    skus_only = statistics.median(_each(model.recommend_skus, sample))
    batch = min(_each(lambda _: model.recommend_batch(requests), range(3)))
    assert model.recommend_batch(sample) == [model.recommend_skus(r) for r in sample]
    path = "compiled" if jit_top() is not None else "numpy, numba not installed"
    print(
        f"{label}: shopkit {type(model).__name__} single request {with_reasons * 1000:.3f} ms "
        f"with reasons, {skus_only * 1000:.3f} ms skus only ({path}); batch "
        f"{len(requests) / batch:,.0f} requests/s ({len(requests)} requests)"
    )
    if jit_top() is not None:  # the same requests without numba (SHOPKIT_JIT=0)
        with _without_kernel():
            assert [model.recommend(r) for r in sample] == compiled
            numpy_reasons = statistics.median(_each(model.recommend, sample))
            numpy_skus = statistics.median(_each(model.recommend_skus, sample))
        print(
            f"{label}: shopkit {type(model).__name__} single request "
            f"{numpy_reasons * 1000:.3f} ms with reasons, {numpy_skus * 1000:.3f} ms skus only "
            f"(numpy, SHOPKIT_JIT=0; the same answers)"
        )
    if peer is None:
        return
    users = np.arange(peer_rows.shape[0])

    def one(user: int) -> Any:
        return peer.recommend(user, peer_rows[user], N=K, filter_already_liked_items=True)

    def every(_: object) -> Any:
        return peer.recommend(users, peer_rows, N=K, filter_already_liked_items=True)

    single = statistics.median(_each(one, users[: len(sample)].tolist()))
    peer_batch = min(_each(every, range(3)))
    print(
        f"{label}: implicit BM25 single request {single * 1000:.3f} ms; batch "
        f"{len(users) / peer_batch:,.0f} requests/s"
    )
    print(
        f"{label}: ratio single (implicit / shopkit with reasons) {single / with_reasons:.2f}; "
        f"batch (shopkit / implicit) {(len(requests) / batch) / (len(users) / peer_batch):.2f}"
    )


@contextlib.contextmanager
def _without_kernel() -> Iterator[None]:
    """Run the block as ``SHOPKIT_JIT=0`` would: single requests through numpy."""
    saved = os.environ.get("SHOPKIT_JIT")
    os.environ["SHOPKIT_JIT"] = "0"
    jit_top.cache_clear()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SHOPKIT_JIT"]
        else:
            os.environ["SHOPKIT_JIT"] = saved
        jit_top.cache_clear()


def _each(run: Callable[[Any], Any], arguments: Iterable[Any]) -> list[float]:
    """The time of ``run(argument)`` for each argument, in seconds."""
    times = []
    for argument in arguments:
        start = time.perf_counter()
        run(argument)
        times.append(time.perf_counter() - start)
    return times
