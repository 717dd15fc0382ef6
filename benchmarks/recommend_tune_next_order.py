"""Choose the next-order defaults on a validation split, never on the benchmark's test split.

``benchmarks/recommend.py`` tests the next-order protocol at 2011-11-09. The defaults of
``PurchaseHistory`` (α, β = β_cart, half-life, neighbours K) and ``BuyAgain`` (half-life,
cycle weight) are chosen here, on the earlier data alone.

Protocol:

1. Data: the same file read the same way; everything from 2011-11-09 00:00 (UTC) is dropped
   before anything else happens.
2. Validation cut 2011-10-09: fit on the invoices before it, score the next order of each
   customer from it on (``benchmarks/recommend_next_order.py``: both variants, the same
   metrics, the same peers — fitted here on the validation training part, untuned).
3. Objective of a setting: the smallest, over the six metrics, of its ratio to the best peer
   on that metric (the acceptance goal is ≥ 1.00 on every column), ties broken by the mean
   ratio.
4. Repeats excluded (discovery): ``PurchaseHistory`` with α in {0.1, 0.3}, β = β_cart in
   {0.5, 0.55, 0.6} and half-life in {30, 90} days; the best setting becomes the default.
4b. Discovery with a trend: ``Blend([PurchaseHistory(β = β_cart, half-life, self_weight=0),
   Popular(half_life_days=t)], weights=[1, w])`` — the customer's neighbours plus what sells
   now (implicit's ALS leans on popularity; in November it is the season's goods), with β in
   {0.65, 0.7, 0.75}, half-life in {10, 30} days, t in {2, 3} days and w in {0.3, 0.35, 0.4,
   0.5}. Each purchase-history setting and each trend are fitted and scored once and the blend
   is ranked from their scores as ``Blend`` ranks them (each scaled to its best item, weighted,
   summed; bought items left out; score descending, then vocabulary order); the chosen setting
   is then run as a real ``Blend`` and printed, so the figures are the strategy's own. The
   best setting gives ``recommend_next_order.DISCOVERY``.
5. Repeats counted: ``Fallback([BuyAgain(half-life, cycle weight), PurchaseHistory(step 4,
   self_weight=0)])`` — the customer's own items first, discoveries after them — with
   half-life in {None, 480, 960} days and cycle weight in {0, 0.1, 0.25}; the best setting
   gives BuyAgain's defaults. (A ``Blend`` of the two, tried by hand, lost hit rate on every
   weight from 0.02 to 0.5: a new item displaces a rarely bought repeat, and repeats are
   the likelier hits.)
6. Neighbours: ``PurchaseHistory`` (step 4) with K in {25, 50, 100, 200, None}; the smallest K
   whose worst ratio on repeats excluded is at least 99 % of the unpruned one's.

Ties go to the first setting in the order above. Printed: every setting's objective and
metrics, and the chosen values.

Run: ``.venv/bin/python benchmarks/recommend_tune_next_order.py`` (about ten minutes on 2 cores).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import recommend_next_order as next_orders

from recommend import data_path
from shopkit.datasets import read_online_retail
from shopkit.recommend import (
    BuyAgain,
    Case,
    Fallback,
    Interactions,
    Popular,
    PurchaseHistory,
    Recommender,
)

Metrics = dict[str, float]


def objective(metrics: Metrics, best: Metrics) -> tuple[float, float]:
    """The smallest ratio to the best peer over the six metrics, then the mean ratio."""
    ratios = [metrics[m] / best[m] for m in next_orders.METRICS]
    return min(ratios), sum(ratios) / len(ratios)


def best_peers(
    peers: dict[str, tuple[float, Metrics | None, Metrics | None]], column: int
) -> Metrics:
    return {
        metric: max(row[column][metric] for row in peers.values() if row[column] is not None)  # type: ignore[index]
        for metric in next_orders.METRICS
    }


def scores_of(model: Recommender, train: Interactions, cases: Sequence[Case]) -> Any:
    """``model`` fitted on ``train``: its scores and the resolved requests of ``cases``.

    The scores are cases × items, each row scaled to its best item, as ``Blend`` scales a
    member.
    """
    model.fit(train)
    resolved = [model.resolve(case.request) for case in cases]
    scores = np.vstack([np.maximum(model.score(one).scores, 0.0) for one in resolved])
    best = scores.max(axis=1, keepdims=True)
    return np.divide(scores, best, out=np.zeros_like(scores), where=best > 0), resolved


def blended(
    history: Any, trend: Any, weight: float, resolved: Sequence[Any], items: Sequence[str]
) -> list[list[str]]:
    """The top 10 of ``history + weight × trend`` per row, bought items left out."""
    total = history + weight * trend
    lists = []
    for row, one in enumerate(resolved):
        scores = total[row].copy()
        scores[one.history] = 0.0
        candidates = np.flatnonzero(scores > 0)
        order = np.argsort(-scores[candidates], kind="stable")[: next_orders.K]
        lists.append([items[i] for i in candidates[order].tolist()])
    return lists


def main() -> int:
    path = data_path()
    if not path.exists():
        print(f"the Online Retail data set is not at {path}; set SHOPKIT_ONLINE_RETAIL")
        return 1
    everything = Interactions.from_tables(read_online_retail(path).orders)
    data = everything.before(next_orders.TEST_CUT)
    train, counted, excluded = next_orders.split(data, next_orders.VALIDATION_CUT)
    print(f"validation: {len(counted)} next orders (repeats counted), {len(excluded)} (excluded)")
    peers = next_orders.run_peers(train, counted, excluded)
    best_counted, best_excluded = best_peers(peers, 1), best_peers(peers, 2)
    print(f"best peers, repeats counted: {best_counted}\nrepeats excluded: {best_excluded}\n")

    def score(name: str, make: Callable[[], Recommender], which: str) -> tuple[float, float]:
        _, with_repeats, without = next_orders.run_shopkit(
            train,
            counted if which == "counted" else [],
            excluded if which == "excluded" else [],
            {name: make},
        )[name]
        metrics, best = (
            (with_repeats, best_counted) if which == "counted" else (without, best_excluded)
        )
        value = objective(metrics, best)
        cells = " ".join(f"{m} {metrics[m]:.4f}" for m in next_orders.METRICS)
        print(f"{name:<62} worst {value[0]:.4f} mean {value[1]:.4f}  {cells}", flush=True)
        return value

    found: dict[tuple[Decimal, Decimal, int], tuple[float, float]] = {}
    for alpha, beta, half_life in itertools.product(
        (Decimal("0.1"), Decimal("0.3")),
        (Decimal("0.5"), Decimal("0.55"), Decimal("0.6")),
        (30, 90),
    ):

        def history(a: Decimal = alpha, b: Decimal = beta, h: int = half_life) -> Recommender:
            return PurchaseHistory(alpha=a, beta=b, beta_cart=b, half_life_days=Decimal(h))

        found[(alpha, beta, half_life)] = score(
            f"purchase_history alpha {alpha} beta {beta} half-life {half_life}",
            history,
            "excluded",
        )
    alpha, beta, half_life = max(found, key=found.__getitem__)
    print(f"\nchosen for purchase_history: alpha {alpha}, beta {beta}, half-life {half_life}\n")

    def discovery() -> PurchaseHistory:
        return PurchaseHistory(
            alpha=alpha,
            beta=beta,
            beta_cart=beta,
            half_life_days=Decimal(half_life),
            self_weight=Decimal("0"),
        )

    chains: dict[tuple[int | None, Decimal], tuple[float, float]] = {}
    for again_life, cycle in itertools.product(
        (None, 480, 960), (Decimal("0"), Decimal("0.1"), Decimal("0.25"))
    ):

        def chain(h: int | None = again_life, c: Decimal = cycle) -> Recommender:
            again = BuyAgain(half_life_days=None if h is None else Decimal(h), cycle_weight=c)
            return Fallback(strategies=[again, discovery()])

        chains[(again_life, cycle)] = score(
            f"fallback: buy_again half-life {again_life} cycle {cycle}, discovery",
            chain,
            "counted",
        )
    again_life, cycle = max(chains, key=chains.__getitem__)
    print(f"\nchosen for buy_again: half-life {again_life}, cycle weight {cycle}\n")

    pruned: dict[int | None, tuple[float, float]] = {}
    for keep in (25, 50, 100, 200, None):

        def history_k(k: int | None = keep) -> Recommender:
            return PurchaseHistory(
                alpha=alpha,
                beta=beta,
                beta_cart=beta,
                half_life_days=Decimal(half_life),
                neighbours=k,
            )

        pruned[keep] = score(f"purchase_history neighbours {keep}", history_k, "excluded")
    chosen = next(k for k, value in pruned.items() if value[0] >= 0.99 * pruned[None][0])
    print(f"\nchosen neighbours for purchase_history: {chosen}\n")

    trends = {t: scores_of(Popular(half_life_days=Decimal(t)), train, excluded)[0] for t in (2, 3)}
    mixes: dict[tuple[Decimal, int, int, Decimal], tuple[float, float]] = {}
    for b, life in itertools.product((Decimal("0.65"), Decimal("0.7"), Decimal("0.75")), (10, 30)):
        model = PurchaseHistory(
            alpha=alpha, beta=b, beta_cart=b, half_life_days=Decimal(life), self_weight=Decimal(0)
        )
        history, resolved = scores_of(model, train, excluded)
        for t, w in itertools.product(
            (2, 3), (Decimal("0.3"), Decimal("0.35"), Decimal("0.4"), Decimal("0.5"))
        ):
            lists = blended(history, trends[t], float(w), resolved, model.items_)
            metrics = next_orders.measure(lists, excluded, len(train.items))
            mixes[(b, life, t, w)] = value = objective(metrics, best_excluded)
            cells = " ".join(f"{m} {metrics[m]:.4f}" for m in next_orders.METRICS)
            name = f"blend: purchase_history beta {b} half-life {life}, {w} x trend {t} d"
            print(f"{name:<62} worst {value[0]:.4f} mean {value[1]:.4f}  {cells}", flush=True)
    b, life, t, w = max(mixes, key=mixes.__getitem__)
    print(f"\nchosen discovery: beta {b}, half-life {life}, trend half-life {t}, weight {w}")
    score(
        "the chosen discovery, as a Blend",
        lambda: next_orders.discovery_blend(b, Decimal(life), Decimal(t), w),
        "excluded",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
