"""Run shopkit's KPIs, recommendation counts, CLV summaries and tiers on Dask, from the same code.

There is no second implementation here. Each computation maps the function the single-machine
path runs on one chunk over the partitions of a Dask DataFrame of orders (or events), and merges
the partials with shopkit's own merge, so what comes back — a ``KpiTable``, a
``CohortTable``, fitted ``FrequentlyBoughtTogether``, a ``CustomerPartial``, a ``TierTable`` — is
what the single-machine path gives for the same rows, and everything downstream (recommending,
fitting CLV, pricing conditions) is unchanged. Money stays in integer minor units per currency
through every merge.

- ``compute`` / ``merged``: a ``Dashboard``, a ``Breakdown`` or a ``Kpi`` (``CohortRetention``
  for cohort tables) over order, event and refund frames; any partitioning.
- ``counts`` / ``fit``: the co-occurrence counts of ``FrequentlyBoughtTogether`` and
  ``PurchaseHistory`` and the popularity counts of ``Popular``; baskets kept whole.
- ``customer_partial``: the per-customer summary CLV fits on (with refunded lines, if given);
  any partitioning.
- ``tier_table``: every customer's loyalty tier; customers kept whole.
- ``order_table`` / ``order_frame`` (``event_table`` / ``event_frame``): a pandas partition to
  the core's columnar table and back; ``refund_table`` / ``refund_frame`` the same for
  ``shopkit.metrics.Refunds``.

The scheduler is Dask's: a ``distributed.Client`` when one is running, or the one set with
``dask.config.set(scheduler=...)``. This package needs the ``dask`` extra
(``pip install "shopkit[dask]"``: dask, distributed, pyarrow) and sits above the domain
packages, beside ``shopkit.storefront``; nothing else in shopkit imports it.
"""

try:
    import dask as _dask
    import dask.dataframe as _dataframe
    import pandas as _pandas  # type: ignore[import-untyped]
except ImportError as _error:  # the extra is missing
    raise ImportError('shopkit.dask needs Dask: pip install "shopkit[dask]"') from _error

from shopkit.dask._compute import compute, counts, customer_partial, fit, merged, tier_table
from shopkit.dask._frames import (
    EVENT_COLUMNS,
    ORDER_COLUMNS,
    REFUND_COLUMNS,
    event_frame,
    event_table,
    order_frame,
    order_table,
    refund_frame,
    refund_table,
)

del _dask, _dataframe, _pandas

__all__ = [
    "EVENT_COLUMNS",
    "ORDER_COLUMNS",
    "REFUND_COLUMNS",
    "compute",
    "counts",
    "customer_partial",
    "event_frame",
    "event_table",
    "fit",
    "merged",
    "order_frame",
    "order_table",
    "refund_frame",
    "refund_table",
    "tier_table",
]
