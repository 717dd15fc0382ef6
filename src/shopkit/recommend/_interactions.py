"""Interactions: what customers bought, viewed and put in carts, as numpy arrays.

Every strategy fits on an ``Interactions``: one row per (basket, item) event, with the item and
the customer as indices into vocabularies of skus and customer ids. Build one from the core's
columnar orders and events (``Interactions.from_tables``, vectorised: how a file read with
``shopkit.datasets`` becomes training data), from ``Order`` and ``Event`` objects
(``Interactions.from_orders``, which goes through the tables), or from arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from shopkit import Event, EventKind, EventTable, Order, OrderTable, ValidationError
from shopkit import validators as check

__all__ = ["Interactions"]

IntArray = npt.NDArray[np.int64]


def _int_array(value: Any) -> IntArray:
    return np.asarray(value, dtype=np.int64)


def _maybe_int_array(value: Any) -> Any:
    return None if value is None else np.asarray(value, dtype=np.int64)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _first_seen(codes: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """Renumber ``codes`` (indices below ``size``; ``-1`` kept) by order of first appearance.

    Returns:
        The old index of each new number, and the renumbered codes.
    """
    used, first = np.unique(codes[codes >= 0], return_index=True)
    used = used[np.argsort(first, kind="stable")]
    rank = np.full(size + 1, -1, dtype=np.int64)  # the extra slot maps -1 to -1
    rank[used] = np.arange(len(used), dtype=np.int64)
    return used, rank[codes]


def _merged(
    first: Sequence[str], first_codes: IntArray, second: Sequence[str], second_codes: IntArray
) -> tuple[tuple[str, ...], IntArray]:
    """Two vocabularies as one (``first``'s names first) and both code columns over it."""
    names = dict.fromkeys(first)
    names.update(dict.fromkeys(second))
    position = {name: index for index, name in enumerate(names)}
    where = np.fromiter((position[name] for name in second), dtype=np.int64, count=len(second))
    shifted = (
        np.where(second_codes >= 0, where[np.maximum(second_codes, 0)], -1)
        if len(where)
        else np.full(len(second_codes), -1, dtype=np.int64)
    )
    return tuple(names), np.concatenate([first_codes, shifted])


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
        >>> from shopkit import Order
        >>> from shopkit.recommend import Interactions
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
    def from_tables(
        cls, orders: OrderTable | None = None, events: EventTable | None = None
    ) -> Interactions:
        """Build from the core's columnar orders and events, without a Python object per row.

        Each order is one basket holding each of its skus once (the first line of a sku gives
        its time and customer); each session of events is one basket after them. Vocabularies
        and baskets are numbered in order of first appearance, orders first, which is what
        ``from_orders`` gives for the same records.

        Args:
            orders: The order lines (e.g. ``read_online_retail(path).orders``).
            events: Views, add-to-carts and other events, one basket per session.

        Returns:
            The interactions.

        Raises:
            ValidationError: ``orders`` or ``events`` is not a table of the right kind.

        Examples:
            >>> from shopkit.datasets import read_online_retail
            >>> from shopkit.recommend import Interactions
            >>> from shopkit.recommend import sample_orders
            >>> data = Interactions.from_tables(sample_orders().orders)
            >>> data.n_baskets, len(data.items)
            (800, 60)
        """
        if orders is None:
            orders = OrderTable.of(())
        if events is None:
            events = EventTable.of(())
        if not isinstance(orders, OrderTable):
            raise ValidationError(f"{orders!r} is not an OrderTable", field="orders", value=None)
        if not isinstance(events, EventTable):
            raise ValidationError(f"{events!r} is not an EventTable", field="events", value=None)
        width = max(len(orders.skus), 1)
        key = orders.order * width + orders.sku
        _, first = np.unique(key, return_index=True)
        rows = np.sort(first)  # one row per (order, sku): its first line, in file order
        n_orders = len(orders.orders)
        columns: dict[str, Any] = {
            "basket": np.concatenate([orders.order[rows], n_orders + events.session]),
            "time": np.concatenate([orders.at[rows], events.at]),
            "kind": np.concatenate(
                [np.full(len(rows), int(EventKind.PURCHASE), dtype=np.int64), events.kind]
            ),
        }
        vocabularies: dict[str, tuple[str, ...]] = {}
        for column, vocabulary in (
            ("item", "skus"),
            ("customer", "customers"),
            ("region", "regions"),
            ("segment", "segments"),
        ):
            name = "sku" if column == "item" else column
            names, codes = _merged(
                getattr(orders, vocabulary),
                getattr(orders, name)[rows],
                getattr(events, vocabulary),
                getattr(events, name),
            )
            used, columns[column] = _first_seen(codes, len(names))
            vocabularies[column] = tuple(names[index] for index in used.tolist())
        _, basket = _first_seen(columns["basket"], n_orders + len(events.sessions))
        return cls(
            vocabularies["item"],
            columns["item"],
            basket,
            columns["time"],
            columns["kind"],
            customers=vocabularies["customer"],
            customer=columns["customer"],
            regions=vocabularies["region"],
            region=columns["region"],
            segments=vocabularies["segment"],
            segment=columns["segment"],
        )

    @classmethod
    def from_orders(cls, orders: Iterable[Order], events: Iterable[Event] = ()) -> Interactions:
        """Build from orders (one basket each) and events (one basket per session).

        Vocabularies list names in order of first appearance. The same as
        ``from_tables(OrderTable.of(orders), EventTable.of(events))``.

        Args:
            orders: The orders.
            events: Views, add-to-carts (and purchases) grouped by session.

        Returns:
            The interactions.

        Raises:
            ValidationError: an entry is not an ``Order`` or an ``Event``.
        """
        return cls.from_tables(OrderTable.of(orders), EventTable.of(events))

    def select(self, mask: npt.NDArray[np.bool_]) -> Interactions:
        """Return the events where ``mask`` is true, with the same vocabularies.

        Baskets are renumbered from 0 in order of their first kept event.

        Examples:
            >>> import datetime as dt
            >>> from shopkit import Order
            >>> from shopkit.recommend import Interactions
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
        return self.select(self._basket_start() < int(check.aware_datetime(at, "at").timestamp()))

    def since(self, at: dt.datetime) -> Interactions:
        """Return the baskets that started at or after ``at`` (for a time split)."""
        return self.select(self._basket_start() >= int(check.aware_datetime(at, "at").timestamp()))

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
