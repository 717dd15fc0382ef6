"""The per-customer next-order protocol: history before a date, the next order after it.

The question a shop asks of a recommender for a known customer: from everything they bought up
to a moment, which items will be in their next order? Fit on the interactions before ``at``;
for every customer who bought before ``at`` and ordered again at or after it, ask for ``k``
items for that customer (``Request(customer=…, at=at)``) and count the distinct items of their
first order from ``at`` on as relevant.

About a third of those items are repeats in retail — items the customer bought before. Counted
(the default), a model is rewarded for reminding customers of what they buy; excluded
(``exclude_repeats=True``) the repeats are removed from the relevant items and from every list
(``Filters(exclude_bought=True)``), which measures discovery alone. Report both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import numpy as np

from shopkit import Customer, EventKind, ValidationError
from shopkit import validators as check
from shopkit.recommend._evaluate import Case
from shopkit.recommend._interactions import Interactions
from shopkit.recommend._request import Filters, Request

__all__ = ["next_order"]


def next_order(
    interactions: Interactions,
    at: dt.datetime,
    *,
    k: int = 10,
    exclude_repeats: bool = False,
    known: Collection[str] | None = None,
) -> list[Case]:
    """Cases of the next-order protocol: each customer's first order from ``at`` on.

    Fit the model on ``interactions.before(at)`` (``time_split``), then evaluate it on these
    cases.

    Args:
        interactions: All the interactions, before and after ``at``.
        at: The cut, with a UTC offset: history before it, the next order at or after it.
        k: The ``k`` of each request.
        exclude_repeats: Leave out of the relevant items those the customer bought before
            ``at``, and ask with ``Filters(exclude_bought=True)`` so no list holds them either;
            a customer whose next order holds repeats only is then skipped.
        known: Only these items count as relevant; by default the items bought before ``at``
            (a model cannot recommend what it never saw).

    Returns:
        One case per customer with a purchase before ``at``, an order from ``at`` on and at
        least one relevant item; in the order of the customers' ids in ``interactions``.

    Raises:
        ValidationError: ``at`` has no UTC offset, or ``k`` is not at least 1.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Order
        >>> from shopkit.recommend import Interactions, next_order
        >>> day = lambda d: dt.datetime(2024, 1, d, tzinfo=dt.UTC)
        >>> data = Interactions.from_orders([
        ...     Order("1", ["tea", "mug"], day(1), customer="ann"),
        ...     Order("2", ["tea", "jam"], day(5), customer="ann"),
        ...     Order("3", ["jam"], day(2), customer="bob"),
        ...     Order("4", ["mug"], day(7), customer="ann"),
        ... ])
        >>> [(c.request.customer.id, c.relevant) for c in next_order(data, day(4))]
        [('ann', ('jam', 'tea'))]
        >>> [c.relevant for c in next_order(data, day(4), exclude_repeats=True)]
        [('jam',)]
    """
    cut = int(check.aware_datetime(at, "at").timestamp())
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValidationError(f"{k!r} is not a whole number of at least 1", field="k", value=k)
    bought = (interactions.kind == int(EventKind.PURCHASE)) & (interactions.customer >= 0)
    before = bought & (interactions.time < cut)
    after = bought & (interactions.time >= cut)
    n_customers = len(interactions.customers)
    items = interactions.items
    if known is None:
        allowed = np.zeros(len(items), dtype=bool)
        allowed[interactions.item[before]] = True
    else:
        wanted = {str(sku) for sku in known}
        allowed = np.fromiter((sku in wanted for sku in items), dtype=bool, count=len(items))
    width = max(len(items), 1)
    history = np.unique(interactions.customer[before] * width + interactions.item[before])
    has_history = np.zeros(n_customers, dtype=bool)
    has_history[history // width] = True
    # each customer's first basket from the cut on: the smallest (start time, basket number)
    basket, customer = interactions.basket[after], interactions.customer[after]
    start = np.full(interactions.n_baskets, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(start, basket, interactions.time[after])
    order = np.lexsort((basket, start[basket], customer))
    heads = order[np.r_[True, customer[order][1:] != customer[order][:-1]]] if len(order) else order
    first = np.full(n_customers, -1, dtype=np.int64)
    first[customer[heads]] = basket[heads]
    # the (customer, item) pairs of those baskets, with the filters of the protocol
    item = interactions.item[after]
    keep = (basket == first[customer]) & has_history[customer] & allowed[item]
    keys = np.unique(customer[keep] * width + item[keep])
    if exclude_repeats:
        keys = keys[~np.isin(keys, history)]
    owners, relevant = keys // width, keys % width
    bounds = np.searchsorted(owners, np.arange(n_customers + 1))
    filters = Filters(exclude_bought=exclude_repeats)
    cases = []
    for number in np.flatnonzero(np.diff(bounds) > 0).tolist():
        skus = sorted(items[i] for i in relevant[bounds[number] : bounds[number + 1]].tolist())
        request = Request(
            customer=Customer(interactions.customers[number]), k=k, at=at, filters=filters
        )
        cases.append(Case(request, skus))
    return cases
