"""The sample orders and the sample strategy config that ship with shopkit.recommend.

``data/orders.csv`` is a slice of the UCI Online Retail data set (Chen, Sain and Guo, 2012; UCI
Machine Learning Repository): 800 invoices from 2011-09-01 on with at least two products of the
sample catalogue, in the data set's own layout; ``tools/make_sample_orders.py`` makes it and
documents its rules. ``data/orders_recommenders.json`` is sample configuration, not data.
"""

from __future__ import annotations

import functools
from importlib.resources import as_file, files

from shopkit import from_json, read_sample
from shopkit.datasets import RetailData, read_online_retail
from shopkit.recommend._base import Recommender
from shopkit.recommend._interactions import Interactions

__all__ = ["sample_interactions", "sample_orders", "sample_recommender"]


@functools.cache
def sample_orders() -> RetailData:
    """Return the sample orders: 800 Online Retail invoices over the sample catalogue's skus.

    Examples:
        >>> from shopkit.recommend import sample_orders
        >>> orders = sample_orders().orders
        >>> orders.n_orders, len(orders.skus), str(orders.revenue()["GBP"])
        (800, 60, '135722.82 GBP')
    """
    with as_file(files("shopkit.recommend").joinpath("data", "orders.csv")) as path:
        return read_online_retail(path)


@functools.cache
def sample_interactions() -> Interactions:
    """Return the sample orders as interactions, what the sample strategies are fitted on.

    Examples:
        >>> from shopkit.recommend import sample_interactions
        >>> data = sample_interactions()
        >>> data.n_baskets, len(data.items)
        (800, 60)
    """
    return Interactions.from_tables(sample_orders().orders)


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
    return from_json(read_sample("shopkit.recommend", "orders_recommenders.json"), Recommender)
