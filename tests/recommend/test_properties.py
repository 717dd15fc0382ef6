"""Properties every strategy keeps, for any data and request (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopkit import Catalogue, Order, Product
from shopkit.recommend import (
    Blend,
    BuyAgain,
    CrossSell,
    CrossSellRule,
    Fallback,
    Feedback,
    Filters,
    FrequentlyBoughtTogether,
    Interactions,
    Placements,
    Popular,
    PurchaseHistory,
    Recommender,
    Request,
    Upsell,
    ViewedItems,
    load_model,
    save_model,
)
from shopkit.recommend._ranking import top_k, top_k_csr, top_one
from shopkit.testing.recommend import allowed as oracle
from tests.strategies import REC_SKUS, rec_catalogues, rec_orders, rec_requests


def every_strategy() -> list[Recommender]:
    rules = [
        CrossSellRule(sku="R0", add_ons=["R1", "R2", "NEW1"]),
        CrossSellRule(category="Mugs", add_ons=["R3", "R4"]),
    ]
    return [
        Popular(),
        Popular(by="region", half_life_days=Decimal("7")),
        Popular(by="segment"),
        FrequentlyBoughtTogether(),
        FrequentlyBoughtTogether(measure="lift", basket_weight="none", neighbours=2),
        PurchaseHistory(),
        ViewedItems(measure="confidence"),
        CrossSell(rules=rules, max_share=Decimal("0.5")),
        Upsell(),
        Blend(strategies=[FrequentlyBoughtTogether(), Popular()], weights=["2", "1"]),
        Fallback(strategies=[CrossSell(rules=rules), FrequentlyBoughtTogether(), Popular()]),
        Placements(routes={"cart": FrequentlyBoughtTogether()}, default=Upsell()),
        BuyAgain(),
        BuyAgain(half_life_days=None, cycle_weight=Decimal("1"), min_intervals=1),
        PurchaseHistory(self_weight=Decimal("0"), neighbours=2),
        ViewedItems(self_weight=Decimal("1"), recency=Decimal("0.5")),
        Blend(strategies=[BuyAgain(), PurchaseHistory(self_weight=Decimal("0"))]),
        Feedback(strategy=Popular(), min_scores={"cart": Decimal("2")}),
    ]


strategies = st.sampled_from(range(len(every_strategy())))


def allowed(
    sku: str, request: Request, catalogue: Catalogue, bought: set[str], model: Recommender
) -> bool:
    """The filters, restated plainly from their documentation (the shipped contract's oracle)."""
    return oracle(sku, request, catalogue, bought, model)


def bought_by(orders: list[Order], request: Request) -> set[str]:
    customer = request.customer.id if request.customer is not None else None
    mine = {
        sku for order in orders if customer and order.customer == customer for sku in order.skus
    }
    return mine | set(request.history)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec_orders(), rec_catalogues(), rec_requests, strategies)
def test_lists_pass_the_filters_never_repeat_and_are_k_long_when_they_can_be(
    orders: list[Order], products: tuple[Product, ...], request: Request, which: int
) -> None:
    catalogue = Catalogue(products)
    model = every_strategy()[which].fit(Interactions.from_orders(orders), catalogue=catalogue)
    got = model.recommend(request)
    skus = [r.sku for r in got]
    bought = bought_by(orders, request)

    assert len(skus) == len(set(skus))
    assert len(skus) <= request.k
    assert all(allowed(sku, request, catalogue, bought, model) for sku in skus)
    # every candidate the strategy has for this request, unfiltered
    unfiltered = Request(
        cart=request.cart,
        viewed=request.viewed,
        customer=request.customer,
        history=request.history,
        placement=request.placement,
        k=100,
        filters=Filters(exclude_cart=False),
    )
    candidates = [r.sku for r in model.recommend(unfiltered)]
    passing = [sku for sku in candidates if allowed(sku, request, catalogue, bought, model)]
    assert len(skus) == min(request.k, len(passing))
    assert set(skus) <= set(passing)
    # scores never rise down the list
    assert [r.score for r in got] == sorted((r.score for r in got), reverse=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec_orders(), rec_catalogues(), rec_requests, strategies)
def test_the_same_model_and_request_give_the_same_list_also_after_save_and_load(
    tmp_path_factory,
    orders: list[Order],
    products: tuple[Product, ...],
    request: Request,
    which: int,
) -> None:
    catalogue = Catalogue(products)
    data = Interactions.from_orders(orders)
    model = every_strategy()[which].fit(data, catalogue=catalogue)
    first = model.recommend(request)
    assert model.recommend(request) == first
    assert every_strategy()[which].fit(data, catalogue=catalogue).recommend(request) == first
    path: Path = tmp_path_factory.mktemp("model") / "model.npz"
    save_model(model, path)
    assert load_model(path).recommend(request) == first


@settings(max_examples=60, deadline=None)
@given(rec_orders(), rec_requests)
def test_popular_fills_the_list_from_every_bought_item(
    orders: list[Order], request: Request
) -> None:
    model = Popular().fit(Interactions.from_orders(orders))
    bought = {sku for order in orders for sku in order.skus}
    passing = [sku for sku in bought if sku not in request.cart and sku in REC_SKUS]
    plain = Request(cart=request.cart, k=request.k)
    assert len(model.recommend(plain)) == min(request.k, len(passing))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec_orders(), rec_catalogues(), st.lists(rec_requests, min_size=1, max_size=6), strategies)
def test_a_batch_gives_what_each_request_gives_alone(
    orders: list[Order], products: tuple[Product, ...], requests: list[Request], which: int
) -> None:
    catalogue = Catalogue(products)
    model = every_strategy()[which].fit(Interactions.from_orders(orders), catalogue=catalogue)
    alone = [model.recommend_skus(request) for request in requests]
    assert model.recommend_batch(requests) == alone
    assert model.recommend_batch(requests, chunk=2) == alone
    assert [[r.sku for r in model.recommend(request)] for request in requests] == alone


def neighbourhoods(neighbours: int | None) -> list[Recommender]:
    return [
        FrequentlyBoughtTogether(neighbours=neighbours),
        FrequentlyBoughtTogether(measure="lift", basket_weight="none", neighbours=neighbours),
        PurchaseHistory(neighbours=neighbours),
        PurchaseHistory(measure="confidence", self_weight=Decimal("0"), neighbours=neighbours),
        ViewedItems(neighbours=neighbours),
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rec_orders(),
    rec_catalogues(),
    rec_requests,
    st.sampled_from(range(len(neighbourhoods(None)))),
    st.integers(1, 4),
)
def test_pruning_never_adds_an_item_the_full_model_would_not_have(
    orders: list[Order], products: tuple[Product, ...], request: Request, which: int, keep: int
) -> None:
    catalogue = Catalogue(products)
    data = Interactions.from_orders(orders)
    full = neighbourhoods(None)[which].fit(data, catalogue=catalogue)
    pruned = neighbourhoods(keep)[which].fit(data, catalogue=catalogue)
    scored = full.score(full.resolve(request)).scores
    candidates = {full.items_[item] for item in range(len(scored)) if scored[item] > 0}
    assert set(pruned.recommend_skus(request)) <= candidates
    # and each item keeps at most ``keep`` neighbours
    indptr = pruned.indptr_  # type: ignore[attr-defined]
    assert int(max(indptr[1:] - indptr[:-1], default=0)) <= keep


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0.0, -1.0, 0.5, 1.0, 2.0, 3.5]), min_size=6, max_size=6),
        min_size=1,
        max_size=5,
    ),
    st.integers(1, 7),
    st.randoms(use_true_random=False),
)
def test_the_sparse_top_k_and_the_one_row_top_k_cut_as_the_dense_one_does(
    rows: list[list[float]], k: int, rng: random.Random
) -> None:
    # many ties (few distinct values), negatives and zeros: the cut must still be score
    # descending, then column ascending, positive scores only, whatever the entries' order
    scores = np.array(rows)
    ks = np.full(len(rows), k)
    dense = [row.tolist() for row in top_k(scores, np.ones(scores.shape, dtype=bool), ks)]
    assert [top_one(row, k).tolist() for row in scores] == dense
    indptr, indices, data = [0], [], []
    for row in rows:
        columns = [c for c, value in enumerate(row) if value != 0.0]
        rng.shuffle(columns)  # a product's columns come in any order
        indices += columns
        data += [row[c] for c in columns]
        indptr.append(len(indices))
    sparse = top_k_csr(np.array(indptr), np.array(indices, dtype=np.int64), np.array(data), ks)
    assert [row.tolist() for row in sparse] == dense
