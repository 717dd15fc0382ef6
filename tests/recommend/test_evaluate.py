"""Metrics worked by hand, the two protocols, and a report over cases."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from shopkit import NotFittedError, Order, ValidationError
from shopkit.recommend import (
    Case,
    FrequentlyBoughtTogether,
    Interactions,
    Popular,
    Request,
    average_precision,
    coverage,
    evaluate,
    hit_rate,
    leave_one_out,
    ndcg,
    one_to_rest,
    precision,
    recall,
    time_split,
)

# recommended a b c d e, relevant {b, d, x}: hits at ranks 2 and 4
LIST = ["a", "b", "c", "d", "e"]
RELEVANT = {"b", "d", "x"}


def test_hit_rate() -> None:
    assert hit_rate(LIST, RELEVANT, 5) == 1.0
    assert hit_rate(LIST, RELEVANT, 1) == 0.0  # only "a"
    assert hit_rate([], RELEVANT, 3) == 0.0


def test_precision_counts_empty_slots_as_misses() -> None:
    assert precision(LIST, RELEVANT, 5) == 2 / 5
    assert precision(LIST, RELEVANT, 2) == 1 / 2
    assert precision(["b"], RELEVANT, 10) == 1 / 10


def test_recall() -> None:
    assert recall(LIST, RELEVANT, 5) == 2 / 3
    assert recall(LIST, RELEVANT, 3) == 1 / 3
    assert recall(LIST, set(), 3) == 0.0


def test_average_precision() -> None:
    # precision at rank 2 is 1/2, at rank 4 is 2/4; over min(3, 5) = 3 relevant: 1/3
    assert average_precision(LIST, RELEVANT, 5) == pytest.approx((1 / 2 + 2 / 4) / 3)
    # at k = 2: precision 1/2 at rank 2, over min(3, 2) = 2: 1/4
    assert average_precision(LIST, RELEVANT, 2) == pytest.approx(1 / 4)
    assert average_precision(["b", "d"], {"b", "d"}, 2) == 1.0


def test_ndcg() -> None:
    # gains at ranks 2 and 4 (0-based 1 and 3): 1/log2(3) + 1/log2(5);
    # ideal: 3 hits at the top: 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.631 + 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3) + 1 / 2
    assert ndcg(LIST, RELEVANT, 5) == pytest.approx(dcg / ideal)
    assert ndcg(LIST, RELEVANT, 5) == pytest.approx(1.0616 / 2.1309, abs=1e-4)  # 0.4982
    assert ndcg(["b", "d", "x"], RELEVANT, 3) == pytest.approx(1.0)
    assert ndcg(LIST, set(), 5) == 0.0


def test_coverage() -> None:
    assert coverage([["a", "b"], ["b", "c"]], 6) == 0.5
    with pytest.raises(ValidationError) as caught:
        coverage([], 0)
    assert caught.value.field == "catalogue_size"


def test_k_must_be_a_positive_whole_number() -> None:
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValidationError) as caught:
            hit_rate(LIST, RELEVANT, bad)  # type: ignore[arg-type]
        assert caught.value.field == "k"


def day(number: int) -> dt.datetime:
    return dt.datetime(2024, 1, number, tzinfo=dt.UTC)


BOOK = Interactions.from_orders(
    [
        Order("1", ["a", "b"], day(1)),
        Order("2", ["a", "b", "c"], day(2)),
        Order("3", ["a", "c"], day(3)),
        Order("4", ["a", "b", "z"], day(4)),  # z is unknown before day 4
        Order("5", ["c"], day(5)),  # one item: no case
        Order("6", ["z", "y"], day(6)),  # no two known items: no case
    ]
)


def test_time_split_and_the_protocols() -> None:
    train, test = time_split(BOOK, day(4))
    assert (train.n_baskets, test.n_baskets) == (3, 3)
    known = {train.items[i] for i in set(train.item.tolist())}
    assert known == {"a", "b", "c"}
    cases = leave_one_out(test, known=known, seed=0, k=5)
    assert len(cases) == 1  # basket 4 with a and b known
    (case,) = cases
    assert len(case.relevant) == 1
    assert sorted([*case.request.cart, *case.relevant]) == ["a", "b"]
    assert case.request.k == 5
    (case,) = one_to_rest(test, known=known, seed=0)
    assert sorted([*case.request.cart, *case.relevant]) == ["a", "b"]
    assert len(case.request.cart) == 1
    # the same seed, the same cases
    assert leave_one_out(test, known=known, seed=3) == leave_one_out(test, known=known, seed=3)


def test_evaluate_averages_over_cases() -> None:
    train, _ = time_split(BOOK, day(4))
    model = FrequentlyBoughtTogether(measure="count", basket_weight="none").fit(train)
    # from a: b 2 (orders 1, 2), c 2 (2, 3); from c: a 2, b 1
    cases = [Case(Request(cart=["a"]), ["c"]), Case(Request(cart=["c"]), ["x"])]
    done: list[int] = []
    report = evaluate(model, cases, k=1, progress=done.append)
    # k = 1: from a the top is b (tie with c, b first): miss; from c the top is a: miss
    assert (report.hit_rate, report.cases, report.k) == (0.0, 2, 1)
    report = evaluate(model, cases, k=2)
    # from a: [b, c] hits c: hit 1, precision 1/2, recall 1, AP 1/2 / 1, NDCG 1/log2(3)
    # from c: [a, b]: all 0. Means over the two cases:
    assert report.hit_rate == 0.5
    assert report.precision == 0.25
    assert report.recall == 0.5
    assert report.map == 0.25
    assert report.ndcg == pytest.approx(1 / math.log2(3) / 2)
    # recommended: b, c and a of the model's 5 items (the split keeps the vocabulary, so z and y
    # are in it although nobody bought them before day 4): 3/5
    assert report.coverage == 3 / 5
    assert report.strategy == "frequently_bought_together"
    assert done == [2]


def test_evaluate_needs_a_fitted_model() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        evaluate(Popular(), [Case(Request(cart=["a"]), ["b"])])


def test_next_order_takes_each_customers_first_order_after_the_cut() -> None:
    from shopkit import Customer
    from shopkit.recommend import BuyAgain, next_order

    data = Interactions.from_orders(
        [
            Order("1", ["tea", "mug"], day(1), customer="ann"),
            Order("2", ["jam"], day(2), customer="bob"),
            Order("3", ["tea", "jam", "new"], day(5), customer="ann"),  # ann's next order
            Order("4", ["mug"], day(7), customer="ann"),  # a later one: not counted
            Order("5", ["tea"], day(6), customer="cy"),  # cy has no history: skipped
            Order("6", ["mug"], day(6)),  # a guest: skipped
            Order("7", ["mug", "jam"], day(5), customer="bob"),
        ]
    )
    cut = day(4)
    cases = next_order(data, cut, k=3)
    # ann: tea, jam ("new" was never bought before the cut); bob: jam, mug
    assert [(c.request.customer.id, c.relevant) for c in cases] == [  # type: ignore[union-attr]
        ("ann", ("jam", "tea")),
        ("bob", ("jam", "mug")),
    ]
    assert cases[0].request == Request(customer=Customer("ann"), k=3, at=cut)
    # without repeats: ann bought tea before, bob jam
    excluded = next_order(data, cut, k=3, exclude_repeats=True)
    assert [c.relevant for c in excluded] == [("jam",), ("mug",)]
    assert all(c.request.filters.exclude_bought for c in excluded)
    # known limits the relevant items: with only tea known, bob has nothing left
    assert [c.relevant for c in next_order(data, cut, known=["tea"])] == [("tea",)]
    # buy again before the cut: ann [tea, mug] (tied counts, first seen first), bob [jam].
    # ann: hit, precision 1/3, recall 1/2; bob: hit, precision 1/3, recall 1/2
    model = BuyAgain(half_life_days=None, cycle_weight=Decimal("0")).fit(data.before(cut))
    report = evaluate(model, cases, k=3)
    assert (report.hit_rate, report.precision, report.recall) == (1.0, 1 / 3, 1 / 2)
    with pytest.raises(ValidationError) as caught:
        next_order(data, dt.datetime(2024, 1, 4))
    assert caught.value.field == "at"
