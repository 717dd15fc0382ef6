"""The pure-Python single-request path of the item-neighbourhood strategies equals the numpy one.

The compiled kernel (``_kernel``, with numba) is turned off here: ``test_kernel.py`` checks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shopkit.recommend._item_item as item_item_module
import shopkit.recommend._python_rows as python_rows_module
from shopkit import Catalogue, Money, Order, Product
from shopkit.recommend import (
    Filters,
    FrequentlyBoughtTogether,
    Interactions,
    PurchaseHistory,
    Recommendation,
    Request,
    ViewedItems,
)
from shopkit.recommend._item_item import _ItemItem
from tests.strategies import REC_SKUS, rec_catalogues, rec_orders, rec_requests

AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True, scope="module")
def _no_kernel() -> Iterator[None]:
    """These tests are about the paths without numba: the compiled kernel is turned off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(item_item_module, "jit_top", lambda: None)
        yield


def models() -> list[_ItemItem]:
    return [
        FrequentlyBoughtTogether(),
        FrequentlyBoughtTogether(neighbours=2),
        FrequentlyBoughtTogether(measure="lift", basket_weight="none", beta=Decimal("0.3")),
        FrequentlyBoughtTogether(measure="count", self_weight=Decimal("1"), neighbours=3),
        PurchaseHistory(),
        PurchaseHistory(measure="confidence", self_weight=Decimal("0"), neighbours=2),
        PurchaseHistory(half_life_days=None),
        ViewedItems(),
        ViewedItems(self_weight=Decimal("1"), recency=Decimal("0.5"), neighbours=3),
    ]


def numpy_path(model: _ItemItem, request: Request) -> list[Recommendation]:
    """What ``recommend`` gives through ``_top`` and ``_triggers`` (the numpy path)."""
    return model._recommend_resolved(model.resolve(request))


# requests with many repeated and distinct anchors: more cart and viewed items than rec_requests
many_anchors = st.builds(
    Request,
    cart=st.lists(st.sampled_from((*REC_SKUS, "NEW1", "UNKNOWN")), max_size=12),
    viewed=st.lists(st.sampled_from(REC_SKUS), max_size=8),
    history=st.lists(st.sampled_from(REC_SKUS), max_size=6),
    k=st.integers(1, 12),
    filters=st.builds(
        Filters,
        exclude_cart=st.booleans(),
        exclude_viewed=st.booleans(),
        exclude_bought=st.booleans(),
        in_stock=st.booleans(),
        excluded_skus=st.lists(st.sampled_from(REC_SKUS), max_size=3),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rec_orders(),
    rec_catalogues(),
    rec_requests | many_anchors,
    st.sampled_from(range(len(models()))),
)
def test_the_fast_path_gives_the_numpy_paths_items_order_scores_and_reasons(
    orders: list[Order], products: tuple[Product, ...], request: Request, which: int
) -> None:
    model = models()[which].fit(Interactions.from_orders(orders), catalogue=Catalogue(products))
    expected = numpy_path(model, request)
    # Recommendation equality compares the float scores exactly, and the reasons
    assert model.recommend(request) == expected
    assert model.recommend_skus(request) == [r.sku for r in expected]
    fast = model._fast(model.resolve(request))
    if fast is not None:  # the path answered: its own scores are the numpy path's to the bit
        items, values, _ = fast
        assert [model.items_[item] for item in items] == [r.sku for r in expected]
        assert values == [r.score for r in expected]
    # a second call reads the rows kept at first use: still the same
    assert model.recommend(request) == expected


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rec_orders(), rec_catalogues(), many_anchors, st.sampled_from(range(len(models()))))
def test_every_cut_over_gives_the_same_lists(
    orders: list[Order], products: tuple[Product, ...], request: Request, which: int
) -> None:
    model = models()[which].fit(Interactions.from_orders(orders), catalogue=Catalogue(products))
    expected = numpy_path(model, request)
    names = ("_FAST_ENTRIES", "_FAST_ROW", "_PYTHON_LOOKUPS", "_EAGER_ENTRIES")
    saved = [getattr(python_rows_module, name) for name in names]
    try:
        for limit in (0, 3, 10**9):
            fresh = models()[which].fit(
                Interactions.from_orders(orders), catalogue=Catalogue(products)
            )
            for name in names:
                setattr(python_rows_module, name, limit)
            assert fresh.recommend(request) == expected
            assert fresh.recommend_skus(request) == [r.sku for r in expected]
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(python_rows_module, name, value)


def hand_model() -> FrequentlyBoughtTogether:
    # plain pair counts: (a, b) 2 baskets, (a, c) 1, (b, c) 2, (b, d) 1, (c, d) 1
    orders = [
        Order("1", ["a", "b"], AT),
        Order("2", ["a", "b", "c"], AT),
        Order("3", ["b", "c", "d"], AT),
    ]
    model = FrequentlyBoughtTogether(measure="count", basket_weight="none")
    return model.fit(Interactions.from_orders(orders))


def test_one_anchor_walks_its_sorted_row_and_skips_the_filtered() -> None:
    model = hand_model()
    # cart [b]: a 2, c 2, d 1; ties by vocabulary order (a before c)
    got = model.recommend(Request(cart=["b"], k=2))
    assert [(r.sku, r.score, r.because) for r in got] == [("a", 2.0, "b"), ("c", 2.0, "b")]
    assert model._fast(model.resolve(Request(cart=["b"]))) is not None
    # a left out: the walk goes on to c, then d
    got = model.recommend(Request(cart=["b"], k=2, filters=Filters(excluded_skus=["a"])))
    assert [(r.sku, r.score) for r in got] == [("c", 2.0), ("d", 1.0)]


def test_several_anchors_add_up_and_name_the_first_largest_share() -> None:
    model = hand_model()
    # cart [a, c]: b = 2 (from a) + 2 (from c) = 4, d = 0 + 1 = 1; b's shares tie at 2, so the
    # lower anchor, a, is named; d's only share is c's
    got = model.recommend(Request(cart=["c", "a"]))
    assert [(r.sku, r.score, r.because) for r in got] == [("b", 4.0, "a"), ("d", 1.0, "c")]
    assert got[0].reason == "Often bought with a"
    assert model._fast(model.resolve(Request(cart=["c", "a"]))) is not None


def test_a_price_rule_is_left_to_the_numpy_path() -> None:
    products = [Product(sku, sku, Money(100 * (n + 1), "GBP")) for n, sku in enumerate("abcd")]
    model = hand_model()
    model.set_catalogue(Catalogue(products))
    request = Request(cart=["b"], filters=Filters(max_price_ratio=Decimal("2")))
    assert model._fast(model.resolve(request)) is None
    # b costs 2.00, so a candidate may cost up to 2 × 2.00 = 4.00: a (1.00), c (3.00), d (4.00)
    assert [r.sku for r in model.recommend(request)] == ["a", "c", "d"]


def test_new_stock_from_set_catalogue_reaches_the_in_stock_filter() -> None:
    model = hand_model()
    stocked = [Product(sku, sku, Money(100, "GBP"), stock=5) for sku in "abcd"]
    model.set_catalogue(Catalogue(stocked))
    request = Request(cart=["b"], filters=Filters(in_stock=True))
    assert [r.sku for r in model.recommend(request)] == ["a", "c", "d"]
    sold_out = [
        Product(sku, sku, Money(100, "GBP"), stock=0 if sku == "a" else 5) for sku in "abcd"
    ]
    model.set_catalogue(Catalogue(sold_out))
    assert [r.sku for r in model.recommend(request)] == ["c", "d"]
    assert model.recommend_batch([request]) == [["c", "d"]]
