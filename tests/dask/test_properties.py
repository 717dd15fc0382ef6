"""Invariant: over any partitioning, each computation equals the single-machine result.

Small order books are drawn with their lines in any order (an order's lines need not be next to
each other) and cut into partitions at random places; the computations run on Dask's synchronous
scheduler, which executes the same task graphs in this process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import dask
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shopkit.dask as sd
from shopkit.loyalty import sample_programme, tier_table
from shopkit.metrics import CohortRetention, CustomerPartial, Dashboard
from shopkit.recommend import BasketWeight, FrequentlyBoughtTogether, Interactions, Popular
from tests.dask.helpers import (
    cut,
    same_cohorts,
    same_counts,
    same_customers,
    same_model,
    same_tiers,
)

START = 1_704_067_200  # 2024-01-01 00:00 UTC
DAY = 86_400
SKUS = ("A", "B", "C", "D", "E", "F")


@pytest.fixture(autouse=True)
def synchronous() -> Iterator[None]:
    with dask.config.set(scheduler="synchronous"):
        yield


@st.composite
def order_books(draw: st.DrawFn) -> tuple[pd.DataFrame, list[int]]:
    """Up to 10 orders of 1 to 4 lines, lines in any order, and where to cut them."""
    rows = []
    for number in range(draw(st.integers(1, 10))):
        order = {
            "order": f"o{number}",
            "customer": draw(st.sampled_from([None, "c1", "c2", "c3"])),
            "region": draw(st.sampled_from([None, "UK", "FR"])),
            "currency": draw(st.sampled_from(["GBP", "GBP", "JPY"])),
            "at": START + draw(st.integers(0, 120 * DAY)),
        }
        for _ in range(draw(st.integers(1, 4))):
            quantity, price = draw(st.integers(1, 3)), draw(st.integers(1, 5_000))
            discount = draw(st.integers(0, quantity * price)) if draw(st.booleans()) else 0
            rows.append(
                {**order, "sku": draw(st.sampled_from(SKUS)), "quantity": quantity,
                 "unit_price": price, "discount": discount}
            )  # fmt: skip
    shuffled = draw(st.permutations(range(len(rows))))
    frame = pd.DataFrame([rows[i] for i in shuffled]).astype(
        {"order": "str", "customer": "str", "region": "str", "currency": "str", "sku": "str"}
    )
    cuts = sorted(draw(st.lists(st.integers(0, len(frame)), max_size=6)))
    return frame, cuts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_books())
def test_any_partitioning_gives_the_single_machine_results(
    book: tuple[pd.DataFrame, list[int]],
) -> None:
    frame, cuts = book
    orders = cut(frame, cuts)
    table = sd.order_table(frame)
    assert sd.compute(Dashboard(), orders) == Dashboard().compute(table)
    same_cohorts(sd.compute(CohortRetention(), orders), CohortRetention().compute(table))
    interactions = Interactions.from_tables(table)
    # 1/n basket weights (float32, summed in float64) add up exactly too
    for model in (FrequentlyBoughtTogether(), FrequentlyBoughtTogether(basket_weight="log")):
        single = model.counts(interactions)
        assert single.basket_weight is not BasketWeight.NONE
        same_counts(sd.counts(model, orders), single)
    popular = Popular(by="region")
    same_model(
        sd.fit(popular, orders), Popular(by="region").fit_counts(popular.counts(interactions)),
        [[SKUS[0]]],
    )  # fmt: skip
    at = dt.datetime.fromtimestamp(START + 121 * DAY, dt.UTC)
    same_customers(sd.customer_partial(orders), CustomerPartial.of(table), at)
    gbp = frame[frame["currency"] == "GBP"]
    if len(gbp):
        programme = sample_programme()
        same_tiers(
            sd.tier_table(programme, cut(gbp, [c for c in cuts if c < len(gbp)]), at),
            tier_table(programme, sd.order_table(gbp), at),
        )
