"""What the shopkit.dask tests share: partitioning a frame, and comparing results exactly."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from dask.delayed import delayed

from shopkit.loyalty import TierTable
from shopkit.metrics import CohortTable, CustomerPartial
from shopkit.recommend import CooccurrenceCounts, PopularityCounts, Recommender, Request


def cut(frame: pd.DataFrame, bounds: Sequence[int]) -> dd.DataFrame:
    """``frame`` as a Dask DataFrame whose partitions are the rows between ``bounds``."""
    edges = [0, *bounds, len(frame)]
    pieces = [frame.iloc[a:b] for a, b in itertools.pairwise(edges)]
    parts = [delayed(piece) for piece in pieces]
    result: dd.DataFrame = dd.from_delayed(parts, meta=frame.iloc[:0])
    return result


def even(frame: pd.DataFrame, n: int, key: str | None = None) -> dd.DataFrame:
    """``n`` partitions of about equal length, cut between rows of two ``key`` values if given.

    With a key, its rows must be contiguous (orders are, in both data sets).
    """
    bounds = [len(frame) * i // n for i in range(1, n)]
    if key is not None:
        values = frame[key].to_numpy()
        changes = np.flatnonzero(values[1:] != values[:-1]) + 1
        bounds = sorted({int(changes[np.searchsorted(changes, b)]) for b in bounds})
    return cut(frame, bounds)


def same_counts(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    assert a.items == b.items
    if type(a) is CooccurrenceCounts:
        assert a.n_baskets == b.n_baskets
        assert a.basket_weight is b.basket_weight
        assert np.array_equal(a.item_counts, b.item_counts)
        assert a.pairs.shape == b.pairs.shape
        assert (a.pairs != b.pairs).nnz == 0  # every pair's count equal, bit for bit
        return
    assert type(a) is PopularityCounts
    assert (a.regions, a.segments) == (b.regions, b.segments)
    for name in ("overall", "by_region", "by_segment"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def same_model(a: Recommender, b: Recommender, carts: Sequence[Sequence[str]]) -> None:
    assert a.items_ == b.items_
    state_a, state_b = a.state(), b.state()
    assert state_a.keys() == state_b.keys()
    for name, value in state_a.items():
        assert np.array_equal(value, state_b[name]), name
    for cart in carts:
        request = Request(cart=tuple(cart), k=5)
        assert a.recommend(request) == b.recommend(request)


def same_cohorts(a: CohortTable, b: CohortTable) -> None:
    assert (a.period, a.cohorts, a.sizes) == (b.period, b.cohorts, b.sizes)
    assert np.array_equal(a.shares, b.shares, equal_nan=True)


def same_customers(a: CustomerPartial, b: CustomerPartial, at: Any) -> None:
    assert a.summary().equals(b.summary())
    currency = "GBP" if "GBP" in a.summary().currencies else None  # None: one or none priced
    ra, rb = a.repeat(at, currency=currency), b.repeat(at, currency=currency)
    assert ra.customers == rb.customers
    for name in ("frequency", "recency", "T", "monetary"):
        assert np.array_equal(getattr(ra, name), getattr(rb, name)), name


def same_tiers(a: TierTable, b: TierTable) -> None:
    assert (a.customers, a.names, a.at) == (b.customers, b.names, b.at)
    assert np.array_equal(a.tier, b.tier)
    assert np.array_equal(a.measure, b.measure)
