"""The partials every KPI is computed from: per-order, per-session-item and per-day summaries.

Each summary is built from one chunk (``of``) and merged with others (``Keyed.merge``); see
``shopkit.metrics._partials``. ``Summaries`` holds one of each kind a KPI needs and merges them
all together, which is the partial result a KPI's ``partial`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, Self

import attrs
import numpy as np

from shopkit import EventKind, EventTable, OrderTable
from shopkit.errors import ValidationError
from shopkit.metrics._inputs import (
    Deliveries,
    Refunds,
    ShopData,
    Spend,
    Survey,
    SurveyScale,
    Tickets,
)
from shopkit.metrics._partials import IntArray, Keyed

__all__ = [
    "DeliverySummary",
    "EventSummary",
    "OrderItems",
    "OrderSummary",
    "RefundSummary",
    "Sessions",
    "SpendSummary",
    "Summaries",
    "SurveySummary",
    "TicketSummary",
]

KIND_COLUMNS: tuple[str, ...] = tuple(f"n_{kind.name.lower()}" for kind in EventKind)


class OrderSummary(Keyed):
    """One row per order: when, whose, where, and its amounts in minor units.

    ``gross`` is Σ quantity × unit price, ``discount`` Σ line discounts; ``shipping`` and
    ``tax`` are the order's (``shipping_unknown`` / ``tax_unknown`` are 1 when the order does
    not say); ``unpriced`` is 1 when a line has no price.
    """

    RULES: ClassVar = {
        "order": "key",
        "currency": "max",
        "at": "min",
        "customer": "max",
        "channel": "max",
        "region": "max",
        "segment": "max",
        "gross": "sum",
        "discount": "sum",
        "units": "sum",
        "lines": "sum",
        "shipping": "sum",
        "shipping_unknown": "max",
        "tax": "sum",
        "tax_unknown": "max",
        "unpriced": "max",
    }
    NAMED: ClassVar = frozenset({"order", "currency", "customer", "channel", "region", "segment"})

    @classmethod
    def of(cls, table: OrderTable) -> Self:
        """The summary of a chunk of order lines."""
        unpriced = table.unit_price < 0
        columns = {
            "order": table.order,
            "currency": table.currency,
            "at": table.at,
            "customer": table.customer,
            "channel": table.channel,
            "region": table.region,
            "segment": table.segment,
            "gross": np.where(unpriced, 0, table.quantity * table.unit_price),
            "discount": table.discount,
            "units": table.quantity,
            "lines": np.ones(len(table), dtype=np.int64),
            "shipping": np.maximum(table.shipping, 0),
            "shipping_unknown": (table.shipping < 0).astype(np.int64),
            "tax": np.maximum(table.tax, 0),
            "tax_unknown": (table.tax < 0).astype(np.int64),
            "unpriced": unpriced.astype(np.int64),
        }
        return cls.build(
            columns,
            {
                "order": table.orders,
                "currency": table.currencies,
                "customer": table.customers,
                "channel": table.channels,
                "region": table.regions,
                "segment": table.segments,
            },
        )

    def net(self) -> IntArray:
        """Each order's gross less its discounts, in minor units (without shipping and tax)."""
        return self.columns["gross"] - self.columns["discount"]


class OrderItems(Keyed):
    """One row per (order, sku): units and amounts, for attach rates and item revenue."""

    RULES: ClassVar = {
        "order": "key",
        "sku": "key",
        "at": "min",
        "customer": "max",
        "currency": "max",
        "units": "sum",
        "gross": "sum",
        "discount": "sum",
    }
    NAMED: ClassVar = frozenset({"order", "sku", "customer", "currency"})

    @classmethod
    def of(cls, table: OrderTable) -> Self:
        """The (order, sku) summary of a chunk of order lines."""
        unpriced = table.unit_price < 0
        return cls.build(
            {
                "order": table.order,
                "sku": table.sku,
                "at": table.at,
                "customer": table.customer,
                "currency": table.currency,
                "units": table.quantity,
                "gross": np.where(unpriced, 0, table.quantity * table.unit_price),
                "discount": table.discount,
            },
            {
                "order": table.orders,
                "sku": table.skus,
                "customer": table.customers,
                "currency": table.currencies,
            },
        )


class EventSummary(Keyed):
    """One row per (session, sku, placement): events of each kind, first and last time.

    ``n_view``, ``n_add_to_cart``, … count the events of each ``EventKind``; a session's
    channel, region, segment and customer are taken from its events (a session has one; a guest
    session that logs in takes the customer).
    """

    RULES: ClassVar = {
        "session": "key",
        "sku": "key",
        "placement": "key",
        "first": "min",
        "last": "max",
        "customer": "max",
        "channel": "max",
        "region": "max",
        "segment": "max",
        **dict.fromkeys(KIND_COLUMNS, "sum"),
    }
    NAMED: ClassVar = frozenset(
        {"session", "sku", "placement", "customer", "channel", "region", "segment"}
    )

    @classmethod
    def of(cls, table: EventTable) -> Self:
        """The summary of a chunk of events."""
        columns: dict[str, IntArray] = {
            "session": table.session,
            "sku": table.sku,
            "placement": table.placement,
            "first": table.at,
            "last": table.at,
            "customer": table.customer,
            "channel": table.channel,
            "region": table.region,
            "segment": table.segment,
        }
        for kind, name in zip(EventKind, KIND_COLUMNS, strict=True):
            columns[name] = (table.kind == int(kind)).astype(np.int64)
        return cls.build(
            columns,
            {
                "session": table.sessions,
                "sku": table.skus,
                "placement": table.placements,
                "customer": table.customers,
                "channel": table.channels,
                "region": table.regions,
                "segment": table.segments,
            },
        )

    def sessions(self) -> Sessions:
        """The per-session view: one row per session (computed, not a partial itself)."""
        return Sessions.of(self)


@attrs.frozen(eq=False)
class Sessions:
    """Per-session arrays derived from an ``EventSummary``, in the order of its sessions.

    Attributes:
        first: The time of each session's first event.
        last: The time of its last event.
        visitor: A visitor number: the customer's for a known customer, else one per session.
        channel: The session's channel (index into the summary's ``channel`` vocabulary).
        region: Its region.
        segment: Its segment.
        counts: For each ``n_<kind>`` column, the session's count of events of that kind.
    """

    first: IntArray
    last: IntArray
    visitor: IntArray
    channel: IntArray
    region: IntArray
    segment: IntArray
    counts: dict[str, IntArray]

    @classmethod
    def of(cls, summary: EventSummary) -> Sessions:
        """Reduce an event summary's (session, sku, placement) rows to sessions."""
        columns = summary.columns
        session = columns["session"]
        if len(session) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty, empty, empty, dict.fromkeys(KIND_COLUMNS, empty))
        starts = np.flatnonzero(np.concatenate(([True], session[1:] != session[:-1])))
        first = np.minimum.reduceat(columns["first"], starts)
        last = np.maximum.reduceat(columns["last"], starts)
        customer = np.maximum.reduceat(columns["customer"], starts)
        n_customers = len(summary.vocabularies["customer"])
        guest = np.arange(len(starts), dtype=np.int64) + n_customers
        return cls(
            first=first,
            last=last,
            visitor=np.where(customer >= 0, customer, guest),
            channel=np.maximum.reduceat(columns["channel"], starts),
            region=np.maximum.reduceat(columns["region"], starts),
            segment=np.maximum.reduceat(columns["segment"], starts),
            counts={name: np.add.reduceat(columns[name], starts) for name in KIND_COLUMNS},
        )

    def __len__(self) -> int:
        return len(self.first)


class RefundSummary(Keyed):
    """Refunded amounts per (refunded order, currency, second of the refund)."""

    RULES: ClassVar = {"order": "key", "currency": "key", "at": "key", "amount": "sum"}
    NAMED: ClassVar = frozenset({"order", "currency"})

    @classmethod
    def of(cls, refunds: Refunds) -> Self:
        """The summary of a chunk of refunds."""
        return cls.build(
            {
                "order": refunds.order,
                "currency": refunds.currency,
                "at": refunds.at,
                "amount": refunds.amount,
            },
            {"order": refunds.orders, "currency": refunds.currencies},
        )


class SpendSummary(Keyed):
    """Spend per (channel, currency, second)."""

    RULES: ClassVar = {"channel": "key", "currency": "key", "at": "key", "amount": "sum"}
    NAMED: ClassVar = frozenset({"channel", "currency"})

    @classmethod
    def of(cls, spend: Spend) -> Self:
        """The summary of a chunk of spend."""
        return cls.build(
            {
                "channel": spend.channel,
                "currency": spend.currency,
                "at": spend.at,
                "amount": spend.amount,
            },
            {"channel": spend.channels, "currency": spend.currencies},
        )


class SurveySummary(Keyed):
    """Answers counted per (scale, second, score); ``scale`` indexes ``SurveyScale``."""

    RULES: ClassVar = {"scale": "key", "at": "key", "score": "key", "count": "sum"}

    @classmethod
    def of(cls, surveys: Sequence[Survey]) -> Self:
        """The summary of a chunk of survey answers (any scales)."""
        scales = list(SurveyScale)
        parts = [
            cls.build(
                {
                    "scale": np.full(len(survey.at), scales.index(survey.scale), dtype=np.int64),
                    "at": survey.at,
                    "score": survey.score,
                    "count": np.ones(len(survey.at), dtype=np.int64),
                },
                {},
            )
            for survey in surveys
        ]
        return cls.merge(parts)


class TicketSummary(Keyed):
    """Tickets counted per (second opened, contacts, resolved)."""

    RULES: ClassVar = {"at": "key", "contacts": "key", "resolved": "key", "count": "sum"}

    @classmethod
    def of(cls, tickets: Tickets) -> Self:
        """The summary of a chunk of tickets."""
        return cls.build(
            {
                "at": tickets.at,
                "contacts": tickets.contacts,
                "resolved": tickets.resolved,
                "count": np.ones(len(tickets.at), dtype=np.int64),
            },
            {},
        )


class DeliverySummary(Keyed):
    """Shipments counted per (shipped, promised, delivered) seconds."""

    RULES: ClassVar = {"shipped": "key", "promised": "key", "delivered": "key", "count": "sum"}

    @classmethod
    def of(cls, deliveries: Deliveries) -> Self:
        """The summary of a chunk of deliveries."""
        return cls.build(
            {
                "shipped": deliveries.shipped,
                "promised": deliveries.promised,
                "delivered": deliveries.delivered,
                "count": np.ones(len(deliveries.shipped), dtype=np.int64),
            },
            {},
        )


SOURCES: dict[str, type[Keyed]] = {
    "orders": OrderSummary,
    "items": OrderItems,
    "events": EventSummary,
    "refunds": RefundSummary,
    "spend": SpendSummary,
    "surveys": SurveySummary,
    "tickets": TicketSummary,
    "deliveries": DeliverySummary,
}
"""Each summary by the name KPIs use for what they need."""

_INPUT = {
    "orders": "orders",
    "items": "orders",
    "events": "events",
    "refunds": "refunds",
    "spend": "spend",
    "surveys": "surveys",
    "tickets": "tickets",
    "deliveries": "deliveries",
}


@attrs.frozen(eq=False)
class Summaries:
    """The summaries of one chunk (or of many, merged), by source name.

    Attributes:
        parts: Each summary built, by source (``"orders"``, ``"events"``, …).
        absent: The sources the data did not hold at all (in no chunk merged); their summaries
            are empty, and a KPI that must tell "none" from "not known" (refunds) asks ``has``.
    """

    parts: dict[str, Keyed]
    absent: frozenset[str] = frozenset()

    @classmethod
    def of(cls, data: ShopData, needs: Iterable[str]) -> Summaries:
        """Build the summaries ``needs`` names from a chunk of ``data``.

        A source the data does not hold gives an empty summary; a KPI that needs it answers
        ``None`` (nothing to count), and ``require`` reports it when asked.
        """
        parts: dict[str, Keyed] = {}
        absent = set()
        for name in sorted(set(needs)):
            kind = SOURCES[name]
            value = getattr(data, _INPUT[name])
            if value is None or (name == "surveys" and not value):
                parts[name] = kind.empty()
                absent.add(name)
            else:
                parts[name] = kind.of(value)  # type: ignore[attr-defined]
        return cls(parts, frozenset(absent))

    @classmethod
    def merge(cls, parts: Sequence[Summaries]) -> Summaries:
        """Merge chunks' summaries, source by source.

        Raises:
            ValidationError: the chunks were summarised for different needs.
        """
        parts = list(parts)
        if not parts:
            raise ValidationError("lists no partials", field="partials", value=[])
        names = set(parts[0].parts)
        for index, part in enumerate(parts):
            if set(part.parts) != names:
                raise ValidationError(
                    f"summarises {sorted(part.parts)}, not {sorted(names)}",
                    field=f"partials[{index}]",
                    value=sorted(part.parts),
                )
        return cls(
            {name: SOURCES[name].merge([part.parts[name] for part in parts]) for name in names},
            frozenset.intersection(*(part.absent for part in parts)),
        )

    def has(self, name: str) -> bool:
        """Whether some chunk held the source (refunds: none given is not "no refunds")."""
        return name in self.parts and name not in self.absent

    def orders(self) -> OrderSummary:
        """The per-order summary."""
        return self.parts["orders"]  # type: ignore[return-value]

    def items(self) -> OrderItems:
        """The (order, sku) summary."""
        return self.parts["items"]  # type: ignore[return-value]

    def events(self) -> EventSummary:
        """The (session, sku, placement) summary."""
        return self.parts["events"]  # type: ignore[return-value]

    def get(self, name: str) -> Keyed:
        """The summary of a source by name."""
        return self.parts[name]
