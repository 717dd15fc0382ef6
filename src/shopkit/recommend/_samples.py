"""The sample orders and the sample strategy config that ship with shopkit.

``orders.csv`` is a slice of the UCI Online Retail data set (Chen, Sain and Guo, 2012; UCI
Machine Learning Repository): 800 invoices from 2011-09-01 on with at least two products of the
sample catalogue, in the data set's own layout; ``tools/make_sample_orders.py`` makes it and
documents its rules. ``orders_recommenders.json`` is sample configuration, not data.
"""

from __future__ import annotations

import functools
from importlib.resources import as_file, files

from shopkit import from_json
from shopkit.recommend._base import Recommender
from shopkit.recommend._interactions import RetailData, read_online_retail

__all__ = ["sample_orders", "sample_recommender"]


@functools.cache
def sample_orders() -> RetailData:
    """Return the sample orders: 800 Online Retail invoices over the sample catalogue's skus.

    Examples:
        >>> from shopkit.recommend import sample_orders
        >>> orders = sample_orders()
        >>> orders.interactions.n_baskets, len(orders.interactions.items)
        (800, 60)
    """
    with as_file(files("shopkit").joinpath("data", "orders.csv")) as path:
        return read_online_retail(path)


def sample_recommender() -> Recommender:
    """Return the sample shop's strategies, not fitted: a ``placements`` config.

    Upsell on the product page; at checkout curated add-ons, then frequently bought together,
    then best sellers; anywhere else frequently bought together, then recent best sellers.

    Examples:
        >>> from shopkit.recommend import sample_recommender
        >>> model = sample_recommender()
        >>> sorted(model.routes)
        ['checkout', 'product']
    """
    text = files("shopkit").joinpath("data", "orders_recommenders.json").read_text("utf-8")
    return from_json(text, Recommender)
