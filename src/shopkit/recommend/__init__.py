"""Recommendations: cross-sell and upsell strategies behind one interface, and their evaluation.

This package imports the core (``shopkit``) only, never another domain package; the
import-layer contract in ``pyproject.toml`` checks it.
"""

from shopkit.recommend._base import (
    Catalogue,
    Context,
    Filters,
    Recommendation,
    Recommender,
    Request,
    Scores,
    load_model,
    recommenders,
)
from shopkit.recommend._blend import Blend, Fallback, Placements
from shopkit.recommend._cooccurrence import (
    Association,
    BasketWeight,
    CooccurrenceCounts,
    FrequentlyBoughtTogether,
    Measure,
    PurchaseHistory,
    ViewedItems,
)
from shopkit.recommend._curated import CrossSell, CrossSellRule, Upsell
from shopkit.recommend._evaluate import (
    Case,
    Report,
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
from shopkit.recommend._interactions import (
    Event,
    EventKind,
    Interactions,
    Order,
    RetailData,
    read_online_retail,
)
from shopkit.recommend._popular import Popular, PopularBy
from shopkit.recommend._samples import sample_orders, sample_recommender

__all__ = [
    "Association",
    "BasketWeight",
    "Blend",
    "Case",
    "Catalogue",
    "Context",
    "CooccurrenceCounts",
    "CrossSell",
    "CrossSellRule",
    "Event",
    "EventKind",
    "Fallback",
    "Filters",
    "FrequentlyBoughtTogether",
    "Interactions",
    "Measure",
    "Order",
    "Placements",
    "Popular",
    "PopularBy",
    "PurchaseHistory",
    "Recommendation",
    "Recommender",
    "Report",
    "Request",
    "RetailData",
    "Scores",
    "Upsell",
    "ViewedItems",
    "average_precision",
    "coverage",
    "evaluate",
    "hit_rate",
    "leave_one_out",
    "load_model",
    "ndcg",
    "one_to_rest",
    "precision",
    "read_online_retail",
    "recall",
    "recommenders",
    "sample_orders",
    "sample_recommender",
    "time_split",
]
