"""Recommendations: cross-sell and upsell strategies behind one interface, and their evaluation.

What a shop calls: the strategies, ``Request`` (``Request.from_cart`` for a ``Cart``),
``Filters``, ``Recommendation``, ``Interactions`` (from the core's orders and events) and the
offline evaluation. ``Recommender`` is here as the type a strategy config is read as
(``from_json(text, Recommender)``); what a strategy author needs besides is in
``shopkit.recommend.plugin``. Orders, events and the catalogue are the core's
(``shopkit.Order``, ``shopkit.Catalogue``); files are read with ``shopkit.datasets``.

This package needs numpy and scipy: ``pip install "shopkit[recommend]"``. It imports the core
(``shopkit``) only, never another domain package; the import-layer contract in
``pyproject.toml`` checks it.
"""

try:
    import numpy as _numpy
    import scipy.sparse as _sparse  # type: ignore[import-untyped]
except ImportError as _error:  # the extra is missing
    raise ImportError(
        'shopkit.recommend needs numpy and scipy: pip install "shopkit[recommend]"'
    ) from _error

from shopkit.recommend._base import Recommender
from shopkit.recommend._blend import Blend, Fallback, Placements
from shopkit.recommend._buy_again import BuyAgain
from shopkit.recommend._cooccurrence import (
    Association,
    BasketWeight,
    CooccurrenceCounts,
    Measure,
)
from shopkit.recommend._curated import CrossSell, CrossSellRule, Gain, Upsell, gains
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
from shopkit.recommend._feedback import Feedback
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._neighbours import FrequentlyBoughtTogether, PurchaseHistory, ViewedItems
from shopkit.recommend._next_order import next_order
from shopkit.recommend._persist import load_model, save_model
from shopkit.recommend._popular import Popular, PopularBy, PopularityCounts
from shopkit.recommend._request import Filters, Recommendation, Request
from shopkit.recommend._samples import sample_interactions, sample_orders, sample_recommender

del _numpy, _sparse

__all__ = [
    "Association",
    "BasketWeight",
    "Blend",
    "BuyAgain",
    "Case",
    "CooccurrenceCounts",
    "CrossSell",
    "CrossSellRule",
    "Fallback",
    "Feedback",
    "Filters",
    "FrequentlyBoughtTogether",
    "Gain",
    "Interactions",
    "Measure",
    "Placements",
    "Popular",
    "PopularBy",
    "PopularityCounts",
    "PurchaseHistory",
    "Recommendation",
    "Recommender",
    "Report",
    "Request",
    "Upsell",
    "ViewedItems",
    "average_precision",
    "coverage",
    "evaluate",
    "gains",
    "hit_rate",
    "leave_one_out",
    "load_model",
    "ndcg",
    "next_order",
    "one_to_rest",
    "precision",
    "recall",
    "sample_interactions",
    "sample_orders",
    "sample_recommender",
    "save_model",
    "time_split",
]
