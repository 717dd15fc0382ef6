"""Hypothesis strategies and helpers of the KPI tests: random orders, events, chunkings."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import attrs
import numpy as np
from hypothesis import strategies as st

from shopkit import Event, EventKind, EventTable, Money, Order, OrderLine, OrderTable
from shopkit.metrics import Refunds, ShopData

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
DAY = 86_400
SKUS = ("A", "B", "C", "D")
CUSTOMERS = ("c1", "c2", "c3", "c4", "c5", None)
CHANNELS = ("web", "app", None)


@st.composite
def orders(draw: Any, max_orders: int = 12) -> list[Order]:
    """Priced GBP orders over 200 days, a few customers and channels, some with shipping."""
    n = draw(st.integers(0, max_orders))
    result = []
    for number in range(n):
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            quantity = draw(st.integers(1, 4))
            price = draw(st.integers(0, 5000))
            discount = draw(st.integers(0, price * quantity))
            lines.append(
                OrderLine(
                    draw(st.sampled_from(SKUS)),
                    quantity,
                    Money(price, "GBP"),
                    discount=Money(discount, "GBP"),
                )
            )
        shipping = draw(st.one_of(st.none(), st.integers(0, 500)))
        result.append(
            Order(
                f"o{number}",
                lines,
                T0 + dt.timedelta(seconds=draw(st.integers(0, 200 * DAY))),
                customer=draw(st.sampled_from(CUSTOMERS)),
                channel=draw(st.sampled_from(CHANNELS)),
                shipping=None if shipping is None else Money(shipping, "GBP"),
            )
        )
    return result


@st.composite
def events(draw: Any, max_events: int = 30) -> list[Event]:
    """Events of a few sessions: every kind, recommendation kinds with a placement."""
    n = draw(st.integers(0, max_events))
    result = []
    for _ in range(n):
        kind = draw(st.sampled_from(list(EventKind)))
        session = draw(st.sampled_from(("s1", "s2", "s3", "s4", "s5")))
        result.append(
            Event(
                kind,
                draw(st.sampled_from(SKUS)),
                T0 + dt.timedelta(seconds=draw(st.integers(0, 60 * DAY))),
                session,
                customer={"s1": "c1", "s2": "c2", "s3": "c1", "s4": None, "s5": None}[session],
                channel={"s1": "web", "s2": "app", "s3": "web", "s4": None, "s5": "web"}[session],
                placement=draw(st.sampled_from(("cart", "product")))
                if kind.is_recommendation
                else None,
            )
        )
    return result


@st.composite
def shop_data(draw: Any) -> ShopData:
    """Orders, events and refunds of some of the orders."""
    placed = draw(orders())
    table = OrderTable.of(placed)
    happened = draw(events())
    rows = []
    for order in placed:
        if draw(st.booleans()) and order.total.minor > 0:
            amount = draw(st.integers(1, order.total.minor))
            later = order.at + dt.timedelta(days=draw(st.integers(0, 40)))
            rows.append((order.id, later, Money(amount, "GBP")))
    return ShopData(
        orders=table,
        events=EventTable.of(happened) if happened else None,
        refunds=Refunds.of(rows),
    )


def rows(table: Any, index: Any) -> Any:
    """The rows ``index`` (a slice or an index array) of a columnar table."""
    changes = {
        field.name: getattr(table, field.name)[index]
        for field in attrs.fields(type(table))
        if isinstance(getattr(table, field.name), np.ndarray)
    }
    return attrs.evolve(table, **changes)


def chunked(data: ShopData, cuts: list[int]) -> list[ShopData]:
    """``data`` cut into chunks: each table's rows split at fractions ``cut / 100``."""
    parts: list[dict[str, Any]] = [{} for _ in range(len(cuts) + 1)]
    for name in ("orders", "events", "refunds"):
        table = getattr(data, name)
        if table is None:
            continue
        n = len(table.at)
        points = [0, *sorted(cut * n // 100 for cut in cuts), n]
        for part, (low, high) in zip(parts, itertools.pairwise(points), strict=True):
            part[name] = rows(table, slice(low, high))
    return [attrs.evolve(data, **part) for part in parts]


def shuffled(data: ShopData, seed: int) -> ShopData:
    """``data`` with each table's rows in a random order."""
    generator = np.random.default_rng(seed)
    changes = {}
    for name in ("orders", "events", "refunds"):
        table = getattr(data, name)
        if table is not None:
            changes[name] = rows(table, generator.permutation(len(table.at)))
    return attrs.evolve(data, **changes)


@st.composite
def service_data(draw: Any) -> ShopData:
    """Spend, survey answers, tickets and deliveries over 60 days, with some orders."""
    from shopkit.metrics import Deliveries, Spend, Survey, Tickets

    def times(n: int) -> list[int]:
        start = int(T0.timestamp())
        return [start + draw(st.integers(0, 60 * DAY)) for _ in range(n)]

    n = draw(st.integers(0, 12))
    spend = Spend.of(
        [
            (
                T0 + dt.timedelta(seconds=draw(st.integers(0, 60 * DAY))),
                Money(draw(st.integers(0, 10_000)), "GBP"),
                draw(st.sampled_from(CHANNELS)),
            )
            for _ in range(n)
        ]
    )
    surveys = []
    for scale, (low, high) in (("nps", (0, 10)), ("csat", (1, 5)), ("ces", (1, 7))):
        k = draw(st.integers(0, 10))
        scores = [draw(st.integers(low, high)) for _ in range(k)]
        surveys.append(Survey(scale=scale, at=times(k), score=scores))
    k = draw(st.integers(0, 10))
    tickets = Tickets(
        at=times(k),
        contacts=[draw(st.integers(1, 4)) for _ in range(k)],
        resolved=[draw(st.integers(0, 1)) for _ in range(k)],
    )
    k = draw(st.integers(0, 10))
    shipped = times(k)
    promised = [at + draw(st.integers(0, 5 * DAY)) for at in shipped]
    delivered = [
        at + draw(st.integers(0, 7 * DAY)) if draw(st.booleans()) else -1 for at in shipped
    ]
    deliveries = Deliveries(shipped=shipped, promised=promised, delivered=delivered)
    return ShopData(
        orders=OrderTable.of(draw(orders())),
        spend=spend,
        surveys=surveys,
        tickets=tickets,
        deliveries=deliveries,
    )


def chunked_all(data: ShopData, cuts: list[int]) -> list[ShopData]:
    """Like ``chunked``, cutting every part (spend, surveys, tickets, deliveries) too."""
    parts: list[dict[str, Any]] = [{} for _ in range(len(cuts) + 1)]
    for name in ("orders", "spend", "tickets", "deliveries"):
        table = getattr(data, name)
        if table is None:
            continue
        n = len(table.shipped if name == "deliveries" else table.at)
        points = [0, *sorted(cut * n // 100 for cut in cuts), n]
        for part, (low, high) in zip(parts, itertools.pairwise(points), strict=True):
            part[name] = rows(table, slice(low, high))
    for index, part in enumerate(parts):
        part["surveys"] = [
            rows(survey, slice(index * len(survey.at) // len(parts),
                               (index + 1) * len(survey.at) // len(parts)))
            for survey in data.surveys
        ]  # fmt: skip
    return [attrs.evolve(data, **part) for part in parts]
