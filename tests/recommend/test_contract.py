"""Every built-in strategy passes the contract a plugin strategy runs (shopkit.testing.recommend).

One class per configuration: each built-in type alone (some in more than one setting), and the
composites made of built-ins. Curated cross-sell and upsell use the sample catalogue the
contract fits with, with rules and price bands that offer something for many carts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from shopkit import Event, EventKind, EventTable
from shopkit.recommend import (
    Blend,
    BuyAgain,
    CrossSell,
    CrossSellRule,
    Fallback,
    Feedback,
    FrequentlyBoughtTogether,
    Interactions,
    Placements,
    Popular,
    PurchaseHistory,
    Recommender,
    Request,
    Upsell,
    ViewedItems,
    sample_orders,
    sample_recommender,
)
from shopkit.recommend.plugin import recommenders
from shopkit.testing.recommend import RecommenderContract, members


def cross_sell() -> CrossSell:
    """Curated add-ons over the sample catalogue: by product and by category."""
    return CrossSell(
        rules=[
            CrossSellRule(sku="22423", add_ons=["21212", "21977", "22699"], reason="Serve it"),
            CrossSellRule(category="Kitchen", add_ons=["21212", "21977", "21080"]),
            CrossSellRule(category="Lighting", add_ons=["22178", "84946"]),
            CrossSellRule(category="Bags", add_ons=["20724", "22355", "21790"]),
            CrossSellRule(category="Home decor", add_ons=["22197", "21790", "21080"]),
        ],
        max_share=Decimal("0.6"),
    )


class TestPopular(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Popular()


class TestPopularByRegionTrending(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Popular(by="region", half_life_days=Decimal("30"))


class TestPopularBySegment(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Popular(by="segment")


class TestFrequentlyBoughtTogether(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return FrequentlyBoughtTogether()


class TestFrequentlyBoughtTogetherLiftPruned(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return FrequentlyBoughtTogether(measure="lift", basket_weight="none", neighbours=5)


class TestPurchaseHistory(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return PurchaseHistory()


class TestPurchaseHistoryWithoutRepeatsPruned(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return PurchaseHistory(self_weight=Decimal("0"), half_life_days=None, neighbours=4)


class TestBuyAgain(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return BuyAgain()


class TestBuyAgainByCycleAlone(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return BuyAgain(half_life_days=None, cycle_weight=Decimal("1"), min_intervals=1)


class TestBuyAgainBlendedWithDiscovery(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Blend(
            strategies=[BuyAgain(), PurchaseHistory(self_weight=Decimal("0"))],
            weights=["1", "0.5"],
        )


def with_feedback() -> Interactions:
    """The sample orders and, for the first 40 customers, feedback on the sample's items."""
    sample = sample_orders().orders
    newest = dt.datetime.fromtimestamp(int(np.max(sample.at)), tz=dt.UTC)
    kinds = [
        EventKind.RECOMMENDATION_SHOWN,
        EventKind.RECOMMENDATION_DISMISSED,
        EventKind.RECOMMENDATION_CLICKED,
    ]
    events = [
        Event(
            kinds[number % 3],
            sample.skus[number % len(sample.skus)],
            newest - dt.timedelta(days=number % 20),
            f"feedback-{number}",
            customer=sample.customers[number % 40],
        )
        for number in range(200)
    ]
    return Interactions.from_tables(sample, EventTable.of(events))


class TestFeedback(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Feedback(
            strategy=Blend(strategies=[BuyAgain(), FrequentlyBoughtTogether(), Popular()]),
            min_scores={"checkout": Decimal("0.3")},
            dismiss_days=Decimal("10"),
        )

    def interactions(self) -> Interactions:
        return with_feedback()


class TestViewedItems(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return ViewedItems(measure="confidence")


class TestCrossSell(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return cross_sell()


class TestUpsell(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Upsell(min_step=Decimal("0.1"), max_step=Decimal("1.5"))


class TestBlend(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Blend(
            strategies=[FrequentlyBoughtTogether(), Upsell(), Popular()], weights=["2", "1", "1"]
        )


class TestFallback(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Fallback(strategies=[cross_sell(), PurchaseHistory(), Popular(by="region")])


class TestPlacements(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return Placements(
            routes={"product": Upsell(), "cart": ViewedItems()},
            default=Fallback(strategies=[FrequentlyBoughtTogether(), Popular()]),
        )


class TestSampleRecommender(RecommenderContract):
    def make_recommender(self) -> Recommender:
        return sample_recommender()


def test_every_built_in_strategy_runs_the_contract() -> None:
    built_in = {
        name
        for name in recommenders.names()
        if recommenders.get(name).__module__.startswith("shopkit.recommend.")
    }
    contracts = [
        value
        for value in globals().values()
        if isinstance(value, type)
        and issubclass(value, RecommenderContract)
        and value is not RecommenderContract
    ]
    covered = {
        recommenders.name_of(type(member))
        for contract in contracts
        for member in members(contract().make_recommender())
    }
    assert built_in <= covered, f"no contract run for {sorted(built_in - covered)}"


def test_curated_strategies_offer_something_on_the_contract_data() -> None:
    """The contract's checks on cross-sell and upsell are not vacuous: they recommend items."""
    cross = TestCrossSell().fitted()
    upsell = TestUpsell().fitted()
    assert cross.recommend(Request(cart=["22423"]))
    assert cross.recommend(Request(cart=["22720"]))
    assert upsell.recommend(Request(cart=["22629"]))
    assert upsell.recommend(Request(viewed=["20725"]))
