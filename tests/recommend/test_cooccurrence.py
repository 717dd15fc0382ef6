"""Co-occurrence counts, association measures and the three item-to-item strategies.

The baskets (fixture ``four_orders``), worked by hand:

    o1: A B C    o2: A B    o3: A D    o4: B C            N = 4 baskets

    baskets with A: 3, B: 3, C: 2, D: 1
    pairs: A-B 2 (o1, o2), A-C 1 (o1), A-D 1 (o3), B-C 2 (o1, o4), B-D 0, C-D 0
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Customer, Event, EventKind, Order, ValidationError
from shopkit.recommend import (
    Association,
    BasketWeight,
    CooccurrenceCounts,
    Filters,
    FrequentlyBoughtTogether,
    Interactions,
    PurchaseHistory,
    Request,
    ViewedItems,
)
from tests.recommend.conftest import AT
from tests.strategies import rec_orders


def dense(counts: CooccurrenceCounts) -> dict[tuple[str, str], float]:
    coo = counts.pairs.tocoo()
    return {
        (counts.items[r], counts.items[c]): float(v)
        for r, c, v in zip(coo.row, coo.col, coo.data, strict=True)
        if v
    }


def test_counts_items_and_pairs(four_orders: Interactions) -> None:
    counts = CooccurrenceCounts.of(four_orders)
    assert counts.items == ("A", "B", "C", "D")
    assert counts.n_baskets == 4
    assert counts.item_counts.tolist() == [3, 3, 2, 1]
    assert dense(counts) == {
        ("A", "B"): 2, ("B", "A"): 2,
        ("A", "C"): 1, ("C", "A"): 1,
        ("A", "D"): 1, ("D", "A"): 1,
        ("B", "C"): 2, ("C", "B"): 2,
    }  # fmt: skip


def test_support_confidence_and_lift(four_orders: Interactions) -> None:
    counts = CooccurrenceCounts.of(four_orders)
    # A → B: support 2/4 = 0.5; confidence 2/3; lift (2/3) / (3/4) = 8/9
    assert counts.association("A", "B") == pytest.approx(Association(2, 0.5, 2 / 3, 8 / 9))
    # C → B: support 2/4; confidence 2/2 = 1; lift 1 / (3/4) = 4/3
    assert counts.association("C", "B") == pytest.approx(Association(2, 0.5, 1.0, 4 / 3))
    # A → D: support 1/4; confidence 1/3; lift (1/3) / (1/4) = 4/3
    assert counts.association("A", "D") == pytest.approx(Association(1, 0.25, 1 / 3, 4 / 3))
    # B → D never happens
    assert counts.association("B", "D") == Association(0.0, 0.0, 0.0, 0.0)


def test_an_unknown_item_is_named(four_orders: Interactions) -> None:
    with pytest.raises(ValidationError, match="'Z' is not a counted item") as caught:
        CooccurrenceCounts.of(four_orders).association("A", "Z")
    assert caught.value.field == "sku"


def test_basket_weights(four_orders: Interactions) -> None:
    inverse = CooccurrenceCounts.of(four_orders, basket_weight="inverse")
    # o1 has 3 items and counts 1/3; o2, o3 and o4 have 2 and count 1/2 each
    assert inverse.n_baskets == pytest.approx(1 / 3 + 3 / 2)
    assert inverse.item_counts[0] == pytest.approx(1 / 3 + 1 / 2 + 1 / 2)  # A: o1, o2, o3
    assert inverse.pair("A", "B") == pytest.approx(1 / 3 + 1 / 2)  # o1, o2
    logged = CooccurrenceCounts.of(four_orders, basket_weight=BasketWeight.LOG)
    # 1 / log2(1 + 3) = 0.5 for o1, 1 / log2(3) for the others
    assert logged.pair("B", "C") == pytest.approx(0.5 + 1 / math.log2(3))


def test_large_baskets_can_be_left_out(four_orders: Interactions) -> None:
    counts = CooccurrenceCounts.of(four_orders, max_basket_size=2)
    # o1 (3 items) is left out: A 2, B 2, C 1, D 1; A-B 1, A-D 1, B-C 1; 3 baskets
    assert counts.n_baskets == 3
    assert counts.item_counts.tolist() == [2, 2, 1, 1]
    assert counts.pair("A", "B") == counts.pair("B", "C") == counts.pair("A", "D") == 1
    assert counts.pair("A", "C") == 0


def test_counts_by_customer(four_orders: Interactions) -> None:
    counts = CooccurrenceCounts.of(four_orders, by="customer")
    # ann bought A B C (o1) and A D (o3); bob A B; o4 was a guest's
    assert counts.n_baskets == 2
    assert counts.item_counts.tolist() == [2, 2, 1, 1]
    assert counts.pair("A", "D") == 1
    assert counts.pair("C", "D") == 1
    with pytest.raises(ValidationError, match="'session' is not 'basket' or 'customer'"):
        CooccurrenceCounts.of(four_orders, by="session")


@settings(max_examples=60, deadline=None)
@given(rec_orders(), st.integers(0, 15), st.sampled_from(list(BasketWeight)))
def test_counts_of_chunks_add_up_to_the_counts_of_the_whole(
    orders: list[Order], split: int, weight: BasketWeight
) -> None:
    whole = CooccurrenceCounts.of(Interactions.from_orders(orders), basket_weight=weight)
    first = CooccurrenceCounts.of(Interactions.from_orders(orders[:split]), basket_weight=weight)
    second = CooccurrenceCounts.of(Interactions.from_orders(orders[split:]), basket_weight=weight)
    merged = first + second
    assert merged.items == whole.items
    assert merged.n_baskets == pytest.approx(whole.n_baskets)
    np.testing.assert_allclose(merged.item_counts, whole.item_counts, rtol=1e-6)
    np.testing.assert_allclose(merged.pairs.toarray(), whole.pairs.toarray(), rtol=1e-6)
    model = FrequentlyBoughtTogether(basket_weight=weight).fit_counts(merged)
    direct = FrequentlyBoughtTogether(basket_weight=weight).fit(Interactions.from_orders(orders))
    for sku in whole.items:
        request = Request(cart=[sku])
        if weight is BasketWeight.NONE:  # whole counts: the same order, ties and all
            assert model.recommend_skus(request) == direct.recommend_skus(request)
        # weighted sums may differ in the last bits (and so break a tie differently)
        chunked = {r.sku: r.score for r in model.recommend(request)}
        at_once = {r.sku: r.score for r in direct.recommend(request)}
        assert chunked.keys() == at_once.keys()
        for key, value in chunked.items():
            assert value == pytest.approx(at_once[key], rel=1e-5)


def test_counts_weighted_differently_do_not_add(four_orders: Interactions) -> None:
    with pytest.raises(ValidationError, match="cannot add counts weighted none and log"):
        _ = CooccurrenceCounts.of(four_orders) + CooccurrenceCounts.of(
            four_orders, basket_weight="log"
        )


def test_frequently_bought_together_by_count(four_orders: Interactions) -> None:
    model = FrequentlyBoughtTogether(measure="count", basket_weight="none").fit(four_orders)
    got = model.recommend(Request(cart=["A"]))
    # B met A in 2 baskets, C and D in 1: the tie goes to the earlier item, C
    assert [(r.sku, r.score) for r in got] == [("B", 2.0), ("C", 1.0), ("D", 1.0)]
    assert {r.reason for r in got} == {"Often bought with A"}
    assert {r.because for r in got} == {"A"}
    assert {r.strategy for r in got} == {"frequently_bought_together"}


def test_frequently_bought_together_by_cosine(four_orders: Interactions) -> None:
    model = FrequentlyBoughtTogether(alpha="0.5", beta="0.5", beta_cart="0.5", basket_weight="none")
    model.fit(four_orders)
    got = model.recommend(Request(cart=["A"]))
    # cosine c_ab / sqrt(c_a c_b): B 2/sqrt(9) = 0.667, D 1/sqrt(3) = 0.577, C 1/sqrt(6) = 0.408
    assert [r.sku for r in got] == ["B", "D", "C"]
    assert [r.score for r in got] == pytest.approx([2 / 3, 1 / math.sqrt(3), 1 / math.sqrt(6)])
    got = model.recommend(Request(cart=["A", "C"]))
    # B: from A 2/3, from C 2/sqrt(6) = 0.816 (the larger: C triggers it); D: from A only
    assert [(r.sku, r.because) for r in got] == [("B", "C"), ("D", "A")]
    assert got[0].score == pytest.approx(2 / 3 + 2 / math.sqrt(6))
    assert got[0].reason == "Often bought with C"


def test_frequently_bought_together_by_lift_and_confidence(four_orders: Interactions) -> None:
    lift = FrequentlyBoughtTogether(measure="lift", basket_weight="none").fit(four_orders)
    # from C: A lift (1/2) / (3/4) = 2/3, B lift 1 / (3/4) = 4/3
    got = lift.recommend(Request(cart=["C"]))
    assert [r.sku for r in got] == ["B", "A"]
    assert [r.score for r in got] == pytest.approx([4 / 3, 2 / 3])
    confidence = FrequentlyBoughtTogether(measure="confidence", basket_weight="none")
    # from D: A in 1 of D's 1 baskets
    assert [
        (r.sku, r.score) for r in confidence.fit(four_orders).recommend(Request(cart=["D"]))
    ] == [("A", 1.0)]


def test_min_count_and_neighbours(four_orders: Interactions) -> None:
    model = FrequentlyBoughtTogether(measure="count", basket_weight="none", min_count=2)
    assert model.fit(four_orders).recommend_skus(Request(cart=["A"])) == ["B"]
    pruned = FrequentlyBoughtTogether(measure="count", basket_weight="none", neighbours=2)
    # A keeps its two best partners: B (2) and C (1, before D on the tie)
    assert pruned.fit(four_orders).recommend_skus(Request(cart=["A"])) == ["B", "C"]


def test_purchase_history_uses_what_the_customer_bought(four_orders: Interactions) -> None:
    model = PurchaseHistory(measure="count", basket_weight="none").fit(four_orders)
    # bob bought A and B. By customer: ann A B C D, bob A B. From A: B 2, C 1, D 1; from B:
    # A 2, C 1, D 1. Not excluding bought items: A 2 and B 2 first, then C 2 and D 2.
    got = model.recommend(Request(customer=Customer("bob")))
    assert [r.sku for r in got] == ["A", "B", "C", "D"]
    assert got[2].reason == "Because you bought A"
    fresh = model.recommend(Request(customer=Customer("bob"), filters=Filters(exclude_bought=True)))
    assert [r.sku for r in fresh] == ["C", "D"]
    assert model.recommend(Request(customer=Customer("nobody"))) == []


def test_viewed_items_counts_views_in_sessions() -> None:
    events = [
        Event(EventKind.VIEW, "kettle", AT, "s1"),
        Event(EventKind.VIEW, "teapot", AT, "s1"),
        Event(EventKind.ADD_TO_CART, "kettle", AT, "s2"),
        Event(EventKind.VIEW, "mug", AT, "s2"),
    ]
    data = Interactions.from_orders([], events)
    model = ViewedItems(measure="count", basket_weight="none").fit(data)
    got = model.recommend(Request(viewed=["kettle"]))
    assert [(r.sku, r.reason) for r in got] == [
        ("teapot", "Because you viewed kettle"),
        ("mug", "Because you viewed kettle"),
    ]
    # frequently bought together counts purchases only: views are no evidence
    fbt = FrequentlyBoughtTogether().fit(data)
    assert fbt.recommend(Request(cart=["kettle"])) == []


def test_bad_parameters_name_the_field() -> None:
    with pytest.raises(ValidationError, match="'sine' is not one of count") as caught:
        FrequentlyBoughtTogether(measure="sine")
    assert caught.value.field == "measure"
    with pytest.raises(ValidationError) as caught:
        FrequentlyBoughtTogether(alpha="1.5")
    assert caught.value.field == "alpha"
    with pytest.raises(ValidationError) as caught:
        FrequentlyBoughtTogether(neighbours=0)
    assert caught.value.field == "neighbours"


def test_orders_at_different_times_count_alike() -> None:
    late = AT + dt.timedelta(days=300)
    data = Interactions.from_orders([Order("1", ["x", "y"], AT), Order("2", ["x", "y"], late)])
    assert CooccurrenceCounts.of(data).pair("x", "y") == 2
