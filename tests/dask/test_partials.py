"""The partials added for the adapter: popularity counts, exact weighted counts, tier tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shopkit import Money, Order, OrderLine, OrderTable, ValidationError
from shopkit.loyalty import TierTable, sample_programme, tier_table
from shopkit.recommend import (
    CooccurrenceCounts,
    Interactions,
    Popular,
    PopularityCounts,
    Request,
)

AT = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def orders() -> list[Order]:
    return [
        Order("o1", ["A", "B", "C"], AT, customer="ann", region="UK", segment="vip"),
        Order("o2", ["A", "B"], AT, customer="bob", region="UK"),
        Order("o3", ["A", "D"], AT, customer="ann", region="FR"),
        Order("o4", ["B", "C"], AT, region="FR", segment="vip"),
        Order("o5", ["A", "B", "C", "D", "E", "F", "G"], AT, region="FR"),
    ]


def test_popularity_counts_add_up_over_chunks() -> None:
    whole = PopularityCounts.of(Interactions.from_orders(orders()))
    # A: o1 o2 o3 o5; B: o1 o2 o4 o5; C: o1 o4 o5; D: o3 o5; E, F, G: o5
    assert whole.items == ("A", "B", "C", "D", "E", "F", "G")
    assert whole.overall.tolist() == [4, 4, 3, 2, 1, 1, 1]
    assert whole.regions == ("UK", "FR")
    # UK: o1, o2; FR: o3, o4, o5
    assert whole.by_region.tolist() == [[2, 2, 1, 0, 0, 0, 0], [2, 2, 2, 2, 1, 1, 1]]
    assert whole.segments == ("vip",)
    assert whole.by_segment.tolist() == [[1, 2, 2, 0, 0, 0, 0]]  # o1, o4
    parts = [Interactions.from_orders(orders()[i:j]) for i, j in ((0, 2), (2, 3), (3, 5))]
    merged = PopularityCounts.of(parts[0]) + PopularityCounts.of(parts[1])
    merged = merged + PopularityCounts.of(parts[2])
    for name in ("items", "regions", "segments"):
        assert getattr(merged, name) == getattr(whole, name)
    for name in ("overall", "by_region", "by_segment"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name))


@pytest.mark.parametrize("by", ["global", "region", "segment"])
def test_popular_fits_the_same_from_counts_as_from_interactions(by: str) -> None:
    interactions = Interactions.from_orders(orders())
    fitted = Popular(by=by).fit(interactions)
    counted = Popular(by=by).fit_counts(Popular(by=by).counts(interactions))
    assert np.array_equal(fitted.overall_, counted.overall_)
    assert np.array_equal(fitted.by_group_, counted.by_group_)
    assert fitted.groups_ == counted.groups_
    request = Request(k=3)
    assert fitted.recommend(request) == counted.recommend(request)


def test_a_decaying_popularity_is_not_fitted_from_counts() -> None:
    counts = PopularityCounts.of(Interactions.from_orders(orders()))
    with pytest.raises(ValidationError) as raised:
        Popular(half_life_days=7).fit_counts(counts)
    assert raised.value.field == "half_life_days"


def test_weighted_cooccurrence_counts_of_chunks_equal_the_whole_bit_for_bit() -> None:
    whole = CooccurrenceCounts.of(Interactions.from_orders(orders()), basket_weight="inverse")
    # A–B is in o1 (3 items), o2 (2) and o5 (7): 1/3 + 1/2 + 1/7, each weight rounded to float32
    third, seventh = float(np.float32(1 / 3)), float(np.float32(1 / 7))
    assert whole.pair("A", "B") == third + 0.5 + seventh
    # five baskets: 1/3 + 1/2 + 1/2 + 1/2 + 1/7
    assert whole.n_baskets == third + 1.5 + seventh
    parts = [Interactions.from_orders([order]) for order in orders()]
    merged = CooccurrenceCounts.of(parts[4], basket_weight="inverse")
    for part in parts[:4]:  # in another order than the whole's
        merged = merged + CooccurrenceCounts.of(part, basket_weight="inverse")
    index = [merged.items.index(sku) for sku in whole.items]
    assert merged.n_baskets == whole.n_baskets
    assert np.array_equal(merged.item_counts[index], whole.item_counts)
    assert np.array_equal(merged.pairs.toarray()[np.ix_(index, index)], whole.pairs.toarray())


def gbp_orders(customer: str, pots: int) -> OrderTable:
    pot = OrderLine("POT", pots, Money.of("50.00", "GBP"))
    return OrderTable.of([Order(f"o-{customer}", [pot], AT, customer=customer)])


def test_tier_tables_of_customer_chunks_concatenate() -> None:
    programme = sample_programme()
    both = TierTable.concat(
        [tier_table(programme, gbp_orders("ann", 12), AT),
         tier_table(programme, gbp_orders("bob", 1), AT)]
    )  # fmt: skip
    whole = OrderTable.concat([gbp_orders("ann", 12), gbp_orders("bob", 1)])
    single = tier_table(programme, whole, AT)
    assert both.customers == single.customers == ("ann", "bob")
    assert both.tier.tolist() == single.tier.tolist()
    # ann spent 12 × 50.00 = 600.00, bob 50.00, in pence
    assert both.measure.tolist() == single.measure.tolist() == [60_000, 5_000]


def test_tier_tables_that_split_a_customer_or_differ_are_refused() -> None:
    programme = sample_programme()
    ann = tier_table(programme, gbp_orders("ann", 1), AT)
    with pytest.raises(ValidationError, match="two tables") as raised:
        TierTable.concat([ann, ann])
    assert raised.value.value == "ann"
    later = tier_table(programme, gbp_orders("bob", 1), AT + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as raised:
        TierTable.concat([ann, later])
    assert raised.value.field == "tables[1]"
    with pytest.raises(ValidationError) as raised:
        TierTable.concat([])
    assert raised.value.field == "tables"
