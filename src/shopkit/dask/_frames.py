"""Pandas frames of orders and events, to and from the core's columnar tables.

A partition of a Dask DataFrame is a pandas frame; ``order_table`` turns one into the
``OrderTable`` that shopkit's per-chunk functions read, and ``order_frame`` turns a table into a
frame (to write Parquet from, or to hand to ``dask.dataframe.from_pandas``). An orders frame
has one row per order line and the columns of ``ORDER_COLUMNS``; an events frame one row per
event and the columns of ``EVENT_COLUMNS``; a refunds frame one row per refund and the columns of
``REFUND_COLUMNS``. Money is exact: ``unit_price``, ``discount``, ``shipping``, ``tax`` and a
refund's ``amount`` are whole numbers of minor units of the row's currency, and a column of floats
there is refused, never rounded. Times are whole seconds since 1970-01-01 UTC, or
datetimes with a time zone. Vocabularies (order ids, skus, customers, …) are numbered in order
of first appearance in the frame, as ``OrderTable.of`` numbers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from shopkit import EventTable, OrderTable
from shopkit.errors import ValidationError
from shopkit.metrics import Refunds

__all__ = [
    "EVENT_COLUMNS",
    "ORDER_COLUMNS",
    "REFUND_COLUMNS",
    "event_frame",
    "event_table",
    "order_frame",
    "order_table",
    "refund_frame",
    "refund_table",
]

IntArray = np.ndarray[Any, np.dtype[np.int64]]

ORDER_COLUMNS: Mapping[str, str] = {
    "order": "(required) the order id",
    "sku": "(required) the line's sku",
    "quantity": "(required) units on the line, a whole number of at least 1",
    "unit_price": "(required) the unit price in minor units, -1 or empty if not known",
    "currency": "(required) the ISO 4217 code of a priced line",
    "at": "(required) when: seconds since 1970-01-01 UTC, or aware datetimes",
    "discount": "the line's discount in minor units (0 when left out)",
    "customer": "the customer id, empty for a guest",
    "channel": "the channel",
    "region": "the region",
    "segment": "the customer's segment",
    "shipping": "the order's shipping in minor units, on its first line and 0 on the others",
    "tax": "the order's tax, carried the same way",
}
"""The columns of an orders frame and what each holds (one row per order line)."""

EVENT_COLUMNS: Mapping[str, str] = {
    "kind": "(required) an EventKind value",
    "sku": "(required) the item",
    "at": "(required) when: seconds since 1970-01-01 UTC, or aware datetimes",
    "session": "(required) the session id",
    "customer": "the customer id, empty for a guest",
    "channel": "the channel",
    "region": "the region",
    "segment": "the customer's segment",
    "placement": "where a recommendation event happened",
}
"""The columns of an events frame and what each holds (one row per event)."""

REFUND_COLUMNS: Mapping[str, str] = {
    "amount": "(required) the amount refunded in minor units, a whole number of at least 1",
    "currency": "(required) the ISO 4217 code of the amount",
    "at": "(required) when: seconds since 1970-01-01 UTC, or aware datetimes",
    "order": "the refunded order's id, empty when the source does not say",
}
"""The columns of a refunds frame and what each holds (one row per refund, as
``shopkit.metrics.Refunds``)."""

_ORDER_NAMES = ("order", "sku", "currency", "customer", "channel", "region", "segment")
_ORDER_NUMBERS = ("quantity", "unit_price", "discount", "shipping", "tax")
_EVENT_NAMES = ("sku", "session", "customer", "channel", "region", "segment", "placement")
_REQUIRED_ORDERS = ("order", "sku", "quantity", "unit_price", "currency", "at")
_REQUIRED_EVENTS = ("kind", "sku", "at", "session")
_REQUIRED_REFUNDS = ("amount", "currency", "at")
_MISSING = {"amount": 0, "discount": 0, "unit_price": -1, "shipping": -1, "tax": -1, "quantity": 0}


def _check_frame(frame: object, required: tuple[str, ...], known: Mapping[str, str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(
            f"{type(frame).__name__} is not a pandas DataFrame", field="frame", value=None
        )
    for name in required:
        if name not in frame.columns:
            raise ValidationError(
                f"has no column {name!r} ({known[name]})", field="columns", value=name
            )


def _codes(frame: pd.DataFrame, name: str) -> tuple[IntArray, tuple[str, ...]]:
    """A name column as indices into its vocabulary (first appearance); empty cells are ``-1``."""
    if name not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64), ()
    codes, uniques = pd.factorize(frame[name], sort=False, use_na_sentinel=True)
    return codes.astype(np.int64), tuple(str(value) for value in uniques)


def _whole(frame: pd.DataFrame, name: str) -> IntArray:
    """An integer column as ``int64``; empty cells take the column's "not known" value."""
    if name not in frame.columns:
        return np.full(len(frame), _MISSING[name], dtype=np.int64)
    column = frame[name]
    if not (pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column)):
        raise ValidationError(
            f"holds {column.dtype}, not whole numbers (money is in minor units, never a float)",
            field=name,
            value=str(column.dtype),
        )
    if column.hasnans:
        column = column.fillna(_MISSING[name])
    return np.asarray(column.to_numpy(dtype=np.int64), dtype=np.int64)


def _seconds(frame: pd.DataFrame, name: str = "at") -> IntArray:
    column = frame[name]
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        if column.hasnans:
            raise ValidationError("has an empty time", field=name, value=None)
        values = column.dt.tz_convert("UTC").to_numpy(dtype="datetime64[s]")
        return np.asarray(values.astype(np.int64), dtype=np.int64)
    if pd.api.types.is_datetime64_dtype(column.dtype):
        raise ValidationError(
            "holds datetimes without a time zone: give UTC seconds or aware datetimes",
            field=name,
            value=str(column.dtype),
        )
    if column.hasnans:
        raise ValidationError("has an empty time", field=name, value=None)
    return _whole(frame, name) if len(column) else np.zeros(0, dtype=np.int64)


def order_table(frame: pd.DataFrame) -> OrderTable:
    """The ``OrderTable`` of an orders frame (a partition of a Dask DataFrame, or all of it).

    Args:
        frame: One row per order line, with the columns of ``ORDER_COLUMNS``.

    Returns:
        The table; its vocabularies list names in order of first appearance.

    Raises:
        ValidationError: a required column is missing, a money or quantity column holds
            floats or text, a time has no time zone, or a value breaks ``OrderTable``'s rules.

    Examples:
        >>> import pandas as pd
        >>> from shopkit.dask import order_table
        >>> frame = pd.DataFrame({"order": ["o1", "o1"], "sku": ["TEA", "MUG"],
        ...                       "quantity": [2, 1], "unit_price": [350, 600],
        ...                       "currency": ["GBP", "GBP"], "at": [1704067200, 1704067200]})
        >>> table = order_table(frame)
        >>> table.skus, table.line_total().tolist()
        (('TEA', 'MUG'), [700, 600])
    """
    _check_frame(frame, _REQUIRED_ORDERS, ORDER_COLUMNS)
    values: dict[str, Any] = {}
    for name in _ORDER_NAMES:
        values[name], values[f"{name}s" if name != "currency" else "currencies"] = _codes(
            frame, name
        )
    for name in _ORDER_NUMBERS:
        values[name] = _whole(frame, name)
    values["at"] = _seconds(frame)
    return OrderTable(**values)


def event_table(frame: pd.DataFrame) -> EventTable:
    """The ``EventTable`` of an events frame (one row per event, the ``EVENT_COLUMNS``).

    Raises:
        ValidationError: a required column is missing, ``kind`` is not whole numbers, a time has
            no time zone, or a value breaks ``EventTable``'s rules.

    Examples:
        >>> import pandas as pd
        >>> from shopkit.dask import event_table
        >>> frame = pd.DataFrame({"kind": [1, 2], "sku": ["TEA", "TEA"],
        ...                       "at": [1704067200, 1704067260], "session": ["s1", "s1"]})
        >>> event_table(frame).sessions
        ('s1',)
    """
    _check_frame(frame, _REQUIRED_EVENTS, EVENT_COLUMNS)
    values: dict[str, Any] = {}
    for name in _EVENT_NAMES:
        values[name], values[f"{name}s"] = _codes(frame, name)
    if not pd.api.types.is_integer_dtype(frame["kind"].dtype) or frame["kind"].hasnans:
        raise ValidationError(
            f"holds {frame['kind'].dtype}, not EventKind numbers",
            field="kind",
            value=str(frame["kind"].dtype),
        )
    values["kind"] = frame["kind"].to_numpy(dtype=np.int64)
    values["at"] = _seconds(frame)
    return EventTable(**values)


def refund_table(frame: pd.DataFrame) -> Refunds:
    """The ``shopkit.metrics.Refunds`` of a refunds frame (one row per refund, ``REFUND_COLUMNS``).

    Raises:
        ValidationError: a required column is missing, ``amount`` holds floats or text, a time
            has no time zone, or a value breaks ``Refunds``' rules (an amount below 1).

    Examples:
        >>> import pandas as pd
        >>> from shopkit.dask import refund_table
        >>> frame = pd.DataFrame({"order": ["o1", None], "amount": [250, 600],
        ...                       "currency": ["GBP", "GBP"], "at": [1704067200, 1704153600]})
        >>> refunds = refund_table(frame)
        >>> refunds.orders, refunds.order.tolist(), refunds.amount.tolist()
        (('o1',), [0, -1], [250, 600])
    """
    _check_frame(frame, _REQUIRED_REFUNDS, REFUND_COLUMNS)
    order, orders = _codes(frame, "order")
    currency, currencies = _codes(frame, "currency")
    return Refunds(
        orders=orders,
        order=order,
        at=_seconds(frame),
        amount=_whole(frame, "amount"),
        currencies=currencies,
        currency=currency,
    )


def refund_frame(refunds: Refunds) -> pd.DataFrame:
    """A refunds frame of ``refunds``: every ``REFUND_COLUMNS`` column, amounts in minor units.

    Raises:
        ValidationError: ``refunds`` is not a ``shopkit.metrics.Refunds``.
    """
    if not isinstance(refunds, Refunds):
        raise ValidationError(f"{refunds!r} is not Refunds", field="refunds", value=None)
    return pd.DataFrame(
        {
            "amount": np.asarray(refunds.amount, dtype=np.int64),
            "currency": _names(refunds.currencies, refunds.currency),
            "at": np.asarray(refunds.at, dtype=np.int64),
            "order": _names(refunds.orders, refunds.order),
        }
    )


def _names(vocabulary: tuple[str, ...], codes: IntArray) -> pd.Series:
    lookup = np.array([*vocabulary, None], dtype=object)
    return pd.Series(lookup[np.where(codes >= 0, codes, len(vocabulary))], dtype="str")


def order_frame(table: OrderTable) -> pd.DataFrame:
    """An orders frame of ``table``: every ``ORDER_COLUMNS`` column, money in minor units.

    ``order_table(order_frame(table))`` has the same rows and vocabularies as ``table`` when
    its vocabularies list names in order of first appearance (as ``OrderTable.of`` does).

    Raises:
        ValidationError: ``table`` is not an ``OrderTable``.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine, OrderTable
        >>> from shopkit.dask import order_frame
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> table = OrderTable.of([Order("o1", [OrderLine("TEA", 2, Money.of("3.50", "GBP"))], at)])
        >>> order_frame(table)[["order", "sku", "unit_price", "currency"]].to_dict("records")
        [{'order': 'o1', 'sku': 'TEA', 'unit_price': 350, 'currency': 'GBP'}]
    """
    if not isinstance(table, OrderTable):
        raise ValidationError(f"{table!r} is not an OrderTable", field="table", value=None)
    columns: dict[str, Any] = {}
    for name in ORDER_COLUMNS:
        if name in _ORDER_NAMES:
            vocabulary = getattr(table, "currencies" if name == "currency" else f"{name}s")
            columns[name] = _names(vocabulary, getattr(table, name))
        else:
            columns[name] = np.asarray(getattr(table, name), dtype=np.int64)
    return pd.DataFrame(columns)


def event_frame(table: EventTable) -> pd.DataFrame:
    """An events frame of ``table``: every ``EVENT_COLUMNS`` column.

    Raises:
        ValidationError: ``table`` is not an ``EventTable``.
    """
    if not isinstance(table, EventTable):
        raise ValidationError(f"{table!r} is not an EventTable", field="table", value=None)
    columns: dict[str, Any] = {}
    for name in EVENT_COLUMNS:
        if name in _EVENT_NAMES:
            columns[name] = _names(getattr(table, f"{name}s"), getattr(table, name))
        else:
            columns[name] = np.asarray(getattr(table, name), dtype=np.int64)
    return pd.DataFrame(columns)
