"""Orders and events in columnar form: numpy arrays, exact money as int64 minor units.

One row per order line (``OrderTable``) or per event (``EventTable``). Names (order ids, skus,
customers, currencies, regions, …) are stored once, in a vocabulary tuple, and each row holds
an ``int64`` index into it, ``-1`` meaning none (a guest, no region). Times are ``int64``
seconds since 1970-01-01 UTC (what ``datetime.timestamp()`` gives, truncated). Money is exact:
unit prices and discounts are integer minor units of the row's currency, and the totals are
computed in ``int64``, never in floats.

Tables of chunks combine with ``concat`` (vocabularies are merged, indices remapped), which is
how the same per-chunk code runs over one file here and over many partitions elsewhere.

This module needs numpy (``pip install "shopkit[data]"``); ``import shopkit`` does not import
it, and ``shopkit.OrderTable`` loads it on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self

import attrs

try:
    import numpy as np
    import numpy.typing as npt
except ImportError as error:  # pragma: no cover - the data extra brings numpy
    raise ImportError(
        'shopkit.OrderTable and shopkit.EventTable need numpy: pip install "shopkit[data]"'
    ) from error

from shopkit._activity import Event, EventKind, Order
from shopkit._currency import validate_currency
from shopkit._money import Money
from shopkit.errors import ValidationError

__all__ = ["EventTable", "OrderTable"]

IntArray = npt.NDArray[np.int64]
_INT64_MAX = int(np.iinfo(np.int64).max)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _column(value: Any) -> Any:
    """Attrs converter: a 1-d int64 array (``None`` stays ``None``, filled in as all ``-1``)."""
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        return value  # the table's check reports it


class _Table:
    """Checks and combination shared by the tables, driven by ``_COLUMNS``."""

    # (column, its vocabulary or None, the lowest value allowed or None for any)
    _COLUMNS: ClassVar[tuple[tuple[str, str | None, int | None], ...]]

    def _check(self) -> None:
        first = self._COLUMNS[0][0]
        n = len(np.atleast_1d(getattr(self, first)))
        for name, vocabulary, low in self._COLUMNS:
            array = getattr(self, name)
            if array is None:
                array = np.full(n, -1, dtype=np.int64)
                object.__setattr__(self, name, array)
            if not isinstance(array, np.ndarray):
                raise ValidationError(
                    f"{array!r} is not a list of whole numbers", field=name, value=None
                )
            if array.ndim != 1 or len(array) != n:
                raise ValidationError(
                    f"has shape {array.shape}, but {first} has {n} entries", field=name, value=n
                )
            if n == 0:
                continue
            if low is not None and int(array.min()) < low:
                raise ValidationError(
                    f"{int(array.min())} is below {low}", field=name, value=int(array.min())
                )
            if vocabulary is not None and int(array.max()) >= len(getattr(self, vocabulary)):
                raise ValidationError(
                    f"{int(array.max())} is not an index into "
                    f"{len(getattr(self, vocabulary))} names",
                    field=name,
                    value=int(array.max()),
                )
        for _, vocabulary, _ in self._COLUMNS:
            if vocabulary is None:
                continue
            names: tuple[str, ...] = getattr(self, vocabulary)
            if len(set(names)) != len(names):
                raise ValidationError("has a name twice", field=vocabulary, value=len(names))
            for index, value in enumerate(names):
                if not isinstance(value, str) or not value.strip():
                    raise ValidationError(
                        f"{value!r} is not a non-empty string",
                        field=f"{vocabulary}[{index}]",
                        value=value,
                    )

    def __len__(self) -> int:
        return len(getattr(self, self._COLUMNS[0][0]))

    @classmethod
    def concat(cls, tables: Sequence[Self]) -> Self:
        """Combine tables of chunks into one: rows in order, vocabularies merged.

        A name (an order id, a sku, a customer) in several chunks is one name in the result, so
        an order split over two chunks is one order again.

        Raises:
            ValidationError: ``tables`` is empty or holds something else than this table type.
        """
        tables = list(tables)
        if not tables:
            raise ValidationError("lists no tables", field="tables", value=[])
        for index, table in enumerate(tables):
            if not isinstance(table, cls):
                raise ValidationError(
                    f"{table!r} is not a {cls.__name__}", field=f"tables[{index}]", value=None
                )
        values: dict[str, Any] = {}
        for name, vocabulary, _ in cls._COLUMNS:
            parts = [getattr(table, name) for table in tables]
            if vocabulary is None:
                values[name] = np.concatenate(parts)
                continue
            merged: dict[str, None] = {}
            for table in tables:
                merged.update(dict.fromkeys(getattr(table, vocabulary)))
            position = {key: index for index, key in enumerate(merged)}
            remapped = []
            for table, part in zip(tables, parts, strict=True):
                where = np.fromiter(
                    (position[key] for key in getattr(table, vocabulary)),
                    dtype=np.int64,
                    count=len(getattr(table, vocabulary)),
                )
                if len(where):
                    remapped.append(np.where(part >= 0, where[np.maximum(part, 0)], -1))
                else:  # no names: every entry is -1 (a required column was checked non-empty)
                    remapped.append(np.full(len(part), -1, dtype=np.int64))
            values[vocabulary] = tuple(merged)
            values[name] = np.concatenate(remapped)
        return cls(**values)

    def __add__(self, other: Self) -> Self:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.concat([self, other])


class _Vocabularies:
    """Names met while building a table from objects, numbered by first appearance."""

    def __init__(self, *names: str) -> None:
        self.names: dict[str, dict[str, int]] = {name: {} for name in names}

    def index(self, vocabulary: str, name: str | None) -> int:
        if name is None:
            return -1
        found = self.names[vocabulary]
        return found.setdefault(name, len(found))

    def tuples(self) -> dict[str, tuple[str, ...]]:
        return {name: tuple(found) for name, found in self.names.items()}


@attrs.frozen(eq=False, kw_only=True)
class OrderTable(_Table):
    """Order lines as parallel numpy arrays, one row per line; money in int64 minor units.

    Every column is an ``int64`` array of one entry per row. Name columns index their
    vocabulary (``sku`` indexes ``skus``); ``-1`` means none. ``unit_price`` is ``-1`` for a
    line without a price (its ``currency`` is then ``-1`` and its ``discount`` 0).

    Attributes:
        orders: The order ids; ``order`` indexes it.
        order: The order of each line.
        skus: The skus; ``sku`` indexes it.
        sku: The sku of each line.
        quantity: Units on each line, at least 1.
        unit_price: The unit price in minor units of the line's currency, ``-1`` if unknown.
        discount: The line's discount in minor units (0 by default).
        currencies: The ISO 4217 codes; ``currency`` indexes it.
        currency: The currency of each line, ``-1`` for an unpriced line.
        at: When the order was placed: seconds since 1970-01-01 UTC.
        customers: The customer ids; ``customer`` indexes it.
        customer: The customer of each line, ``-1`` for a guest.
        channels: The channel names; ``channel`` indexes it.
        channel: The channel of each line, ``-1`` if unknown.
        regions: The region names; ``region`` indexes it.
        region: The region of each line, ``-1`` if unknown.
        segments: The segment names; ``segment`` indexes it.
        segment: The customer's segment at each line, ``-1`` if none.
        shipping: The order's shipping in minor units (``Order.shipping``), carried on the
            first row of its order and 0 on its other rows, so a sum per order gives it
            whatever the chunking; ``-1`` on a row means the order does not say (every row,
            when the column is not given). ``per_order("shipping")`` reads it.
        tax: The order's tax (``Order.tax``), carried the same way.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Money, Order, OrderLine, OrderTable
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> gbp = lambda amount: Money.of(amount, "GBP")
        >>> first = OrderTable.of([Order("o1", [OrderLine("TEA", 2, gbp("3.50"))], at)])
        >>> second = OrderTable.of(
        ...     [Order("o2", [OrderLine("MUG", 1, gbp("6"), discount=gbp("1"))], at)]
        ... )
        >>> both = first + second
        >>> both.skus, both.line_total().tolist(), {c: str(m) for c, m in both.revenue().items()}
        (('TEA', 'MUG'), [700, 500], {'GBP': '12.00 GBP'})
    """

    _COLUMNS: ClassVar[tuple[tuple[str, str | None, int | None], ...]] = (
        ("order", "orders", 0),
        ("sku", "skus", 0),
        ("quantity", None, 1),
        ("unit_price", None, -1),
        ("discount", None, 0),
        ("currency", "currencies", -1),
        ("at", None, None),
        ("customer", "customers", -1),
        ("channel", "channels", -1),
        ("region", "regions", -1),
        ("segment", "segments", -1),
        ("shipping", None, -1),
        ("tax", None, -1),
    )

    orders: tuple[str, ...] = attrs.field(converter=_names)
    order: IntArray = attrs.field(converter=_column)
    skus: tuple[str, ...] = attrs.field(converter=_names)
    sku: IntArray = attrs.field(converter=_column)
    quantity: IntArray = attrs.field(converter=_column)
    unit_price: IntArray = attrs.field(converter=_column)
    discount: IntArray = attrs.field(default=None, converter=_column)
    currencies: tuple[str, ...] = attrs.field(default=(), converter=_names)
    currency: IntArray = attrs.field(default=None, converter=_column)
    at: IntArray = attrs.field(converter=_column)
    customers: tuple[str, ...] = attrs.field(default=(), converter=_names)
    customer: IntArray = attrs.field(default=None, converter=_column)
    channels: tuple[str, ...] = attrs.field(default=(), converter=_names)
    channel: IntArray = attrs.field(default=None, converter=_column)
    regions: tuple[str, ...] = attrs.field(default=(), converter=_names)
    region: IntArray = attrs.field(default=None, converter=_column)
    segments: tuple[str, ...] = attrs.field(default=(), converter=_names)
    segment: IntArray = attrs.field(default=None, converter=_column)
    shipping: IntArray = attrs.field(default=None, converter=_column)
    tax: IntArray = attrs.field(default=None, converter=_column)

    def __attrs_post_init__(self) -> None:
        if self.discount is None:
            object.__setattr__(self, "discount", np.zeros(len(self.order), dtype=np.int64))
        self._check()  # shipping and tax not given: -1 on every row, not known
        for index, code in enumerate(self.currencies):
            validate_currency(code, f"currencies[{index}]")
        unpriced = self.unit_price < 0
        if np.any((self.currency >= 0) == unpriced):
            row = int(np.flatnonzero((self.currency >= 0) == unpriced)[0])
            raise ValidationError(
                "a priced line needs a currency, and an unpriced line has none",
                field=f"currency[{row}]",
                value=int(self.currency[row]),
            )
        if np.any(unpriced & (self.discount > 0)):
            row = int(np.flatnonzero(unpriced & (self.discount > 0))[0])
            raise ValidationError(
                "a line without a unit price has a discount", field=f"discount[{row}]", value=row
            )
        too_dear = np.flatnonzero(self.unit_price > _INT64_MAX // np.maximum(self.quantity, 1))
        if len(too_dear):
            row = int(too_dear[0])
            raise ValidationError(
                "unit price times quantity does not fit in 64 bits",
                field=f"unit_price[{row}]",
                value=int(self.unit_price[row]),
            )
        over = np.flatnonzero(self.discount > np.maximum(self.unit_price, 0) * self.quantity)
        if len(over):
            row = int(over[0])
            raise ValidationError(
                f"{int(self.discount[row])} is more than the line's undiscounted total",
                field=f"discount[{row}]",
                value=int(self.discount[row]),
            )

    @property
    def n_orders(self) -> int:
        """The number of order ids in the vocabulary."""
        return len(self.orders)

    @classmethod
    def of(cls, orders: Iterable[Order]) -> OrderTable:
        """Build the table of ``orders``' lines; vocabularies list names by first appearance.

        Raises:
            ValidationError: an entry is not an ``Order`` (the error names ``orders[i]``), or a
                price does not fit in 64 bits.
        """
        names = _Vocabularies(
            "orders", "skus", "currencies", "customers", "channels", "regions", "segments"
        )
        columns: dict[str, list[int]] = {name: [] for name, _, _ in cls._COLUMNS}
        for position, order in enumerate(orders):
            if not isinstance(order, Order):
                raise ValidationError(
                    f"{order!r} is not an Order", field=f"orders[{position}]", value=order
                )
            number = names.index("orders", order.id)
            at = int(order.at.timestamp())
            who = (
                names.index("customers", order.customer),
                names.index("channels", order.channel),
                names.index("regions", order.region),
                names.index("segments", order.segment),
            )
            order_amounts = [
                -1 if amount is None else amount.minor for amount in (order.shipping, order.tax)
            ]
            for line in order.lines:
                price = line.unit_price
                discount = line.discount
                row = (
                    number,
                    names.index("skus", line.sku),
                    line.quantity,
                    -1 if price is None else price.minor,
                    0 if discount is None else discount.minor,
                    -1 if price is None else names.index("currencies", price.currency),
                    at,
                    *who,
                    *order_amounts,
                )
                order_amounts = [0, 0]
                for (name, _, _), value in zip(cls._COLUMNS, row, strict=True):
                    columns[name].append(value)
        return cls(**names.tuples(), **_arrays(columns))

    def per_order(self, column: str) -> IntArray:
        """An order-level amount (``"shipping"`` or ``"tax"``) per order id, ``-1`` if unknown.

        Entry ``i`` is for ``orders[i]``: the sum of the column over the order's rows, or ``-1``
        when a row of the order says it is not known.

        Raises:
            ValidationError: ``column`` is not ``"shipping"`` or ``"tax"``.

        Examples:
            >>> import datetime as dt
            >>> from shopkit import Money, Order, OrderLine, OrderTable
            >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
            >>> tea = OrderLine("TEA", 1, Money.of("3.50", "GBP"))
            >>> table = OrderTable.of(
            ...     [Order("o1", [tea, tea], at, shipping=Money.of("2.95", "GBP")),
            ...      Order("o2", [tea], at)]
            ... )
            >>> table.shipping.tolist(), table.per_order("shipping").tolist()
            ([295, 0, -1], [295, -1])
        """
        if column not in ("shipping", "tax"):
            raise ValidationError(
                f"{column!r} is not an order-level amount: shipping or tax",
                field="column",
                value=column,
            )
        values: IntArray = getattr(self, column)
        sums = np.zeros(self.n_orders, dtype=np.int64)
        np.add.at(sums, self.order, np.maximum(values, 0))
        unknown = np.zeros(self.n_orders, dtype=bool)
        unknown[self.order[values < 0]] = True
        sums[unknown] = -1
        return sums

    def line_total(self) -> IntArray:
        """Each line's quantity × unit price − discount, in minor units (exact ``int64``).

        Raises:
            ValidationError: a line has no unit price.
        """
        unpriced = np.flatnonzero(self.unit_price < 0)
        if len(unpriced):
            raise ValidationError(
                f"line {int(unpriced[0])} has no unit price",
                field=f"unit_price[{int(unpriced[0])}]",
                value=-1,
            )
        return self.quantity * self.unit_price - self.discount

    def revenue(self) -> dict[str, Money]:
        """The sum of the line totals per currency, exact (before refunds, shipping, tax).

        Raises:
            ValidationError: a line has no unit price, or a sum does not fit in 64 bits.
        """
        totals = self.line_total()
        if len(totals) and float(np.abs(totals).astype(np.float64).sum()) >= 2.0**62:  # float-ok
            raise ValidationError(
                "the revenue does not fit in 64 bits", field="unit_price", value=None
            )
        sums = np.zeros(len(self.currencies), dtype=np.int64)
        np.add.at(sums, self.currency, totals)
        return {
            code: Money(int(sums[index]), code)
            for index, code in enumerate(self.currencies)
            if np.any(self.currency == index)
        }


@attrs.frozen(eq=False, kw_only=True)
class EventTable(_Table):
    """Events as parallel numpy arrays, one row per event.

    Attributes:
        kind: An ``EventKind`` value per event.
        skus: The skus; ``sku`` indexes it.
        sku: The item of each event.
        at: When: seconds since 1970-01-01 UTC.
        sessions: The session ids; ``session`` indexes it.
        session: The session of each event.
        customers: The customer ids; ``customer`` indexes it.
        customer: The customer of each event, ``-1`` for a guest.
        channels: The channel names; ``channel`` indexes it.
        channel: The channel of each event, ``-1`` if unknown.
        regions: The region names; ``region`` indexes it.
        region: The region of each event, ``-1`` if unknown.
        segments: The segment names; ``segment`` indexes it.
        segment: The customer's segment at each event, ``-1`` if none.
        placements: The placement names; ``placement`` indexes it.
        placement: Where a recommendation event happened, ``-1`` if none.

    Examples:
        >>> import datetime as dt
        >>> from shopkit import Event, EventKind, EventTable
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> table = EventTable.of([Event(EventKind.VIEW, "A", at, "s1"), Event(2, "A", at, "s1")])
        >>> table.kind.tolist(), table.sku.tolist(), table.sessions
        ([1, 2], [0, 0], ('s1',))
    """

    _COLUMNS: ClassVar[tuple[tuple[str, str | None, int | None], ...]] = (
        ("kind", None, 0),
        ("sku", "skus", 0),
        ("at", None, None),
        ("session", "sessions", 0),
        ("customer", "customers", -1),
        ("channel", "channels", -1),
        ("region", "regions", -1),
        ("segment", "segments", -1),
        ("placement", "placements", -1),
    )

    kind: IntArray = attrs.field(converter=_column)
    skus: tuple[str, ...] = attrs.field(converter=_names)
    sku: IntArray = attrs.field(converter=_column)
    at: IntArray = attrs.field(converter=_column)
    sessions: tuple[str, ...] = attrs.field(converter=_names)
    session: IntArray = attrs.field(converter=_column)
    customers: tuple[str, ...] = attrs.field(default=(), converter=_names)
    customer: IntArray = attrs.field(default=None, converter=_column)
    channels: tuple[str, ...] = attrs.field(default=(), converter=_names)
    channel: IntArray = attrs.field(default=None, converter=_column)
    regions: tuple[str, ...] = attrs.field(default=(), converter=_names)
    region: IntArray = attrs.field(default=None, converter=_column)
    segments: tuple[str, ...] = attrs.field(default=(), converter=_names)
    segment: IntArray = attrs.field(default=None, converter=_column)
    placements: tuple[str, ...] = attrs.field(default=(), converter=_names)
    placement: IntArray = attrs.field(default=None, converter=_column)

    def __attrs_post_init__(self) -> None:
        self._check()
        if len(self.kind) and int(self.kind.max()) > max(EventKind):
            raise ValidationError(
                f"{int(self.kind.max())} is not an EventKind",
                field="kind",
                value=int(self.kind.max()),
            )

    @classmethod
    def of(cls, events: Iterable[Event]) -> EventTable:
        """Build the table of ``events``; vocabularies list names by first appearance.

        Raises:
            ValidationError: an entry is not an ``Event`` (the error names ``events[i]``).
        """
        names = _Vocabularies(
            "skus", "sessions", "customers", "channels", "regions", "segments", "placements"
        )
        columns: dict[str, list[int]] = {name: [] for name, _, _ in cls._COLUMNS}
        for position, event in enumerate(events):
            if not isinstance(event, Event):
                raise ValidationError(
                    f"{event!r} is not an Event", field=f"events[{position}]", value=event
                )
            row = (
                int(event.kind),
                names.index("skus", event.sku),
                int(event.at.timestamp()),
                names.index("sessions", event.session),
                names.index("customers", event.customer),
                names.index("channels", event.channel),
                names.index("regions", event.region),
                names.index("segments", event.segment),
                names.index("placements", event.placement),
            )
            for (name, _, _), value in zip(cls._COLUMNS, row, strict=True):
                columns[name].append(value)
        return cls(**names.tuples(), **_arrays(columns))


def _arrays(columns: Mapping[str, list[int]]) -> dict[str, IntArray]:
    """The built columns as int64 arrays; a value too large for 64 bits names its column."""
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = np.asarray(values, dtype=np.int64)
        except OverflowError:
            raise ValidationError(
                "a value does not fit in 64 bits", field=name, value=max(values)
            ) from None
    return arrays
