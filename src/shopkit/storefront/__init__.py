"""The storefront: features that need two domains, built on their public APIs.

A domain package (``shopkit.pricing``, ``shopkit.recommend``, ``shopkit.loyalty``,
``shopkit.metrics``) never imports another one. What needs two of them lives here, one layer up,
and meets them through their plain data: ``unlock_offers`` (the items that would make a
promotion apply, found from pricing's structured nudges, ranked by a recommender and confirmed
by pricing again), points redeemed on a priced cart as a tender allocated exactly over its
lines (``redeem_points``), and the demo's story. Only the ``shopkit`` command sits above this
package; the import-layer contract in ``pyproject.toml`` checks it.

Examples:
    >>> from shopkit.storefront import demo_story
    >>> story = demo_story()
    >>> print(story.cart.subtotal, story.priced.total)
    35.40 GBP 34.86 GBP
"""

from shopkit.storefront._demo import DEMO_AT, LOYALTY_AT, DemoStory, Suggestion, demo_story
from shopkit.storefront._offers import UnlockOffer, unlock_offers
from shopkit.storefront._points import PointsTender, max_points, redeem_points

__all__ = [
    "DEMO_AT",
    "LOYALTY_AT",
    "DemoStory",
    "PointsTender",
    "Suggestion",
    "UnlockOffer",
    "demo_story",
    "max_points",
    "redeem_points",
    "unlock_offers",
]
