"""Offline evaluation: protocols that make test cases, metrics at k, and a report per strategy.

A *case* is a request and the items that were really bought (the relevant ones). Two
protocols make cases from held-out baskets: ``leave_one_out`` hides one item of each basket and
asks for it from the rest (complete the cart); ``one_to_rest`` asks, from one item of each
basket, for the rest of it (frequently bought together). ``time_split`` cuts interactions at a
moment so that a model is tested only on baskets placed after everything it learned from. The
per-customer next-order protocol (``next_order``) is in its own module.

Metrics for one case, with ``R`` the recommended list cut at k and ``G`` the relevant set:
hit rate 1 if any of ``R`` is in ``G``; precision |R ∩ G| / k; recall |R ∩ G| / |G|; average
precision the mean, over the ranks i where R[i] is relevant, of precision at i, divided by
min(|G|, k) (MAP is its mean over cases); NDCG the sum of 1/log2(i + 2) over relevant R[i]
(ranks from 0) divided by the same sum for an ideal list. Catalogue coverage is the share of
the catalogue that appears in at least one list.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Sequence
from typing import Any

import attrs
import numpy as np

from shopkit import ValidationError
from shopkit import validators as check
from shopkit.recommend._base import Recommender, recommenders
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Request

__all__ = [
    "Case",
    "Report",
    "average_precision",
    "coverage",
    "evaluate",
    "hit_rate",
    "leave_one_out",
    "ndcg",
    "one_to_rest",
    "precision",
    "recall",
    "time_split",
]


_CHUNK = 500
"""How many cases ``evaluate`` asks for in one batch."""


def _cut(recommended: Sequence[str], k: int) -> Sequence[str]:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValidationError(f"{k!r} is not a whole number of at least 1", field="k", value=k)
    return recommended[:k]


def hit_rate(recommended: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 if any of the first ``k`` recommended items is relevant, else 0.0.

    Examples:
        >>> from shopkit.recommend import hit_rate
        >>> hit_rate(["a", "b", "c"], {"c"}, 3), hit_rate(["a", "b", "c"], {"c"}, 2)
        (1.0, 0.0)
    """
    return 1.0 if any(item in relevant for item in _cut(recommended, k)) else 0.0


def precision(recommended: Sequence[str], relevant: Collection[str], k: int) -> float:
    """The share of ``k`` slots filled with relevant items (a short list counts as k long).

    Examples:
        >>> from shopkit.recommend import precision
        >>> precision(["a", "b", "c", "d"], {"b", "d", "x"}, 4)
        0.5
    """
    return sum(item in relevant for item in _cut(recommended, k)) / k


def recall(recommended: Sequence[str], relevant: Collection[str], k: int) -> float:
    """The share of relevant items found in the first ``k`` (0.0 when nothing is relevant).

    Examples:
        >>> from shopkit.recommend import recall
        >>> recall(["a", "b", "c", "d"], {"b", "d", "x"}, 4)  # doctest: +ELLIPSIS
        0.666...
    """
    if not relevant:
        return 0.0
    return sum(item in relevant for item in _cut(recommended, k)) / len(relevant)


def average_precision(recommended: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Average precision at ``k``: mean precision at each relevant rank, over min(|G|, k).

    Examples:
        >>> from shopkit.recommend import average_precision
        >>> average_precision(["a", "b", "c", "d"], {"b", "d", "x"}, 4)  # doctest: +ELLIPSIS
        0.333...
    """
    cut = _cut(recommended, k)
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, item in enumerate(cut, start=1):
        if item in relevant:
            found += 1
            total += found / rank
    return total / min(len(relevant), k)


def ndcg(recommended: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains.

    Examples:
        >>> from shopkit.recommend import ndcg
        >>> round(ndcg(["a", "b"], {"b"}, 2), 4)  # (1/log2 3) / (1/log2 2)
        0.6309
    """
    cut = _cut(recommended, k)
    if not relevant:
        return 0.0
    gain = sum(1 / math.log2(rank + 2) for rank, item in enumerate(cut) if item in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return gain / ideal


def coverage(lists: Collection[Sequence[str]], catalogue_size: int) -> float:
    """The share of a catalogue of ``catalogue_size`` items recommended at least once.

    Examples:
        >>> from shopkit.recommend import coverage
        >>> coverage([["a", "b"], ["b", "c"]], 6)
        0.5
    """
    if isinstance(catalogue_size, bool) or not isinstance(catalogue_size, int):
        raise ValidationError(
            f"{catalogue_size!r} is not a whole number", field="catalogue_size", value=None
        )
    if catalogue_size < 1:
        raise ValidationError(
            f"{catalogue_size} is not at least 1", field="catalogue_size", value=catalogue_size
        )
    return len({item for items in lists for item in items}) / catalogue_size


@attrs.frozen
class Case:
    """One test case: a request, and the items that were really bought.

    Attributes:
        request: What the model is asked.
        relevant: The held-out items a good list contains.
    """

    request: Request = attrs.field(validator=check.instance_of(Request))
    relevant: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=check.name_tuple)


def time_split(interactions: Interactions, at: dt.datetime) -> tuple[Interactions, Interactions]:
    """Split into the baskets started before ``at`` (train) and the others (test).

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import Interactions, time_split
        >>> day = lambda d: dt.datetime(2024, 1, d, tzinfo=dt.UTC)
        >>> data = Interactions.from_orders([Order("1", ["a"], day(1)), Order("2", ["b"], day(3))])
        >>> train, test = time_split(data, day(2))
        >>> train.n_baskets, test.n_baskets
        (1, 1)
    """
    return interactions.before(at), interactions.since(at)


def _known_baskets(
    test: Interactions, known: Collection[str] | None, min_items: int
) -> list[list[str]]:
    keep = None if known is None else set(known)
    result = []
    for basket in test.baskets():
        skus = [test.items[item] for item in basket.tolist()]
        if keep is not None:
            skus = [sku for sku in skus if sku in keep]
        if len(skus) >= min_items:
            result.append(skus)
    return result


def leave_one_out(
    test: Interactions,
    *,
    known: Collection[str] | None = None,
    seed: int = 0,
    k: int = 10,
    min_items: int = 2,
) -> list[Case]:
    """Complete the cart: hide one random item of each basket, ask for it from the rest.

    Args:
        test: The held-out baskets.
        known: Only these items are kept in a basket (those the model can know, e.g. the
            training items); ``None`` keeps all.
        seed: The seed of the random choice of the hidden item.
        k: The ``k`` of each request.
        min_items: Baskets with fewer (known) distinct items are skipped.

    Returns:
        One case per basket kept, in basket order.
    """
    rng = np.random.default_rng(seed)
    cases = []
    for skus in _known_baskets(test, known, min_items):
        hidden = int(rng.integers(len(skus)))
        rest = skus[:hidden] + skus[hidden + 1 :]
        cases.append(Case(Request(cart=rest, k=k), (skus[hidden],)))
    return cases


def one_to_rest(
    test: Interactions,
    *,
    known: Collection[str] | None = None,
    seed: int = 0,
    k: int = 10,
    min_items: int = 2,
) -> list[Case]:
    """Frequently bought together: from one random item of each basket, ask for the rest.

    Arguments are those of ``leave_one_out``.
    """
    rng = np.random.default_rng(seed)
    cases = []
    for skus in _known_baskets(test, known, min_items):
        chosen = int(rng.integers(len(skus)))
        rest = skus[:chosen] + skus[chosen + 1 :]
        cases.append(Case(Request(cart=[skus[chosen]], k=k), rest))
    return cases


@attrs.frozen
class Report:
    """The metrics of one strategy over a set of cases (means over the cases).

    Attributes:
        strategy: The strategy's type name.
        k: The cut-off.
        cases: How many cases.
        hit_rate: Mean hit rate at k.
        precision: Mean precision at k.
        recall: Mean recall at k.
        map: Mean average precision at k.
        ndcg: Mean NDCG at k.
        coverage: Share of the model's items recommended at least once.
    """

    strategy: str
    k: int
    cases: int
    hit_rate: float
    precision: float
    recall: float
    map: float
    ndcg: float
    coverage: float


def evaluate(
    model: Recommender,
    cases: Sequence[Case],
    *,
    k: int = 10,
    progress: Callable[[int], Any] | None = None,
) -> Report:
    """Run ``model`` on every case and average the metrics.

    The lists come from ``recommend_batch``, 500 cases at a time: the same lists as
    ``recommend_skus`` gives one by one, faster.

    Args:
        model: A fitted strategy.
        cases: The cases (from ``leave_one_out``, ``one_to_rest`` or your own).
        k: The cut-off; each request is asked for ``k`` items.
        progress: Called with the number of cases done after each batch of 500 cases.

    Returns:
        The report.

    Raises:
        NotFittedError: the model was not fitted.
        ValidationError: ``k`` is not a whole number of at least 1.
    """
    _cut([], k)
    totals = np.zeros(5)
    lists: list[list[str]] = []
    requests = [
        case.request if case.request.k == k else attrs.evolve(case.request, k=k) for case in cases
    ]
    for start in range(0, len(cases), _CHUNK):
        part = model.recommend_batch(requests[start : start + _CHUNK])
        for recommended, case in zip(part, cases[start : start + _CHUNK], strict=True):
            relevant = set(case.relevant)
            lists.append(recommended)
            totals += (
                hit_rate(recommended, relevant, k),
                precision(recommended, relevant, k),
                recall(recommended, relevant, k),
                average_precision(recommended, relevant, k),
                ndcg(recommended, relevant, k),
            )
        if progress is not None:
            progress(len(lists))
    hit, prec, rec, mean_ap, gain = (float(value) for value in totals / max(len(cases), 1))
    size = len(model.items_) if model.is_fitted else 1
    return Report(
        recommenders.name_of(type(model)),
        k,
        len(cases),
        hit,
        prec,
        rec,
        mean_ap,
        gain,
        coverage(lists, max(size, 1)),
    )
