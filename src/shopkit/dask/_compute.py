"""The computations: shopkit's per-chunk functions mapped over partitions, their partials merged.

Each function here takes Dask DataFrames (``ORDER_COLUMNS`` / ``EVENT_COLUMNS``), runs the
function the single-machine path runs on a chunk — ``Dashboard.partial``,
``CooccurrenceCounts.of`` through a recommender's ``counts``, ``CustomerPartial.of``,
``tier_table`` — on every partition, and merges the partials with shopkit's own merge
(``Dashboard.merge``, ``+``, ``CustomerPartial.merge_all``, ``TierTable.concat``). What comes
back is the object the single-machine path gives, so everything downstream is unchanged.

What each needs of the partitioning:

- KPIs, breakdowns and cohorts (``compute``) and the per-customer summary
  (``customer_partial``): nothing; their partials merge exactly however the rows are cut.
- Co-occurrence and popularity counts (``counts``, ``fit``): each basket whole — an order's lines
  in one partition (a customer's orders, for a strategy that counts by customer), since a pair
  is only seen inside a basket.
- Tiers (``tier_table``): each customer's orders in one partition.

Where a computation needs a key whole and ``whole`` does not promise it, the rows are shuffled
on the key first (see ``shopkit.dask._engine``).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import Any, TypeVar

import attrs
import dask.dataframe as dd
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import scipy.sparse as sp  # type: ignore[import-untyped]

from shopkit import Catalogue
from shopkit import validators as check
from shopkit.dask._engine import (
    Firsts,
    Whole,
    check_frame,
    check_whole,
    firsts_order,
    kept_whole,
    run,
)
from shopkit.dask._frames import event_table, order_table, refund_table
from shopkit.errors import ValidationError
from shopkit.loyalty import Programme, TierTable
from shopkit.loyalty import tier_table as single_tier_table
from shopkit.metrics import (
    Breakdown,
    BreakdownPartial,
    CustomerPartial,
    Dashboard,
    DashboardPartial,
    Kpi,
    KpiPartial,
    ShopData,
)
from shopkit.recommend import (
    CooccurrenceCounts,
    FrequentlyBoughtTogether,
    Interactions,
    Popular,
    PopularityCounts,
    PurchaseHistory,
)

__all__ = ["compute", "counts", "customer_partial", "fit", "merged", "tier_table"]

Calculator = Dashboard | Breakdown | Kpi
Partial = DashboardPartial | BreakdownPartial | KpiPartial
Counted = FrequentlyBoughtTogether | PurchaseHistory | Popular
Counts = CooccurrenceCounts | PopularityCounts
R = TypeVar("R", FrequentlyBoughtTogether, PurchaseHistory, Popular)

_ORDERS = ("order", "sku", "quantity", "unit_price", "currency", "at")
_EVENTS = ("kind", "sku", "at", "session")
_REFUNDS = ("amount", "currency", "at")


def _optional(frame: dd.DataFrame | None, field: str, columns: tuple[str, ...]) -> None:
    if frame is not None:
        check_frame(frame, field, columns)


# -- KPIs, breakdowns, cohorts ---------------------------------------------------------------


def _kpi_orders(part: pd.DataFrame, calculator: Calculator) -> Partial:
    return calculator.partial(order_table(part))


def _kpi_events(part: pd.DataFrame, calculator: Calculator) -> Partial:
    return calculator.partial(event_table(part))


def _kpi_refunds(part: pd.DataFrame, calculator: Calculator) -> Partial:
    return calculator.partial(ShopData(refunds=refund_table(part)))


def _kpi_merge(parts: list[Partial], calculator: Calculator) -> Partial:
    return calculator.merge(parts)  # type: ignore[arg-type]


def merged(
    calculator: Calculator,
    orders: dd.DataFrame | None = None,
    events: dd.DataFrame | None = None,
    *,
    refunds: dd.DataFrame | None = None,
) -> Partial:
    """The merged partial of a dashboard, a breakdown or a KPI over every partition.

    Each partition's partial is ``calculator.partial`` of its rows; they are merged with
    ``calculator.merge``, orders first, then events, then refunds. Any partitioning gives the
    same partial.

    Args:
        calculator: A ``Dashboard``, a ``Breakdown`` or a ``Kpi`` (``CohortRetention`` too).
        orders: The order lines (``ORDER_COLUMNS``).
        events: The events (``EVENT_COLUMNS``).
        refunds: The refunds (``REFUND_COLUMNS``), for the KPIs that read them (refund rate,
            revenue less refunds).

    Raises:
        ValidationError: ``calculator`` is none of those, a frame is not a Dask DataFrame or
            lacks a column, or a partition's rows break the tables' rules.
    """
    if not isinstance(calculator, Dashboard | Breakdown | Kpi):
        raise ValidationError(
            f"{calculator!r} is not a Dashboard, Breakdown or Kpi", field="calculator", value=None
        )
    _optional(orders, "orders", _ORDERS)
    _optional(events, "events", _EVENTS)
    _optional(refunds, "refunds", _REFUNDS)
    merge = functools.partial(_kpi_merge, calculator=calculator)
    sources = ((orders, _kpi_orders), (events, _kpi_events), (refunds, _kpi_refunds))
    parts = [run(frame, chunk, merge, calculator) for frame, chunk in sources if frame is not None]
    if not parts:
        raise ValidationError("needs orders or events", field="orders", value=None)
    return parts[0] if len(parts) == 1 else calculator.merge(parts)


def compute(
    calculator: Calculator,
    orders: dd.DataFrame | None = None,
    events: dd.DataFrame | None = None,
    *,
    refunds: dd.DataFrame | None = None,
    window: Any = None,
) -> Any:
    """What ``calculator.compute`` gives on all rows at once, from the partitions' partials.

    A ``Dashboard`` or a ``Breakdown`` gives a ``KpiTable``; a ``Kpi`` its value
    (``CohortRetention``: a ``CohortTable``).

    Args:
        calculator: A ``Dashboard``, a ``Breakdown`` or a ``Kpi``.
        orders: The order lines (``ORDER_COLUMNS``).
        events: The events (``EVENT_COLUMNS``).
        refunds: The refunds (``REFUND_COLUMNS``).
        window: A ``shopkit.metrics.Window``; ``None``: all the data's time.

    Raises:
        ValidationError: as ``merged``.

    Examples:
        >>> import dask, dask.dataframe as dd, pandas as pd
        >>> from shopkit.metrics import Dashboard, OrderCount, Revenue
        >>> from shopkit.dask import compute
        >>> frame = pd.DataFrame({"order": ["o1", "o1", "o2"], "sku": ["TEA", "MUG", "TEA"],
        ...                       "quantity": [2, 1, 1], "unit_price": [350, 600, 350],
        ...                       "currency": "GBP", "at": 1704067200})
        >>> orders = dd.from_pandas(frame, npartitions=2)
        >>> with dask.config.set(scheduler="synchronous"):
        ...     table = compute(Dashboard([OrderCount(), Revenue()]), orders)
        >>> print(table)
        kpi            value
        orders         2
        revenue (GBP)  16.50 GBP
    """
    return merged(calculator, orders, events, refunds=refunds).result(window)


# -- recommendation counts ---------------------------------------------------------------------


def _key(recommender: Counted) -> str:
    if isinstance(recommender, Popular):
        if recommender.half_life_days is not None:
            raise ValidationError(
                "a decaying popularity is fitted on interactions, not on counts",
                field="half_life_days",
                value=str(recommender.half_life_days),
            )
        return "order"
    return "customer" if recommender.by == "customer" else "order"


def _parameters(recommender: Counted) -> tuple[type[Counted], dict[str, Any]]:
    """The strategy's class and parameters, which a worker builds it from.

    An unfitted strategy's learned fields are not set yet, so it cannot be pickled itself.
    """
    fields = attrs.fields(type(recommender))
    return type(recommender), {f.name: getattr(recommender, f.name) for f in fields if f.init}


def _counts_chunk(part: pd.DataFrame, kind: type[Counted], parameters: dict[str, Any]) -> Counts:
    return kind(**parameters).counts(Interactions.from_tables(order_table(part)))


def _counts_merge(parts: list[Counts]) -> Counts:
    return functools.reduce(operator.add, parts)


def _in_first_order(value: Counts, firsts: Firsts) -> Counts:
    """Counts merged from shuffled chunks, their names put back in order of first appearance."""
    items = firsts_order(value.items, firsts["sku"])
    names = tuple(value.items[i] for i in items)
    if isinstance(value, CooccurrenceCounts):
        pairs = sp.csr_array(value.pairs)[items][:, items]
        pairs = sp.csr_array(pairs)
        pairs.sort_indices()
        return CooccurrenceCounts(
            names, value.n_baskets, value.item_counts[items], pairs, value.basket_weight
        )
    regions = firsts_order(value.regions, firsts["region"])
    segments = firsts_order(value.segments, firsts["segment"])
    return PopularityCounts(
        names,
        value.overall[items],
        tuple(value.regions[i] for i in regions),
        value.by_region[np.ix_(regions, items)],
        tuple(value.segments[i] for i in segments),
        value.by_segment[np.ix_(segments, items)],
    )


def counts(recommender: Counted, orders: dd.DataFrame, *, whole: Whole = None) -> Counts:
    """The counts ``recommender`` fits on, from every partition's counts added up.

    ``FrequentlyBoughtTogether`` and ``PurchaseHistory`` give ``CooccurrenceCounts`` (by
    basket, by customer), ``Popular`` (without decay) ``PopularityCounts``: each partition's
    ``recommender.counts`` of its interactions, added with ``+``. A basket (a customer, for a
    strategy that counts by customer) must be in one partition: say so with ``whole``, or the
    rows are shuffled on the key first. The counts equal those of all rows at once, items in
    the same order.

    Args:
        recommender: The strategy, with the parameters it counts with.
        orders: The order lines (``ORDER_COLUMNS``).
        whole: ``"order"`` when each order's lines are in one partition, ``"customer"`` when
            each customer's (and each guest order's) are; ``None``: not known.

    Raises:
        ValidationError: the strategy is not counted from orders (or decays), ``orders`` is not
            a Dask DataFrame with the order columns, or ``whole`` is not a choice.
    """
    if not isinstance(recommender, FrequentlyBoughtTogether | PurchaseHistory | Popular):
        raise ValidationError(
            f"{type(recommender).__name__} is not fitted from order counts: "
            "FrequentlyBoughtTogether, PurchaseHistory or Popular",
            field="recommender",
            value=type(recommender).__name__,
        )
    check_frame(orders, "orders", _ORDERS)
    frame, shuffled = kept_whole(orders, _key(recommender), check_whole(whole))
    kind, parameters = _parameters(recommender)
    if not shuffled:
        return run(frame, _counts_chunk, _counts_merge, kind, parameters)  # type: ignore[no-any-return]
    value, firsts = run(
        frame, _counts_chunk, _counts_merge, kind, parameters, names=("sku", "region", "segment")
    )
    return _in_first_order(value, firsts)


def fit(
    recommender: R, orders: dd.DataFrame, *, whole: Whole = None, catalogue: Catalogue | None = None
) -> R:
    """Fit ``recommender`` from the counts of every partition (``counts``, then ``fit_counts``).

    The fitted strategy is the one ``fit_counts`` gives from the counts of all rows at once:
    it recommends the same items with the same scores. Like any strategy fitted from counts it
    knows no customer histories (a request's ``history`` is used).

    Args:
        recommender: ``FrequentlyBoughtTogether``, ``PurchaseHistory`` or ``Popular``.
        orders: The order lines (``ORDER_COLUMNS``).
        whole: As for ``counts``.
        catalogue: The products, for filters and reasons.

    Returns:
        ``recommender``, fitted.

    Raises:
        ValidationError: as ``counts``.
    """
    value = counts(recommender, orders, whole=whole)
    return recommender.fit_counts(value, catalogue=catalogue)  # type: ignore[arg-type]


# -- per-customer summaries and tiers --------------------------------------------------------


def _customers_chunk(part: pd.DataFrame) -> CustomerPartial:
    return CustomerPartial.of(order_table(part))


def _refund_lines_chunk(part: pd.DataFrame) -> CustomerPartial:
    return CustomerPartial.of(order_table(part.iloc[:0]), order_table(part))


def customer_partial(
    orders: dd.DataFrame, *, refund_lines: dd.DataFrame | None = None
) -> CustomerPartial:
    """The ``CustomerPartial`` of all order lines, merged from every partition's.

    Its ``summary()`` (first and last order, orders, spend per currency) and ``repeat(at)``
    (frequency, recency, age and spend, what the CLV models fit on) are those of all rows at
    once, in exact minor units. Any partitioning gives the same; partitions that keep each
    customer whole keep each partial's rows apart, so the merge only concatenates.

    Args:
        orders: The order lines (``ORDER_COLUMNS``).
        refund_lines: The refunded units as order lines (``ORDER_COLUMNS``, positive
            quantities, as ``CustomerPartial.of`` takes them: Online Retail's cancellations);
            their line totals are the refunded amounts.

    Raises:
        ValidationError: ``orders`` (or ``refund_lines``) is not a Dask DataFrame with the order
            columns.
    """
    check_frame(orders, "orders", _ORDERS)
    _optional(refund_lines, "refund_lines", _ORDERS)
    partial: CustomerPartial = run(orders, _customers_chunk, CustomerPartial.merge_all)
    if refund_lines is None:
        return partial
    refunded = run(refund_lines, _refund_lines_chunk, CustomerPartial.merge_all)
    return CustomerPartial.merge_all([partial, refunded])


def _tiers_chunk(part: pd.DataFrame, programme: Programme, at: dt.datetime) -> TierTable:
    return single_tier_table(programme, order_table(part), at)


def tier_table(
    programme: Programme, orders: dd.DataFrame, at: dt.datetime, *, whole: Whole = None
) -> TierTable:
    """Every customer's tier at ``at``: ``tier_table`` per partition, ``TierTable.concat``.

    A customer's orders must be in one partition: say so with ``whole="customer"``, or the
    rows are shuffled on the customer first. The table equals ``tier_table`` of all rows at
    once, customers in the same order.

    Args:
        programme: The programme.
        orders: The order lines (``ORDER_COLUMNS``), in the programme's currency.
        at: The moment, with a UTC offset.
        whole: ``"customer"`` when each customer's orders are in one partition.

    Raises:
        ValidationError: ``programme`` is not a ``Programme``, ``at`` has no UTC offset,
            ``orders`` is not a Dask DataFrame with the order columns, or a line has no price
            or another currency.
    """
    if not isinstance(programme, Programme):
        raise ValidationError(f"{programme!r} is not a Programme", field="programme", value=None)
    check.aware_datetime(at, "at")
    check_frame(orders, "orders", _ORDERS)
    whole = check_whole(whole)
    frame, shuffled = kept_whole(orders, "customer", "customer" if whole == "customer" else None)
    if not shuffled:
        return run(frame, _tiers_chunk, TierTable.concat, programme, at)  # type: ignore[no-any-return]
    table, firsts = run(frame, _tiers_chunk, TierTable.concat, programme, at, names=("customer",))
    order = firsts_order(table.customers, firsts["customer"])
    return TierTable(
        programme=table.programme,
        at=table.at,
        customers=tuple(table.customers[i] for i in order),
        tier=table.tier[order],
        measure=table.measure[order],
        names=table.names,
    )
