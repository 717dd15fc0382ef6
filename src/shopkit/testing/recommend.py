"""The recommender contract: the tests every recommendation strategy passes, and its oracle.

A strategy of your own proves it keeps the ``Recommender`` promises by running the tests the
built-in strategies run (needs pytest, hypothesis and ``shopkit[recommend]``)::

    from shopkit.testing.recommend import RecommenderContract

    class TestSameBrand(RecommenderContract):
        def make_recommender(self):
            return SameBrand()               # a new, unfitted strategy each call

``requests`` generates requests over a fitted vocabulary; ``allowed`` restates the filters
plainly (the oracle the lists are checked against) and ``members`` walks a composite strategy.
"""

from shopkit.testing._recommend import (
    PLACEMENTS,
    UNKNOWN_SKU,
    RecommenderContract,
    allowed,
    members,
    requests,
)

# plain sorted order, which tests/test_exports.py checks (ruff sorts constants first)
__all__ = ["PLACEMENTS", "UNKNOWN_SKU", "RecommenderContract", "allowed", "members", "requests"]
