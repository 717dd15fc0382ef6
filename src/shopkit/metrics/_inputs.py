"""What KPIs read besides orders and events: refunds, marketing spend, surveys, tickets, deliveries.

Each is a small columnar record type (parallel ``int64`` arrays, money in minor units, times in
seconds since 1970-01-01 UTC, as in the core tables); a time column also takes aware
datetimes. ``ShopData`` bundles what a shop has — any part may be missing, and a KPI that needs
a missing part says so. ``Window`` is a half-open time range ``[start, end)``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np

from shopkit import EventTable, Money, OrderTable, validate_currency
from shopkit import validators as check
from shopkit.errors import ValidationError
from shopkit.metrics._partials import IntArray

__all__ = [
    "Deliveries",
    "Refunds",
    "ShopData",
    "Spend",
    "Survey",
    "SurveyScale",
    "Tickets",
    "Window",
    "seconds",
]


def seconds(value: dt.datetime | int, field: str = "at") -> int:
    """Seconds since 1970-01-01 UTC of an aware datetime (an int is taken as it is).

    Raises:
        ValidationError: ``value`` is a naive datetime or not a time.
    """
    if isinstance(value, dt.datetime):
        return int(check.aware_datetime(value, field).timestamp())
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    raise ValidationError(
        f"{value!r} is not an aware datetime or seconds", field=field, value=value
    )


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _scale(value: object) -> SurveyScale:
    return check.enum_value(SurveyScale, value, "scale")


def _start(value: dt.datetime | int) -> int:
    return seconds(value, "start")


def _end(value: dt.datetime | int) -> int:
    return seconds(value, "end")


def _ints(value: Any) -> Any:
    """Attrs converter: a 1-d int64 array, times given as datetimes converted to seconds."""
    if isinstance(value, np.ndarray):
        return value.astype(np.int64, copy=False) if value.dtype.kind in "iu" else value
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value
    items = list(value)
    if any(isinstance(item, dt.datetime) for item in items):
        items = [item if not isinstance(item, dt.datetime) else seconds(item) for item in items]
    try:
        return np.asarray(items, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError, OverflowError):
        return value


def _check_columns(instance: Any, low: dict[str, int]) -> None:
    """Every array field is 1-d int64 of one length, at or above its lowest allowed value."""
    fields = [f.name for f in attrs.fields(type(instance)) if f.converter is _ints]
    n = None
    for name in fields:
        array = getattr(instance, name)
        if not isinstance(array, np.ndarray) or array.dtype != np.int64 or array.ndim != 1:
            raise ValidationError(
                f"{array!r} is not a list of whole numbers", field=name, value=None
            )
        if n is None:
            n = len(array)
        elif len(array) != n:
            raise ValidationError(
                f"has {len(array)} entries, not {n}", field=name, value=len(array)
            )
        if name in low and len(array) and int(array.min()) < low[name]:
            bad = int(np.flatnonzero(array < low[name])[0])
            raise ValidationError(
                f"{int(array[bad])} is below {low[name]}", field=f"{name}[{bad}]",
                value=int(array[bad]),
            )  # fmt: skip


def _check_index(names: Sequence[str], column: IntArray, field: str) -> None:
    if len(column) and int(column.max()) >= len(names):
        raise ValidationError(
            f"{int(column.max())} is not an index into {len(names)} names",
            field=field,
            value=int(column.max()),
        )


def _check_currencies(codes: Sequence[str]) -> None:
    for index, code in enumerate(codes):
        validate_currency(code, f"currencies[{index}]")


def _money_rows(
    rows: Iterable[Sequence[Any]], what: str, shape: tuple[str, str, str]
) -> tuple[tuple[str, ...], list[int], list[int], list[Money]]:
    """Rows of a name (or None), a time and an amount, in the order ``shape`` names them.

    Returns the names met, each row's name number (``-1`` for None), times and amounts.

    Raises:
        ValidationError: a row is not of the shape, a time is naive, an amount not Money.
    """
    names: dict[str, int] = {}
    numbers, times, amounts = [], [], []
    for index, row in enumerate(rows):
        try:
            values = dict(zip(shape, row, strict=True))
        except (TypeError, ValueError):
            raise ValidationError(
                f"is not ({', '.join(shape)})", field=f"{what}[{index}]", value=row
            ) from None
        name = next(values[key] for key in shape if key not in ("at", "amount"))
        amount = values["amount"]
        if not isinstance(amount, Money):
            raise ValidationError(
                f"{amount!r} is not Money", field=f"{what}[{index}].amount", value=amount
            )
        numbers.append(-1 if name is None else names.setdefault(str(name), len(names)))
        times.append(seconds(values["at"], f"{what}[{index}].at"))
        amounts.append(amount)
    return tuple(names), numbers, times, amounts


def _currency_column(amounts: Sequence[Money]) -> tuple[tuple[str, ...], IntArray]:
    codes: dict[str, int] = {}
    column = np.fromiter(
        (codes.setdefault(amount.currency, len(codes)) for amount in amounts),
        dtype=np.int64,
        count=len(amounts),
    )
    return tuple(codes), column


@attrs.frozen(eq=False, kw_only=True)
class Refunds:
    """Money given back: one row per refund, with the order it refunds when that is known.

    Attributes:
        orders: The ids of the orders refunded; ``order`` indexes it.
        order: The refunded order of each row, ``-1`` when the source does not say (Online
            Retail cancellations name no original invoice).
        at: When the refund was made (seconds, or aware datetimes).
        amount: The amount refunded in minor units of the row's currency, at least 1.
        currencies: The ISO 4217 codes; ``currency`` indexes it.
        currency: The currency of each refund.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money
        >>> from shopkit.metrics import Refunds
        >>> at = dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
        >>> refunds = Refunds.of([("o1", at, Money.of("2.50", "GBP"))])
        >>> refunds.amount.tolist(), refunds.orders
        ([250], ('o1',))
    """

    orders: tuple[str, ...] = attrs.field(converter=_names)
    order: IntArray = attrs.field(converter=_ints)
    at: IntArray = attrs.field(converter=_ints)
    amount: IntArray = attrs.field(converter=_ints)
    currencies: tuple[str, ...] = attrs.field(converter=_names)
    currency: IntArray = attrs.field(converter=_ints)

    def __attrs_post_init__(self) -> None:
        _check_columns(self, {"order": -1, "amount": 1, "currency": 0})
        _check_index(self.orders, self.order, "order")
        _check_index(self.currencies, self.currency, "currency")
        _check_currencies(self.currencies)

    @classmethod
    def of(cls, rows: Iterable[tuple[str | None, dt.datetime, Money]]) -> Refunds:
        """Refunds from ``(order id or None, when, amount)`` rows.

        Raises:
            ValidationError: a row is not of that shape, a time is naive, an amount not positive.
        """
        orders, order, at, amounts = _money_rows(rows, "refunds", ("order", "at", "amount"))
        currencies, currency = _currency_column(amounts)
        return cls(
            orders=orders,
            order=order,
            at=at,
            amount=[amount.minor for amount in amounts],
            currencies=currencies,
            currency=currency,
        )

    @classmethod
    def from_table(cls, table: OrderTable) -> Refunds:
        """Refunds from a table of refunded lines (``RetailData.refunds``): one per line.

        The table's order ids are the refund invoices, not the orders refunded, so every row's
        ``order`` is ``-1`` (unknown); ``at`` is the refund's date and the amount the line's
        total.

        Raises:
            ValidationError: a line has no unit price.
        """
        totals = table.line_total()
        keep = totals > 0
        return cls(
            orders=(),
            order=np.full(int(keep.sum()), -1, dtype=np.int64),
            at=table.at[keep],
            amount=totals[keep],
            currencies=table.currencies,
            currency=table.currency[keep],
        )


@attrs.frozen(eq=False, kw_only=True)
class Spend:
    """Marketing spend: one row per amount spent, by channel (what CAC and ROI divide by).

    Attributes:
        at: When it was spent (seconds, or aware datetimes); a window counts the spend in it.
        amount: Minor units of the row's currency, at least 0.
        currencies: The ISO 4217 codes; ``currency`` indexes it.
        currency: The currency of each row.
        channels: The channel names; ``channel`` indexes it.
        channel: The channel the money was spent on (matched with ``Order.channel``), ``-1``
            for spend on no channel in particular.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money
        >>> from shopkit.metrics import Spend
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> Spend.of([(at, Money.of("100", "GBP"), "web")]).amount.tolist()
        [10000]
    """

    at: IntArray = attrs.field(converter=_ints)
    amount: IntArray = attrs.field(converter=_ints)
    currencies: tuple[str, ...] = attrs.field(converter=_names)
    currency: IntArray = attrs.field(converter=_ints)
    channels: tuple[str, ...] = attrs.field(default=(), converter=_names)
    channel: IntArray = attrs.field(default=None, converter=_ints)

    def __attrs_post_init__(self) -> None:
        if self.channel is None:
            object.__setattr__(self, "channel", np.full(len(self.at), -1, dtype=np.int64))
        _check_columns(self, {"amount": 0, "currency": 0, "channel": -1})
        _check_index(self.currencies, self.currency, "currency")
        _check_index(self.channels, self.channel, "channel")
        _check_currencies(self.currencies)

    @classmethod
    def of(cls, rows: Iterable[tuple[dt.datetime, Money, str | None]]) -> Spend:
        """Spend from ``(when, amount, channel or None)`` rows.

        Raises:
            ValidationError: a row is not of that shape, a time is naive, an amount negative.
        """
        channels, channel, at, amounts = _money_rows(rows, "spend", ("at", "amount", "channel"))
        currencies, currency = _currency_column(amounts)
        return cls(
            at=at,
            amount=[amount.minor for amount in amounts],
            currencies=currencies,
            currency=currency,
            channels=channels,
            channel=channel,
        )


class SurveyScale(enum.StrEnum):
    """The survey a score comes from, and its scale."""

    NPS = "nps"
    """"How likely are you to recommend us?", 0 to 10."""
    CSAT = "csat"
    """"How satisfied were you?", 1 to 5."""
    CES = "ces"
    """"How easy was it?" (customer effort score), 1 to 7, higher is easier."""

    @property
    def bounds(self) -> tuple[int, int]:
        """The lowest and highest score of the scale."""
        return {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}[self.value]


@attrs.frozen(eq=False, kw_only=True)
class Survey:
    """Answers to one survey: a score per response.

    Attributes:
        scale: Which survey (``"nps"``, ``"csat"`` or ``"ces"``), which fixes the scale.
        at: When each answer was given (seconds, or aware datetimes).
        score: Each answer's score, a whole number on the scale.

    Examples:
        >>> from shopkit.metrics import Survey
        >>> Survey(scale="nps", at=[0, 0, 0], score=[10, 7, 3]).score.tolist()
        [10, 7, 3]
    """

    scale: SurveyScale = attrs.field(converter=_scale)
    at: IntArray = attrs.field(converter=_ints)
    score: IntArray = attrs.field(converter=_ints)

    def __attrs_post_init__(self) -> None:
        _check_columns(self, {})
        low, high = self.scale.bounds
        outside = np.flatnonzero((self.score < low) | (self.score > high))
        if len(outside):
            row = int(outside[0])
            raise ValidationError(
                f"{int(self.score[row])} is not between {low} and {high}",
                field=f"score[{row}]",
                value=int(self.score[row]),
            )


@attrs.frozen(eq=False, kw_only=True)
class Tickets:
    """Support tickets: when each was opened, how many contacts it took, and whether resolved.

    Attributes:
        at: When each ticket was opened (seconds, or aware datetimes).
        contacts: The customer's contacts with support about it, at least 1.
        resolved: 1 if the ticket is resolved, 0 if still open.

    Examples:
        >>> from shopkit.metrics import Tickets
        >>> Tickets(at=[0, 0], contacts=[1, 3], resolved=[1, 1]).contacts.tolist()
        [1, 3]
    """

    at: IntArray = attrs.field(converter=_ints)
    contacts: IntArray = attrs.field(converter=_ints)
    resolved: IntArray = attrs.field(converter=_ints)

    def __attrs_post_init__(self) -> None:
        _check_columns(self, {"contacts": 1, "resolved": 0})
        if len(self.resolved) and int(self.resolved.max()) > 1:
            raise ValidationError("is 0 or 1", field="resolved", value=int(self.resolved.max()))


@attrs.frozen(eq=False, kw_only=True)
class Deliveries:
    """Shipments: when each left, by when it was promised, and when it arrived.

    Attributes:
        shipped: When each parcel was shipped (seconds, or aware datetimes).
        promised: The latest delivery time promised to the customer.
        delivered: When it was delivered, ``-1`` while it is on its way.

    Examples:
        >>> from shopkit.metrics import Deliveries
        >>> day = 86_400
        >>> Deliveries(shipped=[0], promised=[2 * day], delivered=[day]).delivered.tolist()
        [86400]
    """

    shipped: IntArray = attrs.field(converter=_ints)
    promised: IntArray = attrs.field(converter=_ints)
    delivered: IntArray = attrs.field(converter=_ints)

    def __attrs_post_init__(self) -> None:
        _check_columns(self, {"delivered": -1})
        early = np.flatnonzero((self.delivered >= 0) & (self.delivered < self.shipped))
        if len(early):
            row = int(early[0])
            raise ValidationError(
                "delivered before it was shipped",
                field=f"delivered[{row}]",
                value=int(self.delivered[row]),
            )
        if np.any(self.promised < self.shipped):
            row = int(np.flatnonzero(self.promised < self.shipped)[0])
            raise ValidationError(
                "promised before it was shipped",
                field=f"promised[{row}]",
                value=int(self.promised[row]),
            )


def _surveys(value: Iterable[Survey]) -> tuple[Survey, ...]:
    return tuple(value)


@attrs.frozen(eq=False, kw_only=True)
class ShopData:
    """What a shop has to compute KPIs from; every part is optional.

    Attributes:
        orders: The order lines.
        events: The events (views, carts, checkouts, purchases, recommendations).
        refunds: The refunds.
        spend: The marketing spend.
        surveys: Survey answers (any of NPS, CSAT, CES).
        tickets: Support tickets.
        deliveries: Shipments.
    """

    orders: OrderTable | None = None
    events: EventTable | None = None
    refunds: Refunds | None = None
    spend: Spend | None = None
    surveys: tuple[Survey, ...] = attrs.field(default=(), converter=_surveys)
    tickets: Tickets | None = None
    deliveries: Deliveries | None = None

    @classmethod
    def wrap(cls, data: ShopData | OrderTable | EventTable) -> ShopData:
        """``data`` as ``ShopData``: a bare order or event table is the only part given.

        Raises:
            ValidationError: ``data`` is none of these.
        """
        if isinstance(data, ShopData):
            return data
        if isinstance(data, OrderTable):
            return cls(orders=data)
        if isinstance(data, EventTable):
            return cls(events=data)
        raise ValidationError(
            f"{type(data).__name__} is not ShopData, an OrderTable or an EventTable",
            field="data",
            value=None,
        )


@attrs.frozen
class Window:
    """A half-open time range ``[start, end)``; a KPI counts what happened in it.

    Attributes:
        start: The first second in the window (aware datetime or seconds since the epoch).
        end: The first second after it.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.metrics import Window
        >>> january = Window(dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        ...                  dt.datetime(2024, 2, 1, tzinfo=dt.UTC))
        >>> january.end - january.start
        2678400
    """

    start: int = attrs.field(converter=_start)
    end: int = attrs.field(converter=_end)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationError(
                f"ends at {self.end}, not after its start {self.start}",
                field="end",
                value=self.end,
            )
