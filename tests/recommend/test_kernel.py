"""The compiled single-request kernel (numba, the ``jit`` extra) equals the numpy path."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shopkit.recommend._kernel as kernel_module
from shopkit import Catalogue, Order, Product
from shopkit.recommend import Filters, FrequentlyBoughtTogether, Interactions, Request
from tests.recommend.test_fast_path import many_anchors, models, numpy_path
from tests.strategies import rec_catalogues, rec_orders, rec_requests

AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

needs_numba = pytest.mark.skipif(
    kernel_module.jit_top() is None, reason="numba is not installed (the jit extra)"
)


@needs_numba
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rec_orders(),
    rec_catalogues(),
    rec_requests | many_anchors,
    st.sampled_from(range(len(models()))),
)
def test_the_kernel_gives_the_numpy_paths_items_order_scores_and_reasons(
    orders: list[Order], products: tuple[Product, ...], request: Request, which: int
) -> None:
    model = models()[which].fit(Interactions.from_orders(orders), catalogue=Catalogue(products))
    expected = numpy_path(model, request)
    compiled = model._compiled(model.resolve(request), explain=True)
    assert compiled is not None
    items, values, _ = compiled
    # the same items in the same order, and the float scores to the last bit
    assert [model.items_[item] for item in items] == [r.sku for r in expected]
    assert values == [r.score for r in expected]
    # the whole recommendations, reasons and triggers included (Recommendation equality)
    assert model.recommend(request) == expected
    assert model.recommend_skus(request) == [r.sku for r in expected]
    assert model.recommend_batch([request]) == [[r.sku for r in expected]]


def hand_model() -> FrequentlyBoughtTogether:
    # plain pair counts: (a, b) 2 baskets, (a, c) 1, (b, c) 2, (b, d) 1, (c, d) 1
    orders = [
        Order("1", ["a", "b"], AT),
        Order("2", ["a", "b", "c"], AT),
        Order("3", ["b", "c", "d"], AT),
    ]
    model = FrequentlyBoughtTogether(measure="count", basket_weight="none")
    return model.fit(Interactions.from_orders(orders))


@needs_numba
def test_hand_worked_sums_ties_and_triggers() -> None:
    model = hand_model()
    # cart [c, a, c]: the anchors are a and c, once each. b = 2 (from a) + 2 (from c) = 4,
    # d = 0 + 1 = 1; b's shares tie at 2, so the lower anchor, a, is named; d's is c's
    compiled = model._compiled(model.resolve(Request(cart=["c", "a", "c"])), explain=True)
    assert compiled is not None
    items, values, triggers = compiled
    assert [model.items_[i] for i in items] == ["b", "d"]
    assert values == [4.0, 1.0]
    assert [model.items_[t] for t in triggers] == ["a", "c"]
    # without the cart excluded a and c are candidates too: a = 0 (a's own link is 0) + 1
    # (from c) = 1, c = 1 (from a) + 0 = 1; ranked 4, then the three 1s by vocabulary order
    request = Request(cart=["c", "a"], filters=Filters(exclude_cart=False))
    got = model.recommend(request)
    assert [(r.sku, r.score, r.because) for r in got] == [
        ("b", 4.0, "a"),
        ("a", 1.0, "c"),
        ("c", 1.0, "a"),
        ("d", 1.0, "c"),
    ]


@needs_numba
def test_a_k_far_beyond_the_vocabulary_asks_for_no_memory() -> None:
    model = hand_model()
    # 10**15 slots would not fit in memory: k is cut to the 4 items the model knows
    got = model.recommend(Request(cart=["b"], k=10**15))
    assert [r.sku for r in got] == ["a", "c", "d"]


@pytest.fixture
def fresh_lookup() -> Iterator[None]:
    kernel_module.jit_top.cache_clear()
    yield
    kernel_module.jit_top.cache_clear()


@pytest.mark.parametrize("value", ["0", "false", "off", "No"])
def test_shopkit_jit_0_turns_the_kernel_off(
    monkeypatch: pytest.MonkeyPatch, fresh_lookup: None, value: str
) -> None:
    monkeypatch.setenv("SHOPKIT_JIT", value)
    assert kernel_module.jit_top() is None
    model = hand_model()
    assert model._compiled(model.resolve(Request(cart=["b"])), explain=True) is None
    # the numpy and pure-Python paths answer instead: cart [b] gives a 2, c 2, d 1
    assert [r.sku for r in model.recommend(Request(cart=["b"]))] == ["a", "c", "d"]


def test_without_numba_the_numpy_path_answers(
    monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    real = importlib.import_module

    def no_numba(name: str) -> object:
        if name == "numba":
            raise ImportError(name)
        return real(name)

    monkeypatch.delenv("SHOPKIT_JIT", raising=False)
    monkeypatch.setattr(importlib, "import_module", no_numba)
    assert kernel_module.jit_top() is None
    model = hand_model()
    # the model's lookup is the same cached one: the numpy path answers, b 4 and d 1
    assert model._compiled(model.resolve(Request(cart=["c", "a"])), explain=True) is None
    assert [r.sku for r in model.recommend(Request(cart=["c", "a"]))] == ["b", "d"]


@needs_numba
def test_without_a_writable_cache_the_kernel_compiles_in_memory(
    monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    numba = importlib.import_module("numba")
    real = numba.njit
    asked: list[bool] = []

    def njit(*args: object, **options: object) -> object:
        if args or "cache" not in options:  # numba's own uses
            return real(*args, **options)
        asked.append(bool(options["cache"]))
        if options["cache"]:  # what numba raises when no cache directory can be written
            raise RuntimeError("cannot cache function: no locator available")
        return real(**options)

    monkeypatch.delenv("SHOPKIT_JIT", raising=False)
    monkeypatch.setattr(numba, "njit", njit)
    assert kernel_module.jit_top() is not None
    assert asked == [True, False]
    model = hand_model()
    # cart [b]: a 2, c 2, d 1 (ties by vocabulary order), each because of b
    compiled = model._compiled(model.resolve(Request(cart=["b"])), explain=True)
    assert compiled == ([0, 2, 3], [2.0, 2.0, 1.0], [1, 1, 1])
