"""Interactions: what customers bought, viewed and put in carts, as numpy arrays.

Every strategy fits on an ``Interactions``: one row per (basket, item) event, with the item and
the customer as indices into vocabularies of skus and customer ids. Build one from order and
event objects (``Interactions.from_orders``), from arrays, or read the UCI Online Retail layout
with ``read_online_retail``.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import gzip
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Money, ValidationError
from shopkit import validators as check

__all__ = [
    "Event",
    "EventKind",
    "Interactions",
    "Order",
    "RetailData",
    "read_online_retail",
]

IntArray = npt.NDArray[np.int64]


class EventKind(enum.IntEnum):
    """What a customer did with an item."""

    PURCHASE = 0
    """Bought it (a line of an order)."""
    VIEW = 1
    """Looked at its product page."""
    ADD_TO_CART = 2
    """Put it in a cart."""


def _aware(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError(
            f"{value!r} is not a date-time with a UTC offset", field=attribute.name, value=value
        )


@attrs.frozen
class Order:
    """A placed order: the skus bought together, when, by whom, where.

    Attributes:
        id: The order id; one basket.
        skus: The skus bought (each counts once, however many units).
        at: When it was placed, with a UTC offset.
        customer: The opaque customer id, or ``None`` for a guest.
        region: The region it shipped to, if known.
        segment: The customer's segment at the time, if the shop passes one.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.recommend import Order
        >>> Order("o1", ["A", "B", "A"], dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).skus
        ('A', 'B')
    """

    id: str = attrs.field(validator=check.non_empty_str)
    skus: tuple[str, ...] = attrs.field(converter=check.str_tuple, validator=check.name_tuple)
    at: dt.datetime = attrs.field(validator=_aware)
    customer: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    region: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    segment: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )


@attrs.frozen
class Event:
    """A view or an add-to-cart (or a purchase) of one item.

    Attributes:
        kind: What happened.
        sku: The item.
        at: When, with a UTC offset.
        session: The session or cart id the event belongs to; events of one session form one
            basket.
        customer: The opaque customer id, or ``None`` for a guest.
        region: The region, if known.
        segment: The customer's segment, if the shop passes one.
    """

    kind: EventKind = attrs.field(converter=EventKind)
    sku: str = attrs.field(validator=check.non_empty_str)
    at: dt.datetime = attrs.field(validator=_aware)
    session: str = attrs.field(validator=check.non_empty_str)
    customer: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    region: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )
    segment: str | None = attrs.field(
        default=None, validator=check.optional(check.non_empty_str), kw_only=True
    )


def _int_array(value: Any) -> IntArray:
    return np.asarray(value, dtype=np.int64)


def _maybe_int_array(value: Any) -> Any:
    return None if value is None else np.asarray(value, dtype=np.int64)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(eq=False)
class Interactions:
    """Interactions as parallel numpy arrays, one entry per (basket, item) event.

    Items, customers, regions and segments are indices into the vocabularies ``items``,
    ``customers``, ``regions`` and ``segments``; ``-1`` means unknown (a guest, no region).

    Attributes:
        items: The skus; ``item`` indexes it.
        item: The item of each event.
        basket: The basket (order or session) of each event, a number from 0.
        time: When, in seconds since 1970-01-01 UTC.
        kind: An ``EventKind`` per event.
        customers: The customer ids; ``customer`` indexes it.
        customer: The customer of each event, ``-1`` for a guest.
        regions: The region names; ``region`` indexes it.
        region: The region of each event, ``-1`` if unknown.
        segments: The segment names; ``segment`` indexes it.
        segment: The customer's segment at each event, ``-1`` if none.

    Examples:
        >>> import datetime as dt
        >>> from shopkit.recommend import Interactions, Order
        >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        >>> data = Interactions.from_orders([Order("o1", ["A", "B"], at), Order("o2", ["B"], at)])
        >>> data.items, data.item.tolist(), data.basket.tolist(), data.n_baskets
        (('A', 'B'), [0, 1, 1], [0, 0, 1], 2)
    """

    items: tuple[str, ...] = attrs.field(converter=_names)
    item: IntArray = attrs.field(converter=_int_array)
    basket: IntArray = attrs.field(converter=_int_array)
    time: IntArray = attrs.field(converter=_int_array)
    kind: IntArray = attrs.field(converter=_int_array)
    customers: tuple[str, ...] = attrs.field(default=(), converter=_names, kw_only=True)
    customer: IntArray = attrs.field(default=None, converter=_maybe_int_array, kw_only=True)
    regions: tuple[str, ...] = attrs.field(default=(), converter=_names, kw_only=True)
    region: IntArray = attrs.field(default=None, converter=_maybe_int_array, kw_only=True)
    segments: tuple[str, ...] = attrs.field(default=(), converter=_names, kw_only=True)
    segment: IntArray = attrs.field(default=None, converter=_maybe_int_array, kw_only=True)

    def __attrs_post_init__(self) -> None:
        n = len(self.item)
        for name in ("customer", "region", "segment"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(n, -1, dtype=np.int64))
        for name, vocabulary, low in (
            ("item", self.items, 0),
            ("basket", None, 0),
            ("time", None, None),
            ("kind", None, 0),
            ("customer", self.customers, -1),
            ("region", self.regions, -1),
            ("segment", self.segments, -1),
        ):
            array: IntArray = getattr(self, name)
            if array.ndim != 1 or len(array) != n:
                raise ValidationError(
                    f"has shape {array.shape}, but item has {n} entries", field=name, value=n
                )
            if n == 0 or low is None:
                continue
            if int(array.min()) < low:
                raise ValidationError(
                    f"{int(array.min())} is below {low}", field=name, value=int(array.min())
                )
            if vocabulary is not None and int(array.max()) >= len(vocabulary):
                raise ValidationError(
                    f"{int(array.max())} is not an index into {len(vocabulary)} names",
                    field=name,
                    value=int(array.max()),
                )
        if n and int(self.kind.max()) > max(EventKind):
            raise ValidationError(
                f"{int(self.kind.max())} is not an EventKind",
                field="kind",
                value=int(self.kind.max()),
            )
        for name in ("items", "customers", "regions", "segments"):
            names: tuple[str, ...] = getattr(self, name)
            if len(set(names)) != len(names):
                raise ValidationError("has a name twice", field=name, value=len(names))
            for index, value in enumerate(names):
                if not isinstance(value, str) or not value.strip():
                    raise ValidationError(
                        f"{value!r} is not a non-empty string",
                        field=f"{name}[{index}]",
                        value=value,
                    )

    @property
    def n_baskets(self) -> int:
        """The number of baskets: one more than the largest basket number."""
        return int(self.basket.max()) + 1 if len(self.basket) else 0

    def __len__(self) -> int:
        return len(self.item)

    @classmethod
    def from_orders(cls, orders: Iterable[Order], events: Iterable[Event] = ()) -> Interactions:
        """Build from orders (one basket each) and events (one basket per session).

        Vocabularies list names in order of first appearance.

        Args:
            orders: The orders.
            events: Views, add-to-carts (and purchases) grouped by session.

        Returns:
            The interactions.

        Raises:
            ValidationError: an entry is not an ``Order`` or an ``Event``.
        """
        vocab: dict[str, dict[str, int]] = {
            "items": {},
            "customers": {},
            "regions": {},
            "segments": {},
        }

        def index(kind: str, name: str | None) -> int:
            if name is None:
                return -1
            return vocab[kind].setdefault(name, len(vocab[kind]))

        columns: dict[str, list[int]] = {
            key: [] for key in ("item", "basket", "time", "kind", "customer", "region", "segment")
        }
        baskets: dict[tuple[str, str], int] = {}

        def add(
            key: tuple[str, str],
            sku: str,
            at: dt.datetime,
            kind: int,
            record: Order | Event,
        ) -> None:
            columns["item"].append(index("items", sku))
            columns["basket"].append(baskets.setdefault(key, len(baskets)))
            columns["time"].append(int(at.timestamp()))
            columns["kind"].append(kind)
            columns["customer"].append(index("customers", record.customer))
            columns["region"].append(index("regions", record.region))
            columns["segment"].append(index("segments", record.segment))

        for position, order in enumerate(orders):
            if not isinstance(order, Order):
                raise ValidationError(
                    f"{order!r} is not an Order", field=f"orders[{position}]", value=order
                )
            for sku in order.skus:
                add(("order", order.id), sku, order.at, EventKind.PURCHASE, order)
        for position, event in enumerate(events):
            if not isinstance(event, Event):
                raise ValidationError(
                    f"{event!r} is not an Event", field=f"events[{position}]", value=event
                )
            add(("session", event.session), event.sku, event.at, int(event.kind), event)
        return cls(
            tuple(vocab["items"]),
            columns["item"],
            columns["basket"],
            columns["time"],
            columns["kind"],
            customers=tuple(vocab["customers"]),
            customer=columns["customer"],
            regions=tuple(vocab["regions"]),
            region=columns["region"],
            segments=tuple(vocab["segments"]),
            segment=columns["segment"],
        )

    def select(self, mask: npt.NDArray[np.bool_]) -> Interactions:
        """Return the events where ``mask`` is true, with the same vocabularies.

        Baskets are renumbered from 0 in order of their first kept event.

        Examples:
            >>> import datetime as dt
            >>> from shopkit.recommend import Interactions, Order
            >>> at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
            >>> data = Interactions.from_orders([Order("o1", ["A"], at), Order("o2", ["B"], at)])
            >>> data.select(data.item == 1).basket.tolist()
            [0]
        """
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != self.item.shape:
            raise ValidationError(
                f"has shape {mask.shape}, not {self.item.shape}", field="mask", value=mask.shape
            )
        kept = self.basket[mask]
        _, first, renumbered = np.unique(kept, return_index=True, return_inverse=True)
        order = np.argsort(np.argsort(first, kind="stable"), kind="stable")
        return attrs.evolve(
            self,
            item=self.item[mask],
            basket=order[renumbered] if len(kept) else kept,
            time=self.time[mask],
            kind=self.kind[mask],
            customer=self.customer[mask],
            region=self.region[mask],
            segment=self.segment[mask],
        )

    def before(self, at: dt.datetime) -> Interactions:
        """Return the baskets that started before ``at`` (for a time split)."""
        return self.select(self._basket_start() < _seconds(at, "at"))

    def since(self, at: dt.datetime) -> Interactions:
        """Return the baskets that started at or after ``at`` (for a time split)."""
        return self.select(self._basket_start() >= _seconds(at, "at"))

    def _basket_start(self) -> IntArray:
        start = np.full(self.n_baskets, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(start, self.basket, self.time)
        return start[self.basket]

    def baskets(self, kinds: Sequence[EventKind] = (EventKind.PURCHASE,)) -> list[IntArray]:
        """Return each basket's distinct items (sorted item indices), in basket order.

        Args:
            kinds: The event kinds to count; purchases by default.

        Returns:
            One array per basket number; an array may be empty.
        """
        mask = np.isin(self.kind, [int(kind) for kind in kinds])
        pairs = np.unique(np.stack([self.basket[mask], self.item[mask]]), axis=1)
        bounds = np.searchsorted(pairs[0], np.arange(self.n_baskets + 1))
        return [pairs[1, bounds[i] : bounds[i + 1]] for i in range(self.n_baskets)]


def _seconds(at: dt.datetime, field: str) -> int:
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise ValidationError(f"{at!r} is not a date-time with a UTC offset", field=field, value=at)
    return int(at.timestamp())


_PRODUCT_CODE: Final = re.compile(r"^\d{5}[A-Za-z]*$")


@attrs.frozen(eq=False)
class RetailData:
    """What ``read_online_retail`` read: the interactions and what it dropped.

    Attributes:
        interactions: One basket per invoice, one event per distinct (invoice, stock code).
        dropped: How many rows were dropped, by reason.
        descriptions: The last description seen for each stock code.
        prices: The most frequent unit price of each stock code, in GBP.
    """

    interactions: Interactions
    dropped: Mapping[str, int]
    descriptions: Mapping[str, str]
    prices: Mapping[str, Money]


def read_online_retail(path: str | Path) -> RetailData:
    """Read the UCI Online Retail layout (CSV, optionally gzipped) into interactions.

    The columns are ``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,
    CustomerID,Country``. Rows are dropped, and counted by reason in ``dropped``, when:

    - ``cancellation``: the invoice number starts with ``C`` (a refund);
    - ``non_positive_quantity``: the quantity is zero or negative;
    - ``non_positive_price``: the unit price is zero or negative;
    - ``non_product``: the stock code is not five digits and an optional letter suffix
      (``POST``, ``D``, ``M``, ``BANK CHARGES``, ``AMAZONFEE``, ``DCGS…``, ``gift_…``, ``C2``…).

    Each invoice becomes one basket and each country a region; ``CustomerID`` (written as a
    float, ``17850.0``) becomes the customer id ``"17850"``, and rows without one are guests.
    Dates are read as UTC. Source: Chen, Sain and Guo (2012), UCI Machine Learning Repository.

    Args:
        path: The file.

    Returns:
        The interactions, the dropped counts, descriptions and prices.

    Raises:
        ValidationError: the file cannot be read or does not have the layout.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValidationError(
            f"cannot read {path}: {error.strerror}", field="path", value=str(path)
        ) from None
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace")))
    header = next(reader, None)
    expected = [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    if header is None or [name.strip().lstrip("\ufeff") for name in header] != expected:
        raise ValidationError(
            f"the header is {header!r}, not {','.join(expected)}", field="header", value=header
        )
    dropped = {"cancellation": 0, "non_positive_quantity": 0, "non_positive_price": 0}
    dropped["non_product"] = 0
    invoices: dict[str, int] = {}
    items: dict[str, int] = {}
    customers: dict[str, int] = {}
    regions: dict[str, int] = {}
    descriptions: dict[str, str] = {}
    price_counts: dict[str, dict[str, int]] = {}
    item_col: list[int] = []
    basket_col: list[int] = []
    dates: list[str] = []
    customer_col: list[int] = []
    region_col: list[int] = []
    seen: set[tuple[int, int]] = set()
    for line, row in enumerate(reader, start=2):
        if len(row) != 8:
            raise ValidationError(
                f"line {line} has {len(row)} columns, not 8", field="row", value=line
            )
        invoice, code, description, quantity, date, price, customer, country = row
        if invoice.startswith("C"):
            dropped["cancellation"] += 1
            continue
        try:
            if int(quantity) <= 0:
                dropped["non_positive_quantity"] += 1
                continue
            if Decimal(price) <= 0:
                dropped["non_positive_price"] += 1
                continue
        except (ValueError, ArithmeticError):
            raise ValidationError(
                f"line {line}: quantity {quantity!r} or price {price!r} is not a number",
                field="row",
                value=line,
            ) from None
        if not _PRODUCT_CODE.match(code):
            dropped["non_product"] += 1
            continue
        item = items.setdefault(code, len(items))
        basket = invoices.setdefault(invoice, len(invoices))
        descriptions[code] = description.strip()
        counts = price_counts.setdefault(code, {})
        counts[price] = counts.get(price, 0) + 1
        if (basket, item) in seen:  # the same stock code twice on an invoice: one event
            continue
        seen.add((basket, item))
        item_col.append(item)
        basket_col.append(basket)
        dates.append(date)
        customer_id = customer.split(".", 1)[0].strip()
        customer_col.append(
            customers.setdefault(customer_id, len(customers)) if customer_id else -1
        )
        region_col.append(regions.setdefault(country, len(regions)) if country else -1)
    try:
        times = np.array(dates, dtype="datetime64[s]").astype(np.int64)
    except ValueError as error:
        raise ValidationError(f"a date cannot be read: {error}", field="InvoiceDate") from None
    interactions = Interactions(
        tuple(items),
        item_col,
        basket_col,
        times,
        np.zeros(len(item_col), dtype=np.int64),
        customers=tuple(customers),
        customer=customer_col,
        regions=tuple(regions),
        region=region_col,
    )
    prices = {code: Money.of(_modal(counts), "GBP") for code, counts in price_counts.items()}
    return RetailData(interactions, dropped, descriptions, prices)


def _modal(counts: Mapping[str, int]) -> str:
    """The most frequent price; ties go to the lower price."""
    return min(counts, key=lambda price: (-counts[price], Money.of(price, "GBP").minor))
